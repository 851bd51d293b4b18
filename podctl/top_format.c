#include "top_format.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *top_printable(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		s[i] = c == 0 ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	s[len] = '\0';
	return s;
}

/* One line of the file: "name:password:id:..." with a non-empty name and
 * an id of digits only (strtoul alone would take spaces and signs); a
 * comment line is none, as for userdb.c and libc. */
static bool line_names(const char *line, const char *nl, uint32_t id, char *out, size_t size)
{
	const char *c1 = memchr(line, ':', (size_t)(nl - line)), *c2, *num;
	char *end;
	unsigned long v;

	if (*line == '#' || c1 == NULL || c1 == line || (size_t)(c1 - line) >= size)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1));
	if (c2 == NULL)
		return false;
	num = c2 + 1;
	if (num >= nl || *num < '0' || *num > '9')
		return false;
	v = strtoul(num, &end, 10);
	if (end >= nl || *end != ':' || v != id)
		return false;
	char *name = top_printable((const uint8_t *)line, (size_t)(c1 - line));
	if (name == NULL)
		return false;
	snprintf(out, size, "%s", name);
	free(name);
	return true;
}

void top_id_name(const char *file, uint32_t id, char *out, size_t size)
{
	for (const char *line = file; line && *line;) {
		const char *nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (line_names(line, nl, id, out, size))
			return;
		line = *nl ? nl + 1 : NULL;
	}
	snprintf(out, size, "%" PRIu32, id);
}

void top_go_duration(int64_t ns, char *out, size_t size)
{
	uint64_t u = ns > 0 ? (uint64_t)ns : 0;
	char frac[16] = "";
	const char *unit;
	uint64_t whole, part, scale;
	int digits;

	if (u == 0) {
		snprintf(out, size, "0s");
		return;
	}
	if (u < 1000) {
		snprintf(out, size, "%" PRIu64 "ns", u);
		return;
	}
	if (u < 1000000) {
		unit = "µs", scale = 1000, digits = 3;
	} else if (u < 1000000000) {
		unit = "ms", scale = 1000000, digits = 6;
	} else {
		unit = "s", scale = 1000000000, digits = 9;
	}
	whole = u / scale;
	part = u % scale;
	if (part) {
		snprintf(frac, sizeof(frac), ".%0*" PRIu64, digits, part);
		for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	if (scale != 1000000000)
		snprintf(out, size, "%" PRIu64 "%s%s", whole, frac, unit);
	else if (whole >= 3600)
		snprintf(out, size, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss", whole / 3600,
			 whole / 60 % 60, whole % 60, frac);
	else if (whole >= 60)
		snprintf(out, size, "%" PRIu64 "m%" PRIu64 "%ss", whole / 60, whole % 60, frac);
	else
		snprintf(out, size, "%" PRIu64 "%ss", whole, frac);
}

/* The kernel's encoding (new_encode_dev): major in bits 8-19, minor in
 * bits 0-7 and 20-31. Unix98 ptys are majors 136-143, consoles major 4. */
void top_tty_name(uint32_t nr, char *out, size_t size)
{
	unsigned major = (nr >> 8) & 0xfff, minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);

	if (nr == 0)
		snprintf(out, size, "?");
	else if (major >= 136 && major <= 143)
		snprintf(out, size, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, size, "tty%u", minor);
	else if (major == 4)
		snprintf(out, size, "ttyS%u", minor - 64);
	else
		snprintf(out, size, "?");
}

size_t top_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}
