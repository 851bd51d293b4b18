/* Layer extraction: libarchive reads the tar (no hand-written parser), and
 * every write happens relative to a directory descriptor beneath the layer
 * directory, reached one component at a time with openat2(RESOLVE_BENEATH
 * | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV). A
 * symlink an earlier entry planted (`a -> /etc`, `a -> ../..`) is
 * therefore never followed: a later `a/passwd` fails with ELOOP instead of
 * writing through it. Entry names come from a hostile archive, so every
 * message shows them escaped (printable_escape). */
#include "extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "printable.h"
#include "util.h"

/* Content is streamed through a buffer of this size, never a whole file. */
#define EXTRACT_CHUNK (64 * 1024)

struct extract_limits extract_limits_default(void)
{
	return (struct extract_limits){
		.max_bytes = 16ULL << 30,
		.max_file_bytes = 16ULL << 30,
		.max_entries = 1000000,
		.max_path = 4096,
		.max_dir_names = 64ULL << 20,
		.allow_devices = false,
	};
}

/* OCI layers name entries relatively ("./a/b" or "a/b"). An absolute name
 * is refused rather than stripped: GNU tar strips a leading "/" with a
 * warning, but a layer that has one was not written by an image builder,
 * and guessing what it meant is how extractors have gone wrong. Empty and
 * "." components are dropped; ".." is refused wherever it is, even where
 * it would stay inside (`a/../b`), since no builder writes it. `out` gets
 * the components joined by '/', "" for the layer root. */
static int entry_path_clean(const char *raw, uint64_t max_path, char *out, size_t size,
			    podd_error_t *err)
{
	size_t len = strlen(raw), o = 0, depth = 0;

	if (len == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "empty name");
	if (len > max_path || len >= size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "name of %zu bytes exceeds the limit of %llu bytes", len,
				  (unsigned long long)(max_path < size - 1 ? max_path : size - 1));
	if (raw[0] == '/')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "absolute name refused (layer entries are relative)");
	for (const char *p = raw; *p;) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "\"..\" component refused");
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (++depth > LAYER_MAX_DEPTH)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "nests deeper than %d directories", LAYER_MAX_DEPTH);
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = *end ? end + 1 : end;
	}
	out[o] = '\0';
	return 0;
}

/* One component (no '/', never ".."), opened beneath `at` without
 * following a symlink, a magic link or a mount crossing. O_RDONLY, not
 * O_PATH: the opaque-directory xattr is set through this descriptor. */
static int open_component(int at, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	return (int)syscall(SYS_openat2, at, name, &how, sizeof(how));
}

/* Opens directory `path` (cleaned: no "..", no empty component; "" is the
 * layer root) beneath dest, component by component; with `create`, missing
 * directories are made 0755 (tar files often leave parents out). A symlink
 * or a non-directory on the way is an error naming it. */
static int open_dir_beneath(int dest, const char *path, bool create, podd_error_t *err)
{
	char buf[4096], printable[PRINTABLE_BUF];
	cleanup_close int cur = open_component(dest, ".");
	char *save = NULL;

	if (cur < 0)
		return podd_error_sys(err, errno, "open the layer directory");
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "path too long");
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = open_component(cur, c);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				printable_escape(c, printable, sizeof(printable));
				return podd_error_sys(err, e, "create directory \"%s\"", printable);
			}
			next = open_component(cur, c);
		}
		if (next < 0) {
			int e = errno;
			struct stat st;
			/* O_DIRECTORY answers ENOTDIR before O_NOFOLLOW's ELOOP:
			 * name the symlink for what it is. */
			if (e == ENOTDIR && fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
			printable_escape(c, printable, sizeof(printable));
			if (e == ELOOP)
				return podd_error_sys_code(err, PODD_E_INVALID_ARGUMENT, e,
							   "\"%s\" on the way is a symlink, never followed",
							   printable);
			if (e == ENOTDIR)
				return podd_error_sys_code(err, PODD_E_INVALID_ARGUMENT, e,
							   "\"%s\" on the way is not a directory",
							   printable);
			return podd_error_sys(err, e, "open directory \"%s\"", printable);
		}
		close(cur);
		cur = next;
	}
	return move_fd(&cur);
}

