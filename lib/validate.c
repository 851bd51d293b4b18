#include "validate.h"

#include <errno.h>
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
