/* The image store (store.h): layers by chain id, the store lock, images
 * from manifests in the blob store, gc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <archive.h>
#include <openssl/evp.h>

#include "cleanup.h"
#include "config_check.h"
#include "store.h"
#include "util.h"
#include "validate.h"

#define STORE_CHUNK (64 * 1024)
#define SIZE_FILE_MAX 32

static int layers_dir(int storefd, podd_error_t *err)
{
	int fd;
	if (mkdirat(storefd, "layers", 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "image store: mkdir layers");
	fd = open_beneath(storefd, "layers", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return podd_error_sys(err, errno, "image store: open layers");
	return fd;
}

bool store_layer_present(int storefd, const struct digest *chain_id)
{
	char path[16 + DIGEST_HEX_LEN];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "layers/%s/diff", chain_id->hex);
	fd = open_beneath(storefd, path, O_PATH | O_DIRECTORY, 0);
	return fd >= 0;
}

/* layers/<chain>/size, written before the rename. */
static int layer_size_read(int layersfd, const char *name, uint64_t *size, podd_error_t *err)
{
	char path[16 + DIGEST_HEX_LEN], buf[SIZE_FILE_MAX];
	cleanup_close int fd = -1;
	ssize_t n;
	char *end;

	snprintf(path, sizeof(path), "%s/size", name);
	fd = open_beneath(layersfd, path, O_RDONLY, 0);
	if (fd < 0)
		return podd_error_sys(err, errno, "layer %s: open size", name);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return podd_error(err, PODD_E_INTERNAL, "layer %s: size file unreadable", name);
	buf[n] = '\0';
	errno = 0;
	*size = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\0' && *end != '\n'))
		return podd_error(err, PODD_E_INTERNAL, "layer %s: size file is not a number",
				  name);
	return 0;
}

int store_layer_size(int storefd, const struct digest *chain_id, uint64_t *size,
		     podd_error_t *err)
{
	cleanup_close int layersfd = open_beneath(storefd, "layers", O_RDONLY | O_DIRECTORY, 0);

	if (layersfd < 0)
		return podd_error_sys(err, errno, "image store: open layers");
	return layer_size_read(layersfd, chain_id->hex, size, err);
}

