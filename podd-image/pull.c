/* PullRequest: an image's blobs from a registry into the store
 * (docs/ARCHITECTURE.md, "Registries"). The manifest (an index first, when
 * the tag names one, and then the host platform's manifest, or the one
 * --arch/--os/--variant ask for) is checked against
 * its digest and stored as a blob; the config and the layers stream into
 * the blob store, each checked against its descriptor's digest and size as
 * it is written. Nothing is unpacked here: podd-image does that
 * (StoreImageRequest), so that the process on the network never parses a
 * layer. A fetch that succeeded keeps the store lock until podctl's
 * PullFinishRequest (or EOF), so that no gc collects its blobs before the
 * image is made and recorded. The manifests are stored last, after the
 * layers and the config: their fsyncs would otherwise delay the first
 * layer byte podd-image unpacks, and a pull that fails on the way stores
 * none. No pull removes a blob, even when it fails
 * (another session may already use it, store.h): podctl's gc collects
 * what a failed pull left. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "registry_handlers.h"
#include "blobs.h"
#include "wire.h"
#include "log.h"
#include "manifest.h"
#include "platform.h"
#include "reference.h"
#include "registry.h"
#include "store_meta.h"
#include "validate.h"

struct pull {
	struct registry_ctx *ctx;
	struct event_stream es;
	struct registry *reg;
	struct podd_reference ref;
	int tee_fd; /* the pipe to podd-image (PullRequest), -1 once closed */
};

void pull_finish(struct registry_ctx *ctx)
{
	ctx->pull_pending = false;
	podd_closep(&ctx->pull_lock);
}

static bool platform_word_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool is_index_type(const char *t)
{
	return t && (strcmp(t, MEDIA_OCI_INDEX) == 0 || strcmp(t, MEDIA_DOCKER_LIST) == 0);
}

/* A manifest by tag or digest, checked against its digest (stored at the
 * end of the pull). */
static int fetch_manifest(struct pull *p, const char *which, void **body, size_t *len,
			  char **media_type, struct digest *got, podd_error_t *err)
{
	return registry_get_manifest(p->reg, p->ref.repository, which, body, len, media_type,
				     got, err);
}

static int fetch_blob(struct pull *p, const char *kind, const struct descriptor *desc,
		      uint64_t max, int *tee_fd, podd_error_t *err)
{
	if (blob_present(p->ctx->storefd, &desc->digest))
		return event_message(&p->es, err, "Copying %s sha256:%s skipped: already exists",
				     kind, desc->digest.hex);
	if (event_message(&p->es, err, "Copying %s sha256:%s", kind, desc->digest.hex) < 0)
		return -1;
	if (desc->size > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s sha256:%s: %llu bytes, more than the limit of %llu", kind,
				  desc->digest.hex, (unsigned long long)desc->size,
				  (unsigned long long)max);
	if (registry_get_blob(p->reg, p->ref.repository, &desc->digest, desc->size, max,
			      p->ctx->storefd, tee_fd, event_progress, &p->es, err) < 0)
		return podd_error_wrap(err, "copying %s sha256:%s", kind, desc->digest.hex);
	if (p->es.err) {
		*err = steal_pointer(&p->es.err);
		return -1;
	}
	return 0;
}

/* The layer to stream to podd-image: the largest the store lacks
 * (man->n_layers when it lacks none). */
static size_t stream_choice(int storefd, const struct image_manifest *man)
{
	size_t best = man->n_layers;

	for (size_t i = 0; i < man->n_layers; i++)
		if (!blob_present(storefd, &man->layers[i].desc.digest) &&
		    (best == man->n_layers || man->layers[i].desc.size > man->layers[best].desc.size))
			best = i;
	return best;
}

#define PULL_SOURCES_MAX 17

/* Where the image comes from: the request's sources, or its reference. */
struct source {
	const char *reference;
	bool tls_verify;
	const Podd__RegistryCredentials *credentials;
	const Podd__RegistryTls *tls;
	const char *refused; /* NULL: may be contacted */
};

