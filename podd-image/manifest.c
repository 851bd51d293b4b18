/* Image metadata parsing. json-c does the JSON (no hand-written parser);
 * this file decides what a well-formed document may say. The documents
 * come from a registry or an archive, so each field is checked for type,
 * range, length and character set before it is copied into a C struct,
 * and nothing is looked at a second time through json-c afterwards.
 *
 * What json-c does and does not do for us (json-c 0.16, checked):
 *  - JSON_TOKENER_VALIDATE_UTF8 refuses invalid UTF-8; STRICT refuses
 *    trailing bytes and trailing commas (it still takes 'single quotes').
 *  - "\u0000" decodes to a NUL inside a string (the length says so), and
 *    in an object key it silently cuts the key ("a\u0000b" becomes "a"),
 *    which would let two keys collide. So a document with an escaped or a
 *    raw NUL anywhere is refused before json-c sees it.
 *  - A duplicate key keeps the last value. The OCI spec leaves duplicates
 *    undefined; we take json-c's rule, so the value we act on is the one
 *    a Go reader (encoding/json, last wins too) would see.
 *  - An integer beyond int64 saturates instead of failing: every number
 *    we keep is range-checked against a bound well inside int64.
 *  - Nesting is bounded by json_tokener_new_ex(META_MAX_DEPTH). */
#include "manifest.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "printable.h"
#include "rfc3339.h"
#include "validate.h"
#include "util_base.h"

#define MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_NONDIST "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MEDIA_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MEDIA_DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar"
#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

#define MEDIA_TYPE_MAX 255 /* RFC 6838: 127 per part, and a '/' */
#define PLATFORM_WORD_MAX 64
#define REF_NAME_MAX 512
#define ARCHIVE_PATH_MAX 1024

static void json_tokener_freep(struct json_tokener **t)
{
	if (*t)
		json_tokener_free(*t);
	*t = NULL;
}
#define cleanup_tokener __attribute__((cleanup(json_tokener_freep)))

/* Refuses a NUL, raw or escaped, anywhere in the document (see the top of
 * the file for why keys make this necessary). Outside strings a backslash
 * is not JSON at all, so walking escapes pairwise is exact: "\\u0000" is
 * an escaped backslash and the text u0000, and passes. */
static int refuse_nul(const char *s, size_t len, podd_error_t *err)
{
	if (memchr(s, '\0', len) != NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "NUL byte in the document");
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 6 <= len && memcmp(s + i + 2, "0000", 4) == 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "escaped NUL (\\u0000) in the document");
		i++;
	}
	return 0;
}

/* Parses a whole document of `want` type within the size and depth
 * bounds. */
static int json_parse_bounded(const void *buf, size_t len, json_type want, json_object **out,
			      podd_error_t *err)
{
	cleanup_tokener struct json_tokener *tok = NULL;
	cleanup_json json_object *root = NULL;
	enum json_tokener_error jerr;

	if (len > META_MAX_BYTES)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "document of %zu bytes exceeds the limit of %u", len,
				  META_MAX_BYTES);
	if (len == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "empty document");
	if (refuse_nul(buf, len, err) < 0)
		return -1;
	tok = json_tokener_new_ex(META_MAX_DEPTH);
	if (tok == NULL)
		return podd_error(err, PODD_E_INTERNAL, "json_tokener_new_ex: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	/* A document that ends in a number ("42") leaves json-c waiting for
	 * more digits: one space ends it, and a document cut short still
	 * waits. */
	if (jerr == json_tokener_continue) {
		root = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_success)
			goto parsed;
	}
	if (jerr == json_tokener_continue)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "truncated JSON");
	if (jerr == json_tokener_error_depth)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "JSON nested deeper than %d levels",
				  META_MAX_DEPTH);
	if (jerr != json_tokener_success)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid JSON at byte %zu: %s",
				  json_tokener_get_parse_end(tok), json_tokener_error_desc(jerr));
	if (json_tokener_get_parse_end(tok) != len)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "bytes after the JSON document");
parsed:
	if (!json_object_is_type(root, want))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "top level is not a JSON %s",
				  json_type_to_name(want));
	*out = steal_pointer(&root);
	return 0;
}

/* Member `key` of `obj` of type `want`. JSON null counts as absent (Docker
 * writes "Entrypoint": null). Returns 1 when found, 0 when absent and
 * optional. */
