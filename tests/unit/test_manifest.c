/* Image metadata (podd-image/manifest.c): the documents a registry or an
 * archive sends parse to the structs podd-image will act on, and hostile
 * ones are refused with an error naming the object and the cause. The
 * documents are written here in the shapes podman, docker and registries
 * write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "manifest.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"
#define H5 "5555555555555555555555555555555555555555555555555555555555555555"

#define OCI_INDEX                                                                        \
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","  \
	"\"manifests\":["                                                                  \
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H1 \
	"\",\"size\":1024,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"   \
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H2 \
	"\",\"size\":1025,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","      \
	"\"variant\":\"v8\"}}]}"

#define OCI_LAYER(hex, size)                                                              \
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" \
	hex "\",\"size\":" size "}"

#define OCI_MANIFEST                                                                        \
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","  \
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","            \
	"\"digest\":\"sha256:" H3 "\",\"size\":1470},"                                        \
	"\"layers\":[" OCI_LAYER(H4, "2811478") "," OCI_LAYER(H5, "32") "],"                  \
	"\"annotations\":{\"org.opencontainers.image.created\":\"2024-05-01T12:00:00Z\"}}"

/* A manifest with one layer whose descriptor is `layer`. */
#define MANIFEST_WITH_LAYER(layer)                                                          \
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","  \
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","            \
	"\"digest\":\"sha256:" H3 "\",\"size\":1470},\"layers\":[" layer "]}"

#define DOCKER_MANIFEST                                                                    \
	"{\n   \"schemaVersion\": 2,\n   \"mediaType\": "                                     \
	"\"application/vnd.docker.distribution.manifest.v2+json\",\n   \"config\": {\n"      \
	"      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n"          \
	"      \"size\": 1457,\n      \"digest\": \"sha256:" H3 "\"\n   },\n"                 \
	"   \"layers\": [\n      {\n         \"mediaType\": "                                 \
	"\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"                            \
	"         \"size\": 772788,\n         \"digest\": \"sha256:" H4 "\"\n      }\n   ]\n}"

#define CONFIG_REST                                                                         \
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" H1 "\",\"sha256:" H2 "\"]}," \
	"\"history\":[{\"created\":\"2024-05-01T12:00:00Z\",\"created_by\":\"ADD rootfs\"}]}"

#define CONFIG_WITH(cfg)                                                                     \
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-05-01T12:00:00Z\","  \
	"\"config\":" cfg "," CONFIG_REST

#define OCI_CONFIG                                                                          \
	"{\"created\":\"2024-05-01T12:00:00.5+02:00\",\"architecture\":\"amd64\","            \
	"\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\","                                \
	"\"ExposedPorts\":{\"80/tcp\":{}},"                                                   \
	"\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","     \
	"\"EMPTY=\"],\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hello\"],"         \
	"\"WorkingDir\":\"/srv\",\"Labels\":{\"org.opencontainers.image.title\":\"busybox\"},"\
	"\"StopSignal\":\"SIGTERM\"}," CONFIG_REST

#define LAYOUT_INDEX                                                                         \
	"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"                                  \
	"\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H1 "\","          \
	"\"size\":407,\"annotations\":{\"org.opencontainers.image.ref.name\":"                   \
	"\"localhost/podd/busybox:latest\"}}]}"

#define DOCKER_ARCHIVE                                                                       \
	"[{\"Config\":\"" H3 ".json\",\"RepoTags\":[\"localhost/podd/busybox:latest\"],"        \
	"\"Layers\":[\"" H4 "/layer.tar\",\"blobs/sha256/" H5 "\"]}]"

/* Fails the test unless *err is set, with `code`, and says `msg`. */
static void assert_error(podd_error_t *err, int code, const char *msg)
{
	assert_non_null(*err);
	if (strstr((*err)->msg, msg) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", (*err)->msg, msg);
	assert_int_equal((*err)->code, code);
	podd_error_free(err);
}

static void assert_manifest_refused(const char *doc, const char *msg)
{
	struct image_manifest *m = NULL;
	podd_error_t err = NULL;

	assert_int_equal(image_manifest_parse("sha256:" H1, doc, strlen(doc), &m, &err), -1);
	assert_null(m);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, msg);
}

