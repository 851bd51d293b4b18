/* The launcher's check of a bundle the worker wrote (podd-exec/
 * bundle_check.c): what podd writes passes, what would give a worker the
 * launcher's rights does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_check.h"
#include "pin.h"

#define DIR "/run/podd/containers/0123"

/* A config.json as bundle.c writes it, with `extra` spliced into the
 * top-level object and `mount` added to the mounts. */
static const char base[] =
	"{\"ociVersion\":\"1.0.2\","
	"\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
	"\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\","
	"\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\",\"CAP_KILL\"]},\"rlimits\":[],"
	"\"noNewPrivileges\":false,\"oomScoreAdj\":0},"
	"\"root\":{\"path\":\"%s\",\"readonly\":false},\"hostname\":\"h\","
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"" DIR "/hosts\","
	"\"options\":[\"bind\",\"rprivate\"]},"
	"{\"destination\":\"/run/podman-init\",\"type\":\"bind\","
	"\"source\":\"/usr/bin/catatonit\",\"options\":[\"bind\",\"ro\"]}%s],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}%s],"
	"\"cgroupsPath\":\"/podd/podd-0123\"}%s}";

#define STATIC "/var/lib/podd"
#define TMP "/run/podd"
#define IMAGE_ROOT TMP "/storage/containers/0123/merged"

static int check_root(const char *root, const char *mount, const char *ns, const char *extra)
{
	static const char *const guarded[] = { STATIC, TMP, NULL };
	char text[4096];
	podd_error_t err = NULL;
	json_object *cfg;
	int r;

	snprintf(text, sizeof(text), base, root, mount, ns, extra);
	cfg = json_tokener_parse(text);
	assert_non_null(cfg);
	r = bundle_check_config(cfg, DIR, IMAGE_ROOT, guarded, &err);
	if (r < 0) {
		assert_int_equal(err->code, PODD_E_NOT_PERMITTED);
		podd_error_free(&err);
	}
	json_object_put(cfg);
	return r;
}

static int check(const char *mount, const char *ns, const char *extra)
{
	return check_root("/rootfs", mount, ns, extra);
}

static void test_the_image_root_and_a_rootfs_dir_pass(void **state)
{
	(void)state;
	assert_int_equal(check_root(IMAGE_ROOT, "", "", ""), 0);
	assert_int_equal(check_root("/srv/rootfs", "", "", ""), 0);
}

static void test_other_roots_in_the_engines_dirs_are_refused(void **state)
{
	(void)state;
	/* Another container's root, an upper dir, a layer, the dirs themselves. */
	assert_int_equal(check_root(TMP "/storage/containers/4567/merged", "", "", ""), -1);
	assert_int_equal(check_root(STATIC "/storage/containers/0123/upper", "", "", ""), -1);
	assert_int_equal(check_root(STATIC "/storage/layers/89ab/diff", "", "", ""), -1);
	assert_int_equal(check_root(TMP, "", "", ""), -1);
	assert_int_equal(check_root(IMAGE_ROOT "/..", "", "", ""), -1);
	assert_int_equal(check_root("/", "", "", ""), -1);
	assert_int_equal(check_root("rootfs", "", "", ""), -1);
	/* A neighbour of a guarded dir by prefix only is not inside it. */
	assert_int_equal(check_root("/run/podd-other/rootfs", "", "", ""), 0);
}

static void test_what_podd_writes_passes(void **state)
{
	(void)state;
	assert_int_equal(check("", "", ""), 0);
}

static void test_hooks_are_refused(void **state)
{
	(void)state;
	assert_int_equal(check("", "", ",\"hooks\":{\"prestart\":[{\"path\":\"/bin/sh\"}]}"), -1);
}

static void test_unknown_keys_are_refused(void **state)
{
	(void)state;
	assert_int_equal(check("", "", ",\"annotations\":{}"), -1);
}

static void test_joining_a_namespace_by_path_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check("", ",{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}", ""), -1);
}

