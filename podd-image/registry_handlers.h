/* The registry requests (proto/image.proto 24-31, 40-47) and what they share. */
#ifndef PODD_IMAGE_REGISTRY_HANDLERS_H
#define PODD_IMAGE_REGISTRY_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>

#include "blobs.h"
#include "error.h"
#include "image.pb-c.h"
#include "manifest.h"
#include "server.h"

/* An index, a manifest, a config and its layers. */

/* srv->data of podd-image-registry. */
struct registry_ctx {
	int storefd; /* <static>/storage, opened before the sandbox */
	/* A pull fetched and waits for its PullFinishRequest, holding the
	 * shared store lock until then, so that no gc collects its blobs
	 * before podd-image made the image and podd-state recorded it. */
	bool pull_pending;
	int pull_lock; /* -1: none held */
};

/* The pending pull is over (PullFinishRequest, EOF, or a failed fetch):
 * its lock goes. Its blobs stay, recorded or not: a failed pull's are
 * podctl's gc's to collect (store.h says why no session removes any). */
void pull_finish(struct registry_ctx *ctx);

/* registry_ops.c: a pull's or push's events, streamed as RegistryEvent
 * frames with MORE; progress at most every 100 ms per blob. */
struct event_stream {
	struct podd_server *srv;
	const struct podd_request *req;
	uint64_t last_progress_ns;
	podd_error_t err; /* a failed send, seen by the handler after the transfer */
};
int event_message(struct event_stream *es, podd_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void event_progress(void *data, const struct digest *d, uint64_t current, uint64_t total);
/* The last event. A pull's: the image's manifest digest, the digest its
 * reference resolved to and the name to record ("" by digest alone); a
 * push's: its manifest digest, NULL for the others. */
int event_done(struct event_stream *es, const char *manifest_digest, const char *top_digest,
	       const char *name, podd_error_t *err);

/* Credentials and options from a request, checked. */
/* A request's RegistryTls, bounded (REGISTRY_TLS_MAX a part; a client
 * certificate only with its key), as registry_open takes it; the bytes
 * stay the message's. */
#define REGISTRY_TLS_MAX (64 * 1024)
struct registry_tls;
int registry_tls_check(const Podd__RegistryTls *m, struct registry_tls *out, podd_error_t *err);
int registry_credentials_check(const Podd__RegistryCredentials *c, const char **user,
			       const char **password, podd_error_t *err);
/* A buffer stored as a blob (nothing if the store has it). */
int blob_store_buffer(int storefd, const struct digest *d, const void *buf, size_t len,
		      podd_error_t *err);

int handle_pull(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_push(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_pull_finish(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err);
int handle_login(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_search(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

#endif
