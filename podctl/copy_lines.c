/* podd-image's CopyEvents made podman's copy lines (copy_lines.h). */
#include "copy_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "validate.h"

static int keep_loaded(struct copy_lines *cl, const Podd__LoadedImages *loaded,
		       podd_error_t *err)
{
	/* The stream's messages are freed after the callback: keep a copy
	 * by packing it again. */
	size_t n = podd__loaded_images__get_packed_size(loaded);
	cleanup_free uint8_t *buf = malloc(n ? n : 1);

	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	podd__loaded_images__pack(loaded, buf);
	cl->loaded = podd__loaded_images__unpack(NULL, n, buf);
	if (cl->loaded == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	return 0;
}

static int copy_chunk(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__CopyEvent *ev = (const Podd__CopyEvent *)chunk;
	struct copy_lines *cl = data;
	bool digest = false;

	if (cl->done)
		return podd_error(err, PODD_E_PROTOCOL, "podd-image went on after a copy's end");
	switch (ev->kind) {
	case PODD__COPY_EVENT__KIND__KIND_DONE:
		cl->done = true;
		if (cl->open_line)
			return podd_error(err, PODD_E_PROTOCOL,
					  "podd-image ended a copy in the middle of a blob");
		if (ev->present)
			return podd_error(err, PODD_E_PROTOCOL,
					  "podd-image sent a malformed copy event");
		return ev->loaded ? keep_loaded(cl, ev->loaded, err) : 0;
	case PODD__COPY_EVENT__KIND__KIND_BLOB:
	case PODD__COPY_EVENT__KIND__KIND_CONFIG:
		digest = true;
		break;
	case PODD__COPY_EVENT__KIND__KIND_IMAGE:
	case PODD__COPY_EVENT__KIND__KIND_MANIFEST:
		break;
	case PODD__COPY_EVENT__KIND__KIND_UNSPECIFIED:
	default:
		return podd_error(err, PODD_E_PROTOCOL, "podd-image sent a copy event of kind %d",
				  (int)ev->kind);
	}
	if (!cl->progress)
		return podd_error(err, PODD_E_PROTOCOL,
				  "podd-image sent copy events not asked for");
	/* The digest goes to the terminal: "sha256:" and 64 hex, or none. */
	if (digest ? !podd_digest_valid(ev->digest) : ev->digest[0] != '\0')
		return podd_error(err, PODD_E_PROTOCOL, "podd-image sent a malformed copy event");
	if (ev->present && ev->kind != PODD__COPY_EVENT__KIND__KIND_BLOB)
		return podd_error(err, PODD_E_PROTOCOL, "podd-image sent a malformed copy event");
	/* The blob before is copied: its line ends. */
	if (cl->open_line) {
		fputs(" done\n", stderr);
		cl->open_line = false;
	}
	switch (ev->kind) {
	case PODD__COPY_EVENT__KIND__KIND_IMAGE:
		fputs("Getting image source signatures\n", stderr);
		break;
	case PODD__COPY_EVENT__KIND__KIND_BLOB:
		if (!cl->tty) {
			fprintf(stderr, "Copying blob %s\n", ev->digest);
			break;
		}
		fprintf(stderr, "Copying blob %.12s", ev->digest + 7);
		if (ev->present)
			fputs(" skipped: already exists\n", stderr);
		else
			cl->open_line = true;
		break;
	case PODD__COPY_EVENT__KIND__KIND_CONFIG:
		if (cl->tty)
			fprintf(stderr, "Copying config %.10s done\n", ev->digest + 7);
		else
			fprintf(stderr, "Copying config %s\n", ev->digest);
		break;
	case PODD__COPY_EVENT__KIND__KIND_MANIFEST:
		fputs("Writing manifest to image destination\nStoring signatures\n", stderr);
		break;
	case PODD__COPY_EVENT__KIND__KIND_DONE:
	case PODD__COPY_EVENT__KIND__KIND_UNSPECIFIED:
	default:
		break;
	}
	fflush(stderr);
	return 0;
}

int copy_lines_call(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req, int fd,
		    struct copy_lines *cl, podd_error_t *err)
{
	uint32_t id;

	cl->done = false;
	cl->open_line = false;
	cl->loaded = NULL;
	if (podd_client_send_fds(peer, type, req, &fd, 1, &id, err) < 0 ||
	    podd_client_receive_stream(peer, id, PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT,
				       &podd__copy_event__descriptor, copy_chunk, cl, err) < 0) {
		/* The error goes on a line of its own. */
		if (cl->open_line)
			fputc('\n', stderr);
		cl->open_line = false;
		copy_lines_clear(cl);
		return -1;
	}
	if (!cl->done)
		return podd_error(err, PODD_E_PROTOCOL, "podd-image ended a copy without its end");
	return 0;
}

void copy_lines_clear(struct copy_lines *cl)
{
	if (cl->loaded)
		podd__loaded_images__free_unpacked(cl->loaded, NULL);
	cl->loaded = NULL;
}
