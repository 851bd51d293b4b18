/* podctl save: images from the store written as podman writes them.
 *
 * oci-archive: oci-layout, index.json (one entry per name, with
 * org.opencontainers.image.ref.name), blobs/sha256/<hex> for every
 * manifest, config and layer blob, byte for byte as stored.
 * docker-archive: manifest.json ([{Config, RepoTags, Layers}]), the config
 * as <hex>.json and each layer uncompressed as <diff_id hex>.tar (podman's
 * layout, without the legacy per-layer directories), so a compressed
 * layer blob is decompressed on the way, and its diff_id checked again.
 *
 * Only stored blobs are read: their names were checked when they arrived,
 * and the writer is libarchive's (pax restricted). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "image_archive.h"
#include "manifest.h"
#include "store.h"
#include "util.h"

#define SAVE_CHUNK (64 * 1024)

static int tar_error(struct archive *tar, const char *what, podd_error_t *err)
{
	return podd_error(err, PODD_E_INTERNAL, "write %s: %s", what,
			  archive_error_string(tar) ? archive_error_string(tar) : "?");
}

static int put_header(struct archive *tar, const char *path, int64_t size, podd_error_t *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (e == NULL)
		return podd_error_sys(err, ENOMEM, "archive entry");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	r = archive_write_header(tar, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : tar_error(tar, path, err);
}

static int put_dir(struct archive *tar, const char *path, podd_error_t *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (e == NULL)
		return podd_error_sys(err, ENOMEM, "archive entry");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	r = archive_write_header(tar, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : tar_error(tar, path, err);
}

static int put_bytes(struct archive *tar, const char *path, const void *buf, size_t len,
		     podd_error_t *err)
{
	if (put_header(tar, path, (int64_t)len, err) < 0)
		return -1;
	if (len && archive_write_data(tar, buf, len) != (la_ssize_t)len)
		return tar_error(tar, path, err);
	return 0;
}

/* A stored blob copied as it is. */
static int put_blob(struct archive *tar, int storefd, const struct digest *d, const char *path,
		    podd_error_t *err)
{
	cleanup_close int fd = blob_open(storefd, d, err);
	char buf[SAVE_CHUNK];
	struct stat st;
	int64_t left;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "blob sha256:%s", d->hex);
	if (put_header(tar, path, st.st_size, err) < 0)
		return -1;
	for (left = st.st_size; left > 0;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return podd_error_sys(err, n < 0 ? errno : EIO, "blob sha256:%s: read",
					      d->hex);
		if (n > left)
			n = (ssize_t)left;
		if (archive_write_data(tar, buf, (size_t)n) != n)
			return tar_error(tar, path, err);
		left -= n;
	}
	return 0;
}