int layer_diff_id_check(int blobfd, enum layer_compression compression,
			const struct digest *diff_id, uint64_t max_bytes, uint64_t *size,
			podd_error_t *err)
{
	cleanup_archive_read struct archive *a = archive_read_new();
	cleanup_md EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct archive_entry *entry;
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	struct digest got;
	uint64_t total = 0;
	int r;

	if (a == NULL || md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return podd_error(err, PODD_E_INTERNAL, "diff_id check: out of memory");
	switch (compression) {
	case LAYER_GZIP:
		r = archive_read_support_filter_gzip(a);
		break;
	case LAYER_ZSTD:
		r = archive_read_support_filter_zstd(a);
		break;
	case LAYER_TAR:
		r = archive_read_support_filter_none(a);
		break;
	default:
		return podd_error(err, PODD_E_INTERNAL, "diff_id check: unknown compression");
	}
	/* WARN means an external program would decompress: podd-image
	 * cannot exec, so that is an error (as in extract.c). */
	if (r != ARCHIVE_OK || archive_read_support_format_raw(a) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "diff_id check: %s",
				  archive_error_string(a) ? archive_error_string(a) : "?");
	if (archive_read_open_fd(a, blobfd, STORE_CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: %s",
				  archive_error_string(a) ? archive_error_string(a)
							  : "cannot read");
	for (;;) {
		const void *buf;
		size_t n;
		int64_t off;
		r = archive_read_data_block(a, &buf, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "layer: decompress: %s",
					  archive_error_string(a) ? archive_error_string(a) : "?");
		total += n;
		if (total > max_bytes)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "layer: uncompressed over the limit of %" PRIu64 " bytes",
					  max_bytes);
		if (EVP_DigestUpdate(md, buf, n) != 1)
			return podd_error(err, PODD_E_INTERNAL, "diff_id check: digest");
	}
	if (EVP_DigestFinal_ex(md, raw, &len) != 1 || len != DIGEST_HEX_LEN / 2)
		return podd_error(err, PODD_E_INTERNAL, "diff_id check: digest");
	hex_encode(raw, len, got.hex);
	if (strcmp(got.hex, diff_id->hex) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer diff_id sha256:%s does not match its content (sha256:%s)",
				  diff_id->hex, got.hex);
	if (size)
		*size = total;
	return 0;
}

/* One layer to unpack: where it goes while being unpacked. */
struct pending_layer {
	char tmpname[40]; /* "tmp-<32 hex>", "" when none */
	struct digest chain;
	uint64_t size;
	bool reused;
};

static int random_tmp_name(char out[40], podd_error_t *err)
{
	unsigned char rnd[16];
	char hex[33];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return podd_error_sys(err, errno, "getrandom");
	hex_encode(rnd, sizeof(rnd), hex);
	snprintf(out, 40, "tmp-%s", hex);
	return 0;
}

static int write_size_file(int dirfd, uint64_t size, podd_error_t *err)
{
	cleanup_close int fd = open_beneath(dirfd, "size", O_WRONLY | O_CREAT | O_EXCL, 0600);
	char buf[SIZE_FILE_MAX];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", size);

	if (fd < 0 || write(fd, buf, (size_t)n) != n || fsync(fd) < 0)
		return podd_error_sys(err, errno, "write size");
	return 0;
}

/* A new temporary layer directory layers/<tmpname> (named here) with
 * its empty diff/: *tmpfd and *difffd open on them. On failure after the
 * mkdir, tmpname stays set so that the caller removes the directory. */
static int tmp_layer_make(int layersfd, char tmpname[40], int *tmpfd, int *difffd,
			  podd_error_t *err)
{
	if (random_tmp_name(tmpname, err) < 0)
		return -1;
	if (mkdirat(layersfd, tmpname, 0700) < 0) {
		tmpname[0] = '\0';
		return podd_error_sys(err, errno, "mkdir layers/tmp");
	}
	*tmpfd = open_beneath(layersfd, tmpname, O_RDONLY | O_DIRECTORY, 0);
	if (*tmpfd < 0)
		return podd_error_sys(err, errno, "open layers/%s", tmpname);
	/* The layer's root directory: 0755 as podman's (overlay shows it as
	 * the container's / when the layer has no "./" entry). */
	if (mkdirat(*tmpfd, "diff", 0755) < 0)
		return podd_error_sys(err, errno, "mkdir diff");
	*difffd = open_beneath(*tmpfd, "diff", O_RDONLY | O_DIRECTORY, 0);
	if (*difffd < 0)
		return podd_error_sys(err, errno, "open diff");
	if (fchmod(*difffd, 0755) < 0)
		return podd_error_sys(err, errno, "chmod diff");
	return 0;
}

/* Unpacks one layer blob into layers/<p->tmpname>/diff. */
static int layer_unpack_tmp(int storefd, int layersfd, const struct manifest_layer *ml,
			    const struct digest *diff_id, const struct extract_limits *lim,
			    struct pending_layer *p, podd_error_t *err)
{
	cleanup_close int blobfd = blob_open(storefd, &ml->desc.digest, err);
	cleanup_close int tmpfd = -1, difffd = -1;
	struct extract_stats st = { 0 };
	struct digest got;
	struct stat sb;

	if (blobfd < 0)
		return -1;
	if (fstat(blobfd, &sb) < 0)
		return podd_error_sys(err, errno, "stat");
	if ((uint64_t)sb.st_size != ml->desc.size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "blob size %lld, the manifest says %" PRIu64,
				  (long long)sb.st_size, ml->desc.size);
	if (tmp_layer_make(layersfd, p->tmpname, &tmpfd, &difffd, err) < 0)
		return -1;
	/* One pass: unpacked while its uncompressed stream is hashed; a
	 * layer that is not its diff_id is dropped with the temporary
	 * directory, as after any failure (pending_drop). */
	if (layer_extract_digest(blobfd, difffd, lim, &st, &got, &p->size, err) < 0)
		return -1;
	if (strcmp(got.hex, diff_id->hex) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "layer diff_id sha256:%s does not match its content (sha256:%s)",
				  diff_id->hex, got.hex);
	return write_size_file(tmpfd, p->size, err);
}

int store_layer_stream(int storefd, int fd, const struct extract_limits *lim,
		       struct prepared_layer *out, podd_error_t *err)
{
	cleanup_close int layersfd = layers_dir(storefd, err);
	cleanup_close int tmpfd = -1, difffd = -1;
	struct extract_stats st = { 0 };

	*out = (struct prepared_layer){ 0 };
	if (layersfd < 0)
		return -1;
	if (tmp_layer_make(layersfd, out->tmpname, &tmpfd, &difffd, err) < 0 ||
	    layer_extract_stream(fd, META_MAX_LAYER_SIZE, difffd, lim, &st, &out->diff_id,
				 &out->size, &out->blob, &out->blob_size, err) < 0 ||
	    write_size_file(tmpfd, out->size, err) < 0) {
		podd_error_t e = NULL;
		if (out->tmpname[0] && layer_remove_tree(layersfd, out->tmpname, &e) < 0)
			podd_error_free(&e);
		out->tmpname[0] = '\0';
		return -1;
	}
	return 0;
}

void store_prepared_drop(int storefd, struct prepared_layer *p)
{
	podd_error_t e = NULL;
	cleanup_close int layersfd = -1;

	if (p->tmpname[0] == '\0')
		return;
	layersfd = layers_dir(storefd, &e);
	if (layersfd < 0 || layer_remove_tree(layersfd, p->tmpname, &e) < 0)
		podd_error_free(&e);
	p->tmpname[0] = '\0';
}

/* Whether `prep` is layer i of the image: the blob the manifest names
 * (digest and size), stored, and the diff_id the config names. */
static bool prepared_matches(int storefd, const struct prepared_layer *prep,
			     const struct manifest_layer *ml, const struct digest *diff_id)
{
	return prep && prep->tmpname[0] != '\0' &&
	       strcmp(prep->blob.hex, ml->desc.digest.hex) == 0 &&
	       prep->blob_size == ml->desc.size && strcmp(prep->diff_id.hex, diff_id->hex) == 0 &&
	       blob_present(storefd, &ml->desc.digest);
}

static void pending_drop(int layersfd, struct pending_layer *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		podd_error_t e = NULL;
		if (p[i].tmpname[0] != '\0' && layer_remove_tree(layersfd, p[i].tmpname, &e) < 0)
			podd_error_free(&e);
		p[i].tmpname[0] = '\0';
	}
}

