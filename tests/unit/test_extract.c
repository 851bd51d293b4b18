/* Layer extraction (podd-image/extract.c) on layers written here with
 * libarchive's writer: a normal layer comes out whole, and hostile ones
 * (traversal, planted symlinks, escaping hardlinks, devices, bombs,
 * truncation) are refused without a byte outside the layer directory.
 * Each test gets a fresh temporary root holding `dest` (the layer) and
 * `sentinel` beside it, which must stay empty. Runs as root (chown,
 * mknod, trusted xattrs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cleanup.h"
#include "pipe_child.h"
#include "extract.h"

enum layer_filter { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD, LAYER_GZIP_TWICE };

/* One tar entry to write. */
struct ent {
	const char *path;
	mode_t type; /* AE_IFREG when 0 */
	mode_t perm;
	const char *data;   /* regular file content */
	uint64_t zeros;     /* or this many zero bytes */
	const char *link;   /* symlink target, or hardlink target with .hard */
	bool hard;
	dev_t rdev;
	int64_t uid, gid;
	time_t mtime;
	const char *xattr; /* one xattr name, value "v" */
};

struct fx {
	char root[64];
	int dest; /* the layer directory */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[128];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/podd-extract-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(p, sizeof(p), "%s/dest", f->root);
	assert_int_equal(mkdir(p, 0755), 0);
	f->dest = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->dest >= 0);
	snprintf(p, sizeof(p), "%s/sentinel", f->root);
	assert_int_equal(mkdir(p, 0755), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	podd_error_t err = NULL;

	close(f->dest);
	assert_int_equal(layer_remove_tree(AT_FDCWD, f->root, &err), 0);
	free(f);
	return 0;
}

/* The layer, written to a memfd and rewound: the extractor reads a
 * descriptor, as it will read a blob of the store. */
