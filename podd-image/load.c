/* podctl load: an oci-archive or docker-archive read into the store
 * (archive.h). The archive is streamed once: every regular member becomes
 * a blob (hashed while written; under blobs/sha256/ its name must be its
 * digest), the small documents that say what the archive holds
 * (index.json, manifest.json) are kept in memory, links are remembered.
 * Then each image's manifest (an oci-archive's, or one written for a
 * docker-archive image) goes to store_image_from_manifest. Blobs this load
 * added that no image uses are removed again, all of them on failure. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "image_archive.h"
#include "blobs.h"
#include "cleanup.h"
#include "extract.h"
#include "manifest.h"
#include "platform.h"
#include "printable.h"
#include "store.h"
#include "validate.h"
#include "util.h"

#define LOAD_CHUNK (64 * 1024)
#define MEMBER_PATH_MAX 1024
#define LINK_DEPTH_MAX 8

struct member {
	char *path;          /* cleaned: no "./", no "..", relative */
	char *link;          /* a symlink's or hardlink's target, cleaned, archive-relative */
	bool have_digest;
	struct digest digest;
	uint64_t size;
};

struct load {
	int storefd;
	const struct copy_progress *progress; /* NULL: no copy steps wanted */
	struct member *m;
	size_t n, cap;
	char *index_json, *manifest_json;
	size_t index_len, manifest_len;
};

int image_name_complete(const char *in, char **out, podd_error_t *err)
{
	char shown[PRINTABLE_BUF], full[PODD_IMAGE_NAME_BUF];

	printable_escape(in, shown, sizeof(shown));
	if (strchr(in, '@'))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image name \"%s\": digest references are not supported", shown);
	if (!podd_image_name_complete(in, full))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid image name \"%s\"", shown);
	*out = strdup(full);
	if (*out == NULL)
		return podd_error_sys(err, ENOMEM, "image name");
	return 0;
}

void image_records_free(Podd__ImageRecord **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i])
			podd__image_record__free_unpacked(v[i], NULL);
	free(v);
}

/* An archive member's name made relative and clean: "./a//b" -> "a/b".
 * "..", an absolute name or a control character is refused: nothing in
 * an image archive has a reason to point outside it. */
static int path_clean(const char *raw, char *out, size_t size, podd_error_t *err)
{
	char shown[PRINTABLE_BUF];
	size_t o = 0;
	const char *p = raw;

	printable_escape(raw, shown, sizeof(shown));
	if (raw[0] == '/')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "archive member \"%s\": absolute path", shown);
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "archive member \"%s\": path leaves the archive", shown);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
					return podd_error(err, PODD_E_INVALID_ARGUMENT,
							  "archive member \"%s\": control "
							  "character in its name",
							  shown);
			if (o + n + 2 > size)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "archive member \"%s\": name too long", shown);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = *e ? e + 1 : e;
	}
	out[o] = '\0';
	return 0;
}

static struct member *member_add(struct load *l, const char *path, podd_error_t *err)
{
	struct member *m;
	if (l->n >= ARCHIVE_MAX_MEMBERS)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "archive: more than %d members", ARCHIVE_MAX_MEMBERS),
		       NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		void *v = realloc(l->m, cap * sizeof(*l->m));
		if (v == NULL)
			return podd_error_sys(err, ENOMEM, "archive"), NULL;
		l->m = v;
		l->cap = cap;
	}
	m = &l->m[l->n];
	*m = (struct member){ 0 };
	m->path = strdup(path);
	if (m->path == NULL)
		return podd_error_sys(err, ENOMEM, "archive"), NULL;
	l->n++;
	return m;
}

/* "blobs/sha256/<hex>": the digest the member must have. */
static bool path_names_blob(const char *path, struct digest *d)
{
	podd_error_t e = NULL;
	char buf[DIGEST_HEX_LEN + 8];
	if (strncmp(path, "blobs/sha256/", 13) != 0 || strlen(path + 13) != DIGEST_HEX_LEN)
		return false;
	snprintf(buf, sizeof(buf), "sha256:%s", path + 13);
	if (digest_parse(buf, d, &e) < 0) {
		podd_error_free(&e);
		return false;
	}
	return true;
}

