#include "server.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "common.pb-c.h"
#include "log.h"

#define PROTO PODD_E_PROTOCOL

int podd_server_reply(struct podd_server *srv, const struct podd_request *req, uint32_t type,
		      uint16_t flags, const ProtobufCMessage *msg, const int *fds, size_t nfds,
		      podd_error_t *err)
{
	return podd_message_send(srv->sock, type, req->id, flags, msg, fds, nfds, err);
}

int podd_server_reply_ok(struct podd_server *srv, const struct podd_request *req,
			 podd_error_t *err)
{
	Podd__Ok ok = PODD__OK__INIT;
	return podd_server_reply(srv, req, PODD__COMMON_TYPE__COMMON_TYPE_OK, 0, &ok.base, NULL,
				 0, err);
}

static int send_error(struct podd_server *srv, uint32_t id, const struct podd_error *e,
		      podd_error_t *err)
{
	Podd__Error msg = PODD__ERROR__INIT;
	msg.code = (Podd__ErrorCode)e->code;
	msg.message = e->msg;
	return podd_message_send(srv->sock, PODD__COMMON_TYPE__COMMON_TYPE_ERROR, id, 0, &msg.base,
				 NULL, 0, err);
}

static int handle_hello(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__Hello *hello = (const Podd__Hello *)req->msg;
	Podd__HelloReply reply = PODD__HELLO_REPLY__INIT;

	if (hello->protocol_version != PODD_PROTOCOL_VERSION)
		return podd_error(err, PROTO, "peer speaks protocol %u, %s speaks %u",
				  hello->protocol_version, srv->process, PODD_PROTOCOL_VERSION);
	if (strcmp(hello->channel, srv->channel) != 0)
		return podd_error(err, PROTO, "peer asked for channel \"%.32s\" of %s",
				  hello->channel, srv->process);
	reply.protocol_version = PODD_PROTOCOL_VERSION;
	reply.process = (char *)srv->process;
	reply.version = (char *)PODD_VERSION;
	reply.pid = (int32_t)getpid();
	srv->greeted = true;
	return podd_server_reply(srv, req, PODD__COMMON_TYPE__COMMON_TYPE_HELLO_REPLY, 0,
				 &reply.base, NULL, 0, err);
}

/* Ping: every server answers it; a worker with a launcher first pings the
 * launcher (srv->ping_launcher), so the Pong proves both are alive. The
 * token is bounded by the frame size and only echoed. */
static int handle_ping(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__Ping *ping = (const Podd__Ping *)req->msg;
	Podd__Pong pong = PODD__PONG__INIT;
	pid_t launcher_pid = 0;

	if (srv->ping_launcher != NULL && srv->ping_launcher(srv, &launcher_pid, err) < 0)
		return -1;
	pong.token = ping->token;
	pong.pid = (int32_t)getpid();
	pong.launcher_pid = (int32_t)launcher_pid;
	return podd_server_reply(srv, req, PODD__COMMON_TYPE__COMMON_TYPE_PONG, 0, &pong.base,
				 NULL, 0, err);
}

static const struct podd_handler hello_handler = {
	PODD__COMMON_TYPE__COMMON_TYPE_HELLO, &podd__hello__descriptor, 0, handle_hello
};

static const struct podd_handler ping_handler = {
	PODD__COMMON_TYPE__COMMON_TYPE_PING, &podd__ping__descriptor, 0, handle_ping
};

/* Before the handshake only Hello is permitted; after it, Hello never again. */
static const struct podd_handler *find_handler(const struct podd_server *srv, uint32_t type)
{
	if (!srv->greeted)
		return type == hello_handler.type ? &hello_handler : NULL;
	if (type == ping_handler.type)
		return &ping_handler;
	for (size_t i = 0; i < srv->nhandlers; i++)
		if (srv->handlers[i].type == type)
			return &srv->handlers[i];
	return NULL;
}

static int serve_one(struct podd_server *srv, struct podd_frame *frame, podd_error_t *err)
{
	const struct podd_handler *h = find_handler(srv, frame->type);
	cleanup_message ProtobufCMessage *msg = NULL;
	struct podd_request req;
	podd_error_t herr = NULL;

	if (h == NULL)
		return podd_error(err, PROTO, "message type %u is not permitted %s", frame->type,
				  srv->greeted ? "on this channel" : "before the handshake");
	if (frame->flags != 0)
		return podd_error(err, PROTO, "requests are never streamed");
	if (frame->nfds != h->nfds)
		return podd_error(err, PROTO, "%s carries %zu descriptors, expected %zu",
				  h->request->short_name, frame->nfds, h->nfds);
	msg = podd_message_unpack(h->request, frame, err);
	if (msg == NULL)
		return -1;
	req.type = frame->type;
	req.id = frame->request_id;
	req.msg = msg;
	req.frame = frame;
	srv->requests++;
	if (h->handle(srv, &req, &herr) == 0)
		return 0;
	if (herr == NULL)
		podd_error(&herr, PODD_E_INTERNAL, "%s failed without saying why",
			   h->request->short_name);
	if (herr->code == PROTO) {
		*err = herr;
		return -1;
	}
	podd_debug("%s: %s", h->request->short_name, herr->msg);
	if (send_error(srv, req.id, herr, err) < 0) {
		podd_error_free(&herr);
		return -1;
	}
	podd_error_free(&herr);
	return 0;
}

int podd_server_run(struct podd_server *srv, podd_error_t *err)
{
	for (;;) {
		struct podd_frame frame;
		int r = podd_frame_recv(srv->sock, &frame, err);
		if (r <= 0)
			return r;
		r = serve_one(srv, &frame, err);
		podd_frame_release(&frame);
		if (r < 0)
			return -1;
	}
}
