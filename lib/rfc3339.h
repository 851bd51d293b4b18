/* Times as RFC 3339 text, in UTC, the way Go's time package writes them
 * (podman's JSON and the image configs podd writes). */
#ifndef PODD_RFC3339_H
#define PODD_RFC3339_H

#include <stdint.h>

/* 2026-11-22T10:00:00.123456789Z: nanoseconds, always 9 digits. NULL
 * when out of memory (free the result). */
char *podd_rfc3339(int64_t ns);
/* Go's RFC3339Nano: the fraction without its trailing zeros, and none
 * at all when it is zero (2026-11-22T10:00:00Z). */
char *podd_rfc3339_nano(int64_t ns);

#endif