static char *dup_digest(const struct digest *d)
{
	char *s = NULL;
	if (asprintf(&s, "sha256:%s", d->hex) < 0)
		return NULL;
	return s;
}

static char **strv_copy(char *const *v, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(*out));
	for (size_t i = 0; out && i < n; i++)
		if ((out[i] = strdup(v[i])) == NULL) {
			while (i > 0)
				free(out[--i]);
			free(steal_pointer(&out));
		}
	return out;
}

/* What run and create need from the config, kept in the record
 * (ImageRecord.run) so that they need not start podd-image. An image
 * without layers, or one whose run config is larger than a record should
 * carry, gets none: podctl then asks for the config. */
static int run_fill(Podd__ImageRecord *rec, const struct image_config *c,
		    const struct pending_layer *p, podd_error_t *err)
{
	Podd__ImageRunConfig *r;

	if (c->n_diff_ids == 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return podd_error_sys(err, ENOMEM, "image record");
	podd__image_run_config__init(r);
	rec->run = r;
	r->user = strdup(c->user ? c->user : "");
	r->working_dir = strdup(c->working_dir ? c->working_dir : "");
	r->stop_signal = strdup(c->stop_signal ? c->stop_signal : "");
	r->env = strv_copy(c->env, c->n_env);
	r->n_env = r->env ? c->n_env : 0;
	r->entrypoint = strv_copy(c->entrypoint, c->n_entrypoint);
	r->n_entrypoint = r->entrypoint ? c->n_entrypoint : 0;
	r->cmd = strv_copy(c->cmd, c->n_cmd);
	r->n_cmd = r->cmd ? c->n_cmd : 0;
	r->chain_ids = calloc(c->n_diff_ids, sizeof(char *));
	for (size_t i = 0; r->chain_ids && i < c->n_diff_ids; i++) {
		if ((r->chain_ids[i] = strdup(p[i].chain.hex)) == NULL)
			break;
		r->n_chain_ids = i + 1;
	}
	if (r->user == NULL || r->working_dir == NULL || r->stop_signal == NULL ||
	    r->env == NULL || r->entrypoint == NULL || r->cmd == NULL ||
	    r->n_chain_ids != c->n_diff_ids)
		return podd_error_sys(err, ENOMEM, "image record");
	if (podd__image_run_config__get_packed_size(r) > PODD_IMAGE_RUN_MAX_BYTES) {
		podd__image_run_config__free_unpacked(steal_pointer(&rec->run), NULL);
		return 0;
	}
	return 0;
}

static int record_fill(Podd__ImageRecord *rec, const struct digest *manifest_digest,
		       const struct image_manifest *m, const struct image_config *c,
		       const struct pending_layer *p, podd_error_t *err)
{
	rec->schema_version = 1;
	rec->id = strdup(m->config.digest.hex);
	rec->config_digest = dup_digest(&m->config.digest);
	rec->manifest_digest = dup_digest(manifest_digest);
	rec->n_digests = 1;
	rec->digests = calloc(1, sizeof(char *));
	if (rec->digests)
		rec->digests[0] = dup_digest(manifest_digest);
	rec->created_ns = c->has_created && c->created_ns > 0 ? c->created_ns : 0;
	rec->layers = calloc(c->n_diff_ids ? c->n_diff_ids : 1, sizeof(char *));
	if (rec->layers == NULL)
		return podd_error_sys(err, ENOMEM, "image record");
	rec->n_layers = c->n_diff_ids;
	rec->size = 0;
	for (size_t i = 0; i < c->n_diff_ids; i++) {
		rec->layers[i] = dup_digest(&c->diff_ids[i]);
		if (rec->layers[i] == NULL)
			return podd_error_sys(err, ENOMEM, "image record");
		rec->size += (int64_t)p[i].size;
	}
	rec->top_layer = strdup(c->n_diff_ids ? p[c->n_diff_ids - 1].chain.hex : "");
	if (rec->id == NULL || rec->config_digest == NULL || rec->manifest_digest == NULL ||
	    rec->digests == NULL || rec->digests[0] == NULL || rec->top_layer == NULL)
		return podd_error_sys(err, ENOMEM, "image record");
	return run_fill(rec, c, p, err);
}

struct pending_set {
	struct pending_layer *p;
	size_t n;
	int layersfd;
};

/* The temporaries go, whatever happened; layers in place stay, even
 * after a failure (store.h: gc's to collect). */
static void pending_set_cleanup(struct pending_set *s)
{
	if (s->p)
		pending_drop(s->layersfd, s->p, s->n);
	free(s->p);
	s->p = NULL;
}

static int image_from_manifest(int storefd, const struct digest *manifest_digest,
			       const struct extract_limits *lim_in, struct prepared_layer *prep,
			       const struct copy_progress *progress, Podd__ImageRecord **out,
			       podd_error_t *err);

int store_image_from_manifest(int storefd, const struct digest *manifest_digest,
			      const struct extract_limits *lim, Podd__ImageRecord **out,
			      podd_error_t *err)
{
	return image_from_manifest(storefd, manifest_digest, lim, NULL, NULL, out, err);
}

int store_image_from_manifest_progress(int storefd, const struct digest *manifest_digest,
				       const struct extract_limits *lim,
				       const struct copy_progress *progress,
				       Podd__ImageRecord **out, podd_error_t *err)
{
	return image_from_manifest(storefd, manifest_digest, lim, NULL, progress, out, err);
}

int store_image_from_manifest_prepared(int storefd, const struct digest *manifest_digest,
				       const struct extract_limits *lim,
				       struct prepared_layer *prep, Podd__ImageRecord **out,
				       podd_error_t *err)
{
	return image_from_manifest(storefd, manifest_digest, lim, prep, NULL, out, err);
}

static int image_from_manifest(int storefd, const struct digest *manifest_digest,
			       const struct extract_limits *lim_in, struct prepared_layer *prep,
			       const struct copy_progress *progress, Podd__ImageRecord **out,
			       podd_error_t *err)
{
	const struct extract_limits defaults = extract_limits_default();
	const struct extract_limits *lim = lim_in ? lim_in : &defaults;
	cleanup_image_manifest struct image_manifest *m = NULL;
	cleanup_image_config struct image_config *c = NULL;
	cleanup_free char *mbuf = NULL, *cbuf = NULL;
	cleanup_free struct digest *chains = NULL;
	cleanup_close int layersfd = -1;
	__attribute__((cleanup(pending_set_cleanup))) struct pending_set set = { .layersfd = -1 };
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	char name[DIGEST_HEX_LEN + 8];
	size_t mlen, clen;

	if (copy_step(progress, COPY_STEP_IMAGE, NULL, err) < 0)
		return -1;
	snprintf(name, sizeof(name), "sha256:%s", manifest_digest->hex);
	if (store_read_blob(storefd, manifest_digest, META_MAX_BYTES, &mbuf, &mlen, err) < 0 ||
	    image_manifest_parse(name, mbuf, mlen, &m, err) < 0)
		return podd_error_wrap(err, "manifest %s", name);
	if (store_read_blob(storefd, &m->config.digest, META_MAX_BYTES, &cbuf, &clen, err) < 0)
		return podd_error_wrap(err, "image config sha256:%s", m->config.digest.hex);
	if ((uint64_t)clen != m->config.size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image config sha256:%s: %zu bytes, the manifest says %" PRIu64,
				  m->config.digest.hex, clen, m->config.size);
	snprintf(name, sizeof(name), "sha256:%s", m->config.digest.hex);
	if (image_config_parse(name, cbuf, clen, &c, err) < 0 ||
	    image_config_check_layers(m, c, err) < 0)
		return -1;
	chains = calloc(c->n_diff_ids ? c->n_diff_ids : 1, sizeof(*chains));
	set.p = calloc(c->n_diff_ids ? c->n_diff_ids : 1, sizeof(*set.p));
	if (chains == NULL || set.p == NULL)
		return podd_error_sys(err, ENOMEM, "image");
	if (chain_ids_compute(c->diff_ids, c->n_diff_ids, chains, err) < 0)
		return -1;
	layersfd = layers_dir(storefd, err);
	if (layersfd < 0)
		return -1;
	set.layersfd = layersfd;
	set.n = c->n_diff_ids;

	/* Every layer is unpacked into its own temporary first; only when all
	 * are whole do they move into place, so a bad layer anywhere in the
	 * image stores none of them. */
	for (size_t i = 0; i < c->n_diff_ids; i++) {
		struct pending_layer *p = &set.p[i];
		p->chain = chains[i];
		/* podman's "Copying blob" comes as each layer's turn comes,
		 * found unpacked or before it is unpacked. */
		if (store_layer_present(storefd, &chains[i]) &&
		    layer_size_read(layersfd, chains[i].hex, &p->size, err) == 0) {
			p->reused = true;
			if (copy_step(progress, COPY_STEP_BLOB_PRESENT, &m->layers[i].desc.digest,
				      err) < 0)
				return -1;
			continue;
		}
		podd_error_free(err);
		if (copy_step(progress, COPY_STEP_BLOB, &m->layers[i].desc.digest, err) < 0)
			return -1;
		if (prepared_matches(storefd, prep, &m->layers[i], &c->diff_ids[i])) {
			/* Unpacked and measured as it streamed in: ours now. */
			memcpy(p->tmpname, prep->tmpname, sizeof(p->tmpname));
			p->size = prep->size;
			prep->tmpname[0] = '\0';
			continue;
		}
		if (layer_unpack_tmp(storefd, layersfd, &m->layers[i], &c->diff_ids[i], lim, p,
				     err) < 0)
			return podd_error_wrap(err, "layer %zu (sha256:%s)", i + 1,
					       m->layers[i].desc.digest.hex);
	}
	for (size_t i = 0; i < c->n_diff_ids; i++) {
		struct pending_layer *p = &set.p[i];
		if (p->reused)
			continue;
		if (renameat2(layersfd, p->tmpname, layersfd, p->chain.hex, RENAME_NOREPLACE) == 0) {
			p->tmpname[0] = '\0';
			continue;
		}
		/* Another writer put the same layer there first: theirs is
		 * whole, our temporary goes at the end. */
		if (errno != EEXIST)
			return podd_error_sys(err, errno, "layer %s: rename into place",
					      p->chain.hex);
	}
	if (fsync(layersfd) < 0)
		return podd_error_sys(err, errno, "fsync layers");
	if (copy_step(progress, COPY_STEP_CONFIG, &m->config.digest, err) < 0)
		return -1;
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		return podd_error_sys(err, ENOMEM, "image record");
	podd__image_record__init(rec);
	if (record_fill(rec, manifest_digest, m, c, set.p, err) < 0 ||
	    copy_step(progress, COPY_STEP_MANIFEST, NULL, err) < 0)
		return -1;
	*out = steal_pointer(&rec);
	return 0;
}

/* ---- gc ---- */

struct hexset {
	char (*v)[DIGEST_HEX_LEN + 1];
	size_t n, cap;
};

static int hexset_add(struct hexset *s, const char *hex, podd_error_t *err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		void *v = realloc(s->v, cap * sizeof(*s->v));
		if (v == NULL)
			return podd_error_sys(err, ENOMEM, "gc");
		s->v = v;
		s->cap = cap;
	}
	memcpy(s->v[s->n++], hex, DIGEST_HEX_LEN + 1);
	return 0;
}

