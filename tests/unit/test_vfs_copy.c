/* The vfs driver's copy of image layers (podd-exec/vfs_copy.c), run by the
 * launcher with every capability on container-controlled trees: whiteouts
 * and opaque dirs applied, owners kept, no symlink followed in either
 * tree; and the upper dir's size for ps --size. Needs root (chown, mknod). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "storage.h"

struct fx {
	char dir[64];
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char p[256];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/podd-vfs.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
#define P(s) (snprintf(p, sizeof(p), "%s/%s", fx->dir, s), p)
	assert_int_equal(mkdir(P("base"), 0755), 0);
	assert_int_equal(mkdir(P("top"), 0755), 0);
	assert_int_equal(mkdir(P("dst"), 0700), 0);
	assert_int_equal(mkdir(P("outside"), 0755), 0);
	put(P("outside/target"), "host file\n");
	/* base: a, b, d/x, a link to a host path, a file owned by 1000. */
	put(P("base/a"), "base a\n");
	put(P("base/b"), "base b\n");
	assert_int_equal(mkdir(P("base/d"), 0755), 0);
	put(P("base/d/x"), "base x\n");
	char target[256];
	snprintf(target, sizeof(target), "%s/outside/target", fx->dir);
	assert_int_equal(symlink(target, P("base/link")), 0);
	put(P("base/owned"), "owned\n");
	assert_int_equal(chown(P("base/owned"), 1000, 1000), 0);
	assert_int_equal(chmod(P("base/owned"), 04750), 0);
	/* top: b whited out, d opaque with only y, a new file. */
	assert_int_equal(mknod(P("top/b"), S_IFCHR | 0600, makedev(0, 0)), 0);
	assert_int_equal(mkdir(P("top/d"), 0755), 0);
	assert_int_equal(setxattr(P("top/d"), "user.overlay.opaque", "y", 1, 0), 0);
	put(P("top/d/y"), "top y\n");
	put(P("top/new"), "top new\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	podd_error_t err = NULL;
	assert_int_equal(remove_tree(fx->dir, &err), 0);
	free(fx);
	return 0;
}

