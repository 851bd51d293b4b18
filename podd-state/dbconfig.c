/* db-config: the paths and driver a database was created with are stored on
 * first use and checked on every open, so that one database is never used
 * with another store's files (libpod's DBConfig check). */
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "state.h"

#define DBCONFIG_KEY "dbconfig"

struct field {
	const char *name;
	size_t off;
};

static const struct field fields[] = {
	{ "static dir", offsetof(Podd__DbConfig, static_dir) },
	{ "tmp dir", offsetof(Podd__DbConfig, tmp_dir) },
	{ "graph root", offsetof(Podd__DbConfig, graph_root) },
	{ "run root", offsetof(Podd__DbConfig, run_root) },
	{ "graph driver", offsetof(Podd__DbConfig, graph_driver) },
	{ "volume path", offsetof(Podd__DbConfig, volume_path) },
};

static const char *field_value(const Podd__DbConfig *c, const struct field *f)
{
	return *(const char *const *)((const char *)c + f->off);
}

static int store(MDB_txn *txn, struct state_db *db, const Podd__DbConfig *current,
		 podd_error_t *err)
{
	Podd__DbConfig rec = *current;
	MDB_val key = { strlen(DBCONFIG_KEY), (void *)DBCONFIG_KEY }, val;
	int rc;

	rec.schema_version = STATE_SCHEMA_VERSION;
	val.mv_size = podd__db_config__get_packed_size(&rec);
	val.mv_data = NULL;
	rc = mdb_put(txn, db->meta, &key, &val, MDB_RESERVE);
	if (rc != 0)
		return db_error(err, rc, "store db-config");
	podd__db_config__pack(&rec, val.mv_data);
	return 0;
}

int dbconfig_check_and_store(struct state_ctx *ctx, const Podd__DbConfig *current,
			     podd_error_t *err)
{
	cleanup_txn MDB_txn *txn = NULL;
	MDB_val key = { strlen(DBCONFIG_KEY), (void *)DBCONFIG_KEY }, val;
	Podd__DbConfig *stored;
	int rc;

	/* A read transaction serves every open after the first. */
	rc = mdb_txn_begin(ctx->db.env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	rc = mdb_get(txn, ctx->db.meta, &key, &val);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(steal_pointer(&txn));
		rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
		if (rc != 0)
			return db_error(err, rc, "begin");
		rc = mdb_get(txn, ctx->db.meta, &key, &val);
		if (rc == MDB_NOTFOUND) {
			if (store(txn, &ctx->db, current, err) < 0)
				return -1;
			rc = mdb_txn_commit(steal_pointer(&txn));
			if (rc != 0)
				return db_error(err, rc, "commit db-config");
			podd_info("stored db-config for %s", current->static_dir);
			return 0;
		}
	}
	if (rc != 0)
		return db_error(err, rc, "read db-config");

	stored = podd__db_config__unpack(NULL, val.mv_size, val.mv_data);
	if (stored == NULL)
		return podd_error(err, PODD_E_INTERNAL, "state database: db-config record is corrupt");
	for (size_t i = 0; i < PODD_ARRAY_SIZE(fields); i++) {
		const char *was = field_value(stored, &fields[i]);
		const char *now = field_value(current, &fields[i]);
		if (strcmp(was, now) != 0) {
			podd_error(err, PODD_E_DB_CONFIG_MISMATCH,
				   "database %s \"%s\" does not match our %s \"%s\": "
				   "database configuration mismatch",
				   fields[i].name, was, fields[i].name, now);
			podd__db_config__free_unpacked(stored, NULL);
			return -1;
		}
	}
	podd__db_config__free_unpacked(stored, NULL);
	return 0;
}
