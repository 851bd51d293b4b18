/* A podd-state context on a real LMDB file in a fresh temporary directory,
 * which serves as both static and tmp dir: the cmocka setup and teardown of
 * the tests of podd-state's modules. */
#ifndef PODD_TEST_STATE_FIXTURE_H
#define PODD_TEST_STATE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state.h"

/* cmocka.h (and what it needs) comes first, in the test. */

struct fixture {
	char dir[64];
	char dbdir[128];
	struct state_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	podd_error_t err = NULL;

	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/podd-unit-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->dbdir, sizeof(fx->dbdir), "%s/db", fx->dir);
	fx->ctx.static_dir = fx->dir;
	fx->ctx.tmp_dir = fx->dir;
	if (state_dirs(&fx->ctx, &err) < 0 || state_dirs_make(&fx->ctx, &err) < 0)
		return -1;
	if (db_open(&fx->ctx.db, fx->dbdir, &err) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[160];
	db_close(&fx->ctx.db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx->ctx.locks);
	free(fx);
	return 0;
}

/* What a test chooses of a stored container. */
struct spec {
	Podd__ContainerState state;
	int pid, conmon_pid, exit_code;
	int64_t finished_ns;
	bool autoremove;
};

/* Store a container as the create and update handlers would leave it, with
 * a minimal valid config; one of the same id and name is replaced. */
static __attribute__((unused)) void fixture_put(struct fixture *fx, const char *id,
						const char *name, struct spec s)
{
	Podd__ContainerRecord rec = PODD__CONTAINER_RECORD__INIT;
	Podd__ContainerConfig cfg = PODD__CONTAINER_CONFIG__INIT;
	char *cmd[] = { "/bin/true" };
	podd_error_t err = NULL;
	MDB_txn *txn;

	rec.schema_version = STATE_SCHEMA_VERSION;
	rec.id = (char *)id;
	rec.name = (char *)name;
	rec.state = s.state;
	rec.pid = s.pid;
	rec.conmon_pid = s.conmon_pid;
	rec.exit_code = s.exit_code;
	rec.finished_ns = s.finished_ns;
	cfg.rootfs = "/";
	cfg.cmd = cmd;
	cfg.n_cmd = 1;
	cfg.autoremove = s.autoremove;
	rec.config = &cfg;
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(names_delete_if_ours(txn, &fx->ctx.db, name, id, &err), 0);
	assert_int_equal(names_put(txn, &fx->ctx.db, name, id, &err), 0);
	assert_int_equal(db_put_container(txn, &fx->ctx.db, &rec, 0, &err), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

#endif
