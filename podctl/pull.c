#include "pull.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "cleanup.h"
#include "images.h"
#include "reference.h"
#include "registries.h"
#include "signature_policy.h"
#include "validate.h"

/* A place to pull a candidate from: a mirror, or its (rewritten) name. */
struct source {
	char name[PODD_REFERENCE_MAX];
	char *refused; /* "registry X is blocked in PATH": not contacted */
	char *user, *password;
	bool tls_verify;
	struct registry_certs certs; /* its registry's certs.d, or --cert-dir */
};

struct candidate {
	struct podd_reference ref;
	char name[PODD_REFERENCE_MAX];
	char *blocked; /* podman's "registry X is blocked in PATH", or NULL */
	struct source *src; /* mirrors, then the primary (registry_pull_sources) */
	size_t n_src;
};

struct pull_plan {
	struct pull_opts opts;
	struct candidate cands[REGISTRIES_MAX];
	size_t n;
	struct event_printer printer;
	char *refused[REGISTRIES_MAX]; /* per candidate: the signature policy's refusal, or NULL */
};

/* podd-image's text, shown on a terminal: nothing but printable ASCII. */
static void print_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', out);
}

static void human_size(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f%s" : "%.0f%s", v, units[u]);
}

static int print_event(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__RegistryEvent *ev = (const Podd__RegistryEvent *)chunk;
	struct event_printer *p = data;
	(void)err;

	switch (ev->kind) {
	case PODD__REGISTRY_EVENT__KIND__KIND_MESSAGE:
		if (p->quiet)
			break;
		if (p->progress_shown) {
			fputs("\r\033[K", stderr);
			p->progress_shown = false;
		}
		print_clean(stderr, ev->message);
		fputc('\n', stderr);
		break;
	case PODD__REGISTRY_EVENT__KIND__KIND_PROGRESS: {
		char cur[32], tot[32];
		int width = 30, filled;
		if (p->quiet || !p->tty || strlen(ev->digest) < 19)
			break;
		human_size(ev->current, cur, sizeof(cur));
		human_size(ev->total, tot, sizeof(tot));
		filled = ev->total ? (int)((double)ev->current / (double)ev->total * width) : 0;
		if (filled > width)
			filled = width;
		fputs("\r\033[K", stderr);
		fprintf(stderr, "Copying blob %.12s [%.*s%.*s] %s / %s", ev->digest + 7, filled,
			"==============================", width - filled,
			"------------------------------", cur, tot);
		p->progress_shown = true;
		break;
	}
	case PODD__REGISTRY_EVENT__KIND__KIND_DONE:
	case PODD__REGISTRY_EVENT__KIND__KIND_UNSPECIFIED:
	default:
		break;
	}
	fflush(stderr);
	return 0;
}

void event_printer_forget(struct event_printer *p)
{
	if (p->done)
		podd__registry_event__free_unpacked(p->done, NULL);
	p->done = NULL;
}

int event_printer_chunk(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__RegistryEvent *ev = (const Podd__RegistryEvent *)chunk;
	struct event_printer *p = data;
	if (ev->kind == PODD__REGISTRY_EVENT__KIND__KIND_DONE) {
		/* The stream's messages are freed after the callback: keep a
		 * copy by packing it again. */
		size_t n = podd__registry_event__get_packed_size(ev);
		cleanup_free uint8_t *buf = malloc(n ? n : 1);
		if (buf == NULL)
			return podd_error_sys(err, ENOMEM, "out of memory");
		podd__registry_event__pack(ev, buf);
		event_printer_forget(p);
		p->done = podd__registry_event__unpack(NULL, n, buf);
		if (p->done == NULL)
			return podd_error_sys(err, ENOMEM, "out of memory");
		return 0;
	}
	return print_event(chunk, data, err);
}

/* Credentials for a source: --creds when it is on the registry the user
 * named (containers/image gives them to no other: a mirror elsewhere must
 * not see them), else the auth file's for the source's repository. */
static int creds_for(const struct pull_opts *o, const struct podd_reference *ref,
		     bool named_registry, char **user, char **password, podd_error_t *err)
{
	char path[4096], repo[2 * PODD_IMAGE_REPO_MAX + 2];
	if (o->creds && named_registry)
		return creds_split(o->creds, user, password, err);
	auth_file_path(o->authfile, path, sizeof(path));
	podd_reference_repo(ref, repo, sizeof(repo));
	return auth_lookup(path, repo, user, password, err);
}

