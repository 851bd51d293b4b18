#include "reference.h"

#include <stdio.h>
#include <string.h>

static bool is_domain(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && memcmp(s, "localhost", 9) == 0);
}

static int copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int podd_reference_parse(const char *s, struct podd_reference *out, podd_error_t *err)
{
	char name[PODD_IMAGE_NAME_MAX + 1];
	const char *at = strchr(s, '@'), *slash, *colon, *repo;
	size_t name_len = at ? (size_t)(at - s) : strlen(s);

	memset(out, 0, sizeof(*out));
	if (name_len == 0 || name_len > PODD_IMAGE_NAME_MAX)
		goto invalid;
	memcpy(name, s, name_len);
	name[name_len] = '\0';
	if (!podd_image_name_valid(name))
		goto invalid;
	if (at) {
		if (!podd_digest_valid(at + 1))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid reference format: invalid digest in \"%s\"", s);
		snprintf(out->digest, sizeof(out->digest), "%s", at + 1);
	}

	slash = strchr(name, '/');
	repo = name;
	if (slash && is_domain(name, (size_t)(slash - name))) {
		out->qualified = true;
		if (copy(out->domain, sizeof(out->domain), name, (size_t)(slash - name)) < 0)
			goto invalid;
		repo = slash + 1;
	}
	slash = strrchr(repo, '/');
	colon = strrchr(slash ? slash : repo, ':');
	if (copy(out->repository, sizeof(out->repository), repo,
		 colon ? (size_t)(colon - repo) : strlen(repo)) < 0)
		goto invalid;
	if (colon)
		snprintf(out->tag, sizeof(out->tag), "%s", colon + 1);
	else if (!at)
		snprintf(out->tag, sizeof(out->tag), "latest");

	snprintf(out->api_host, sizeof(out->api_host), "%s", out->domain);
	if (strcmp(out->domain, "docker.io") == 0 || strcmp(out->domain, "index.docker.io") == 0) {
		snprintf(out->domain, sizeof(out->domain), "docker.io");
		snprintf(out->api_host, sizeof(out->api_host), "registry-1.docker.io");
		if (!strchr(out->repository, '/')) {
			char lib[sizeof(out->repository)];
			if (snprintf(lib, sizeof(lib), "library/%s", out->repository) >=
			    (int)sizeof(lib))
				goto invalid;
			memcpy(out->repository, lib, sizeof(lib));
		}
	}
	return 0;
invalid:
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid reference format");
}

int podd_reference_qualify(const char *domain, const char *shortname, struct podd_reference *out,
			   podd_error_t *err)
{
	char full[PODD_IMAGE_NAME_MAX + 80];
	if (snprintf(full, sizeof(full), "%s/%s", domain, shortname) >= (int)sizeof(full))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid reference format");
	if (podd_reference_parse(full, out, err) < 0)
		return -1;
	if (!out->qualified)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "search registry \"%s\" is not a registry name", domain);
	return 0;
}

void podd_reference_repo(const struct podd_reference *r, char *out, size_t n)
{
	if (r->qualified)
		snprintf(out, n, "%s/%s", r->domain, r->repository);
	else
		snprintf(out, n, "%s", r->repository);
}

void podd_reference_string(const struct podd_reference *r, char *out, size_t n)
{
	char repo[2 * PODD_IMAGE_REPO_MAX + 2];
	podd_reference_repo(r, repo, sizeof(repo));
	if (r->tag[0])
		snprintf(out, n, "%s:%s", repo, r->tag);
	else
		snprintf(out, n, "%s@%s", repo, r->digest);
}
