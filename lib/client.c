#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "common.pb-c.h"
#include "wire.h"

#define PROTO PODD_E_PROTOCOL

/* An error message may quote what a container or an image controls (a
 * file name in a layer, a process's name): podctl prints it on a terminal,
 * so control characters, C0, DEL and C1 (U+0080-U+009F, which some
 * terminals take as CSI and the like), are shown as \xNN. The message is
 * valid UTF-8 already (podd_message_unpack). NULL on ENOMEM. */
static char *escape_controls(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	char *out = malloc(len * 4 + 1);
	char *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			o += sprintf(o, "\\x%02x", p[i]);
		} else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			o += sprintf(o, "\\x%02x", p[i + 1]);
			i++;
		} else {
			*o++ = (char)p[i];
		}
	}
	*o = '\0';
	return out;
}

static void frame_cleanup(struct podd_frame *f)
{
	podd_frame_release(f);
}
#define cleanup_frame __attribute__((cleanup(frame_cleanup)))

/* Receive the answer to request `id`: an Error becomes *err; anything but
 * `reply_type` or an answer to another request is a protocol violation. */
static int receive_answer(struct podd_peer *peer, uint32_t id, uint32_t reply_type,
			  const ProtobufCMessageDescriptor *reply_desc,
			  ProtobufCMessage **reply, uint16_t *flags, int *fds, size_t nfds,
			  podd_error_t *err)
{
	cleanup_frame struct podd_frame frame = { 0 };
	int r;

	r = podd_frame_recv(peer->sock, &frame, err);
	if (r < 0)
		return podd_error_wrap(err, "%s", peer->name);
	if (r == 0)
		return podd_error(err, PROTO, "%s closed its connection unexpectedly", peer->name);
	if (frame.request_id != id)
		return podd_error(err, PROTO, "%s answered request %u while %u was pending",
				  peer->name, frame.request_id, id);
	if (frame.nfds != 0 && (frame.type != reply_type || frame.nfds != nfds))
		return podd_error(err, PROTO, "%s sent %zu descriptors, expected %zu", peer->name,
				  frame.nfds, frame.type == reply_type ? nfds : 0);
	if (frame.type == PODD__COMMON_TYPE__COMMON_TYPE_ERROR) {
		cleanup_message ProtobufCMessage *m =
			podd_message_unpack(&podd__error__descriptor, &frame, err);
		Podd__Error *e = (Podd__Error *)m;
		cleanup_free char *msg = NULL;
		if (m == NULL)
			return podd_error_wrap(err, "%s", peer->name);
		msg = escape_controls(e->message);
		return podd_error(err,
				  e->code == PODD__ERROR_CODE__ERROR_CODE_UNSPECIFIED
					  ? PODD_E_INTERNAL
					  : (int)e->code,
				  "%s", msg ? msg : "(error message lost: out of memory)");
	}
	if (frame.type != reply_type)
		return podd_error(err, PROTO, "%s sent message type %u, expected %u", peer->name,
				  frame.type, reply_type);
	if (frame.nfds != nfds)
		return podd_error(err, PROTO, "%s sent %zu descriptors, expected %zu", peer->name,
				  frame.nfds, nfds);
	*reply = podd_message_unpack(reply_desc, &frame, err);
	if (*reply == NULL)
		return podd_error_wrap(err, "%s", peer->name);
	*flags = frame.flags;
	for (size_t i = 0; i < nfds; i++)
		fds[i] = podd_frame_take_fd(&frame, i);
	return 0;
}

int podd_client_call_fds(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			 const int *fds_in, size_t nfds_in, uint32_t reply_type,
			 const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
			 int *fds_out, size_t nfds_out, podd_error_t *err)
{
	uint32_t id = ++peer->next_id;
	uint16_t flags = 0;

	*reply = NULL;
	for (size_t i = 0; i < nfds_out; i++)
		fds_out[i] = -1;
	if (podd_message_send(peer->sock, type, id, 0, req, fds_in, nfds_in, err) < 0)
		return podd_error_wrap(err, "request to %s", peer->name);
	if (receive_answer(peer, id, reply_type, reply_desc, reply, &flags, fds_out, nfds_out,
			   err) < 0)
		return -1;
	if (flags & PODD_FRAME_MORE) {
		protobuf_c_message_free_unpacked(*reply, NULL);
		*reply = NULL;
		for (size_t i = 0; i < nfds_out; i++) {
			close(fds_out[i]);
			fds_out[i] = -1;
		}
		return podd_error(err, PROTO, "%s streamed an answer that should be one message",
				  peer->name);
	}
	return 0;
}