static void assert_config_refused(const char *doc, const char *msg)
{
	struct image_config *c = NULL;
	podd_error_t err = NULL;

	assert_int_equal(image_config_parse("sha256:" H3, doc, strlen(doc), &c, &err), -1);
	assert_null(c);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, msg);
}

static void test_oci_index_parses_and_selects_the_platform(void **state)
{
	cleanup_image_index struct image_index *ix = NULL;
	const struct descriptor *d;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_index_parse("sha256:" H5, OCI_INDEX, strlen(OCI_INDEX), &ix, &err),
			 0);
	assert_null(err);
	assert_string_equal(ix->media_type, MEDIA_OCI_INDEX);
	assert_int_equal(ix->n_manifests, 2);
	assert_string_equal(ix->manifests[1].platform.variant, "v8");
	assert_null(ix->manifests[0].platform.variant);

	d = image_index_select(ix, "amd64", "linux", NULL, &err);
	assert_non_null(d);
	assert_string_equal(d->digest.hex, H1);
	assert_int_equal(d->size, 1024);
	d = image_index_select(ix, "arm64", "linux", "v8", &err);
	assert_non_null(d);
	assert_string_equal(d->digest.hex, H2);
	/* An entry without a variant serves any variant asked for. */
	d = image_index_select(ix, "amd64", "linux", "v3", &err);
	assert_non_null(d);
	assert_string_equal(d->digest.hex, H1);
	assert_null(err);
}

static void test_platform_absent_from_the_index_is_an_error(void **state)
{
	cleanup_image_index struct image_index *ix = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_index_parse(NULL, OCI_INDEX, strlen(OCI_INDEX), &ix, &err), 0);
	assert_null(image_index_select(ix, "s390x", "linux", NULL, &err));
	assert_error(&err, PODD_E_NO_SUCH_OBJECT,
		     "no manifest for linux/s390x in the index (it has: linux/amd64, "
		     "linux/arm64/v8)");
	assert_null(image_index_select(ix, "arm64", "linux", "v7", &err));
	assert_error(&err, PODD_E_NO_SUCH_OBJECT, "no manifest for linux/arm64/v7");
}

static void test_oci_manifest_with_two_gzip_layers_parses(void **state)
{
	cleanup_image_manifest struct image_manifest *m = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_manifest_parse("sha256:" H1, OCI_MANIFEST, strlen(OCI_MANIFEST), &m,
					      &err),
			 0);
	assert_null(err);
	assert_string_equal(m->media_type, MEDIA_OCI_MANIFEST);
	assert_string_equal(m->config.media_type, MEDIA_OCI_CONFIG);
	assert_string_equal(m->config.digest.hex, H3);
	assert_int_equal(m->config.size, 1470);
	assert_int_equal(m->n_layers, 2);
	assert_string_equal(m->layers[0].desc.digest.hex, H4);
	assert_int_equal(m->layers[0].desc.size, 2811478);
	assert_int_equal(m->layers[0].compression, LAYER_GZIP);
	assert_string_equal(m->layers[1].desc.digest.hex, H5);
	assert_int_equal(m->layers[1].compression, LAYER_GZIP);
}

static void test_docker_v2_manifest_parses(void **state)
{
	cleanup_image_manifest struct image_manifest *m = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_manifest_parse(NULL, DOCKER_MANIFEST, strlen(DOCKER_MANIFEST), &m,
					      &err),
			 0);
	assert_null(err);
	assert_string_equal(m->media_type, MEDIA_DOCKER_MANIFEST);
	assert_string_equal(m->config.media_type, MEDIA_DOCKER_CONFIG);
	assert_int_equal(m->n_layers, 1);
	assert_int_equal(m->layers[0].desc.size, 772788);
	assert_int_equal(m->layers[0].compression, LAYER_GZIP);
}

