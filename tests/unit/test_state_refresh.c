/* The reboot refresh (podd-state/refresh.c) on a real LMDB file in a
 * temporary directory, with made-up boot ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "state.h"
#include "state_fixture.h"

#define BOOT_A "11111111-1111-4111-8111-111111111111"
#define BOOT_B "22222222-2222-4222-8222-222222222222"
#define NOW 1700000000000000000LL

#define ID_RUN "a000000000000000000000000000000000000000000000000000000000000001"
#define ID_PAUSED "a000000000000000000000000000000000000000000000000000000000000002"
#define ID_STOPPED "a000000000000000000000000000000000000000000000000000000000000003"
#define ID_EXITED "a000000000000000000000000000000000000000000000000000000000000004"
#define ID_CREATED "a000000000000000000000000000000000000000000000000000000000000005"
#define ID_CONF "a000000000000000000000000000000000000000000000000000000000000006"
#define ID_UNKNOWN "a000000000000000000000000000000000000000000000000000000000000007"
#define ID_RM "b000000000000000000000000000000000000000000000000000000000000001"
#define ID_RM_CONF "b000000000000000000000000000000000000000000000000000000000000002"
#define ID_REMOVING "b000000000000000000000000000000000000000000000000000000000000003"

#define S(x) PODD__CONTAINER_STATE__CONTAINER_STATE_##x

/* The stored record, or NULL if there is none. */
static Podd__ContainerRecord *stored(struct fixture *fx, const char *id)
{
	Podd__ContainerRecord *rec = NULL;
	podd_error_t err = NULL;
	MDB_txn *txn;

	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	if (db_get_container(txn, &fx->ctx.db, id, &rec, &err) < 0) {
		assert_int_equal(err->code, PODD_E_NO_SUCH_CONTAINER);
		podd_error_free(&err);
	}
	mdb_txn_abort(txn);
	return rec;
}

static bool name_taken(struct fixture *fx, const char *name)
{
	podd_error_t err = NULL;
	char id[65];
	MDB_txn *txn;
	int r;

	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	r = names_resolve_container(txn, &fx->ctx.db, name, id, &err);
	mdb_txn_abort(txn);
	podd_error_free(&err);
	return r == 0;
}

static void write_alive(struct fixture *fx, const char *boot_id)
{
	char path[STATE_PATH_MAX + 16], text[64];
	podd_error_t err = NULL;
	int n = snprintf(text, sizeof(text), "%s\n", boot_id);
	snprintf(path, sizeof(path), "%s/alive", fx->ctx.boot_dir);
	assert_int_equal(write_file_atomic(path, text, (size_t)n, 0600, &err), 0);
}

static void assert_alive(struct fixture *fx, const char *boot_id)
{
	char path[STATE_PATH_MAX + 16], *text = NULL, want[64];
	podd_error_t err = NULL;

	snprintf(path, sizeof(path), "%s/alive", fx->ctx.boot_dir);
	assert_int_equal(read_file_limited(path, 64, &text, &err), 0);
	snprintf(want, sizeof(want), "%s\n", boot_id);
	assert_string_equal(text, want);
	free(text);
}

static struct refresh_result refresh_at(struct fixture *fx, const char *boot_id, int64_t now)
{
	struct refresh_result res;
	podd_error_t err = NULL;
	if (refresh_if_rebooted(&fx->ctx, boot_id, now, &res, &err) < 0)
		fail_msg("refresh: %s", err->msg);
	return res;
}

static struct refresh_result refresh(struct fixture *fx, const char *boot_id)
{
	return refresh_at(fx, boot_id, NOW);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void test_first_open_only_writes_the_alive_file(void **state)
{
	struct fixture *fx = *state;
	struct refresh_result res = refresh(fx, BOOT_A);

	assert_true(res.refreshed);
	assert_int_equal(res.reset, 0);
	assert_int_equal(res.removed, 0);
	assert_alive(fx, BOOT_A);
}

static void test_same_boot_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	Podd__ContainerRecord *rec;
	struct refresh_result res;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10, .conmon_pid = 9 });
	res = refresh(fx, BOOT_A);
	assert_false(res.refreshed);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(RUNNING));
	assert_int_equal(rec->pid, 10);
	assert_int_equal(rec->conmon_pid, 9);
	podd__container_record__free_unpacked(rec, NULL);
}

