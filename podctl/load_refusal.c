#include "load_refusal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void load_refusal_clean(const char *path, char *out, size_t n)
{
	bool rooted = path[0] == '/';
	size_t len = 0, depth = 0; /* depth: components in out, not ".." */

	if (n == 0)
		return;
	if (rooted)
		out[len++] = '/';
	for (const char *p = path; *p && len < n;) {
		size_t c = strcspn(p, "/");
		if (c == 0 || (c == 1 && p[0] == '.')) {
			/* "" (a repeated '/') and "." name nothing */
		} else if (c == 2 && p[0] == '.' && p[1] == '.') {
			if (depth > 0) {
				/* Drop the last component and its separator. */
				while (len > (rooted ? 1 : 0) && out[len - 1] != '/')
					len--;
				if (len > (rooted ? 1 : 0))
					len--;
				depth--;
			} else if (!rooted) {
				/* A leading ".." of a relative path stays. */
				if (len > 0 && len < n)
					out[len++] = '/';
				for (size_t i = 0; i < 2 && len < n; i++)
					out[len++] = '.';
			}
		} else {
			if (len > (rooted ? 1 : 0) && len < n)
				out[len++] = '/';
			for (size_t i = 0; i < c && len < n; i++)
				out[len++] = p[i];
			depth++;
		}
		p += c;
		while (*p == '/')
			p++;
	}
	if (len == 0 && n > 1)
		out[len++] = '.';
	out[len < n ? len : n - 1] = '\0';
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component of docker's reference grammar: [a-z0-9]+ runs joined by
 * ".", "_", "__" or one or more "-". */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i == n || !lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

/* What docker's reference parser says of "localhost/<rest>" (the name
 * podman gives an oci directory's image, storage's ParseStoreReference
 * reading it), or NULL when it takes it. */
static const char *name_problem(const char *rest, size_t total)
{
	for (const char *p = rest; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return "invalid reference format: repository name must be lowercase";
	for (const char *p = rest;;) {
		size_t c = strcspn(p, "/");
		if (!component_valid(p, c))
			return "invalid reference format";
		if (p[c] == '\0')
			break;
		p += c + 1;
	}
	if (total > 255)
		return "repository name must not be more than 255 characters";
	return NULL;
}

void load_refusal_oci_line(const char *path, char *out, size_t n)
{
	size_t plen = strlen(path);
	size_t cap = plen + 32;
	char *name = malloc(cap), *joined = malloc(cap), *index = malloc(cap);
	const char *rest = path, *problem;

	if (name == NULL || joined == NULL || index == NULL) {
		snprintf(out, n, "out of memory");
		goto out;
	}
	/* containers/image's oci references take no ':' in the path. */
	if (strchr(path, ':')) {
		snprintf(out, n, "Invalid OCI reference: path %s contains a colon", path);
		goto out;
	}
	/* libimage names the image "localhost/" + the path with leading '/'
	 * trimmed, and parses that name before it opens anything. */
	while (*rest == '/')
		rest++;
	snprintf(name, cap, "localhost/%s", rest);
	problem = name_problem(name + strlen("localhost/"), strlen(name));
	if (problem) {
		snprintf(out, n, "parsing \"%s\": parsing named reference \"%s\": %s", name, name,
			 problem);
		goto out;
	}
	snprintf(joined, cap, "%s/index.json", path);
	load_refusal_clean(joined, index, cap);
	snprintf(out, n, "initializing source oci:%s:: open %s: not a directory", path, index);
out:
	free(name);
	free(joined);
	free(index);
}

int load_refusal(const char *path, bool oci, const char *refusal, podd_error_t *err)
{
	size_t cap = 3 * strlen(path) + 600;
	char *oci_line = malloc(cap), *joined = malloc(cap), *manifest = malloc(cap);
	int rc;

	if (oci_line == NULL || joined == NULL || manifest == NULL) {
		free(oci_line);
		free(joined);
		free(manifest);
		return podd_error(err, PODD_E_NOT_PERMITTED, "%s", refusal);
	}
	load_refusal_oci_line(path, oci_line, cap);
	snprintf(joined, cap, "%s/manifest.json", path);
	load_refusal_clean(joined, manifest, cap);
	/* The attempt of the other archive format fails on the file's
	 * contents: podman's oci-archive attempt names the temporary
	 * directory it extracted the archive to (/var/tmp/ociNNN), which
	 * podd does not have. */
	rc = podd_error(err, PODD_E_NOT_PERMITTED,
			"payload does not match any of the supported image formats:\n"
			" * oci: %s\n"
			" * oci-archive: %s\n"
			" * docker-archive: %s\n"
			" * dir: open %s: not a directory",
			oci_line,
			oci ? refusal : "loading index: open index.json: no such file or directory",
			oci ? "loading tar component manifest.json: file does not exist" : refusal,
			manifest);
	free(oci_line);
	free(joined);
	free(manifest);
	return rc;
}
