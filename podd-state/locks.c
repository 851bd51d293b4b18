/* Per-object locks: flock(2) on <tmp dir>/locks/<id>. No count limit (a
 * file per object, unlike libpod's fixed pool) and the kernel releases a
 * lock when its holder dies. The session that takes a lock keeps it until
 * it unlocks or exits; podctl's session is this process's lifetime. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "state.h"

bool locks_held(const struct state_ctx *ctx, const char *id)
{
	for (size_t i = 0; i < ctx->nlocks; i++)
		if (strcmp(ctx->locks[i].id, id) == 0)
			return true;
	return false;
}

int locks_acquire(struct state_ctx *ctx, const char *id, podd_error_t *err)
{
	char path[4096 + 80];
	struct state_lock *grown;

	if (locks_held(ctx, id))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", ctx->lock_dir, id);
	for (;;) {
		cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		struct stat held, now;
		if (fd < 0)
			return podd_error_sys(err, errno, "lock %s", id);
		if (flock(fd, LOCK_EX) < 0)
			return podd_error_sys(err, errno, "lock %s", id);
		/* The holder before us may have removed the object and unlinked
		 * the file while we waited: then our lock guards nothing. */
		if (fstat(fd, &held) < 0)
			return podd_error_sys(err, errno, "lock %s", id);
		if (stat(path, &now) < 0 || now.st_ino != held.st_ino || now.st_dev != held.st_dev)
			continue;
		grown = realloc(ctx->locks, (ctx->nlocks + 1) * sizeof(*ctx->locks));
		if (grown == NULL)
			return podd_error_sys(err, ENOMEM, "lock %s", id);
		ctx->locks = grown;
		memcpy(ctx->locks[ctx->nlocks].id, id, 65);
		ctx->locks[ctx->nlocks].fd = move_fd(&fd);
		ctx->nlocks++;
		return 0;
	}
}

int locks_release(struct state_ctx *ctx, const char *id, bool unlink_file, podd_error_t *err)
{
	for (size_t i = 0; i < ctx->nlocks; i++) {
		if (strcmp(ctx->locks[i].id, id) != 0)
			continue;
		if (unlink_file) {
			char path[4096 + 80];
			snprintf(path, sizeof(path), "%s/%s", ctx->lock_dir, id);
			/* Unlinked while still held: a waiter notices the new inode. */
			if (unlink(path) < 0 && errno != ENOENT)
				podd_warn("remove lock file %s: %s", path, strerror(errno));
		}
		close(ctx->locks[i].fd);
		ctx->locks[i] = ctx->locks[--ctx->nlocks];
		return 0;
	}
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "lock %s is not held", id);
}