static int member(json_object *obj, const char *key, json_type want, bool required,
		  json_object **v, podd_error_t *err)
{
	*v = NULL;
	if (!json_object_object_get_ex(obj, key, v) || *v == NULL) {
		if (required)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: missing", key);
		return 0;
	}
	if (!json_object_is_type(*v, want))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not a JSON %s", key,
				  json_type_to_name(want));
	return 1;
}

/* A copy of a JSON string of at most `max` bytes. The NUL check repeats
 * refuse_nul's on purpose: it is what makes the C string whole. */
static int string_dup(json_object *v, const char *what, size_t max, char **out,
		      podd_error_t *err)
{
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not a string", what);
	len = (size_t)json_object_get_string_len(v);
	if (len > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %zu bytes, at most %zu",
				  what, len, max);
	if (strlen(json_object_get_string(v)) != len)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: NUL in string", what);
	*out = strdup(json_object_get_string(v));
	if (*out == NULL)
		return podd_error_sys(err, errno, "%s", what);
	return 0;
}

/* Returns 1 when found, 0 when absent and optional. */
static int member_string(json_object *obj, const char *key, bool required, size_t max,
			 char **out, podd_error_t *err)
{
	json_object *v;
	int r = member(obj, key, json_type_string, required, &v, err);
	if (r <= 0)
		return r;
	if (string_dup(v, key, max, out, err) < 0)
		return -1;
	return 1;
}

/* A word drawn from `extra` and ASCII letters and digits only, so that it
 * is printable as is, compares byte for byte and cannot smuggle a path. */
static int word_check(const char *what, const char *s, size_t max, const char *extra,
		      podd_error_t *err)
{
	char shown[PRINTABLE_BUF];
	size_t len = strlen(s);

	for (const char *p = s; *p; p++) {
		char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(extra, c) != NULL)
			continue;
		printable_escape(s, shown, sizeof(shown));
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: invalid \"%s\"", what, shown);
	}
	if (len == 0 || len > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %zu bytes, 1 to %zu allowed",
				  what, len, max);
	return 0;
}

/* A word-checked string member. */
static int member_word(json_object *obj, const char *key, bool required, size_t max,
		       const char *extra, char **out, podd_error_t *err)
{
	int r = member_string(obj, key, required, max, out, err);
	if (r <= 0)
		return r;
	return word_check(key, *out, max, extra, err);
}

/* RFC 6838's restricted-name characters, and the one '/'. */
#define MEDIA_TYPE_CHARS "!#$&^_.+-/"
#define PLATFORM_CHARS "._-"
/* OCI's ref.name and docker's tags: registry/repo:tag@digest forms. */
#define REF_CHARS "._-:/@+"

