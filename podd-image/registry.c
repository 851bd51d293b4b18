/* The registry client's API (registry.h): connecting with the /v2/ ping,
 * manifests, blobs, uploads, mounts and pages, each one or a few requests
 * through registry_http.c. */
#include "registry.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "log.h"
#include "manifest.h"
#include "registry_internal.h"
#include "util_base.h"

static const char manifest_accept[] = "Accept: " MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST
				      ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST;

static int ping(struct registry *r, struct response *resp, podd_error_t *err)
{
	char url[sizeof(r->base) + 8];
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .whole_timeout = true,
			     .no_challenge = true };
	snprintf(url, sizeof(url), "%s/v2/", r->base);
	return perform(r, &q, resp, err);
}

int registry_global_init(podd_error_t *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		return podd_error(err, PODD_E_INTERNAL, "libcurl: global init");
	/* NSS: load whatever hosts: in nsswitch.conf names while files can
	 * still be opened. */
	if (getaddrinfo("localhost", "80", &hints, &ai) == 0)
		freeaddrinfo(ai);
	return 0;
}

static int blob_copy(struct curl_blob *b, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	b->data = malloc(len);
	if (b->data == NULL)
		return -1;
	memcpy(b->data, data, len);
	b->len = len;
	b->flags = CURL_BLOB_COPY;
	return 0;
}

int registry_open(const char *host, bool tls_verify, const struct registry_tls *tls,
		  const char *user, const char *password, const char *scope,
		  bool check_credentials, struct registry **out, podd_error_t *err)
{
	struct registry *r = calloc(1, sizeof(*r));
	struct response resp = { 0 };
	int rc = -1;

	if (r == NULL)
		return podd_error_sys(err, ENOMEM, "registry");
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->tls_verify = tls_verify;
	if (tls && (blob_copy(&r->ca, tls->ca, tls->ca_len) < 0 ||
		    blob_copy(&r->cert, tls->cert, tls->cert_len) < 0 ||
		    blob_copy(&r->key, tls->key, tls->key_len) < 0)) {
		podd_error_sys(err, ENOMEM, "registry");
		goto out;
	}
	if (scope && (r->scope = strdup(scope)) == NULL) {
		podd_error_sys(err, ENOMEM, "registry");
		goto out;
	}
	r->curl = curl_easy_init();
	if (r->curl == NULL) {
		podd_error(err, PODD_E_INTERNAL, "libcurl: init");
		goto out;
	}
	if (user && user[0]) {
		r->user = strdup(user);
		r->password = strdup(password ? password : "");
		if (!r->user || !r->password) {
			podd_error_sys(err, ENOMEM, "registry");
			goto out;
		}
	}
	snprintf(r->base, sizeof(r->base), "https://%s", host);
	if (ping(r, &resp, err) < 0) {
		/* podman: without TLS verification, a registry that does not
		 * speak https is tried over http. */
		podd_error_t https_err = *err;
		*err = NULL;
		if (tls_verify) {
			*err = https_err;
			podd_error_wrap(err, "pinging container registry %s", host);
			goto out;
		}
		snprintf(r->base, sizeof(r->base), "http://%s", host);
		if (ping(r, &resp, err) < 0) {
			/* containers/image reports the last attempt's error:
			 * the plain HTTP one. */
			podd_error_free(&https_err);
			podd_error_wrap(err, "pinging container registry %s", host);
			goto out;
		}
		podd_error_free(&https_err);
	}
	podd_debug("registry %s: %s answers %ld", host, r->base, resp.status);
	if (resp.status == 401 && resp.www_authenticate) {
		int met = meet_challenge(r, resp.www_authenticate, err);
		if (met < 0)
			goto out;
		/* login: Basic credentials must pass a second ping (a Bearer
		 * token server has judged them already). */
		if (met > 0 && check_credentials && r->authorization &&
		    strncasecmp(r->authorization, "Authorization: Basic", 20) == 0) {
			if (ping(r, &resp, err) < 0)
				goto out;
			if (resp.status == 401 || resp.status == 403) {
				podd_error(err, PODD_E_NOT_PERMITTED, "invalid username/password");
				goto out;
			}
		}
	} else if (resp.status != 200 && resp.status != 401) {
		registry_error(&resp, status_code(resp.status), err);
		podd_error_wrap(err, "pinging container registry %s", host);
		goto out;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	response_free(&resp);
	registry_close(r);
	return rc;
}

void registry_close(struct registry *r)
{
	if (r == NULL)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->password)
		explicit_bzero(r->password, strlen(r->password));
	if (r->authorization)
		explicit_bzero(r->authorization, strlen(r->authorization));
	free(r->user);
	free(r->password);
	free(r->ca.data);
	free(r->cert.data);
	if (r->key.data)
		explicit_bzero(r->key.data, r->key.len);
	free(r->key.data);
	free(r->authorization);
	free(r->scope);
	free(r);
}