static void test_layer_media_types_map_to_compression(void **state)
{
	static const struct {
		const char *doc;
		enum layer_compression c;
	} cases[] = {
		{ MANIFEST_WITH_LAYER("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
				      "\"digest\":\"sha256:" H4 "\",\"size\":0}"),
		  LAYER_TAR },
		{ MANIFEST_WITH_LAYER("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
				      "\"digest\":\"sha256:" H4 "\",\"size\":0}"),
		  LAYER_ZSTD },
		{ MANIFEST_WITH_LAYER("{\"mediaType\":"
				      "\"application/vnd.docker.image.rootfs.diff.tar\","
				      "\"digest\":\"sha256:" H4 "\",\"size\":0}"),
		  LAYER_TAR },
	};

	(void)state;
	for (size_t i = 0; i < PODD_ARRAY_SIZE(cases); i++) {
		cleanup_image_manifest struct image_manifest *m = NULL;
		podd_error_t err = NULL;
		assert_int_equal(image_manifest_parse(NULL, cases[i].doc, strlen(cases[i].doc), &m,
						      &err),
				 0);
		assert_int_equal(m->layers[0].compression, cases[i].c);
	}
}

static void test_config_parses_with_its_runtime_fields(void **state)
{
	cleanup_image_config struct image_config *c = NULL;
	cleanup_image_manifest struct image_manifest *m = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_config_parse("sha256:" H3, OCI_CONFIG, strlen(OCI_CONFIG), &c, &err),
			 0);
	assert_null(err);
	assert_string_equal(c->architecture, "amd64");
	assert_string_equal(c->os, "linux");
	/* 2024-05-01T10:00:00.5Z */
	assert_true(c->has_created);
	assert_int_equal(c->created_ns, 1714557600LL * 1000000000 + 500000000);
	assert_string_equal(c->user, "1000:1000");
	assert_string_equal(c->working_dir, "/srv");
	assert_string_equal(c->stop_signal, "SIGTERM");
	assert_int_equal(c->n_env, 2);
	assert_string_equal(c->env[1], "EMPTY=");
	assert_null(c->env[2]);
	assert_int_equal(c->n_entrypoint, 2);
	assert_string_equal(c->entrypoint[1], "-c");
	assert_int_equal(c->n_cmd, 1);
	assert_string_equal(c->cmd[0], "echo hello");
	assert_int_equal(c->n_exposed_ports, 1);
	assert_string_equal(c->exposed_ports[0], "80/tcp");
	assert_int_equal(c->n_labels, 1);
	assert_string_equal(c->label_values[0], "busybox");
	assert_int_equal(c->n_diff_ids, 2);
	assert_string_equal(c->diff_ids[1].hex, H2);

	/* Two diff_ids for the OCI manifest's two layers. */
	assert_int_equal(image_manifest_parse(NULL, OCI_MANIFEST, strlen(OCI_MANIFEST), &m, &err),
			 0);
	assert_int_equal(image_config_check_layers(m, c, &err), 0);
	assert_null(err);
}

static void test_config_with_null_entrypoint_and_go_zero_time_parses(void **state)
{
	static const char doc[] =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"0001-01-01T00:00:00Z\","
		"\"config\":{\"Entrypoint\":null,\"Cmd\":[\"sh\"]}," CONFIG_REST;
	cleanup_image_config struct image_config *c = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(image_config_parse(NULL, doc, strlen(doc), &c, &err), 0);
	assert_null(c->entrypoint);
	assert_false(c->has_created);
	assert_string_equal(c->cmd[0], "sh");
}

static void test_oci_layout_index_gives_the_tag(void **state)
{
	cleanup_image_index struct image_index *ix = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(oci_layout_index_parse(LAYOUT_INDEX, strlen(LAYOUT_INDEX), &ix, &err), 0);
	assert_null(err);
	assert_null(ix->media_type);
	assert_int_equal(ix->n_manifests, 1);
	assert_string_equal(ix->manifests[0].ref_name, "localhost/podd/busybox:latest");
	assert_false(ix->manifests[0].has_platform);
}

