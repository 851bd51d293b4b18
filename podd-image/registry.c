#include "registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "manifest.h"
#include "printable.h"
#include "util_base.h"

#define MAX_REDIRECTS 5
#define ERROR_BODY_MAX (64u << 10)  /* a registry's error document, kept for its message */
#define TOKEN_BODY_MAX (1u << 20)   /* a token server's answer */
#define CONNECT_TIMEOUT_S 30L
#define STALL_TIMEOUT_S 120L        /* no byte for this long ends a transfer */
#define META_TIMEOUT_S 300L         /* whole request, for anything but blobs */
#define URL_MAX 8192

static const char manifest_accept[] = "Accept: " MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST
				      ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST;

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

struct transfer {
	struct registry *r;
	const struct request *q;
	struct response *resp;
	podd_error_t err;   /* set by a callback that stopped the transfer */
	uint64_t done;      /* body bytes received or sent */
	size_t body_off;
};

static void membuf_free(struct membuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static int membuf_append(struct membuf *b, const void *p, size_t n)
{
	char *grown;
	if (n > b->max - b->len) {
		b->overflow = true;
		return -1;
	}
	grown = realloc(b->data, b->len + n + 1);
	if (grown == NULL)
		return -1;
	memcpy(grown + b->len, p, n);
	b->data = grown;
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static void response_free(struct response *resp)
{
	free(resp->content_type);
	free(resp->docker_digest);
	free(resp->location);
	free(resp->www_authenticate);
	free(resp->link);
	membuf_free(&resp->error_body);
	memset(resp, 0, sizeof(*resp));
}

static long response_code(struct transfer *t)
{
	long code = 0;
	curl_easy_getinfo(t->r->curl, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/* A blob's bytes copied to podd-image as they arrive (PullRequest's
 * pipe), before their digest is checked: only the registry's own answer
 * (perform closes the pipe at a redirect to another origin). Blocking:
 * podd-image reads as it unpacks, and the transfer waits for it. A reader
 * that went away (EPIPE: it gave the stream up) or any other failure ends
 * the copy, never the download. */
static void tee(int *fd, const char *p, size_t len)
{
	if (fd == NULL || *fd < 0)
		return;
	while (len > 0) {
		ssize_t w = write(*fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			podd_debug("layer stream to podd-image ended: %s",
				   w < 0 ? strerror(errno) : "short write");
			podd_closep(fd);
			return;
		}
		p += w;
		len -= (size_t)w;
	}
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	size_t len = size * n;
	long code = response_code(t);

	if (code < 200 || code > 299) {
		/* An error document: keep its start for the message. */
		size_t room = ERROR_BODY_MAX - t->resp->error_body.len;
		t->resp->error_body.max = ERROR_BODY_MAX;
		membuf_append(&t->resp->error_body, p, len < room ? len : room);
		return len;
	}
	if (t->q->blob) {
		if (blob_writer_write(t->q->blob, p, len, &t->err) < 0)
			return 0;
		tee(t->q->tee_fd, p, len);
	} else if (t->q->out) {
		if (membuf_append(t->q->out, p, len) < 0) {
			podd_error(&t->err, PODD_E_INVALID_ARGUMENT,
				   "%s: answer larger than %zu bytes", t->q->url, t->q->out->max);
			return 0;
		}
	}
	t->done += len;
	if (t->q->progress)
		t->q->progress(t->q->progress_data, t->q->progress_digest, t->done,
			       t->q->progress_total);
	return len;
}

static size_t on_upload(char *p, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	size_t want = size * n;
	ssize_t got;

	if (t->q->body_fd < 0) {
		size_t left = t->q->body_len - t->body_off;
		got = (ssize_t)(want < left ? want : left);
		memcpy(p, (const char *)t->q->body + t->body_off, (size_t)got);
		t->body_off += (size_t)got;
	} else {
		do
			got = read(t->q->body_fd, p, want);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			podd_error_sys(&t->err, errno, "read blob");
			return CURL_READFUNC_ABORT;
		}
	}
	t->done += (uint64_t)got;
	if (t->q->progress)
		t->q->progress(t->q->progress_data, t->q->progress_digest, t->done,
			       t->q->progress_total);
	return (size_t)got;
}

/* Keeps the headers registry.c reads, from the last header block (a 100
 * Continue comes first). */
static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	size_t len = size * n;
	static const struct {
		const char *name;
		size_t off;
	} wanted[] = {
		{ "content-type", offsetof(struct response, content_type) },
		{ "docker-content-digest", offsetof(struct response, docker_digest) },
		{ "location", offsetof(struct response, location) },
		{ "www-authenticate", offsetof(struct response, www_authenticate) },
		{ "link", offsetof(struct response, link) },
	};
	const char *colon = memchr(p, ':', len);

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		for (size_t i = 0; i < PODD_ARRAY_SIZE(wanted); i++) {
			char **slot = (char **)((char *)t->resp + wanted[i].off);
			free(*slot);
			*slot = NULL;
		}
		return len;
	}
	if (colon == NULL)
		return len;
	for (size_t i = 0; i < PODD_ARRAY_SIZE(wanted); i++) {
		size_t nl = strlen(wanted[i].name);
		char **slot = (char **)((char *)t->resp + wanted[i].off);
		const char *v = colon + 1, *end = p + len;
		if ((size_t)(colon - p) != nl || strncasecmp(p, wanted[i].name, nl) != 0)
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
			end--;
		free(*slot);
		*slot = strndup(v, (size_t)(end - v));
	}
	return len;
}

/* Resolves the URL's host here, in this thread, and pins the answer for
 * curl (CURLOPT_RESOLVE): curl's threaded resolver would need clone(2) in
 * podd-image's sandbox. IP literals need nothing. */
static int pin_resolve(const char *url, struct curl_slist **resolve, podd_error_t *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, entry[1024];
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	unsigned char buf[sizeof(struct in6_addr)];
	int rc = -1, gai;
	size_t used;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid URL");
		goto out;
	}
	if (host[0] == '[' || inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1) {
		rc = 0;
		goto out;
	}
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai != 0) {
		podd_error(err, PODD_E_NO_SUCH_OBJECT, "lookup %s: %s", host, gai_strerror(gai));
		goto out;
	}
	used = (size_t)snprintf(entry, sizeof(entry), "%s:%s:", host, port);
	for (struct addrinfo *a = ai; a && used < sizeof(entry) - 64; a = a->ai_next) {
		char addr[INET6_ADDRSTRLEN];
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)a->ai_addr;
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a->ai_addr;
		const void *src = a->ai_family == AF_INET ? (const void *)&v4->sin_addr
							  : (const void *)&v6->sin6_addr;
		if (!inet_ntop(a->ai_family, src, addr, sizeof(addr)))
			continue;
		used += (size_t)snprintf(entry + used, sizeof(entry) - used,
					 a->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
					 entry[used - 1] == ':' ? "" : ",", addr);
	}
	*resolve = curl_slist_append(*resolve, entry);
	rc = 0;
