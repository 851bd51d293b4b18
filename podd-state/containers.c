/* Container records: create, look up, list, rename, remove. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "config_check.h"
#include "log.h"
#include "validate.h"
#include "state.h"

/* Chunk size of a streamed list: well under PODD_FRAME_MAX_PAYLOAD. */
#define LIST_CHUNK_BYTES (96u * 1024u)

static int reply_record(struct podd_server *srv, const struct podd_request *req,
			const Podd__ContainerRecord *rec, podd_error_t *err)
{
	return podd_server_reply(srv, req, PODD__STATE_TYPE__STATE_TYPE_CONTAINER, 0, &rec->base,
				 NULL, 0, err);
}

static int validate_create(const Podd__CreateContainerRequest *r, podd_error_t *err)
{
	if (r->name[0] != '\0' && !podd_name_valid(r->name))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "container name \"%.64s\": names must match "
				  "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
				  r->name);
	if (podd_config_check(r->config, err) < 0)
		return -1;
	return podd_image_source_check(r->config->rootfs, r->image, r->image_id, r->image_layers,
				       r->n_image_layers, r->image_size, err);
}

int64_t state_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int handle_create_container(struct podd_server *srv, const struct podd_request *req,
			    podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__CreateContainerRequest *r = (const Podd__CreateContainerRequest *)req->msg;
	Podd__ContainerRecord rec = PODD__CONTAINER_RECORD__INIT;
	cleanup_txn MDB_txn *txn = NULL;
	char id[PODD_ID_LEN + 1], name[PODD_NAME_MAX + 1];
	int rc;

	if (state_require_open(ctx, err) < 0 || validate_create(r, err) < 0)
		return -1;
	if (podd_id_generate(id, err) < 0)
		return -1;

	rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (r->name[0] != '\0')
		snprintf(name, sizeof(name), "%s", r->name);
	else if (names_generate(txn, &ctx->db, name, sizeof(name), err) < 0)
		return -1;
	if (names_put(txn, &ctx->db, name, id, err) < 0)
		return -1;

	rec.schema_version = STATE_SCHEMA_VERSION;
	rec.id = id;
	rec.name = name;
	rec.created_ns = state_now_ns();
	rec.state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED;
	rec.config = r->config;
	rec.image = r->image;
	rec.image_id = r->image_id;
	rec.image_layers = r->image_layers;
	rec.n_image_layers = r->n_image_layers;
	rec.image_size = r->image_size;
	/* A 256-bit random id never collides in practice; NOOVERWRITE makes
	 * sure a collision fails rather than replaces. */
	if (db_put_container(txn, &ctx->db, &rec, MDB_NOOVERWRITE, err) < 0)
		return -1;
	rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0)
		return db_error(err, rc, "commit container %s", id);
	podd_debug("created container %s (%s)", id, name);
	return reply_record(srv, req, &rec, err);
}