/* A non-negative integer no larger than `max`. */
static int uint_get(json_object *v, const char *what, uint64_t max, uint64_t *out,
		    podd_error_t *err)
{
	if (!json_object_is_type(v, json_type_int))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not an integer", what);
	/* json-c saturates: a huge value reads as INT64_MAX/UINT64_MAX and
	 * fails the bound below, a huge negative one as INT64_MIN. */
	if (json_object_get_int64(v) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: negative", what);
	*out = json_object_get_uint64(v);
	if (*out > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s: %llu is out of range (at most %llu)", what,
				  (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

static int schema_version_check(json_object *root, podd_error_t *err)
{
	json_object *v;
	uint64_t n;

	if (member(root, "schemaVersion", json_type_int, true, &v, err) < 0 ||
	    uint_get(v, "schemaVersion", INT32_MAX, &n, err) < 0)
		return -1;
	if (n != 2)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "schemaVersion %llu is not supported (only 2)",
				  (unsigned long long)n);
	return 0;
}

/* The start indexes and manifests share: a bounded JSON object with
 * schemaVersion 2 and an optional, well-formed mediaType. */
static int versioned_document_parse(const void *buf, size_t len, json_object **root,
				    char **media_type, podd_error_t *err)
{
	if (json_parse_bounded(buf, len, json_type_object, root, err) < 0 ||
	    schema_version_check(*root, err) < 0 ||
	    member_word(*root, "mediaType", false, MEDIA_TYPE_MAX, MEDIA_TYPE_CHARS, media_type,
			err) < 0)
		return -1;
	return 0;
}

static int annotations_parse(json_object *d, char **ref_name, podd_error_t *err)
{
	json_object *a;
	int r = member(d, "annotations", json_type_object, false, &a, err);

	if (r <= 0)
		return r;
	if (json_object_object_length(a) > META_MAX_ANNOTATIONS)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "annotations: %d entries, at most %d",
				  json_object_object_length(a), META_MAX_ANNOTATIONS);
	json_object_object_foreach(a, key, val)
	{
		cleanup_free char *s = NULL;
		if (string_dup(val, "annotation", META_MAX_STRING, &s, err) < 0)
			return -1;
		if (strcmp(key, ANNOTATION_REF_NAME) == 0) {
			if (word_check(ANNOTATION_REF_NAME, s, REF_NAME_MAX, REF_CHARS, err) < 0)
				return -1;
			free(*ref_name);
			*ref_name = steal_pointer(&s);
		}
	}
	return 0;
}

static void descriptor_clear(struct descriptor *d)
{
	free(d->media_type);
	free(d->platform.architecture);
	free(d->platform.os);
	free(d->platform.variant);
	free(d->ref_name);
	memset(d, 0, sizeof(*d));
}

/* An OCI content descriptor, whose size may be at most `max_size`. urls
 * (foreign layers) are refused: podd fetches only from the registry the
 * image came from, and a URL would make any host a source. */
static int descriptor_parse(json_object *o, uint64_t max_size, struct descriptor *d,
			    podd_error_t *err)
{
	json_object *v;
	cleanup_free char *digest = NULL;
	int r;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(o, json_type_object))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "not a JSON object");
	if (member_word(o, "mediaType", true, MEDIA_TYPE_MAX, MEDIA_TYPE_CHARS, &d->media_type,
			err) < 0 ||
	    member_string(o, "digest", true, 256, &digest, err) < 0)
		return -1;
	if (digest_parse(digest, &d->digest, err) < 0)
		return podd_error_wrap(err, "digest");
	if (member(o, "size", json_type_int, true, &v, err) < 0 ||
	    uint_get(v, "size", max_size, &d->size, err) < 0)
		return -1;
	r = member(o, "urls", json_type_array, false, &v, err);
	if (r < 0)
		return -1;
	if (r > 0 && json_object_array_length(v) > 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "urls: foreign content at other URLs is not fetched");
	r = member(o, "platform", json_type_object, false, &v, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		d->has_platform = true;
		if (member_word(v, "architecture", true, PLATFORM_WORD_MAX, PLATFORM_CHARS,
				&d->platform.architecture, err) < 0 ||
		    member_word(v, "os", true, PLATFORM_WORD_MAX, PLATFORM_CHARS,
				&d->platform.os, err) < 0 ||
		    member_word(v, "variant", false, PLATFORM_WORD_MAX, PLATFORM_CHARS,
				&d->platform.variant, err) < 0)
			return podd_error_wrap(err, "platform");
	}
	return annotations_parse(o, &d->ref_name, err);
}

/* Array member `key` with at most `max` entries (0 when absent and
 * optional). Checked before any entry is looked at. */
static int member_array(json_object *obj, const char *key, bool required, size_t max,
			json_object **arr, size_t *n, podd_error_t *err)
{
	int r = member(obj, key, json_type_array, required, arr, err);

	*n = 0;
	if (r <= 0)
		return r;
	*n = json_object_array_length(*arr);
	if (*n > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %zu entries, at most %zu",
				  key, *n, max);
	return 1;
}

static bool is_manifest_type(const char *t)
{
	return strcmp(t, MEDIA_OCI_MANIFEST) == 0 || strcmp(t, MEDIA_DOCKER_MANIFEST) == 0;
}

static bool is_index_type(const char *t)
{
	return strcmp(t, MEDIA_OCI_INDEX) == 0 || strcmp(t, MEDIA_DOCKER_LIST) == 0;
}

/* Names the document in an error: "manifest sha256:...: cause". */
static int wrap_named(podd_error_t *err, const char *kind, const char *name)
{
	if (name)
		return podd_error_wrap(err, "%s %s", kind, name);
	return podd_error_wrap(err, "%s", kind);
}

void image_index_free(struct image_index *index)
{
	if (index == NULL)
		return;
	for (size_t i = 0; i < index->n_manifests; i++)
		descriptor_clear(&index->manifests[i]);
	free(index->manifests);
	free(index->media_type);
	free(index);
}

/* An index's fields; `layout` also requires well-formed ref names (the
 * check itself is in annotations_parse, for any descriptor). */
