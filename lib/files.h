/* Small files in a helper's own directories (files.c). */
#ifndef PODD_FILES_H
#define PODD_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Write `path` whole: a temporary beside it, then rename(2), so a reader
 * sees the old content or the new, never a part. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      podd_error_t *err);

/* Read all of `path` into a NUL-terminated *out (the caller frees it);
 * larger than `max` bytes, or text with a NUL byte in it, is an error. */
int read_file_limited(const char *path, size_t max, char **out, podd_error_t *err);
/* The same for an open descriptor; `path` names it in errors. */
int read_fd_limited(int fd, const char *path, size_t max, char **out, podd_error_t *err);

/* An executable regular file that only root may change (owned by root,
 * writable by neither group nor others): what podd may run with every
 * capability (podd-exec's launcher) and takes as an OCI runtime's path. */
bool program_trusted(const char *path);

/* Remove `path` and everything beneath it without following symlinks; a
 * missing path is not an error. */
int remove_tree(const char *path, podd_error_t *err);

/* The same for `name` in parent_dirfd, for trees deeper than remove_tree's
 * 16 levels (image layers): one descriptor is open per level, so
 * max_depth bounds them. */
int remove_tree_at(int parent_dirfd, const char *name, int max_depth, podd_error_t *err);

#endif
