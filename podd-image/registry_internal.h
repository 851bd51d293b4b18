/* The registry client's private header: what its three files share and
 * nothing else includes. registry.c is the API (registry.h), registry_http.c
 * the HTTP transport on libcurl (one request, its redirects and a 401's
 * challenge), registry_auth.c the WWW-Authenticate answers (Basic, Bearer
 * tokens). Here: the client's state, a request and its answer, the limits,
 * and the functions one of the files calls in another. */
#ifndef PODD_IMAGE_REGISTRY_INTERNAL_H
#define PODD_IMAGE_REGISTRY_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blobs.h"
#include "error.h"
#include "reference.h"
#include "registry.h"

#define MAX_REDIRECTS 5
#define ERROR_BODY_MAX (64u << 10)  /* a registry's error document, kept for its message */
#define TOKEN_BODY_MAX (1u << 20)   /* a token server's answer */
#define CONNECT_TIMEOUT_S 30L
#define STALL_TIMEOUT_S 120L        /* no byte for this long ends a transfer */
#define META_TIMEOUT_S 300L         /* whole request, for anything but blobs */
#define URL_MAX 8192

struct registry {
	CURL *curl;
	char host[PODD_IMAGE_REPO_MAX + 1];
	char base[PODD_IMAGE_REPO_MAX + 16]; /* "https://host[:port]" */
	bool tls_verify;
	/* From RegistryTls: CA certificates beside the system directory's,
	 * a client certificate and key (copies; NULL when absent). */
	struct curl_blob ca, cert, key;
	char *user, *password;
	char *authorization; /* "Authorization: ..." once a challenge was met */
	char *scope;         /* what Bearer tokens are asked for; NULL: none */
	char errbuf[CURL_ERROR_SIZE];
};

struct membuf {
	char *data;
	size_t len, max;
	bool overflow;
};

struct response {
	long status;
	char *content_type;
	char *docker_digest;
	char *location;
	char *www_authenticate;
	char *link; /* a paginated answer's next page */
	struct membuf error_body; /* any answer but 2xx: for its message */
};

struct request {
	const char *method; /* GET, HEAD, POST, PUT, PATCH, DELETE */
	const char *url;
	const char *accept;       /* a whole "Accept: ..." line, or NULL */
	const char *content_type; /* of the body, or NULL */
	const void *body;         /* a PUT body in memory ... */
	size_t body_len;
	int body_fd;              /* ... or read from this descriptor (-1: none) */
	uint64_t body_size;
	struct membuf *out;       /* 2xx body into memory (bounded by out->max) ... */
	struct blob_writer *blob; /* ... or streamed into the blob store, */
	int *tee_fd;              /* and copied into this pipe while it takes them (-1: no more) */
	const char *authorization; /* overrides the registry's (token requests) */
	bool no_authorization;
	bool no_challenge;        /* a 401's challenge is the caller's (the ping) */
	registry_progress_fn progress;
	void *progress_data;
	const struct digest *progress_digest;
	uint64_t progress_total;
	bool whole_timeout;       /* META_TIMEOUT_S for the whole request */
};

/* registry_http.c: the transport. */

/* Frees a buffer's bytes and leaves it empty (its maximum stays). */
void membuf_free(struct membuf *b);

/* Frees what an answer holds and zeroes it, ready for another request. */
void response_free(struct response *resp);

/* A Location, relative or absolute, against the URL it answered; only
 * http and https come out. The caller frees the result; NULL with *err
 * set for a Location that is none of these, or when memory runs out. */
char *resolve_location(const char *base, const char *location, podd_error_t *err);

/* One request, following up to MAX_REDIRECTS redirects of a GET or HEAD by
 * hand. Our Authorization header goes only to the registry's own origin.
 * A 401 with a challenge is met once (a first Bearer token for a registry
 * that asks only now, or a fresh one for an expired token) and the request
 * made again. *resp, zeroed or an earlier answer (it is freed first),
 * gets the last answer: 0 whatever its status (the caller judges
 * resp->status); -1 with *err when no answer came, redirects ran out, a
 * Location was not one or a challenge was not met. The caller frees *resp
 * with response_free either way. */
int perform(struct registry *r, const struct request *q, struct response *resp,
	    podd_error_t *err);

/* "manifest unknown: manifest unknown" from a registry's error document
 * ({"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}), as podman
 * words it; the status otherwise. Hostile text is escaped. Sets *err with
 * `code` and returns -1. */
int registry_error(const struct response *resp, int code, podd_error_t *err);

/* The error code for an HTTP status that is not the one asked for: 401 and
 * 403 PODD_E_NOT_PERMITTED, 404 PODD_E_NO_SUCH_OBJECT, any other
 * PODD_E_RUNTIME. */
int status_code(long status);

/* Appends `prefix` and `value`, URL-escaped, to the string in `url` (a
 * buffer of `cap` bytes): a token request's and a mount's query. -1 when
 * it does not fit or memory runs out. */
int url_escape_append(char *url, size_t cap, const char *prefix, const char *value);

/* registry_auth.c: WWW-Authenticate. */

/* Meets a 401's WWW-Authenticate: Bearer fetches a token (for the
 * challenge's scope when it names one, else ours), Basic sends our
 * credentials. 1: the next request carries something new; 0: nothing to
 * offer (Basic without credentials); -1 with *err: no token, no memory,
 * or a scheme we do not speak. */
int meet_challenge(struct registry *r, const char *challenge, podd_error_t *err);

#endif
