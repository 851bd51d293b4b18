#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool podd_id_prefix_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= PODD_ID_LEN || !is_lower_hex(s[n]))
			return false;
	return n > 0;
}

bool podd_id_valid(const char *s)
{
	return podd_id_prefix_valid(s) && strlen(s) == PODD_ID_LEN;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool podd_name_valid(const char *s)
{
	size_t n;
	if (!is_alnum(s[0]))
		return false;
	for (n = 1; s[n]; n++)
		if (n >= PODD_NAME_MAX || !(is_alnum(s[n]) || s[n] == '_' || s[n] == '.' || s[n] == '-'))
			return false;
	return true;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Docker's [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*: alphanumeric runs joined by
 * one separator, which is ".", "_", "__" or any run of "-". */
static bool repo_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0, sep;
		while (i < n && is_lower_alnum(s[i]))
			i++, run++;
		if (run == 0)
			return false;
		if (i == n)
			return true;
		sep = i;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else
			while (i < n && s[i] == '-')
				i++;
		if (i == sep || i == n)
			return false;
	}
	return false;
}

/* label(.label)*[:port], label [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?. */
static bool host_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;
	size_t start = 0;

	if (colon) {
		size_t pn = n - hn - 1;
		if (pn == 0 || pn > 5)
			return false;
		for (size_t i = hn + 1; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	if (hn == 0)
		return false;
	for (size_t i = 0; i <= hn; i++) {
		if (i < hn && s[i] != '.')
			continue;
		/* a label is s[start, i) */
		if (i == start || !is_alnum(s[start]) || !is_alnum(s[i - 1]))
			return false;
		for (size_t j = start; j < i; j++)
			if (!is_alnum(s[j]) && s[j] != '-')
				return false;
		start = i + 1;
	}
	return true;
}

static bool is_host(const char *s, size_t n)
{
	return memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL ||
	       (n == 9 && memcmp(s, "localhost", 9) == 0);
}

static bool tag_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > PODD_IMAGE_TAG_MAX || !(is_alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* Splits s into repository and tag; *has_host says whether the first part
 * is a registry. */
static bool image_name_parse(const char *s, bool *has_host, bool *has_tag)
{
	const char *slash = strrchr(s, '/');
	const char *colon = strrchr(slash ? slash : s, ':');
	size_t repo_len = colon ? (size_t)(colon - s) : strlen(s);
	const char *p = s, *end = s + repo_len;
	bool first = true;

	*has_host = false;
	*has_tag = colon != NULL;
	if (repo_len == 0 || repo_len > PODD_IMAGE_REPO_MAX || (colon && !tag_valid(colon + 1)))
		return false;
	while (p <= end) {
		const char *next = memchr(p, '/', (size_t)(end - p));
		size_t n = next ? (size_t)(next - p) : (size_t)(end - p);
		/* A lone first part is a repository, never a host: "localhost"
		 * alone is the image localhost. */
		if (first && next && is_host(p, n)) {
			if (!host_valid(p, n))
				return false;
			*has_host = true;
		} else if (!repo_component_valid(p, n)) {
			return false;
		}
		first = false;
		if (!next)
			break;
		p = next + 1;
	}
	return true;
}

/* A name whose repository's last component is 64 hex digits would read as
 * an image id: refused, as Docker's reference grammar does. */
static bool reads_as_id(const char *s)
{
	const char *last = strrchr(s, '/');
	char repo[PODD_ID_LEN + 1];
	size_t n;

	last = last ? last + 1 : s;
	n = strcspn(last, ":@");
	if (n != PODD_ID_LEN)
		return false;
	memcpy(repo, last, n);
	repo[n] = '\0';
	return podd_id_valid(repo);
}

bool podd_image_name_valid(const char *s)
{
	bool host, tag;
	return image_name_parse(s, &host, &tag) && !reads_as_id(s);
}

bool podd_image_name_qualified(const char *s)
{
	bool host, tag;
	return image_name_parse(s, &host, &tag) && host && tag && !reads_as_id(s);
}

bool podd_image_name_complete(const char *in, char out[PODD_IMAGE_NAME_BUF])
{
	bool host, tag;

	if (!image_name_parse(in, &host, &tag) || reads_as_id(in))
		return false;
	if (snprintf(out, PODD_IMAGE_NAME_BUF, "%s%s%s", host ? "" : "localhost/", in,
		     tag ? "" : ":latest") >= PODD_IMAGE_NAME_BUF)
		return false;
	return podd_image_name_qualified(out);
}

bool podd_digest_valid(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 && podd_id_valid(s + 7);
}

int podd_id_generate(char out[PODD_ID_LEN + 1], podd_error_t *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[PODD_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return podd_error_sys(err, errno, "generate id");
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[PODD_ID_LEN] = '\0';
	return 0;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int podd_validate_abs_path(const char *what, const char *s, podd_error_t *err)
{
	const char *p = s;
	size_t len = strlen(s);

	if (len == 0 || s[0] != '/' || len > PODD_PATH_MAX || has_control(s))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s must be an absolute path", what);
	while (*p) {
		const char *end;
		size_t n;
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s must not contain \".\" or \"..\" components", what);
		p = end;
	}
	return 0;
}

int podd_validate_strv(const char *what, char **v, size_t n, podd_error_t *err)
{
	if (n > PODD_ARGS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "too many %s (%zu, at most %d)", what,
				  n, PODD_ARGS_MAX);
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) > PODD_ARG_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s %zu is longer than %d bytes", what, i, PODD_ARG_MAX);
	return 0;
}

int podd_validate_env(char **v, size_t n, podd_error_t *err)
{
	if (podd_validate_strv("environment entries", v, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(v[i], '=');
		if (eq == NULL || eq == v[i])
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "environment entry \"%.64s\" is not KEY=VALUE", v[i]);
	}
	return 0;
}
