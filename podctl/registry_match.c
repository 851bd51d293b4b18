#include "registry_match.h"

#include <stdio.h>
#include <string.h>

#include "validate.h"

/* "*.example.com" as containers/image reads it: the first ".example.com"
 * in the name, before any '/', followed by the end of the host. */
static int wildcard_match(const char *name, const char *prefix)
{
	const char *suffix = prefix + 1, *at = strstr(name, suffix), *slash = strchr(name, '/');
	size_t end;

	if (at == NULL || at == name || (slash && slash < at))
		return -1;
	end = (size_t)(at - name) + strlen(suffix);
	if (name[end] == '\0' || name[end] == ':' || name[end] == '/')
		return (int)end;
	return -1;
}

int registry_prefix_match(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(prefix, "*.", 2) == 0)
		return wildcard_match(name, prefix);
	/* containers/image also lets "host" match "host:port/…" (its
	 * comment calls that unintended); podd matches whole components. */
	if (n == 0 || strncmp(name, prefix, n) != 0 || (name[n] != '\0' && name[n] != '/'))
		return -1;
	return (int)n;
}

const struct registry_entry *registry_find(const struct registry_entry *entries, size_t n,
					   const char *name)
{
	const struct registry_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n; i++) {
		/* The prefix's own length ranks it, a wildcard's too, as
		 * containers/image ranks them. */
		size_t len = strlen(entries[i].prefix);
		if (registry_prefix_match(name, entries[i].prefix) >= 0 && len > best_len) {
			best = &entries[i];
			best_len = len;
		}
	}
	return best;
}

int registry_rewrite(const struct registry_entry *e, const char *location,
		     const struct podd_reference *ref, struct podd_reference *out,
		     podd_error_t *err)
{
	char name[2 * PODD_IMAGE_REPO_MAX + 2], full[PODD_REFERENCE_MAX + PODD_IMAGE_REPO_MAX];
	int covered;
	size_t len;

	if (location == NULL) {
		*out = *ref;
		return 0;
	}
	podd_reference_repo(ref, name, sizeof(name));
	covered = registry_prefix_match(name, e->prefix);
	if (covered < 0)
		return podd_error(err, PODD_E_INTERNAL, "invalid prefix '%s' for reference '%s'",
				  e->prefix, name);
	len = (size_t)snprintf(full, sizeof(full), "%s%s%s%s%s%s", location, name + covered,
			       ref->tag[0] ? ":" : "", ref->tag, ref->digest[0] ? "@" : "",
			       ref->digest);
	if (len >= sizeof(full) || podd_reference_parse(full, out, err) < 0 || !out->qualified) {
		podd_error_free(err);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "rewriting reference %s with location %s: invalid reference "
				  "format",
				  name, location);
	}
	return 0;
}

int registry_pull_sources(const struct registry_entry *e, const struct podd_reference *ref,
			  struct registry_source *out, podd_error_t *err)
{
	int n = 0;

	if (e == NULL) {
		out[0].ref = *ref;
		out[0].insecure = false;
		out[0].mirror = false;
		return 1;
	}
	if (!e->mirror_by_digest_only || ref->digest[0]) {
		for (size_t i = 0; i < e->n_mirrors && i < REGISTRY_MIRRORS_MAX; i++) {
			if (registry_rewrite(e, e->mirrors[i].location, ref, &out[n].ref, err) < 0)
				return -1;
			out[n].insecure = e->mirrors[i].insecure;
			out[n].mirror = true;
			n++;
		}
	}
	if (registry_rewrite(e, e->primary.location, ref, &out[n].ref, err) < 0)
		return -1;
	out[n].insecure = e->primary.insecure;
	out[n].mirror = false;
	return n + 1;
}
