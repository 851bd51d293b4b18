/* podd-state's database code on a real LMDB file in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "state.h"
#include "state_fixture.h"
#include "validate.h"

/* A configured container with a chosen id and name. */
static void add(struct fixture *fx, const char *id, const char *name)
{
	fixture_put(fx, id, name,
		    (struct spec){ .state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED });
}

static int resolve(struct fixture *fx, const char *what, char id[65], podd_error_t *err)
{
	MDB_txn *txn;
	int r;
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	r = names_resolve_container(txn, &fx->ctx.db, what, id, err);
	mdb_txn_abort(txn);
	return r;
}

#define ID_A1 "aa11000000000000000000000000000000000000000000000000000000000000"
#define ID_A2 "aa22000000000000000000000000000000000000000000000000000000000000"
#define ID_B "bb00000000000000000000000000000000000000000000000000000000000000"

static void test_lookup_by_full_id_name_and_unique_prefix(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	add(fx, ID_A1, "one");
	add(fx, ID_B, "two");
	assert_int_equal(resolve(fx, ID_A1, id, &err), 0);
	assert_string_equal(id, ID_A1);
	assert_int_equal(resolve(fx, "two", id, &err), 0);
	assert_string_equal(id, ID_B);
	assert_int_equal(resolve(fx, "b", id, &err), 0);
	assert_string_equal(id, ID_B);
	assert_int_equal(resolve(fx, "aa1", id, &err), 0);
	assert_string_equal(id, ID_A1);
}

static void test_lookup_ambiguous_prefix_is_an_error(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	add(fx, ID_A1, "one");
	add(fx, ID_A2, "two");
	assert_int_equal(resolve(fx, "aa", id, &err), -1);
	assert_int_equal(err->code, PODD_E_AMBIGUOUS);
	podd_error_free(&err);
	assert_int_equal(resolve(fx, "aa2", id, &err), 0);
	assert_string_equal(id, ID_A2);
}

static void test_name_wins_over_prefix(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	/* A container named like another's id prefix: podman resolves the
	 * name first. */
	add(fx, ID_A1, "bb");
	add(fx, ID_B, "other");
	assert_int_equal(resolve(fx, "bb", id, &err), 0);
	assert_string_equal(id, ID_A1);
}

static void test_missing_container_says_no_such_container(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	assert_int_equal(resolve(fx, "nothere", id, &err), -1);
	assert_int_equal(err->code, PODD_E_NO_SUCH_CONTAINER);
	assert_string_equal(err->msg,
			    "no container with name or ID \"nothere\" found: no such container");
	podd_error_free(&err);
}

static void test_duplicate_name_is_refused_and_keeps_the_first(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	MDB_txn *txn;
	char id[65];

	add(fx, ID_A1, "web");
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(names_put(txn, &fx->ctx.db, "web", ID_B, &err), -1);
	assert_int_equal(err->code, PODD_E_NAME_IN_USE);
	podd_error_free(&err);
	mdb_txn_abort(txn);
	assert_int_equal(resolve(fx, "web", id, &err), 0);
	assert_string_equal(id, ID_A1);
}

static void test_random_names_are_valid_and_unused(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	MDB_txn *txn;
	char name[256];

	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	for (int i = 0; i < 500; i++) {
		char id[65];
		assert_int_equal(names_generate(txn, &fx->ctx.db, name, sizeof(name), &err), 0);
		assert_true(podd_name_valid(name));
		assert_int_equal(podd_id_generate(id, &err), 0);
		/* names_put refuses a taken name, so 500 successes prove 500
		 * distinct names. */
		assert_int_equal(names_put(txn, &fx->ctx.db, name, id, &err), 0);
	}
	mdb_txn_abort(txn);
}

static void test_dbconfig_mismatch_names_field_stored_and_current(void **state)
{
	struct fixture *fx = *state;
	Podd__DbConfig cfg = PODD__DB_CONFIG__INIT;
	podd_error_t err = NULL;

	cfg.static_dir = "/s";
	cfg.tmp_dir = "/t";
	cfg.graph_root = "/s/storage";
	cfg.run_root = "/t/storage";
	cfg.graph_driver = "overlay";
	cfg.volume_path = "/s/volumes";
	assert_int_equal(dbconfig_check_and_store(&fx->ctx, &cfg, &err), 0);
	assert_int_equal(dbconfig_check_and_store(&fx->ctx, &cfg, &err), 0);
	cfg.graph_driver = "vfs";
	assert_int_equal(dbconfig_check_and_store(&fx->ctx, &cfg, &err), -1);
	assert_int_equal(err->code, PODD_E_DB_CONFIG_MISMATCH);
	assert_non_null(strstr(err->msg, "graph driver \"overlay\""));
	assert_non_null(strstr(err->msg, "\"vfs\""));
	podd_error_free(&err);
}

static void test_lock_is_exclusive_and_released_when_holder_dies(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char path[4200];
	int p[2], fd;
	pid_t child;
	char c;

	assert_int_equal(pipe(p), 0);
	child = fork();
	if (child == 0) {
		struct state_ctx mine = fx->ctx;
		mine.locks = NULL;
		mine.nlocks = 0;
		if (locks_acquire(&mine, ID_A1, &err) < 0)
			_exit(1);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	snprintf(path, sizeof(path), "%s/%s", fx->ctx.lock_dir, ID_A1);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	assert_int_equal(locks_acquire(&fx->ctx, ID_A1, &err), 0);
	assert_true(locks_held(&fx->ctx, ID_A1));
	assert_int_equal(locks_release(&fx->ctx, ID_A1, true, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_by_full_id_name_and_unique_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lookup_ambiguous_prefix_is_an_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_wins_over_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_container_says_no_such_container, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_name_is_refused_and_keeps_the_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_names_are_valid_and_unused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dbconfig_mismatch_names_field_stored_and_current,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_is_exclusive_and_released_when_holder_dies,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