/* remove_tree stops at 16 levels (bundles are shallow); a layer nests as
 * deep as extraction lets it. */
int layer_remove_tree(int parent_dirfd, const char *name, podd_error_t *err)
{
	char printable[PRINTABLE_BUF];

	if (remove_tree_at(parent_dirfd, name, LAYER_MAX_DEPTH + 1, err) < 0) {
		printable_escape(name, printable, sizeof(printable));
		return podd_error_wrap(err, "remove layer directory %s", printable);
	}
	return 0;
}

/* Makes room for `name` in `parent`: a later tar entry replaces an earlier
 * one of the same name (tar's rule). A directory met by a directory stays
 * (returns 1, its metadata is set again); anything else goes, a directory
 * with its contents, never following a symlink. Returns 0 when removed. */
static int make_room(int parent, const char *name, bool keep_dir, podd_error_t *err)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : podd_error_sys(err, errno, "stat");
	if (keep_dir && S_ISDIR(st.st_mode))
		return 1;
	return remove_tree_at(parent, name, LAYER_MAX_DEPTH + 1, err);
}

/* xattrs a layer may carry. security.capability is how file capabilities
 * ship (ping, newuidmap); user.* is the application's own. The overlay's
 * own attributes are skipped and counted: trusted.overlay.* and, for
 * overlays mounted with userxattr (rootless), user.overlay.*; a layer's
 * redirect, metacopy or opaque attribute would steer the overlay mount.
 * So are the rest of trusted.*, security.selinux (the label is the
 * engine's to set) and system.*. */
static bool xattr_allowed(const char *name)
{
	if (strncmp(name, "user.overlay.", 13) == 0)
		return false;
	return strcmp(name, "security.capability") == 0 || strncmp(name, "user.", 5) == 0;
}

/* Owner first (chown clears setuid bits and security.capability), then the
 * mode, then the xattrs, through the descriptor of the file itself. */
static int set_owner_mode_xattrs(int fd, struct archive_entry *e, struct extract_stats *st,
				 podd_error_t *err)
{
	const char *xname;
	const void *value;
	size_t size;

	if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
		return podd_error_sys(err, errno, "chown");
	if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
		return podd_error_sys(err, errno, "chmod");
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
		if (!xattr_allowed(xname)) {
			st->xattrs_skipped++;
			continue;
		}
		if (fsetxattr(fd, xname, value, size, 0) < 0) {
			char printable[PRINTABLE_BUF];
			printable_escape(xname, printable, sizeof(printable));
			return podd_error_sys(err, errno, "set xattr %s", printable);
		}
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ts[0] = ts[1];
}

/* Directories get their mtime after the whole layer is written: every file
 * created inside one moves it. Their names are kept until then, so a layer
 * naming the same long directory over and over would grow this without
 * bound: `bytes` counts them against the limit. */
struct dir_times {
	char **paths;
	struct timespec *mtimes;
	size_t n, cap;
	uint64_t bytes, max_bytes;
};

static void dir_times_free(struct dir_times *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	free(d->mtimes);
	*d = (struct dir_times){ 0 };
}

static int dir_times_add(struct dir_times *d, const char *path, struct timespec mtime,
			 podd_error_t *err)
{
	size_t len = strlen(path) + 1;

	if (len > d->max_bytes - d->bytes)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "the layer's directory names exceed the limit of %llu bytes",
				  (unsigned long long)d->max_bytes);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		char **p = realloc(d->paths, cap * sizeof(*p));
		if (p == NULL)
			return podd_error_sys(err, ENOMEM, "directory times");
		d->paths = p;
		struct timespec *t = realloc(d->mtimes, cap * sizeof(*t));
		if (t == NULL)
			return podd_error_sys(err, ENOMEM, "directory times");
		d->mtimes = t;
		d->cap = cap;
	}
	d->paths[d->n] = strdup(path);
	if (d->paths[d->n] == NULL)
		return podd_error_sys(err, ENOMEM, "directory times");
	d->mtimes[d->n++] = mtime;
	d->bytes += len;
	return 0;
}

