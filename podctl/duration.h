/* Durations and instants as podman's command line takes them: Go's
 * time.ParseDuration, and seconds since the epoch as decimal text. The
 * callers (image filters' until=, logs --since/--until) combine them with
 * RFC 3339 (lib/rfc3339.h) the way their podman counterparts do. */
#ifndef PODCTL_DURATION_H
#define PODCTL_DURATION_H

#include <stdint.h>

/* Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?UNIT)+ with UNIT one
 * of ns, us, µs, μs, ms, s, m, h ("1h30m", "-5m", ".5h", "250ms"), or
 * "0" alone. 0 with *ns set, or -1 when `s` is not one or does not fit
 * int64 nanoseconds. */
int podd_go_duration_parse(const char *s, int64_t *ns);

/* Seconds since the epoch as decimal text, "1700000000" or
 * "1700000000.25" (no sign, no exponent; at most 9 fraction digits are
 * kept), to nanoseconds. 0, or -1 when `s` is not one or does not fit. */
int podd_epoch_seconds_parse(const char *s, int64_t *ns);

#endif