int registry_get_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
			  void **body, size_t *len, char **media_type, struct digest *got,
			  podd_error_t *err)
{
	char url[URL_MAX];
	struct membuf buf = { .max = META_MAX_BYTES };
	struct response resp = { 0 };
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .accept = manifest_accept,
			     .out = &buf, .whole_timeout = true };
	bool by_digest = strncmp(tag_or_digest, "sha256:", 7) == 0;
	int rc = -1;

	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", r->base, repo, tag_or_digest);
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		registry_error(&resp, status_code(resp.status), err);
		goto out;
	}
	if (sha256_buffer(buf.data ? buf.data : "", buf.len, got, err) < 0)
		goto out;
	if (by_digest && strcmp(got->hex, tag_or_digest + 7) != 0) {
		podd_error(err, PODD_E_INVALID_ARGUMENT,
			   "manifest digest mismatch: asked for %s, got sha256:%s", tag_or_digest,
			   got->hex);
		goto out;
	}
	if (!by_digest && resp.docker_digest && strncmp(resp.docker_digest, "sha256:", 7) == 0 &&
	    strcmp(resp.docker_digest + 7, got->hex) != 0) {
		podd_error(err, PODD_E_INVALID_ARGUMENT,
			   "manifest digest mismatch: the registry says it is another one than "
			   "sha256:%s",
			   got->hex);
		goto out;
	}
	*media_type = NULL;
	if (resp.content_type) {
		resp.content_type[strcspn(resp.content_type, "; ")] = '\0';
		*media_type = steal_pointer(&resp.content_type);
	}
	*len = buf.len;
	*body = buf.data ? buf.data : calloc(1, 1);
	buf.data = NULL;
	rc = 0;
out:
	membuf_free(&buf);
	response_free(&resp);
	return rc;
}

int registry_get_blob(struct registry *r, const char *repo, const struct digest *d, uint64_t size,
		      uint64_t max_size, int storefd, int *tee_fd, registry_progress_fn progress,
		      void *progress_data, podd_error_t *err)
{
	char url[URL_MAX];
	cleanup_blob_writer struct blob_writer w = { 0 };
	struct response resp = { 0 };
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .blob = &w,
			     .tee_fd = tee_fd, .progress = progress, .progress_data = progress_data,
			     .progress_digest = d, .progress_total = size };
	int rc = -1;

	snprintf(url, sizeof(url), "%s/v2/%s/blobs/sha256:%s", r->base, repo, d->hex);
	if (blob_writer_open(storefd, d, size, max_size, &w, err) < 0)
		return -1;
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		registry_error(&resp, status_code(resp.status), err);
		goto out;
	}
	rc = blob_writer_commit(&w, NULL, NULL, err);
out:
	response_free(&resp);
	return rc;
}

int registry_blob_exists(struct registry *r, const char *repo, const struct digest *d,
			 podd_error_t *err)
{
	char url[URL_MAX];
	struct response resp = { 0 };
	struct request q = { .method = "HEAD", .url = url, .body_fd = -1, .whole_timeout = true };
	int rc;

	snprintf(url, sizeof(url), "%s/v2/%s/blobs/sha256:%s", r->base, repo, d->hex);
	if (perform(r, &q, &resp, err) < 0)
		return -1;
	if (resp.status == 200)
		rc = 1;
	else if (resp.status == 404)
		rc = 0;
	else
		rc = registry_error(&resp, status_code(resp.status), err);
	response_free(&resp);
	return rc;
}