static int dir_times_apply(int dest, struct dir_times *d, podd_error_t *err)
{
	for (size_t i = 0; i < d->n; i++) {
		cleanup_error podd_error_t gone = NULL;
		cleanup_close int fd = open_dir_beneath(dest, d->paths[i], false, &gone);
		struct timespec ts[2] = { d->mtimes[i], d->mtimes[i] };
		/* A later entry of the same name replaced it: nothing to set. */
		if (fd < 0)
			continue;
		if (futimens(fd, ts) < 0)
			return podd_error_sys(err, errno, "set times");
	}
	return 0;
}

/* State of one extraction. */
struct extractor {
	struct archive *a;
	int dest;
	const struct extract_limits *lim;
	struct extract_stats *st;
	struct dir_times dirs;
};

/* The logical end of a file being written moved to `to`: the growth
 * counts against the layer's limit. */
static int account_end(struct extractor *x, uint64_t *end, uint64_t to, podd_error_t *err)
{
	if (to <= *end)
		return 0;
	if (to - *end > x->lim->max_bytes - x->st->bytes)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer content exceeds the limit of %llu bytes",
				  (unsigned long long)x->lim->max_bytes);
	x->st->bytes += to - *end;
	*end = to;
	return 0;
}

static int write_regular(struct extractor *x, int parent, const char *name,
			 struct archive_entry *e, podd_error_t *err)
{
	cleanup_close int fd = -1;
	int64_t declared = archive_entry_size(e);

