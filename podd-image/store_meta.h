/* The part of the image store (store.h) both image processes use:
 * podd-image, and podd-image-registry, which fetches blobs into the store
 * under the store lock and unpacks nothing (it links no libarchive). */
#ifndef PODD_IMAGE_STORE_META_H
#define PODD_IMAGE_STORE_META_H

#include <stdbool.h>
#include <stddef.h>

#include "blobs.h"
#include "error.h"

/* flock on <store>/store.lock: shared (false) while adding blobs and
 * layers, exclusive (true) for gc. Returns the lock's descriptor (close it
 * to release) or -1. Blocks until granted. */
int store_lock(int storefd, bool exclusive, podd_error_t *err);
/* The exclusive lock if no one holds store.lock: its descriptor, -2 when
 * it is held (no error set), -1 on error. */
int store_lock_try(int storefd, podd_error_t *err);
/* Both image processes' start: <static>/storage made if missing (its path
 * in `path`, `size` bytes) and opened, no link followed. The descriptor,
 * or -1. */
int store_open(const char *static_dir, char *path, size_t size, podd_error_t *err);

/* OCI image spec: ChainID(L0) = DiffID(L0); ChainID(Ln) =
 * sha256(ChainID(Ln-1) + " " + DiffID(Ln)), both as "sha256:<hex>".
 * `parent` NULL for the base layer. */
int chain_id_next(const struct digest *parent, const struct digest *diff_id,
		  struct digest *out, podd_error_t *err);

/* Chain ids of a whole stack of diff_ids; `out` holds n entries. */
int chain_ids_compute(const struct digest *diff_ids, size_t n, struct digest *out,
		      podd_error_t *err);

/* A stored blob read into memory (metadata only: at most `max` bytes,
 * bigger is an error). The caller frees *buf. */
int store_read_blob(int storefd, const struct digest *d, size_t max, char **buf, size_t *len,
		    podd_error_t *err);

#endif