static int index_parse(const void *buf, size_t len, struct image_index **out, podd_error_t *err)
{
	cleanup_json json_object *root = NULL;
	cleanup_image_index struct image_index *index = NULL;
	cleanup_free char *media_type = NULL;
	json_object *arr, *v;
	size_t n;

	if (versioned_document_parse(buf, len, &root, &media_type, err) < 0)
		return -1;
	index = calloc(1, sizeof(*index));
	if (index == NULL)
		return podd_error_sys(err, errno, "allocate index");
	index->media_type = steal_pointer(&media_type);
	if (index->media_type && !is_index_type(index->media_type)) {
		char shown[PRINTABLE_BUF];
		printable_escape(index->media_type, shown, sizeof(shown));
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "media type \"%s\" is not an image index", shown);
	}
	/* Without a mediaType, the fields decide what a document is: one
	 * that also reads as a manifest is refused rather than guessed. */
	if (json_object_object_get_ex(root, "config", &v) ||
	    json_object_object_get_ex(root, "layers", &v))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "an image index with config or layers (a manifest?)");
	if (member_array(root, "manifests", true, META_MAX_MANIFESTS, &arr, &n, err) < 0)
		return -1;
	index->manifests = calloc(n ? n : 1, sizeof(*index->manifests));
	if (index->manifests == NULL)
		return podd_error_sys(err, errno, "allocate index");
	for (size_t i = 0; i < n; i++) {
		struct descriptor *d = &index->manifests[i];
		index->n_manifests = i + 1; /* so that the free clears a partial one */
		if (descriptor_parse(json_object_array_get_idx(arr, i), META_MAX_BYTES, d, err) < 0)
			return podd_error_wrap(err, "manifests[%zu]", i);
		/* A Docker list holds Docker manifests only; an OCI index may
		 * also hold other types (artifacts), which select skips. */
		if (index->media_type && strcmp(index->media_type, MEDIA_DOCKER_LIST) == 0 &&
		    strcmp(d->media_type, MEDIA_DOCKER_MANIFEST) != 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "manifests[%zu]: media type \"%s\" in a Docker manifest list",
					  i, d->media_type);
	}
	*out = steal_pointer(&index);
	return 0;
}

int image_index_parse(const char *name, const void *buf, size_t len, struct image_index **out,
		      podd_error_t *err)
{
	if (index_parse(buf, len, out, err) < 0)
		return wrap_named(err, "index", name);
	return 0;
}

int oci_layout_index_parse(const void *buf, size_t len, struct image_index **out,
			   podd_error_t *err)
{
	if (index_parse(buf, len, out, err) < 0)
		return podd_error_wrap(err, "index.json");
	return 0;
}

static bool platform_matches(const struct descriptor *d, const char *architecture,
			     const char *os, const char *variant, bool exact)
{
	if (!is_manifest_type(d->media_type) || !d->has_platform ||
	    strcmp(d->platform.architecture, architecture) != 0 ||
	    strcmp(d->platform.os, os) != 0)
		return false;
	if (variant == NULL || d->platform.variant == NULL)
		return !exact || variant == NULL;
	return strcmp(d->platform.variant, variant) == 0;
}

const struct descriptor *image_index_select(const struct image_index *index,
					    const char *architecture, const char *os,
					    const char *variant, podd_error_t *err)
{
	char have[512] = "";
	size_t o = 0;

	/* An entry naming the variant asked for wins over one naming none. */
	for (int exact = 1; exact >= 0; exact--)
		for (size_t i = 0; i < index->n_manifests; i++)
			if (platform_matches(&index->manifests[i], architecture, os, variant,
					     exact))
				return &index->manifests[i];
	/* Platform words passed word_check, so they print as they are. */
	for (size_t i = 0; i < index->n_manifests && o < sizeof(have) - 1; i++) {
		const struct descriptor *d = &index->manifests[i];
		if (!d->has_platform)
			continue;
		o += (size_t)snprintf(have + o, sizeof(have) - o, "%s%s/%s%s%s", o ? ", " : "",
				      d->platform.os, d->platform.architecture,
				      d->platform.variant ? "/" : "",
				      d->platform.variant ? d->platform.variant : "");
	}
	podd_error(err, PODD_E_NO_SUCH_OBJECT, "no manifest for %s/%s%s%s in the index (it has: %s)",
		   os, architecture, variant ? "/" : "", variant ? variant : "", o ? have : "none");
	return NULL;
}