/* A regular member streamed into the blob store. */
static int member_store(struct load *l, struct archive *a, struct member *m, int64_t size,
			podd_error_t *err)
{
	cleanup_blob_writer struct blob_writer w = { 0 };
	cleanup_md EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct digest expected, got;
	bool named = path_names_blob(m->path, &expected);
	char buf[LOAD_CHUNK];

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return podd_error(err, PODD_E_INTERNAL, "sha256");
	if (size < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "negative size");
	if (blob_writer_open(l->storefd, named ? &expected : NULL, (uint64_t)size,
			     META_MAX_LAYER_SIZE, &w, err) < 0)
		return -1;
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "read: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			return podd_error(err, PODD_E_INTERNAL, "sha256");
		if (extract_bomb_check(a, err) < 0 || blob_writer_write(&w, buf, (size_t)n, err) < 0)
			return -1;
	}
	if (sha256_final(md, &got, err) < 0)
		return -1;
	if (blob_writer_commit(&w, &got, NULL, err) < 0)
		return -1;
	m->digest = got;
	m->have_digest = true;
	m->size = (uint64_t)size;
	return 0;
}

static int member_read_small(struct archive *a, int64_t size, char **out, size_t *len,
			     podd_error_t *err)
{
	cleanup_free char *b = NULL;
	size_t got = 0;

	if (size < 0 || (uint64_t)size > META_MAX_BYTES)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%" PRId64 " bytes, over %u",
				  size, META_MAX_BYTES);
	b = malloc((size_t)size + 1);
	if (b == NULL)
		return podd_error_sys(err, ENOMEM, "archive");
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, b + got, (size_t)size - got);
		if (n < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "read: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "truncated: %zu of %" PRId64 " bytes",
				  got, size);
	b[got] = '\0';
	*len = got;
	*out = steal_pointer(&b);
	return 0;
}

/* A link's target as an archive path: a symlink's relative to its
 * directory, a hardlink's relative to the archive's root. */
static int link_target(const char *member, const char *target, bool symlink, char *out,
		       size_t size, podd_error_t *err)
{
	char joined[2 * MEMBER_PATH_MAX + 2];
	const char *slash = strrchr(member, '/');

	if (symlink && slash)
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - member), member, target);
	else
		snprintf(joined, sizeof(joined), "%s", target);
	/* Resolve ".." against what came before, never above the root. */
	char tmp[sizeof(joined)];
	size_t o = 0;
	const char *p = joined;
	if (joined[0] == '/')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "link to an absolute path");
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (o == 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "link leaves the archive");
			while (o > 0 && tmp[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o)
				tmp[o++] = '/';
			memcpy(tmp + o, p, n);
			o += n;
		}
		p = *e ? e + 1 : e;
	}
	tmp[o] = '\0';
	return path_clean(tmp, out, size, err);
}