int handle_lookup(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__LookupRequest *r = (const Podd__LookupRequest *)req->msg;
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_record Podd__ContainerRecord *rec = NULL;
	char id[PODD_ID_LEN + 1];
	int rc;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (r->name_or_id[0] == '\0' || strlen(r->name_or_id) > PODD_NAME_MAX)
		return podd_error(err, PODD_E_NO_SUCH_CONTAINER,
				  "no container with name or ID \"%.64s\" found: no such container",
				  r->name_or_id);
	rc = mdb_txn_begin(ctx->db.env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (names_resolve_container(txn, &ctx->db, r->name_or_id, id, err) < 0 ||
	    db_get_container(txn, &ctx->db, id, &rec, err) < 0)
		return -1;
	return reply_record(srv, req, rec, err);
}

struct list_reply {
	struct podd_server *srv;
	const struct podd_request *req;
	bool all;
};

static bool listed(const ProtobufCMessage *m, void *arg)
{
	const Podd__ContainerRecord *rec = (const Podd__ContainerRecord *)m;
	const struct list_reply *lr = arg;
	return lr->all || rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING;
}

static int send_container_chunk(void *arg, ProtobufCMessage **items, size_t n, bool more,
				podd_error_t *err)
{
	struct list_reply *lr = arg;
	Podd__ContainerList list = PODD__CONTAINER_LIST__INIT;
	list.n_containers = n;
	list.containers = (Podd__ContainerRecord **)items;
	return podd_server_reply(lr->srv, lr->req, PODD__STATE_TYPE__STATE_TYPE_CONTAINER_LIST,
				 more ? PODD_FRAME_MORE : 0, &list.base, NULL, 0, err);
}

int handle_list(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__ListRequest *r = (const Podd__ListRequest *)req->msg;
	struct list_reply lr = { srv, req, r->all };

	if (state_require_open(ctx, err) < 0)
		return -1;
	return db_list(&ctx->db, ctx->db.containers, &podd__container_record__descriptor,
		       "containers", LIST_CHUNK_BYTES, listed, send_container_chunk, &lr, err);
}

/* Release a lock taken for one request. A lock the session took before
 * (LockRequest) stays held, unless the object is gone. */
static void release_request_lock(struct state_ctx *ctx, const char *id, bool taken_here,
				 bool object_gone)
{
	if (taken_here || object_gone)
		locks_release(ctx, id, object_gone, NULL);
}

int handle_remove(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__RemoveRequest *r = (const Podd__RemoveRequest *)req->msg;
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_record Podd__ContainerRecord *rec = NULL;
	bool taken_here;
	MDB_val key;
	int rc;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "remove: \"%.64s\" is not a full id",
				  r->id);
	taken_here = !locks_held(ctx, r->id);
	if (locks_acquire(ctx, r->id, err) < 0)
		return -1;

	rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
	if (rc != 0) {
		release_request_lock(ctx, r->id, taken_here, false);
		return db_error(err, rc, "begin");
	}
	if (db_get_container(txn, &ctx->db, r->id, &rec, err) < 0) {
		release_request_lock(ctx, r->id, taken_here,
				     (*err)->code == PODD_E_NO_SUCH_CONTAINER);
		return -1;
	}
	if (names_delete_if_ours(txn, &ctx->db, rec->name, r->id, err) < 0) {
		release_request_lock(ctx, r->id, taken_here, false);
		return -1;
	}
	key.mv_size = PODD_ID_LEN;
	key.mv_data = r->id;
	rc = mdb_del(txn, ctx->db.containers, &key, NULL);
	if (rc == 0)
		rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0) {
		release_request_lock(ctx, r->id, taken_here, false);
		return db_error(err, rc, "remove container %s", r->id);
	}
	release_request_lock(ctx, r->id, taken_here, true);
	podd_debug("removed container %s", r->id);
	return podd_server_reply_ok(srv, req, err);
}

int handle_rename(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__RenameRequest *r = (const Podd__RenameRequest *)req->msg;
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_record Podd__ContainerRecord *rec = NULL;
	char id[PODD_ID_LEN + 1];
	char *old_name;
	int rc;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (!podd_name_valid(r->new_name))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "container name \"%.64s\": names must match "
				  "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
				  r->new_name);
	rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (names_resolve_container(txn, &ctx->db, r->name_or_id, id, err) < 0 ||
	    db_get_container(txn, &ctx->db, id, &rec, err) < 0)
		return -1;
	if (strcmp(rec->name, r->new_name) == 0)
		return reply_record(srv, req, rec, err);
	if (names_put(txn, &ctx->db, r->new_name, id, err) < 0 ||
	    names_delete_if_ours(txn, &ctx->db, rec->name, id, err) < 0)
		return -1;
	/* rec owns its strings; borrow the request's new name only while the
	 * record is written and sent back. */
	old_name = rec->name;
	rec->name = r->new_name;
	rc = db_put_container(txn, &ctx->db, rec, 0, err);
	if (rc == 0) {
		rc = mdb_txn_commit(steal_pointer(&txn));
		if (rc != 0)
			rc = db_error(err, rc, "commit rename of %s", id);
	}
	if (rc == 0)
		rc = reply_record(srv, req, rec, err);
	rec->name = old_name;
	return rc;
}

