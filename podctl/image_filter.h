/* `images --filter KEY=VALUE` (and `-f`), podman 4.3's image filters:
 * after/since, before, containers, dangling, id, intermediate, label,
 * readonly, reference, until, each also as KEY!=VALUE. Filters of
 * different keys must all match; of one key, any of the KEY=VALUE ones
 * and every KEY!=VALUE one (a boolean key given twice with different
 * values is refused, as podman refuses it).
 * Parsing and matching are pure (unit-tested); what a filter needs beyond
 * the records (labels from the config, the containers' images) the caller
 * fetches when image_filter_needs says so. */
#ifndef PODCTL_IMAGE_FILTER_H
#define PODCTL_IMAGE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "error.h"

#define IMAGE_FILTERS_MAX 32

enum image_filter_key {
	IMAGE_FILTER_AFTER,
	IMAGE_FILTER_BEFORE,
	IMAGE_FILTER_CONTAINERS,
	IMAGE_FILTER_DANGLING,
	IMAGE_FILTER_ID,
	IMAGE_FILTER_INTERMEDIATE,
	IMAGE_FILTER_LABEL,
	IMAGE_FILTER_READONLY,
	IMAGE_FILTER_REFERENCE,
	IMAGE_FILTER_UNTIL,
};

struct image_filter_one {
	enum image_filter_key key;
	const char *value;  /* as given, after "KEY=" */
	bool negate;        /* KEY!=VALUE */
	bool flag;          /* containers, dangling, intermediate, readonly: true/false */
	int64_t time_ns;    /* after, before: the image's time once resolved; until */
};

struct image_filters {
	struct image_filter_one f[IMAGE_FILTERS_MAX];
	size_t n;
};

/* "KEY=VALUE" each; podman's messages for an unknown key or a bad value.
 * `now_ns` anchors an `until` given as a duration. The values point into
 * `specs`. */
int image_filters_parse(char *const *specs, size_t n, int64_t now_ns, struct image_filters *fs,
			podd_error_t *err);

/* after/before name an image: its creation time, found among `all`
 * (name, id or id prefix as `images` resolves them). */
int image_filters_resolve(struct image_filters *fs, Podd__ImageRecord *const *all, size_t n,
			  podd_error_t *err);

/* A containers=NAME|ID filter must name one of the containers (ids and
 * names, n of each): podman's error otherwise. */
int image_filters_check_containers(const struct image_filters *fs, char *const *ids,
				   char *const *names, size_t n, podd_error_t *err);

/* What matching needs besides the record. */
bool image_filters_need_labels(const struct image_filters *fs);
bool image_filters_need_containers(const struct image_filters *fs);

/* What matching knows of one image besides its record. */
struct image_facts {
	char *const *label_keys;     /* the config's labels */
	char *const *label_values;
	size_t n_labels;
	char *const *container_ids;  /* containers using it (64 hex) */
	char *const *container_names;
	size_t n_containers;
	bool is_parent;              /* its top layer is below another image's */
};

bool image_filters_match(const struct image_filters *fs, const Podd__ImageRecord *rec,
			 const struct image_facts *facts);

/* reference=PATTERN against one name ("host/path/name:tag"): podman's
 * candidates (the name, without host, without path, each with and
 * without its tag) against a path.Match pattern. Exposed for tests. */
bool image_reference_matches(const char *pattern, const char *name);

#endif