static void test_new_boot_resets_every_state_as_podman_does(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *id, *name;
		struct spec before;
		Podd__ContainerState after;
		int exit_code;
		int64_t finished_ns;
	} cases[] = {
		{ ID_RUN, "running", { S(RUNNING), 10, 9, 0, 0, false }, S(EXITED), 0, NOW },
		{ ID_PAUSED, "paused", { S(PAUSED), 11, 8, 0, 0, false }, S(EXITED), 0, NOW },
		/* A recorded exit keeps its code and time. */
		{ ID_STOPPED, "stopped", { S(STOPPED), 0, 7, 3, 42, false }, S(EXITED), 3, 42 },
		{ ID_EXITED, "exited", { S(EXITED), 0, 0, 137, 43, false }, S(EXITED), 137, 43 },
		{ ID_CREATED, "created", { S(CREATED), 12, 6, 0, 0, false }, S(CONFIGURED), 0, 0 },
		{ ID_CONF, "configured", { S(CONFIGURED), 0, 0, 0, 0, false }, S(CONFIGURED), 0, 0 },
		{ ID_UNKNOWN, "unknown", { S(UNKNOWN), 0, 0, 0, 0, false }, S(CONFIGURED), 0, 0 },
	};
	struct refresh_result res;

	write_alive(fx, BOOT_A);
	for (size_t i = 0; i < PODD_ARRAY_SIZE(cases); i++)
		fixture_put(fx, cases[i].id, cases[i].name, cases[i].before);
	res = refresh(fx, BOOT_B);
	assert_true(res.refreshed);
	/* The exited and the configured one were right already. */
	assert_int_equal(res.reset, PODD_ARRAY_SIZE(cases) - 2);
	assert_int_equal(res.removed, 0);
	for (size_t i = 0; i < PODD_ARRAY_SIZE(cases); i++) {
		Podd__ContainerRecord *rec = stored(fx, cases[i].id);
		assert_non_null(rec);
		assert_int_equal(rec->state, cases[i].after);
		assert_int_equal(rec->pid, 0);
		assert_int_equal(rec->conmon_pid, 0);
		assert_int_equal(rec->exit_code, cases[i].exit_code);
		assert_int_equal(rec->finished_ns, cases[i].finished_ns);
		assert_string_equal(rec->name, cases[i].name);
		podd__container_record__free_unpacked(rec, NULL);
	}
	assert_alive(fx, BOOT_B);
}

static void test_leftover_autoremove_containers_go_with_name_files_and_lock(void **state)
{
	struct fixture *fx = *state;
	char files[160], log[200], lock[4200], conf_files[160];
	Podd__ContainerRecord *rec;
	struct refresh_result res;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RM, "gone", (struct spec){ .state = S(RUNNING), .pid = 10, .autoremove = true });
	fixture_put(fx, ID_REMOVING, "half", (struct spec){ .state = S(REMOVING) });
	/* Never ran: `create --rm`, then a reboot, then start must work. */
	fixture_put(fx, ID_RM_CONF, "later", (struct spec){ .state = S(CONFIGURED), .autoremove = true });
	snprintf(files, sizeof(files), "%s/containers/%s", fx->dir, ID_RM);
	snprintf(log, sizeof(log), "%s/ctr.log", files);
	snprintf(lock, sizeof(lock), "%s/%s", fx->ctx.lock_dir, ID_RM);
	snprintf(conf_files, sizeof(conf_files), "%s/containers/%s", fx->dir, ID_RM_CONF);
	mkdir(files, 0700);
	touch(log);
	touch(lock);
	mkdir(conf_files, 0700);

	res = refresh(fx, BOOT_B);
	assert_int_equal(res.removed, 2);
	assert_null(stored(fx, ID_RM));
	assert_null(stored(fx, ID_REMOVING));
	assert_false(name_taken(fx, "gone"));
	assert_false(name_taken(fx, "half"));
	assert_false(exists(files));
	assert_false(exists(lock));
	rec = stored(fx, ID_RM_CONF);
	assert_non_null(rec);
	assert_int_equal(rec->state, S(CONFIGURED));
	podd__container_record__free_unpacked(rec, NULL);
	assert_true(name_taken(fx, "later"));
	assert_true(exists(conf_files));
}