static int make_layer(enum layer_filter filter, const struct ent *ents, size_t n)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	struct archive *a = archive_write_new();
	static char zeros[64 * 1024];

	assert_true(fd >= 0);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (filter == LAYER_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else if (filter == LAYER_GZIP_TWICE) {
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	} else if (filter == LAYER_ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		const struct ent *t = &ents[i];
		struct archive_entry *e = archive_entry_new();
		size_t size = t->data ? strlen(t->data) : (size_t)t->zeros;

		archive_entry_set_pathname(e, t->path);
		archive_entry_set_filetype(e, t->type ? t->type : AE_IFREG);
		archive_entry_set_perm(e, t->perm ? t->perm : 0644);
		archive_entry_set_uid(e, t->uid);
		archive_entry_set_gid(e, t->gid);
		archive_entry_set_mtime(e, t->mtime ? t->mtime : 1600000000, 0);
		if (t->hard) {
			archive_entry_set_hardlink(e, t->link);
			size = 0;
		} else if (t->type == AE_IFLNK) {
			archive_entry_set_symlink(e, t->link);
		}
		if (t->type == AE_IFCHR || t->type == AE_IFBLK)
			archive_entry_set_rdev(e, t->rdev);
		if (t->xattr)
			archive_entry_xattr_add_entry(e, t->xattr, "v", 1);
		if (!t->type || t->type == AE_IFREG)
			archive_entry_set_size(e, (la_int64_t)size);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (t->data)
			assert_int_equal(archive_write_data(a, t->data, size), (la_ssize_t)size);
		for (uint64_t left = t->zeros; left > 0;) {
			size_t k = left < sizeof(zeros) ? (size_t)left : sizeof(zeros);
			assert_int_equal(archive_write_data(a, zeros, k), (la_ssize_t)k);
			left -= k;
		}
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void extract_ok(struct fx *f, enum layer_filter filter, const struct ent *ents, size_t n,
		       struct extract_stats *st)
{
	struct extract_limits lim = extract_limits_default();
	podd_error_t err = NULL;
	cleanup_close int fd = make_layer(filter, ents, n);
	int r = layer_extract(fd, f->dest, &lim, st, &err);

	if (r < 0)
		fail_msg("extraction failed: %s", err->msg);
	assert_null(err);
}

/* Extraction of the layer fails, with `msg` in the message. */
static void extract_fails_lim(struct fx *f, int layer_fd, const struct extract_limits *lim,
			      const char *msg)
{
	podd_error_t err = NULL;

	assert_int_equal(layer_extract(layer_fd, f->dest, lim, NULL, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, msg) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", msg, err->msg);
	podd_error_free(&err);
}

static void extract_fails(struct fx *f, const struct ent *ents, size_t n, const char *msg)
{
	struct extract_limits lim = extract_limits_default();
	cleanup_close int fd = make_layer(LAYER_PLAIN, ents, n);
	extract_fails_lim(f, fd, &lim, msg);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int count_dest(struct fx *f)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/dest", f->root);
	return count_entries(p);
}

/* Nothing was written beside the layer: the root holds dest and sentinel
 * only, and the sentinel is as the test left it. */
static void assert_outside_untouched(struct fx *f, int sentinel_entries)
{
	char p[128];
	assert_int_equal(count_entries(f->root), 2);
	snprintf(p, sizeof(p), "%s/sentinel", f->root);
	assert_int_equal(count_entries(p), sentinel_entries);
}

static void assert_file(struct fx *f, const char *path, const char *content, mode_t mode)
{
	char buf[256] = { 0 };
	struct stat st;
	cleanup_close int fd = openat(f->dest, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(content));
	assert_string_equal(buf, content);
}

static void assert_symlink(struct fx *f, const char *path, const char *target)
{
	char buf[256] = { 0 };
	assert_int_equal(readlinkat(f->dest, path, buf, sizeof(buf) - 1), (ssize_t)strlen(target));
	assert_string_equal(buf, target);
}

static void test_normal_layer_extracts_files_dirs_links_and_fifo(void **state)
{
	struct fx *f = *state;
	struct extract_stats st;
	struct stat a, b;
	char value[8] = { 0 };
	const struct ent layer[] = {
		{ .path = "./", .type = AE_IFDIR, .perm = 0755 },
		{ .path = "./etc/", .type = AE_IFDIR, .perm = 0755 },
		{ .path = "./etc/hosts", .data = "127.0.0.1 localhost\n", .uid = 1000, .gid = 1001,
		  .xattr = "user.origin" },
		{ .path = "./bin/", .type = AE_IFDIR, .perm = 0711 },
		{ .path = "bin/tool", .data = "#!/bin/sh\n", .perm = 04755, .uid = 0, .gid = 0,
		  .xattr = "trusted.overlay.redirect" },
		/* parents left out of the tar are made */
		{ .path = "usr/lib/deep/file", .data = "deep", .perm = 0600,
		  .xattr = "user.overlay.opaque" },
		{ .path = "etc/abs", .type = AE_IFLNK, .link = "/etc/hosts" },
		{ .path = "etc/rel", .type = AE_IFLNK, .link = "../bin/tool" },
		{ .path = "etc/hard", .hard = true, .link = "./etc/hosts" },
		{ .path = "run/fifo", .type = AE_IFIFO, .perm = 0620 },
		{ .path = "private", .type = AE_IFDIR, .perm = 0700, .mtime = 1500000000 },
		{ .path = "private/later", .data = "x", .perm = 0400 },
	};

	extract_ok(f, LAYER_GZIP, layer, PODD_ARRAY_SIZE(layer), &st);
	assert_int_equal(st.entries, PODD_ARRAY_SIZE(layer));
	assert_int_equal(st.bytes, strlen("127.0.0.1 localhost\n") + strlen("#!/bin/sh\n") + 4 + 1);
	/* trusted.overlay.redirect and user.overlay.opaque (libarchive may
	 * report a pax xattr twice, from its LIBARCHIVE. and SCHILY. records) */
	assert_true(st.xattrs_skipped >= 2);

	assert_file(f, "etc/hosts", "127.0.0.1 localhost\n", 0644);
	assert_int_equal(fstatat(f->dest, "etc/hosts", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(a.st_uid, 1000);
	assert_int_equal(a.st_gid, 1001);
	assert_int_equal(a.st_mtime, 1600000000);
	assert_int_equal(getxattr(f->root, "user.origin", value, sizeof(value)) < 0, 1);
	{
		char p[160];
		snprintf(p, sizeof(p), "%s/dest/etc/hosts", f->root);
		assert_int_equal(getxattr(p, "user.origin", value, sizeof(value)), 1);
		assert_string_equal(value, "v");
		snprintf(p, sizeof(p), "%s/dest/bin/tool", f->root);
		assert_true(getxattr(p, "trusted.overlay.redirect", value, sizeof(value)) < 0);
		snprintf(p, sizeof(p), "%s/dest/usr/lib/deep/file", f->root);
		assert_true(getxattr(p, "user.overlay.opaque", value, sizeof(value)) < 0);
	}
	assert_file(f, "bin/tool", "#!/bin/sh\n", 04755); /* setuid survives the chown */
	assert_file(f, "usr/lib/deep/file", "deep", 0600);
	assert_int_equal(fstatat(f->dest, "bin", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(b.st_mode & 07777, 0711);

	assert_symlink(f, "etc/abs", "/etc/hosts");
	assert_symlink(f, "etc/rel", "../bin/tool");

	assert_int_equal(fstatat(f->dest, "etc/hard", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	assert_int_equal(b.st_nlink, 2);

	assert_int_equal(fstatat(f->dest, "run/fifo", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(b.st_mode));
	assert_int_equal(b.st_mode & 07777, 0620);

	/* a directory's mtime is set after the files in it */
	assert_int_equal(fstatat(f->dest, "private", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(b.st_mtime, 1500000000);
	assert_int_equal(b.st_mode & 07777, 0700);
	assert_outside_untouched(f, 0);
}

static void test_gzip_zstd_and_plain_layers_all_extract(void **state)
{
	struct fx *f = *state;
	const enum layer_filter filters[] = { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };
	const char *names[] = { "plain", "gzip", "zstd" };

	for (size_t i = 0; i < PODD_ARRAY_SIZE(filters); i++) {
		const struct ent layer[] = { { .path = names[i], .data = names[i], .perm = 0640 } };
		extract_ok(f, filters[i], layer, 1, NULL);
		assert_file(f, names[i], names[i], 0640);
	}
}

static void test_dotdot_and_absolute_names_are_refused_nothing_outside(void **state)
{
	struct fx *f = *state;
	char abs[128];

	extract_fails(f, (struct ent[]){ { .path = "../x", .data = "x" } }, 1,
		      "layer: entry \"../x\": \"..\" component refused");
	extract_fails(f, (struct ent[]){ { .path = "a/../../x", .data = "x" } }, 1,
		      "\"..\" component refused");
	extract_fails(f, (struct ent[]){ { .path = "./../sentinel/x", .data = "x" } }, 1,
		      "\"..\" component refused");
	snprintf(abs, sizeof(abs), "%s/sentinel/x", f->root);
	extract_fails(f, (struct ent[]){ { .path = abs, .data = "x" } }, 1,
		      "absolute name refused");
	extract_fails(f, (struct ent[]){ { .path = "/etc/podd-extract-test", .data = "x" } }, 1,
		      "absolute name refused");
	assert_int_equal(access("/etc/podd-extract-test", F_OK), -1);
	/* the hostile name reaches the message escaped, never raw */
	extract_fails(f, (struct ent[]){ { .path = "\x1b[31m/../x", .data = "x" } }, 1,
		      "entry \"\\x1b[31m/../x\"");
	assert_outside_untouched(f, 0);
	assert_int_equal(count_dest(f), 0); /* refused before any directory is made */
}

static void test_symlink_planted_then_written_through_is_refused(void **state)
{
	struct fx *f = *state;
	char sentinel[128];
	struct stat st;

	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", f->root);
	/* absolute target, then a file beneath the link */
	extract_fails(f,
		      (struct ent[]){ { .path = "evil", .type = AE_IFLNK, .link = sentinel },
				      { .path = "evil/file", .data = "pwned" } },
		      2, "layer: entry \"evil/file\": \"evil\" on the way is a symlink, never followed");
	/* relative escape */
	extract_fails(f,
		      (struct ent[]){ { .path = "up", .type = AE_IFLNK, .link = "../" },
				      { .path = "up/sentinel/file", .data = "pwned" } },
		      2, "\"up\" on the way is a symlink");
	/* a directory entry beneath the link, and a link deeper in the tree */
	extract_fails(f,
		      (struct ent[]){ { .path = "d/in", .type = AE_IFLNK, .link = "../../sentinel" },
				      { .path = "d/in/sub/", .type = AE_IFDIR, .perm = 0755 } },
		      2, "\"in\" on the way is a symlink");
	assert_outside_untouched(f, 0);

	/* a file of the same name replaces the link; it is not written through */
	char target[160];
	snprintf(target, sizeof(target), "%s/sentinel/target", f->root);
	const struct ent replace[] = {
		{ .path = "swap", .type = AE_IFLNK, .link = target },
		{ .path = "swap", .data = "mine" },
	};
	extract_ok(f, LAYER_PLAIN, replace, 2, NULL);
	assert_file(f, "swap", "mine", 0644);
	assert_outside_untouched(f, 0);
	/* the planted links themselves are kept, verbatim */
	assert_symlink(f, "evil", sentinel);
	assert_int_equal(fstatat(f->dest, "up", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_hardlink_outside_or_through_symlink_is_refused(void **state)
{
	struct fx *f = *state;
	char secret[128], abs[128];
	struct stat st, ls;

	snprintf(secret, sizeof(secret), "%s/sentinel/secret", f->root);
	cleanup_close int s = open(secret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(s >= 0);

	extract_fails(f, (struct ent[]){ { .path = "h", .hard = true, .link = "../sentinel/secret" } },
		      1, "layer: entry \"h\": hardlink target: \"..\" component refused");
	snprintf(abs, sizeof(abs), "%s", secret);
	extract_fails(f, (struct ent[]){ { .path = "h", .hard = true, .link = abs } }, 1,
		      "hardlink target: absolute name refused");
	extract_fails(f,
		      (struct ent[]){ { .path = "s", .type = AE_IFLNK, .link = "../sentinel" },
				      { .path = "h", .hard = true, .link = "s/secret" } },
		      2, "hardlink target: \"s\" on the way is a symlink");
	char sdir[128];
	snprintf(sdir, sizeof(sdir), "%s/sentinel", f->root);
	extract_fails(f,
		      (struct ent[]){ { .path = "t", .type = AE_IFLNK, .link = sdir },
				      { .path = "h", .hard = true, .link = "t/secret" } },
		      2, "hardlink target: \"t\" on the way is a symlink");
	assert_int_equal(stat(secret, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(fstatat(f->dest, "h", &st, AT_SYMLINK_NOFOLLOW), -1);

	/* a hardlink to a symlink links the symlink, not what it points at */
	extract_ok(f, LAYER_PLAIN, (struct ent[]){ { .path = "h2", .hard = true, .link = "s" } }, 1,
		   NULL);
	assert_int_equal(fstatat(f->dest, "h2", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(f->dest, "s", &ls, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_ino, ls.st_ino);
	assert_outside_untouched(f, 1);
}

static void test_whiteout_becomes_char_device_0_0(void **state)
{
	struct fx *f = *state;
	struct extract_stats st;
	struct stat sb;
	const struct ent layer[] = {
		{ .path = ".wh.gone", .data = "" },
		{ .path = "dir/.wh.old", .data = "" },
		{ .path = "dir/.wh..wh.plnk", .data = "" }, /* aufs bookkeeping: skipped */
	};

	extract_ok(f, LAYER_GZIP, layer, PODD_ARRAY_SIZE(layer), &st);
	assert_int_equal(st.whiteouts, 2);
	assert_int_equal(fstatat(f->dest, "gone", &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(0, 0));
	assert_int_equal(fstatat(f->dest, "dir/old", &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(0, 0));
	assert_int_equal(fstatat(f->dest, ".wh.gone", &sb, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(f->dest, "dir/.wh..wh.plnk", &sb, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(count_dest(f), 2); /* gone, dir */
}

/* Content on a whiteout would be decompressed and dropped outside every
 * limit: refused, as any content on an entry that holds none. */
static void test_whiteout_with_content_is_refused(void **state)
{
	struct fx *f = *state;
	const struct ent wh[] = { { .path = "dir/.wh.x", .data = "bomb" } };
	const struct ent opq[] = { { .path = "dir/.wh..wh..opq", .data = "bomb" } };

	extract_fails(f, wh, PODD_ARRAY_SIZE(wh), "content on an entry that holds none");
	extract_fails(f, opq, PODD_ARRAY_SIZE(opq), "content on an entry that holds none");
}

static void test_opaque_dir_gets_overlay_xattr(void **state)
{
	struct fx *f = *state;
	char p[160], value[8] = { 0 };
	const struct ent layer[] = {
		{ .path = "opaque/", .type = AE_IFDIR, .perm = 0755 },
		{ .path = "opaque/.wh..wh..opq", .data = "" },
		{ .path = "opaque/new", .data = "new" },
	};

	/* trusted.* needs CAP_SYS_ADMIN and a filesystem that has it */
	snprintf(p, sizeof(p), "%s/sentinel", f->root);
	if (setxattr(p, "trusted.podd-probe", "y", 1, 0) < 0) {
		print_message("skipped: %s does not take trusted xattrs here (%s)\n", p,
			      strerror(errno));
		skip();
	}
	removexattr(p, "trusted.podd-probe");
	extract_ok(f, LAYER_PLAIN, layer, PODD_ARRAY_SIZE(layer), NULL);
	snprintf(p, sizeof(p), "%s/dest/opaque", f->root);
	assert_int_equal(getxattr(p, "user.overlay.opaque", value, sizeof(value)), 1);
	assert_string_equal(value, "y");
	assert_file(f, "opaque/new", "new", 0644);
	assert_int_equal(count_entries(p), 1); /* the marker itself is not a file */
}

static void test_device_node_refused_by_default(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	struct stat sb;
	const struct ent chr[] = { { .path = "dev/null", .type = AE_IFCHR, .perm = 0666,
				     .rdev = makedev(1, 3) } };
	const struct ent blk[] = { { .path = "dev/sda", .type = AE_IFBLK, .perm = 0660,
				     .rdev = makedev(8, 0) } };

	extract_fails(f, chr, 1, "layer: entry \"dev/null\": device nodes are not allowed");
	extract_fails(f, blk, 1, "device nodes are not allowed");
	assert_int_equal(fstatat(f->dest, "dev/null", &sb, AT_SYMLINK_NOFOLLOW), -1);

	/* where the engine may make them, they are made */
	lim.allow_devices = true;
	cleanup_close int fd = make_layer(LAYER_PLAIN, chr, 1);
	podd_error_t err = NULL;
	assert_int_equal(layer_extract(fd, f->dest, &lim, NULL, &err), 0);
	assert_int_equal(fstatat(f->dest, "dev/null", &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(1, 3));
	assert_int_equal(sb.st_mode & 07777, 0666);
}

static void test_gzip_bomb_stops_at_the_byte_limit(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	struct stat sb;
	const struct ent bomb[] = { { .path = "zeros", .zeros = 64 << 20 } };
	cleanup_close int fd = make_layer(LAYER_GZIP, bomb, 1);

	assert_int_equal(fstat(fd, &sb), 0);
	assert_true(sb.st_size < 256 * 1024); /* 64 MiB in well under 1/256 of it */
	lim.max_bytes = 1 << 20;
	extract_fails_lim(f, fd, &lim,
			  "layer: entry \"zeros\": layer content exceeds the limit of 1048576 bytes");
	if (fstatat(f->dest, "zeros", &sb, AT_SYMLINK_NOFOLLOW) == 0)
		assert_true(sb.st_size <= 1 << 20);

	/* the per-file limit */
	lim = extract_limits_default();
	lim.max_file_bytes = 1 << 20;
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	extract_fails_lim(f, fd, &lim, "file of 67108864 bytes exceeds the limit of 1048576 bytes");
}

static void test_small_files_add_up_to_the_byte_limit(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	struct extract_stats st;
	podd_error_t err = NULL;
	const struct ent layer[] = {
		{ .path = "a", .zeros = 400 << 10 },
		{ .path = "b", .zeros = 400 << 10 },
		{ .path = "c", .zeros = 400 << 10 },
	};
	cleanup_close int fd = make_layer(LAYER_ZSTD, layer, 3);

	lim.max_bytes = 1 << 20;
	assert_int_equal(layer_extract(fd, f->dest, &lim, &st, &err), -1);
	assert_non_null(strstr(err->msg, "entry \"c\": layer content exceeds the limit of 1048576"));
	podd_error_free(&err);
	assert_int_equal(st.bytes, 800 << 10);
	assert_int_equal(st.entries, 3);
}

static void test_entry_count_and_name_length_limits(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	struct ent many[20];
	char names[20][8];
	char longname[200];

	for (int i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "f%02d", i);
		many[i] = (struct ent){ .path = names[i], .data = "" };
	}
	cleanup_close int fd = make_layer(LAYER_GZIP, many, 20);
	lim.max_entries = 10;
	extract_fails_lim(f, fd, &lim, "entry \"f10\": the layer exceeds the limit of 10 entries");
	assert_int_equal(count_dest(f), 10);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cleanup_close int fd2 = make_layer(LAYER_PLAIN, (struct ent[]){ { .path = longname, .data = "" } }, 1);
	lim = extract_limits_default();
	lim.max_path = 64;
	extract_fails_lim(f, fd2, &lim, "name of 199 bytes exceeds the limit of 64 bytes");
}

/* The same directory named again and again (its name is kept for its
 * mtime each time) stops at the limit on kept names. */
static void test_repeated_directory_names_are_bounded(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	struct ent dirs[40];

	for (int i = 0; i < 40; i++)
		dirs[i] = (struct ent){ .path = "dir", .type = AE_IFDIR, .perm = 0755 };
	cleanup_close int fd = make_layer(LAYER_GZIP, dirs, 40);
	lim.max_dir_names = 100; /* "dir" and its NUL: 25 fit */
	extract_fails_lim(f, fd, &lim, "directory names exceed the limit of 100 bytes");
	cleanup_close int fd2 = make_layer(LAYER_GZIP, dirs, 25);
	podd_error_t err = NULL;
	if (layer_extract(fd2, f->dest, &lim, NULL, &err) < 0)
		fail_msg("25 names should fit: %s", err->msg);
}

static void hex_sha256(const void *buf, size_t n, char out[DIGEST_HEX_LEN + 1])
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(buf, n, sum, &len, EVP_sha256(), NULL), 1);
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* The diff_id computed while unpacking is the sha256 of the whole
 * uncompressed tar (its end padding included), for each compression. */
static void test_extract_digest_is_the_uncompressed_sha256(void **state)
{
	struct fx *f = *state;
	const struct ent ents[] = {
		{ .path = "bin", .type = AE_IFDIR, .perm = 0755 },
		{ .path = "bin/tool", .data = "#!/bin/sh\n", .perm = 0755 },
		{ .path = "big", .zeros = 200000 },
	};
	cleanup_close int plain = make_layer(LAYER_PLAIN, ents, 3);
	static char buf[1 << 20];
	char want[DIGEST_HEX_LEN + 1];
	ssize_t n = read(plain, buf, sizeof(buf));

	assert_true(n > 0 && n < (ssize_t)sizeof(buf));
	hex_sha256(buf, (size_t)n, want);
	for (int filter = LAYER_PLAIN; filter <= LAYER_ZSTD; filter++) {
		cleanup_close int fd = make_layer((enum layer_filter)filter, ents, 3);
		struct digest got;
		uint64_t bytes = 0;
		podd_error_t err = NULL;
		if (layer_extract_digest(fd, f->dest, NULL, NULL, &got, &bytes, &err) < 0)
			fail_msg("filter %d: %s", filter, err->msg);
		assert_string_equal(got.hex, want);
		assert_int_equal(bytes, (uint64_t)n);
		assert_int_equal(layer_remove_tree(f->dest, "bin", &err), 0);
		assert_int_equal(layer_remove_tree(f->dest, "big", &err), 0);
	}
}

/* A layer streamed through a pipe (a pull's UnpackStreamRequest): the
 * same files and diff_id as from the blob, plus the sha256 and length of
 * every compressed byte up to EOF (bytes after the compressed stream
 * included), within the limit on them. */
static void test_extract_stream_hashes_the_blob(void **state)
{
	struct fx *f = *state;
	const struct ent ents[] = {
		{ .path = "bin", .type = AE_IFDIR, .perm = 0755 },
		{ .path = "bin/tool", .data = "#!/bin/sh\n", .perm = 0755 },
		{ .path = "big", .zeros = 200000 },
	};
	static char buf[1 << 20], plain_buf[1 << 20];
	char want_diff[DIGEST_HEX_LEN + 1], want_blob[DIGEST_HEX_LEN + 1];
	cleanup_close int plain = make_layer(LAYER_PLAIN, ents, 3);
	ssize_t plain_n = read(plain, plain_buf, sizeof(plain_buf));

	assert_true(plain_n > 0 && plain_n < (ssize_t)sizeof(plain_buf));
	hex_sha256(plain_buf, (size_t)plain_n, want_diff);
	for (int filter = LAYER_PLAIN; filter <= LAYER_ZSTD; filter++) {
		for (int trailing = 0; trailing <= 1; trailing++) {
			cleanup_close int fd = make_layer((enum layer_filter)filter, ents, 3);
			ssize_t n = read(fd, buf, sizeof(buf) - 16);
			struct digest diff_id, blob;
			uint64_t tar_bytes = 0, blob_bytes = 0;
			podd_error_t err = NULL;
			pid_t pid;
			int status;

			assert_true(n > 0 && n < (ssize_t)sizeof(buf) - 16);
			/* libarchive takes bytes after a zstd frame for another
			 * frame: such a blob fails from the store just the same. */
			if (trailing && filter == LAYER_ZSTD)
				continue;
			if (trailing) {
				memcpy(buf + n, "trailing bytes", 14);
				n += 14;
			}
			hex_sha256(buf, (size_t)n, want_blob);
			int rfd = pipe_from_child(buf, (size_t)n, &pid);
			if (layer_extract_stream(rfd, (uint64_t)n, f->dest, NULL, NULL, &diff_id,
						 &tar_bytes, &blob, &blob_bytes, &err) < 0)
				fail_msg("filter %d, trailing %d: %s", filter, trailing, err->msg);
			close(rfd);
			assert_int_equal(waitpid(pid, &status, 0), pid);
			/* Uncompressed, what follows the tar is the tar's stream. */
			assert_string_equal(diff_id.hex,
					    filter == LAYER_PLAIN ? want_blob : want_diff);
			assert_int_equal(tar_bytes, filter == LAYER_PLAIN ? (uint64_t)n
									  : (uint64_t)plain_n);
			assert_string_equal(blob.hex, want_blob);
			assert_int_equal(blob_bytes, (uint64_t)n);
			assert_int_equal(faccessat(f->dest, "bin/tool", F_OK, AT_SYMLINK_NOFOLLOW), 0);
			assert_int_equal(layer_remove_tree(f->dest, "bin", &err), 0);
			assert_int_equal(layer_remove_tree(f->dest, "big", &err), 0);

			/* One byte over the limit on the compressed stream. */
			rfd = pipe_from_child(buf, (size_t)n, &pid);
			assert_int_equal(layer_extract_stream(rfd, (uint64_t)n - 1, f->dest, NULL,
							      NULL, &diff_id, &tar_bytes, &blob,
							      &blob_bytes, &err),
					 -1);
			assert_non_null(strstr(err->msg, "limit"));
			podd_error_free(&err);
			close(rfd);
			waitpid(pid, &status, 0);
			assert_int_equal(layer_remove_tree(f->dest, "bin", &err), 0);
			assert_int_equal(layer_remove_tree(f->dest, "big", &err), 0);
		}
	}
	assert_outside_untouched(f, 0);
}

/* gzip inside gzip: refused, by the tar reader and by the digest pass. */
static void test_layer_compressed_twice_is_refused(void **state)
{
	struct fx *f = *state;
	const struct ent ents[] = { { .path = "f", .data = "x" } };
	struct extract_limits lim = extract_limits_default();
	cleanup_close int fd = make_layer(LAYER_GZIP_TWICE, ents, 1);
	cleanup_close int fd2 = make_layer(LAYER_GZIP_TWICE, ents, 1);
	struct digest d;
	podd_error_t err = NULL;

	extract_fails_lim(f, fd, &lim, "layer: compressed more than once (gzip inside gzip)");
	assert_int_equal(layer_extract_digest(fd2, f->dest, &lim, NULL, &d, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "compressed more than once"));
	podd_error_free(&err);
	assert_int_equal(count_dest(f), 0);
}

static void test_truncated_archive_is_an_error(void **state)
{
	struct fx *f = *state;
	struct extract_limits lim = extract_limits_default();
	const enum layer_filter filters[] = { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };
	static char noise[256 * 1024];
	uint32_t x = 12345;

	/* content that does not compress, so that half the stream is half
	 * the file */
	for (size_t i = 0; i < sizeof(noise) - 1; i++) {
		x = x * 1103515245 + 12345;
		noise[i] = (char)('A' + (x >> 16) % 26);
	}
	for (size_t i = 0; i < PODD_ARRAY_SIZE(filters); i++) {
		const struct ent layer[] = { { .path = "big", .data = noise },
					     { .path = "after", .data = "x" } };
		cleanup_close int fd = make_layer(filters[i], layer, 2);
		struct stat sb;
		podd_error_t err = NULL;

		assert_int_equal(fstat(fd, &sb), 0);
		assert_int_equal(ftruncate(fd, sb.st_size / 2), 0);
		assert_int_equal(layer_extract(fd, f->dest, &lim, NULL, &err), -1);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, "layer"));
		podd_error_free(&err);
		assert_int_equal(fstatat(f->dest, "after", &sb, AT_SYMLINK_NOFOLLOW), -1);
	}
	assert_outside_untouched(f, 0);
}

static void test_remove_tree_does_not_follow_symlinks(void **state)
{
	struct fx *f = *state;
	char sentinel[128], p[160];
	podd_error_t err = NULL;
	const struct ent layer[] = {
		{ .path = "a/b/c/d", .data = "deep" },
		{ .path = "a/out", .type = AE_IFLNK, .link = sentinel },
		{ .path = "a/b/fifo", .type = AE_IFIFO, .perm = 0600 },
	};

	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", f->root);
	snprintf(p, sizeof(p), "%s/sentinel/keep", f->root);
	cleanup_close int k = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(k >= 0);
	extract_ok(f, LAYER_PLAIN, layer, PODD_ARRAY_SIZE(layer), NULL);
	assert_int_equal(layer_remove_tree(f->dest, "a", &err), 0);
	assert_null(err);
	assert_int_equal(count_dest(f), 0);
	assert_int_equal(access(p, F_OK), 0);
	/* a missing name is not an error */
	assert_int_equal(layer_remove_tree(f->dest, "a", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_normal_layer_extracts_files_dirs_links_and_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_zstd_and_plain_layers_all_extract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_and_absolute_names_are_refused_nothing_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_planted_then_written_through_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_outside_or_through_symlink_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteout_with_content_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteout_becomes_char_device_0_0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opaque_dir_gets_overlay_xattr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_node_refused_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_bomb_stops_at_the_byte_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_files_add_up_to_the_byte_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_count_and_name_length_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_directory_names_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_digest_is_the_uncompressed_sha256, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_extract_stream_hashes_the_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_archive_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_compressed_twice_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree_does_not_follow_symlinks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
