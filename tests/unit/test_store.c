/* podd-image's layer store (podd-image/store.c): chain ids by the OCI
 * formula, images made from manifests in the blob store, layers unpacked
 * once and shared, a diff_id or layer that does not check out stores
 * nothing, and gc keeps exactly what the kept images need. Each test runs
 * in its own store in a fresh mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "extract.h"
#include "store.h"

#include "pipe_child.h"
#include "store_fixture.h"

static void sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char raw[32];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(buf, len, raw, &n, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* An uncompressed layer: one file `name` with `content` (name may be
 * hostile). */
static size_t make_layer(char *buf, size_t size, const char *name, const char *content)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, size, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(content));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, content, strlen(content)), (la_ssize_t)strlen(content));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return used;
}

struct layer {
	char tar[16384];
	size_t len;
	struct digest blob;
	char diff_id[72]; /* what the config will claim */
};

static void layer_add(int storefd, struct layer *l, const char *name, const char *content)
{
	char hex[65];
	l->len = make_layer(l->tar, sizeof(l->tar), name, content);
	put_blob(storefd, l->tar, l->len, &l->blob);
	sha256_hex(l->tar, l->len, hex);
	snprintf(l->diff_id, sizeof(l->diff_id), "sha256:%s", hex);
}

/* Config and manifest for the layers; the manifest's digest in `md`. */
static void image_add(int storefd, struct layer *layers, size_t n, const char *cmd,
		      struct digest *md, struct digest *config)
{
	char cfg[4096], man[8192];
	size_t o = 0;

	o += (size_t)snprintf(cfg + o, sizeof(cfg) - o,
			      "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
			      "\"2024-01-02T03:04:05Z\",\"config\":{\"Cmd\":[\"%s\"]},\"rootfs\":"
			      "{\"type\":\"layers\",\"diff_ids\":[",
			      cmd);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(cfg + o, sizeof(cfg) - o, "%s\"%s\"", i ? "," : "",
				      layers[i].diff_id);
	o += (size_t)snprintf(cfg + o, sizeof(cfg) - o, "]}}");
	put_blob(storefd, cfg, o, config);
	size_t clen = o;
	o = (size_t)snprintf(man, sizeof(man),
			     "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
			     "\"%s\",\"digest\":\"sha256:%s\",\"size\":%zu},\"layers\":[",
			     MEDIA_OCI_MANIFEST, MEDIA_OCI_CONFIG, config->hex, clen);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(man + o, sizeof(man) - o,
				      "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
				      "\"digest\":\"sha256:%s\",\"size\":%zu}",
				      i ? "," : "", layers[i].blob.hex, layers[i].len);
	o += (size_t)snprintf(man + o, sizeof(man) - o, "]}");
	put_blob(storefd, man, o, md);
}

/* Names in `dir` beneath the store, sorted, joined by spaces. */
static char *listing(int storefd, const char *dir)
{
	char *out = calloc(1, 65536);
	char *names[256];
	size_t n = 0;
	int fd = openat(storefd, dir, O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return out;
	d = fdopendir(fd);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && n < 256)
			names[n++] = strdup(de->d_name);
	closedir(d);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		strcat(out, names[i]);
		strcat(out, " ");
		free(names[i]);
	}
	return out;
}

