/* Where each container's files live (exec.h). Ids are checked by every
 * caller before they get here; this refuses anything else again. */
#include <stdbool.h>
#include <stdio.h>

#include "exec.h"
#include "validate.h"

int exec_path(char *buf, size_t size, const char *base, const char *id, const char *leaf)
{
	int n;

	if (!podd_id_valid(id))
		return -1;
	n = snprintf(buf, size, "%s/containers/%s%s%s", base, id, leaf ? "/" : "",
		     leaf ? leaf : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int exec_worker_dirs(struct exec_ctx *c, podd_error_t *err)
{
	const struct {
		bool tmp;
		const char *leaf;
	} dirs[EXEC_DIRS] = {
		{ true, "exits" },
		{ true, "containers" },
		{ true, "socket" },
		{ false, "containers" },
	};

	for (size_t i = 0; i < EXEC_DIRS; i++) {
		int n = snprintf(c->dirs[i], sizeof(c->dirs[i]), "%s/%s",
				 dirs[i].tmp ? c->tmp_dir : c->static_dir, dirs[i].leaf);
		if (n < 0 || (size_t)n >= sizeof(c->dirs[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "directory name too long");
		c->dir_list[i] = c->dirs[i];
	}
	c->dir_list[EXEC_DIRS] = NULL;
	return 0;
}

int exec_log_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id)
{
	return exec_path(buf, size, ctx->static_dir, id, "ctr.log");
}

int exec_exit_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id)
{
	int n;
	if (!podd_id_valid(id))
		return -1;
	n = snprintf(buf, size, "%s/exits/%s", ctx->tmp_dir, id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int exec_session_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id,
		      const char *session, const char *leaf)
{
	int n;

	if (!podd_id_valid(id) || !podd_id_valid(session))
		return -1;
	n = snprintf(buf, size, "%s/containers/%s/exec/%s%s%s", ctx->tmp_dir, id, session,
		     leaf ? "/" : "", leaf ? leaf : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int exec_rootfs_path(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec, char *buf,
		     size_t size)
{
	int n;

	if (rec->config->rootfs[0] != '\0')
		n = snprintf(buf, size, "%s", rec->config->rootfs);
	else if (!podd_id_valid(rec->id))
		return -1;
	else
		n = snprintf(buf, size, "%s/storage/containers/%s/merged", ctx->tmp_dir, rec->id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