	/* The header's size is checked before any byte is written, so a bomb
	 * that says what it is stops at once; the bytes are counted as well. */
	if (declared > 0 && (uint64_t)declared > x->lim->max_file_bytes)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "file of %lld bytes exceeds the limit of %llu bytes",
				  (long long)declared, (unsigned long long)x->lim->max_file_bytes);
	if (declared > 0 && (uint64_t)declared > x->lim->max_bytes - x->st->bytes)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer content exceeds the limit of %llu bytes",
				  (unsigned long long)x->lim->max_bytes);
	if (make_room(parent, name, false, err) < 0)
		return -1;
	fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return podd_error_sys(err, errno, "create");
	/* Block by block at their offsets: a sparse entry's holes stay
	 * holes (zeros written out would turn a small layer into a full
	 * disk), and a file that ends in a hole, or is one, gets its
	 * declared size from ftruncate. Its logical size counts against the
	 * limits, holes included. */
	uint64_t end = 0;
	const void *block;
	size_t len;
	la_int64_t offset;
	int r;
	while ((r = archive_read_data_block(x->a, &block, &len, &offset)) == ARCHIVE_OK) {
		if (offset < 0 || (uint64_t)offset > x->lim->max_file_bytes ||
		    len > x->lim->max_file_bytes - (uint64_t)offset)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "file exceeds the limit of %llu bytes",
					  (unsigned long long)x->lim->max_file_bytes);
		if (account_end(x, &end, (uint64_t)offset + len, err) < 0)
			return -1;
		for (size_t off = 0; off < len;) {
			ssize_t w = pwrite(fd, (const char *)block + off, len - off,
					   (off_t)((uint64_t)offset + off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return podd_error_sys(err, errno, "write");
			off += (size_t)w;
		}
	}
	if (r != ARCHIVE_EOF)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "read content: %s",
				  archive_error_string(x->a) ? archive_error_string(x->a) : "?");
	if (declared > 0 && (uint64_t)declared > end) {
		if (account_end(x, &end, (uint64_t)declared, err) < 0)
			return -1;
		if (ftruncate(fd, (off_t)declared) < 0)
			return podd_error_sys(err, errno, "truncate");
	}
	if (set_owner_mode_xattrs(fd, e, x->st, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return podd_error_sys(err, errno, "set times");
	return 0;
}

static int write_dir(struct extractor *x, int parent, const char *name, const char *path,
		     struct archive_entry *e, podd_error_t *err)
{
	cleanup_close int fd = -1;
	struct timespec ts[2];
	int kept = make_room(parent, name, true, err);

	if (kept < 0)
		return -1;
	if (!kept && mkdirat(parent, name, 0700) < 0)
		return podd_error_sys(err, errno, "create directory");
	fd = open_component(parent, name);
	if (fd < 0)
		return podd_error_sys(err, errno, "open directory");
	if (set_owner_mode_xattrs(fd, e, x->st, err) < 0)
		return -1;
	entry_times(e, ts);
	return dir_times_add(&x->dirs, path, ts[1], err);
}

/* Symlinks, fifos and devices are never opened (opening a device or a fifo
 * has effects of its own): they are set up by name in `parent`, without
 * following. Their xattrs are skipped (user.* is not allowed on them by the
 * kernel; a capability means nothing there). */
static int set_by_name(struct extractor *x, int parent, const char *name,
		       struct archive_entry *e, bool is_symlink, podd_error_t *err)
{
	struct timespec ts[2];
	const char *xname;
	const void *value;
	size_t size;

	if (fchownat(parent, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return podd_error_sys(err, errno, "chown");
	/* fchmodat follows a symlink in the last component, but this name was
	 * made a fifo or device by mknodat a moment ago in a directory only
	 * podd-image writes; symlinks have no mode of their own. */
	if (!is_symlink && fchmodat(parent, name, archive_entry_perm(e) & 07777, 0) < 0)
		return podd_error_sys(err, errno, "chmod");
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK)
		x->st->xattrs_skipped++;
	entry_times(e, ts);
	if (utimensat(parent, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return podd_error_sys(err, errno, "set times");
	return 0;
}

static int write_symlink(struct extractor *x, int parent, const char *name,
			 struct archive_entry *e, podd_error_t *err)
{
	/* The target is kept verbatim, absolute or "../.." alike: inside the
	 * layer it is only data until a container resolves it in its own
	 * root; extraction never follows it. */
	const char *target = archive_entry_symlink(e);

	if (target == NULL || *target == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "symlink without a target");
	if (strlen(target) > x->lim->max_path)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "symlink target exceeds the limit of %llu bytes",
				  (unsigned long long)x->lim->max_path);
	if (make_room(parent, name, false, err) < 0)
		return -1;
	if (symlinkat(target, parent, name) < 0)
		return podd_error_sys(err, errno, "create symlink");
	return set_by_name(x, parent, name, e, true, err);
}

static int write_node(struct extractor *x, int parent, const char *name, struct archive_entry *e,
		      mode_t type, podd_error_t *err)
{
	if (type != S_IFIFO && !x->lim->allow_devices)
		return podd_error(err, PODD_E_NOT_PERMITTED,
				  "device nodes are not allowed in layers here");
	if (make_room(parent, name, false, err) < 0)
		return -1;
	if (mknodat(parent, name, type | 0600, type == S_IFIFO ? 0 : archive_entry_rdev(e)) < 0)
		return podd_error_sys(err, errno, "create %s",
				      type == S_IFIFO ? "fifo" : "device node");
	return set_by_name(x, parent, name, e, false, err);
}

/* A hardlink's target must be an entry already extracted beneath dest: its
 * name is cleaned like an entry's (no "..", not absolute) and its parent
 * reached without symlinks. linkat without AT_SYMLINK_FOLLOW links the
 * target itself, so a target that is a symlink makes a second symlink, not
 * a link to what it points at. */
static int write_hardlink(struct extractor *x, int parent, const char *name, const char *raw,
			  podd_error_t *err)
{
	char target[4096];
	cleanup_close int tparent = -1;
	char *slash;
	const char *tname;

	if (entry_path_clean(raw, x->lim->max_path, target, sizeof(target), err) < 0)
		return podd_error_wrap(err, "hardlink target");
	if (target[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "hardlink to the layer root");
	slash = strrchr(target, '/');
	if (slash) {
		*slash = '\0';
		tname = slash + 1;
		tparent = open_dir_beneath(x->dest, target, false, err);
	} else {
		tname = target;
		tparent = open_dir_beneath(x->dest, "", false, err);
	}
	if (tparent < 0)
		return podd_error_wrap(err, "hardlink target");
	if (make_room(parent, name, false, err) < 0)
		return -1;
	if (linkat(tparent, tname, parent, name, 0) < 0)
		return podd_error_sys_code(err, errno == ENOENT ? PODD_E_INVALID_ARGUMENT : PODD_E_INTERNAL,
					   errno, "hardlink to an entry of the layer");
	return 0;
}

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* OCI whiteouts, in overlayfs's form: `.wh.NAME` becomes a character device
 * 0/0 named NAME (mknodat; podd-image keeps CAP_MKNOD), and
 * `.wh..wh..opq` sets user.overlay.opaque=y on its directory (podd's
 * overlay mounts use the `userxattr` option, rootful and rootless alike:
 * trusted.* would take CAP_SYS_ADMIN, which podd-image does not keep, and
 * a user namespace cannot write it anyway). Other
 * `.wh..wh.` names (aufs's bookkeeping) are skipped. A whiteout hides only
 * lower layers (OCI image spec): a NAME this layer already has stays. */
static int write_whiteout(struct extractor *x, int parent, const char *base, podd_error_t *err)
{
	const char *name = base + strlen(WHITEOUT_PREFIX);

	if (strcmp(base, WHITEOUT_OPAQUE) == 0) {
		if (fsetxattr(parent, "user.overlay.opaque", "y", 1, 0) < 0)
			return podd_error_sys(err, errno,
					      "mark the directory opaque (user.overlay.opaque)");
		x->st->whiteouts++;
		return 0;
	}
	if (strncmp(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
		return 0;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "whiteout without a name");
	if (mknodat(parent, name, S_IFCHR, makedev(0, 0)) < 0) {
		if (errno == EEXIST)
			return 0;
		return podd_error_sys(err, errno, "create whiteout");
	}
	x->st->whiteouts++;
	return 0;
}

static int extract_entry(struct extractor *x, struct archive_entry *e, const char *raw,
			 podd_error_t *err)
{
	char path[4096];
	cleanup_close int parent = -1;
	const char *base;
	char *slash;
	int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	mode_t type = archive_entry_filetype(e);
	const char *hardlink = archive_entry_hardlink(e);
	const char *leaf;
	bool holds_content;

	if (entry_path_clean(raw, x->lim->max_path, path, sizeof(path), err) < 0)
		return -1;
	if (path[0] == '\0') {
		/* "./": the layer root is the store's directory, its owner and
		 * mode the store's; nothing else may name it. */
		if (type == AE_IFDIR && hardlink == NULL)
			return 0;
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "names the layer root");
	}
	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "owner %lld:%lld out of range",
				  (long long)uid, (long long)gid);
	/* Only a regular file's content is written (and counted against the
	 * limits there). Content declared on anything else would still be
	 * decompressed and thrown away unbounded: a bomb in a whiteout or a
	 * hardlink entry. */
	leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	holds_content = type == AE_IFREG && hardlink == NULL &&
			strncmp(leaf, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) != 0;
	if (!holds_content && archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "content on an entry that holds none (%lld bytes)",
				  (long long)archive_entry_size(e));
	slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		parent = open_dir_beneath(x->dest, path, true, err);
		*slash = '/';
		base = slash + 1;
	} else {
		parent = open_dir_beneath(x->dest, "", true, err);
		base = path;
	}
	if (parent < 0)
		return -1;
	if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
		return write_whiteout(x, parent, base, err);
	if (hardlink)
		return write_hardlink(x, parent, base, hardlink, err);
	switch (type) {
	case AE_IFREG:
		return write_regular(x, parent, base, e, err);
	case AE_IFDIR:
		return write_dir(x, parent, base, path, e, err);
	case AE_IFLNK:
		return write_symlink(x, parent, base, e, err);
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK:
		return write_node(x, parent, base, e, type, err);
	default:
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "entry type 0%o refused",
				  (unsigned)type);
	}
}

/* libarchive answers WARN when a filter would run an external program
 * (no zlib or libzstd built in): podd-image cannot exec, so that is an
 * error here, not a fallback. `tar`: the tar reader; otherwise the raw
 * reader that only decompresses. */
static struct archive *layer_reader(bool tar, podd_error_t *err)
{
	cleanup_archive_read struct archive *a = archive_read_new();

	if (a == NULL)
		return podd_error_sys(err, ENOMEM, "layer reader"), NULL;
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    (tar ? archive_read_support_format_tar(a) /* ustar, pax, gnutar */
		 : archive_read_support_format_raw(a)) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "layer reader: %s",
				  archive_error_string(a) ? archive_error_string(a) : "?"),
		       NULL;
	return steal_pointer(&a);
}

/* A layer is compressed once at most: gzip inside gzip (or zstd) would be
 * peeled layer after layer by libarchive, multiplying what a small blob
 * inflates to, and no image tool writes one. Counted once `a` is open
 * (its filters are chosen then); the client's own "none" counts one. */
static int one_filter(struct archive *a, podd_error_t *err)
{
	if (archive_filter_count(a) > 2)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer: compressed more than once (%s inside %s)",
				  archive_filter_name(a, 0), archive_filter_name(a, 1));
	return 0;
}

