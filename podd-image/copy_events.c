/* CopyEvents: the steps the store and the archive modules report
 * (copy_progress.h), each sent to podctl the moment it is reported. */
#include "copy_events.h"

#include <stdio.h>

#include "wire.h"

static int send_step(void *data, enum copy_step step, const struct digest *d, podd_error_t *err)
{
	struct copy_events *ev = data;
	Podd__CopyEvent msg = PODD__COPY_EVENT__INIT;
	char digest[DIGEST_HEX_LEN + 8] = "";

	switch (step) {
	case COPY_STEP_IMAGE:
		msg.kind = PODD__COPY_EVENT__KIND__KIND_IMAGE;
		break;
	case COPY_STEP_BLOB:
		msg.kind = PODD__COPY_EVENT__KIND__KIND_BLOB;
		break;
	case COPY_STEP_BLOB_PRESENT:
		msg.kind = PODD__COPY_EVENT__KIND__KIND_BLOB;
		msg.present = true;
		break;
	case COPY_STEP_CONFIG:
		msg.kind = PODD__COPY_EVENT__KIND__KIND_CONFIG;
		break;
	case COPY_STEP_MANIFEST:
		msg.kind = PODD__COPY_EVENT__KIND__KIND_MANIFEST;
		break;
	default:
		return podd_error(err, PODD_E_INTERNAL, "copy step %d", (int)step);
	}
	/* A digest the store parsed: 64 lowercase hex (blobs.h). */
	if (d)
		snprintf(digest, sizeof(digest), "sha256:%s", d->hex);
	msg.digest = digest;
	return podd_server_reply(ev->srv, ev->req, PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT,
				 PODD_FRAME_MORE, &msg.base, NULL, 0, err);
}

void copy_events_init(struct copy_events *ev, struct podd_server *srv,
		      const struct podd_request *req)
{
	ev->srv = srv;
	ev->req = req;
	ev->progress.fn = send_step;
	ev->progress.data = ev;
}

int copy_events_done(struct copy_events *ev, Podd__LoadedImages *loaded, podd_error_t *err)
{
	Podd__CopyEvent msg = PODD__COPY_EVENT__INIT;

	msg.kind = PODD__COPY_EVENT__KIND__KIND_DONE;
	msg.loaded = loaded;
	if (protobuf_c_message_get_packed_size(&msg.base) > PODD_FRAME_MAX_PAYLOAD)
		return podd_error(err, PODD_E_INTERNAL, "%zu images: too many for one answer",
				  loaded ? loaded->n_images : 0);
	return podd_server_reply(ev->srv, ev->req, PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT, 0,
				 &msg.base, NULL, 0, err);
}
