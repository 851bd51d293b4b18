/* A registry API v2 client on libcurl (docs/ARCHITECTURE.md, "Registries"):
 * the /v2/ ping with podman's https-then-http fallback when TLS
 * verification is off, the WWW-Authenticate flow (Basic, and Bearer tokens
 * from the realm with service and scope), manifests into bounded buffers,
 * blobs streamed into the blob store (never whole in memory) and streamed
 * out of it for a push. Only http and https are ever spoken, redirects are
 * followed by hand (http(s) only, a bounded number, without our
 * Authorization header on the way), every buffered body has a maximum,
 * names are resolved in this thread (getaddrinfo, handed to curl with
 * CURLOPT_RESOLVE) so that curl starts no resolver thread. Errors follow
 * lib/error.h. */
#ifndef PODD_IMAGE_REGISTRY_H
#define PODD_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blobs.h"
#include "error.h"
#include "reference.h"

struct registry;

/* Progress of one blob: called as bytes arrive or leave. */
typedef void (*registry_progress_fn)(void *data, const struct digest *d, uint64_t current,
				     uint64_t total);

/* Once, before the sandbox: libcurl's and OpenSSL's global set-up (which
 * read OpenSSL's configuration) and a first name lookup (NSS). */
int registry_global_init(podd_error_t *err);

/* Connects to `host` ("host[:port]", the reference's api_host): pings
 * /v2/, over https, or with tls_verify false over https without
 * verification and then plain http, as podman does. A 401 answer's
 * challenge is met with `user`/`password` (may be NULL: anonymous): Basic
 * sends them, Bearer fetches a token for `scope` ("repository:NAME:pull";
 * several space-separated, a push's that mounts: "repository:DST:pull,push
 * repository:SRC:pull"; NULL for none). `check_credentials`: the credentials must be accepted
 * (login): a registry that asks for none accepts any. `tls` (may be NULL):
 * CA certificates trusted besides the system's (the system's stay, through
 * its CA directory), and a client certificate; copied. */
/* TLS material beyond the system's CA store (RegistryTls, checked): PEM
 * bytes, len 0 when absent. */
struct registry_tls {
	const void *ca;
	size_t ca_len;
	const void *cert, *key; /* a client certificate and its key, or neither */
	size_t cert_len, key_len;
};
int registry_open(const char *host, bool tls_verify, const struct registry_tls *tls,
		  const char *user, const char *password, const char *scope,
		  bool check_credentials, struct registry **out, podd_error_t *err);
void registry_close(struct registry *r);

/* GET /v2/<repo>/manifests/<tag or digest>, any of the four manifest media
 * types, at most META_MAX_BYTES. The body is checked against the digest
 * asked for (a digest reference) or the Docker-Content-Digest header (a
 * tag), and its own digest returned in `got`. *media_type: the
 * Content-Type (without parameters), NULL when none. */
int registry_get_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
			  void **body, size_t *len, char **media_type, struct digest *got,
			  podd_error_t *err);

/* GET a blob straight into the store (blob_writer: checked against `d` and
 * `size` as it is written; nothing is stored on any mismatch). `tee_fd`
 * (NULL: none): a pipe the body is copied into as it arrives, closed and
 * set to -1 when its reader goes away; the caller closes it after. */
int registry_get_blob(struct registry *r, const char *repo, const struct digest *d, uint64_t size,
		      uint64_t max_size, int storefd, int *tee_fd, registry_progress_fn progress,
		      void *progress_data, podd_error_t *err);

/* HEAD a blob: 1 present, 0 absent. */
int registry_blob_exists(struct registry *r, const char *repo, const struct digest *d,
			 podd_error_t *err);

/* Upload a blob from `fd` (`size` bytes) monolithically: POST an upload
 * (or, `session` not NULL, continue the one registry_mount_blob opened),
 * PATCH it whole to its Location, PUT the next Location with ?digest=. */
int registry_put_blob(struct registry *r, const char *repo, const struct digest *d, int fd,
		      uint64_t size, const char *session, registry_progress_fn progress,
		      void *progress_data, podd_error_t *err);

/* POST /v2/<repo>/blobs/uploads/?from=<from>&mount=sha256:<hex>: mount a
 * blob `from` another repository of this registry. 1: mounted (201). 0:
 * the registry opened an upload session instead (202); *session is its
 * URL (absolute, malloc'd), for registry_put_blob or
 * registry_cancel_upload. -1: refused or failed (*err). */
int registry_mount_blob(struct registry *r, const char *repo, const char *from,
			const struct digest *d, char **session, podd_error_t *err);

/* DELETE an upload session a mount opened and will not use. */
int registry_cancel_upload(struct registry *r, const char *session, podd_error_t *err);

/* PUT a manifest under `tag` with its media type. */
int registry_put_manifest(struct registry *r, const char *repo, const char *tag,
			  const char *media_type, const void *body, size_t len,
			  podd_error_t *err);

/* GET `path` ("/v2/_catalog", a query allowed) into memory, at most
 * `max` bytes; `anonymous`: without credentials (the v1 search, as
 * containers/image asks it). *status: the HTTP status (0 when none came);
 * any but 200 is an error with the registry's text. *next: the path and
 * query of the Link header's next page (containers/image's pagination:
 * always at this registry), NULL when there is none. */
int registry_get_page(struct registry *r, const char *path, size_t max, bool anonymous,
		      long *status, char **body, size_t *len, char **next, podd_error_t *err);

/* One parameter of a WWW-Authenticate challenge's list (what follows
 * "Bearer "): key="quoted \"string\"" or key=token. NULL when absent;
 * the caller frees the result. */
char *registry_challenge_param(const char *challenge, const char *key);

#endif
