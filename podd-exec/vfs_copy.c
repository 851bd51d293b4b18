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
#include <linux/openat2.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "storage.h"

#define VFS_DEPTH 256
#define XATTR_LIST_MAX_BYTES 65536
/* Hardlinked inodes of one layer remembered for linking (beyond: copies,
 * still within the budget). */
#define VFS_LINKS_MAX (1 << 20)

/* One layer's copy: hardlinked inodes of the layer already copied (their
 * (dev, ino) -> the copy's path beneath dst_root, a tsearch tree), and
 * the bytes written against a budget. */
struct hardlink {
	dev_t dev;
	ino_t ino;
	char *dest;
};

struct copy_state {
	int dst_root;
	void *links;
	size_t nlinks;
	uint64_t bytes, budget;
	char path[4096]; /* the dir being copied, relative to dst_root ("" at the top) */
	int unnamed;     /* > 0: inside a dir whose path did not fit */
};

static int link_cmp(const void *a, const void *b)
{
	const struct hardlink *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void link_free(void *p)
{
	struct hardlink *h = p;
	free(h->dest);
	free(h);
}

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* security.capability (file caps) and user.* except overlay's own markers,
 * which in a copy mean nothing. A file capability that cannot be read or
 * set is an error, as in extraction: dropping it silently would change
 * what the program may do; a user.* xattr the destination refuses is
 * left out. */
static int copy_xattrs(int src, int dst, const char *name, podd_error_t *err)
{
	static char names[XATTR_LIST_MAX_BYTES], value[XATTR_LIST_MAX_BYTES];
	ssize_t len = flistxattr(src, names, sizeof(names));

	if (len < 0 && errno != ENOTSUP)
		return podd_error_sys(err, errno, "vfs: list the xattrs of %s", name);
	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *n = names + off;
		bool cap = strcmp(n, "security.capability") == 0;
		ssize_t vlen;
		if (!cap && (strncmp(n, "user.", 5) != 0 || strncmp(n, "user.overlay.", 13) == 0))
			continue;
		vlen = fgetxattr(src, n, value, sizeof(value));
		if (vlen < 0 && (cap || errno == ERANGE))
			return podd_error_sys(err, errno, "vfs: read %s of %s", n, name);
		if (vlen >= 0 && fsetxattr(dst, n, value, (size_t)vlen, 0) < 0 && cap)
			return podd_error_sys(err, errno, "vfs: set %s on %s", n, name);
	}
	return 0;
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

/* The path of `name` in the current dir, relative to dst_root; -1 when
 * too long to remember. */
static int dest_path(const struct copy_state *cs, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s%s", cs->path, cs->path[0] ? "/" : "", name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Another name of an inode of this layer already copied: a hard link to
 * the copy, not a second copy (a million names of one big file would
 * otherwise be a million copies). 1 when linked, 0 when it must be
 * copied. The copy's dir is opened beneath dst_root with no link
 * followed. */
static int link_again(struct copy_state *cs, int ddir, const char *name, const struct stat *st)
{
	struct hardlink key = { .dev = st->st_dev, .ino = st->st_ino }, *const *found;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	cleanup_close int parent = -1;
	char dir[4096];
	const char *leaf;
	char *slash;

	found = tfind(&key, &cs->links, link_cmp);
	if (found == NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%s", (*found)->dest);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		leaf = slash + 1;
		parent = (int)syscall(SYS_openat2, cs->dst_root, dir, &how, sizeof(how));
	} else {
		leaf = (*found)->dest;
		parent = fcntl(cs->dst_root, F_DUPFD_CLOEXEC, 3);
	}
	return parent >= 0 && linkat(parent, leaf, ddir, name, 0) == 0 ? 1 : 0;
}

static void remember_link(struct copy_state *cs, const char *name, const struct stat *st)
{
	struct hardlink *h;
	char dest[4096];

	if (cs->nlinks >= VFS_LINKS_MAX || cs->unnamed > 0 || dest_path(cs, name, dest, sizeof(dest)) < 0)
		return; /* copied again next time; the budget still holds */
	h = calloc(1, sizeof(*h));
	if (h == NULL || (h->dest = strdup(dest)) == NULL) {
		free(h);
		return;
	}
	h->dev = st->st_dev;
	h->ino = st->st_ino;
	if (tsearch(h, &cs->links, link_cmp) == NULL) {
		link_free(h);
		return;
	}
	cs->nlinks++;
}

static int copy_file(struct copy_state *cs, int sdir, int ddir, const char *name,
		     const struct stat *st, podd_error_t *err)
{
	/* O_NONBLOCK: a FIFO swapped in after the stat does not block us;
	 * the fstat then says it is not the regular file we saw. */
	cleanup_close int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
							  O_NONBLOCK);
	cleanup_close int out = -1;
	struct stat now;
	off_t left;
	int r;

	if (in < 0)
		return podd_error_sys(err, errno, "vfs: open %s", name);
	if (fstat(in, &now) < 0)
		return podd_error_sys(err, errno, "vfs: stat %s", name);
	if ((now.st_mode & S_IFMT) != (st->st_mode & S_IFMT) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino || !S_ISREG(now.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "vfs: %s changed while copied",
				  name);
	if (now.st_nlink > 1) {
		r = link_again(cs, ddir, name, &now);
		if (r != 0)
			return 0;
	}
	left = now.st_size;
	if ((uint64_t)left > cs->budget - cs->bytes)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "vfs: copying %s would exceed the layer's budget of %llu bytes",
				  name, (unsigned long long)cs->budget);
	cs->bytes += (uint64_t)left;
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
	if (copy_xattrs(in, out, name, err) < 0 || set_meta(out, &now, err, name) < 0)
		return -1;
	if (now.st_nlink > 1)
		remember_link(cs, name, &now);
	return 0;
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

static int copy_tree(struct copy_state *cs, int sdir, int ddir, int depth, podd_error_t *err);

static int copy_entry(struct copy_state *cs, int sdir, int ddir, const char *name, int depth,
		      podd_error_t *err)
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
		{
			size_t plen = strlen(cs->path), nlen = strlen(name);
			bool named = cs->unnamed == 0 && plen + 1 + nlen < sizeof(cs->path);
			int r;
			/* Too long to name: nothing below is remembered (its
			 * other names are copies). */
			if (named)
				snprintf(cs->path + plen, sizeof(cs->path) - plen, "%s%s",
					 plen ? "/" : "", name);
			else
				cs->unnamed++;
			r = copy_tree(cs, s, d, depth + 1, err);
			if (named)
				cs->path[plen] = '\0';
			else
				cs->unnamed--;
			if (r < 0)
				return -1;
		}
		if (copy_xattrs(s, d, name, err) < 0)
			return -1;
		return set_meta(d, &st, err, name);
	}
	if (have && remove_tree_at(ddir, name, VFS_DEPTH, err) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return copy_file(cs, sdir, ddir, name, &st, err);
	if (S_ISLNK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISFIFO(st.st_mode))
		return copy_special(sdir, ddir, name, &st, err);
	return 0; /* sockets: nothing to copy */
}

static int copy_tree(struct copy_state *cs, int sdir, int ddir, int depth, podd_error_t *err)
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
		rc = copy_entry(cs, dirfd(d), ddir, de->d_name, depth, err);
	}
	closedir(d);
	return rc;
}

