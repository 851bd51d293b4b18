/* podd-state's shared context. */
#ifndef PODD_STATE_H
#define PODD_STATE_H

#include <lmdb.h>
#include <stdbool.h>

#include "error.h"
#include "records.h"
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
	MDB_dbi images;      /* id -> ImageRecord */
	MDB_dbi image_names; /* image name -> NameRecord (OBJECT_KIND_IMAGE) */
	MDB_dbi meta;
};

struct state_lock {
	char id[65];
	int fd;
};

/* /proc/sys/kernel/random/boot_id: 36 characters. */
#define STATE_BOOT_ID_MAX 36

#define STATE_PATH_MAX 4096
#define STATE_DIRS 5

struct state_ctx {
	const char *static_dir;
	const char *tmp_dir;
	/* This boot's id, read before the sandbox closed; "" if unknown. */
	char boot_id[STATE_BOOT_ID_MAX + 1];
	/* Whether <tmp>/alive, where podd kept the alive file before
	 * <tmp>/boot (until 2026-11), names this boot: read before the
	 * sandbox, which leaves the tmp dir itself out of reach. */
	bool old_alive_current;
	/* state_dirs: <static>/db, <tmp>/locks, <tmp>/boot,
	 * <static>/containers, <static>/storage/containers. */
	char db_dir[STATE_PATH_MAX];
	char lock_dir[STATE_PATH_MAX];
	char boot_dir[STATE_PATH_MAX];
	char ctr_dir[STATE_PATH_MAX];
	char ctr_storage_dir[STATE_PATH_MAX];
	const char *dir_list[STATE_DIRS + 1];
	bool opened;
	struct state_db db;
	/* Locks this session holds; released on exit with the descriptors. */
	struct state_lock *locks;
	size_t nlocks;
};

/* dirs.c: the directories above from static_dir and tmp_dir, and
 * dir_list, podd-state's Landlock grant; state_dirs_make makes them. */
int state_dirs(struct state_ctx *ctx, podd_error_t *err);
int state_dirs_make(const struct state_ctx *ctx, podd_error_t *err);

/* db.c */
int db_open(struct state_db *db, const char *dir, podd_error_t *err);
void db_close(struct state_db *db);
int db_error(podd_error_t *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int db_get_container(MDB_txn *txn, struct state_db *db, const char *id,
		     Podd__ContainerRecord **out, podd_error_t *err);
/* Unpack the value stored under `id`; one of another id or schema version
 * is an error. */
int db_decode_container(const MDB_val *val, const char *id, Podd__ContainerRecord **out,
			podd_error_t *err);
int db_put_container(MDB_txn *txn, struct state_db *db, const Podd__ContainerRecord *rec,
		     unsigned flags, podd_error_t *err);
int db_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *count, podd_error_t *err);
/* Every record of table `dbi`, unpacked with `desc`, that keep() (NULL:
 * all) accepts, handed to send() in chunks of about chunk_bytes of
 * records, `more` set on all but the last (an empty last chunk when there
 * is nothing). Records that do not unpack are skipped with a warning;
 * `what` names the table in messages. The items are the records' bases:
 * send() casts them to its record type, as protobuf-c's own repeated
 * fields are used. */
typedef bool (*db_keep_fn)(const ProtobufCMessage *rec, void *arg);
typedef int (*db_chunk_fn)(void *arg, ProtobufCMessage **items, size_t n, bool more,
			   podd_error_t *err);
int db_list(struct state_db *db, MDB_dbi dbi, const ProtobufCMessageDescriptor *desc,
	    const char *what, size_t chunk_bytes, db_keep_fn keep, db_chunk_fn send, void *arg,
	    podd_error_t *err);

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

/* refresh.c: the reboot refresh (docs/ARCHITECTURE.md, "State"). */
struct refresh_result {
	bool refreshed; /* false: the alive file named this boot already */
	size_t reset;   /* records whose runtime half was reset */
	size_t removed; /* leftover --rm and half-removed containers removed */
};

/* This boot's id into out ("" if it cannot be read); call it before the
 * sandbox closes, which keeps /proc out of reach. */
void refresh_read_boot_id(char out[STATE_BOOT_ID_MAX + 1]);

/* Whether <tmp>/alive (the alive file's place until 2026-11) names
 * `boot_id`; call it before the sandbox closes. */
bool refresh_old_alive_current(const char *tmp_dir, const char *boot_id);

/* When <tmp>/boot/alive is missing or names another boot than `boot_id`
 * (and ctx->old_alive_current does not say this boot was refreshed),
 * reset every container as after a reboot, in one transaction under
 * <tmp>/boot/alive.lock, then write the alive file. `now_ns` stands in
 * for an exit time nobody recorded. */
int refresh_if_rebooted(struct state_ctx *ctx, const char *boot_id, int64_t now_ns,
			struct refresh_result *res, podd_error_t *err);

/* containers.c */
int64_t state_now_ns(void);
/* rec's exec_ids replaced by a copy of ids[0..n) (none when ids is NULL);
 * the strings it had are freed (protobuf-c's allocator is malloc's). */
int container_exec_ids_set(Podd__ContainerRecord *rec, char *const *ids, size_t n,
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

/* images.c: image records and their names. Each change is one write
 * transaction of its own; *out is the record as stored after it (free with
 * image_record_freep). Lookup order: docs/ARCHITECTURE.md, "Images". */
int images_resolve(MDB_txn *txn, struct state_db *db, const char *name_or_id, char id[65],
		   podd_error_t *err);
int images_get(MDB_txn *txn, struct state_db *db, const char *id, Podd__ImageRecord **out,
	       podd_error_t *err);
/* Every field of a received record, before anything is stored. */
int image_record_check(const Podd__ImageRecord *rec, podd_error_t *err);
int images_create(struct state_db *db, const Podd__ImageRecord *in, Podd__ImageRecord **out,
		  podd_error_t *err);
int images_tag(struct state_db *db, const char *name_or_id, const char *name,
	       Podd__ImageRecord **out, podd_error_t *err);
int images_untag(struct state_db *db, const char *name_or_id, const char *name,
		 Podd__ImageRecord **out, podd_error_t *err);
/* *out: the removed record, for podctl's "Untagged:"/"Deleted:" lines. */
int images_remove(struct state_db *db, const char *name_or_id, bool force,
		  Podd__ImageRecord **out, podd_error_t *err);
/* Every image record, through db_list(). */
int images_list(struct state_db *db, size_t chunk_bytes, db_chunk_fn send, void *arg,
		podd_error_t *err);

int handle_create_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err);
int handle_lookup_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err);
int handle_list_images(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err);
int handle_remove_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err);
int handle_tag_image(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_untag_image(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err);

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
