/* An image container's root filesystem: both sides of the launcher's
 * MountRootfs, UnmountRootfs and RootfsSizes operations.
 *
 *   <static>/storage/layers/<chain id>/diff   the image's layers (podd-image)
 *   <static>/storage/containers/<id>/upper    the container's changes
 *   <static>/storage/containers/<id>/work     overlay's work dir
 *   <static>/storage/containers/<id>/vfs      marker: upper is a whole copy
 *   <tmp>/storage/containers/<id>/merged      the root, mounted here
 *
 * The worker is untrusted input to the launcher: it sends only a container
 * id, chain ids (each 64 hex digits, so a single path component) and a
 * driver name. Every directory is reached with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) from the launcher's own
 * static or tmp dir, and the mount and umount calls name those open
 * descriptors through /proc/self/fd, so a symlink the worker (which may
 * write both trees) planted anywhere on the way is never followed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_check.h"
#include "client.h"
#include "launcher.h"
#include "launcher_ops.h"
#include "log.h"
#include "overlay_opts.h"
#include "storage.h"
#include "pin.h"
#include "validate.h"
#include "worker.h"

#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
/* Upper dirs hold whatever the container wrote: deep trees are removed one
 * descriptor per level, bounded. */
#define STORAGE_TREE_DEPTH 512

static int open_beneath(int dirfd, const char *path, int flags, podd_error_t *err)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = BENEATH };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	return fd;
}

/* The launcher's own directories: absolute paths it was started with; no
 * symlink followed (the worker can write beneath them, not above). */
static int open_base(const char *base, const char *sub, podd_error_t *err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", base, sub);
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	return fd;
}

/* mkdir `name` in dirfd (a single component, never a link), then open it. */
static int mkdir_open(int dirfd, const char *name, podd_error_t *err)
{
	if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "mkdir %s", name);
	return open_beneath(dirfd, name, O_PATH | O_DIRECTORY, err);
}