/* An upload's next URL: its Location resolved against `from`, with
 * `query` appended if not NULL. Free with curl_free. */
static char *upload_url(const char *from, const char *location, const char *query,
			podd_error_t *err)
{
	cleanup_free char *abs = resolve_location(from, location, err);
	CURLU *u;
	char *out = NULL;

	if (abs == NULL)
		return NULL;
	u = curl_url();
	if (u == NULL || curl_url_set(u, CURLUPART_URL, abs, 0) != CURLUE_OK ||
	    (query && curl_url_set(u, CURLUPART_QUERY, query, CURLU_APPENDQUERY | CURLU_URLENCODE) !=
			      CURLUE_OK) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		curl_free(out);
		out = NULL;
		podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid upload Location");
	}
	curl_url_cleanup(u);
	return out;
}

/* As podman uploads a blob: POST starts the upload (unless a mount's 202
 * started it: `session`), one PATCH streams the whole blob, PUT with the
 * digest ends it, each at the Location the previous answer gave. */
int registry_put_blob(struct registry *r, const char *repo, const struct digest *d, int fd,
		      uint64_t size, const char *session, registry_progress_fn progress,
		      void *progress_data, podd_error_t *err)
{
	char url[URL_MAX], query[80];
	struct response resp = { 0 };
	struct request post = { .method = "POST", .url = url, .body_fd = -1,
				.whole_timeout = true };
	struct request patch = { .method = "PATCH", .body_fd = fd, .body_size = size,
				 .content_type = "application/octet-stream", .progress = progress,
				 .progress_data = progress_data, .progress_digest = d,
				 .progress_total = size };
	struct request put = { .method = "PUT", .body_fd = -1, .body_len = 0,
			       .content_type = "application/octet-stream", .whole_timeout = true };
	char *patch_url = NULL, *put_url = NULL;
	int rc = -1;

	if (session) {
		patch_url = upload_url(session, session, NULL, err);
		if (patch_url == NULL)
			goto out;
	} else {
		snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/", r->base, repo);
		if (perform(r, &post, &resp, err) < 0)
			goto out;
		if (resp.status != 202 || resp.location == NULL) {
			registry_error(&resp, status_code(resp.status), err);
			podd_error_wrap(err, "starting an upload");
			goto out;
		}
		patch_url = upload_url(url, resp.location, NULL, err);
		response_free(&resp);
		resp = (struct response){ 0 };
		if (patch_url == NULL)
			goto out;
	}
	patch.url = patch_url;
	if (perform(r, &patch, &resp, err) < 0)
		goto out;
	if (resp.status != 202 || resp.location == NULL) {
		registry_error(&resp, status_code(resp.status), err);
		podd_error_wrap(err, "uploading sha256:%.12s", d->hex);
		goto out;
	}
	snprintf(query, sizeof(query), "digest=sha256:%s", d->hex);
	put_url = upload_url(patch_url, resp.location, query, err);
	response_free(&resp);
	resp = (struct response){ 0 };
	if (put_url == NULL)
		goto out;
	put.url = put_url;
	if (perform(r, &put, &resp, err) < 0)
		goto out;
	if (resp.status != 201) {
		registry_error(&resp, status_code(resp.status), err);
		goto out;
	}
	rc = 0;
out:
	curl_free(patch_url);
	curl_free(put_url);
	response_free(&resp);
	return rc;
}

/* The OCI distribution spec's cross-repository mount: one POST, which the
 * registry answers 201 (mounted), 202 (an upload session instead: the
 * blob is not there or the registry does not mount) or refuses. The query
 * is built as containers/image builds it (from, then mount, each
 * escaped). */
