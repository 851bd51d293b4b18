/* OpenRequest: the first request of every session. Opens the LMDB
 * environment, checks (or, the first time, stores) the db-config, and
 * refreshes the containers' state when the machine rebooted (refresh.c). */
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "validate.h"
#include "state.h"

int state_require_open(const struct state_ctx *ctx, podd_error_t *err)
{
	if (!ctx->opened)
		return podd_error(err, PODD_E_PROTOCOL, "request before the database was opened");
	return 0;
}

static int validate_config(const struct state_ctx *ctx, const Podd__DbConfig *c,
			   podd_error_t *err)
{
	if (c == NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "open: no db-config");
	if (podd_validate_abs_path("static dir", c->static_dir, err) < 0 ||
	    podd_validate_abs_path("tmp dir", c->tmp_dir, err) < 0 ||
	    podd_validate_abs_path("graph root", c->graph_root, err) < 0 ||
	    podd_validate_abs_path("run root", c->run_root, err) < 0 ||
	    podd_validate_abs_path("volume path", c->volume_path, err) < 0)
		return -1;
	if (strcmp(c->graph_driver, "overlay") != 0 && strcmp(c->graph_driver, "vfs") != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "unknown storage driver \"%.32s\" (overlay or vfs)", c->graph_driver);
	/* The process was confined to the directories on its command line;
	 * the request must name the same ones. */
	if (strcmp(c->static_dir, ctx->static_dir) != 0 || strcmp(c->tmp_dir, ctx->tmp_dir) != 0)
		return podd_error(err, PODD_E_PROTOCOL, "open: directories differ from podd-state's");
	return 0;
}

int handle_open(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	const Podd__OpenRequest *open_req = (const Podd__OpenRequest *)req->msg;
	Podd__DbInfo info = PODD__DB_INFO__INIT;
	struct refresh_result refreshed;
	cleanup_txn MDB_txn *txn = NULL;
	int rc;

	if (ctx->opened)
		return podd_error(err, PODD_E_PROTOCOL, "database opened twice");
	if (validate_config(ctx, open_req->config, err) < 0)
		return -1;
	if (db_open(&ctx->db, ctx->db_dir, err) < 0)
		return -1;
	if (dbconfig_check_and_store(ctx, open_req->config, err) < 0 ||
	    refresh_if_rebooted(ctx, ctx->boot_id, state_now_ns(), &refreshed, err) < 0) {
		db_close(&ctx->db);
		return -1;
	}
	/* Once per boot, from the podctl that did it. */
	if (refreshed.reset + refreshed.removed > 0)
		podd_info("new boot %s: refreshed the state: %zu containers reset, %zu removed",
			  ctx->boot_id[0] ? ctx->boot_id : "(id unknown)", refreshed.reset,
			  refreshed.removed);
	else if (refreshed.refreshed)
		podd_debug("boot %s: nothing to refresh; alive file written",
			   ctx->boot_id[0] ? ctx->boot_id : "(id unknown)");
	ctx->opened = true;

	rc = mdb_txn_begin(ctx->db.env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (db_count(txn, ctx->db.containers, &info.containers, err) < 0 ||
	    db_count(txn, ctx->db.pods, &info.pods, err) < 0 ||
	    db_count(txn, ctx->db.volumes, &info.volumes, err) < 0)
		return -1;
	info.config = open_req->config;
	info.lmdb_version = (char *)MDB_VERSION_STRING;
	return podd_server_reply(srv, req, PODD__STATE_TYPE__STATE_TYPE_DB_INFO, 0, &info.base,
				 NULL, 0, err);
}