static int read_archive(struct load *l, int fd, podd_error_t *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char path[MEMBER_PATH_MAX], shown[PRINTABLE_BUF];
	int r, ret = -1;

	if (a == NULL)
		return podd_error_sys(err, ENOMEM, "archive");
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK) {
		podd_error(err, PODD_E_INTERNAL, "archive reader: %s",
			   archive_error_string(a) ? archive_error_string(a) : "?");
		goto out;
	}
	if (archive_read_open_fd(a, fd, LOAD_CHUNK) != ARCHIVE_OK) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s",
			   archive_error_string(a) ? archive_error_string(a) : "cannot read");
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *raw;
		struct member *m;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			podd_error(err, PODD_E_INVALID_ARGUMENT, "%s",
				   archive_error_string(a) ? archive_error_string(a) : "corrupt");
			goto out;
		}
		raw = archive_entry_pathname(e);
		if (raw == NULL) {
			podd_error(err, PODD_E_INVALID_ARGUMENT, "a member has no name");
			goto out;
		}
		if (path_clean(raw, path, sizeof(path), err) < 0)
			goto out;
		printable_escape(path, shown, sizeof(shown));
		if (path[0] == '\0')
			continue;
		const char *hl = archive_entry_hardlink(e);
		if (hl != NULL || archive_entry_filetype(e) == AE_IFLNK) {
			char target[MEMBER_PATH_MAX];
			const char *t = hl ? hl : archive_entry_symlink(e);
			if (t == NULL || (m = member_add(l, path, err)) == NULL ||
			    link_target(path, t, hl == NULL, target, sizeof(target), err) < 0) {
				if (*err == NULL)
					podd_error(err, PODD_E_INVALID_ARGUMENT, "link without target");
				podd_error_wrap(err, "archive member \"%s\"", shown);
				goto out;
			}
			m->link = strdup(target);
			if (m->link == NULL) {
				podd_error_sys(err, ENOMEM, "archive");
				goto out;
			}
			continue;
		}
		switch (archive_entry_filetype(e)) {
		case AE_IFDIR:
			continue;
		case AE_IFREG:
			break;
		default:
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "archive member \"%s\": not a file, directory or link", shown);
			goto out;
		}
		if (strcmp(path, "index.json") == 0 || strcmp(path, "manifest.json") == 0) {
			bool index = path[0] == 'i';
			char **dst = index ? &l->index_json : &l->manifest_json;
			size_t *dlen = index ? &l->index_len : &l->manifest_len;
			free(*dst);
			*dst = NULL;
			if (member_read_small(a, archive_entry_size(e), dst, dlen, err) < 0) {
				podd_error_wrap(err, "archive member \"%s\"", shown);
				goto out;
			}
			continue;
		}
		if (strcmp(path, "oci-layout") == 0 || strcmp(path, "repositories") == 0)
			continue;
		if ((m = member_add(l, path, err)) == NULL)
			goto out;
		if (member_store(l, a, m, archive_entry_size(e), err) < 0) {
			podd_error_wrap(err, "archive member \"%s\"", shown);
			goto out;
		}
	}
	ret = 0;
out:
	archive_read_free(a);
	return ret;
}

/* The member at `path`, links followed. */
static struct member *member_find(struct load *l, const char *path, podd_error_t *err)
{
	char shown[PRINTABLE_BUF];
	const char *p = path;

	printable_escape(path, shown, sizeof(shown));
	for (int depth = 0; depth <= LINK_DEPTH_MAX; depth++) {
		struct member *found = NULL;
		/* A later member of the same name wins, as tar extraction would. */
		for (size_t i = l->n; i-- > 0;)
			if (strcmp(l->m[i].path, p) == 0) {
				found = &l->m[i];
				break;
			}
		if (found == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "\"%s\" is not in the archive", shown),
			       NULL;
		if (found->link == NULL)
			return found;
		p = found->link;
	}
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "\"%s\": too many links", shown), NULL;
}

static int names_add(Podd__ImageRecord *rec, const char *name, podd_error_t *err)
{
	char *full = NULL;
	void *v;
	if (image_name_complete(name, &full, err) < 0)
		return -1;
	for (size_t i = 0; i < rec->n_names; i++)
		if (strcmp(rec->names[i], full) == 0) {
			free(full);
			return 0;
		}
	v = realloc(rec->names, (rec->n_names + 1) * sizeof(char *));
	if (v == NULL) {
		free(full);
		return podd_error_sys(err, ENOMEM, "names");
	}
	rec->names = v;
	rec->names[rec->n_names++] = full;
	return 0;
}

struct recs {
	Podd__ImageRecord **v;
	size_t n;
};

static int recs_add(struct recs *r, Podd__ImageRecord *rec, podd_error_t *err)
{
	/* The same image twice (two names in an oci-archive's index): one
	 * record with both names. */
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i]->id, rec->id) == 0) {
			for (size_t k = 0; k < rec->n_names; k++)
				if (names_add(r->v[i], rec->names[k], err) < 0)
					return -1;
			podd__image_record__free_unpacked(rec, NULL);
			return 0;
		}
	void *v = realloc(r->v, (r->n + 2) * sizeof(*r->v));
	if (v == NULL)
		return podd_error_sys(err, ENOMEM, "records");
	r->v = v;
	r->v[r->n++] = rec;
	r->v[r->n] = NULL;
	return 0;
}