void image_manifest_free(struct image_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_clear(&m->layers[i].desc);
	free(m->layers);
	descriptor_clear(&m->config);
	free(m->media_type);
	free(m);
}

/* A layer's media type to the compression extraction will meet. */
static int layer_type_parse(const char *t, enum layer_compression *c, podd_error_t *err)
{
	static const struct {
		const char *type;
		enum layer_compression compression;
	} known[] = {
		{ MEDIA_OCI_LAYER, LAYER_TAR },
		{ MEDIA_OCI_LAYER "+gzip", LAYER_GZIP },
		{ MEDIA_OCI_LAYER "+zstd", LAYER_ZSTD },
		{ MEDIA_DOCKER_LAYER, LAYER_TAR },
		{ MEDIA_DOCKER_LAYER ".gzip", LAYER_GZIP },
		{ MEDIA_DOCKER_LAYER ".zstd", LAYER_ZSTD },
	};
	char shown[PRINTABLE_BUF];

	for (size_t i = 0; i < PODD_ARRAY_SIZE(known); i++)
		if (strcmp(t, known[i].type) == 0) {
			*c = known[i].compression;
			return 0;
		}
	printable_escape(t, shown, sizeof(shown));
	if (strncmp(t, MEDIA_OCI_NONDIST, strlen(MEDIA_OCI_NONDIST)) == 0 ||
	    strncmp(t, MEDIA_DOCKER_FOREIGN, strlen(MEDIA_DOCKER_FOREIGN)) == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "non-distributable (foreign) layer \"%s\" is not supported", shown);
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "unsupported media type \"%s\"", shown);
}

static int manifest_parse(const void *buf, size_t len, struct image_manifest **out,
			  podd_error_t *err)
{
	cleanup_json json_object *root = NULL;
	cleanup_image_manifest struct image_manifest *m = NULL;
	cleanup_free char *media_type = NULL;
	json_object *arr, *v;
	size_t n;

	if (versioned_document_parse(buf, len, &root, &media_type, err) < 0)
		return -1;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return podd_error_sys(err, errno, "allocate manifest");
	m->media_type = steal_pointer(&media_type);
	if (m->media_type == NULL) {
		m->media_type = strdup(MEDIA_OCI_MANIFEST);
		if (m->media_type == NULL)
			return podd_error_sys(err, errno, "allocate manifest");
	} else if (!is_manifest_type(m->media_type)) {
		char shown[PRINTABLE_BUF];
		printable_escape(m->media_type, shown, sizeof(shown));
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "media type \"%s\" is not an image manifest", shown);
	}
	/* An index must never pass for a manifest, whatever its mediaType
	 * says (OCI makes mediaType optional, Docker requires it). */
	if (json_object_object_get_ex(root, "manifests", &v))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "a manifest with manifests (an index?)");
	if (member(root, "config", json_type_object, true, &v, err) < 0)
		return -1;
	if (descriptor_parse(v, META_MAX_BYTES, &m->config, err) < 0)
		return podd_error_wrap(err, "config");
	if (strcmp(m->config.media_type, MEDIA_OCI_CONFIG) != 0 &&
	    strcmp(m->config.media_type, MEDIA_DOCKER_CONFIG) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "config: unsupported media type \"%s\"", m->config.media_type);
	if (member_array(root, "layers", true, META_MAX_LAYERS, &arr, &n, err) < 0)
		return -1;
	m->layers = calloc(n ? n : 1, sizeof(*m->layers));
	if (m->layers == NULL)
		return podd_error_sys(err, errno, "allocate manifest");
	for (size_t i = 0; i < n; i++) {
		struct manifest_layer *l = &m->layers[i];
		m->n_layers = i + 1; /* so that the free clears a partial one */
		if (descriptor_parse(json_object_array_get_idx(arr, i), META_MAX_LAYER_SIZE,
				     &l->desc, err) < 0 ||
		    layer_type_parse(l->desc.media_type, &l->compression, err) < 0)
			return podd_error_wrap(err, "layer %zu", i);
	}
	*out = steal_pointer(&m);
	return 0;
}

int image_manifest_parse(const char *name, const void *buf, size_t len,
			 struct image_manifest **out, podd_error_t *err)
{
	if (manifest_parse(buf, len, out, err) < 0)
		return wrap_named(err, "manifest", name);
	return 0;
}

/* A string array member as a NULL-terminated vector; absent or null
 * leaves *out NULL. `env` also requires KEY=VALUE. */
