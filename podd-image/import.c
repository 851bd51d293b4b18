/* podctl import: a root filesystem tarball (plain, gzip or zstd) made a
 * one-layer image, as podman import does. The tarball is decompressed into
 * the layer blob (so its digest is the diff_id), a config is written from
 * podman's --change instructions and the message, then an OCI manifest,
 * and store_image_from_manifest unpacks the layer like any other. A failed
 * import leaves no new blob and no layer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "cleanup.h"
#include "extract.h"
#include "rfc3339.h"
#include "image_archive.h"
#include "image_change.h"
#include "manifest.h"
#include "platform.h"
#include "store.h"
#include "util.h"

#define IMPORT_CHUNK (64 * 1024)

/* Writes `buf` as a blob. */
static int put_doc(int storefd, const char *buf, size_t len, struct digest *d, podd_error_t *err)
{
	cleanup_blob_writer struct blob_writer w = { 0 };

	if (sha256_buffer(buf, len, d, err) < 0)
		return -1;
	if (blob_writer_open(storefd, d, len, META_MAX_BYTES, &w, err) < 0 ||
	    blob_writer_write(&w, buf, len, err) < 0 || blob_writer_commit(&w, NULL, NULL, err) < 0)
		return -1;
	return 0;
}

/* The tarball's bytes as read, hashed on the way (podman names the
 * imported blob by them). */
struct raw_reader {
	int fd;
	EVP_MD_CTX *md;
	bool failed;
	char buf[IMPORT_CHUNK];
};

static la_ssize_t raw_read(struct archive *a, void *data, const void **out)
{
	struct raw_reader *r = data;
	ssize_t n;

	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	if (n > 0 && EVP_DigestUpdate(r->md, r->buf, (size_t)n) != 1) {
		r->failed = true;
		archive_set_error(a, EIO, "sha256");
		return -1;
	}
	*out = r->buf;
	return n;
}

/* The tarball, decompressed, as the layer blob; *raw the digest of the
 * tarball as read. The blob is the layer's tar stream, so it is held to
 * what extraction would take (extract_tar_bytes_max): a small compressed
 * bomb stops there, not after 64 GiB. */
static int put_layer(int storefd, int fd, const struct extract_limits *lim, struct digest *d,
		     struct digest *raw, uint64_t *size, podd_error_t *err)
{
	cleanup_archive_read struct archive *a = archive_read_new();
	cleanup_md EVP_MD_CTX *md = EVP_MD_CTX_new();
	cleanup_md EVP_MD_CTX *raw_md = EVP_MD_CTX_new();
	cleanup_free struct raw_reader *rr = calloc(1, sizeof(*rr));
	cleanup_blob_writer struct blob_writer w = { 0 };
	struct archive_entry *entry;