int handle_lock(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__LockRequest *r = (const Podd__LockRequest *)req->msg;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "lock: \"%.64s\" is not a full id",
				  r->id);
	if (locks_acquire(ctx, r->id, err) < 0)
		return -1;
	/* The container may have been removed while we waited for its lock:
	 * a lock guarding nothing is dropped with its file, which a later
	 * waiter notices by its inode (locks.c). */
	{
		cleanup_txn MDB_txn *txn = NULL;
		cleanup_record Podd__ContainerRecord *rec = NULL;
		int rc = mdb_txn_begin(ctx->db.env, NULL, MDB_RDONLY, &txn);
		if (rc != 0) {
			locks_release(ctx, r->id, false, NULL);
			return db_error(err, rc, "begin");
		}
		if (db_get_container(txn, &ctx->db, r->id, &rec, err) < 0) {
			locks_release(ctx, r->id, (*err)->code == PODD_E_NO_SUCH_CONTAINER, NULL);
			return -1;
		}
	}
	return podd_server_reply_ok(srv, req, err);
}

int handle_unlock(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__LockRequest *r = (const Podd__LockRequest *)req->msg;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "unlock: \"%.64s\" is not a full id",
				  r->id);
	if (locks_release(ctx, r->id, false, err) < 0)
		return -1;
	return podd_server_reply_ok(srv, req, err);
}

static bool state_valid(Podd__ContainerState s)
{
	switch (s) {
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_REMOVING:
		return true;
	default:
		return false;
	}
}

int container_exec_ids_set(Podd__ContainerRecord *rec, char *const *ids, size_t n,
			   podd_error_t *err)
{
	char **copy = NULL;

	if (ids && n > 0) {
		copy = calloc(n, sizeof(char *));
		if (copy == NULL)
			return podd_error_sys(err, ENOMEM, "exec ids");
		for (size_t i = 0; i < n; i++)
			if ((copy[i] = strdup(ids[i])) == NULL) {
				while (i > 0)
					free(copy[--i]);
				free(copy);
				return podd_error_sys(err, ENOMEM, "exec ids");
			}
	}
	for (size_t i = 0; i < rec->n_exec_ids; i++)
		free(rec->exec_ids[i]);
	free(rec->exec_ids);
	rec->exec_ids = copy;
	rec->n_exec_ids = copy ? n : 0;
	return 0;
}

/* The runtime half of a record changes only under the container's lock,
 * held by this session: two podctl processes never interleave their
 * read-modify-write of one container. */
int handle_update(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__UpdateContainerRequest *r = (const Podd__UpdateContainerRequest *)req->msg;
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_record Podd__ContainerRecord *rec = NULL;
	int rc;

	if (state_require_open(ctx, err) < 0)
		return -1;
	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "update: \"%.64s\" is not a full id",
				  r->id);
	if (!state_valid(r->state) || r->pid < 0 || r->conmon_pid < 0 || r->exit_code < -1 ||
	    r->exit_code > 255 ||
	    (r->exit_code == -1 && r->state != PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED) || r->started_ns < 0 || r->finished_ns < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "update of %s: invalid values",
				  r->id);
	if (r->n_exec_ids > PODD_EXEC_IDS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "update of %s: more than %d exec ids",
				  r->id, PODD_EXEC_IDS_MAX);
	for (size_t i = 0; i < r->n_exec_ids; i++)
		if (!podd_id_valid(r->exec_ids[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "update of %s: an invalid exec id", r->id);
	if (!locks_held(ctx, r->id))
		return podd_error(err, PODD_E_NOT_PERMITTED,
				  "update of %s without holding its lock", r->id);
	rc = mdb_txn_begin(ctx->db.env, NULL, 0, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (db_get_container(txn, &ctx->db, r->id, &rec, err) < 0)
		return -1;
	rec->state = r->state;
	rec->pid = r->pid;
	rec->conmon_pid = r->conmon_pid;
	rec->exit_code = r->exit_code;
	rec->started_ns = r->started_ns;
	rec->finished_ns = r->finished_ns;
	rec->oom_killed = r->oom_killed;
	/* Exec sessions live in a running (or paused) container only. */
	if (container_exec_ids_set(rec,
				   r->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING ||
					   r->state == PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED
				   ? r->exec_ids : NULL,
				   r->n_exec_ids, err) < 0)
		return -1;
	if (db_put_container(txn, &ctx->db, rec, 0, err) < 0)
		return -1;
	rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0)
		return db_error(err, rc, "commit update of %s", r->id);
	return reply_record(srv, req, rec, err);
}
