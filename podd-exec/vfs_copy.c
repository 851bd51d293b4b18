/* The vfs storage driver's copy, in the launcher (it needs the ownership
 * capabilities to keep owners and set-id bits). Layer content is hostile
 * input: every name is a single component from readdir, every entry is
 * looked at with AT_SYMLINK_NOFOLLOW and opened with O_NOFOLLOW, so a
 * symlink in a layer or one planted in the destination is copied as a
 * link, never followed. Directories are opened one level at a time, at
 * most VFS_DEPTH deep. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "storage.h"

#define VFS_DEPTH 256
#define XATTR_LIST_MAX_BYTES 65536

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* security.capability (file caps) and user.* except overlay's own markers,
 * which in a copy mean nothing. */
static void copy_xattrs(int src, int dst)
{
	char names[XATTR_LIST_MAX_BYTES], value[XATTR_LIST_MAX_BYTES];
	ssize_t len = flistxattr(src, names, sizeof(names));

	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *n = names + off;
		ssize_t vlen;
		if (strcmp(n, "security.capability") != 0 &&
		    (strncmp(n, "user.", 5) != 0 || strncmp(n, "user.overlay.", 13) == 0))
			continue;
		vlen = fgetxattr(src, n, value, sizeof(value));
		if (vlen >= 0)
			fsetxattr(dst, n, value, (size_t)vlen, 0);
	}
}

/* Owner first, then mode (chown clears set-id bits), then times. */
static int set_meta(int fd, const struct stat *st, podd_error_t *err, const char *name)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
		return podd_error_sys(err, errno, "vfs: set owner and mode of %s", name);
	futimens(fd, times);
	return 0;
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     podd_error_t *err)
{
	cleanup_close int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	cleanup_close int out = -1;
	off_t left = st->st_size;

	if (in < 0)
		return podd_error_sys(err, errno, "vfs: open %s", name);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return podd_error_sys(err, errno, "vfs: create %s", name);
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return podd_error_sys(err, n < 0 ? errno : EIO, "vfs: copy %s", name);
		left -= n;
	}
	copy_xattrs(in, out);
	return set_meta(out, st, err, name);
}

static int copy_special(int sdir, int ddir, const char *name, const struct stat *st,
			podd_error_t *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (S_ISLNK(st->st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return podd_error_sys(err, errno, "vfs: readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return podd_error_sys(err, errno, "vfs: symlink %s", name);
	} else if (mknodat(ddir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
		return podd_error_sys(err, errno, "vfs: mknod %s", name);
	}
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return podd_error_sys(err, errno, "vfs: chown %s", name);
	utimensat(ddir, name, times, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static bool opaque(int dirfd)
{
	char v[4];
	ssize_t n = fgetxattr(dirfd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static int copy_tree(int sdir, int ddir, int depth, podd_error_t *err);

static int copy_entry(int sdir, int ddir, const char *name, int depth, podd_error_t *err)
{
	struct stat st, dst;
	bool have = fstatat(ddir, name, &dst, AT_SYMLINK_NOFOLLOW) == 0;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return podd_error_sys(err, errno, "vfs: stat %s", name);
	/* A whiteout: what the layers below had here goes. */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return have ? remove_tree_at(ddir, name, VFS_DEPTH, err) : 0;
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int s = open_dir_at(sdir, name), d = -1;
		if (s < 0)
			return podd_error_sys(err, errno, "vfs: open %s", name);
		/* An opaque dir, or a dir over a non-dir: start empty. */
		if (have && (!S_ISDIR(dst.st_mode) || opaque(s))) {
			if (remove_tree_at(ddir, name, VFS_DEPTH, err) < 0)
				return -1;
			have = false;
		}
		if (!have && mkdirat(ddir, name, 0700) < 0)
			return podd_error_sys(err, errno, "vfs: mkdir %s", name);
		d = open_dir_at(ddir, name);
		if (d < 0)
			return podd_error_sys(err, errno, "vfs: open %s", name);
		if (copy_tree(s, d, depth + 1, err) < 0)
			return -1;
		copy_xattrs(s, d);
		return set_meta(d, &st, err, name);
	}
	if (have && remove_tree_at(ddir, name, VFS_DEPTH, err) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return copy_file(sdir, ddir, name, &st, err);
	if (S_ISLNK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISFIFO(st.st_mode))
		return copy_special(sdir, ddir, name, &st, err);
	return 0; /* sockets: nothing to copy */
}

static int copy_tree(int sdir, int ddir, int depth, podd_error_t *err)
{
	int fd;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > VFS_DEPTH)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "vfs: layer deeper than %d levels",
				  VFS_DEPTH);
	fd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return podd_error_sys(err, errno, "vfs: read a layer dir");
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = copy_entry(dirfd(d), ddir, de->d_name, depth, err);
	}
	closedir(d);
	return rc;
}

int vfs_copy_layer(int layer_fd, int dst_fd, podd_error_t *err)
{
	cleanup_close int s = openat(layer_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int d = openat(dst_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (s < 0 || d < 0)
		return podd_error_sys(err, errno, "vfs: open a layer");
	if (copy_tree(s, d, 0, err) < 0)
		return -1;
	/* The root dir's own owner and mode, as the layer says. */
	if (fstat(s, &st) == 0)
		return set_meta(d, &st, err, "/");
	return 0;
}

struct inode_set {
	struct {
		dev_t dev;
		ino_t ino;
	} *v;
	size_t n, cap;
};

/* Hardlinked inodes once (a linear set: hardlinks in an upper dir are rare). */
static bool inode_seen(struct inode_set *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return true;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *g = realloc(s->v, cap * sizeof(*s->v));
		if (g == NULL)
			return false;
		s->v = g;
		s->cap = cap;
	}
	s->v[s->n].dev = st->st_dev;
	s->v[s->n].ino = st->st_ino;
	s->n++;
	return false;
}

static int64_t size_walk(int dir, int depth, int max_depth, struct inode_set *seen)
{
	int fd;
	DIR *d;
	struct dirent *de;
	int64_t total = 0;

	if (depth > max_depth)
		return 0;
	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			cleanup_close int sub = open_dir_at(dirfd(d), de->d_name);
			if (sub >= 0)
				total += size_walk(sub, depth + 1, max_depth, seen);
		} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			   (st.st_nlink < 2 || !inode_seen(seen, &st))) {
			total += st.st_size;
		}
	}
	closedir(d);
	return total;
}

int64_t tree_size(int fd, int max_depth)
{
	struct inode_set seen = { 0 };
	int64_t total = size_walk(fd, 0, max_depth, &seen);
	free(seen.v);
	return total;
}