/* podctl's text, shown to the user: printable ASCII, bounded. */
static bool refusal_valid(const char *s)
{
	size_t n = strlen(s);
	if (n > 8192)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int sources_of(const Podd__PullRequest *m, const struct podd_reference *want,
		      struct source *out, size_t *n, podd_error_t *err)
{
	if (m->n_sources == 0) {
		out[0] = (struct source){ m->reference, m->tls_verify, m->credentials, m->tls,
					  NULL };
		*n = 1;
		return 0;
	}
	if (m->n_sources > PULL_SOURCES_MAX || m->credentials || m->tls || m->tls_verify)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "pull: at most %d sources, and then no credentials or tls of "
				  "its own",
				  PULL_SOURCES_MAX);
	for (size_t i = 0; i < m->n_sources; i++) {
		const Podd__PullSource *s = m->sources[i];
		struct podd_reference ref;
		/* The same tag and digest as the name: a source is another
		 * place for that image, not another image. */
		if (s == NULL || podd_reference_parse(s->reference, &ref, err) < 0 ||
		    !ref.qualified || strcmp(ref.tag, want->tag) != 0 ||
		    strcmp(ref.digest, want->digest) != 0 || !refusal_valid(s->refused)) {
			podd_error_free(err);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "pull: source %zu is not the reference's image elsewhere",
					  i);
		}
		out[i] = (struct source){ s->reference, s->tls_verify, s->credentials, s->tls,
					  s->refused[0] ? s->refused : NULL };
	}
	*n = m->n_sources;
	return 0;
}

/* One source: the registry reached and the tag's (or digest's) manifest
 * read from it, as containers/image's newImageSourceAttempt. */
static int source_open(struct pull *p, const struct source *s, void **top, size_t *top_len,
		       char **top_type, struct digest *top_digest, podd_error_t *err)
{
	const char *user, *password;
	struct registry_tls tls;
	char scope[PODD_IMAGE_REPO_MAX + 40];

	if (s->refused)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s", s->refused);
	if (podd_reference_parse(s->reference, &p->ref, err) < 0 ||
	    registry_credentials_check(s->credentials, &user, &password, err) < 0 ||
	    registry_tls_check(s->tls, &tls, err) < 0)
		return -1;
	snprintf(scope, sizeof(scope), "repository:%s:pull", p->ref.repository);
	if (registry_open(p->ref.api_host, s->tls_verify, &tls, user, password, scope, false,
			  &p->reg, err) < 0)
		return -1;
	if (fetch_manifest(p, p->ref.digest[0] ? p->ref.digest : p->ref.tag, top, top_len,
			   top_type, top_digest, err) < 0)
		return podd_error_wrap(err, "reading manifest %s in %s/%s",
				       p->ref.digest[0] ? p->ref.digest : p->ref.tag, p->ref.domain,
				       p->ref.repository);
	return 0;
}

/* The sources in order until one serves the manifest. All failed: one
 * source's error as it is, else containers/image's
 * "(Mirrors also failed: [SRC: ERR]\n[SRC: ERR]): PRIMARY: ERR". */
static int sources_open(struct pull *p, const struct source *src, size_t n, void **top,
			size_t *top_len, char **top_type, struct digest *top_digest,
			podd_error_t *err)
{
	cleanup_free char *mirrors = NULL;

	for (size_t i = 0; i < n; i++) {
		char *joined;
		if (source_open(p, &src[i], top, top_len, top_type, top_digest, err) == 0)
			return 0;
		registry_close(p->reg);
		p->reg = NULL;
		free(*top);
		free(*top_type);
		*top = NULL;
		*top_type = NULL;
		if (n == 1 || (*err)->code == PODD_E_PROTOCOL)
			return -1;
		if (i == n - 1) {
			/* podd_error frees the old error before it formats. */
			podd_error_t primary = steal_pointer(err);
			podd_error(err, primary->code, "(Mirrors also failed: %s): %s: %s", mirrors,
				   src[i].reference, primary->msg);
			podd_error_free(&primary);
			return -1;
		}
		if (asprintf(&joined, "%s%s[%s: %s]", mirrors ? mirrors : "", mirrors ? "\n" : "",
			     src[i].reference, (*err)->msg) < 0)
			return podd_error_sys(err, ENOMEM, "pull");
		free(mirrors);
		mirrors = joined;
		podd_error_free(err);
	}
	return podd_error(err, PODD_E_INTERNAL, "pull: no source");
}

