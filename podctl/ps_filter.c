/* ps --filter (ps_filter.h). */
#include "ps_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podctl.h"

static const char *const key_names[PS_FILTER_KEYS] = {
	[PS_FILTER_ID] = "id",         [PS_FILTER_NAME] = "name",
	[PS_FILTER_STATUS] = "status", [PS_FILTER_EXITED] = "exited",
	[PS_FILTER_ANCESTOR] = "ancestor", [PS_FILTER_LABEL] = "label",
	[PS_FILTER_SINCE] = "since",   [PS_FILTER_BEFORE] = "before",
};

/* Keys podman takes that podd has nothing to match with yet. */
static const char *const unsupported[] = { "volume", "network", "pod", "health", "until",
					    "restart-policy", NULL };

/* A state as status= names it: ps's word, but podd's "configured"
 * (recorded, nothing on the host yet) is podman's too. */
static const char *status_word(Podd__ContainerState s)
{
	if (s == PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED)
		return "configured";
	return container_status_word(s);
}

static bool status_valid(const char *v)
{
	static const char *const words[] = { "created", "configured", "running", "stopped",
					     "paused",  "exited",     "removing", "stopping",
					     "unknown", NULL };
	for (const char *const *w = words; *w; w++)
		if (strcmp(*w, v) == 0)
			return true;
	return false;
}

void ps_filters_free(struct ps_filters *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].has_re)
			regfree(&fs->f[i].re);
	fs->n = 0;
}

int ps_filters_parse(char *const *specs, size_t n, struct ps_filters *fs, podd_error_t *err)
{
	memset(fs, 0, sizeof(*fs));
	if (n > PS_FILTERS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "more than %d filters",
				  PS_FILTERS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(specs[i], '=');
		struct ps_filter *f = &fs->f[fs->n];
		size_t klen = eq ? (size_t)(eq - specs[i]) : strlen(specs[i]);
		int k;

		for (k = 0; k < PS_FILTER_KEYS; k++)
			if (strlen(key_names[k]) == klen && strncmp(key_names[k], specs[i], klen) == 0)
				break;
		if (k == PS_FILTER_KEYS) {
			for (const char *const *u = unsupported; *u; u++)
				if (strlen(*u) == klen && strncmp(*u, specs[i], klen) == 0) {
					ps_filters_free(fs);
					return podd_error(err, PODD_E_INVALID_ARGUMENT,
							  "filter %.*s: podd has no %.*ss yet",
							  (int)klen, specs[i], (int)klen, specs[i]);
				}
			ps_filters_free(fs);
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "%.*s is an invalid filter",
					  (int)klen, specs[i]);
		}
		if (eq == NULL) {
			ps_filters_free(fs);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid filter %s: must be in the format \"filter=value\"",
					  specs[i]);
		}
		f->key = (enum ps_filter_key)k;
		f->value = eq + 1;
		if (k == PS_FILTER_STATUS && !status_valid(f->value)) {
			ps_filters_free(fs);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "unknown container state: %s: invalid argument", f->value);
		}
		if (k == PS_FILTER_EXITED) {
			char *end;
			long v;
			errno = 0;
			v = strtol(f->value, &end, 10);
			if (errno || end == f->value || *end || v < -1000 || v > 1000) {
				ps_filters_free(fs);
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "exited code out of range \"%s\"", f->value);
			}
			f->exit_code = (int)v;
		}
		if (k == PS_FILTER_NAME || k == PS_FILTER_ANCESTOR) {
			int rc = regcomp(&f->re, f->value, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[256];
				regerror(rc, &f->re, msg, sizeof(msg));
				ps_filters_free(fs);
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "filter %s: invalid regular expression: %s",
						  specs[i], msg);
			}
			f->has_re = true;
		}
		fs->n++;
	}
	return 0;
}

static bool one_matches(const struct ps_filter *f, const Podd__ContainerRecord *rec)
{
	switch (f->key) {
	case PS_FILTER_ID:
		return strncmp(rec->id, f->value, strlen(f->value)) == 0;
	case PS_FILTER_NAME:
		return regexec(&f->re, rec->name, 0, NULL, 0) == 0;
	case PS_FILTER_STATUS:
		/* podman's "created" takes configured ones, "stopped" exited ones */
		return strcmp(status_word(rec->state), f->value) == 0 ||
		       (strcmp(f->value, "created") == 0 &&
			rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED) ||
		       (strcmp(f->value, "stopped") == 0 &&
			rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED);
	case PS_FILTER_EXITED:
		return (rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED ||
			rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED) &&
		       rec->exit_code == f->exit_code;
	case PS_FILTER_ANCESTOR:
		return (rec->image[0] && regexec(&f->re, rec->image, 0, NULL, 0) == 0) ||
		       (rec->image_id[0] && f->value[0] &&
			strncmp(rec->image_id, f->value, strlen(f->value)) == 0);
	case PS_FILTER_LABEL:
		return false; /* podd's containers carry no labels */
	case PS_FILTER_SINCE:
		return rec->created_ns > f->time_ns;
	case PS_FILTER_BEFORE:
		return rec->created_ns < f->time_ns;
	case PS_FILTER_KEYS:
		break;
	}
	return false;
}

bool ps_filters_match(const struct ps_filters *fs, const Podd__ContainerRecord *rec)
{
	for (int k = 0; k < PS_FILTER_KEYS; k++) {
		bool seen = false, any = false;
		for (size_t i = 0; i < fs->n; i++) {
			if (fs->f[i].key != (enum ps_filter_key)k)
				continue;
			seen = true;
			if (one_matches(&fs->f[i], rec)) {
				any = true;
				break;
			}
		}
		if (seen && !any)
			return false;
	}
	return true;
}
