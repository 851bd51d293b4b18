/* An image container's root: the storage driver and the overlay mount's
 * options (overlay_opts.c, pure; the mount itself is storage.c). */
#ifndef PODD_EXEC_OVERLAY_OPTS_H
#define PODD_EXEC_OVERLAY_OPTS_H

#include <stddef.h>

#include "error.h"

/* mount(2) copies at most one page of option data. */
#define OVERLAY_OPTS_MAX 4096

enum storage_driver { STORAGE_OVERLAY, STORAGE_VFS };

/* "" or "overlay", or "vfs"; anything else is an error. */
int overlay_driver_parse(const char *s, enum storage_driver *out, podd_error_t *err);

/* 1 to PODD_IMAGE_LAYERS_MAX chain ids of 64 lowercase hex digits. */
int overlay_layers_check(char *const *chain_ids, size_t n, podd_error_t *err);

/* The mount data for overlay: lower_fds base first (as chain ids come),
 * written top first; upper and work as descriptors too; userxattr. Fails
 * when the string would not fit in `size` (at most OVERLAY_OPTS_MAX). */
int overlay_opts_build(const int *lower_fds, size_t n, int upper_fd, int work_fd, char *out,
		       size_t size, podd_error_t *err);

#endif