static int pull_image(struct pull *p, const Podd__PullRequest *m, podd_error_t *err)
{
	const char *arch = m->architecture[0] ? m->architecture : podd_host_arch();
	const char *os = m->os[0] ? m->os : "linux";
	const char *variant = m->variant[0] ? m->variant : NULL;
	struct podd_reference want;
	struct source src[PULL_SOURCES_MAX];
	size_t n_src = 0;
	char name[PODD_REFERENCE_MAX];
	cleanup_free void *top = NULL, *mbody = NULL;
	cleanup_free char *top_type = NULL, *mtype = NULL;
	size_t top_len, mlen;
	struct digest top_digest, manifest_digest;
	cleanup_image_manifest struct image_manifest *man = NULL;
	char manifest_name[80], top_name[80];
	bool is_index;

	if (podd_reference_parse(m->reference, &want, err) < 0)
		return -1;
	if (!want.qualified)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "pull: \"%s\" is not fully qualified", m->reference);
	if (!platform_word_valid(arch) || !platform_word_valid(os) ||
	    (variant && !platform_word_valid(variant)))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "pull: invalid platform");
	if (sources_of(m, &want, src, &n_src, err) < 0)
		return -1;
	podd_reference_string(&want, name, sizeof(name));
	if (event_message(&p->es, err, "Trying to pull %s...", name) < 0)
		return -1;

	/* Shared: gc (exclusive) waits until this pull's blobs are named by
	 * a record or removed again; after the answer the session keeps it
	 * until PullFinishRequest or EOF. */
	p->ctx->pull_lock = store_lock(p->ctx->storefd, false, err);
	if (p->ctx->pull_lock < 0)
		return -1;
	/* The tag's (or digest's) manifest: an index, or the image's own;
	 * p->ref is the source that served it from here on. */
	if (sources_open(p, src, n_src, &top, &top_len, &top_type, &top_digest, err) < 0)
		return podd_error_wrap(err, "initializing source docker://%s", name);
	manifest_digest = top_digest;
	is_index = is_index_type(top_type) ||
		   (top_type == NULL && strstr((const char *)top, "\"manifests\""));
	if (is_index) {
		cleanup_image_index struct image_index *index = NULL;
		const struct descriptor *d;
		char which[80];
		if (image_index_parse(NULL, top, top_len, &index, err) < 0)
			return -1;
		d = image_index_select(index, arch, os, variant, err);
		if (d == NULL)
			return podd_error_wrap(err, "choosing an image from manifest list %s",
					       name);
		snprintf(which, sizeof(which), "sha256:%s", d->digest.hex);
		if (fetch_manifest(p, which, &mbody, &mlen, &mtype, &manifest_digest, err) < 0)
			return podd_error_wrap(err, "reading manifest %s in %s/%s", which,
					       p->ref.domain, p->ref.repository);
	} else {
		mbody = steal_pointer(&top);
		mlen = top_len;
	}
	{
		char label[80];
		snprintf(label, sizeof(label), "sha256:%s", manifest_digest.hex);
		if (image_manifest_parse(label, mbody, mlen, &man, err) < 0)
			return -1;
	}

	if (event_message(&p->es, err, "Getting image source signatures") < 0)
		return -1;
	/* The largest layer not yet stored goes first, copied into
	 * podd-image's pipe as it arrives: podd-image unpacks it meanwhile
	 * (UnpackStreamRequest). The pipe closes after it, whatever
	 * happened, so that podd-image sees its end. Not for a pull by
	 * digest: there the user's digest vouches for every byte, and none
	 * may reach podd-image's parsers before it is checked against it
	 * (a pull by tag takes whatever the registry names anyway). */
	if (want.digest[0])
		podd_closep(&p->tee_fd);
	size_t first = stream_choice(p->ctx->storefd, man);
	if (first < man->n_layers) {
		int r = fetch_blob(p, "blob", &man->layers[first].desc, META_MAX_LAYER_SIZE,
				   &p->tee_fd, err);
		podd_closep(&p->tee_fd);
		if (r < 0)
			return -1;
	}
	podd_closep(&p->tee_fd);
	for (size_t i = 0; i < man->n_layers; i++)
		if (i != first &&
		    fetch_blob(p, "blob", &man->layers[i].desc, META_MAX_LAYER_SIZE, NULL, err) < 0)
			return -1;
	if (fetch_blob(p, "config", &man->config, META_MAX_BYTES, NULL, err) < 0)
		return -1;
	if (event_message(&p->es, err, "Writing manifest to image destination") < 0 ||
	    blob_store_buffer(p->ctx->storefd, &manifest_digest, mbody, mlen, err) < 0 ||
	    (is_index && blob_store_buffer(p->ctx->storefd, &top_digest, top, top_len, err) < 0) ||
	    event_message(&p->es, err, "Storing signatures") < 0)
		return -1;
	/* The name as podman records a pull's: none for a pull by digest
	 * alone. podd-image checks both again (StoreImageRequest). */
	snprintf(manifest_name, sizeof(manifest_name), "sha256:%s", manifest_digest.hex);
	snprintf(top_name, sizeof(top_name), "sha256:%s", top_digest.hex);
	if (!want.tag[0])
		name[0] = '\0';
	p->ctx->pull_pending = true;
	return event_done(&p->es, manifest_name, top_name, name, err);
}

