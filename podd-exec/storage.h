/* An image container's root (storage.c: the launcher's mount, unmount and
 * size operations and the worker's calls; vfs_copy.c: the vfs driver). */
#ifndef PODD_EXEC_STORAGE_H
#define PODD_EXEC_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "error.h"
#include "server.h"

/* ids in one SizesRequest (ps --size lists every container). */
#define SIZES_MAX 4096

/* Launcher side. */
int op_mount_rootfs(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int op_unmount_rootfs(struct podd_server *srv, const struct podd_request *req,
		      podd_error_t *err);
int op_rootfs_sizes(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* vfs_copy.c: copy the layer directory open at layer_fd over the tree at
 * dst_fd, applying its overlay whiteouts (a char 0/0 deletes the entry
 * below) and opaque dirs (user.overlay.opaque=y empties the dir below
 * first), keeping owners, modes, times, security.capability and user.*
 * xattrs. No link is followed in either tree; depth is bounded. */
int vfs_copy_layer(int layer_fd, int dst_fd, podd_error_t *err);
/* The same with at most `budget` bytes of file content written (the
 * default: VFS_COPY_BUDGET, as extraction's per-layer limit). Every other
 * name of an inode already copied from this layer is a hard link to the
 * copy, not a copy; a file that is not the regular file first seen when
 * opened (O_NONBLOCK, fstat) is an error, as is a security.capability
 * that cannot be copied. */
#define VFS_COPY_BUDGET (16ULL << 30)
int vfs_copy_layer_budget(int layer_fd, int dst_fd, uint64_t budget, podd_error_t *err);
/* Bytes in the tree at fd (regular files and symlinks, a hardlinked
 * inode once), like podman's SizeRw; -1 on error. */
int64_t tree_size(int fd, int max_depth);
/* The same remembering at most `max_inodes` hardlinked inodes (more: -1);
 * tree_size uses TREE_SIZE_INODES_MAX. */
#define TREE_SIZE_INODES_MAX (1 << 20)
int64_t tree_size_capped(int fd, int max_depth, size_t max_inodes);

/* Worker side. */
/* Mount an image container's root (layers: chain ids, base first) if it
 * is not; *mounted_now says whether this call did. */
int call_mount_rootfs(const char *id, char **layers, size_t nlayers, const char *driver,
		      bool *mounted_now, podd_error_t *err);
int call_unmount_rootfs(const char *id, bool remove, podd_error_t *err);
int handle_sizes(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

#endif
