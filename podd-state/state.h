/* podd-state's shared context. */
#ifndef PODD_STATE_H
#define PODD_STATE_H

#include <lmdb.h>
#include <stdbool.h>

#include "error.h"
#include "server.h"
#include "state.pb-c.h"

#define STATE_SCHEMA_VERSION 1u

struct state_db {
	MDB_env *env;
	MDB_dbi containers;
	MDB_dbi names;
	MDB_dbi pods;
	MDB_dbi volumes;
	MDB_dbi networks;
	MDB_dbi images;
	MDB_dbi meta;
};

struct state_lock {
	char id[65];
	int fd;
};

struct state_ctx {
	const char *static_dir;
	const char *tmp_dir;
	char db_dir[4096];
	char lock_dir[4096];
	bool opened;
	struct state_db db;
	/* Locks this session holds; released on exit with the descriptors. */
	struct state_lock *locks;
	size_t nlocks;
};

/* db.c */
int db_open(struct state_db *db, const char *dir, podd_error_t *err);
void db_close(struct state_db *db);
int db_error(podd_error_t *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int db_get_container(MDB_txn *txn, struct state_db *db, const char *id,
		     Podd__ContainerRecord **out, podd_error_t *err);
int db_put_container(MDB_txn *txn, struct state_db *db, const Podd__ContainerRecord *rec,
		     unsigned flags, podd_error_t *err);
int db_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *count, podd_error_t *err);

/* dbconfig.c */
int dbconfig_check_and_store(struct state_ctx *ctx, const Podd__DbConfig *current,
			     podd_error_t *err);

/* names.c */
int names_generate(MDB_txn *txn, struct state_db *db, char *out, size_t size, podd_error_t *err);
/* Resolve a full id, a name or a unique id prefix to a full container id. */
int names_resolve_container(MDB_txn *txn, struct state_db *db, const char *name_or_id,
			    char id[65], podd_error_t *err);

/* Claim `name` for container `id`; NAME_IN_USE if anything holds it. */
int names_put(MDB_txn *txn, struct state_db *db, const char *name, const char *id,
	      podd_error_t *err);
/* Drop `name` if it points at `id` (a name never points at a missing id). */
int names_delete_if_ours(MDB_txn *txn, struct state_db *db, const char *name, const char *id,
			 podd_error_t *err);

/* locks.c */
int locks_acquire(struct state_ctx *ctx, const char *id, podd_error_t *err);
int locks_release(struct state_ctx *ctx, const char *id, bool unlink_file, podd_error_t *err);
bool locks_held(const struct state_ctx *ctx, const char *id);

/* Request handlers (dispatch table in main.c). */
int handle_open(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_create_container(struct podd_server *srv, const struct podd_request *req,
			    podd_error_t *err);
int handle_lookup(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_list(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_remove(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_update(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_rename(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_lock(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_unlock(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* Every handler but OPEN runs only on an opened database. */
int state_require_open(const struct state_ctx *ctx, podd_error_t *err);

static inline void txn_abortp(MDB_txn **t)
{
	if (*t)
		mdb_txn_abort(*t);
	*t = NULL;
}
#define cleanup_txn __attribute__((cleanup(txn_abortp)))

#endif