/* A layer blob decompressed into the archive as <diff_id hex>.tar. */
static int put_layer_uncompressed(struct archive *tar, int storefd,
				  const struct manifest_layer *ml, const struct digest *diff_id,
				  const char *path, podd_error_t *err)
{
	cleanup_close int fd = blob_open(storefd, &ml->desc.digest, err);
	cleanup_archive_read struct archive *in = NULL;
	struct archive_entry *entry;
	const struct extract_limits lim = extract_limits_default();
	uint64_t size = 0, written = 0;

	if (fd < 0)
		return -1;
	/* First pass: the size the tar header needs, and the diff_id again. */
	if (layer_diff_id_check(fd, ml->compression, diff_id, lim.max_bytes * 2, &size, err) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return podd_error_sys(err, errno, "seek");
	in = archive_read_new();
	if (in == NULL || archive_read_support_filter_gzip(in) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(in) != ARCHIVE_OK ||
	    archive_read_support_filter_none(in) != ARCHIVE_OK ||
	    archive_read_support_format_raw(in) != ARCHIVE_OK ||
	    archive_read_open_fd(in, fd, SAVE_CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(in, &entry) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "layer sha256:%s: %s", ml->desc.digest.hex,
				  in && archive_error_string(in) ? archive_error_string(in) : "?");
	if (put_header(tar, path, (int64_t)size, err) < 0)
		return -1;
	for (;;) {
		const void *buf;
		size_t n;
		int64_t off;
		int r = archive_read_data_block(in, &buf, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return podd_error(err, PODD_E_INTERNAL, "layer sha256:%s: %s",
					  ml->desc.digest.hex,
					  archive_error_string(in) ? archive_error_string(in) : "?");
		if (written + n > size)
			return podd_error(err, PODD_E_INTERNAL, "layer sha256:%s changed while saved",
					  ml->desc.digest.hex);
		if (archive_write_data(tar, buf, n) != (la_ssize_t)n)
			return tar_error(tar, path, err);
		written += n;
	}
	if (written != size)
		return podd_error(err, PODD_E_INTERNAL, "layer sha256:%s changed while saved",
				  ml->desc.digest.hex);
	return 0;
}

/* One stored image's manifest and config, parsed. */
struct saved_image {
	const Podd__ImageRecord *rec;
	struct digest manifest_digest;
	char *manifest_buf;
	size_t manifest_len;
	struct image_manifest *m;
	struct image_config *c;
};

static void saved_image_clear(struct saved_image *s)
{
	free(s->manifest_buf);
	image_manifest_free(s->m);
	image_config_free(s->c);
	*s = (struct saved_image){ 0 };
}

static int saved_image_open(int storefd, const Podd__ImageRecord *rec, struct saved_image *s,
			    podd_error_t *err)
{
	cleanup_free char *cbuf = NULL;
	size_t clen;

	s->rec = rec;
	if (rec->manifest_digest[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %.12s has no manifest",
				  rec->id);
	if (digest_parse(rec->manifest_digest, &s->manifest_digest, err) < 0 ||
	    store_read_blob(storefd, &s->manifest_digest, META_MAX_BYTES, &s->manifest_buf,
			    &s->manifest_len, err) < 0 ||
	    image_manifest_parse(rec->manifest_digest, s->manifest_buf, s->manifest_len, &s->m,
				 err) < 0)
		return podd_error_wrap(err, "image %.12s", rec->id);
	if (strcmp(s->m->config.digest.hex, rec->id) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %.12s: its manifest names another config", rec->id);
	if (store_read_blob(storefd, &s->m->config.digest, META_MAX_BYTES, &cbuf, &clen, err) < 0 ||
	    image_config_parse(NULL, cbuf, clen, &s->c, err) < 0 ||
	    image_config_check_layers(s->m, s->c, err) < 0)
		return podd_error_wrap(err, "image %.12s", rec->id);
	return 0;
}

/* A blob written once even when several images share it. */
struct written {
	struct digest *v;
	size_t n;
};

static bool written_seen(struct written *w, const struct digest *d)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].hex, d->hex) == 0)
			return true;
	void *v = realloc(w->v, (w->n + 1) * sizeof(*w->v));
	if (v == NULL)
		return false; /* written twice at worst */
	w->v = v;
	w->v[w->n++] = *d;
	return false;
}

/* An image's last steps, once its layers are written: podman names the
 * config after the layers, whatever order the archive has them in. */
static int save_steps_done(const struct copy_progress *progress, const struct saved_image *s,
			   podd_error_t *err)
{
	if (copy_step(progress, COPY_STEP_CONFIG, &s->m->config.digest, err) < 0)
		return -1;
	return copy_step(progress, COPY_STEP_MANIFEST, NULL, err);
}

static int save_oci(struct archive *tar, int storefd, struct saved_image *imgs, size_t n,
		    const struct copy_progress *progress, podd_error_t *err)
{
	cleanup_json json_object *index = json_object_new_object();
	json_object *manifests = json_object_new_array();
	struct written w = { 0 };
	char path[DIGEST_HEX_LEN + 16];
	const char *doc;
	int r = 0;

	json_object_object_add(index, "schemaVersion", json_object_new_int(2));
	json_object_object_add(index, "manifests", manifests);
	if (put_bytes(tar, "oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}", 31, err) < 0 ||
	    put_dir(tar, "blobs", err) < 0 || put_dir(tar, "blobs/sha256", err) < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct saved_image *s = &imgs[i];
		size_t names = s->rec->n_names ? s->rec->n_names : 1;
		for (size_t k = 0; k < names; k++) {
			json_object *d = json_object_new_object();
			json_object_object_add(d, "mediaType",
					       json_object_new_string(s->m->media_type));
			json_object_object_add(d, "digest",
					       json_object_new_string(s->rec->manifest_digest));
			json_object_object_add(d, "size",
					       json_object_new_int64((int64_t)s->manifest_len));
			if (s->rec->n_names) {
				json_object *a = json_object_new_object();
				json_object_object_add(
					a, "org.opencontainers.image.ref.name",
					json_object_new_string(s->rec->names[k]));
				json_object_object_add(d, "annotations", a);
			}
			json_object_array_add(manifests, d);
		}
		const struct digest *blobs[2] = { &s->manifest_digest, &s->m->config.digest };
		for (size_t b = 0; r == 0 && b < 2; b++) {
			if (written_seen(&w, blobs[b]))
				continue;
			snprintf(path, sizeof(path), "blobs/sha256/%s", blobs[b]->hex);
			r = put_blob(tar, storefd, blobs[b], path, err);
		}
		for (size_t l = 0; r == 0 && l < s->m->n_layers; l++) {
			const struct digest *d = &s->m->layers[l].desc.digest;
			r = copy_step(progress, COPY_STEP_BLOB, &s->c->diff_ids[l], err);
			if (r < 0 || written_seen(&w, d))
				continue;
			snprintf(path, sizeof(path), "blobs/sha256/%s", d->hex);
			r = put_blob(tar, storefd, d, path, err);
		}
		r = r < 0 ? r : save_steps_done(progress, s, err);
	}
	free(w.v);
	if (r < 0)
		return -1;
	doc = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	return put_bytes(tar, "index.json", doc, strlen(doc), err);
}

static int save_docker(struct archive *tar, int storefd, struct saved_image *imgs, size_t n,
		       const struct copy_progress *progress, podd_error_t *err)
{
	cleanup_json json_object *top = json_object_new_array();
	struct written w = { 0 };
	char path[DIGEST_HEX_LEN + 16];
	const char *doc;
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct saved_image *s = &imgs[i];
		json_object *img = json_object_new_object();
		json_object *tags = json_object_new_array();
		json_object *layers = json_object_new_array();

		snprintf(path, sizeof(path), "%s.json", s->m->config.digest.hex);
		json_object_object_add(img, "Config", json_object_new_string(path));
		for (size_t k = 0; k < s->rec->n_names; k++)
			json_object_array_add(tags, json_object_new_string(s->rec->names[k]));
		json_object_object_add(img, "RepoTags", tags);
		json_object_object_add(img, "Layers", layers);
		json_object_array_add(top, img);
		if (!written_seen(&w, &s->m->config.digest))
			r = put_blob(tar, storefd, &s->m->config.digest, path, err);
		for (size_t l = 0; r == 0 && l < s->m->n_layers; l++) {
			const struct digest *diff = &s->c->diff_ids[l];
			snprintf(path, sizeof(path), "%s.tar", diff->hex);
			json_object_array_add(layers, json_object_new_string(path));
			r = copy_step(progress, COPY_STEP_BLOB, diff, err);
			if (r < 0 || written_seen(&w, diff))
				continue;
			r = put_layer_uncompressed(tar, storefd, &s->m->layers[l], diff, path, err);
		}
		r = r < 0 ? r : save_steps_done(progress, s, err);
	}
	free(w.v);
	if (r < 0)
		return -1;
	doc = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	return put_bytes(tar, "manifest.json", doc, strlen(doc), err);
}

int archive_save(int storefd, int out, bool oci, Podd__ImageRecord *const *recs, size_t n,
		 const struct copy_progress *progress, podd_error_t *err)
{
	cleanup_archive_write struct archive *tar = archive_write_new();
	struct saved_image *imgs = calloc(n ? n : 1, sizeof(*imgs));
	int r = 0;

	if (tar == NULL || imgs == NULL) {
		free(imgs);
		return podd_error_sys(err, ENOMEM, "save");
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		r = saved_image_open(storefd, recs[i], &imgs[i], err);
	if (r == 0 && (archive_write_set_format_pax_restricted(tar) != ARCHIVE_OK ||
		       archive_write_open_fd(tar, out) != ARCHIVE_OK))
		r = tar_error(tar, "archive", err);
	if (r == 0)
		r = oci ? save_oci(tar, storefd, imgs, n, progress, err)
			: save_docker(tar, storefd, imgs, n, progress, err);
	if (r == 0 && archive_write_close(tar) != ARCHIVE_OK)
		r = tar_error(tar, "archive", err);
	for (size_t i = 0; i < n; i++)
		saved_image_clear(&imgs[i]);
	free(imgs);
	return r < 0 ? podd_error_wrap(err, "save") : 0;
}
