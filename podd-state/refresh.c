/* The reboot refresh. A reboot kills every container, conmon and runtime
 * state, but the database in the static dir still says "running". The tmp
 * dir is a tmpfs that a reboot empties: <tmp>/boot/alive holds the boot id
 * of the boot that last refreshed. When it is missing or names another
 * boot, the first podd-state to open the database resets every container
 * as podman's resetContainerState does, under <tmp>/boot/alive.lock, then
 * writes the file. (Until 2026-11 the file was <tmp>/alive; one that names
 * this boot still counts, read before the sandbox.)
 *
 * Crash safety: every record changes in one LMDB write transaction, and the
 * alive file is written (temporary + rename) only after the commit, so a
 * crash at any point leaves the refresh to be done, or done again, by the
 * next podctl. Doing it again is harmless: a reset record resets to itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "log.h"
#include "validate.h"
#include "state.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
/* Room for a boot id, its newline and a little junk, which then mismatches. */
#define ALIVE_MAX 64

static bool boot_id_valid(const char *s)
{
	if (strlen(s) != STATE_BOOT_ID_MAX)
		return false;
	return strspn(s, "0123456789abcdef-") == STATE_BOOT_ID_MAX;
}

static void strip_newline(char *s)
{
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
}

void refresh_read_boot_id(char out[STATE_BOOT_ID_MAX + 1])
{
	cleanup_free char *text = NULL;
	podd_error_t err = NULL;

	out[0] = '\0';
	if (read_file_limited(BOOT_ID_PATH, ALIVE_MAX, &text, &err) < 0) {
		podd_warn("%s; a reboot is noticed only by the alive file's absence", err->msg);
		podd_error_free(&err);
		return;
	}
	strip_newline(text);
	if (!boot_id_valid(text)) {
		podd_warn("%s: unexpected content; a reboot is noticed only by the alive file's "
			  "absence",
			  BOOT_ID_PATH);
		return;
	}
	memcpy(out, text, STATE_BOOT_ID_MAX + 1);
}

/* Whether the alive file at `path` says this boot was refreshed already: 1 if so, 0 if
 * it is missing or names another boot, -1 if it cannot be read. Every open
 * asks, so it is one small read. A read that fails for another reason than
 * absence is an error, not a reboot: a refresh by mistake would call
 * running containers exited. */
static int alive_is_current(const char *path, const char *boot_id, podd_error_t *err)
{
	cleanup_free char *text = NULL;

	if (read_file_limited(path, ALIVE_MAX, &text, err) < 0) {
		/* No errno: the file is larger than any boot id, so not ours. */
		if ((*err)->sys_errno == ENOENT || (*err)->sys_errno == 0) {
			podd_error_free(err);
			return 0;
		}
		return podd_error_wrap(err, "refresh");
	}
	/* Without a boot id, the file's presence is all there is to go by. */
	if (boot_id[0] == '\0')
		return 1;
	strip_newline(text);
	return strcmp(text, boot_id) == 0;
}

bool refresh_old_alive_current(const char *tmp_dir, const char *boot_id)
{
	char path[STATE_PATH_MAX + 16];
	podd_error_t e = NULL;
	int current;

	snprintf(path, sizeof(path), "%s/alive", tmp_dir);
	current = alive_is_current(path, boot_id, &e);
	podd_error_free(&e);
	return current == 1;
}

enum refresh_action {
	REFRESH_KEEP,   /* nothing to change */
	REFRESH_RESET,  /* write the reset record back */
	REFRESH_REMOVE, /* a leftover to remove */
};

/* The runtime half of one record after a reboot, after podman's
 * resetContainerState: whatever ran in the last boot is exited, whatever
 * only was created is configured again (the runtime forgot it), and no pid
 * means anything any more. The exit code stays as recorded (0 when nobody
 * saw the exit, as podman shows it). An exit time nobody recorded becomes
 * the refresh time, the first moment podd knew the container was gone;
 * podman leaves the zero, which our `ps` would show as "Exited (0) 56
 * years ago".
 *
 * A --rm container that ran should have been removed when it exited, and a
 * container in REMOVING was being removed when the machine went down: both
 * go, as podman removes them at its refresh. A --rm container that never
 * ran stays: `podctl create --rm` then a reboot, then start, still works. */