static void test_missing_alive_file_refreshes_an_existing_database(void **state)
{
	struct fixture *fx = *state;
	Podd__ContainerRecord *rec;

	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10, .conmon_pid = 9 });
	assert_int_equal(refresh(fx, BOOT_A).reset, 1);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(EXITED));
	assert_int_equal(rec->pid, 0);
	podd__container_record__free_unpacked(rec, NULL);
	assert_alive(fx, BOOT_A);
}

static void test_second_open_of_a_boot_does_not_refresh_again(void **state)
{
	struct fixture *fx = *state;
	Podd__ContainerRecord *rec;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	assert_true(refresh(fx, BOOT_B).refreshed);
	/* Started again in the new boot: the next open must leave it be. */
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 20, .conmon_pid = 19 });
	assert_false(refresh(fx, BOOT_B).refreshed);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(RUNNING));
	assert_int_equal(rec->pid, 20);
	podd__container_record__free_unpacked(rec, NULL);
}

/* /proc/locks marks a blocked flock with "->" before the waiter's pid. */
static bool waits_for_a_lock(pid_t pid)
{
	char line[256], want[64];

	snprintf(want, sizeof(want), "-> FLOCK  ADVISORY  WRITE %d ", (int)pid);
	for (int tries = 0; tries < 1000; tries++) {
		FILE *f = fopen("/proc/locks", "re");
		bool found = false;
		assert_non_null(f);
		while (!found && fgets(line, sizeof(line), f))
			found = strstr(line, want) != NULL;
		fclose(f);
		if (found)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* A podctl that waited for the refresh lock while another refreshed must
 * not refresh again: by then containers may have started in this boot. */
static void test_a_waiter_finds_the_refresh_done_under_the_lock(void **state)
{
	struct fixture *fx = *state;
	char lock[STATE_PATH_MAX + 16];
	Podd__ContainerRecord *rec;
	int fd, status;
	pid_t pid;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	snprintf(lock, sizeof(lock), "%s/alive.lock", fx->ctx.boot_dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* An LMDB environment does not cross fork: open our own. */
		struct state_ctx ctx = fx->ctx;
		struct refresh_result res;
		podd_error_t err = NULL;
		/* flock belongs to the open file description, which fork
		 * shared: only the parent's close may release it. */
		close(fd);
		if (db_open(&ctx.db, fx->dbdir, &err) < 0 ||
		    refresh_if_rebooted(&ctx, BOOT_B, NOW, &res, &err) < 0)
			_exit(2);
		_exit(res.refreshed ? 1 : 0);
	}
	/* Once the child waits for the lock, "another podctl" refreshes and
	 * starts the container again before letting it go. */
	assert_true(waits_for_a_lock(pid));
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 30 });
	write_alive(fx, BOOT_B);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(RUNNING));
	assert_int_equal(rec->pid, 30);
	podd__container_record__free_unpacked(rec, NULL);
}

/* Deleting under the cursor must not skip the record that slides into its
 * place, across LMDB page boundaries too. */
static void test_many_containers_alternating_removals(void **state)
{
	struct fixture *fx = *state;
	enum { N = 600 };
	char id[65], name[16];
	struct refresh_result res;
	uint64_t count;
	MDB_txn *txn;
	podd_error_t err = NULL;

	write_alive(fx, BOOT_A);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "c%063d", i);
		snprintf(name, sizeof(name), "n%d", i);
		/* Runs of two removals in a row, then one kept. */
		fixture_put(fx, id, name,
		    (struct spec){ .state = S(RUNNING), .pid = i + 1, .autoremove = i % 3 != 0 });
	}
	res = refresh(fx, BOOT_B);
	assert_int_equal(res.removed, N - N / 3);
	assert_int_equal(res.reset, N / 3);
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(db_count(txn, fx->ctx.db.containers, &count, &err), 0);
	mdb_txn_abort(txn);
	assert_int_equal(count, N / 3);
	for (int i = 0; i < N; i += 3) {
		Podd__ContainerRecord *rec;
		snprintf(id, sizeof(id), "c%063d", i);
		rec = stored(fx, id);
		assert_non_null(rec);
		assert_int_equal(rec->state, S(EXITED));
		assert_int_equal(rec->pid, 0);
		podd__container_record__free_unpacked(rec, NULL);
	}
}

