/* Image references as podman reads them: [domain/]repository[:tag][@digest]
 * (docker's reference grammar as lib/validate.c checks it, plus a sha256
 * digest). podctl resolves short names with it (registries.json) and
 * podd-image parses what it is asked to pull or push to. */
#ifndef PODD_REFERENCE_H
#define PODD_REFERENCE_H

#include <stdbool.h>

#include "error.h"
#include "validate.h"

struct podd_reference {
	bool qualified;                        /* a domain was given */
	char domain[PODD_IMAGE_REPO_MAX + 1];  /* "127.0.0.1:5000", "docker.io"; "" if short */
	/* where the API is: docker.io's is registry-1.docker.io */
	char api_host[PODD_IMAGE_REPO_MAX + 1];
	char repository[PODD_IMAGE_REPO_MAX + 1]; /* "podd/busybox", "library/busybox" */
	char tag[PODD_IMAGE_TAG_MAX + 1];      /* "" only when a digest is given alone */
	char digest[72];                       /* "sha256:<64 hex>" or "" */
};

/* Parses `s`. A name without tag or digest gets "latest". On docker.io (and
 * index.docker.io) a one-component repository gets "library/", as podman
 * does. Short names (no domain) parse with qualified false and an empty
 * domain. Invalid references are PODD_E_INVALID_ARGUMENT. */
int podd_reference_parse(const char *s, struct podd_reference *out, podd_error_t *err);

/* A short name completed with `domain` (a search registry). */
int podd_reference_qualify(const char *domain, const char *shortname, struct podd_reference *out,
			   podd_error_t *err);

/* "domain/repository:tag", or "domain/repository@digest" without a tag: the
 * name an image record keeps. `out` holds at least PODD_REFERENCE_MAX. */
#define PODD_REFERENCE_MAX (2 * PODD_IMAGE_REPO_MAX + PODD_IMAGE_TAG_MAX + 80)
void podd_reference_string(const struct podd_reference *r, char *out, size_t n);

/* PushRequest.mount_from: the most repositories a push mounts blobs from. */
#define PODD_PUSH_MOUNT_FROM_MAX 8

/* "domain/repository". */
void podd_reference_repo(const struct podd_reference *r, char *out, size_t n);

#endif