static void test_docker_archive_manifest_parses(void **state)
{
	cleanup_docker_archive_manifest struct docker_archive_manifest *m = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_int_equal(docker_archive_manifest_parse(DOCKER_ARCHIVE, strlen(DOCKER_ARCHIVE), &m,
						       &err),
			 0);
	assert_null(err);
	assert_int_equal(m->n_images, 1);
	assert_string_equal(m->images[0].config, H3 ".json");
	assert_int_equal(m->images[0].n_repo_tags, 1);
	assert_string_equal(m->images[0].repo_tags[0], "localhost/podd/busybox:latest");
	assert_int_equal(m->images[0].n_layers, 2);
	assert_string_equal(m->images[0].layers[0], H4 "/layer.tar");
	assert_string_equal(m->images[0].layers[1], "blobs/sha256/" H5);
}

/* Hostile documents. */

static void test_wrong_digest_form_is_refused(void **state)
{
	(void)state;
	/* Uppercase hex, a short digest, another algorithm. */
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:ABCD" H4 "\",\"size\":1}"),
				"manifest sha256:" H1 ": layer 0: digest: invalid digest");
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:1234\",\"size\":1}"),
				"layer 0: digest: invalid digest");
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha512:" H4 H4 "\",\"size\":1}"),
				"unsupported digest algorithm \"sha512\"");
}

static void test_negative_size_is_refused(void **state)
{
	(void)state;
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:" H4 "\",\"size\":-1}"),
				"layer 0: size: negative");
}

static void test_huge_size_is_refused(void **state)
{
	(void)state;
	/* Beyond uint64 (json-c saturates it), beyond the layer bound, and a
	 * config larger than any metadata document may be. */
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:" H4 "\",\"size\":99999999999999999999}"),
				"layer 0: size: 18446744073709551615 is out of range");
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:" H4 "\",\"size\":68719476737}"),
				"layer 0: size: 68719476737 is out of range");
	assert_manifest_refused(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":"
		"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" H3 "\","
		"\"size\":4194305},\"layers\":[]}",
		"config: size: 4194305 is out of range");
	assert_manifest_refused(MANIFEST_WITH_LAYER(
					"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
					"\"digest\":\"sha256:" H4 "\",\"size\":1.5}"),
				"layer 0: size: not a JSON int");
}

static void test_deep_nesting_is_refused(void **state)
{
	char doc[512];
	size_t o = 0;

	(void)state;
	o += (size_t)snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"x\":");
	for (int i = 0; i < 100; i++)
		doc[o++] = '[';
	for (int i = 0; i < 100; i++)
		doc[o++] = ']';
	snprintf(doc + o, sizeof(doc) - o, "}");
	assert_manifest_refused(doc, "JSON nested deeper than 32 levels");
}

static void test_huge_arrays_are_refused(void **state)
{
	size_t n = PODD_IMAGE_LAYERS_MAX + 1, size = 64 + n * 200;
	char *doc = malloc(size);
	size_t o;

	(void)state;
	assert_non_null(doc);
	o = (size_t)snprintf(doc, size,
			     "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
			     "\"application/vnd.oci.image.config.v1+json\",\"digest\":"
			     "\"sha256:" H3 "\",\"size\":1},\"layers\":[");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(doc + o, size - o, "%s" OCI_LAYER(H4, "1"), i ? "," : "");
	snprintf(doc + o, size - o, "]}");
	assert_manifest_refused(doc, "layers: 129 entries, at most 128");
	free(doc);

	/* 5000 Env entries: past META_MAX_STRINGS. */
	size = 100000 + 5000 * 8;
	doc = malloc(size);
	assert_non_null(doc);
	o = (size_t)snprintf(doc, size, "{\"architecture\":\"amd64\",\"os\":\"linux\","
					"\"config\":{\"Env\":[");
	for (size_t i = 0; i < 5000; i++)
		o += (size_t)snprintf(doc + o, size - o, "%s\"A=1\"", i ? "," : "");
	snprintf(doc + o, size - o, "]}," CONFIG_REST);
	assert_config_refused(doc, "config sha256:" H3 ": config: Env: 5000 entries, at most 4096");
	free(doc);
}