static int open_dir(struct fx *fx, const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", fx->dir, name);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void copy(struct fx *fx, const char *layer)
{
	podd_error_t err = NULL;
	int l = open_dir(fx, layer), d = open_dir(fx, "dst");
	assert_int_equal(vfs_copy_layer(l, d, &err), 0);
	close(l);
	close(d);
}

static void test_layers_stack_with_whiteouts_and_opaque_dirs(void **state)
{
	struct fx *fx = *state;
	char p[256];
	struct stat st;

	copy(fx, "base");
	copy(fx, "top");
#undef P
#define P(s) (snprintf(p, sizeof(p), "%s/dst/%s", fx->dir, s), p)
	assert_string_equal(slurp(P("a")), "base a\n");
	assert_int_equal(lstat(P("b"), &st), -1);         /* whited out */
	assert_int_equal(lstat(P("d/x"), &st), -1);       /* hidden by the opaque d */
	assert_string_equal(slurp(P("d/y")), "top y\n");
	assert_string_equal(slurp(P("new")), "top new\n");
	/* Overlay's own markers are not copied into a vfs root. */
	assert_true(getxattr(P("d"), "user.overlay.opaque", NULL, 0) < 0);
	/* Owners and set-id bits as the layer has them. */
	assert_int_equal(lstat(P("owned"), &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_mode & 07777, 04750);
}

static void test_symlinks_are_copied_never_followed(void **state)
{
	struct fx *fx = *state;
	char p[256], link[256];
	struct stat st;
	ssize_t n;

	/* A link planted where the layer has a regular file: the copy must
	 * replace the link, not write through it. */
	snprintf(link, sizeof(link), "%s/outside/target", fx->dir);
	snprintf(p, sizeof(p), "%s/dst/a", fx->dir);
	assert_int_equal(symlink(link, p), 0);
	copy(fx, "base");
	assert_string_equal(slurp(link), "host file\n");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* The layer's own link stays a link. */
	snprintf(p, sizeof(p), "%s/dst/link", fx->dir);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(p, link, sizeof(link) - 1);
	assert_true(n > 0);
}

static void test_tree_size_counts_files_and_hardlinks_once(void **state)
{
	struct fx *fx = *state;
	char p[256], q[256];
	int fd;

	copy(fx, "base");
	snprintf(p, sizeof(p), "%s/dst/a", fx->dir);
	snprintf(q, sizeof(q), "%s/dst/a2", fx->dir);
	assert_int_equal(link(p, q), 0);
	fd = open_dir(fx, "dst");
	/* a 7 + b 7 + d/x 7 + owned 6 + the link's target path. */
	snprintf(p, sizeof(p), "%s/outside/target", fx->dir);
	assert_int_equal(tree_size(fd, 16), 7 + 7 + 7 + 6 + (int64_t)strlen(p));
	close(fd);
}

static void put_size(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc('z', f);
	fclose(f);
}

/* Other names of one inode in a layer are links to one copy, and the
 * bytes written have a budget: a small layer of many names of one big
 * file cannot make the launcher write without end. */
static void test_hardlinks_are_linked_and_copies_budgeted(void **state)
{
	struct fx *fx = *state;
	char p[256], q[256];
	podd_error_t err = NULL;
	struct stat a, b;
	int l, d;

	snprintf(p, sizeof(p), "%s/hl", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/hl/sub", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/hl/big", fx->dir);
	put_size(p, 4096);
	for (int i = 0; i < 200; i++) {
		snprintf(q, sizeof(q), "%s/hl/%sh%d", fx->dir, i % 2 ? "sub/" : "", i);
		assert_int_equal(link(p, q), 0);
	}
	/* 201 names of 4096 bytes: within 8192 only as one copy. */
	l = open_dir(fx, "hl");
	d = open_dir(fx, "dst");
	assert_int_equal(vfs_copy_layer_budget(l, d, 8192, &err), 0);
	snprintf(p, sizeof(p), "%s/dst/big", fx->dir);
	snprintf(q, sizeof(q), "%s/dst/sub/h199", fx->dir);
	assert_int_equal(lstat(p, &a), 0);
	assert_int_equal(lstat(q, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 201);
	assert_int_equal(b.st_size, 4096);
	close(l);
	close(d);

	/* Two distinct files over the budget: a clear error. */
	snprintf(p, sizeof(p), "%s/fat", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/fat/one", fx->dir);
	put_size(p, 4096);
	snprintf(p, sizeof(p), "%s/fat/two", fx->dir);
	put_size(p, 4096);
	snprintf(p, sizeof(p), "%s/dst2", fx->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	l = open_dir(fx, "fat");
	d = open_dir(fx, "dst2");
	assert_int_equal(vfs_copy_layer_budget(l, d, 6000, &err), -1);
	assert_non_null(strstr(err->msg, "budget"));
	podd_error_free(&err);
	close(l);
	close(d);
}

/* The size walk remembers a bounded number of hardlinked inodes: past
 * the bound the size is unknown (-1), never a double count. */
static void test_tree_size_bounds_its_inode_set(void **state)
{
	struct fx *fx = *state;
	char p[256], q[256];
	int fd;

	snprintf(p, sizeof(p), "%s/sz", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/sz/f%d", fx->dir, i);
		put_size(p, 10);
		snprintf(q, sizeof(q), "%s/sz/g%d", fx->dir, i);
		assert_int_equal(link(p, q), 0);
	}
	fd = open_dir(fx, "sz");
	assert_int_equal(tree_size_capped(fd, 16, 3), 30);
	assert_int_equal(tree_size_capped(fd, 16, 2), -1);
	assert_int_equal(tree_size(fd, 16), 30);
	close(fd);
}

struct swapper {
	int dirfd;
	volatile int stop;
};

/* Exchanges a regular file and a FIFO under one name, as fast as it can. */
static void *swap_loop(void *arg)
{
	struct swapper *sw = arg;
	while (!sw->stop)
		renameat2(sw->dirfd, "victim", sw->dirfd, "other", RENAME_EXCHANGE);
	return NULL;
}

static void hung(int sig)
{
	(void)sig;
	static const char msg[] = "vfs copy blocked on a FIFO swapped in\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A FIFO put in place of a layer's regular file between the copy's stat
 * and its open: the copy must fail (or copy what it saw), never block
 * the launcher; the alarm fails the test if it does. */
static void test_a_fifo_swapped_in_does_not_block(void **state)
{
	struct fx *fx = *state;
	char p[256];
	struct swapper sw = { .stop = 0 };
	pthread_t th;
	int changed = 0, l, d;

	snprintf(p, sizeof(p), "%s/race", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/race/victim", fx->dir);
	put(p, "regular\n");
	snprintf(p, sizeof(p), "%s/race/other", fx->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	l = open_dir(fx, "race");
	d = open_dir(fx, "dst");
	sw.dirfd = l;
	signal(SIGALRM, hung);
	alarm(30);
	assert_int_equal(pthread_create(&th, NULL, swap_loop, &sw), 0);
	for (int i = 0; i < 200000 && changed < 3; i++) {
		podd_error_t err = NULL;
		if (vfs_copy_layer(l, d, &err) < 0) {
			if (strstr(err->msg, "changed"))
				changed++;
			podd_error_free(&err);
		}
		unlinkat(d, "victim", 0);
	}
	sw.stop = 1;
	pthread_join(th, NULL);
	alarm(0);
	close(l);
	close(d);
	/* The race was met: the copy saw a FIFO where it had stat'ed a file. */
	assert_true(changed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layers_stack_with_whiteouts_and_opaque_dirs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_are_copied_never_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hardlinks_are_linked_and_copies_budgeted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tree_size_bounds_its_inode_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_fifo_swapped_in_does_not_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tree_size_counts_files_and_hardlinks_once,
						setup, teardown),
	};
	if (geteuid() != 0) {
		printf("# SKIP needs root (chown, mknod)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