static int member_strv(json_object *obj, const char *key, bool env, char ***out, size_t *n,
		       podd_error_t *err)
{
	cleanup_strv char **v = NULL;
	json_object *arr;
	size_t count;
	int r = member_array(obj, key, false, META_MAX_STRINGS, &arr, &count, err);

	if (r <= 0)
		return r;
	v = calloc(count + 1, sizeof(*v));
	if (v == NULL)
		return podd_error_sys(err, errno, "%s", key);
	for (size_t i = 0; i < count; i++) {
		if (string_dup(json_object_array_get_idx(arr, i), key, META_MAX_STRING, &v[i],
			       err) < 0)
			return podd_error_wrap(err, "entry %zu", i);
		if (env && (v[i][0] == '=' || strchr(v[i], '=') == NULL)) {
			char shown[PRINTABLE_BUF];
			printable_escape(v[i], shown, sizeof(shown));
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s entry %zu: \"%s\" is not KEY=VALUE", key, i, shown);
		}
	}
	*n = count;
	*out = steal_pointer(&v);
	return 0;
}

/* The keys of an object member (ExposedPorts), or keys and string values
 * (Labels). */
static int member_map(json_object *obj, const char *key, char ***keys, char ***values,
		      size_t *n, podd_error_t *err)
{
	cleanup_strv char **k = NULL;
	cleanup_strv char **vals = NULL;
	json_object *map;
	size_t i = 0, count;
	int r = member(obj, key, json_type_object, false, &map, err);

	if (r <= 0)
		return r;
	count = (size_t)json_object_object_length(map);
	if (count > META_MAX_ANNOTATIONS)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %zu entries, at most %d",
				  key, count, META_MAX_ANNOTATIONS);
	k = calloc(count + 1, sizeof(*k));
	if (values)
		vals = calloc(count + 1, sizeof(*vals));
	if (k == NULL || (values && vals == NULL))
		return podd_error_sys(err, errno, "%s", key);
	json_object_object_foreach(map, name, val)
	{
		/* Keys cannot hold a NUL (refuse_nul saw to it): bound them. */
		if (strlen(name) > META_MAX_STRING)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: key too long", key);
		k[i] = strdup(name);
		if (k[i] == NULL)
			return podd_error_sys(err, errno, "%s", key);
		if (values && string_dup(val, key, META_MAX_STRING, &vals[i], err) < 0)
			return -1;
		i++;
	}
	*n = count;
	*keys = steal_pointer(&k);
	if (values)
		*values = steal_pointer(&vals);
	return 0;
}

void image_config_free(struct image_config *c)
{
	if (c == NULL)
		return;
	free(c->author);
	free(c->comment);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created_by);
		free(c->history[i].comment);
		free(c->history[i].author);
	}
	free(c->history);
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->user);
	free(c->working_dir);
	free(c->stop_signal);
	podd_free_strvp(&c->env);
	podd_free_strvp(&c->entrypoint);
	podd_free_strvp(&c->cmd);
	podd_free_strvp(&c->exposed_ports);
	podd_free_strvp(&c->volumes);
	podd_free_strvp(&c->label_keys);
	podd_free_strvp(&c->label_values);
	free(c->diff_ids);
	free(c);
}

static int container_config_parse(json_object *cc, struct image_config *c, podd_error_t *err)
{
	if (member_string(cc, "User", false, 256, &c->user, err) < 0 ||
	    member_string(cc, "WorkingDir", false, PODD_PATH_MAX, &c->working_dir, err) <
		    0 ||
	    member_word(cc, "StopSignal", false, 32, "+-", &c->stop_signal, err) < 0 ||
	    member_strv(cc, "Env", true, &c->env, &c->n_env, err) < 0 ||
	    member_strv(cc, "Entrypoint", false, &c->entrypoint, &c->n_entrypoint, err) < 0 ||
	    member_strv(cc, "Cmd", false, &c->cmd, &c->n_cmd, err) < 0 ||
	    member_map(cc, "ExposedPorts", &c->exposed_ports, NULL, &c->n_exposed_ports, err) <
		    0 ||
	    member_map(cc, "Volumes", &c->volumes, NULL, &c->n_volumes, err) < 0 ||
	    member_map(cc, "Labels", &c->label_keys, &c->label_values, &c->n_labels, err) < 0)
		return -1;
	return 0;
}