static int hex_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void hexset_sort(struct hexset *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), hex_cmp);
}

static bool hexset_has(const struct hexset *s, const char *hex)
{
	return s->n && bsearch(hex, s->v, s->n, sizeof(*s->v), hex_cmp) != NULL;
}

static void hexset_free(struct hexset *s)
{
	free(s->v);
	s->v = NULL;
}

/* What one manifest keeps: itself, its config, its layer blobs. A manifest
 * that cannot be read keeps only itself. */
static int keep_manifest(int storefd, const struct digest *d, struct hexset *blobs,
			 podd_error_t *err)
{
	cleanup_image_manifest struct image_manifest *m = NULL;
	cleanup_free char *buf = NULL;
	podd_error_t e = NULL;
	size_t len;

	if (hexset_add(blobs, d->hex, err) < 0)
		return -1;
	if (store_read_blob(storefd, d, META_MAX_BYTES, &buf, &len, &e) < 0 ||
	    image_manifest_parse(NULL, buf, len, &m, &e) < 0) {
		podd_error_free(&e);
		return 0;
	}
	if (hexset_add(blobs, m->config.digest.hex, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_layers; i++)
		if (hexset_add(blobs, m->layers[i].desc.digest.hex, err) < 0)
			return -1;
	return 0;
}

static int keep_image(int storefd, const char *id, struct hexset *blobs, struct hexset *layers,
		      podd_error_t *err)
{
	cleanup_image_config struct image_config *c = NULL;
	cleanup_free char *buf = NULL;
	cleanup_free struct digest *chains = NULL;
	struct digest d;
	podd_error_t e = NULL;
	size_t len;

	if (!podd_id_valid(id))
		return 0;
	memcpy(d.hex, id, DIGEST_HEX_LEN + 1);
	if (hexset_add(blobs, id, err) < 0)
		return -1;
	if (store_read_blob(storefd, &d, META_MAX_BYTES, &buf, &len, &e) < 0 ||
	    image_config_parse(NULL, buf, len, &c, &e) < 0) {
		podd_error_free(&e);
		return 0;
	}
	chains = calloc(c->n_diff_ids ? c->n_diff_ids : 1, sizeof(*chains));
	if (chains == NULL)
		return podd_error_sys(err, ENOMEM, "gc");
	if (chain_ids_compute(c->diff_ids, c->n_diff_ids, chains, err) < 0)
		return -1;
	for (size_t i = 0; i < c->n_diff_ids; i++)
		if (hexset_add(layers, chains[i].hex, err) < 0)
			return -1;
	return 0;
}

static int gc_blobs(int storefd, const struct hexset *keep, struct gc_stats *st,
		    podd_error_t *err)
{
	cleanup_dir DIR *dir = NULL;
	int fd = open_beneath(storefd, "blobs/sha256", O_RDONLY | O_DIRECTORY, 0);
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT ? 0 : podd_error_sys(err, errno, "gc: open blobs/sha256");
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return podd_error_sys(err, errno, "gc: blobs/sha256");
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (!podd_id_valid(de->d_name) || hexset_has(keep, de->d_name))
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) < 0 && errno != ENOENT)
			return podd_error_sys(err, errno, "gc: remove blob sha256:%s", de->d_name);
		st->blobs_removed++;
	}
	if (errno)
		return podd_error_sys(err, errno, "gc: read blobs/sha256");
	return 0;
}

