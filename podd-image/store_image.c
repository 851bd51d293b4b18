/* StoreImageRequest: the second half of a pull. podd-image-registry put an
 * image's manifest, config and layer blobs in the blob store; here the
 * layer store (store_image_from_manifest, store.c) checks the config
 * against the layers, unpacks them and makes the record, which is named as
 * pulled. The process that parses layers is the one without a network.
 * UnpackStreamRequest comes first: the pull's largest layer, unpacked
 * while podd-image-registry still fetches it, which StoreImageRequest
 * then takes instead of unpacking that blob. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "handlers.h"
#include "log.h"
#include "image.pb-c.h"
#include "blobs.h"
#include "store_meta.h"
#include "manifest.h"
#include "reference.h"
#include "store.h"
#include "validate.h"

#define INVALID PODD_E_INVALID_ARGUMENT

static int strv_append(char ***v, size_t *n, const char *s, podd_error_t *err)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	char *dup;

	if (nv == NULL)
		return podd_error_sys(err, ENOMEM, "record");
	*v = nv;
	dup = strdup(s);
	if (dup == NULL)
		return podd_error_sys(err, ENOMEM, "record");
	(*v)[(*n)++] = dup;
	return 0;
}

/* The record store_image_from_manifest made, named as pulled: the name
 * (none for a pull by digest alone, as podman keeps such an image) and the
 * digest the reference resolved to (an index's, when it named one) beside
 * the manifest's. */
static int name_record(const char *name, const char *top, Podd__ImageRecord *rec,
		       podd_error_t *err)
{
	if (name[0] && strv_append(&rec->names, &rec->n_names, name, err) < 0)
		return -1;
	for (size_t i = 0; i < rec->n_digests; i++)
		if (strcmp(rec->digests[i], top) == 0)
			return 0;
	return strv_append(&rec->digests, &rec->n_digests, top, err);
}

/* The digest the pull resolved (`top`) must be the manifest's own, or an
 * index in the store that lists it: podd-image-registry names the digest
 * a record answers to, not anything it likes. */
static int top_check(int storefd, const char *top, const char *manifest, podd_error_t *err)
{
	cleanup_image_index struct image_index *idx = NULL;
	cleanup_free char *buf = NULL;
	struct digest d;
	size_t len;

	if (strcmp(top, manifest) == 0)
		return 0;
	if (digest_parse(top, &d, err) < 0 ||
	    store_read_blob(storefd, &d, META_MAX_BYTES, &buf, &len, err) < 0 ||
	    image_index_parse(top, buf, len, &idx, err) < 0)
		return podd_error_wrap(err, "store image: the resolved digest");
	for (size_t i = 0; i < idx->n_manifests; i++) {
		char listed[DIGEST_HEX_LEN + 8];
		snprintf(listed, sizeof(listed), "sha256:%s", idx->manifests[i].digest.hex);
		if (strcmp(listed, manifest) == 0)
			return 0;
	}
	return podd_error(err, INVALID, "store image: %s does not list %s", top, manifest);
}

/* `name`: "" or a fully qualified reference with a tag, as
 * podd_reference_string writes it (so as podd-image-registry sends it). */
static int name_check(const char *name, podd_error_t *err)
{
	struct podd_reference ref;
	char canon[PODD_REFERENCE_MAX];
	podd_error_t e = NULL;

	if (name[0] == '\0')
		return 0;
	if (strlen(name) >= sizeof(canon) || podd_reference_parse(name, &ref, &e) < 0) {
		podd_error_free(&e);
		return podd_error(err, INVALID, "store image: invalid name");
	}
	podd_reference_string(&ref, canon, sizeof(canon));
	if (!ref.qualified || ref.tag[0] == '\0' || strcmp(canon, name) != 0)
		return podd_error(err, INVALID,
				  "store image: the name is not fully qualified with a tag");
	return 0;
}

static int store_image(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err)
{
	const Podd__StoreImageRequest *r = (const Podd__StoreImageRequest *)req->msg;
	struct image_ctx *ctx = srv->data;
	cleanup_close int lock = -1;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	Podd__LoadedImages list = PODD__LOADED_IMAGES__INIT;
	struct digest md;
	int ret;

	if (!podd_digest_valid(r->manifest_digest) || !podd_digest_valid(r->top_digest))
		return podd_error(err, INVALID, "store image: invalid manifest or top digest");
	if (name_check(r->name, err) < 0 || digest_parse(r->manifest_digest, &md, err) < 0 ||
	    top_check(ctx->storefd, r->top_digest, r->manifest_digest, err) < 0)
		return -1;
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "store image between gc's begin and its end");
	/* Shared, kept after the answer (image_session_hold_lock) until
	 * podctl has recorded the image: no gc collects its layers first. */
	lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	/* Checks the config against the layers (each layer's uncompressed
	 * sha256 against its diff_id) and unpacks the layers not yet in the
	 * store. A failure leaves what is in place to podctl's gc (store.h). */
	if (store_image_from_manifest_prepared(ctx->storefd, &md, &ctx->lim, &ctx->prepared, &rec,
					       err) < 0 ||
	    name_record(r->name, r->top_digest, rec, err) < 0)
		return -1;
	list.images = &rec;
	list.n_images = 1;
	ret = podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES, 0, &list.base,
				NULL, 0, err);
	if (ret < 0)
		return -1;
	image_session_hold_lock(ctx, &lock);
	return 0;
}

int handle_store_image(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err)
{
	struct image_ctx *ctx = srv->data;
	int rc = store_image(srv, req, err);

	/* A streamed layer this image did not take (or a request refused
	 * before it was looked at) is nobody's. */
	store_prepared_drop(ctx->storefd, &ctx->prepared);
	return rc;
}

int handle_unpack_stream(struct podd_server *srv, const struct podd_request *req,
			 podd_error_t *err)
{
	struct image_ctx *ctx = srv->data;
	cleanup_close int fd = podd_frame_take_fd(req->frame, 0);
	cleanup_close int lock = -1;
	podd_error_t why = NULL;

	if (podd_fd_check_kind(fd, PODD_FD_PIPE, err) < 0)
		return -1;
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "unpack stream between gc's begin and its end");
	store_prepared_drop(ctx->storefd, &ctx->prepared);
	/* Shared, as while a blob is unpacked: gc does not take the
	 * temporary for a leftover while this session may still use it. */
	lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	/* Whatever the stream held, the pull goes on: StoreImageRequest
	 * unpacks from the blob what was not kept here, and says so when
	 * the blob is bad. Closing the pipe tells the writer to stop. */
	if (store_layer_stream(ctx->storefd, fd, &ctx->lim, &ctx->prepared, &why) < 0) {
		podd_debug("streamed layer not kept: %s", why->msg);
		podd_error_free(&why);
	} else {
		podd_debug("layer sha256:%.12s unpacked as it streamed in (%llu bytes)",
			   ctx->prepared.blob.hex, (unsigned long long)ctx->prepared.blob_size);
	}
	podd_closep(&fd);
	if (podd_server_reply_ok(srv, req, err) < 0)
		return -1;
	image_session_hold_lock(ctx, &lock);
	return 0;
}
