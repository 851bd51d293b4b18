/* Times as RFC 3339 text: written in UTC, the way Go's time package
 * writes them (podman's JSON and the image configs podd writes), and
 * read (image configs, podctl's --since and --until). */
#ifndef PODD_RFC3339_H
#define PODD_RFC3339_H

#include <stdint.h>

/* 2026-11-22T10:00:00.123456789Z: nanoseconds, always 9 digits. NULL
 * when out of memory (free the result). */
char *podd_rfc3339(int64_t ns);
/* Go's RFC3339Nano: the fraction without its trailing zeros, and none
 * at all when it is zero (2026-11-22T10:00:00Z). */
char *podd_rfc3339_nano(int64_t ns);
/* An RFC 3339 date-time ("2024-05-01T12:00:00.123456789Z", an offset
 * "+02:00" or "-07:00"; 't' or ' ' for the 'T', 'z' for the 'Z') to
 * nanoseconds since the epoch: every field range-checked, at most 9
 * fraction digits kept, nothing after the zone. Returns 0, -1 when `s` is
 * not one, or 1 when it is but lies outside int64 nanoseconds (years
 * before 1678 or after 2261, such as Go's zero time, which some image
 * builders write): not an error, just unknown. */
int podd_rfc3339_parse(const char *s, int64_t *ns);

#endif
