/* podd-state's directories: where it writes, and the whole of its Landlock
 * grant (docs/SECURITY.md). Not the static and tmp dirs themselves: runc's
 * state (<tmp>/runtime, whose hooks runc runs as root at delete), the
 * image store and the containers' runtime files are other processes'. */
#include <stdio.h>

#include "helper.h"
#include "state.h"

int state_dirs(struct state_ctx *ctx, podd_error_t *err)
{
	const struct {
		char *buf;
		const char *base, *leaf;
	} dirs[STATE_DIRS] = {
		/* The LMDB environment. */
		{ ctx->db_dir, ctx->static_dir, "db" },
		/* Per-object lock files (locks.c). */
		{ ctx->lock_dir, ctx->tmp_dir, "locks" },
		/* The alive file, its temporary and its lock (refresh.c). */
		{ ctx->boot_dir, ctx->tmp_dir, "boot" },
		/* A reboot refresh removes a leftover --rm container's files
		 * and its upper and work dirs (refresh.c). */
		{ ctx->ctr_dir, ctx->static_dir, "containers" },
		{ ctx->ctr_storage_dir, ctx->static_dir, "storage/containers" },
	};

	for (size_t i = 0; i < STATE_DIRS; i++) {
		int n = snprintf(dirs[i].buf, STATE_PATH_MAX, "%s/%s", dirs[i].base, dirs[i].leaf);
		if (n < 0 || n >= STATE_PATH_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "directory name too long: %s",
					  dirs[i].base);
		ctx->dir_list[i] = dirs[i].buf;
	}
	ctx->dir_list[STATE_DIRS] = NULL;
	return 0;
}

int state_dirs_make(const struct state_ctx *ctx, podd_error_t *err)
{
	for (size_t i = 0; i < STATE_DIRS; i++)
		if (podd_mkdir_p(ctx->dir_list[i], err) < 0)
			return -1;
	return 0;
}