static int rootfs_parse(json_object *root, struct image_config *c, podd_error_t *err)
{
	cleanup_free char *type = NULL;
	json_object *rootfs, *arr;
	size_t n;

	if (member(root, "rootfs", json_type_object, true, &rootfs, err) < 0 ||
	    member_string(rootfs, "type", true, 32, &type, err) < 0)
		return -1;
	if (strcmp(type, "layers") != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "type is not \"layers\"");
	if (member_array(rootfs, "diff_ids", true, META_MAX_LAYERS, &arr, &n, err) < 0)
		return -1;
	c->diff_ids = calloc(n ? n : 1, sizeof(*c->diff_ids));
	if (c->diff_ids == NULL)
		return podd_error_sys(err, errno, "diff_ids");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    digest_parse(json_object_get_string(v), &c->diff_ids[i], err) < 0) {
			if (*err == NULL)
				podd_error(err, PODD_E_INVALID_ARGUMENT, "not a string");
			return podd_error_wrap(err, "diff_ids[%zu]", i);
		}
	}
	c->n_diff_ids = n;
	return 0;
}

/* history: what image inspect shows; nothing else depends on it. */
static int history_parse(json_object *root, struct image_config *c, podd_error_t *err)
{
	json_object *arr;
	size_t n;
	int r = member_array(root, "history", false, META_MAX_HISTORY, &arr, &n, err);

	if (r <= 0)
		return r;
	c->history = calloc(n ? n : 1, sizeof(*c->history));
	if (c->history == NULL)
		return podd_error_sys(err, errno, "history");
	for (size_t i = 0; i < n; i++) {
		struct image_history *h = &c->history[i];
		json_object *o = json_object_array_get_idx(arr, i), *b;
		cleanup_free char *created = NULL;
		c->n_history = i + 1;
		if (!json_object_is_type(o, json_type_object))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "history[%zu]: not an object",
					  i);
		if (member_string(o, "created", false, 64, &created, err) < 0 ||
		    member_string(o, "created_by", false, META_MAX_STRING, &h->created_by, err) <
			    0 ||
		    member_string(o, "comment", false, META_MAX_STRING, &h->comment, err) < 0 ||
		    member_string(o, "author", false, META_MAX_STRING, &h->author, err) < 0 ||
		    (r = member(o, "empty_layer", json_type_boolean, false, &b, err)) < 0)
			return podd_error_wrap(err, "history[%zu]", i);
		h->empty_layer = r > 0 && json_object_get_boolean(b);
		if (created) {
			int t = podd_rfc3339_parse(created, &h->created_ns);
			if (t < 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "history[%zu]: created is not an RFC 3339 time", i);
			h->has_created = t == 0;
		}
	}
	return 0;
}

static int config_parse(const void *buf, size_t len, struct image_config **out,
			podd_error_t *err)
{
	cleanup_json json_object *root = NULL;
	cleanup_image_config struct image_config *c = NULL;
	cleanup_free char *created = NULL;
	json_object *cc;
	int r;

	if (json_parse_bounded(buf, len, json_type_object, &root, err) < 0)
		return -1;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return podd_error_sys(err, errno, "allocate config");
	if (member_word(root, "architecture", true, PLATFORM_WORD_MAX, PLATFORM_CHARS,
			&c->architecture, err) < 0 ||
	    member_word(root, "os", true, PLATFORM_WORD_MAX, PLATFORM_CHARS, &c->os, err) < 0 ||
	    member_word(root, "variant", false, PLATFORM_WORD_MAX, PLATFORM_CHARS, &c->variant,
			err) < 0 ||
	    member_string(root, "created", false, 64, &created, err) < 0 ||
	    member_string(root, "author", false, META_MAX_STRING, &c->author, err) < 0 ||
	    member_string(root, "comment", false, META_MAX_STRING, &c->comment, err) < 0)
		return -1;
	if (history_parse(root, c, err) < 0)
		return -1;
	if (created) {
		r = podd_rfc3339_parse(created, &c->created_ns);
		if (r < 0) {
			char shown[PRINTABLE_BUF];
			printable_escape(created, shown, sizeof(shown));
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "created: \"%s\" is not an RFC 3339 time", shown);
		}
		c->has_created = r == 0;
	}
	r = member(root, "config", json_type_object, false, &cc, err);
	if (r < 0 || (r > 0 && container_config_parse(cc, c, err) < 0))
		return r < 0 ? -1 : podd_error_wrap(err, "config");
	if (rootfs_parse(root, c, err) < 0)
		return podd_error_wrap(err, "rootfs");
	*out = steal_pointer(&c);
	return 0;
}