int vfs_copy_layer_budget(int layer_fd, int dst_fd, uint64_t budget, podd_error_t *err)
{
	cleanup_close int s = openat(layer_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int d = openat(dst_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct copy_state cs = { .dst_root = -1, .budget = budget };
	struct stat st;
	int r;

	if (s < 0 || d < 0)
		return podd_error_sys(err, errno, "vfs: open a layer");
	cs.dst_root = d;
	r = copy_tree(&cs, s, d, 0, err);
	tdestroy(cs.links, link_free);
	if (r < 0)
		return -1;
	/* The root dir's own owner and mode, as the layer says. */
	if (fstat(s, &st) == 0)
		return set_meta(d, &st, err, "/");
	return 0;
}

int vfs_copy_layer(int layer_fd, int dst_fd, podd_error_t *err)
{
	return vfs_copy_layer_budget(layer_fd, dst_fd, VFS_COPY_BUDGET, err);
}

/* Hardlinked inodes counted once: a tsearch tree of (dev, ino), at most
 * `max` of them; past that, or when memory runs out, the size is -1
 * rather than a silent double count. */
struct inode_set {
	void *root;
	size_t n, max;
	bool failed;
};

static int inode_cmp(const void *a, const void *b)
{
	const struct stat *x = a, *y = b;
	if (x->st_dev != y->st_dev)
		return x->st_dev < y->st_dev ? -1 : 1;
	if (x->st_ino != y->st_ino)
		return x->st_ino < y->st_ino ? -1 : 1;
	return 0;
}

/* true when the inode was counted already (or on failure: not again). */
static bool inode_seen(struct inode_set *s, const struct stat *st)
{
	struct stat *key, *const *found;

	if (tfind(st, &s->root, inode_cmp))
		return true;
	if (s->n >= s->max || (key = malloc(sizeof(*key))) == NULL) {
		s->failed = true;
		return true;
	}
	*key = (struct stat){ .st_dev = st->st_dev, .st_ino = st->st_ino };
	found = tsearch(key, &s->root, inode_cmp);
	if (found == NULL) {
		free(key);
		s->failed = true;
		return true;
	}
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
	while (!seen->failed && (de = readdir(d)) != NULL) {
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

int64_t tree_size_capped(int fd, int max_depth, size_t max_inodes)
{
	struct inode_set seen = { .max = max_inodes };
	int64_t total = size_walk(fd, 0, max_depth, &seen);
	tdestroy(seen.root, free);
	return seen.failed ? -1 : total;
}

int64_t tree_size(int fd, int max_depth)
{
	return tree_size_capped(fd, max_depth, TREE_SIZE_INODES_MAX);
}
