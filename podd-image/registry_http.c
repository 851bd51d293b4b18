/* The registry client's HTTP transport on libcurl (registry_internal.h):
 * one request with its headers and body, redirects followed by hand, a
 * 401's challenge handed to registry_auth.c, names resolved in this thread,
 * and a registry's error document made a message. */
#include "registry_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "manifest.h"
#include "printable.h"

struct transfer {
	struct registry *r;
	const struct request *q;
	struct response *resp;
	podd_error_t err;   /* set by a callback that stopped the transfer */
	uint64_t done;      /* body bytes received or sent */
	size_t body_off;
};

void membuf_free(struct membuf *b)
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

void response_free(struct response *resp)
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

/* Keeps the headers the registry client reads, from the last header block
 * (a 100 Continue comes first). */
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
char *resolve_location(const char *base, const char *location, podd_error_t *err)
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
	} else if ((result = strdup(out)) == NULL) {
		podd_error_sys(err, ENOMEM, "out of memory");
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

/* One request, following up to MAX_REDIRECTS redirects of a GET or HEAD by
 * hand. Our Authorization header goes only to the registry's own origin.
 * A 401 with a challenge is met once (a first Bearer token for a registry
 * that asks only now, or a fresh one for an expired token) and the request
 * made again. */
int perform(struct registry *r, const struct request *q, struct response *resp,
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
int registry_error(const struct response *resp, int code, podd_error_t *err)
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

int status_code(long status)
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

int url_escape_append(char *url, size_t cap, const char *prefix, const char *value)
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
