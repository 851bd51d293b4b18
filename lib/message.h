/* protobuf-c messages over podd frames: packing, strict unpacking and the
 * generic checks every received message passes before a handler sees it. */
#ifndef PODD_MESSAGE_H
#define PODD_MESSAGE_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>

#include "error.h"
#include "wire.h"

/* Pack `msg` and send it as one frame. */
int podd_message_send(int sock, uint32_t type, uint32_t request_id, uint16_t flags,
		      const ProtobufCMessage *msg, const int *fds, size_t nfds,
		      podd_error_t *err);

/* Unpack a frame's payload as `desc` and validate it:
 *  - protobuf-c must accept it;
 *  - it must be in canonical form (re-packing gives the same size), which
 *    rejects strings with an embedded NUL (protobuf-c would silently cut
 *    them) and unknown fields;
 *  - every string, at any depth, must be valid UTF-8;
 *  - no submessage may nest deeper than PODD_MESSAGE_MAX_DEPTH.
 * Returns NULL with *err (code PROTOCOL) on failure. */
#define PODD_MESSAGE_MAX_DEPTH 4
ProtobufCMessage *podd_message_unpack(const ProtobufCMessageDescriptor *desc,
				      const struct podd_frame *frame, podd_error_t *err);

/* Exposed for the unit tests. */
bool podd_utf8_valid(const char *s, size_t len);

/* A `bytes` field as a NUL-terminated copy (an embedded NUL ends it early
 * for string functions); NULL when out of memory. protobuf-c leaves `data`
 * NULL for an empty field. */
char *podd_bytes_strdup(const ProtobufCBinaryData *b);

static inline void podd_message_freep(void *p)
{
	ProtobufCMessage **m = p;
	if (*m)
		protobuf_c_message_free_unpacked(*m, NULL);
	*m = NULL;
}
#define cleanup_message __attribute__((cleanup(podd_message_freep)))

#endif