int podd_client_send_fds(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			 const int *fds, size_t nfds, uint32_t *id, podd_error_t *err)
{
	*id = ++peer->next_id;
	if (podd_message_send(peer->sock, type, *id, 0, req, fds, nfds, err) < 0)
		return podd_error_wrap(err, "request to %s", peer->name);
	return 0;
}

int podd_client_send(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
		     uint32_t *id, podd_error_t *err)
{
	return podd_client_send_fds(peer, type, req, NULL, 0, id, err);
}

int podd_client_receive(struct podd_peer *peer, uint32_t id, uint32_t reply_type,
			const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
			podd_error_t *err)
{
	uint16_t flags = 0;

	*reply = NULL;
	if (receive_answer(peer, id, reply_type, reply_desc, reply, &flags, NULL, 0, err) < 0)
		return -1;
	if (flags & PODD_FRAME_MORE) {
		protobuf_c_message_free_unpacked(*reply, NULL);
		*reply = NULL;
		return podd_error(err, PROTO, "%s streamed an answer that should be one message",
				  peer->name);
	}
	return 0;
}

int podd_client_call(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
		     uint32_t reply_type, const ProtobufCMessageDescriptor *reply_desc,
		     ProtobufCMessage **reply, podd_error_t *err)
{
	return podd_client_call_fds(peer, type, req, NULL, 0, reply_type, reply_desc, reply, NULL,
				    0, err);
}

int podd_client_receive_stream(struct podd_peer *peer, uint32_t id, uint32_t reply_type,
			       const ProtobufCMessageDescriptor *reply_desc, podd_chunk_fn chunk,
			       void *data, podd_error_t *err)
{
	uint16_t flags;

	do {
		cleanup_message ProtobufCMessage *m = NULL;
		flags = 0;
		if (receive_answer(peer, id, reply_type, reply_desc, &m, &flags, NULL, 0, err) < 0)
			return -1;
		if (chunk(m, data, err) < 0)
			return -1;
	} while (flags & PODD_FRAME_MORE);
	return 0;
}

int podd_client_call_stream(struct podd_peer *peer, uint32_t type, const ProtobufCMessage *req,
			    uint32_t reply_type, const ProtobufCMessageDescriptor *reply_desc,
			    podd_chunk_fn chunk, void *data, podd_error_t *err)
{
	uint32_t id;

	if (podd_client_send(peer, type, req, &id, err) < 0)
		return -1;
	return podd_client_receive_stream(peer, id, reply_type, reply_desc, chunk, data, err);
}

int podd_client_hello_send(struct podd_peer *peer, const char *channel, uint32_t *id,
			   podd_error_t *err)
{
	Podd__Hello hello = PODD__HELLO__INIT;

	hello.protocol_version = PODD_PROTOCOL_VERSION;
	hello.channel = (char *)channel;
	if (podd_client_send(peer, PODD__COMMON_TYPE__COMMON_TYPE_HELLO, &hello.base, id, err) < 0)
		return podd_error_wrap(err, "handshake with %s", peer->name);
	return 0;
}

int podd_client_hello_receive(struct podd_peer *peer, uint32_t id, podd_error_t *err)
{
	cleanup_message ProtobufCMessage *m = NULL;
	Podd__HelloReply *reply;

	if (podd_client_receive(peer, id, PODD__COMMON_TYPE__COMMON_TYPE_HELLO_REPLY,
				&podd__hello_reply__descriptor, &m, err) < 0)
		return podd_error_wrap(err, "handshake with %s", peer->name);
	reply = (Podd__HelloReply *)m;
	if (reply->protocol_version != PODD_PROTOCOL_VERSION)
		return podd_error(err, PROTO, "%s speaks protocol %u, podctl speaks %u",
				  peer->name, reply->protocol_version, PODD_PROTOCOL_VERSION);
	peer->peer_protocol = (int)reply->protocol_version;
	return 0;
}

int podd_client_hello(struct podd_peer *peer, const char *channel, podd_error_t *err)
{
	uint32_t id;

	if (podd_client_hello_send(peer, channel, &id, err) < 0)
		return -1;
	return podd_client_hello_receive(peer, id, err);
}