/* podd-image-registry's "(Mirrors also failed: [A: …]\n[B: …]): …" comes
 * with its newlines shown as \x0a, as every control character in a
 * helper's message is (lib/client.c): the ones between the attempts become
 * lines again, as podman prints them. A newline moves no cursor and
 * starts no escape sequence, so one a registry wrote into its own error
 * text this way gains nothing. */
static void mirrors_error_lines(podd_error_t e)
{
	static const char sep[] = "]\\x0a[";
	char *at;

	if (e == NULL || e->msg == NULL || strstr(e->msg, "(Mirrors also failed: [") == NULL)
		return;
	while ((at = strstr(e->msg, sep)) != NULL) {
		at[1] = '\n';
		memmove(at + 2, at + sizeof(sep) - 2, strlen(at + sizeof(sep) - 2) + 1);
	}
}

/* PullFinishRequest: the pull is over, podd-image-registry's lock goes
 * (`keep`: the image is recorded). A failure to say so is reported only
 * when keeping; EOF ends the session the same way. */
static int pull_finish(struct engine *e, bool keep, podd_error_t *err)
{
	Podd__PullFinishRequest req = PODD__PULL_FINISH_REQUEST__INIT;
	cleanup_message ProtobufCMessage *ok = NULL;

	req.keep = keep;
	if (podd_client_call(&e->helpers[HELPER_REGISTRY].peer,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_PULL_FINISH, &req.base,
			     PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &ok, err) < 0)
		return engine_helper_failed(e, HELPER_REGISTRY, err);
	return 0;
}

/* The blobs fetched, made into an image by podd-image: one record, for
 * the manifest podd-image-registry named. The name is podctl's own (the
 * candidate pulled; none for a pull by digest alone, as podman): the
 * process on the network does not choose what an image is called. A
 * digest reference must be what the pull resolved; podd-image checks a
 * tag's digest against the stored index. */
