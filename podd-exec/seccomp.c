/* The seccomp profile a container gets: none for --privileged or
 * seccomp=unconfined, the user's profile for seccomp=FILE, otherwise our
 * default (data/seccomp.json) cut down to the container's capabilities. */
#include <string.h>

#include "exec.h"

extern const char podd_seccomp_default_json[];
extern const size_t podd_seccomp_default_len;

#define CAP_KEY "podd.capability"

static bool has_cap(const char *const *caps, size_t n, const char *cap)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(caps[i], cap) == 0)
			return true;
	return false;
}

/* Keep an entry when it needs no capability or one the container holds;
 * drop the keys that are ours, not OCI's. */
static json_object *default_profile(const char *const *caps, size_t ncaps, podd_error_t *err)
{
	json_object *p = json_tokener_parse(podd_seccomp_default_json), *in, *out;

	if (p == NULL || !json_object_object_get_ex(p, "syscalls", &in) ||
	    !json_object_is_type(in, json_type_array)) {
		json_object_put(p);
		podd_error(err, PODD_E_INTERNAL, "the built-in seccomp profile does not parse");
		return NULL;
	}
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(in); i++) {
		json_object *e = json_object_array_get_idx(in, i), *cap;
		if (json_object_object_get_ex(e, CAP_KEY, &cap) &&
		    !has_cap(caps, ncaps, json_object_get_string(cap)))
			continue;
		json_object_object_del(e, CAP_KEY);
		json_object_object_del(e, "comment");
		json_object_array_add(out, json_object_get(e));
	}
	json_object_object_add(p, "syscalls", out);
	json_object_object_del(p, "comment");
	return p;
}

int bundle_seccomp(const Podd__ContainerConfig *c, const char *const *caps, size_t ncaps,
		   json_object **out, podd_error_t *err)
{
	json_object *p, *action;

	*out = NULL;
	if (c->privileged || strcmp(c->seccomp, "unconfined") == 0)
		return 0;
	if (c->seccomp[0] == '\0') {
		*out = default_profile(caps, ncaps, err);
		return *out ? 0 : -1;
	}
	/* A profile from the command line: it must be an OCI seccomp object;
	 * the runtime checks the rest. */
	p = json_tokener_parse(c->seccomp);
	if (p == NULL || !json_object_is_type(p, json_type_object) ||
	    !json_object_object_get_ex(p, "defaultAction", &action) ||
	    !json_object_is_type(action, json_type_string)) {
		json_object_put(p);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "seccomp profile is not an OCI seccomp object (no defaultAction)");
	}
	*out = p;
	return 0;
}