static void test_oversized_document_is_refused(void **state)
{
	size_t len = META_MAX_BYTES + 1;
	char *doc = malloc(len);

	(void)state;
	assert_non_null(doc);
	memset(doc, ' ', len);
	doc[0] = '{';
	doc[len - 1] = '}';
	struct image_manifest *m = NULL;
	podd_error_t err = NULL;
	assert_int_equal(image_manifest_parse(NULL, doc, len, &m, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "exceeds the limit of 4194304");
	free(doc);
}

static void test_layer_with_urls_is_refused(void **state)
{
	(void)state;
	assert_manifest_refused(
		MANIFEST_WITH_LAYER("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
				    "\"digest\":\"sha256:" H4 "\",\"size\":1,"
				    "\"urls\":[\"https://evil.example/layer\"]}"),
		"layer 0: urls: foreign content at other URLs is not fetched");
	assert_manifest_refused(
		MANIFEST_WITH_LAYER("{\"mediaType\":"
				    "\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\","
				    "\"digest\":\"sha256:" H4 "\",\"size\":1}"),
		"layer 0: non-distributable (foreign) layer");
}

static void test_unknown_layer_media_type_is_refused(void **state)
{
	(void)state;
	assert_manifest_refused(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":"
		"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" H3 "\","
		"\"size\":1},\"layers\":[" OCI_LAYER(H4, "1") "," OCI_LAYER(H4, "1") ","
		OCI_LAYER(H4, "1") ",{\"mediaType\":\"application/x-evil+tar\",\"digest\":"
		"\"sha256:" H4 "\",\"size\":1}]}",
		"manifest sha256:" H1 ": layer 3: unsupported media type \"application/x-evil+tar\"");
	/* A media type with a control character is refused and shown escaped. */
	assert_manifest_refused(MANIFEST_WITH_LAYER("{\"mediaType\":\"a/b\\u001b[31m\","
						    "\"digest\":\"sha256:" H4 "\",\"size\":1}"),
				"mediaType: invalid \"a/b\\x1b[31m\"");
}

static void test_schema_version_1_is_refused(void **state)
{
	(void)state;
	assert_manifest_refused("{\"schemaVersion\":1,\"name\":\"busybox\",\"tag\":\"latest\","
				"\"fsLayers\":[]}",
				"schemaVersion 1 is not supported (only 2)");
}

static void test_index_and_manifest_are_not_confused(void **state)
{
	cleanup_image_index struct image_index *ix = NULL;
	podd_error_t err = NULL;

	(void)state;
	/* An index where a manifest is expected, and the other way round. */
	assert_manifest_refused(OCI_INDEX, "is not an image manifest");
	assert_int_equal(image_index_parse(NULL, OCI_MANIFEST, strlen(OCI_MANIFEST), &ix, &err),
			 -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "is not an image index");
	assert_manifest_refused("{\"schemaVersion\":2,\"manifests\":[]}", "an index?");
	/* ... also when it claims to be a manifest. */
	assert_manifest_refused("{\"schemaVersion\":2,\"mediaType\":"
				"\"application/vnd.oci.image.manifest.v1+json\",\"manifests\":[]}",
				"an index?");
}

static void test_diff_ids_count_mismatch_is_refused(void **state)
{
	cleanup_image_config struct image_config *c = NULL;
	cleanup_image_manifest struct image_manifest *m = NULL;
	podd_error_t err = NULL;

	(void)state;
	/* Two diff_ids, one layer. */
	assert_int_equal(image_config_parse(NULL, OCI_CONFIG, strlen(OCI_CONFIG), &c, &err), 0);
	assert_int_equal(image_manifest_parse(NULL, DOCKER_MANIFEST, strlen(DOCKER_MANIFEST), &m,
					      &err),
			 0);
	assert_int_equal(image_config_check_layers(m, c, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT,
		     "config sha256:" H3 ": 2 diff_ids for the manifest's 1 layers");
}

static void test_env_entry_without_equals_is_refused(void **state)
{
	(void)state;
	assert_config_refused(CONFIG_WITH("{\"Env\":[\"PATH=/bin\",\"JUSTAKEY\"]}"),
			      "config sha256:" H3 ": config: Env entry 1: \"JUSTAKEY\" is not "
			      "KEY=VALUE");
	assert_config_refused(CONFIG_WITH("{\"Env\":[\"=value\"]}"), "Env entry 0");
	assert_config_refused(CONFIG_WITH("{\"Cmd\":[\"sh\",7]}"), "config: entry 1: Cmd: not a "
								   "string");
}

static void test_bad_created_time_is_refused(void **state)
{
	(void)state;
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\","
			      "\"created\":\"2024-02-30T00:00:00Z\"," CONFIG_REST,
			      "created: \"2024-02-30T00:00:00Z\" is not an RFC 3339 time");
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\","
			      "\"created\":\"2024-01-01 00:00:00\"," CONFIG_REST,
			      "is not an RFC 3339 time");
	/* An offset cut short (fuzz_manifest read past its end). */
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\","
			      "\"created\":\"2024-05-01T12:00:00.5+00\"," CONFIG_REST,
			      "is not an RFC 3339 time");
}

