/* The requesting side of a channel: podctl towards its helpers, a worker
 * towards its launcher. One request is in flight at a time. */
#ifndef PODD_CLIENT_H
#define PODD_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <sys/types.h>

#include "error.h"
#include "message.h"

struct podd_peer {
	int sock;
	pid_t pid;        /* the helper's pid, for diagnostics */
	const char *name; /* "podd-state" ... */
	uint32_t next_id;
	int peer_protocol;
};

/* Handshake: send Hello for `channel`, expect a HelloReply with our version. */
int podd_client_hello(struct podd_peer *peer, const char *channel, podd_error_t *err);
/* The handshake in two halves, for a peer that may start while requests
 * are already queued behind its Hello (it answers in order). */
int podd_client_hello_send(struct podd_peer *peer, const char *channel, uint32_t *id,
			   podd_error_t *err);
int podd_client_hello_receive(struct podd_peer *peer, uint32_t id, podd_error_t *err);

/* Send `req` and wait for one answer of `reply_type` (decoded as
 * `reply_desc` into *reply), or an Error, which becomes *err with its code.
 * An answer carrying descriptors is a protocol violation. */
int podd_client_call(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
		     uint32_t reply_type, const ProtobufCMessageDescriptor *reply_desc,
		     ProtobufCMessage **reply, podd_error_t *err);

/* As podd_client_call, sending `fds_in` with the request and expecting
 * exactly `nfds_out` descriptors with the answer (each checked by the caller
 * for its kind before use); they land in fds_out, -1 on failure. */
int podd_client_call_fds(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			 const int *fds_in, size_t nfds_in, uint32_t reply_type,
			 const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
			 int *fds_out, size_t nfds_out, podd_error_t *err);

/* podd_client_call in two halves, for a request whose answer is read
 * later (podctl's OpenRequest, sent while other helpers still start):
 * send, then receive the answer to request *id. Nothing else may be sent
 * to the peer in between. */
int podd_client_send(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
		     uint32_t *id, podd_error_t *err);
/* As podd_client_send, with `fds` (the caller keeps and closes its own). */
int podd_client_send_fds(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			 const int *fds, size_t nfds, uint32_t *id, podd_error_t *err);
int podd_client_receive(struct podd_peer *peer, uint32_t id, uint32_t reply_type,
			const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
			podd_error_t *err);

/* As podd_client_call, for answers streamed in chunks: `chunk` is called for
 * each, in order; the last frame is the one without PODD_FRAME_MORE. */
typedef int (*podd_chunk_fn)(const ProtobufCMessage *chunk, void *data, podd_error_t *err);
int podd_client_call_stream(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			    uint32_t reply_type, const ProtobufCMessageDescriptor *reply_desc,
			    podd_chunk_fn chunk, void *data, podd_error_t *err);
/* The answer half of podd_client_call_stream, to request `id` sent with
 * podd_client_send*: for a request whose descriptors the caller closes
 * before the answer comes. */
int podd_client_receive_stream(struct podd_peer *peer, uint32_t id, uint32_t reply_type,
			       const ProtobufCMessageDescriptor *reply_desc, podd_chunk_fn chunk,
			       void *data, podd_error_t *err);

#endif