static void test_a_corrupt_record_does_not_stop_the_refresh(void **state)
{
	struct fixture *fx = *state;
	MDB_val key = { 64, (void *)ID_CONF }, val = { 5, (void *)"\xff\xff\xff\xff\xff" };
	Podd__ContainerRecord *rec;
	MDB_txn *txn;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, fx->ctx.db.containers, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);

	assert_int_equal(refresh(fx, BOOT_B).reset, 1);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(EXITED));
	podd__container_record__free_unpacked(rec, NULL);
	assert_alive(fx, BOOT_B);
}

/* Files that will not go keep the record, so `podctl rm` can try again
 * and say why; remove_tree refuses a tree nested deeper than 16. */
static void test_files_that_will_not_go_keep_the_record(void **state)
{
	struct fixture *fx = *state;
	char path[1024];
	Podd__ContainerRecord *rec;
	struct refresh_result res;
	int n;

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RM, "stuck", (struct spec){ .state = S(RUNNING), .pid = 10, .autoremove = true });
	n = snprintf(path, sizeof(path), "%s/containers/%s", fx->dir, ID_RM);
	mkdir(path, 0700);
	for (int i = 0; i < 20; i++) {
		n += snprintf(path + n, sizeof(path) - (size_t)n, "/d");
		assert_int_equal(mkdir(path, 0700), 0);
	}
	res = refresh(fx, BOOT_B);
	assert_int_equal(res.removed, 0);
	assert_int_equal(res.reset, 1);
	rec = stored(fx, ID_RM);
	assert_non_null(rec);
	assert_int_equal(rec->state, S(EXITED));
	assert_int_equal(rec->pid, 0);
	podd__container_record__free_unpacked(rec, NULL);
	assert_true(name_taken(fx, "stuck"));
}

static void test_unknown_boot_id_goes_by_the_alive_file_alone(void **state)
{
	struct fixture *fx = *state;

	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	assert_true(refresh(fx, "").refreshed);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 20 });
	assert_false(refresh(fx, "").refreshed);
	/* Once the boot id can be read again, "" is another boot. */
	assert_true(refresh(fx, BOOT_A).refreshed);
	assert_alive(fx, BOOT_A);
}

/* A refresh by mistake would call running containers exited: only a
 * missing file, or one naming another boot, is a reboot. */
static void test_an_unreadable_alive_file_is_an_error_not_a_reboot(void **state)
{
	struct fixture *fx = *state;
	struct refresh_result res;
	Podd__ContainerRecord *rec;
	podd_error_t err = NULL;
	char path[STATE_PATH_MAX + 16];

	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	snprintf(path, sizeof(path), "%s/alive", fx->ctx.boot_dir);
	assert_int_equal(mkdir(path, 0700), 0); /* read(2) fails: EISDIR */
	assert_int_equal(refresh_if_rebooted(&fx->ctx, BOOT_A, NOW, &res, &err), -1);
	assert_non_null(strstr(err->msg, "alive"));
	podd_error_free(&err);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(RUNNING));
	podd__container_record__free_unpacked(rec, NULL);
}

static void test_an_alive_file_of_junk_is_another_boot(void **state)
{
	struct fixture *fx = *state;
	char path[STATE_PATH_MAX + 16], junk[200];
	podd_error_t err = NULL;

	memset(junk, 'x', sizeof(junk));
	snprintf(path, sizeof(path), "%s/alive", fx->ctx.boot_dir);
	assert_int_equal(write_file_atomic(path, junk, sizeof(junk), 0600, &err), 0);
	assert_true(refresh(fx, BOOT_A).refreshed);
	assert_alive(fx, BOOT_A);
}

/* The alive file is written last: when that fails, the next open refreshes
 * again, which must change nothing the first one did. */