out:
	if (ai)
		freeaddrinfo(ai);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

static bool same_origin(const char *a, const char *b)
{
	/* scheme://host[:port], up to the third slash or the end. */
	const char *ea = strstr(a, "://"), *eb = strstr(b, "://");
	size_t la, lb;
	if (!ea || !eb)
		return false;
	la = (size_t)(ea + 3 - a) + strcspn(ea + 3, "/?#");
	lb = (size_t)(eb + 3 - b) + strcspn(eb + 3, "/?#");
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* A Location, relative or absolute, against the URL it answered; only
 * http and https come out. */
static char *resolve_location(const char *base, const char *location, podd_error_t *err)
{
	CURLU *u = curl_url();
	char *out = NULL, *scheme = NULL, *result = NULL;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		podd_error(err, PODD_E_INVALID_ARGUMENT,
			   "invalid Location in the registry's answer");
	} else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		podd_error(err, PODD_E_INVALID_ARGUMENT,
			   "the registry redirects to a URL that is neither http nor https");
	} else if (strlen(out) >= URL_MAX) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "the registry's Location is too long");
	} else {
		result = strdup(out);
	}
	curl_free(scheme);
	curl_free(out);
	curl_url_cleanup(u);
	return result;
}

static int perform_once(struct registry *r, const struct request *q, const char *url,
			bool send_auth, struct response *resp, podd_error_t *err)
{
	CURL *c = r->curl;
	struct curl_slist *headers = NULL, *resolve = NULL;
	struct transfer t = { .r = r, .q = q, .resp = resp };
	char ctype[256];
	CURLcode rc;

	curl_easy_reset(c);
	if (pin_resolve(url, &resolve, err) < 0)
		return -1;
	headers = curl_slist_append(headers, "Expect:");
	if (q->accept)
		headers = curl_slist_append(headers, q->accept);
	if (q->content_type) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", q->content_type);
		headers = curl_slist_append(headers, ctype);
	}
	if (send_auth && q->authorization)
		headers = curl_slist_append(headers, q->authorization);
	else if (send_auth && !q->no_authorization && r->authorization)
		headers = curl_slist_append(headers, r->authorization);

	r->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_S);
	if (q->whole_timeout)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, META_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	/* The CA blob takes the place of the system bundle file; the
	 * system's CA directory (libcurl's built-in CA path) still serves. */
	if (r->ca.data)
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &r->ca);
	if (r->cert.data) {
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &r->cert);
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &r->key);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "podd/" PODD_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (resolve)
		curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	if (q->out)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->out->max);
	if (strcmp(q->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(q->method, "DELETE") == 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else if (strcmp(q->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "PATCH") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		if (q->method[1] == 'A')
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(c, CURLOPT_READDATA, &t);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(q->body_fd >= 0 ? q->body_size : q->body_len));
	}

	rc = curl_easy_perform(c);
	curl_slist_free_all(headers);
	curl_slist_free_all(resolve);
	if (t.err) {
		*err = t.err;
		return -1;
	}
	if (rc != CURLE_OK) {
		/* Go's spelling, as podman's messages show it: Get "URL": ... */
		char verb[8];
		snprintf(verb, sizeof(verb), "%c%s", q->method[0], q->method + 1);
		for (char *v = verb + 1; *v; v++)
			*v = (char)tolower((unsigned char)*v);
		const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
		if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
			return podd_error(err, PODD_E_NOT_PERMITTED,
					  "%s \"%s\": tls: failed to verify certificate: %s", verb,
					  url, why);
		return podd_error(err, PODD_E_RUNTIME, "%s \"%s\": %s", verb, url, why);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (podd_log_level_get() >= PODD_LOG_DEBUG) {
		curl_off_t first = 0, total = 0, bytes = 0;
		curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &first);
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);
		curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
		podd_debug("%s %s: %ld, first byte after %" CURL_FORMAT_CURL_OFF_T
			   " us, %" CURL_FORMAT_CURL_OFF_T " bytes in %" CURL_FORMAT_CURL_OFF_T
			   " us",
			   q->method, url, resp->status, first, bytes, total);
	}
	return 0;
}