static void test_host_bind_mounts_are_refused(void **state)
{
	(void)state;
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/\"}", "",
			       ""),
			 -1);
	/* rbind in the options of another type is a bind too */
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"none\",\"source\":\"/etc\","
			       "\"options\":[\"rbind\"]}",
			       "", ""),
			 -1);
	/* escaping the bundle directory, or a subdirectory of it */
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"" DIR
			       "/../../../etc\"}",
			       "", ""),
			 -1);
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"" DIR
			       "/..\"}",
			       "", ""),
			 -1);
	/* a directory whose name starts like the bundle's */
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"" DIR
			       "9/hosts\"}",
			       "", ""),
			 -1);
}

static void test_kernel_filesystems_from_paths_are_refused(void **state)
{
	(void)state;
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"ext4\",\"source\":\"/dev/sda1\"}",
			       "", ""),
			 -1);
	assert_int_equal(check(",{\"destination\":\"/h\",\"type\":\"tmpfs\",\"source\":\"/x\"}", "",
			       ""),
			 -1);
	assert_int_equal(check(",{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}",
			       "", ""),
			 0);
}

static void test_exec_capabilities_must_be_the_containers(void **state)
{
	char text[4096];
	podd_error_t err = NULL;
	json_object *cfg, *ok, *more;
	(void)state;

	snprintf(text, sizeof(text), base, "/rootfs", "", "", "");
	cfg = json_tokener_parse(text);
	ok = json_tokener_parse("{\"args\":[\"id\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":"
				"[\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\"]}}");
	more = json_tokener_parse("{\"args\":[\"id\"],\"cwd\":\"/\",\"capabilities\":{"
				  "\"effective\":[\"CAP_SYS_ADMIN\"]}}");
	assert_int_equal(bundle_check_process(ok, cfg, &err), 0);
	assert_int_equal(bundle_check_process(more, cfg, &err), -1);
	podd_error_free(&err);
	json_object_put(more);
	more = json_tokener_parse("{\"args\":[\"id\"],\"cwd\":\"/\",\"selinuxLabel\":\"x\"}");
	assert_int_equal(bundle_check_process(more, cfg, &err), -1);
	podd_error_free(&err);
	json_object_put(more);
	json_object_put(ok);
	json_object_put(cfg);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
	static char buf[256];
	char path[4200];
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int read_at(int dirfd, const char *name)
{
	podd_error_t err = NULL;
	json_object *j = NULL;
	char *raw = NULL;
	size_t len = 0;
	int r = bundle_read_at(dirfd, name, &j, &raw, &len, &err);
	if (r == 0)
		assert_int_equal(len, strlen(raw));
	podd_error_free(&err);
	json_object_put(j);
	free(raw);
	return r;
}

/* The bundle's files: regular, beneath the dir, no link on the way, one
 * JSON value; a FIFO does not block. */
static void test_bundle_files_are_read_beneath_without_links(void **state)
{
	char dir[] = "/tmp/podd-bc-XXXXXX", path[4200], other[4200];
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	assert_int_equal(mkdir(other, 0700), 0);
	put(other, "config.json", "{}");
	put(dir, "config.json", "{\"a\":1}\n");
	snprintf(path, sizeof(path), "%s/exec", dir);
	assert_int_equal(symlink("elsewhere", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	put(dir, "trailing", "{} {\"hooks\":{}}");
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	assert_int_equal(read_at(dfd, "config.json"), 0);
	assert_int_equal(read_at(dfd, "elsewhere/config.json"), 0);
	/* A link as a directory on the way is refused (O_NOFOLLOW is not). */
	assert_int_equal(read_at(dfd, "exec/config.json"), -1);
	assert_int_equal(read_at(dfd, "../config.json"), -1);
	assert_int_equal(read_at(dfd, "fifo"), -1);
	assert_int_equal(read_at(dfd, "trailing"), -1);
	close(dfd);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* A pinned file reads as the checked bytes and the worker can neither
 * write, replace nor remove it; released, the name is the worker's own
 * file again. */
/* The bundle dir pinned over its own name: the worker can neither rename
 * it away nor put another in its place while a spawn runs; the release
 * takes that pin (and the file pins inside it) off, and pins_release_under
 * finds one a dead launcher left on the dir itself. */
static void test_a_pinned_bundle_dir_cannot_be_moved(void **state)
{
	char dir[] = "/tmp/podd-pindir-XXXXXX", bundle[4200], moved[4200], other[4200];
	podd_error_t err = NULL;
	int parent, bfd, mnt, inner;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(bundle, sizeof(bundle), "%s/b", dir);
	snprintf(moved, sizeof(moved), "%s/moved", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	assert_int_equal(mkdir(bundle, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	put(bundle, "config.json", "worker's");
	parent = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	bfd = openat(parent, "b", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(parent >= 0 && bfd >= 0);
	mnt = pin_dir(parent, "b", bfd, &err);
	assert_true(mnt >= 0);
	assert_int_equal(rename(bundle, moved), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(rename(other, bundle), -1);
	assert_int_equal(rmdir(bundle), -1);
	/* A file pin inside it goes with it. */
	inner = fcntl(mnt, F_DUPFD_CLOEXEC, 0);
	assert_int_equal(pin_file(inner, "config.json", "checked", 7, &err), 0);
	assert_string_equal(slurp(bundle, "config.json"), "checked");
	close(inner);
	pin_dir_release(mnt);
	assert_string_equal(slurp(bundle, "config.json"), "worker's");
	assert_int_equal(rename(bundle, moved), 0);
	assert_int_equal(rename(moved, bundle), 0);

	/* Left on the dir itself by a launcher that died. */
	mnt = pin_dir(parent, "b", bfd, &err);
	assert_true(mnt >= 0);
	close(mnt); /* the mount stays */
	pins_release_under(bundle);
	assert_int_equal(rename(bundle, moved), 0);
	close(bfd);
	close(parent);
	bfd = open(moved, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(unlinkat(bfd, "config.json", 0), 0);
	close(bfd);
	assert_int_equal(rmdir(moved), 0);
	assert_int_equal(rmdir(other), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_a_pinned_file_cannot_be_changed(void **state)
{
	char dir[] = "/tmp/podd-pin-XXXXXX", path[4200], moved[4200], sub[4200];
	podd_error_t err = NULL;
	int dfd, fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	put(dir, "config.json", "worker's");
	put(dir, "evil", "evil");
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(pin_file(dfd, "config.json", "checked", 7, &err), 0);
	assert_string_equal(slurp(dir, "config.json"), "checked");

	snprintf(path, sizeof(path), "%s/config.json", dir);
	snprintf(moved, sizeof(moved), "%s/evil", dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(rename(moved, path), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(unlink(path), -1);
	assert_int_equal(errno, EBUSY);
	assert_string_equal(slurp(dir, "config.json"), "checked");

	pin_release(dfd, "config.json");
	assert_string_equal(slurp(dir, "config.json"), "worker's");

	/* One left by a launcher that died: released by the bundle dir. */
	snprintf(sub, sizeof(sub), "%s/s", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(sub, "process.json", "worker's");
	fd = open(sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(pin_file(fd, "process.json", "checked", 7, &err), 0);
	assert_string_equal(slurp(sub, "process.json"), "checked");
	close(fd);
	pins_release_under(dir);
	assert_string_equal(slurp(sub, "process.json"), "worker's");

	close(dfd);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* A bind source: a regular file of the bundle's own, pinned as it is; a
 * link to a host path, a hard link, a FIFO are refused, and nothing can
 * be renamed over a pinned one. */
static void test_bind_sources_are_pinned_regular_files(void **state)
{
	char dir[] = "/tmp/podd-bind-XXXXXX", path[4200], other[4200];
	podd_error_t err = NULL;
	struct stat before, after;
	int dfd;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	put(dir, "hosts", "127.0.0.1 localhost\n");
	put(dir, "evil", "x");
	snprintf(path, sizeof(path), "%s/root", dir);
	assert_int_equal(symlink("/", path), 0);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	snprintf(other, sizeof(other), "%s/linked", dir);
	put(dir, "twice", "x");
	snprintf(path, sizeof(path), "%s/twice", dir);
	assert_int_equal(link(path, other), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	assert_int_equal(pin_self(dfd, "root", &err), -1);
	podd_error_free(&err);
	assert_int_equal(pin_self(dfd, "twice", &err), -1);
	podd_error_free(&err);
	assert_int_equal(pin_self(dfd, "fifo", &err), -1);
	podd_error_free(&err);
	assert_int_equal(pin_self(dfd, "../etc", &err), -1);
	podd_error_free(&err);

	snprintf(path, sizeof(path), "%s/hosts", dir);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(pin_self(dfd, "hosts", &err), 0);
	snprintf(other, sizeof(other), "%s/root", dir);
	assert_int_equal(rename(other, path), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(lstat(path, &after), 0);
	assert_true(S_ISREG(after.st_mode));
	assert_int_equal(after.st_ino, before.st_ino);
	pin_release(dfd, "hosts");
	assert_int_equal(rename(other, path), 0);

	close(dfd);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static int root_fs(const char *root, const char *image_root, const char *g1, const char *g2)
{
	const char *const guarded[] = { g1, g2, NULL };
	char text[4096];
	podd_error_t err = NULL;
	json_object *cfg;
	int r;

	snprintf(text, sizeof(text), "{\"root\":{\"path\":\"%s\"}}", root);
	cfg = json_tokener_parse(text);
	assert_non_null(cfg);
	r = bundle_check_root_fs(cfg, image_root, guarded, &err);
	podd_error_free(&err);
	json_object_put(cfg);
	return r;
}

/* root.path on the filesystem: no alias of an engine dir (a link on the
 * way, /proc/self/root), no dir holding one, and the image root only as
 * a mount. */
static void test_roots_are_checked_on_the_filesystem(void **state)
{
	char t[] = "/tmp/podd-root-XXXXXX", p[4200], st[4200], tmp[4200], alias[4200];
	char img[4200], rootfs[4200];

	(void)state;
	assert_non_null(mkdtemp(t));
	snprintf(st, sizeof(st), "%s/static", t);
	snprintf(tmp, sizeof(tmp), "%s/tmp", t);
	snprintf(img, sizeof(img), "%s/tmp/merged", t);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", t);
	assert_int_equal(mkdir(st, 0700), 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(mkdir(img, 0700), 0);
	assert_int_equal(mkdir(rootfs, 0700), 0);
	snprintf(p, sizeof(p), "%s/static/layer", t);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(alias, sizeof(alias), "%s/alias", t);
	assert_int_equal(symlink("static", alias), 0);

	assert_int_equal(root_fs(rootfs, img, st, tmp), 0);
	/* The string check (bundle_check_config) lets these through. */
	assert_int_equal(check_root("/x", "", "", ""), 0);
	snprintf(p, sizeof(p), "%s/alias/layer", t);
	assert_int_equal(root_fs(p, img, st, tmp), -1);
	snprintf(p, sizeof(p), "/proc/self/root%s/static/layer", t);
	assert_int_equal(root_fs(p, img, st, tmp), -1);
	/* A directory holding an engine dir. */
	assert_int_equal(root_fs(t, img, st, tmp), -1);
	/* Inside one, by its own path. */
	snprintf(p, sizeof(p), "%s/static/layer", t);
	assert_int_equal(root_fs(p, img, st, tmp), -1);
	/* The image root: only when mounted. */
	assert_int_equal(root_fs(img, img, st, tmp), -1);
	if (geteuid() == 0) {
		assert_int_equal(mount(rootfs, img, NULL, MS_BIND, NULL), 0);
		assert_int_equal(root_fs(img, img, st, tmp), 0);
		assert_int_equal(umount2(img, MNT_DETACH), 0);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", t);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_podd_writes_passes),
		cmocka_unit_test(test_bundle_files_are_read_beneath_without_links),
		cmocka_unit_test(test_a_pinned_file_cannot_be_changed),
		cmocka_unit_test(test_a_pinned_bundle_dir_cannot_be_moved),
		cmocka_unit_test(test_bind_sources_are_pinned_regular_files),
		cmocka_unit_test(test_roots_are_checked_on_the_filesystem),
		cmocka_unit_test(test_the_image_root_and_a_rootfs_dir_pass),
		cmocka_unit_test(test_other_roots_in_the_engines_dirs_are_refused),
		cmocka_unit_test(test_hooks_are_refused),
		cmocka_unit_test(test_unknown_keys_are_refused),
		cmocka_unit_test(test_joining_a_namespace_by_path_is_refused),
		cmocka_unit_test(test_host_bind_mounts_are_refused),
		cmocka_unit_test(test_kernel_filesystems_from_paths_are_refused),
		cmocka_unit_test(test_exec_capabilities_must_be_the_containers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