static void test_chain_ids_follow_the_oci_formula(void **state)
{
	struct digest ids[3], chains[3];
	podd_error_t err = NULL;
	(void)state;

	memset(ids[0].hex, 'a', 64);
	memset(ids[1].hex, 'b', 64);
	memset(ids[2].hex, 'c', 64);
	for (int i = 0; i < 3; i++)
		ids[i].hex[64] = '\0';
	assert_int_equal(chain_ids_compute(ids, 3, chains, &err), 0);
	/* The base layer's chain id is its diff_id; the others were worked
	 * out with Python's hashlib: sha256("sha256:<parent> sha256:<diff>"). */
	assert_string_equal(chains[0].hex, ids[0].hex);
	assert_string_equal(chains[1].hex,
			    "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
	assert_string_equal(chains[2].hex,
			    "c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588");
}

static void test_image_from_manifest_fills_the_record_and_unpacks(void **state)
{
	struct store *s = *state;
	struct layer l[2];
	struct digest md, config, ids[2], chains[2];
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	char path[256], buf[64] = "";
	int fd;

	layer_add(s->fd, &l[0], "etc/base", "base\n");
	layer_add(s->fd, &l[1], "etc/top", "top\n");
	image_add(s->fd, l, 2, "sh", &md, &config);
	assert_int_equal(store_image_from_manifest(s->fd, &md, NULL, &rec, &err), 0);
	assert_null(err);
	assert_string_equal(rec->id, config.hex);
	assert_int_equal(rec->n_layers, 2);
	assert_string_equal(rec->layers[0], l[0].diff_id);
	assert_string_equal(rec->layers[1], l[1].diff_id);
	assert_int_equal(rec->n_digests, 1);
	assert_string_equal(rec->digests[0] + 7, md.hex);
	assert_string_equal(rec->manifest_digest + 7, md.hex);
	assert_int_equal(rec->size, (int64_t)(l[0].len + l[1].len));
	assert_int_equal(rec->created_ns, 1704164645LL * 1000000000LL);
	for (int i = 0; i < 2; i++)
		memcpy(ids[i].hex, l[i].diff_id + 7, 65);
	assert_int_equal(chain_ids_compute(ids, 2, chains, &err), 0);
	assert_string_equal(rec->top_layer, chains[1].hex);
	snprintf(path, sizeof(path), "layers/%s/diff/etc/top", chains[1].hex);
	fd = openat(s->fd, path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 4);
	close(fd);
	assert_string_equal(buf, "top\n");
	assert_true(store_layer_present(s->fd, &chains[0]));
	podd__image_record__free_unpacked(rec, NULL);
}

/* `l`'s blob streamed into a prepared layer, as a pull's podd-image
 * unpacks it while it downloads. */
static void stream_layer(int storefd, const struct layer *l, struct prepared_layer *prep)
{
	podd_error_t err = NULL;
	pid_t pid;
	int status;
	int rfd = pipe_from_child(l->tar, l->len, &pid);

	assert_int_equal(store_layer_stream(storefd, rfd, NULL, prep, &err), 0);
	close(rfd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(prep->tmpname[0] != '\0');
	assert_string_equal(prep->blob.hex, l->blob.hex);
	assert_int_equal(prep->blob_size, l->len);
	assert_string_equal(prep->diff_id.hex, l->diff_id + 7);
}

/* A prepared layer the image names is moved into place, not unpacked
 * again from the blob; one it does not name (another blob) stays the
 * caller's, and the image's own layer is unpacked from its blob. */
static void test_a_prepared_layer_is_taken_only_when_named(void **state)
{
	struct store *s = *state;
	struct layer l, other;
	struct prepared_layer prep;
	struct digest md, config, ids[1], chains[1];
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	char path[256];
	int fd;

	layer_add(s->fd, &l, "etc/streamed", "streamed\n");
	layer_add(s->fd, &other, "etc/other", "other\n");
	image_add(s->fd, &l, 1, "sh", &md, &config);
	memcpy(ids[0].hex, l.diff_id + 7, 65);
	assert_int_equal(chain_ids_compute(ids, 1, chains, &err), 0);

	/* Not named: the other layer's stream is left alone. */
	stream_layer(s->fd, &other, &prep);
	assert_int_equal(store_image_from_manifest_prepared(s->fd, &md, NULL, &prep, &rec, &err),
			 0);
	assert_true(prep.tmpname[0] != '\0');
	snprintf(path, sizeof(path), "layers/%s/diff/etc/streamed", chains[0].hex);
	assert_int_equal(faccessat(s->fd, path, F_OK, AT_SYMLINK_NOFOLLOW), 0);
	podd__image_record__free_unpacked(rec, NULL);
	rec = NULL;
	snprintf(path, sizeof(path), "layers/%s", prep.tmpname);
	store_prepared_drop(s->fd, &prep);
	assert_int_equal(prep.tmpname[0], '\0');
	assert_int_equal(faccessat(s->fd, path, F_OK, AT_SYMLINK_NOFOLLOW), -1);

	/* Named: taken as it is (the mark shows it was not unpacked again). */
	assert_int_equal(layer_remove_tree(s->fd, "layers", &err), 0);
	stream_layer(s->fd, &l, &prep);
	snprintf(path, sizeof(path), "layers/%s/diff/mark", prep.tmpname);
	fd = openat(s->fd, path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_image_from_manifest_prepared(s->fd, &md, NULL, &prep, &rec, &err),
			 0);
	assert_int_equal(prep.tmpname[0], '\0');
	snprintf(path, sizeof(path), "layers/%s/diff/mark", chains[0].hex);
	assert_int_equal(faccessat(s->fd, path, F_OK, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(rec->size, (int64_t)l.len);
	podd__image_record__free_unpacked(rec, NULL);
}

static void test_a_present_layer_is_reused_not_unpacked_again(void **state)
{
	struct store *s = *state;
	struct layer base, a, b;
	struct digest md1, md2, c1, c2;
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	char path[256];
	int fd;

	layer_add(s->fd, &base, "etc/base", "base\n");
	image_add(s->fd, &base, 1, "one", &md1, &c1);
	assert_int_equal(store_image_from_manifest(s->fd, &md1, NULL, &rec, &err), 0);
	podd__image_record__free_unpacked(rec, NULL);
	/* A mark in the unpacked base layer: a second unpack would lose it. */
	snprintf(path, sizeof(path), "layers/%s/diff/mark", base.diff_id + 7);
	fd = openat(s->fd, path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	a = base;
	layer_add(s->fd, &b, "etc/other", "other\n");
	struct layer two[2] = { a, b };
	image_add(s->fd, two, 2, "two", &md2, &c2);
	assert_int_equal(store_image_from_manifest(s->fd, &md2, NULL, &rec, &err), 0);
	assert_int_equal(faccessat(s->fd, path, F_OK, 0), 0);
	/* Its size is still counted from the layer's size file. */
	assert_int_equal(rec->size, (int64_t)(base.len + b.len));
	podd__image_record__free_unpacked(rec, NULL);
	char *l = listing(s->fd, "layers");
	/* Two chain ids (the base, base+other), no temporary. */
	assert_int_equal(strlen(l), 2 * 65);
	assert_null(strstr(l, "tmp-"));
	free(l);
}

static void test_diff_id_mismatch_stores_nothing(void **state)
{
	struct store *s = *state;
	struct layer l[2];
	struct digest md, config;
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;

	layer_add(s->fd, &l[0], "etc/good", "good\n");
	layer_add(s->fd, &l[1], "etc/liar", "liar\n");
	/* The second layer claims the first one's content. */
	strcpy(l[1].diff_id, l[0].diff_id);
	image_add(s->fd, l, 2, "sh", &md, &config);
	assert_int_equal(store_image_from_manifest(s->fd, &md, NULL, &rec, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "does not match its content"));
	assert_null(rec);
	podd_error_free(&err);
	/* Not even the good first layer: all or nothing. */
	char *listed = listing(s->fd, "layers");
	assert_string_equal(listed, "");
	free(listed);
}

static void test_a_hostile_layer_stores_nothing(void **state)
{
	struct store *s = *state;
	struct layer l;
	struct digest md, config;
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;

	layer_add(s->fd, &l, "../../escape", "x\n");
	image_add(s->fd, &l, 1, "sh", &md, &config);
	assert_int_equal(store_image_from_manifest(s->fd, &md, NULL, &rec, &err), -1);
	assert_non_null(strstr(err->msg, "\"..\" component refused"));
	podd_error_free(&err);
	char *listed = listing(s->fd, "layers");
	assert_string_equal(listed, "");
	free(listed);
	assert_int_equal(faccessat(s->fd, "../escape", F_OK, 0), -1);
}

static void test_gc_keeps_what_kept_images_need_and_nothing_else(void **state)
{
	struct store *s = *state;
	struct layer shared, only_a, only_b;
	struct digest mda, mdb, ca, cb;
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	struct gc_stats st;
	char mdstr[72];

	layer_add(s->fd, &shared, "etc/shared", "shared\n");
	layer_add(s->fd, &only_a, "etc/a", "a\n");
	layer_add(s->fd, &only_b, "etc/b", "b\n");
	struct layer la[2] = { shared, only_a }, lb[2] = { shared, only_b };
	image_add(s->fd, la, 2, "a", &mda, &ca);
	image_add(s->fd, lb, 2, "b", &mdb, &cb);
	assert_int_equal(store_image_from_manifest(s->fd, &mda, NULL, &rec, &err), 0);
	podd__image_record__free_unpacked(rec, NULL);
	assert_int_equal(store_image_from_manifest(s->fd, &mdb, NULL, &rec, &err), 0);
	podd__image_record__free_unpacked(rec, NULL);
	/* A leftover of a killed unpack. */
	assert_int_equal(mkdirat(s->fd, "layers/tmp-0123456789abcdef0123456789abcdef", 0700), 0);

	const char *ids[] = { ca.hex };
	snprintf(mdstr, sizeof(mdstr), "sha256:%s", mda.hex);
	const char *mds[] = { mdstr };
	struct gc_keep keep = { ids, 1, mds, 1 };
	assert_int_equal(store_gc(s->fd, &keep, &st, &err), 0);
	assert_null(err);
	/* b's config, manifest and own layer blob go; its own layer too. */
	assert_int_equal(st.blobs_removed, 3);
	assert_int_equal(st.layers_removed, 1);
	assert_int_equal(st.tmp_removed, 1);
	char *blobs = listing(s->fd, "blobs/sha256");
	assert_non_null(strstr(blobs, ca.hex));
	assert_non_null(strstr(blobs, mda.hex));
	assert_non_null(strstr(blobs, shared.blob.hex));
	assert_non_null(strstr(blobs, only_a.blob.hex));
	assert_null(strstr(blobs, cb.hex));
	assert_null(strstr(blobs, only_b.blob.hex));
	free(blobs);
	/* Image a still rebuilds from what is left, without unpacking. */
	assert_int_equal(store_image_from_manifest(s->fd, &mda, NULL, &rec, &err), 0);
	podd__image_record__free_unpacked(rec, NULL);
	char *layers = listing(s->fd, "layers");
	assert_int_equal(strlen(layers), 2 * 65);
	free(layers);

	/* Nothing kept: everything goes. */
	struct gc_keep none = { 0 };
	assert_int_equal(store_gc(s->fd, &none, &st, &err), 0);
	blobs = listing(s->fd, "blobs/sha256");
	layers = listing(s->fd, "layers");
	assert_string_equal(blobs, "");
	assert_string_equal(layers, "");
	free(blobs);
	free(layers);
}

/* A gzip layer of `zeros` zero bytes in one file: small compressed,
 * large uncompressed. */
static size_t make_bomb(char *buf, size_t size, size_t zeros)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	static char chunk[65536];
	size_t used = 0;

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, size, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "zeros");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)zeros);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	for (size_t left = zeros; left > 0;) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		assert_int_equal(archive_write_data(a, chunk, n), (la_ssize_t)n);
		left -= n;
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return used;
}

static void test_a_decompression_bomb_stops_at_the_limit(void **state)
{
	struct store *s = *state;
	static char gz[1 << 20];
	size_t len = make_bomb(gz, sizeof(gz), 64u << 20); /* 64 MiB of zeros */
	struct extract_limits lim = extract_limits_default();
	struct digest blob, config, md;
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	char cfg[512], man[1024];
	size_t o;
	int fd;

	assert_true(len < (1 << 20));
	put_blob(s->fd, gz, len, &blob);
	/* The diff_id check reads at most the limit, whatever the claim. */
	fd = blob_open(s->fd, &blob, &err);
	assert_true(fd >= 0);
	assert_int_equal(layer_diff_id_check(fd, LAYER_GZIP, &blob, 1 << 20, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "over the limit of 1048576 bytes"));
	podd_error_free(&err);
	close(fd);
	/* Through the store, with the limits lowered: nothing stored. */
	lim.max_bytes = 1 << 20;
	lim.max_entries = 16;
	o = (size_t)snprintf(cfg, sizeof(cfg),
			     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
			     "{\"type\":\"layers\",\"diff_ids\":[\"sha256:%064d\"]}}",
			     0);
	put_blob(s->fd, cfg, o, &config);
	o = (size_t)snprintf(man, sizeof(man),
			     "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"%s\",\"digest\":"
			     "\"sha256:%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
			     "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":"
			     "\"sha256:%s\",\"size\":%zu}]}",
			     MEDIA_OCI_CONFIG, config.hex, strlen(cfg), blob.hex, len);
	put_blob(s->fd, man, o, &md);
	assert_int_equal(store_image_from_manifest(s->fd, &md, &lim, &rec, &err), -1);
	/* Extraction and the diff_id's hash are one pass: the stream stops
	 * at the limit on content plus headers. */
	if (strstr(err->msg, "exceeds the limit of 1048576 bytes") == NULL)
		fail_msg("unexpected error: %s", err->msg);
	podd_error_free(&err);
	char *listed = listing(s->fd, "layers");
	assert_string_equal(listed, "");
	free(listed);
}

static void test_gc_waits_for_writers(void **state)
{
	struct store *s = *state;
	podd_error_t err = NULL;
	int shared = store_lock(s->fd, false, &err);
	int probe;

	assert_true(shared >= 0);
	/* Another open file description cannot take it exclusively now. */
	probe = openat(s->fd, "store.lock", O_RDWR | O_CLOEXEC);
	assert_true(probe >= 0);
	assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), -1);
	close(shared);
	assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), 0);
	close(probe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_ids_follow_the_oci_formula),
		cmocka_unit_test_setup_teardown(test_image_from_manifest_fills_the_record_and_unpacks,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_a_prepared_layer_is_taken_only_when_named,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_a_present_layer_is_reused_not_unpacked_again,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_diff_id_mismatch_stores_nothing, store_setup,
						store_teardown),
		cmocka_unit_test_setup_teardown(test_a_hostile_layer_stores_nothing, store_setup,
						store_teardown),
		cmocka_unit_test_setup_teardown(test_gc_keeps_what_kept_images_need_and_nothing_else,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_a_decompression_bomb_stops_at_the_limit,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_gc_waits_for_writers, store_setup,
						store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
