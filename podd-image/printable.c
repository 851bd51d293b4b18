/* One escaping rule for every hostile string podd-image puts in a
 * message, so that extraction and metadata parsing show them alike. */
#include "printable.h"

#include <stdio.h>

void printable_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (o + 8 >= size || o >= PRINTABLE_MAX) {
			snprintf(out + o, size - o, "...");
			return;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}
