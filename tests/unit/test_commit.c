/* podd-image's commit (podd-image/commit.c) on a real store: an image of
 * two layers unpacked by store_image_from_manifest, a container's upper
 * dir made by hand with overlay's markers (char 0/0 whiteouts,
 * user.overlay.opaque) and hostile turns (a lower symlink where the upper
 * has a directory, an upper symlink over a lower directory), then
 * image_commit with and without squash: the layer's entries, its config's
 * diff_ids, history and the container's settings. Each test runs in its
 * own store in a fresh mkdtemp directory; the whiteouts need mknod, so
 * the tests skip without CAP_MKNOD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "commit.h"
#include "store.h"

#define CTR_ID "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

#include "store_fixture.h"

/* A layer entry: 'd' dir, 'f' file (data), 'l' symlink (data: target). */
struct ent {
	char kind;
	const char *name, *data;
};

struct layer {
	char tar[65536];
	size_t len;
	struct digest blob;
	char diff_id[72];
};

static void layer_make(int storefd, struct layer *l, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	unsigned char raw[32];
	unsigned int rn = 0;
	char hex[65];

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, l->tar, sizeof(l->tar), &l->len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = ents[i].kind == 'f' ? strlen(ents[i].data) : 0;
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_filetype(e, ents[i].kind == 'd'   ? AE_IFDIR
					      : ents[i].kind == 'l' ? AE_IFLNK
								    : AE_IFREG);
		archive_entry_set_perm(e, ents[i].kind == 'd' ? 0755 : 0644);
		if (ents[i].kind == 'l')
			archive_entry_set_symlink(e, ents[i].data);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, ents[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	put_blob(storefd, l->tar, l->len, &l->blob);
	assert_int_equal(EVP_Digest(l->tar, l->len, raw, &rn, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < rn; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	snprintf(l->diff_id, sizeof(l->diff_id), "sha256:%s", hex);
}

/* The base image: two layers; its manifest digest and config (id). */
static void base_image(int storefd, struct digest *md, struct digest *cfg_d)
{
	static const struct ent l1[] = {
		{ 'd', "a", NULL },	    { 'f', "a/keep", "k\n" }, { 'f', "a/gone", "g\n" },
		{ 'd', "b", NULL },	    { 'f', "b/old", "o\n" },  { 'f', "c", "c\n" },
		{ 'd', "d", NULL },	    { 'f', "d/x", "x\n" },    { 'd', "link", NULL },
		{ 'f', "link/inner", "i\n" }, { 'f', "f", "f1\n" },
	};
	static const struct ent l2[] = {
		{ 'f', "a/.wh.gone", "" },     { 'd', "b", NULL },  { 'f', "b/.wh..wh..opq", "" },
		{ 'f', "b/new", "n\n" },       { 'l', "e", "/" },   { 'f', "f", "f2\n" },
	};
	struct layer *ls = calloc(2, sizeof(*ls));
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	char cfg[2048], man[4096];
	size_t clen, mlen;

	assert_non_null(ls);
	layer_make(storefd, &ls[0], l1, sizeof(l1) / sizeof(l1[0]));
	layer_make(storefd, &ls[1], l2, sizeof(l2) / sizeof(l2[0]));
	clen = (size_t)snprintf(cfg, sizeof(cfg),
				"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
				"\"2024-01-02T03:04:05Z\",\"config\":{\"Cmd\":[\"sh\"],\"Env\":"
				"[\"A=image\",\"B=image\"],\"StopSignal\":\"SIGUSR1\"},"
				"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]},"
				"\"history\":[{\"created_by\":\"one\"},{\"created_by\":\"two\"}]}",
				ls[0].diff_id, ls[1].diff_id);
	put_blob(storefd, cfg, clen, cfg_d);
	mlen = (size_t)snprintf(
		man, sizeof(man),
		"{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
		"\"digest\":\"sha256:%s\",\"size\":%zu},\"layers\":["
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":"
		"\"sha256:%s\",\"size\":%zu},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":"
		"\"sha256:%s\",\"size\":%zu}]}",
		MEDIA_OCI_MANIFEST, MEDIA_OCI_CONFIG, cfg_d->hex, clen, ls[0].blob.hex, ls[0].len,
		ls[1].blob.hex, ls[1].len);
	put_blob(storefd, man, mlen, md);
	assert_int_equal(store_image_from_manifest(storefd, md, NULL, &rec, &err), 0);
	free(ls);
}

static void put_file(int dirfd, const char *name, const char *data)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

/* The container's upper dir, as overlay (userxattr) leaves it: a/up added,
 * c removed (whiteout), d replaced by an opaque dir holding y, e (a
 * symlink to / below) made a directory holding mine, link (a directory
 * below) made a symlink, /new added. False when mknod is not allowed. */
static bool make_upper(int storefd)
{
	cleanup_close int up = -1, d = -1;

	assert_int_equal(mkdirat(storefd, "containers", 0700), 0);
	assert_int_equal(mkdirat(storefd, "containers/" CTR_ID, 0700), 0);
	assert_int_equal(mkdirat(storefd, "containers/" CTR_ID "/upper", 0755), 0);
	up = openat(storefd, "containers/" CTR_ID "/upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(up >= 0);
	if (mknodat(up, "c", S_IFCHR | 0, makedev(0, 0)) < 0) {
		assert_int_equal(errno, EPERM);
		return false;
	}
	assert_int_equal(mkdirat(up, "a", 0755), 0);
	put_file(up, "a/up", "u\n");
	assert_int_equal(mkdirat(up, "d", 0755), 0);
	d = openat(up, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(d >= 0);
	assert_int_equal(fsetxattr(d, "user.overlay.opaque", "y", 1, 0), 0);
	put_file(up, "d/y", "y\n");
	assert_int_equal(mkdirat(up, "e", 0755), 0);
	put_file(up, "e/mine", "m\n");
	assert_int_equal(symlinkat("/etc", up, "link"), 0);
	put_file(up, "new", "new\n");
	return true;
}

/* The entries of layer blob `diff_id` ("sha256:<hex>"), space-separated,
 * directories with a trailing '/', symlinks as name->target. */
static char *layer_listing(int storefd, const char *diff_id)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char path[128], *out = calloc(1, 65536);
	int fd;

	snprintf(path, sizeof(path), "blobs/sha256/%s", diff_id + 7);
	fd = openat(storefd, path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_fd(a, fd, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e);
		strcat(out, n);
		if (archive_entry_filetype(e) == AE_IFDIR && n[strlen(n) - 1] != '/')
			strcat(out, "/");
		if (archive_entry_filetype(e) == AE_IFLNK) {
			strcat(out, "->");
			strcat(out, archive_entry_symlink(e));
		}
		strcat(out, " ");
	}
	archive_read_free(a);
	close(fd);
	return out;
}

static json_object *config_of(int storefd, const Podd__ImageRecord *rec)
{
	struct digest d;
	cleanup_free char *buf = NULL;
	size_t len;
	podd_error_t err = NULL;

	memcpy(d.hex, rec->id, sizeof(d.hex));
	assert_int_equal(store_read_blob(storefd, &d, 1 << 20, &buf, &len, &err), 0);
	return json_tokener_parse(buf);
}

static json_object *jget(json_object *o, const char *path)
{
	char key[64];
	const char *p = path;
	while (o && *p) {
		size_t k = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)k, p);
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += k + (p[k] == '.');
	}
	return o;
}

static const char *jstr(json_object *o, const char *path)
{
	o = jget(o, path);
	return o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE)
		 : NULL;
}

static size_t jlen(json_object *o, const char *path)
{
	o = jget(o, path);
	assert_true(o && json_object_is_type(o, json_type_array));
	return json_object_array_length(o);
}

static void commit_args_init(struct commit_args *c, const struct digest *md,
			     const struct digest *cfg_d, char *mname)
{
	snprintf(mname, 80, "sha256:%s", md->hex);
	*c = (struct commit_args){
		.container_id = CTR_ID,
		.image_id = cfg_d->hex,
		.manifest_digest = mname,
		.author = "",
		.message = "",
		.created_ns = 1700000000000000000,
	};
}

/* The base image and a container's upper dir over it, committed (with
 * `squash` or not); the test is skipped where the upper dir cannot be
 * made (no overlay whiteouts without CAP_MKNOD). */
static Podd__ImageRecord *commit_over_upper(struct store *s, bool squash)
{
	Podd__ImageRecord *rec = NULL;
	struct digest md, cfg_d;
	struct commit_args c;
	char mname[80];
	podd_error_t err = NULL;

	base_image(s->fd, &md, &cfg_d);
	if (!make_upper(s->fd))
		skip();
	commit_args_init(&c, &md, &cfg_d, mname);
	c.squash = squash;
	assert_int_equal(image_commit(s->fd, &c, NULL, &rec, &err), 0);
	return rec;
}

static void test_squash_merges_the_layers_as_overlay_does(void **state)
{
	struct store *s = *state;
	cleanup_image_record Podd__ImageRecord *rec = commit_over_upper(s, true);
	assert_int_equal(rec->n_layers, 1);
	cleanup_free char *l = layer_listing(s->fd, rec->layers[0]);
	/* a: upper's and both layers' (gone whited out in layer 2); b: only
	 * layer 2's (opaque there); c: whited out in the upper; d: opaque in
	 * the upper; e: the upper's dir, the symlink to / below never
	 * followed; f: layer 2's; link: the upper's symlink, not layer 1's
	 * dir. */
	assert_string_equal(l, "a/ a/keep a/up b/ b/new d/ d/y e/ e/mine f link->/etc new ");
	json_object *cfg = config_of(s->fd, rec);
	assert_non_null(cfg);
	assert_int_equal(jlen(cfg, "rootfs.diff_ids"), 1);
	assert_int_equal(jlen(cfg, "history"), 1);
	/* The new entry (podman's "/bin/sh"), not "one". */
	assert_string_equal(json_object_get_string(jget(cfg, "history.0.created_by")), "/bin/sh");
	json_object_put(cfg);
}

static void test_without_squash_the_layer_has_the_markers(void **state)
{
	struct store *s = *state;
	cleanup_image_record Podd__ImageRecord *rec = commit_over_upper(s, false);
	assert_int_equal(rec->n_layers, 3);
	cleanup_free char *l = layer_listing(s->fd, rec->layers[2]);
	assert_string_equal(l, "a/ a/up .wh.c d/ d/.wh..wh..opq d/y e/ e/mine link->/etc new ");
	json_object *cfg = config_of(s->fd, rec);
	assert_int_equal(jlen(cfg, "history"), 3);
	assert_int_equal(jlen(cfg, "rootfs.diff_ids"), 3);
	json_object_put(cfg);
}

static void test_the_containers_settings_go_before_the_changes(void **state)
{
	struct store *s = *state;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	char *env[] = { "container=podd", "B=ctr", "NEW=1" };
	char *ep[] = { "/bin/echo" };
	char *changes[] = { "ENV NEW=2", "USER 3" };
	struct commit_container ct = {
		.env = env,
		.n_env = 3,
		.entrypoint = ep,
		.n_entrypoint = 1,
		.user = "1:1",
		.working_dir = "/tmp",
	};
	struct digest md, cfg_d;
	struct commit_args c;
	char mname[80];
	podd_error_t err = NULL;

	base_image(s->fd, &md, &cfg_d);
	commit_args_init(&c, &md, &cfg_d, mname);
	c.container = &ct;
	c.changes = changes;
	c.n_changes = 2;
	/* No upper dir: a container never started. */
	assert_int_equal(image_commit(s->fd, &c, NULL, &rec, &err), 0);
	assert_int_equal(rec->n_layers, 3);
	cleanup_free char *l = layer_listing(s->fd, rec->layers[2]);
	assert_string_equal(l, "");
	json_object *cfg = config_of(s->fd, rec);
	assert_string_equal(jstr(cfg, "config.Env"),
			    "[\"A=image\",\"B=ctr\",\"container=podd\",\"NEW=2\"]");
	assert_string_equal(jstr(cfg, "config.Entrypoint"), "[\"/bin/echo\"]");
	assert_null(jstr(cfg, "config.Cmd")); /* the image's "sh" is not the container's */
	assert_string_equal(jstr(cfg, "config.User"), "\"3\"");
	assert_string_equal(jstr(cfg, "config.WorkingDir"), "\"/tmp\"");
	assert_string_equal(jstr(cfg, "config.StopSignal"), "\"SIGUSR1\"");
	json_object_put(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_squash_merges_the_layers_as_overlay_does,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_without_squash_the_layer_has_the_markers,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_the_containers_settings_go_before_the_changes,
						store_setup, store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