	*size = 0;
	if (a == NULL || md == NULL || raw_md == NULL || rr == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(raw_md, EVP_sha256(), NULL) != 1)
		return podd_error_sys(err, ENOMEM, "import");
	rr->fd = fd;
	rr->md = raw_md;
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "tarball reader: %s",
				  archive_error_string(a) ? archive_error_string(a) : "?");
	if (archive_read_open2(a, rr, NULL, raw_read, NULL, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "tarball: %s",
				  archive_error_string(a) ? archive_error_string(a) : "empty");
	if (blob_writer_open(storefd, NULL, UINT64_MAX, extract_tar_bytes_max(lim), &w, err) < 0)
		return -1;
	for (;;) {
		const void *buf;
		size_t len;
		int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "tarball: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		if (EVP_DigestUpdate(md, buf, len) != 1)
			return podd_error(err, PODD_E_INTERNAL, "sha256");
		if (extract_bomb_check(a, err) < 0 || blob_writer_write(&w, buf, len, err) < 0)
			return podd_error_wrap(err, "tarball");
		*size += len;
	}
	if (*size == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "tarball: empty");
	/* The raw format took the decompressed stream to its end; the filter
	 * may have left bytes of the file unread (gzip's trailer, padding):
	 * read them through the same reader, so the digest is the file's. */
	for (;;) {
		const void *rest;
		la_ssize_t n = raw_read(a, rr, &rest);
		if (n < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "tarball: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		if (n == 0)
			break;
	}
	if (sha256_final(md, d, err) < 0 || sha256_final(raw_md, raw, err) < 0)
		return -1;
	if (blob_writer_commit(&w, NULL, NULL, err) < 0)
		return -1;
	return 0;
}

/* The layer's, the config's and the manifest's digests. */
struct import_new {
	struct digest d[3];
};

int archive_import(int storefd, int fd, char *const *changes, size_t nchanges,
		   const char *message, int64_t created_ns, const struct extract_limits *lim,
		   Podd__ImageRecord **out, struct digest *raw, podd_error_t *err)
{
	cleanup_json json_object *config = json_object_new_object();
	cleanup_json json_object *manifest = json_object_new_object();
	json_object *cfg = json_object_new_object(), *rootfs, *ids, *history, *h, *layers, *l, *c;
	struct import_new made = { 0 };
	cleanup_free char *created = NULL, *diff = NULL, *by = NULL, *cdigest = NULL,
			  *ldigest = NULL;
	struct digest md;
	const struct extract_limits defaults = extract_limits_default();
	uint64_t size = 0;
	const char *doc;
	int r = -1;

	json_object_object_add(config, "config", cfg);
	for (size_t i = 0; i < nchanges; i++)
		if (image_change_apply(cfg, changes[i], NULL, 0, err) < 0)
			return -1;
	if (created_ns <= 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		created_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	created = podd_rfc3339(created_ns);
	if (created == NULL)
		return podd_error_sys(err, ENOMEM, "import");

	if (put_layer(storefd, fd, lim ? lim : &defaults, &made.d[0], raw, &size, err) < 0)
		goto out;
	if (asprintf(&diff, "sha256:%s", made.d[0].hex) < 0 ||
	    asprintf(&by, "/bin/sh -c #(nop) ADD file:%s in / ", made.d[0].hex) < 0) {
		podd_error_sys(err, ENOMEM, "import");
		goto out;
	}
	json_object_object_add(config, "created", json_object_new_string(created));
	json_object_object_add(config, "architecture",
			       json_object_new_string(podd_host_arch()));
	json_object_object_add(config, "os", json_object_new_string("linux"));
	if (message && message[0])
		json_object_object_add(config, "comment", json_object_new_string(message));
	rootfs = json_object_new_object();
	ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(diff));
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", ids);
	json_object_object_add(config, "rootfs", rootfs);
	history = json_object_new_array();
	h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string(by));
	json_object_object_add(h, "comment", json_object_new_string(
						     message && message[0] ? message
									   : "imported from tarball"));
	json_object_array_add(history, h);
	json_object_object_add(config, "history", history);
	doc = json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (put_doc(storefd, doc, strlen(doc), &made.d[1], err) < 0)
		goto out;
	if (asprintf(&cdigest, "sha256:%s", made.d[1].hex) < 0 ||
	    asprintf(&ldigest, "sha256:%s", made.d[0].hex) < 0) {
		podd_error_sys(err, ENOMEM, "import");
		goto out;
	}
	json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
	json_object_object_add(manifest, "mediaType", json_object_new_string(MEDIA_OCI_MANIFEST));
	c = json_object_new_object();
	json_object_object_add(c, "mediaType", json_object_new_string(MEDIA_OCI_CONFIG));
	json_object_object_add(c, "digest", json_object_new_string(cdigest));
	json_object_object_add(c, "size", json_object_new_int64((int64_t)strlen(doc)));
	json_object_object_add(manifest, "config", c);
	layers = json_object_new_array();
	l = json_object_new_object();
	json_object_object_add(l, "mediaType",
			       json_object_new_string("application/vnd.oci.image.layer.v1.tar"));
	json_object_object_add(l, "digest", json_object_new_string(ldigest));
	json_object_object_add(l, "size", json_object_new_int64((int64_t)size));
	json_object_array_add(layers, l);
	json_object_object_add(manifest, "layers", layers);
	doc = json_object_to_json_string_ext(manifest, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (put_doc(storefd, doc, strlen(doc), &made.d[2], err) < 0)
		goto out;
	md = made.d[2];
	r = store_image_from_manifest(storefd, &md, lim, out, err);
out:
	/* A failed import leaves its blobs to podctl's gc (store.h). */
	if (r < 0)
		return podd_error_wrap(err, "import");
	return 0;
}