/* Reads the layer's entries from `a` (open) into x->dest. */
static int extract_entries(struct extractor *x, struct archive *a, podd_error_t *err)
{
	struct archive_entry *e;
	char printable[PRINTABLE_BUF];
	int r;

	x->a = a;
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		/* WARN still yields a usable header (an odd pax record);
		 * RETRY (a bad header checksum), FAILED and FATAL (a truncated
		 * or corrupt stream) do not. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: read: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		const char *raw = archive_entry_pathname(e);
		if (raw == NULL)
			raw = archive_entry_pathname_utf8(e);
		printable_escape(raw, printable, sizeof(printable));
		if (++x->st->entries > x->lim->max_entries)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "layer: entry \"%s\": the layer exceeds the limit of %llu entries",
					  printable, (unsigned long long)x->lim->max_entries);
		if (raw == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: an entry has no name");
		if (extract_entry(x, e, raw, err) < 0)
			return podd_error_wrap(err, "layer: entry \"%s\"", printable);
	}
	if (dir_times_apply(x->dest, &x->dirs, err) < 0)
		return podd_error_wrap(err, "layer");
	return 0;
}

int layer_extract(int archive_fd, int dest_dirfd, const struct extract_limits *lim,
		  struct extract_stats *st, podd_error_t *err)
{
	struct extract_stats local = { 0 };
	const struct extract_limits defaults = extract_limits_default();
	struct extractor x = { .dest = dest_dirfd, .lim = lim ? lim : &defaults,
			       .st = st ? st : &local };
	cleanup_archive_read struct archive *a = layer_reader(true, err);
	int r;

	*x.st = (struct extract_stats){ 0 };
	x.dirs.max_bytes = x.lim->max_dir_names;
	if (a == NULL)
		return podd_error_wrap(err, "layer");
	if (archive_read_open_fd(a, archive_fd, EXTRACT_CHUNK) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(a) ? archive_error_string(a) : "?");
	if (one_filter(a, err) < 0)
		return -1;
	r = extract_entries(&x, a, err);
	dir_times_free(&x.dirs);
	return r;
}

int extract_bomb_check(struct archive *a, podd_error_t *err)
{
	/* -1: the bytes the client gave, 0: the bytes the last decompressor
	 * gave the format reader. */
	la_int64_t in = archive_filter_bytes(a, -1), out = archive_filter_bytes(a, 0);

	if (out > (la_int64_t)EXTRACT_BOMB_MIN_OUT && in > 0 && out / in > EXTRACT_BOMB_RATIO)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "decompression bomb: %lld bytes from %lld, more than %d times as "
				  "many",
				  (long long)out, (long long)in, EXTRACT_BOMB_RATIO);
	return 0;
}

