/* The registries[] entries of registries.json and how a reference finds
 * its entry and its pull sources, as containers/image's sysregistriesv2
 * does it for podman 4.3 (containers-registries.conf(5)): the entry whose
 * prefix matches the reference's "host/path" most specifically; the
 * reference rewritten with that prefix replaced by each mirror's location,
 * then by the entry's location. No I/O: registries.c reads the file,
 * pull.c uses the sources. docs/ARCHITECTURE.md, "Registries". */
#ifndef PODCTL_REGISTRY_MATCH_H
#define PODCTL_REGISTRY_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "reference.h"

#define REGISTRY_MIRRORS_MAX 16
/* The mirrors and the primary location. */
#define REGISTRY_SOURCES_MAX (REGISTRY_MIRRORS_MAX + 1)

struct registry_endpoint {
	char *location; /* "host[:port][/path]"; NULL: the reference as it is */
	bool insecure;
};

struct registry_entry {
	char *prefix; /* "host[:port][/path]", or "*.domain" (any subdomain) */
	struct registry_endpoint primary;
	struct registry_endpoint mirrors[REGISTRY_MIRRORS_MAX];
	size_t n_mirrors;
	bool blocked;
	bool mirror_by_digest_only;
};

/* How much of `name` ("host[:port]/path", no tag) `prefix` covers: the
 * prefix's length when it is `name` or ends at a '/' of it; for "*.domain",
 * where the host's ".domain" ends (before ':', '/' or the end), when the
 * host has a label before it. -1: no match. */
int registry_prefix_match(const char *name, const char *prefix);

/* The entry for `name` ("host[:port][/path]", as podd_reference_repo
 * writes a qualified reference's): the longest matching prefix, the first
 * of equal length; NULL when none matches. */
const struct registry_entry *registry_find(const struct registry_entry *entries, size_t n,
					   const char *name);

/* `ref` with the part `e`'s prefix covers replaced by `location` (NULL:
 * `ref` itself). The tag and digest stay. */
int registry_rewrite(const struct registry_entry *e, const char *location,
		     const struct podd_reference *ref, struct podd_reference *out,
		     podd_error_t *err);

struct registry_source {
	struct podd_reference ref; /* where to pull from */
	bool insecure;
	bool mirror;
};

/* Where to pull `ref` from, in order: `e`'s mirrors (only for a reference
 * with a digest when mirror_by_digest_only), then its location; `e` NULL:
 * `ref` itself, secure. `out` holds REGISTRY_SOURCES_MAX; returns how many. */
int registry_pull_sources(const struct registry_entry *e, const struct podd_reference *ref,
			  struct registry_source *out, podd_error_t *err);

#endif
