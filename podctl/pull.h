/* Pulling an image, for `podctl pull` and for the commands that pull what
 * they lack (run and create with --pull): in two steps around
 * engine_start, because podctl can open no file once its helpers run.
 * pull_plan_make reads the registries configuration (short names; each
 * candidate's entry: blocked, its mirrors and location, their insecure
 * settings) and every source's credentials and certs.d; pull_plan_run asks
 * podd-image-registry for each candidate in turn (PullRequest with its
 * sources, tried in order there), stores the first image pulled
 * in podd-state (CreateImageRequest) and gives its id. Also the printer
 * of podd-image's RegistryEvents that push shares. */
#ifndef PODCTL_PULL_H
#define PODCTL_PULL_H

#include <stdbool.h>

#include "image.pb-c.h"
#include "podctl.h"

struct pull_opts {
	int tls_verify;       /* -1: not given (registries.json decides, else true) */
	const char *creds;    /* --creds USER[:PASS], or NULL */
	const char *authfile; /* --authfile, or NULL */
	const char *cert_dir; /* --cert-dir, or NULL: the registry's certs.d */
	bool quiet;           /* no progress lines */
	const char *arch, *os, *variant; /* NULL: linux and the host's arch */
	const char *signature_policy; /* --signature-policy, or NULL (signature_policy.h) */
};

struct pull_plan;

/* Before engine_start. `name` as the user typed it: a short name becomes
 * one candidate per search registry, or podman's short-name error. */
int pull_plan_make(const char *name, const struct pull_opts *o, struct pull_plan **out,
		   podd_error_t *err);
/* After engine_start with NEED_STATE | NEED_IMAGE. On failure at every
 * candidate: that error, or "N errors occurred while pulling:" with each. */
int pull_plan_run(struct engine *e, struct pull_plan *p, char id[65], podd_error_t *err);
void pull_plan_free(struct pull_plan *p);

/* podd-image's RegistryEvents on stderr: lines as they come, a progress bar
 * per blob when stderr is a terminal; `done` keeps the last event. */
struct event_printer {
	bool quiet;
	bool tty;
	bool progress_shown;
	Podd__RegistryEvent *done;
};
int event_printer_chunk(const ProtobufCMessage *chunk, void *data, podd_error_t *err);
void event_printer_forget(struct event_printer *p);

#endif
