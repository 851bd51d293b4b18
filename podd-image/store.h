/* The image store (issue 4): unpacked layers keyed by chain id, the lock
 * that keeps gc away from writers, images made from manifests already in
 * the blob store (blobs.h), and gc. docs/ARCHITECTURE.md "Image store"
 * gives the layout:
 *
 *   store.lock                 flock: shared while blobs or layers are
 *                              added, exclusive for gc
 *   layers/<chain id>/diff/    one unpacked layer (extract.c)
 *   layers/<chain id>/size     its uncompressed tar's bytes, decimal (what
 *                              podman counts as a layer's size)
 *   layers/tmp-<random>/       a layer being unpacked, renamed into place
 *                              once whole
 *
 * Every path is opened beneath the store's descriptor without following a
 * symlink. Errors follow lib/error.h.
 *
 * Users outside this file (the API the registry and commit parts build on):
 *   store_lock()                    before adding blobs: shared; kept, once
 *                                   the image is answered, until the
 *                                   session ends (handlers.h,
 *                                   image_session_hold_lock), so that no
 *                                   gc runs before podctl records it
 *   blob_writer_*() (blobs.h)       manifest, config and layer blobs
 *   store_image_from_manifest()     checks them, unpacks the layers and
 *                                   answers the ImageRecord podctl stores
 *   store_gc()                      what no image record names goes */
#ifndef PODD_IMAGE_STORE_H
#define PODD_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blobs.h"
#include "common.pb-c.h"
#include "copy_progress.h"
#include "error.h"
#include "extract.h"
#include "manifest.h"
#include "records.h"
#include "store_meta.h"

/* Is layers/<chain id> present (so whole)? */
bool store_layer_present(int storefd, const struct digest *chain_id);
/* The uncompressed size of layers/<chain id> (its tar stream), as its size
 * file recorded it when it was unpacked. */
int store_layer_size(int storefd, const struct digest *chain_id, uint64_t *size,
		     podd_error_t *err);

/* The sha256 of a layer blob's uncompressed stream must be `diff_id`; read
 * from `blobfd` (from its current offset) through `compression`, at most
 * `max_bytes` uncompressed (a bomb stops there). `size` (may be NULL)
 * receives the uncompressed length. */
int layer_diff_id_check(int blobfd, enum layer_compression compression,
			const struct digest *diff_id, uint64_t max_bytes, uint64_t *size,
			podd_error_t *err);

/* No session removes a blob or a layer it put in place, even when it
 * fails: from the moment it is in place, another session (a pull, a load
 * of the same layer) may have found it there and made an image of it, and
 * by the time the first one fails that image may be recorded. What a
 * failed command leaves is collected by store_gc, which podctl runs after
 * the failure (under the exclusive lock, keeping every recorded image's
 * objects; it waits for no session: when another holds the lock, the next
 * gc collects). Temporaries are a session's own and go at once. */

/* Makes an image out of a manifest whose manifest, config and layer blobs
 * are already in the blob store (a pull, a load, an import, a commit put
 * them there), under store_lock(shared) held by the caller:
 *  - parses the manifest (OCI or Docker v2 schema 2) and its config;
 *  - checks that the config's diff_ids name the layers one for one, and
 *    that each layer blob's uncompressed sha256 is its diff_id;
 *  - unpacks every layer not yet under layers/<chain id> (an existing one
 *    is reused, never unpacked twice), each into layers/tmp-<random> then
 *    renamed into place.
 * A failure before the renames stores no layer; the blobs and any layer
 * already in place stay for gc (above).
 * `lim` NULL: extract_limits_default().
 * On success *out is a new record (free it with
 * podd__image_record__free_unpacked(*out, NULL)): id = the config's hex,
 * config_digest, manifest_digest and digests = { manifest digest },
 * layers = the diff_ids, size = the layers' uncompressed bytes, top_layer =
 * the top chain id ("" without layers), created_ns = the config's (0
 * without); names empty: the caller fills them. schema_version 1. */
int store_image_from_manifest(int storefd, const struct digest *manifest_digest,
			      const struct extract_limits *lim, Podd__ImageRecord **out,
			      podd_error_t *err);

/* store_image_from_manifest, reporting its steps to `progress` (may be
 * NULL) as they happen: COPY_STEP_IMAGE first, COPY_STEP_BLOB with each
 * layer's manifest digest as its turn comes, before it is unpacked
 * (COPY_STEP_BLOB_PRESENT when it is found unpacked), COPY_STEP_CONFIG
 * with the config's digest once every layer is in place,
 * COPY_STEP_MANIFEST when the record is made. A step that fails fails the
 * call. */
int store_image_from_manifest_progress(int storefd, const struct digest *manifest_digest,
				       const struct extract_limits *lim,
				       const struct copy_progress *progress,
				       Podd__ImageRecord **out, podd_error_t *err);

/* A layer unpacked while its blob streamed in (a pull's
 * UnpackStreamRequest), waiting in its temporary directory
 * layers/<tmpname> for the image that names it. */
struct prepared_layer {
	char tmpname[40];  /* "tmp-<32 hex>"; "" when none */
	struct digest blob; /* sha256 of the compressed bytes streamed */
	uint64_t blob_size;
	struct digest diff_id;
	uint64_t size;      /* the uncompressed tar's bytes */
};

/* Unpacks the layer streaming through `fd` (read to EOF) into a new
 * temporary directory in layers/, as a layer blob is unpacked, and
 * describes it in *out. The caller holds the shared store lock until the
 * layer is used or dropped. On failure nothing is left and *out has no
 * tmpname. */
int store_layer_stream(int storefd, int fd, const struct extract_limits *lim,
		       struct prepared_layer *out, podd_error_t *err);

/* Removes a prepared layer's temporary directory, if any. */
void store_prepared_drop(int storefd, struct prepared_layer *p);

/* store_image_from_manifest, taking `prep` (may be NULL or have no
 * tmpname) as the unpacked layer it is when the manifest names a layer of
 * its blob digest and size whose blob is stored and whose diff_id in the
 * config is prep's: that layer is not unpacked again but moved into place
 * (prep loses its tmpname). A prep that matches nothing stays the
 * caller's. */
int store_image_from_manifest_prepared(int storefd, const struct digest *manifest_digest,
				       const struct extract_limits *lim,
				       struct prepared_layer *prep, Podd__ImageRecord **out,
				       podd_error_t *err);

/* What gc keeps: every image podd-state still records, as its id (the
 * config digest's hex) and the manifest digests it names. */
struct gc_keep {
	const char *const *image_ids;       /* 64 hex */
	size_t n_image_ids;
	const char *const *manifest_digests; /* "sha256:<hex>" */
	size_t n_manifest_digests;
};

struct gc_stats {
	unsigned blobs_removed;
	unsigned layers_removed;
	unsigned tmp_removed; /* blobs/tmp and layers/tmp-* leftovers */
};

/* Takes store_lock(exclusive) itself, then removes every blob and layer no
 * kept image references (its manifests, their configs and layer blobs, and
 * the layers of its chain ids) and the temporaries killed writers left.
 * A kept image whose config or manifest blob is missing or does not parse
 * keeps what can be found of it and is not an error. */
int store_gc(int storefd, const struct gc_keep *keep, struct gc_stats *st, podd_error_t *err);

/* store_gc for a caller that already holds store_lock(exclusive) (and read
 * the kept images after taking it, so that none added meanwhile is
 * missing from `keep`). */
int store_gc_locked(int storefd, const struct gc_keep *keep, struct gc_stats *st,
		    podd_error_t *err);

#endif