static void test_rootfs_must_be_layers_of_sha256(void **state)
{
	(void)state;
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
			      "{\"type\":\"layers\",\"diff_ids\":[\"sha256:abc\"]}}",
			      "rootfs: diff_ids[0]: invalid digest");
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
			      "{\"type\":\"squash\",\"diff_ids\":[]}}",
			      "rootfs: type is not \"layers\"");
	assert_config_refused("{\"architecture\":\"amd64\",\"os\":\"linux\"}", "rootfs: missing");
}

static void test_docker_archive_path_escaping_is_refused(void **state)
{
	static const struct {
		const char *doc;
		const char *msg;
	} cases[] = {
		{ "[{\"Config\":\"c.json\",\"Layers\":[\"../../etc/passwd\"]}]",
		  "manifest.json: image 0: entry 0: Layers: \"../../etc/passwd\" has an empty, "
		  "\".\" or \"..\" component" },
		{ "[{\"Config\":\"a/../../c.json\",\"Layers\":[]}]", "Config: \"a/../../c.json\"" },
		{ "[{\"Config\":\"/etc/shadow\",\"Layers\":[]}]",
		  "Config: \"/etc/shadow\" is absolute" },
		{ "[{\"Config\":\"c.json\",\"Layers\":[\"a//b\"]}]", "has an empty" },
		{ "[{\"Config\":\"c.json\",\"RepoTags\":[\"bad tag\"]}]",
		  "RepoTags: invalid \"bad tag\"" },
		{ "[]", "manifest.json: 0 images" },
	};

	(void)state;
	for (size_t i = 0; i < PODD_ARRAY_SIZE(cases); i++) {
		struct docker_archive_manifest *m = NULL;
		podd_error_t err = NULL;
		assert_int_equal(docker_archive_manifest_parse(cases[i].doc, strlen(cases[i].doc),
							       &m, &err),
				 -1);
		assert_null(m);
		assert_error(&err, PODD_E_INVALID_ARGUMENT, cases[i].msg);
	}
}

