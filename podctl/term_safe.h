/* Hostile text (an image's history, a credential helper's answer) made
 * safe to print on a terminal. */
#ifndef PODCTL_TERM_SAFE_H
#define PODCTL_TERM_SAFE_H

/* A copy of `s` with UTF-8 kept but control characters (C0, DEL, the C1
 * range) and bytes that are not UTF-8 (overlong forms, surrogates, lone
 * continuation bytes) each replaced by '?'. NULL when out of memory. */
char *term_safe(const char *s);

#endif
