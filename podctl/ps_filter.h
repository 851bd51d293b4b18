/* ps --filter, as podman 4.3 reads it: KEY=VALUE, values of one key
 * any-of, different keys all-of. Keys: id (a prefix), name (a regular
 * expression, unanchored, as Go's regexp matches), status (created,
 * configured, running, paused, stopped, exited, removing, unknown),
 * exited (an exit code), ancestor (a regular expression on the image's
 * name, or a prefix of its id), label (podd's containers carry none, so
 * it matches none), since and before (a container: created after or
 * before it). Pure: the since/before containers' times are the caller's
 * to find (ps_filters_times). */
#ifndef PODCTL_PS_FILTER_H
#define PODCTL_PS_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "error.h"

#define PS_FILTERS_MAX 32

enum ps_filter_key {
	PS_FILTER_ID,
	PS_FILTER_NAME,
	PS_FILTER_STATUS,
	PS_FILTER_EXITED,
	PS_FILTER_ANCESTOR,
	PS_FILTER_LABEL,
	PS_FILTER_SINCE,
	PS_FILTER_BEFORE,
	PS_FILTER_KEYS
};

struct ps_filter {
	enum ps_filter_key key;
	const char *value; /* points into the caller's spec */
	regex_t re;        /* name, ancestor */
	bool has_re;
	int exit_code;     /* exited */
	int64_t time_ns;   /* since, before: the named container's creation */
};

struct ps_filters {
	struct ps_filter f[PS_FILTERS_MAX];
	size_t n;
};

/* Parses `specs` (KEY=VALUE each) with podman's errors. */
int ps_filters_parse(char *const *specs, size_t n, struct ps_filters *fs, podd_error_t *err);
void ps_filters_free(struct ps_filters *fs);
/* Whether `rec` passes every key. */
bool ps_filters_match(const struct ps_filters *fs, const Podd__ContainerRecord *rec);

#endif