static enum refresh_action refresh_record(Podd__ContainerRecord *rec, int64_t now_ns)
{
	const Podd__ContainerState was = rec->state;
	bool ran = false, changed;

	switch (rec->state) {
	case PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED:
		rec->state = PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED;
		ran = true;
		break;
	case PODD__CONTAINER_STATE__CONTAINER_STATE_REMOVING:
		break; /* removed below; kept as it is if its files will not go */
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED:
	default: /* UNKNOWN or newer: what the runtime held is gone either way */
		rec->state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED;
		break;
	}
	changed = rec->state != was || rec->pid != 0 || rec->conmon_pid != 0 ||
		  (ran && rec->finished_ns == 0) || rec->n_exec_ids > 0;
	rec->pid = 0;
	rec->conmon_pid = 0;
	/* Its exec sessions went with it (NULL: cannot fail). */
	(void)container_exec_ids_set(rec, NULL, 0, NULL);
	if (ran && rec->finished_ns == 0)
		rec->finished_ns = now_ns;
	if (was == PODD__CONTAINER_STATE__CONTAINER_STATE_REMOVING ||
	    (ran && rec->config != NULL && rec->config->autoremove))
		return REFRESH_REMOVE;
	return changed ? REFRESH_RESET : REFRESH_KEEP;
}

/* <static>/containers/<id>, the files that outlive a run (the log); the
 * ones in the tmp dir went with the reboot. podctl removes them through
 * podd-exec for `rm`; here no podd-exec runs, so podd-state's Landlock
 * grant holds both directories (dirs.c). */
static int remove_container_files(const struct state_ctx *ctx, const char *id,
				  podd_error_t *err)
{
	char path[4096 + 80];

	if (!podd_id_valid(id))
		return podd_error(err, PODD_E_INTERNAL, "refresh: invalid id %.64s", id);
	snprintf(path, sizeof(path), "%s/%s", ctx->ctr_dir, id);
	if (remove_tree(path, err) < 0)
		return -1;
	/* An image container's upper and work dirs (its merged mount went
	 * with the reboot). Files the container made for other users may not
	 * go without capabilities: then the record stays for `podctl rm`. */
	snprintf(path, sizeof(path), "%s/%s", ctx->ctr_storage_dir, id);
	return remove_tree(path, err);
}

/* Ids of the removed containers, whose lock files go after the commit. */
struct id_list {
	char (*ids)[PODD_ID_LEN + 1];
	size_t n;
};

static void id_list_free(struct id_list *l)
{
	free(l->ids);
	l->ids = NULL;
	l->n = 0;
}