int handle_pull(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__PullRequest *m = (const Podd__PullRequest *)req->msg;
	struct registry_ctx *ctx = srv->data;
	struct pull *p;
	int rc;

	/* podctl finishes each pull before the next (pull_one). */
	if (ctx->pull_pending)
		return podd_error(err, PODD_E_PROTOCOL, "pull: the last pull is not finished");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return podd_error_sys(err, ENOMEM, "pull");
	p->ctx = ctx;
	p->es.srv = srv;
	p->es.req = req;
	p->tee_fd = podd_frame_take_fd(req->frame, 0);
	if (podd_fd_check_kind(p->tee_fd, PODD_FD_PIPE, err) < 0) {
		podd_closep(&p->tee_fd);
		free(p);
		return -1;
	}
	rc = pull_image(p, m, err);
	podd_closep(&p->tee_fd);
	/* A failed fetch lets go of the lock at once; what it stored is
	 * left to podctl's gc (store.h). */
	if (rc < 0)
		pull_finish(ctx);
	registry_close(p->reg);
	podd_error_free(&p->es.err);
	free(p);
	return rc;
}

int handle_pull_finish(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err)
{
	const Podd__PullFinishRequest *m = (const Podd__PullFinishRequest *)req->msg;
	struct registry_ctx *ctx = srv->data;

	if (!ctx->pull_pending)
		return podd_error(err, PODD_E_PROTOCOL, "pull finish: no pull is pending");
	/* podd-image holds its own shared lock from its StoreImage answer
	 * on, so ours may go; `keep` false (the image was not stored) changes
	 * nothing here: what the pull stored is left to podctl's gc. */
	(void)m->keep;
	pull_finish(ctx);
	return podd_server_reply_ok(srv, req, err);
}
