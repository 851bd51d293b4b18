/* Hostile strings (tar entry names, manifest fields) shown in messages. */
#ifndef PODD_IMAGE_PRINTABLE_H
#define PODD_IMAGE_PRINTABLE_H

#include <stddef.h>

/* Escaped text is cut after this many bytes. */
#define PRINTABLE_MAX 200
/* A buffer that always holds printable_escape's output. */
#define PRINTABLE_BUF (PRINTABLE_MAX + 16)

/* Copies `s` into `out` with every byte outside printable ASCII, the quote
 * and the backslash as \xNN, cut with "..." after PRINTABLE_MAX bytes: a
 * registry's or an archive's bytes must not reach a terminal or a log as
 * control sequences. NULL is shown as "". */
void printable_escape(const char *s, char *out, size_t size);

#endif
