/* podman's copy lines for load and save, printed on stderr as podd-image
 * streams its CopyEvents (proto/image.proto), each step the moment
 * podd-image reports it. */
#ifndef PODCTL_COPY_LINES_H
#define PODCTL_COPY_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "image.pb-c.h"

struct copy_lines {
	bool progress;              /* the lines were asked for: print them */
	bool tty;                   /* stderr is a terminal: podman's final bar lines */
	bool open_line;             /* a "Copying blob" line waits for its " done" */
	bool done;                  /* KIND_DONE came, last */
	Podd__LoadedImages *loaded; /* KIND_DONE's, kept (a load's); NULL for a save */
};

/* Sends `req` of `type` (LOAD or SAVE) with the one descriptor `fd` and
 * prints the lines as the events arrive (with cl->progress). Without a
 * terminal, podman's plain lines ("Copying blob sha256:<hex>"); on one
 * (cl->tty), what podman's progress bars leave on the screen: "Copying
 * blob <12 hex>" as the blob's copy begins, " done" when the next step
 * comes (" skipped: already exists" for a load's layer the store had),
 * "Copying config <10 hex> done". Every digest
 * checked with podd_digest_valid first; an unknown kind, an event not
 * asked for, anything after KIND_DONE or a stream without it is a
 * protocol error. On success cl->loaded is KIND_DONE's LoadedImages, if
 * any: free with copy_lines_clear. */
int copy_lines_call(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req, int fd,
		    struct copy_lines *cl, podd_error_t *err);

void copy_lines_clear(struct copy_lines *cl);

#endif