uint64_t extract_tar_bytes_max(const struct extract_limits *lim)
{
	return lim->max_bytes + lim->max_entries * 1536 + (1u << 20);
}

/* The decompressed stream between the two readers of
 * layer_extract_digest: every byte the tar reader is given is hashed and
 * counted first. */
struct hashed_stream {
	struct archive *raw;
	EVP_MD_CTX *md;
	uint64_t bytes, max_bytes;
	char *buf;
};

/* n more bytes of a hashed stream: counted against `max` and hashed.
 * 0, or EFBIG over the limit, or ENOMEM when the digest fails. */
static int stream_take(EVP_MD_CTX *md, uint64_t *bytes, uint64_t max, const void *buf, size_t n)
{
	if ((uint64_t)n > max - *bytes)
		return EFBIG;
	*bytes += (uint64_t)n;
	return EVP_DigestUpdate(md, buf, n) == 1 ? 0 : ENOMEM;
}

/* stream_take for the loops that read past libarchive: `what` names
 * the stream in the error. */
static int stream_account(EVP_MD_CTX *md, uint64_t *bytes, uint64_t max, const void *buf,
			  size_t n, const char *what, podd_error_t *err)
{
	int e = stream_take(md, bytes, max, buf, n);

	if (e == EFBIG)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer: the %s layer exceeds the limit of %llu bytes", what,
				  (unsigned long long)max);
	if (e != 0)
		return podd_error_sys(err, e, "layer: sha256");
	return 0;
}