static int gc_layers(int storefd, const struct hexset *keep, struct gc_stats *st,
		     podd_error_t *err)
{
	cleanup_dir DIR *dir = NULL;
	cleanup_close int layersfd = open_beneath(storefd, "layers", O_RDONLY | O_DIRECTORY, 0);
	int fd;
	struct dirent *de;

	if (layersfd < 0)
		return errno == ENOENT ? 0 : podd_error_sys(err, errno, "gc: open layers");
	/* A second descriptor for the listing (its own offset); opened again
	 * rather than dup'ed, which podd-image's seccomp list leaves out. */
	fd = open_beneath(storefd, "layers", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return podd_error_sys(err, errno, "gc: layers");
	}
	/* Collect first: removing while readdir walks may skip entries. */
	struct hexset gone = { 0 };
	char (*tmps)[40] = NULL;
	size_t ntmp = 0;
	int r = 0;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (podd_id_valid(de->d_name) && !hexset_has(keep, de->d_name)) {
			if (hexset_add(&gone, de->d_name, err) < 0) {
				r = -1;
				break;
			}
		} else if (strncmp(de->d_name, "tmp-", 4) == 0 && strlen(de->d_name) < 40) {
			void *v = realloc(tmps, (ntmp + 1) * sizeof(*tmps));
			if (v == NULL) {
				r = podd_error_sys(err, ENOMEM, "gc");
				break;
			}
			tmps = v;
			snprintf(tmps[ntmp++], 40, "%s", de->d_name);
		}
	}
	for (size_t i = 0; r == 0 && i < gone.n; i++) {
		if ((r = layer_remove_tree(layersfd, gone.v[i], err)) == 0)
			st->layers_removed++;
	}
	for (size_t i = 0; r == 0 && i < ntmp; i++) {
		if ((r = layer_remove_tree(layersfd, tmps[i], err)) == 0)
			st->tmp_removed++;
	}
	hexset_free(&gone);
	free(tmps);
	return r;
}