static int meet_challenge(struct registry *r, const char *challenge, podd_error_t *err);

/* One request, following up to MAX_REDIRECTS redirects of a GET or HEAD by
 * hand. Our Authorization header goes only to the registry's own origin.
 * A 401 with a challenge is met once (a first Bearer token for a registry
 * that asks only now, or a fresh one for an expired token) and the request
 * made again. */
static int perform(struct registry *r, const struct request *q, struct response *resp,
		   podd_error_t *err)
{
	cleanup_free char *url = strdup(q->url);
	bool send_auth, challenged = false;

	if (url == NULL)
		return podd_error_sys(err, ENOMEM, "request");
	/* The registry's credentials go to its own origin only (an upload's
	 * Location may name another); a token request carries its own. */
	send_auth = q->authorization != NULL || same_origin(url, r->base);
	for (int hop = 0;; hop++) {
		char *next;
		response_free(resp);
		if (perform_once(r, q, url, send_auth, resp, err) < 0)
			return -1;
		if (resp->status == 401 && resp->www_authenticate && !challenged &&
		    q->authorization == NULL && !q->no_authorization && !q->no_challenge &&
		    send_auth) {
			int met = meet_challenge(r, resp->www_authenticate, err);
			if (met < 0)
				return -1;
			challenged = true;
			if (met > 0 && (q->body_fd < 0 || lseek(q->body_fd, 0, SEEK_SET) == 0)) {
				free(url);
				url = strdup(q->url);
				if (url == NULL)
					return podd_error_sys(err, ENOMEM, "request");
				send_auth = q->authorization != NULL || same_origin(url, r->base);
				hop = -1;
				continue;
			}
		}
		if (resp->status < 300 || resp->status > 399 || resp->location == NULL ||
		    (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0))
			return 0;
		if (hop == MAX_REDIRECTS)
			return podd_error(err, PODD_E_RUNTIME, "%s \"%s\": too many redirects",
					  q->method, q->url);
		next = resolve_location(url, resp->location, err);
		if (next == NULL)
			return -1;
		send_auth = send_auth && same_origin(next, r->base);
		free(url);
		url = next;
		/* Bytes from another origin (a CDN the registry redirects to)
		 * reach podd-image only once checked: not through the pipe. */
		if (q->tee_fd && *q->tee_fd >= 0 && !same_origin(url, r->base)) {
			podd_debug("layer served by another origin: not streamed");
			podd_closep(q->tee_fd);
		}
	}
}