int image_config_parse(const char *name, const void *buf, size_t len, struct image_config **out,
		       podd_error_t *err)
{
	if (config_parse(buf, len, out, err) < 0)
		return wrap_named(err, "config", name);
	return 0;
}

int image_config_check_layers(const struct image_manifest *m, const struct image_config *c,
			      podd_error_t *err)
{
	/* diff_ids are the digests of the uncompressed layers, so they can
	 * be compared with the layers only after extraction; here, their
	 * number. A mismatch means the config describes another image. */
	if (m->n_layers != c->n_diff_ids)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "config sha256:%s: %zu diff_ids for the manifest's %zu layers",
				  m->config.digest.hex, c->n_diff_ids, m->n_layers);
	return 0;
}

/* A path inside a docker-archive: relative, with no "..", "." or empty
 * component and no control character, so that it names a member of the
 * archive and nothing else whatever the reader does with it. */
static int archive_path_check(const char *what, const char *s, podd_error_t *err)
{
	char shown[PRINTABLE_BUF];
	const char *c = s;
	size_t len = strlen(s);

	printable_escape(s, shown, sizeof(shown));
	if (len == 0 || len > ARCHIVE_PATH_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %zu bytes, 1 to %d allowed",
				  what, len, ARCHIVE_PATH_MAX);
	if (s[0] == '/')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: \"%s\" is absolute", what,
				  shown);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: \"%s\" has a control character or backslash", what,
					  shown);
	while (c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: \"%s\" has an empty, \".\" or \"..\" component",
					  what, shown);
		c = slash ? slash + 1 : NULL;
	}
	return 0;
}

static void docker_archive_image_clear(struct docker_archive_image *img)
{
	free(img->config);
	podd_free_strvp(&img->repo_tags);
	podd_free_strvp(&img->layers);
}

void docker_archive_manifest_free(struct docker_archive_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_images; i++)
		docker_archive_image_clear(&m->images[i]);
	free(m->images);
	free(m);
}

static int docker_archive_image_parse(json_object *o, struct docker_archive_image *img,
				      podd_error_t *err)
{
	if (!json_object_is_type(o, json_type_object))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "not a JSON object");
	if (member_string(o, "Config", true, ARCHIVE_PATH_MAX, &img->config, err) < 0 ||
	    archive_path_check("Config", img->config, err) < 0 ||
	    member_strv(o, "RepoTags", false, &img->repo_tags, &img->n_repo_tags, err) < 0 ||
	    member_strv(o, "Layers", false, &img->layers, &img->n_layers, err) < 0)
		return -1;
	if (img->n_layers > META_MAX_LAYERS)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "Layers: %zu entries, at most %d",
				  img->n_layers, META_MAX_LAYERS);
	for (size_t i = 0; i < img->n_repo_tags; i++)
		if (word_check("RepoTags", img->repo_tags[i], REF_NAME_MAX, REF_CHARS, err) < 0)
			return podd_error_wrap(err, "entry %zu", i);
	for (size_t i = 0; i < img->n_layers; i++)
		if (archive_path_check("Layers", img->layers[i], err) < 0)
			return podd_error_wrap(err, "entry %zu", i);
	return 0;
}

int docker_archive_manifest_parse(const void *buf, size_t len,
				  struct docker_archive_manifest **out, podd_error_t *err)
{
	cleanup_json json_object *root = NULL;
	cleanup_docker_archive_manifest struct docker_archive_manifest *m = NULL;
	size_t n;

	if (json_parse_bounded(buf, len, json_type_array, &root, err) < 0)
		return podd_error_wrap(err, "manifest.json");
	n = json_object_array_length(root);
	if (n == 0 || n > META_MAX_MANIFESTS)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "manifest.json: %zu images, 1 to %d allowed", n,
				  META_MAX_MANIFESTS);
	m = calloc(1, sizeof(*m));
	if (m)
		m->images = calloc(n, sizeof(*m->images));
	if (m == NULL || m->images == NULL)
		return podd_error_sys(err, errno, "allocate manifest.json");
	for (size_t i = 0; i < n; i++) {
		m->n_images = i + 1;
		if (docker_archive_image_parse(json_object_array_get_idx(root, i), &m->images[i],
					       err) < 0)
			return podd_error_wrap(err, "manifest.json: image %zu", i);
	}
	*out = steal_pointer(&m);
	return 0;
}
