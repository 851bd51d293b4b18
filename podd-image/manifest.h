/* Image metadata (issue 4): OCI image indexes and Docker manifest lists,
 * OCI and Docker v2 schema 2 manifests, OCI image configs, an OCI
 * archive's index.json and a docker-archive's manifest.json, parsed with
 * json-c from byte buffers the caller read (through the blob store, which
 * has already checked their digests). Every parser validates strictly and
 * returns a struct the caller frees with its *_free function (or the
 * cleanup_* attribute); nothing is trusted because it parsed as JSON.
 * docs/SECURITY.md, "Image metadata", lists the rules. Errors follow
 * lib/error.h; all are PODD_E_INVALID_ARGUMENT. */
#ifndef PODD_IMAGE_MANIFEST_H
#define PODD_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blobs.h"
#include "error.h"
#include "validate.h"

#define META_MAX_BYTES (4u << 20) /* a manifest, index or config document */
#define META_MAX_DEPTH 32         /* JSON nesting */
#define META_MAX_MANIFESTS 1000   /* descriptors in an index */
/* Layers in a manifest or diff_ids in a config: no more than a container
 * can run on (validate.h), so that no image is stored that cannot run. */
#define META_MAX_LAYERS PODD_IMAGE_LAYERS_MAX
#define META_MAX_LAYER_SIZE (64ULL << 30)
#define META_MAX_ANNOTATIONS 256  /* annotations or labels on one object */
#define META_MAX_STRINGS 4096     /* Env, Cmd, Entrypoint, ports, tags */
#define META_MAX_STRING 65536     /* one string value */

#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

struct platform {
	char *architecture; /* NULL when absent */
	char *os;
	char *variant;
};

struct descriptor {
	char *media_type;
	struct digest digest;
	uint64_t size;
	bool has_platform;
	struct platform platform;
	char *ref_name; /* org.opencontainers.image.ref.name, NULL when absent */
};

struct image_index {
	char *media_type; /* NULL when the document has none */
	size_t n_manifests;
	struct descriptor *manifests;
};

enum layer_compression {
	LAYER_TAR,
	LAYER_GZIP,
	LAYER_ZSTD,
};

struct manifest_layer {
	struct descriptor desc;
	enum layer_compression compression;
};

struct image_manifest {
	char *media_type; /* MEDIA_OCI_MANIFEST or MEDIA_DOCKER_MANIFEST */
	struct descriptor config;
	size_t n_layers;
	struct manifest_layer *layers;
};

/* One entry of a config's history (docker's and OCI's). */
struct image_history {
	bool has_created;
	int64_t created_ns;
	char *created_by; /* NULL when absent, likewise comment, author */
	char *comment;
	char *author;
	bool empty_layer;
};

#define META_MAX_HISTORY 1000 /* history entries in a config */

struct image_config {
	char *author;       /* NULL when absent, likewise comment */
	char *comment;
	struct image_history *history;
	size_t n_history;
	char *architecture;
	char *os;
	char *variant;      /* NULL when absent */
	bool has_created;   /* false: absent, or outside int64 ns (Go's zero time) */
	int64_t created_ns; /* since the epoch, UTC */
	char *user;         /* NULL when absent, likewise working_dir, stop_signal */
	char *working_dir;
	char *stop_signal;
	/* NULL-terminated; NULL when absent or JSON null. */
	char **env;         /* each KEY=VALUE, KEY non-empty */
	size_t n_env;
	char **entrypoint;
	size_t n_entrypoint;
	char **cmd;
	size_t n_cmd;
	char **exposed_ports; /* the keys of ExposedPorts, "80/tcp" */
	size_t n_exposed_ports;
	char **volumes; /* the keys of Volumes, "/data" */
	size_t n_volumes;
	char **label_keys;    /* n_labels each */
	char **label_values;
	size_t n_labels;
	struct digest *diff_ids; /* rootfs.diff_ids, in layer order */
	size_t n_diff_ids;
};

/* One image of a docker-archive's manifest.json. Paths are relative names
 * inside the archive ("<hex>.json", "<hex>/layer.tar",
 * "blobs/sha256/<hex>") without "..", "." or empty components. */
struct docker_archive_image {
	char *config;
	char **repo_tags; /* NULL-terminated, may be empty */
	size_t n_repo_tags;
	char **layers;    /* NULL-terminated */
	size_t n_layers;
};

struct docker_archive_manifest {
	size_t n_images;
	struct docker_archive_image *images;
};

/* `name` labels the document in errors ("manifest NAME: layer 3: ...");
 * the caller passes what it trusts, normally "sha256:<hex>", or NULL. */

/* An OCI image index or a Docker manifest list. */
int image_index_parse(const char *name, const void *buf, size_t len, struct image_index **out,
		      podd_error_t *err);
/* The descriptor for architecture/os (and variant, when not NULL; an entry
 * without a variant matches any). None: PODD_E_NO_SUCH_OBJECT. The result
 * points into `index`. */
const struct descriptor *image_index_select(const struct image_index *index,
					    const char *architecture, const char *os,
					    const char *variant, podd_error_t *err);
void image_index_free(struct image_index *index);

/* An OCI image manifest or a Docker v2 schema 2 manifest. */
int image_manifest_parse(const char *name, const void *buf, size_t len,
			 struct image_manifest **out, podd_error_t *err);
void image_manifest_free(struct image_manifest *m);

/* An OCI (or Docker) image config. */
int image_config_parse(const char *name, const void *buf, size_t len, struct image_config **out,
		       podd_error_t *err);
void image_config_free(struct image_config *c);

/* A config's diff_ids must name the manifest's layers one for one. */
int image_config_check_layers(const struct image_manifest *m, const struct image_config *c,
			      podd_error_t *err);

/* An OCI image layout's index.json (oci-archive): an index whose entries
 * may carry org.opencontainers.image.ref.name (the tag), checked. */
int oci_layout_index_parse(const void *buf, size_t len, struct image_index **out,
			   podd_error_t *err);

/* A docker-archive's manifest.json. */
int docker_archive_manifest_parse(const void *buf, size_t len,
				  struct docker_archive_manifest **out, podd_error_t *err);
void docker_archive_manifest_free(struct docker_archive_manifest *m);

static inline void image_index_freep(struct image_index **p)
{
	image_index_free(*p);
	*p = NULL;
}
static inline void image_manifest_freep(struct image_manifest **p)
{
	image_manifest_free(*p);
	*p = NULL;
}
static inline void image_config_freep(struct image_config **p)
{
	image_config_free(*p);
	*p = NULL;
}
static inline void docker_archive_manifest_freep(struct docker_archive_manifest **p)
{
	docker_archive_manifest_free(*p);
	*p = NULL;
}
#define cleanup_image_index __attribute__((cleanup(image_index_freep)))
#define cleanup_image_manifest __attribute__((cleanup(image_manifest_freep)))
#define cleanup_image_config __attribute__((cleanup(image_config_freep)))
#define cleanup_docker_archive_manifest __attribute__((cleanup(docker_archive_manifest_freep)))

#endif
