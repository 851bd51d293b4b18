/* Go durations and epoch seconds (duration.h). */
#include "duration.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define NS_PER_S 1000000000ULL
#define FRACTION_SCALE_MAX 1000000000000000000ULL /* 18 digits kept */

/* Leading decimal digits into *v (at most `limit`), *s moved past them.
 * Returns how many there were, or -1 past the limit. */
static int leading_uint(const char **s, uint64_t limit, uint64_t *v)
{
	const char *p = *s;
	int n = 0;

	for (*v = 0; isdigit((unsigned char)*p); p++, n++) {
		unsigned d = (unsigned)(*p - '0');
		if (*v > (limit - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	*s = p;
	return n;
}

/* Digits after a '.': the first 18 as frac / scale, the rest read and
 * dropped (as Go's leadingFraction drops what it cannot hold). Returns how
 * many digits there were. */
static int fraction(const char **s, uint64_t *frac, uint64_t *scale)
{
	const char *p = *s;
	int n = 0;

	*frac = 0;
	*scale = 1;
	for (; isdigit((unsigned char)*p); p++, n++)
		if (*scale < FRACTION_SCALE_MAX) {
			*frac = *frac * 10 + (uint64_t)(*p - '0');
			*scale *= 10;
		}
	*s = p;
	return n;
}

int podd_go_duration_parse(const char *s, int64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\u00b5s", 1000 }, /* U+00B5 MICRO SIGN */
		{ "\u03bcs", 1000 }, /* U+03BC GREEK SMALL LETTER MU */
		{ "ms", 1000000 },
		{ "s", NS_PER_S },
		{ "m", 60 * NS_PER_S },
		{ "h", 3600 * NS_PER_S },
	};
	const uint64_t limit = (uint64_t)1 << 63;
	uint64_t total = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s) {
		uint64_t whole, frac = 0, scale = 1, v;
		int pre, post = 0;
		size_t ulen, k;

		if (*s != '.' && !isdigit((unsigned char)*s))
			return -1;
		pre = leading_uint(&s, limit, &whole);
		if (pre < 0)
			return -1;
		if (*s == '.') {
			s++;
			post = fraction(&s, &frac, &scale);
		}
		if (pre == 0 && post == 0) /* ".s", "-.s" */
			return -1;
		/* The unit runs to the next digit or '.'. */
		ulen = strcspn(s, ".0123456789");
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == ulen && strncmp(s, units[k].name, ulen) == 0)
				break;
		if (ulen == 0 || k == sizeof(units) / sizeof(units[0]))
			return -1;
		s += ulen;
		if (whole > limit / units[k].ns)
			return -1;
		v = whole * units[k].ns + (uint64_t)((unsigned __int128)frac * units[k].ns / scale);
		if (v > limit || total > limit - v)
			return -1;
		total += v;
	}
	if (neg)
		*ns = total == limit ? INT64_MIN : -(int64_t)total;
	else if (total > (uint64_t)INT64_MAX)
		return -1;
	else
		*ns = (int64_t)total;
	return 0;
}

int podd_epoch_seconds_parse(const char *s, int64_t *ns)
{
	uint64_t secs, frac = 0, scale = 1;
	const uint64_t max_secs = (uint64_t)INT64_MAX / NS_PER_S - 1;

	if (leading_uint(&s, max_secs, &secs) <= 0)
		return -1;
	if (*s == '.') {
		s++;
		if (fraction(&s, &frac, &scale) == 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*ns = (int64_t)(secs * NS_PER_S + (uint64_t)((unsigned __int128)frac * NS_PER_S / scale));
	return 0;
}
