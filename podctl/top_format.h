/* What podctl top shows, worked out from the raw values podd-exec's
 * launcher sends: psgo's formats (podman's top), on container-controlled
 * input. Pure functions, unit-tested in tests/unit/test_top_format.c. */
#ifndef PODCTL_TOP_FORMAT_H
#define PODCTL_TOP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Container bytes to a newly allocated printable string: control
 * characters (escape sequences included) become '?', NULs (a command
 * line's separators) spaces. NULL when out of memory. */
char *top_printable(const uint8_t *data, size_t len);

/* The name of `id` in a passwd- or group-format file ("name:x:id:..."),
 * made printable, or the number when the file has none. `file` may be
 * NULL; malformed lines are skipped. */
void top_id_name(const char *file, uint32_t id, char *out, size_t size);

/* Go's time.Duration.String(): "0s", "1.5ms", "3.203007878s", "1m0.5s",
 * "2h0m3s". Negative durations print as "0s". */
void top_go_duration(int64_t ns, char *out, size_t size);

/* /proc/PID/stat's tty_nr as a name: "pts/0", "tty1", "ttyS0", or "?". */
void top_tty_name(uint32_t nr, char *out, size_t size);

/* Display width as Go's tabwriter counts it: UTF-8 characters. */
size_t top_width(const char *s);

#endif