static void test_a_refresh_cut_short_before_the_alive_file_is_repeated(void **state)
{
	struct fixture *fx = *state;
	struct refresh_result res;
	Podd__ContainerRecord *rec;
	podd_error_t err = NULL;
	char tmp[STATE_PATH_MAX + 16];

	write_alive(fx, BOOT_A);
	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	fixture_put(fx, ID_RM, "gone", (struct spec){ .state = S(RUNNING), .autoremove = true });
	snprintf(tmp, sizeof(tmp), "%s/alive.tmp", fx->ctx.boot_dir);
	assert_int_equal(mkdir(tmp, 0700), 0); /* the temporary cannot be written */
	assert_int_equal(refresh_if_rebooted(&fx->ctx, BOOT_B, NOW, &res, &err), -1);
	podd_error_free(&err);
	assert_alive(fx, BOOT_A);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(EXITED));
	assert_int_equal(rec->finished_ns, NOW);
	podd__container_record__free_unpacked(rec, NULL);

	assert_int_equal(rmdir(tmp), 0);
	res = refresh_at(fx, BOOT_B, NOW + 5);
	assert_true(res.refreshed);
	assert_int_equal(res.reset, 0);
	assert_int_equal(res.removed, 0);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(EXITED));
	assert_int_equal(rec->finished_ns, NOW);
	podd__container_record__free_unpacked(rec, NULL);
	assert_null(stored(fx, ID_RM));
	assert_alive(fx, BOOT_B);
}

/* An engine from before <tmp>/boot kept the alive file in the tmp dir
 * itself: one that names this boot means this boot was refreshed (running
 * containers stay running), and only the file moves. */
static void test_the_old_alive_file_of_this_boot_is_honoured(void **state)
{
	struct fixture *fx = *state;
	struct refresh_result res;
	Podd__ContainerRecord *rec;
	char path[STATE_PATH_MAX + 16], text[64];
	podd_error_t err = NULL;
	int n = snprintf(text, sizeof(text), "%s\n", BOOT_A);

	fixture_put(fx, ID_RUN, "web", (struct spec){ .state = S(RUNNING), .pid = 10 });
	snprintf(path, sizeof(path), "%s/alive", fx->dir);
	assert_int_equal(write_file_atomic(path, text, (size_t)n, 0600, &err), 0);
	assert_true(refresh_old_alive_current(fx->dir, BOOT_A));
	assert_false(refresh_old_alive_current(fx->dir, BOOT_B));

	fx->ctx.old_alive_current = refresh_old_alive_current(fx->dir, BOOT_A);
	res = refresh_at(fx, BOOT_A, NOW);
	assert_false(res.refreshed);
	assert_int_equal(res.reset, 0);
	assert_alive(fx, BOOT_A);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(RUNNING));
	assert_int_equal(rec->pid, 10);
	podd__container_record__free_unpacked(rec, NULL);

	/* The same old file under another boot is a reboot. */
	snprintf(path, sizeof(path), "%s/alive", fx->ctx.boot_dir);
	assert_int_equal(unlink(path), 0);
	fx->ctx.old_alive_current = refresh_old_alive_current(fx->dir, BOOT_B);
	res = refresh_at(fx, BOOT_B, NOW);
	assert_true(res.refreshed);
	assert_int_equal(res.reset, 1);
	assert_alive(fx, BOOT_B);
	rec = stored(fx, ID_RUN);
	assert_int_equal(rec->state, S(EXITED));
	podd__container_record__free_unpacked(rec, NULL);
}

static void test_the_kernel_boot_id_is_read(void **state)
{
	char id[STATE_BOOT_ID_MAX + 1], *text = NULL;
	podd_error_t err = NULL;

	(void)state;
	refresh_read_boot_id(id);
	assert_int_equal(read_file_limited("/proc/sys/kernel/random/boot_id", 64, &text, &err), 0);
	assert_int_equal(strlen(id), 36);
	assert_memory_equal(id, text, 36);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_open_only_writes_the_alive_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_boot_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_boot_resets_every_state_as_podman_does,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_leftover_autoremove_containers_go_with_name_files_and_lock, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_missing_alive_file_refreshes_an_existing_database,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_of_a_boot_does_not_refresh_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_waiter_finds_the_refresh_done_under_the_lock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_containers_alternating_removals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_corrupt_record_does_not_stop_the_refresh,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_that_will_not_go_keep_the_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_boot_id_goes_by_the_alive_file_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_unreadable_alive_file_is_an_error_not_a_reboot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_alive_file_of_junk_is_another_boot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_refresh_cut_short_before_the_alive_file_is_repeated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_old_alive_file_of_this_boot_is_honoured,
						setup, teardown),
		cmocka_unit_test(test_the_kernel_boot_id_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
