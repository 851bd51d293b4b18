/* What pull, push and login share: streaming events to podctl, checking
 * credentials from a request, small blobs in and out of the store. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "registry.h"
#include "registry_handlers.h"
#include "wire.h"

#define CREDENTIAL_MAX 4096
#define PROGRESS_INTERVAL_NS 100000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int send_event(struct event_stream *es, Podd__RegistryEvent *ev, bool last,
		      podd_error_t *err)
{
	return podd_server_reply(es->srv, es->req, PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
				 last ? 0 : PODD_FRAME_MORE, &ev->base, NULL, 0, err);
}

int event_message(struct event_stream *es, podd_error_t *err, const char *fmt, ...)
{
	Podd__RegistryEvent ev = PODD__REGISTRY_EVENT__INIT;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ev.kind = PODD__REGISTRY_EVENT__KIND__KIND_MESSAGE;
	ev.message = line;
	return send_event(es, &ev, false, err);
}

void event_progress(void *data, const struct digest *d, uint64_t current, uint64_t total)
{
	struct event_stream *es = data;
	Podd__RegistryEvent ev = PODD__REGISTRY_EVENT__INIT;
	char digest[80];
	uint64_t now = now_ns();

	if (es->err || (current != total && now - es->last_progress_ns < PROGRESS_INTERVAL_NS))
		return;
	es->last_progress_ns = now;
	snprintf(digest, sizeof(digest), "sha256:%s", d->hex);
	ev.kind = PODD__REGISTRY_EVENT__KIND__KIND_PROGRESS;
	ev.digest = digest;
	ev.current = current;
	ev.total = total;
	send_event(es, &ev, false, &es->err);
}

int event_done(struct event_stream *es, const char *manifest_digest, const char *top_digest,
	       const char *name, podd_error_t *err)
{
	Podd__RegistryEvent ev = PODD__REGISTRY_EVENT__INIT;
	ev.kind = PODD__REGISTRY_EVENT__KIND__KIND_DONE;
	ev.manifest_digest = (char *)manifest_digest;
	ev.top_digest = (char *)(top_digest ? top_digest : "");
	ev.name = (char *)(name ? name : "");
	return send_event(es, &ev, true, err);
}

static bool printable_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int registry_credentials_check(const Podd__RegistryCredentials *c, const char **user,
			       const char **password, podd_error_t *err)
{
	*user = NULL;
	*password = NULL;
	if (c == NULL || c->username[0] == '\0')
		return 0;
	if (strlen(c->username) > CREDENTIAL_MAX || strlen(c->password) > CREDENTIAL_MAX ||
	    strchr(c->username, ':') || !printable_text(c->username) ||
	    !printable_text(c->password))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "credentials: a user name without ':' and printable text, at "
				  "most %d bytes each",
				  CREDENTIAL_MAX);
	*user = c->username;
	*password = c->password;
	return 0;
}

int registry_tls_check(const Podd__RegistryTls *m, struct registry_tls *out, podd_error_t *err)
{
	*out = (struct registry_tls){ 0 };
	if (m == NULL)
		return 0;
	if (m->ca_certs.len > REGISTRY_TLS_MAX || m->client_cert.len > REGISTRY_TLS_MAX ||
	    m->client_key.len > REGISTRY_TLS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "TLS material: more than %d bytes in one part", REGISTRY_TLS_MAX);
	if ((m->client_cert.len == 0) != (m->client_key.len == 0))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "TLS material: a client certificate needs its key, and a key "
				  "its certificate");
	/* libcurl hands the bytes to OpenSSL's PEM reader, which parses
	 * them; nothing else looks at them. */
	out->ca = m->ca_certs.data;
	out->ca_len = m->ca_certs.len;
	out->cert = m->client_cert.data;
	out->cert_len = m->client_cert.len;
	out->key = m->client_key.data;
	out->key_len = m->client_key.len;
	return 0;
}

int blob_store_buffer(int storefd, const struct digest *d, const void *buf, size_t len,
		      podd_error_t *err)
{
	cleanup_blob_writer struct blob_writer w = { 0 };
	if (blob_present(storefd, d))
		return 0;
	if (blob_writer_open(storefd, d, len, len, &w, err) < 0 ||
	    blob_writer_write(&w, buf, len, err) < 0 || blob_writer_commit(&w, NULL, NULL, err) < 0)
		return -1;
	return 0;
}