/* stream_take's refusal, as the error of the libarchive reader `a`
 * whose callback met it. */
static la_ssize_t take_refused(struct archive *a, int e, const char *what, uint64_t max)
{
	if (e == EFBIG)
		archive_set_error(a, e, "the %s layer exceeds the limit of %llu bytes", what,
				  (unsigned long long)max);
	else
		archive_set_error(a, e, "sha256 of the %s layer", what);
	return -1;
}

static la_ssize_t hashed_read(struct archive *tar, void *data, const void **out)
{
	struct hashed_stream *h = data;
	la_ssize_t n = archive_read_data(h->raw, h->buf, EXTRACT_CHUNK);
	int e;

	if (n < 0) {
		archive_set_error(tar, EIO, "decompress: %s",
				  archive_error_string(h->raw) ? archive_error_string(h->raw) : "?");
		return -1;
	}
	e = stream_take(h->md, &h->bytes, h->max_bytes, h->buf, (size_t)n);
	if (e != 0)
		return take_refused(tar, e, "uncompressed", h->max_bytes);
	*out = h->buf;
	return n;
}

/* The compressed stream of layer_extract_stream: every byte libarchive
 * is given is hashed and counted first, up to `max_bytes`. */
struct blob_stream {
	int fd;
	EVP_MD_CTX *md;
	uint64_t bytes, max_bytes;
	char *buf;
};

static la_ssize_t blob_read(struct archive *raw, void *data, const void **out)
{
	struct blob_stream *b = data;
	ssize_t n;
	int e;

	do
		n = read(b->fd, b->buf, EXTRACT_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(raw, errno, "read: %s", strerror(errno));
		return -1;
	}
	e = stream_take(b->md, &b->bytes, b->max_bytes, b->buf, (size_t)n);
	if (e != 0)
		return take_refused(raw, e, "compressed", b->max_bytes);
	*out = b->buf;
	return n;
}

/* The unpacking and diff_id of layer_extract_digest, from `raw` opened on
 * the compressed layer. */