/* "manifest unknown: manifest unknown" from a registry's error document
 * ({"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}), as podman
 * words it; the status otherwise. Hostile text is escaped. */
static int registry_error(const struct response *resp, int code, podd_error_t *err)
{
	char codebuf[64] = "", msgbuf[512] = "";
	json_object *root = NULL, *errors, *first, *v;

	if (resp->error_body.len > 0) {
		json_tokener *tok = json_tokener_new_ex(META_MAX_DEPTH);
		if (tok) {
			root = json_tokener_parse_ex(tok, resp->error_body.data,
						     (int)resp->error_body.len);
			json_tokener_free(tok);
		}
	}
	if (root && json_object_object_get_ex(root, "errors", &errors) &&
	    json_object_is_type(errors, json_type_array) && json_object_array_length(errors) > 0 &&
	    (first = json_object_array_get_idx(errors, 0)) &&
	    json_object_is_type(first, json_type_object)) {
		if (json_object_object_get_ex(first, "code", &v) &&
		    json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);
			size_t i;
			for (i = 0; s[i] && i < sizeof(codebuf) - 1; i++)
				codebuf[i] = s[i] == '_' ? ' '
					     : isalnum((unsigned char)s[i])
						     ? (char)tolower((unsigned char)s[i])
						     : '?';
			codebuf[i] = '\0';
		}
		if (json_object_object_get_ex(first, "message", &v) &&
		    json_object_is_type(v, json_type_string))
			printable_escape(json_object_get_string(v), msgbuf, sizeof(msgbuf));
	}
	json_object_put(root);
	if (codebuf[0] && msgbuf[0])
		return podd_error(err, code, "%s: %s", codebuf, msgbuf);
	if (codebuf[0] || msgbuf[0])
		return podd_error(err, code, "%s", codebuf[0] ? codebuf : msgbuf);
	if (resp->status == 401)
		return podd_error(err, code, "unauthorized: authentication required");
	return podd_error(err, code, "received unexpected HTTP status: %ld", resp->status);
}

static int status_code(long status)
{
	switch (status) {
	case 401:
	case 403:
		return PODD_E_NOT_PERMITTED;
	case 404:
		return PODD_E_NO_SUCH_OBJECT;
	default:
		return PODD_E_RUNTIME;
	}
}

static char *basic_header(const char *user, const char *password)
{
	size_t n = strlen(user) + 1 + strlen(password);
	cleanup_free char *plain = malloc(n + 1);
	cleanup_free unsigned char *b64 = malloc(4 * (n / 3 + 1) + 1);
	char *line = NULL;

	if (plain == NULL || b64 == NULL)
		return NULL;
	snprintf(plain, n + 1, "%s:%s", user, password);
	EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
	explicit_bzero(plain, n);
	if (asprintf(&line, "Authorization: Basic %s", b64) < 0)
		line = NULL;
	explicit_bzero(b64, strlen((char *)b64));
	return line;
}

char *registry_challenge_param(const char *ch, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = ch; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *eq = strchr(p, '=');
		if (eq == NULL)
			return NULL;
		bool match = (size_t)(eq - p) == kl && strncasecmp(p, key, kl) == 0;
		const char *v = eq + 1, *end;
		char *out, *o;
		if (*v == '"') {
			v++;
			for (end = v; *end && *end != '"'; end++)
				if (*end == '\\' && end[1])
					end++;
			if (!match) {
				p = *end ? end + 1 : end;
				continue;
			}
			out = o = malloc((size_t)(end - v) + 1);
			if (out == NULL)
				return NULL;
			for (const char *s = v; s < end; s++) {
				if (*s == '\\' && s + 1 < end)
					s++;
				*o++ = *s;
			}
			*o = '\0';
			return out;
		}
		end = v + strcspn(v, ", ");
		if (match)
			return strndup(v, (size_t)(end - v));
		p = end;
	}
	return NULL;
}

static int url_escape_append(char *url, size_t cap, const char *prefix, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);
	size_t used = strlen(url);
	int n;
	if (esc == NULL)
		return -1;
	n = snprintf(url + used, cap - used, "%s%s", prefix, esc);
	curl_free(esc);
	return n < 0 || (size_t)n >= cap - used ? -1 : 0;
}

/* The Bearer flow: GET realm?service=...&scope=... (with Basic credentials
 * when we have some), {"token": ...} or {"access_token": ...}. `scope` is
 * space-separated, as a challenge lists them ("repository:a:pull,push
 * repository:b:pull", a push that mounts from b): one scope parameter
 * each, as the token specification asks. */
