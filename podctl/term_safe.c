/* term_safe (term_safe.h): hostile text made safe for a terminal. */
#include "term_safe.h"

#include <stdlib.h>
#include <string.h>

#define C1_CONTROL 0x100

/* The length of the UTF-8 sequence at s (1 to 4) if it is a valid one
 * and no control character; with C1_CONTROL set for a C1 control; 0 for
 * a byte that starts no valid sequence (a C0 control or DEL included). */
static size_t utf8_printable(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond Unicode are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* A C1 control: the whole sequence becomes one '?'. */
	if (cp >= 0x80 && cp <= 0x9f)
		return n | C1_CONTROL;
	return n;
}

char *term_safe(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	while (*s) {
		size_t n = utf8_printable((const unsigned char *)s);
		if (n == 0 || (n & C1_CONTROL)) {
			*o++ = '?';
			s += n ? n & ~(size_t)C1_CONTROL : 1;
			continue;
		}
		memcpy(o, s, n);
		o += n;
		s += n;
	}
	*o = '\0';
	return out;
}