/* base/a/b/c, each level created (0700) and opened without links. */
static int mkdirs_open(const char *base, const char *const *names, size_t n, podd_error_t *err)
{
	cleanup_close int fd = -1;

	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "mkdir %s", base);
	fd = open_base(base, ".", err);
	for (size_t i = 0; fd >= 0 && i < n; i++) {
		int next = mkdir_open(fd, names[i], err);
		podd_closep(&fd);
		fd = next;
	}
	return fd < 0 ? -1 : move_fd(&fd);
}

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* Is the directory open at fd the root of a mount (our merged mount)? */
static bool is_mount_root(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static bool dir_empty(int dirfd)
{
	cleanup_close int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (fd < 0 || (d = fdopendir(fd)) == NULL)
		return false;
	fd = -1;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static int set_root_meta(int upperfd, int topfd, podd_error_t *err)
{
	struct stat st;
	char path[64];

	if (fstat(topfd, &st) < 0)
		return podd_error_sys(err, errno, "stat the top layer");
	fd_path(path, sizeof(path), upperfd);
	if (chown(path, st.st_uid, st.st_gid) < 0 || chmod(path, st.st_mode & 07777) < 0)
		return podd_error_sys(err, errno, "set the owner and mode of the upper dir");
	return 0;
}

static bool has_vfs_marker(int ctrfd)
{
	struct stat st;
	return fstatat(ctrfd, "vfs", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* The vfs root: a detached clone of the upper dir, made nodev as the
 * overlay is, moved onto merged. Descriptors only, no path is resolved. */
static int bind_nodev(int srcfd, int mergedfd, podd_error_t *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NODEV };
	cleanup_close int tree = (int)open_tree(srcfd, "",
						OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

	if (tree < 0)
		return podd_error_sys(err, errno, "clone the vfs root");
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return podd_error_sys(err, errno, "make the vfs root nodev");
	if (move_mount(tree, "", mergedfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return podd_error_sys(err, errno, "mount the vfs root");
	return 0;
}

/* vfs: upper becomes a whole copy of the layers (once: the marker says
 * it is complete), then is bind-mounted as the root. A copy interrupted
 * half-way has no marker and is made again from an emptied upper. */
static int mount_vfs(int ctrfd, int upperfd, const int *layer_fds, size_t n, int mergedfd,
		     podd_error_t *err)
{
	if (!has_vfs_marker(ctrfd)) {
		cleanup_close int marker = -1;
		if (remove_tree_at(ctrfd, "upper", STORAGE_TREE_DEPTH, err) < 0)
			return -1;
		cleanup_close int up = mkdir_open(ctrfd, "upper", err);
		if (up < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (vfs_copy_layer(layer_fds[i], up, err) < 0)
				return podd_error_wrap(err, "vfs copy of layer %zu", i + 1);
		marker = openat(ctrfd, "vfs", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);
		if (marker < 0)
			return podd_error_sys(err, errno, "vfs marker");
		return bind_nodev(up, mergedfd, err);
	}
	return bind_nodev(upperfd, mergedfd, err);
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Launcher operation MountRootfs {id, chain_ids, driver}.
 * Checks: id and every chain id are 64 hex digits (one path component
 * each), 1 to PODD_IMAGE_LAYERS_MAX of them; the driver is overlay or
 * vfs; each layers/<chain id>/diff is opened beneath the store without
 * following any link, as are the container's upper, work and merged dirs.
 * Why the mount is safe: overlay's lower layers are the descriptors just
 * opened (read-only to the container; podd-image made them), upper and
 * work are this container's own dirs in the store, the mount point is
 * this container's own dir in our tmp dir, and the option string is built
 * here from descriptor numbers only, so the worker cannot add options or
 * name another directory. MS_NODEV, as podman mounts it: a device node
 * in an image opens nothing on the host. `userxattr` because podd-image
 * writes whiteouts and opaque markers as user.overlay.* (it holds no
 * CAP_SYS_ADMIN for trusted.*). */
int op_mount_rootfs(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__MountRootfs *op = (const Podd__MountRootfs *)req->msg;
	Podd__RootfsMounted reply = PODD__ROOTFS_MOUNTED__INIT;
	enum storage_driver driver;
	cleanup_close int storefd = -1, layersfd = -1, ctrfd = -1, upperfd = -1, workfd = -1,
			  mergedfd = -1;
	int layer_fds[PODD_IMAGE_LAYERS_MAX];
	char opts[OVERLAY_OPTS_MAX], target[64], path[128];
	size_t nopen = 0;
	int rc = -1;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "rootfs: invalid container id");
	if (overlay_layers_check(op->chain_ids, op->n_chain_ids, err) < 0 ||
	    overlay_driver_parse(op->driver, &driver, err) < 0)
		return -1;
	{
		const char *run[] = { "storage", "containers", op->id, "merged" };
		mergedfd = mkdirs_open(ctx->tmp_dir, run, PODD_ARRAY_SIZE(run), err);
		if (mergedfd < 0)
			return -1;
	}
	{
		const char *st[] = { "storage", "containers", op->id };
		ctrfd = mkdirs_open(ctx->static_dir, st, PODD_ARRAY_SIZE(st), err);
		if (ctrfd < 0)
			return -1;
	}
	reply.driver = has_vfs_marker(ctrfd) || driver == STORAGE_VFS ? "vfs" : "overlay";
	if (is_mount_root(mergedfd))
		return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_MOUNTED,
					 0, &reply.base, NULL, 0, err);
	storefd = open_base(ctx->static_dir, "storage", err);
	if (storefd < 0)
		return -1;
	layersfd = open_beneath(storefd, "layers", O_PATH | O_DIRECTORY, err);
	if (layersfd < 0)
		return -1;
	for (nopen = 0; nopen < op->n_chain_ids; nopen++) {
		snprintf(path, sizeof(path), "%s/diff", op->chain_ids[nopen]);
		layer_fds[nopen] = open_beneath(layersfd, path, O_PATH | O_DIRECTORY, err);
		if (layer_fds[nopen] < 0) {
			podd_error_wrap(err, "layer %.12s is not in the store", op->chain_ids[nopen]);
			goto out;
		}
	}
	bool fresh = false;
	{
		struct stat st;
		fresh = fstatat(ctrfd, "upper", &st, AT_SYMLINK_NOFOLLOW) < 0;
	}
	upperfd = mkdir_open(ctrfd, "upper", err);
	workfd = upperfd < 0 ? -1 : mkdir_open(ctrfd, "work", err);
	if (workfd < 0)
		goto out;
	fresh = fresh || dir_empty(upperfd);
	/* The merged root takes the upper dir's owner and mode: the top
	 * layer's, as containers/storage gives it (0700 would lock every
	 * non-root user out of "/"). */
	if (fresh && set_root_meta(upperfd, layer_fds[nopen - 1], err) < 0)
		goto out;
	if (strcmp(reply.driver, "vfs") == 0) {
		rc = mount_vfs(ctrfd, upperfd, layer_fds, nopen, mergedfd, err);
		goto out;
	}
	if (overlay_opts_build(layer_fds, nopen, upperfd, workfd, opts, sizeof(opts), err) < 0)
		goto out;
	fd_path(target, sizeof(target), mergedfd);
	if (mount("overlay", target, "overlay", MS_NODEV, opts) == 0) {
		rc = 0;
		goto out;
	}
	/* No overlay here (not built, or the filesystem under the store
	 * cannot be an upper layer): a container that has not written
	 * anything yet can still run from a copy. One with changes in an
	 * overlay upper cannot: its whiteouts mean nothing to vfs. */
	if ((errno == ENODEV || errno == EINVAL || errno == EOPNOTSUPP) && fresh) {
		podd_warn("overlay mount for %.12s failed (%s): using a vfs copy", op->id,
			  strerror(errno));
		reply.driver = "vfs";
		rc = mount_vfs(ctrfd, upperfd, layer_fds, nopen, mergedfd, err);
		goto out;
	}
	podd_error_sys(err, errno, "mount overlay on %s/storage/containers/%.12s/merged",
		       ctx->tmp_dir, op->id);
out:
	close_fds(layer_fds, nopen);
	if (rc < 0)
		return -1;
	reply.mounted_now = true;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_MOUNTED, 0,
				 &reply.base, NULL, 0, err);
}

/* Launcher operation UnmountRootfs {id, remove}.
 * Checks: the id is 64 hex digits; merged is opened beneath our tmp dir
 * without links and unmounted through that descriptor, so only a mount on
 * this container's own mount point can go. Why safe: it only takes away
 * what MountRootfs made, and with remove deletes this container's own
 * dir in the store (upper, work), never following a link in it. */
int op_unmount_rootfs(struct podd_server *srv, const struct podd_request *req,
		      podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__UnmountRootfs *op = (const Podd__UnmountRootfs *)req->msg;
	podd_error_t ignored = NULL;
	char path[128];

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "rootfs: invalid container id");
	{
		/* Pins of its bundle files (pin.c) a launcher that died in a
		 * spawn left: they would keep the bundle dir from going. */
		char bundle[4300];
		if (exec_ctr_path(ctx, bundle, op->id, NULL) == 0)
			pins_release_under(bundle);
	}
	{
		cleanup_close int runfd = open_base(ctx->tmp_dir, "storage/containers", &ignored);
		podd_error_free(&ignored);
		if (runfd >= 0) {
			snprintf(path, sizeof(path), "%s/merged", op->id);
			/* A stacked mount (two mounts racing) comes off too. */
			for (int i = 0; i < 8; i++) {
				cleanup_close int m = open_beneath(runfd, path, O_PATH | O_DIRECTORY,
								   &ignored);
				char target[64];
				podd_error_free(&ignored);
				if (m < 0 || !is_mount_root(m))
					break;
				fd_path(target, sizeof(target), m);
				/* Detached: our own descriptor pins the mount, so a
				 * plain umount is always EBUSY; it goes when the last
				 * user (this descriptor, a moment later) lets go. */
				if (umount2(target, MNT_DETACH) < 0)
					return podd_error_sys(err, errno,
							      "unmount the root of %.12s", op->id);
			}
			cleanup_close int d = open_beneath(runfd, op->id, O_PATH | O_DIRECTORY,
							   &ignored);
			podd_error_free(&ignored);
			if (d >= 0) {
				unlinkat(d, "merged", AT_REMOVEDIR);
				unlinkat(runfd, op->id, AT_REMOVEDIR);
			}
		}
	}
	if (op->remove) {
		cleanup_close int cfd = open_base(ctx->static_dir, "storage/containers", &ignored);
		podd_error_free(&ignored);
		if (cfd >= 0 && remove_tree_at(cfd, op->id, STORAGE_TREE_DEPTH, err) < 0)
			return podd_error_wrap(err, "remove the changes of %.12s", op->id);
	}
	return podd_server_reply_ok(srv, req, err);
}

/* Launcher operation RootfsSizes {ids}. Checks: each id is 64 hex digits,
 * at most SIZES_MAX. Why safe: it only adds up sizes in this container's
 * own upper dir, walked without following links, depth-bounded. */
int op_rootfs_sizes(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__SizesRequest *op = (const Podd__SizesRequest *)req->msg;
	Podd__Sizes reply = PODD__SIZES__INIT;
	cleanup_free int64_t *sizes = NULL;
	cleanup_close int cfd = -1;
	podd_error_t ignored = NULL;

	if (op->n_ids > SIZES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "sizes: too many ids");
	for (size_t i = 0; i < op->n_ids; i++)
		if (!podd_id_valid(op->ids[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "sizes: invalid id");
	sizes = calloc(op->n_ids + 1, sizeof(*sizes));
	if (sizes == NULL)
		return podd_error_sys(err, ENOMEM, "sizes");
	cfd = open_base(ctx->static_dir, "storage/containers", &ignored);
	podd_error_free(&ignored);
	for (size_t i = 0; i < op->n_ids; i++) {
		char path[128];
		cleanup_close int up = -1;

		sizes[i] = -1;
		if (cfd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/upper", op->ids[i]);
		up = open_beneath(cfd, path, O_PATH | O_DIRECTORY, &ignored);
		podd_error_free(&ignored);
		if (up >= 0)
			sizes[i] = tree_size(up, STORAGE_TREE_DEPTH);
	}
	reply.rw_sizes = sizes;
	reply.n_rw_sizes = op->n_ids;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_SIZES_REPLY, 0,
				 &reply.base, NULL, 0, err);
}

/* Worker side. */

int call_mount_rootfs(const char *id, char **layers, size_t nlayers, const char *driver,
		      bool *mounted_now, podd_error_t *err)
{
	Podd__MountRootfs op = PODD__MOUNT_ROOTFS__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	op.id = (char *)id;
	op.chain_ids = layers;
	op.n_chain_ids = nlayers;
	op.driver = (char *)(driver ? driver : "");
	if (podd_client_call(&podd_worker_launcher()->peer,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_MOUNT_ROOTFS, &op.base,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_MOUNTED,
			     &podd__rootfs_mounted__descriptor, &m, err) < 0)
		return -1;
	if (mounted_now)
		*mounted_now = ((const Podd__RootfsMounted *)m)->mounted_now;
	return 0;
}

int call_unmount_rootfs(const char *id, bool remove, podd_error_t *err)
{
	Podd__UnmountRootfs op = PODD__UNMOUNT_ROOTFS__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	op.id = (char *)id;
	op.remove = remove;
	return podd_client_call(&podd_worker_launcher()->peer,
				PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_UNMOUNT_ROOTFS, &op.base,
				PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &m, err);
}

/* Sizes: SizesRequest -> Sizes, passed to the launcher after the ids are
 * checked, and its answer checked (one size per id) before it goes on. */
int handle_sizes(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__SizesRequest *r = (const Podd__SizesRequest *)req->msg;
	cleanup_message ProtobufCMessage *m = NULL;
	const Podd__Sizes *s;

	if (r->n_ids > SIZES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "sizes: too many ids");
	for (size_t i = 0; i < r->n_ids; i++)
		if (!podd_id_valid(r->ids[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "sizes: invalid id");
	if (podd_client_call(&podd_worker_launcher()->peer,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_SIZES, &r->base,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_SIZES_REPLY,
			     &podd__sizes__descriptor,
			     &m, err) < 0)
		return -1;
	s = (const Podd__Sizes *)m;
	if (s->n_rw_sizes != r->n_ids)
		return podd_error(err, PODD_E_PROTOCOL, "the launcher sent %zu sizes for %zu ids",
				  s->n_rw_sizes, r->n_ids);
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_SIZES_REPLY, 0, &s->base,
				 NULL, 0, err);
}
