/* A load's or save's steps sent to podctl as they happen: CopyEvents
 * streamed as the answer to LoadRequest and SaveRequest (MORE on all but
 * the last, KIND_DONE). */
#ifndef PODD_IMAGE_COPY_EVENTS_H
#define PODD_IMAGE_COPY_EVENTS_H

#include "copy_progress.h"
#include "image.pb-c.h"
#include "server.h"

struct copy_events {
	struct podd_server *srv;
	const struct podd_request *req;
	struct copy_progress progress; /* what the archive modules call */
};

/* Sets up `ev` to answer `req` step by step. */
void copy_events_init(struct copy_events *ev, struct podd_server *srv,
		      const struct podd_request *req);

/* The last frame: KIND_DONE, with `loaded` (NULL for a save). */
int copy_events_done(struct copy_events *ev, Podd__LoadedImages *loaded, podd_error_t *err);

#endif