int registry_mount_blob(struct registry *r, const char *repo, const char *from,
			const struct digest *d, char **session, podd_error_t *err)
{
	char url[URL_MAX], mount[80];
	struct response resp = { 0 };
	struct request q = { .method = "POST", .url = url, .body_fd = -1, .whole_timeout = true };
	char *loc = NULL;
	int rc = -1;

	*session = NULL;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/", r->base, repo);
	snprintf(mount, sizeof(mount), "sha256:%s", d->hex);
	if (url_escape_append(url, sizeof(url), "?from=", from) < 0 ||
	    url_escape_append(url, sizeof(url), "&mount=", mount) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "mount URL too long");
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	if (resp.status == 201) {
		rc = 1;
	} else if (resp.status == 202 && resp.location) {
		loc = upload_url(url, resp.location, NULL, err);
		if (loc == NULL)
			goto out;
		*session = strdup(loc);
		if (*session == NULL) {
			podd_error_sys(err, ENOMEM, "upload session");
			goto out;
		}
		rc = 0;
	} else {
		registry_error(&resp, status_code(resp.status), err);
	}
out:
	curl_free(loc);
	response_free(&resp);
	return rc;
}

/* A request whose answer carries nothing but its status: one of `ok`,
 * `ok2` and `ok3` (0: none), else the registry's error. */
static int perform_for_status(struct registry *r, const struct request *q, int ok, int ok2,
			      int ok3, podd_error_t *err)
{
	struct response resp = { 0 };
	int rc = -1;

	if (perform(r, q, &resp, err) < 0)
		goto out;
	if (resp.status != ok && resp.status != ok2 && resp.status != ok3) {
		registry_error(&resp, status_code(resp.status), err);
		goto out;
	}
	rc = 0;
out:
	response_free(&resp);
	return rc;
}

int registry_cancel_upload(struct registry *r, const char *session, podd_error_t *err)
{
	struct request q = { .method = "DELETE", .url = session, .body_fd = -1,
			     .whole_timeout = true };

	return perform_for_status(r, &q, 204, 200, 202, err);
}

int registry_put_manifest(struct registry *r, const char *repo, const char *tag,
			  const char *media_type, const void *body, size_t len,
			  podd_error_t *err)
{
	char url[URL_MAX];
	struct request q = { .method = "PUT", .url = url, .body = body, .body_len = len,
			     .body_fd = -1, .content_type = media_type, .whole_timeout = true };

	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", r->base, repo, tag);
	return perform_for_status(r, &q, 201, 200, 0, err);
}

/* The path and query of a Link header's URL ("<URL>; rel=\"next\""), as
 * containers/image takes it: whatever host the URL names, the next page
 * is asked of this registry. NULL for a Link that is not one. */
static char *link_path(const char *link)
{
	const char *s = link, *end;
	size_t len;

	while (*s == ' ')
		s++;
	if (*s != '<')
		return NULL;
	s++;
	end = strchr(s, '>');
	if (end == NULL)
		return NULL;
	if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
		s = strstr(s, "://") + 3;
		s += strcspn(s, "/>");
	}
	len = (size_t)(end - s);
	if (len == 0 || *s != '/' || len >= URL_MAX / 2)
		return NULL;
	for (const char *c = s; c < end; c++)
		if (!isgraph((unsigned char)*c))
			return NULL;
	return strndup(s, len);
}

int registry_get_page(struct registry *r, const char *path, size_t max, bool anonymous,
		      long *status, char **body, size_t *len, char **next, podd_error_t *err)
{
	char url[URL_MAX + sizeof(r->base)];
	struct membuf buf = { .max = max };
	struct response resp = { 0 };
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .out = &buf,
			     .no_authorization = anonymous, .whole_timeout = true };
	int rc = -1;

	*status = 0;
	*body = NULL;
	*len = 0;
	*next = NULL;
	if (path[0] != '/' || strlen(path) >= URL_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid registry path");
	snprintf(url, sizeof(url), "%s%s", r->base, path);
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	*status = resp.status;
	if (resp.status != 200) {
		registry_error(&resp, status_code(resp.status), err);
		goto out;
	}
	if (resp.link)
		*next = link_path(resp.link);
	*len = buf.len;
	*body = buf.data ? buf.data : calloc(1, 1);
	buf.data = NULL;
	if (*body == NULL) {
		free(*next);
		*next = NULL;
		podd_error_sys(err, ENOMEM, "registry answer");
		goto out;
	}
	rc = 0;
out:
	membuf_free(&buf);
	response_free(&resp);
	return rc;
}