static int store_image(struct engine *e, const struct candidate *c,
		       const Podd__RegistryEvent *done, Podd__LoadedImages **out,
		       podd_error_t *err)
{
	Podd__StoreImageRequest req = PODD__STORE_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	Podd__LoadedImages *made;

	if (!podd_digest_valid(done->manifest_digest) || !podd_digest_valid(done->top_digest))
		return podd_error(err, PODD_E_PROTOCOL,
				  "podd-image-registry: a pull ended without its digests");
	if (c->ref.digest[0] && strcmp(done->top_digest, c->ref.digest) != 0)
		return podd_error(err, PODD_E_PROTOCOL,
				  "podd-image-registry: pulled %s, not the digest asked for",
				  done->top_digest);
	req.manifest_digest = done->manifest_digest;
	req.top_digest = done->top_digest;
	req.name = c->ref.tag[0] ? (char *)c->name : "";
	if (engine_ready(e, HELPER_IMAGE, err) < 0)
		return -1;
	if (podd_client_call(&e->helpers[HELPER_IMAGE].peer,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_STORE_IMAGE, &req.base,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES,
			     &podd__loaded_images__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	made = (Podd__LoadedImages *)m;
	if (made->n_images != 1 || made->images[0] == NULL ||
	    strcmp(made->images[0]->manifest_digest, done->manifest_digest) != 0) {
		podd__loaded_images__free_unpacked(made, NULL);
		return podd_error(err, PODD_E_PROTOCOL,
				  "podd-image: the pulled image's record is not the one asked for");
	}
	*out = made;
	return 0;
}

/* A pipe as large as a small image's layer: the registry's copy into it
 * seldom waits for podd-image (a smaller pipe only makes it wait more). */
#define STREAM_PIPE_SIZE (1 << 20)

/* The pipe through which podd-image-registry hands the pull's largest
 * layer to podd-image as it downloads: podd-image gets the read end now
 * (UnpackStreamRequest, answered at the pipe's end), the write end goes
 * with the PullRequest. */
static int stream_open(struct engine *e, int *wfd, uint32_t *id, podd_error_t *err)
{
	Podd__UnpackStreamRequest req = PODD__UNPACK_STREAM_REQUEST__INIT;
	int fds[2];
	cleanup_close int rfd = -1, w = -1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return podd_error_sys(err, errno, "pull: pipe");
	rfd = fds[0];
	w = fds[1];
	(void)fcntl(w, F_SETPIPE_SZ, STREAM_PIPE_SIZE);
	/* podd-image may still be starting (NEED_IMAGE_LATE): the request
	 * waits behind its Hello, whose answer stream_close reads first. */
	if (engine_ready_send(e, HELPER_IMAGE, err) < 0)
		return -1;
	if (podd_client_send_fds(&e->helpers[HELPER_IMAGE].peer,
				 PODD__IMAGE_TYPE__IMAGE_TYPE_UNPACK_STREAM, &req.base, &rfd, 1, id,
				 err) < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	*wfd = move_fd(&w);
	return 0;
}

/* podd-image's answer to the stream, which it sends once every write end
 * is closed. It is read before anything else is asked of podd-image. Only
 * podd-image's end matters here: a stream it did not keep is unpacked
 * from the blob by StoreImageRequest. */
static int stream_close(struct engine *e, uint32_t id, podd_error_t *err)
{
	cleanup_message ProtobufCMessage *ok = NULL;

	if (engine_ready(e, HELPER_IMAGE, err) < 0)
		return -1;
	if (podd_client_receive(&e->helpers[HELPER_IMAGE].peer, id,
				PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &ok,
				err) == 0)
		return 0;
	engine_helper_failed(e, HELPER_IMAGE, err);
	if (!e->helpers[HELPER_IMAGE].running)
		return -1;
	podd_error_free(err);
	return 0;
}

/* One candidate: podd-image-registry fetches the blobs, podd-image
 * unpacks them and makes the record, podd-state stores it; then the pull
 * is finished. When a step fails, podctl's gc collects what the pull
 * stored (images.h), so that a failed pull leaves the store as it was. */
static int pull_one(struct engine *e, const struct pull_opts *o, struct candidate *c,
		    struct event_printer *p, char id[65], podd_error_t *err)
{
	Podd__PullRequest req = PODD__PULL_REQUEST__INIT;
	Podd__PullSource msgs[REGISTRY_SOURCES_MAX], *ptrs[REGISTRY_SOURCES_MAX];
	Podd__RegistryCredentials creds[REGISTRY_SOURCES_MAX];
	Podd__RegistryTls tls[REGISTRY_SOURCES_MAX];
	Podd__CreateImageRequest create = PODD__CREATE_IMAGE_REQUEST__INIT;
	cleanup_message ProtobufCMessage *stored = NULL;
	Podd__LoadedImages *made = NULL;
	cleanup_close int wfd = -1;
	uint32_t stream_id = 0, pull_id = 0;
	int rc;

	if (c->blocked) {
		/* Refused before anything is contacted, as podman refuses. */
		if (!o->quiet)
			fprintf(stderr, "Trying to pull %s...\n", c->name);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "initializing source docker://%s: %s", c->name, c->blocked);
	}
	req.reference = c->name;
	for (size_t i = 0; i < c->n_src && i < REGISTRY_SOURCES_MAX; i++) {
		podd__pull_source__init(&msgs[i]);
		msgs[i].reference = c->src[i].name;
		msgs[i].refused = c->src[i].refused ? c->src[i].refused : "";
		msgs[i].tls_verify = c->src[i].tls_verify;
		msgs[i].tls = registry_certs_msg(&c->src[i].certs, &tls[i]);
		if (c->src[i].user) {
			podd__registry_credentials__init(&creds[i]);
			creds[i].username = c->src[i].user;
			creds[i].password = c->src[i].password;
			msgs[i].credentials = &creds[i];
		}
		ptrs[i] = &msgs[i];
	}
	req.sources = ptrs;
	req.n_sources = c->n_src;
	req.architecture = (char *)(o->arch ? o->arch : "");
	req.os = (char *)(o->os ? o->os : "");
	req.variant = (char *)(o->variant ? o->variant : "");
	event_printer_forget(p);
	if (stream_open(e, &wfd, &stream_id, err) < 0)
		return -1;
	rc = podd_client_send_fds(&e->helpers[HELPER_REGISTRY].peer,
				  PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &req.base, &wfd, 1, &pull_id,
				  err);
	/* Only podd-image-registry's copy of the write end stays open now:
	 * its close is the stream's end. */
	podd_closep(&wfd);
	if (rc == 0)
		rc = podd_client_receive_stream(&e->helpers[HELPER_REGISTRY].peer, pull_id,
						PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
						&podd__registry_event__descriptor,
						event_printer_chunk, p, err);
	if (rc < 0) {
		podd_error_t e2 = NULL;
		/* A fetch that failed midway may have stored blobs. */
		engine_helper_failed(e, HELPER_REGISTRY, err);
		if (c->n_src > 1)
			mirrors_error_lines(*err);
		if (stream_close(e, stream_id, &e2) < 0)
			podd_error_free(&e2);
		image_gc_after_failure(e);
		return -1;
	}
	if (stream_close(e, stream_id, err) < 0) {
		podd_error_t e2 = NULL;
		if (pull_finish(e, false, &e2) < 0)
			podd_error_free(&e2);
		image_gc_after_failure(e);
		return -1;
	}
	if (p->done == NULL) {
		podd_error(err, PODD_E_PROTOCOL, "podd-image-registry: a pull ended without DONE");
		rc = -1;
	} else {
		rc = store_image(e, c, p->done, &made, err);
	}
	if (rc == 0) {
		create.record = made->images[0];
		rc = podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_CREATE_IMAGE,
				      &create.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE,
				      &podd__image_record__descriptor, &stored, err);
		if (rc < 0)
			engine_helper_failed(e, HELPER_STATE, err);
		podd__loaded_images__free_unpacked(made, NULL);
	}
	if (rc < 0) {
		/* The first error is the one to show; then the pull's lock
		 * goes, and gc collects what it stored (images.h). */
		podd_error_t e2 = NULL;
		if (pull_finish(e, false, &e2) < 0)
			podd_error_free(&e2);
		image_gc_after_failure(e);
		return -1;
	}
	if (pull_finish(e, true, err) < 0)
		return -1;
	snprintf(id, 65, "%s", ((Podd__ImageRecord *)stored)->id);
	return 0;
}

/* A candidate's sources with what each needs, read now (podctl opens no
 * file once its helpers run): its credentials and its certs.d. */
static int plan_candidate(const struct registries_conf *conf, const struct pull_opts *o,
			  struct candidate *c, podd_error_t *err)
{
	struct registry_source rs[REGISTRY_SOURCES_MAX];
	char repo[2 * PODD_IMAGE_REPO_MAX + 2];
	const struct registry_entry *entry;
	int n;

	podd_reference_string(&c->ref, c->name, sizeof(c->name));
	podd_reference_repo(&c->ref, repo, sizeof(repo));
	entry = registries_conf_find(conf, repo);
	if (entry && entry->blocked) {
		if (asprintf(&c->blocked, "registry %s is blocked in %s", entry->prefix,
			     conf->path) < 0) {
			c->blocked = NULL;
			return podd_error_sys(err, ENOMEM, "out of memory");
		}
		return 0;
	}
	n = registry_pull_sources(entry, &c->ref, rs, err);
	if (n < 0)
		return podd_error_wrap(err, "%s", conf->path);
	c->src = calloc((size_t)n, sizeof(*c->src));
	if (c->src == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	for (int k = 0; k < n; k++) {
		struct source *s = &c->src[k];
		const struct registry_entry *own;
		c->n_src++;
		podd_reference_string(&rs[k].ref, s->name, sizeof(s->name));
		/* A source under a blocked entry of its own fails its attempt
		 * uncontacted, as containers/image's client refuses it. */
		podd_reference_repo(&rs[k].ref, repo, sizeof(repo));
		own = registries_conf_find(conf, repo);
		if (own && own->blocked) {
			if (asprintf(&s->refused, "registry %s is blocked in %s", own->prefix,
				     conf->path) < 0) {
				s->refused = NULL;
				return podd_error_sys(err, ENOMEM, "out of memory");
			}
			continue;
		}
		s->tls_verify = o->tls_verify >= 0 ? o->tls_verify == 1 : !rs[k].insecure;
		if (creds_for(o, &rs[k].ref, strcmp(rs[k].ref.domain, c->ref.domain) == 0,
			      &s->user, &s->password, err) < 0 ||
		    registry_certs_read(o->cert_dir, rs[k].ref.domain, &s->certs, err) < 0)
			return -1;
	}
	return 0;
}

int pull_plan_make(const char *name, const struct pull_opts *o, struct pull_plan **out,
		   podd_error_t *err)
{
	struct registries_conf conf;
	struct podd_reference ref;
	struct signature_policy policy;
	bool policy_loaded = false;
	struct pull_plan *p;
	int rc = -1;

	if (podd_reference_parse(name, &ref, err) < 0)
		return -1;
	if (registries_conf_load(&conf, err) < 0)
		return -1;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		registries_conf_free(&conf);
		return podd_error_sys(err, ENOMEM, "out of memory");
	}
	p->opts = *o;
	if (ref.qualified) {
		p->cands[p->n++].ref = ref;
	} else if (conf.n_search == 0) {
		podd_error(err, PODD_E_INVALID_ARGUMENT,
			   "short-name \"%s\" did not resolve to an alias and no "
			   "unqualified-search registries are defined in \"%s\"",
			   name, conf.path);
		goto out;
	} else {
		for (size_t i = 0; i < conf.n_search; i++) {
			if (podd_reference_qualify(conf.search[i], name, &p->cands[p->n].ref, err) <
			    0)
				goto out;
			p->n++;
		}
	}
	for (size_t i = 0; i < p->n; i++)
		if (plan_candidate(&conf, o, &p->cands[i], err) < 0)
			goto out;
	p->printer.quiet = o->quiet;
	p->printer.tty = isatty(STDERR_FILENO);
	/* The signature policy, read once, per candidate as the user meant
	 * it (not the source it may come from): a refused one fails in its
	 * turn. */
	if (signature_policy_load(o->signature_policy, &policy, err) < 0)
		goto out;
	policy_loaded = true;
	for (size_t i = 0; i < p->n; i++)
		if (signature_policy_check_pull(&policy, &p->cands[i].ref, &p->refused[i], err) < 0)
			goto out;
	*out = steal_pointer(&p);
	rc = 0;
out:
	if (policy_loaded)
		signature_policy_free(&policy);
	registries_conf_free(&conf);
	pull_plan_free(p);
	return rc;
}

int pull_plan_run(struct engine *e, struct pull_plan *p, char id[65], podd_error_t *err)
{
	cleanup_free char *errors = NULL;
	size_t nerrors = 0;

	for (size_t i = 0; i < p->n; i++) {
		char *joined = NULL;
		/* A blocked registry is podman's error before the policy's:
		 * it opens the source (refused: blocked) before judging it. */
		if (p->refused[i] && !p->cands[i].blocked)
			signature_policy_refuse(p->cands[i].name, p->refused[i], p->printer.quiet,
						err);
		else if (pull_one(e, &p->opts, &p->cands[i], &p->printer, id, err) == 0)
			return 0;
		/* One candidate, or podd-image gone: that error as it is. */
		if (p->n == 1 || (*err)->code == PODD_E_PROTOCOL)
			return -1;
		if (asprintf(&joined, "%s\n * %s", errors ? errors : "", (*err)->msg) < 0)
			joined = NULL;
		free(errors);
		errors = joined;
		nerrors++;
		podd_error_free(err);
	}
	return podd_error(err, PODD_E_RUNTIME, "%zu errors occurred while pulling:%s", nerrors,
			  errors ? errors : "");
}

void pull_plan_free(struct pull_plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct candidate *c = &p->cands[i];
		for (size_t k = 0; k < c->n_src; k++) {
			free(c->src[k].refused);
			free(c->src[k].user);
			if (c->src[k].password)
				explicit_bzero(c->src[k].password, strlen(c->src[k].password));
			free(c->src[k].password);
			registry_certs_free(&c->src[k].certs);
		}
		free(c->src);
		free(c->blocked);
	}
	event_printer_forget(&p->printer);
	for (size_t i = 0; i < p->n; i++)
		free(p->refused[i]);
	free(p);
}
