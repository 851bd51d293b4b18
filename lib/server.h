/* The serving side of a channel: every helper's request loop and every
 * launcher's operation loop. A dispatch table names, per frame type, the
 * message it must decode to, the descriptors it must carry and its handler;
 * in the manner of OpenSSH's mon_table, anything not in the table, or not
 * permitted in the current state, drops the peer. Hello and Ping
 * (common.proto) are answered here for every server. */
#ifndef PODD_SERVER_H
#define PODD_SERVER_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "message.h"
#include "wire.h"

struct podd_server;

struct podd_request {
	uint32_t type;
	uint32_t id;
	const ProtobufCMessage *msg;
	struct podd_frame *frame; /* handlers may take descriptors from it */
};

/* A handler answers with podd_server_reply*(). On failure it returns -1
 * with *err set: the loop sends that error to the peer as an Error message
 * and goes on, except for PODD_E_PROTOCOL, which drops the peer. */
typedef int (*podd_handler_fn)(struct podd_server *srv, const struct podd_request *req,
			       podd_error_t *err);

struct podd_handler {
	uint32_t type;
	const ProtobufCMessageDescriptor *request;
	size_t nfds;            /* exact count of descriptors the request carries */
	podd_handler_fn handle;
};

struct podd_server {
	int sock;
	const char *process;    /* "podd-state" */
	const char *channel;    /* the Hello.channel this server accepts */
	const struct podd_handler *handlers;
	size_t nhandlers;
	void *data;             /* the process's own context */
	/* Set by workers with a launcher: Ping is forwarded to it first. */
	int (*ping_launcher)(struct podd_server *srv, pid_t *pid, podd_error_t *err);
	bool greeted;
	uint32_t requests;      /* served so far, for diagnostics */
	/* Called by podd_helper_serve when serving ends, before the process
	 * exits (NULL: nothing to do): what a session leaves is removed. */
	void (*at_end)(struct podd_server *srv);
};

/* Serve until EOF (returns 0) or a protocol violation (returns -1 with
 * *err; the caller exits, which drops the peer). */
int podd_server_run(struct podd_server *srv, podd_error_t *err);

int podd_server_reply(struct podd_server *srv, const struct podd_request *req, uint32_t type,
		      uint16_t flags, const ProtobufCMessage *msg, const int *fds, size_t nfds,
		      podd_error_t *err);
int podd_server_reply_ok(struct podd_server *srv, const struct podd_request *req,
			 podd_error_t *err);

#endif