static int id_list_add(struct id_list *l, const char *id, podd_error_t *err)
{
	char(*grown)[PODD_ID_LEN + 1] = realloc(l->ids, (l->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "refresh");
	l->ids = grown;
	memcpy(l->ids[l->n++], id, PODD_ID_LEN + 1);
	return 0;
}

/* Returns 0: a record that cannot be refreshed is passed over, not fatal. */
static int skip_record(const char *what)
{
	podd_warn("refresh: skipping %s", what);
	return 0;
}

/* One container under the cursor: reset it in place or remove it with its
 * name and files. A record that does not decode is left for `rm` to report,
 * never a reason to leave the whole database unrefreshed. */
static int refresh_one(struct state_ctx *ctx, MDB_txn *txn, MDB_cursor *cur, const MDB_val *key,
		       const MDB_val *val, int64_t now_ns, struct refresh_result *res,
		       struct id_list *removed, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_free void *packed = NULL;
	podd_error_t skipped = NULL;
	char id[PODD_ID_LEN + 1];
	MDB_val k, v;
	int rc;

	if (key->mv_size != PODD_ID_LEN)
		return skip_record("a container record with a malformed key");
	memcpy(id, key->mv_data, PODD_ID_LEN);
	id[PODD_ID_LEN] = '\0';
	if (!podd_id_valid(id))
		return skip_record("a container record with a malformed key");
	if (db_decode_container(val, id, &rec, &skipped) < 0) {
		skip_record(skipped->msg);
		podd_error_free(&skipped);
		return 0;
	}

	switch (refresh_record(rec, now_ns)) {
	case REFRESH_KEEP:
		return 0;
	case REFRESH_REMOVE:
		/* Files first, as `podctl rm` does: a crash between them and
		 * the commit leaves the record, which the next refresh
		 * removes. Files that will not go keep the record too, so
		 * that `podctl rm` can try again and say why. */
		if (remove_container_files(ctx, id, &skipped) < 0) {
			podd_warn("refresh: keeping container %s: %s", id, skipped->msg);
			podd_error_free(&skipped);
			break;
		}
		if (names_delete_if_ours(txn, &ctx->db, rec->name, id, err) < 0)
			return -1;
		/* The cursor moves to the next record; MDB_NEXT returns it. */
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			return db_error(err, rc, "refresh: remove container %s", id);
		res->removed++;
		return id_list_add(removed, id, err);
	case REFRESH_RESET:
	default:
		break;
	}

	/* Replace the record under the cursor. The key is our own copy: the
	 * one the cursor returned points into a page the write may move. */
	v.mv_size = podd__container_record__get_packed_size(rec);
	packed = malloc(v.mv_size ? v.mv_size : 1);
	if (packed == NULL)
		return podd_error_sys(err, ENOMEM, "refresh: container %s", id);
	podd__container_record__pack(rec, packed);
	v.mv_data = packed;
	k.mv_size = PODD_ID_LEN;
	k.mv_data = id;
	rc = mdb_cursor_put(cur, &k, &v, MDB_CURRENT);
	if (rc != 0)
		return db_error(err, rc, "refresh: write container %s", id);
	res->reset++;
	return 0;
}

/* Every record in one write transaction. The cursor is not closed here: a
 * write transaction's cursors end with it (commit or abort). */
static int refresh_records(struct state_ctx *ctx, int64_t now_ns, struct refresh_result *res,
			   podd_error_t *err)
{
	__attribute__((cleanup(id_list_free))) struct id_list removed = { 0 };
	cleanup_txn MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	char path[4096 + 80];
	int rc;

	rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, ctx->db.containers, &cur);
	if (rc != 0)
		return db_error(err, rc, "refresh");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (refresh_one(ctx, txn, cur, &key, &val, now_ns, res, &removed, err) < 0)
			return -1;
	}
	if (rc != MDB_NOTFOUND)
		return db_error(err, rc, "refresh");
	rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0)
		return db_error(err, rc, "refresh: commit");

	/* After a real reboot the lock files went with the tmpfs. When the
	 * alive file was removed by hand they are still there: drop those of
	 * removed containers, as RemoveRequest does. A session still holding
	 * one finds its container gone at its next request. */
	for (size_t i = 0; i < removed.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", ctx->lock_dir, removed.ids[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			podd_warn("refresh: remove lock file %s: %s", path, strerror(errno));
	}
	return 0;
}

int refresh_if_rebooted(struct state_ctx *ctx, const char *boot_id, int64_t now_ns,
			struct refresh_result *res, podd_error_t *err)
{
	char alive[4096 + 16], lock[4096 + 16], content[STATE_BOOT_ID_MAX + 2];
	cleanup_close int fd = -1;
	int current, n;

	memset(res, 0, sizeof(*res));
	snprintf(alive, sizeof(alive), "%s/alive", ctx->boot_dir);
	current = alive_is_current(alive, boot_id, err);
	if (current != 0)
		return current < 0 ? -1 : 0;

	/* One refresh at a time; podctl processes that find the alive file
	 * stale at once queue here, and all but the first find it current
	 * when their turn comes. The kernel drops the lock if we die. */
	snprintf(lock, sizeof(lock), "%s/alive.lock", ctx->boot_dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return podd_error_sys(err, errno, "refresh: open %s", lock);
	if (flock(fd, LOCK_EX) < 0)
		return podd_error_sys(err, errno, "refresh: lock %s", lock);
	current = alive_is_current(alive, boot_id, err);
	if (current != 0)
		return current < 0 ? -1 : 0;

	/* An engine from before <tmp>/boot refreshed this boot already:
	 * only the file moves. */
	if (!ctx->old_alive_current && refresh_records(ctx, now_ns, res, err) < 0)
		return -1;
	n = snprintf(content, sizeof(content), "%s\n", boot_id);
	if (write_file_atomic(alive, content, (size_t)n, 0600, err) < 0)
		return podd_error_wrap(err, "refresh");
	res->refreshed = !ctx->old_alive_current;
	return 0;
}
