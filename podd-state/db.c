/* The LMDB environment: one file in <static dir>/db, a named database per
 * record kind. Every state change is one write transaction, so kill -9 at
 * any point leaves either the old or the new state. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "state.h"

/* Address space only: LMDB maps this much and writes what it uses. */
#define DB_MAP_SIZE (4ULL << 30)
#define DB_MAX_READERS 1024

int db_error(podd_error_t *err, int rc, const char *fmt, ...)
{
	char ctx[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	return podd_error(err, PODD_E_INTERNAL,
			  "state database: %s: %s", ctx, mdb_strerror(rc));
}

int db_open(struct state_db *db, const char *dir, podd_error_t *err)
{
	static const struct {
		const char *name;
		size_t off;
	} dbs[] = {
		{ "containers", offsetof(struct state_db, containers) },
		{ "names", offsetof(struct state_db, names) },
		{ "pods", offsetof(struct state_db, pods) },
		{ "volumes", offsetof(struct state_db, volumes) },
		{ "networks", offsetof(struct state_db, networks) },
		{ "images", offsetof(struct state_db, images) },
		{ "image_names", offsetof(struct state_db, image_names) },
		{ "meta", offsetof(struct state_db, meta) },
	};
	cleanup_txn MDB_txn *txn = NULL;
	int rc, dead = 0;

	rc = mdb_env_create(&db->env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(db->env, DB_MAP_SIZE);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(db->env, 16);
	if (rc == 0)
		rc = mdb_env_set_maxreaders(db->env, DB_MAX_READERS);
	/* MDB_NOMETASYNC: one fsync per commit instead of two. A power cut
	 * may lose the last committed transaction, never the database's
	 * integrity; kill -9 loses nothing (tests/system/test_crash.sh). */
	if (rc == 0)
		rc = mdb_env_open(db->env, dir, MDB_NOTLS | MDB_NOMETASYNC, 0600);
	if (rc != 0)
		return db_error(err, rc, "open %s", dir);

	/* Reader slots of processes killed mid-read would pin old pages
	 * forever; clear them on every open. */
	rc = mdb_reader_check(db->env, &dead);
	if (rc != 0)
		return db_error(err, rc, "check stale readers");
	if (dead > 0)
		podd_info("cleared %d stale database readers", dead);

	rc = mdb_txn_begin(db->env, NULL, 0, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	for (size_t i = 0; i < PODD_ARRAY_SIZE(dbs); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)db + dbs[i].off);
		rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE, dbi);
		if (rc != 0)
			return db_error(err, rc, "open table %s", dbs[i].name);
	}
	rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0)
		return db_error(err, rc, "commit");
	return 0;
}

void db_close(struct state_db *db)
{
	if (db->env)
		mdb_env_close(db->env);
	db->env = NULL;
}

int db_get_container(MDB_txn *txn, struct state_db *db, const char *id,
		     Podd__ContainerRecord **out, podd_error_t *err)
{
	MDB_val key = { strlen(id), (void *)id }, val;
	int rc;

	*out = NULL;
	rc = mdb_get(txn, db->containers, &key, &val);
	if (rc == MDB_NOTFOUND)
		return podd_error(err, PODD_E_NO_SUCH_CONTAINER,
				  "no container with ID \"%s\" found: no such container", id);
	if (rc != 0)
		return db_error(err, rc, "read container %s", id);
	return db_decode_container(&val, id, out, err);
}

int db_decode_container(const MDB_val *val, const char *id, Podd__ContainerRecord **out,
			podd_error_t *err)
{
	Podd__ContainerRecord *rec;

	*out = NULL;
	rec = podd__container_record__unpack(NULL, val->mv_size, val->mv_data);
	/* A record stored under another id than its own would let a lookup
	 * of one container act on another. */
	if (rec != NULL && strcmp(rec->id, id) != 0) {
		podd__container_record__free_unpacked(rec, NULL);
		rec = NULL;
	}
	if (rec == NULL)
		return podd_error(err, PODD_E_INTERNAL,
				  "state database: record of container %s is corrupt", id);
	if (rec->schema_version != STATE_SCHEMA_VERSION) {
		unsigned v = rec->schema_version;
		podd__container_record__free_unpacked(rec, NULL);
		return podd_error(err, PODD_E_INTERNAL,
				  "state database: container %s has schema version %u, "
				  "this podd knows %u",
				  id, v, STATE_SCHEMA_VERSION);
	}
	*out = rec;
	return 0;
}

