/* podd-image's requests (proto/image.proto), one handler each. */
#ifndef PODD_IMAGE_HANDLERS_H
#define PODD_IMAGE_HANDLERS_H

#include "extract.h"
#include "server.h"
#include "store.h"

struct image_ctx {
	int storefd; /* <static>/storage, opened before the sandbox */
	struct extract_limits lim;
	/* store.lock, shared, held from a request that added an image until
	 * this session ends (podd-image exits on EOF): podctl records the
	 * image in podd-state after the answer, and a gc in another session
	 * must not collect the image's blobs and layers before that. -1:
	 * none held. GC in this session lets go of it first. */
	int session_lock;
	/* store.lock, exclusive, from a GcRequest with `begin` to the
	 * GcRequest that collects; -1: none held. */
	int gc_lock;
	/* The layer a pull streamed in (UnpackStreamRequest), until this
	 * session's StoreImageRequest uses or drops it; gc, a new stream and
	 * the session's end drop it too. */
	struct prepared_layer prepared;
};

/* Keeps `*lock` (a shared store lock) for the rest of the session. Every
 * handler that adds an image (load, import, store image, commit) calls it
 * on success instead of closing its lock. */
void image_session_hold_lock(struct image_ctx *ctx, int *lock);

int handle_image_config(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err);
int handle_load(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_save(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_import(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_gc(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
/* store_image.c: the unpacking half of a pull. */
int handle_store_image(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err);
int handle_unpack_stream(struct podd_server *srv, const struct podd_request *req,
			 podd_error_t *err);
int handle_commit(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

#endif