int store_gc(int storefd, const struct gc_keep *keep, struct gc_stats *st,
	     podd_error_t *err)
{
	cleanup_close int lock = store_lock(storefd, true, err);

	if (lock < 0)
		return podd_error_wrap(err, "image store gc");
	return store_gc_locked(storefd, keep, st, err);
}

int store_gc_locked(int storefd, const struct gc_keep *keep, struct gc_stats *st_out,
		    podd_error_t *err)
{
	struct hexset blobs = { 0 }, layers = { 0 };
	struct gc_stats local = { 0 };
	struct gc_stats *st = st_out ? st_out : &local;
	unsigned tmp_blobs = 0;
	int r = 0;

	*st = (struct gc_stats){ 0 };
	for (size_t i = 0; r == 0 && i < keep->n_manifest_digests; i++) {
		struct digest d;
		podd_error_t e = NULL;
		if (digest_parse(keep->manifest_digests[i], &d, &e) < 0) {
			podd_error_free(&e);
			continue;
		}
		r = keep_manifest(storefd, &d, &blobs, err);
	}
	for (size_t i = 0; r == 0 && i < keep->n_image_ids; i++)
		r = keep_image(storefd, keep->image_ids[i], &blobs, &layers, err);
	if (r == 0) {
		hexset_sort(&blobs);
		hexset_sort(&layers);
		r = gc_blobs(storefd, &blobs, st, err);
	}
	if (r == 0)
		r = gc_layers(storefd, &layers, st, err);
	if (r == 0 && (r = blob_store_clean_tmp(storefd, &tmp_blobs, err)) == 0)
		st->tmp_removed += tmp_blobs;
	hexset_free(&blobs);
	hexset_free(&layers);
	return r < 0 ? podd_error_wrap(err, "image store gc") : 0;
}