static int load_oci(struct load *l, const struct extract_limits *lim, struct recs *out,
		    podd_error_t *err)
{
	cleanup_image_index struct image_index *idx = NULL;

	if (oci_layout_index_parse(l->index_json, l->index_len, &idx, err) < 0)
		return podd_error_wrap(err, "index.json");
	if (idx->n_manifests == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "index.json lists no image");
	for (size_t i = 0; i < idx->n_manifests; i++) {
		const struct descriptor *d = &idx->manifests[i];
		cleanup_image_index struct image_index *sub = NULL;
		Podd__ImageRecord *rec = NULL;
		struct digest md = d->digest;

		if (d->media_type && (strcmp(d->media_type, MEDIA_OCI_INDEX) == 0 ||
				      strcmp(d->media_type, MEDIA_DOCKER_LIST) == 0)) {
			cleanup_free char *buf = NULL;
			size_t len;
			const struct descriptor *sel;
			if (store_read_blob(l->storefd, &d->digest, META_MAX_BYTES, &buf, &len,
					    err) < 0 ||
			    image_index_parse(NULL, buf, len, &sub, err) < 0)
				return podd_error_wrap(err, "index.json: entry %zu", i + 1);
			sel = image_index_select(sub, podd_host_arch(), "linux", NULL, err);
			if (sel == NULL)
				return podd_error_wrap(err, "index.json: entry %zu", i + 1);
			md = sel->digest;
		}
		if (store_image_from_manifest_progress(l->storefd, &md, lim, l->progress, &rec,
						       err) < 0)
			return -1;
		if (d->ref_name && names_add(rec, d->ref_name, err) < 0) {
			podd__image_record__free_unpacked(rec, NULL);
			return -1;
		}
		if (recs_add(out, rec, err) < 0) {
			podd__image_record__free_unpacked(rec, NULL);
			return -1;
		}
	}
	return 0;
}

static enum layer_compression sniff_compression(int storefd, const struct digest *d)
{
	unsigned char b[4] = { 0 };
	podd_error_t e = NULL;
	int fd = blob_open(storefd, d, &e);
	podd_error_free(&e);
	if (fd < 0)
		return LAYER_TAR;
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return LAYER_GZIP;
	if (n == 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return LAYER_ZSTD;
	return LAYER_TAR;
}

/* A Docker v2 schema 2 manifest for a docker-archive image, written as a
 * blob (the store keeps images by manifest). Every value in it is a
 * digest, a size or a constant. */
static int docker_manifest_write(struct load *l, const struct member *config,
				 struct member *const *layers, size_t n, struct digest *out,
				 podd_error_t *err)
{
	cleanup_free char *doc = NULL;
	cleanup_blob_writer struct blob_writer w = { 0 };
	size_t cap = 512 + n * 256, o = 0;

	doc = malloc(cap);
	if (doc == NULL)
		return podd_error_sys(err, ENOMEM, "manifest");
	o += (size_t)snprintf(doc + o, cap - o,
			      "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
			      "\"%s\",\"size\":%" PRIu64 ",\"digest\":\"sha256:%s\"},\"layers\":[",
			      MEDIA_DOCKER_MANIFEST, MEDIA_DOCKER_CONFIG, config->size,
			      config->digest.hex);
	for (size_t i = 0; i < n; i++) {
		enum layer_compression c = sniff_compression(l->storefd, &layers[i]->digest);
		o += (size_t)snprintf(doc + o, cap - o,
				      "%s{\"mediaType\":\"application/vnd.docker.image.rootfs.diff."
				      "tar%s\",\"size\":%" PRIu64 ",\"digest\":\"sha256:%s\"}",
				      i ? "," : "",
				      c == LAYER_GZIP ? ".gzip" : c == LAYER_ZSTD ? ".zstd" : "",
				      layers[i]->size, layers[i]->digest.hex);
	}
	o += (size_t)snprintf(doc + o, cap - o, "]}");
	if (sha256_buffer(doc, o, out, err) < 0)
		return -1;
	if (blob_writer_open(l->storefd, out, o, META_MAX_BYTES, &w, err) < 0 ||
	    blob_writer_write(&w, doc, o, err) < 0 || blob_writer_commit(&w, NULL, NULL, err) < 0)
		return -1;
	return 0;
}

static int load_docker(struct load *l, const struct extract_limits *lim, struct recs *out,
		       podd_error_t *err)
{
	cleanup_docker_archive_manifest struct docker_archive_manifest *dm = NULL;

	if (docker_archive_manifest_parse(l->manifest_json, l->manifest_len, &dm, err) < 0)
		return podd_error_wrap(err, "manifest.json");
	if (dm->n_images == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "manifest.json lists no image");
	for (size_t i = 0; i < dm->n_images; i++) {
		const struct docker_archive_image *img = &dm->images[i];
		cleanup_free struct member **layers = calloc(img->n_layers + 1, sizeof(*layers));
		struct member *config;
		struct digest md;
		Podd__ImageRecord *rec = NULL;

		if (layers == NULL)
			return podd_error_sys(err, ENOMEM, "load");
		config = member_find(l, img->config, err);
		if (config == NULL)
			return podd_error_wrap(err, "manifest.json: image %zu: Config", i + 1);
		for (size_t k = 0; k < img->n_layers; k++) {
			layers[k] = member_find(l, img->layers[k], err);
			if (layers[k] == NULL)
				return podd_error_wrap(err, "manifest.json: image %zu: layer %zu",
						       i + 1, k + 1);
		}
		if (docker_manifest_write(l, config, layers, img->n_layers, &md, err) < 0)
			return -1;
		if (store_image_from_manifest_progress(l->storefd, &md, lim, l->progress, &rec,
						       err) < 0)
			return -1;
		for (size_t k = 0; k < img->n_repo_tags; k++)
			if (names_add(rec, img->repo_tags[k], err) < 0) {
				podd__image_record__free_unpacked(rec, NULL);
				return -1;
			}
		if (recs_add(out, rec, err) < 0) {
			podd__image_record__free_unpacked(rec, NULL);
			return -1;
		}
	}
	return 0;
}

static void load_free(struct load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].path);
		free(l->m[i].link);
	}
	free(l->m);
	free(l->index_json);
	free(l->manifest_json);
}

