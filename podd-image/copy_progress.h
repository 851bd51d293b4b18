/* The steps of a load or save that podctl shows as podman's copy lines
 * (proto/image.proto CopyEvent). The store and the archive modules report
 * them through a callback, so that they know nothing of the protocol;
 * handlers.c sends each one to podctl as it is reported (copy_events.c). */
#ifndef PODD_IMAGE_COPY_PROGRESS_H
#define PODD_IMAGE_COPY_PROGRESS_H

#include "blobs.h"
#include "error.h"

enum copy_step {
	COPY_STEP_IMAGE,    /* an image's copy begins; no digest */
	COPY_STEP_BLOB,     /* a layer, by the digest podman shows for it */
	COPY_STEP_BLOB_PRESENT, /* the same, a layer the store has unpacked already */
	COPY_STEP_CONFIG,   /* the config, once the layers are copied */
	COPY_STEP_MANIFEST, /* the image is written; no digest */
};

struct copy_progress {
	/* A failure (podctl gone) fails the load or save. */
	int (*fn)(void *data, enum copy_step step, const struct digest *d, podd_error_t *err);
	void *data;
};

/* Reports one step; a NULL `p` (no progress wanted) reports nothing. */
static inline int copy_step(const struct copy_progress *p, enum copy_step step,
			    const struct digest *d, podd_error_t *err)
{
	return p && p->fn ? p->fn(p->data, step, d, err) : 0;
}

#endif
