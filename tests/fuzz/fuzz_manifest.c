/* libFuzzer target for podd-image's metadata parsers (manifest.c).
 *
 * The first input byte picks the parser (mod 5): image index (then
 * image_index_select for linux/amd64 and linux/arm64/v8), image manifest,
 * image config (then image_config_check_layers against a one-layer
 * manifest), an oci-archive's index.json, a docker-archive's
 * manifest.json; the rest is the document. Beyond ASan/UBSan/LSan, the
 * error contract is checked: -1 with *err set and no result, or 0 with
 * *err NULL and a result within the documented bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ONE_LAYER_MANIFEST                                                                   \
	"{\"schemaVersion\":2,\"config\":{\"mediaType\":"                                     \
	"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"                   \
	"1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1},"     \
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":"   \
	"\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","        \
	"\"size\":1}]}"

static void check_contract(int r, const void *out, podd_error_t *err)
{
	FUZZ_ASSERT(r == 0 || r == -1, "return %d", r);
	if (r < 0) {
		FUZZ_ASSERT(*err != NULL && (*err)->msg != NULL, "failure without an error");
		FUZZ_ASSERT(out == NULL, "failure with a result");
		podd_error_free(err);
	} else {
		FUZZ_ASSERT(*err == NULL, "success with an error");
		FUZZ_ASSERT(out != NULL, "success without a result");
	}
}

static void check_strings(const struct descriptor *d)
{
	/* Read in full, so ASan sees a string that is not NUL-terminated. */
	FUZZ_ASSERT(strlen(d->media_type) > 0, "empty media type");
	FUZZ_ASSERT(strlen(d->digest.hex) == DIGEST_HEX_LEN, "digest length");
	FUZZ_ASSERT(!d->has_platform || (strlen(d->platform.architecture) > 0 &&
					 strlen(d->platform.os) > 0),
		    "platform without architecture or os");
}

static void fuzz_index(const uint8_t *doc, size_t len, bool layout)
{
	struct image_index *ix = NULL;
	podd_error_t err = NULL;
	int r = layout ? oci_layout_index_parse(doc, len, &ix, &err)
		       : image_index_parse("fuzz", doc, len, &ix, &err);

	check_contract(r, ix, &err);
	if (ix == NULL)
		return;
	FUZZ_ASSERT(ix->n_manifests <= META_MAX_MANIFESTS, "%zu manifests", ix->n_manifests);
	for (size_t i = 0; i < ix->n_manifests; i++)
		check_strings(&ix->manifests[i]);
	if (image_index_select(ix, "amd64", "linux", NULL, &err) == NULL)
		check_contract(-1, NULL, &err);
	if (image_index_select(ix, "arm64", "linux", "v8", &err) == NULL)
		check_contract(-1, NULL, &err);
	image_index_free(ix);
}

static void fuzz_manifest(const uint8_t *doc, size_t len)
{
	struct image_manifest *m = NULL;
	podd_error_t err = NULL;
	int r = image_manifest_parse("fuzz", doc, len, &m, &err);

	check_contract(r, m, &err);
	if (m == NULL)
		return;
	FUZZ_ASSERT(m->n_layers <= META_MAX_LAYERS, "%zu layers", m->n_layers);
	FUZZ_ASSERT(m->config.size <= META_MAX_BYTES, "config size");
	check_strings(&m->config);
	for (size_t i = 0; i < m->n_layers; i++) {
		check_strings(&m->layers[i].desc);
		FUZZ_ASSERT(m->layers[i].desc.size <= META_MAX_LAYER_SIZE, "layer size");
	}
	image_manifest_free(m);
}

static void fuzz_config(const uint8_t *doc, size_t len)
{
	struct image_config *c = NULL;
	struct image_manifest *m = NULL;
	podd_error_t err = NULL;
	int r = image_config_parse("fuzz", doc, len, &c, &err);

	check_contract(r, c, &err);
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_env; i++)
		FUZZ_ASSERT(strchr(c->env[i], '=') > c->env[i], "Env entry without a key");
	FUZZ_ASSERT(c->n_diff_ids <= META_MAX_LAYERS, "%zu diff_ids", c->n_diff_ids);
	r = image_manifest_parse(NULL, ONE_LAYER_MANIFEST, strlen(ONE_LAYER_MANIFEST), &m, &err);
	FUZZ_ASSERT(r == 0, "the fixed manifest is refused");
	r = image_config_check_layers(m, c, &err);
	FUZZ_ASSERT((r == 0) == (c->n_diff_ids == 1), "layer check");
	if (r < 0)
		check_contract(r, NULL, &err);
	image_manifest_free(m);
	image_config_free(c);
}

/* Checked independently of manifest.c's component walk. */
static bool path_escapes(const char *p)
{
	size_t n = strlen(p);
	return p[0] == '/' || strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	       strstr(p, "/../") != NULL || (n >= 3 && strcmp(p + n - 3, "/..") == 0);
}

static void fuzz_docker_archive(const uint8_t *doc, size_t len)
{
	struct docker_archive_manifest *m = NULL;
	podd_error_t err = NULL;
	int r = docker_archive_manifest_parse(doc, len, &m, &err);

	check_contract(r, m, &err);
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_images; i++) {
		const struct docker_archive_image *img = &m->images[i];
		FUZZ_ASSERT(!path_escapes(img->config), "escaping Config path");
		for (size_t j = 0; j < img->n_layers; j++)
			FUZZ_ASSERT(!path_escapes(img->layers[j]), "escaping layer path");
	}
	docker_archive_manifest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_index(data + 1, size - 1, false);
		break;
	case 1:
		fuzz_manifest(data + 1, size - 1);
		break;
	case 2:
		fuzz_config(data + 1, size - 1);
		break;
	case 3:
		fuzz_index(data + 1, size - 1, true);
		break;
	default:
		fuzz_docker_archive(data + 1, size - 1);
		break;
	}
	return 0;
}