static int fetch_token(struct registry *r, const char *challenge, const char *scope,
		       podd_error_t *err)
{
	cleanup_free char *realm = registry_challenge_param(challenge, "realm");
	cleanup_free char *service = registry_challenge_param(challenge, "service");
	cleanup_free char *basic = NULL;
	char url[URL_MAX];
	struct membuf body = { .max = TOKEN_BODY_MAX };
	struct response resp = { 0 };
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .out = &body,
			     .whole_timeout = true };
	json_object *root = NULL, *tok;
	json_tokener *tk;
	int rc = -1;

	if (realm == NULL || (strncasecmp(realm, "https://", 8) != 0 &&
			      strncasecmp(realm, "http://", 7) != 0) ||
	    strlen(realm) >= URL_MAX / 2)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "the registry's bearer challenge has no http(s) realm");
	snprintf(url, sizeof(url), "%s", realm);
	bool first = strchr(url, '?') == NULL;
	if (service && url_escape_append(url, sizeof(url), first ? "?service=" : "&service=",
					 service) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "token URL too long");
	first = first && !service;
	for (const char *sc = scope; sc && *sc;) {
		size_t n = strcspn(sc, " ");
		if (n > 0) {
			cleanup_free char *one = strndup(sc, n);
			if (one == NULL)
				return podd_error_sys(err, ENOMEM, "token URL");
			if (url_escape_append(url, sizeof(url), first ? "?scope=" : "&scope=",
					      one) < 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "token URL too long");
			first = false;
		}
		sc += n + strspn(sc + n, " ");
	}
	if (r->user) {
		basic = basic_header(r->user, r->password);
		if (basic == NULL)
			return podd_error_sys(err, ENOMEM, "credentials");
		q.authorization = basic;
	} else {
		q.no_authorization = true;
	}
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	if (resp.status == 401 || resp.status == 403) {
		podd_error(err, PODD_E_NOT_PERMITTED, "invalid username/password");
		goto out;
	}
	if (resp.status != 200) {
		registry_error(&resp, status_code(resp.status), err);
		podd_error_wrap(err, "requesting bearer token");
		goto out;
	}
	tk = json_tokener_new_ex(META_MAX_DEPTH);
	if (tk) {
		root = json_tokener_parse_ex(tk, body.data ? body.data : "", (int)body.len);
		json_tokener_free(tk);
	}
	if (!root || !json_object_is_type(root, json_type_object) ||
	    !((json_object_object_get_ex(root, "token", &tok) &&
	       json_object_is_type(tok, json_type_string)) ||
	      (json_object_object_get_ex(root, "access_token", &tok) &&
	       json_object_is_type(tok, json_type_string)))) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "the token server's answer has no token");
		goto out;
	}
	for (const char *s = json_object_get_string(tok); *s; s++)
		if (!isgraph((unsigned char)*s)) {
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "the token server's token is not printable");
			goto out;
		}
	free(r->authorization);
	if (asprintf(&r->authorization, "Authorization: Bearer %s",
		     json_object_get_string(tok)) < 0) {
		r->authorization = NULL;
		podd_error_sys(err, ENOMEM, "token");
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	if (body.data)
		explicit_bzero(body.data, body.len);
	membuf_free(&body);
	response_free(&resp);
	return rc;
}

/* Meets a 401's WWW-Authenticate: Bearer fetches a token (for the
 * challenge's scope when it names one, else ours), Basic sends our
 * credentials. 1: the next request carries something new; 0: nothing to
 * offer (Basic without credentials). */
static int meet_challenge(struct registry *r, const char *challenge, podd_error_t *err)
{
	if (strncasecmp(challenge, "Bearer ", 7) == 0) {
		cleanup_free char *scope = registry_challenge_param(challenge + 7, "scope");
		if (fetch_token(r, challenge + 7, scope ? scope : r->scope, err) < 0)
			return podd_error_wrap(err, "authenticating to %s", r->host);
		return 1;
	}
	if (strncasecmp(challenge, "Basic", 5) == 0) {
		if (r->user == NULL)
			return 0;
		free(r->authorization);
		r->authorization = basic_header(r->user, r->password);
		if (r->authorization == NULL)
			return podd_error_sys(err, ENOMEM, "credentials");
		return 1;
	}
	return podd_error(err, PODD_E_INVALID_ARGUMENT,
			  "registry %s: unsupported authentication scheme", r->host);
}

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