int db_put_container(MDB_txn *txn, struct state_db *db, const Podd__ContainerRecord *rec,
		     unsigned flags, podd_error_t *err)
{
	MDB_val key = { strlen(rec->id), rec->id }, val;
	size_t len = podd__container_record__get_packed_size(rec);
	int rc;

	/* MDB_RESERVE: pack straight into the database page. */
	val.mv_size = len;
	val.mv_data = NULL;
	rc = mdb_put(txn, db->containers, &key, &val, flags | MDB_RESERVE);
	if (rc != 0)
		return db_error(err, rc, "write container %s", rec->id);
	podd__container_record__pack(rec, val.mv_data);
	return 0;
}

int db_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *count, podd_error_t *err)
{
	MDB_stat st;
	int rc = mdb_stat(txn, dbi, &st);
	if (rc != 0)
		return db_error(err, rc, "stat");
	*count = st.ms_entries;
	return 0;
}

struct db_chunk {
	ProtobufCMessage **items;
	size_t n, cap, bytes;
};

static void db_chunk_clear(struct db_chunk *c)
{
	for (size_t i = 0; i < c->n; i++)
		protobuf_c_message_free_unpacked(c->items[i], NULL);
	c->n = 0;
	c->bytes = 0;
}

static void db_chunk_free(struct db_chunk *c)
{
	db_chunk_clear(c);
	free(c->items);
}

static void db_cursor_closep(MDB_cursor **c)
{
	if (*c)
		mdb_cursor_close(*c);
	*c = NULL;
}

/* One read transaction for the whole list, so that a list is a snapshot;
 * chunks are sent while it is open, which only pins old pages until the
 * last one is out. */
int db_list(struct state_db *db, MDB_dbi dbi, const ProtobufCMessageDescriptor *desc,
	    const char *what, size_t chunk_bytes, db_keep_fn keep, db_chunk_fn send, void *arg,
	    podd_error_t *err)
{
	__attribute__((cleanup(db_chunk_free))) struct db_chunk chunk = { 0 };
	__attribute__((cleanup(db_cursor_closep))) MDB_cursor *cur = NULL;
	cleanup_txn MDB_txn *txn = NULL;
	MDB_val key, val;
	int rc, r;

	rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return db_error(err, rc, "list %s", what);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		ProtobufCMessage *rec = protobuf_c_message_unpack(desc, NULL, val.mv_size,
								  val.mv_data);
		if (rec == NULL) {
			podd_warn("skipping corrupt record %.*s in %s", (int)key.mv_size,
				  (const char *)key.mv_data, what);
			continue;
		}
		if (keep && !keep(rec, arg)) {
			protobuf_c_message_free_unpacked(rec, NULL);
			continue;
		}
		if (chunk.n > 0 && chunk.bytes + val.mv_size + 8 > chunk_bytes) {
			r = send(arg, chunk.items, chunk.n, true, err);
			db_chunk_clear(&chunk);
			if (r < 0) {
				protobuf_c_message_free_unpacked(rec, NULL);
				return -1;
			}
		}
		if (chunk.n == chunk.cap) {
			size_t cap = chunk.cap ? chunk.cap * 2 : 64;
			ProtobufCMessage **grown = realloc(chunk.items, cap * sizeof(*grown));
			if (grown == NULL) {
				protobuf_c_message_free_unpacked(rec, NULL);
				return podd_error_sys(err, ENOMEM, "list %s", what);
			}
			chunk.items = grown;
			chunk.cap = cap;
		}
		chunk.items[chunk.n++] = rec;
		/* 8: a generous bound on the field tag and length prefix each
		 * record adds inside the list message. */
		chunk.bytes += val.mv_size + 8;
	}
	if (rc != MDB_NOTFOUND)
		return db_error(err, rc, "list %s", what);
	r = send(arg, chunk.items, chunk.n, false, err);
	db_chunk_clear(&chunk);
	return r;
}