static void test_non_object_top_level_is_refused(void **state)
{
	struct docker_archive_manifest *dm = NULL;
	podd_error_t err = NULL;

	(void)state;
	assert_manifest_refused("[" OCI_MANIFEST "]", "top level is not a JSON object");
	assert_manifest_refused("\"sha256:" H1 "\"", "top level is not a JSON object");
	assert_config_refused("42", "top level is not a JSON object");
	assert_int_equal(docker_archive_manifest_parse("{}", 2, &dm, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "manifest.json: top level is not a JSON array");
}

static void test_truncated_json_is_refused(void **state)
{
	(void)state;
	char doc[sizeof(OCI_MANIFEST)];
	memcpy(doc, OCI_MANIFEST, sizeof(doc));
	doc[sizeof(doc) / 2] = '\0';
	assert_manifest_refused(doc, "truncated JSON");
	assert_manifest_refused(OCI_MANIFEST " {}", "invalid JSON at byte");
	assert_manifest_refused("", "empty document");
}

static void test_embedded_nul_is_refused(void **state)
{
	struct image_config *c = NULL;
	podd_error_t err = NULL;

	(void)state;
	/* In a value, and in a key, where json-c would cut "mediaType\u0000x"
	 * to "mediaType" and let it collide with the real one. */
	assert_config_refused(CONFIG_WITH("{\"User\":\"root\\u0000evil\"}"),
			      "escaped NUL (\\u0000) in the document");
	assert_manifest_refused("{\"schemaVersion\":2,\"mediaType\\u0000x\":\"x\"}",
				"escaped NUL");
	/* An escaped backslash before "u0000" is text, not a NUL. */
	assert_int_equal(image_config_parse(NULL, CONFIG_WITH("{\"User\":\"a\\\\u0000\"}"),
					    strlen(CONFIG_WITH("{\"User\":\"a\\\\u0000\"}")), &c,
					    &err),
			 0);
	assert_string_equal(c->user, "a\\u0000");
	image_config_free(c);
	/* A raw NUL byte. */
	static const char raw[] = "{\"architecture\":\"amd\0\"}";
	assert_int_equal(image_config_parse(NULL, raw, sizeof(raw) - 1, &c, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "NUL byte in the document");
}

static void test_invalid_utf8_is_refused(void **state)
{
	(void)state;
	assert_config_refused(CONFIG_WITH("{\"User\":\"\xff\xfe\"}"), "invalid utf-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_index_parses_and_selects_the_platform),
		cmocka_unit_test(test_platform_absent_from_the_index_is_an_error),
		cmocka_unit_test(test_oci_manifest_with_two_gzip_layers_parses),
		cmocka_unit_test(test_docker_v2_manifest_parses),
		cmocka_unit_test(test_layer_media_types_map_to_compression),
		cmocka_unit_test(test_config_parses_with_its_runtime_fields),
		cmocka_unit_test(test_config_with_null_entrypoint_and_go_zero_time_parses),
		cmocka_unit_test(test_oci_layout_index_gives_the_tag),
		cmocka_unit_test(test_docker_archive_manifest_parses),
		cmocka_unit_test(test_wrong_digest_form_is_refused),
		cmocka_unit_test(test_negative_size_is_refused),
		cmocka_unit_test(test_huge_size_is_refused),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_huge_arrays_are_refused),
		cmocka_unit_test(test_oversized_document_is_refused),
		cmocka_unit_test(test_layer_with_urls_is_refused),
		cmocka_unit_test(test_unknown_layer_media_type_is_refused),
		cmocka_unit_test(test_schema_version_1_is_refused),
		cmocka_unit_test(test_index_and_manifest_are_not_confused),
		cmocka_unit_test(test_diff_ids_count_mismatch_is_refused),
		cmocka_unit_test(test_env_entry_without_equals_is_refused),
		cmocka_unit_test(test_bad_created_time_is_refused),
		cmocka_unit_test(test_rootfs_must_be_layers_of_sha256),
		cmocka_unit_test(test_docker_archive_path_escaping_is_refused),
		cmocka_unit_test(test_non_object_top_level_is_refused),
		cmocka_unit_test(test_truncated_json_is_refused),
		cmocka_unit_test(test_embedded_nul_is_refused),
		cmocka_unit_test(test_invalid_utf8_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