static int extract_digest(struct archive *raw, int dest_dirfd, const struct extract_limits *lim,
			  struct extract_stats *st, struct digest *diff_id, uint64_t *tar_bytes,
			  podd_error_t *err)
{
	struct extract_stats local = { 0 };
	const struct extract_limits defaults = extract_limits_default();
	struct extractor x = { .dest = dest_dirfd, .lim = lim ? lim : &defaults,
			       .st = st ? st : &local };
	cleanup_archive_read struct archive *tar = NULL;
	cleanup_md EVP_MD_CTX *md = EVP_MD_CTX_new();
	cleanup_free char *buf = malloc(EXTRACT_CHUNK);
	struct hashed_stream h = { .raw = raw, .md = md, .buf = buf };
	struct archive_entry *e;
	la_ssize_t n;
	int r;

	*x.st = (struct extract_stats){ 0 };
	x.dirs.max_bytes = x.lim->max_dir_names;
	if (md == NULL || buf == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return podd_error_sys(err, ENOMEM, "layer");
	h.max_bytes = extract_tar_bytes_max(x.lim);
	if (archive_read_next_header(raw, &e) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(raw) ? archive_error_string(raw) : "?");
	tar = archive_read_new();
	if (tar == NULL || archive_read_support_filter_none(tar) != ARCHIVE_OK ||
	    archive_read_support_format_tar(tar) != ARCHIVE_OK)
		return podd_error_sys(err, ENOMEM, "layer reader");
	if (archive_read_open(tar, &h, NULL, hashed_read, NULL) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(tar) ? archive_error_string(tar) : "?");
	r = extract_entries(&x, tar, err);
	dir_times_free(&x.dirs);
	if (r < 0)
		return -1;
	/* The diff_id covers the whole stream: what follows the tar's end
	 * marker (padding to the record size) too. */
	while ((n = archive_read_data(raw, buf, EXTRACT_CHUNK)) > 0) {
		if (stream_account(md, &h.bytes, h.max_bytes, buf, (size_t)n, "uncompressed",
				   err) < 0)
			return -1;
	}
	if (n < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: decompress: %s",
				  archive_error_string(raw) ? archive_error_string(raw) : "?");
	if (sha256_final(md, diff_id, err) < 0)
		return podd_error_wrap(err, "layer");
	if (tar_bytes)
		*tar_bytes = h.bytes;
	return 0;
}

int layer_extract_digest(int archive_fd, int dest_dirfd, const struct extract_limits *lim,
			 struct extract_stats *st, struct digest *diff_id, uint64_t *tar_bytes,
			 podd_error_t *err)
{
	cleanup_archive_read struct archive *raw = layer_reader(false, err);

	if (raw == NULL)
		return podd_error_wrap(err, "layer");
	if (archive_read_open_fd(raw, archive_fd, EXTRACT_CHUNK) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(raw) ? archive_error_string(raw) : "?");
	if (one_filter(raw, err) < 0)
		return -1;
	return extract_digest(raw, dest_dirfd, lim, st, diff_id, tar_bytes, err);
}

int layer_extract_stream(int fd, uint64_t max_blob_bytes, int dest_dirfd,
			 const struct extract_limits *lim, struct extract_stats *st,
			 struct digest *diff_id, uint64_t *tar_bytes, struct digest *blob_digest,
			 uint64_t *blob_bytes, podd_error_t *err)
{
	cleanup_archive_read struct archive *raw = layer_reader(false, err);
	cleanup_md EVP_MD_CTX *md = EVP_MD_CTX_new();
	cleanup_free char *buf = malloc(EXTRACT_CHUNK);
	struct blob_stream b = { .fd = fd, .md = md, .max_bytes = max_blob_bytes, .buf = buf };
	ssize_t n;

	if (raw == NULL)
		return podd_error_wrap(err, "layer");
	if (md == NULL || buf == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return podd_error_sys(err, ENOMEM, "layer");
	if (archive_read_open(raw, &b, NULL, blob_read, NULL) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(raw) ? archive_error_string(raw) : "?");
	if (one_filter(raw, err) < 0)
		return -1;
	if (extract_digest(raw, dest_dirfd, lim, st, diff_id, tar_bytes, err) < 0)
		return -1;
	/* The blob's digest covers every byte up to EOF: what the
	 * decompressor left unread too. */
	for (;;) {
		do
			n = read(fd, buf, EXTRACT_CHUNK);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			break;
		if (stream_account(md, &b.bytes, b.max_bytes, buf, (size_t)n, "compressed", err) <
		    0)
			return -1;
	}
	if (n < 0)
		return podd_error_sys(err, errno, "layer: read");
	if (sha256_final(md, blob_digest, err) < 0)
		return podd_error_wrap(err, "layer");
	*blob_bytes = b.bytes;
	return 0;
}