/* What follows the archive's end in a pipe or socket (a tar writer's
 * padding, or more), read to its end and dropped: the writer never sees a
 * broken pipe, as with podman, which reads its input whole. A regular
 * file has no writer waiting. */
static int drain_input(int fd, podd_error_t *err)
{
	char buf[LOAD_CHUNK];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "archive");
	if (S_ISREG(st.st_mode))
		return 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return podd_error_sys(err, errno, "archive: read after its end");
	}
}

int archive_load(int storefd, int fd, const struct extract_limits *lim,
		 const struct load_refusals *refuse, const struct copy_progress *progress,
		 Podd__ImageRecord ***out, size_t *nout, podd_error_t *err)
{
	const char *refused = NULL;
	struct load l = { .storefd = storefd, .progress = progress };
	struct recs recs = { 0 };
	int r;

	r = read_archive(&l, fd, err);
	if (r < 0)
		podd_error_wrap(err, "archive");
	/* The signature policy, once the format is known: nothing is made of
	 * a refused archive; podctl's gc collects the blobs it brought. */
	if (r == 0 && refuse)
		refused = l.index_json ? refuse->oci_archive
				       : l.manifest_json ? refuse->docker_archive : NULL;
	if (refused && refused[0]) {
		image_records_free(recs.v, recs.n);
		load_free(&l);
		return podd_error(err, PODD_E_NOT_PERMITTED, "%s", refused);
	}
	if (r == 0 && l.index_json)
		r = load_oci(&l, lim, &recs, err);
	else if (r == 0 && l.manifest_json)
		r = load_docker(&l, lim, &recs, err);
	else if (r == 0)
		r = podd_error(err, PODD_E_INVALID_ARGUMENT,
			       "archive: neither an oci-archive (index.json) nor a docker-archive "
			       "(manifest.json)");
	if (r == 0)
		r = drain_input(fd, err);
	/* A failed load leaves what it stored to podctl's gc: another
	 * session may be using any blob or layer by now (store.h). */
	if (r < 0) {
		image_records_free(recs.v, recs.n);
		load_free(&l);
		return podd_error_wrap(err, "load");
	}
	load_free(&l);
	*out = recs.v;
	*nout = recs.n;
	return 0;
}
