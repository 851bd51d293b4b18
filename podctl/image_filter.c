/* Image filters (image_filter.h), with podman 4.3's messages. */
#include "image_filter.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "reference.h"

static const struct {
	const char *name;
	enum image_filter_key key;
} keys[] = {
	{ "after", IMAGE_FILTER_AFTER },
	{ "since", IMAGE_FILTER_AFTER },
	{ "before", IMAGE_FILTER_BEFORE },
	{ "containers", IMAGE_FILTER_CONTAINERS },
	{ "dangling", IMAGE_FILTER_DANGLING },
	{ "id", IMAGE_FILTER_ID },
	{ "intermediate", IMAGE_FILTER_INTERMEDIATE },
	{ "label", IMAGE_FILTER_LABEL },
	{ "readonly", IMAGE_FILTER_READONLY },
	{ "reference", IMAGE_FILTER_REFERENCE },
	{ "until", IMAGE_FILTER_UNTIL },
};

static const char *key_name(enum image_filter_key k)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].key == k)
			return keys[i].name;
	return "?";
}

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* What c/common's timetype accepts: a duration before now, Unix seconds
 * (with a fraction), RFC 3339, or a date and time without a zone (UTC
 * here, where podd's machines keep their clocks). */
static int parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
	static const char *const layouts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
					       "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
	int64_t d;

	/* "0" is not a duration to c/common: it is the epoch. */
	if (strcmp(s, "0") != 0 && podd_go_duration_parse(s, &d) == 0) {
		/* now_ns is not negative: only a negative d (a time ahead) can
		 * leave int64. */
		if (d < 0 && now_ns > INT64_MAX + d)
			return -1;
		*ns = now_ns - d;
		return 0;
	}
	if (podd_epoch_seconds_parse(s, ns) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct tm tm = { 0 };
		const char *rest = strptime(s, layouts[i], &tm);
		long frac = 0, offset = 0;
		if (rest == NULL)
			continue;
		if (*rest == '.') {
			size_t digits = 0;
			if (!isdigit((unsigned char)rest[1]))
				continue;
			for (rest++; isdigit((unsigned char)*rest); rest++, digits++)
				if (digits < 9)
					frac = frac * 10 + (*rest - '0');
			for (; digits < 9; digits++)
				frac *= 10;
		}
		if (*rest == 'Z') {
			rest++;
		} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 && rest[3] == ':' &&
			   isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2]) &&
			   isdigit((unsigned char)rest[4]) && isdigit((unsigned char)rest[5])) {
			offset = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
				 ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
			if (*rest == '-')
				offset = -offset;
			rest += 6;
		}
		if (*rest != '\0')
			continue;
		time_t t = timegm(&tm);
		if (t == (time_t)-1 || t - offset < 0 || t - offset > INT64_MAX / 1000000000LL - 1)
			return -1;
		*ns = ((int64_t)t - offset) * 1000000000LL + frac;
		return 0;
	}
	return -1;
}

static bool is_bool_key(enum image_filter_key k)
{
	return k == IMAGE_FILTER_DANGLING || k == IMAGE_FILTER_INTERMEDIATE ||
	       k == IMAGE_FILTER_READONLY;
}

int image_filters_parse(char *const *specs, size_t n, int64_t now_ns, struct image_filters *fs,
			podd_error_t *err)
{
	memset(fs, 0, sizeof(*fs));
	if (n > IMAGE_FILTERS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "more than %d image filters",
				  IMAGE_FILTERS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(specs[i], '=');
		struct image_filter_one *f = &fs->f[fs->n];
		size_t klen;
		bool found = false;

		if (eq == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid image filter \"%s\": must be in the format "
					  "\"filter=value or filter!=value\"",
					  specs[i]);
		f->negate = eq > specs[i] && eq[-1] == '!';
		klen = (size_t)(eq - specs[i]) - (f->negate ? 1 : 0);
		f->value = eq + 1;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k].name) == klen && strncmp(keys[k].name, specs[i], klen) == 0) {
				f->key = keys[k].key;
				found = true;
			}
		if (!found)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "unsupported image filter \"%.*s\"", (int)klen, specs[i]);
		switch (f->key) {
		case IMAGE_FILTER_DANGLING:
		case IMAGE_FILTER_INTERMEDIATE:
		case IMAGE_FILTER_READONLY:
			/* podman's message, its words swapped as they are. */
			if (parse_bool(f->value, &f->flag) < 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "non-boolean value \"%s\" for %s filter: "
						  "strconv.ParseBool: parsing \"%s\": invalid syntax",
						  key_name(f->key), f->value, f->value);
			break;
		case IMAGE_FILTER_CONTAINERS:
			/* true, false, or a container's name or id: checked
			 * against the containers (image_filters_check). */
			if (f->value[0] == '\0')
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "unsupported value \"\" for containers filter");
			break;
		case IMAGE_FILTER_UNTIL:
			if (parse_time(f->value, now_ns, &f->time_ns) < 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "failed to parse value as time or duration: \"%s\"",
						  f->value);
			break;
		case IMAGE_FILTER_AFTER:
		case IMAGE_FILTER_BEFORE:
		case IMAGE_FILTER_ID:
		case IMAGE_FILTER_LABEL:
		case IMAGE_FILTER_REFERENCE:
			break;
		default:
			return podd_error(err, PODD_E_INTERNAL, "image filter %d", (int)f->key);
		}
		/* A boolean key twice with different values. */
		for (size_t k = 0; is_bool_key(f->key) && k < fs->n; k++)
			if (fs->f[k].key == f->key && (fs->f[k].flag ^ fs->f[k].negate) !=
							      (f->flag ^ f->negate))
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "specifying \"%s\" filter more than once with "
						  "different values is not supported",
						  key_name(f->key));
		fs->n++;
	}
	return 0;
}

/* images' own lookup of a name, id or id prefix among the records. */
static const Podd__ImageRecord *find_image(const char *ref, Podd__ImageRecord *const *all,
					   size_t n)
{
	char full[PODD_REFERENCE_MAX];
	struct podd_reference r;
	podd_error_t e = NULL;

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->id, ref) == 0)
			return all[i];
	if (podd_reference_parse(ref, &r, &e) == 0) {
		if (r.tag[0] == '\0' && r.digest[0] == '\0')
			snprintf(r.tag, sizeof(r.tag), "latest");
		podd_reference_string(&r, full, sizeof(full));
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < all[i]->n_names; k++)
				if (strcmp(all[i]->names[k], full) == 0 ||
				    (!r.qualified && image_reference_matches(ref, all[i]->names[k])))
					return all[i];
	}
	podd_error_free(&e);
	if (strlen(ref) >= 3 && strspn(ref, "0123456789abcdef") == strlen(ref))
		for (size_t i = 0; i < n; i++)
			if (strncmp(all[i]->id, ref, strlen(ref)) == 0)
				return all[i];
	return NULL;
}

int image_filters_resolve(struct image_filters *fs, Podd__ImageRecord *const *all, size_t n,
			  podd_error_t *err)
{
	for (size_t i = 0; i < fs->n; i++) {
		struct image_filter_one *f = &fs->f[i];
		const Podd__ImageRecord *r;
		if (f->key != IMAGE_FILTER_AFTER && f->key != IMAGE_FILTER_BEFORE)
			continue;
		r = find_image(f->value, all, n);
		if (r == NULL)
			return podd_error(err, PODD_E_NO_SUCH_OBJECT,
					  "could not find local image for filter filter \"%s\"=\"%s\": "
					  "%s: image not known",
					  f->key == IMAGE_FILTER_AFTER ? "since" : "before", f->value,
					  f->value);
		f->time_ns = r->created_ns;
	}
	return 0;
}

static bool names_container(const char *value, char *const *ids, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], value) == 0 || strcmp(names[i], value) == 0 ||
		    (strlen(value) >= 3 && strncmp(ids[i], value, strlen(value)) == 0))
			return true;
	return false;
}

int image_filters_check_containers(const struct image_filters *fs, char *const *ids,
				   char *const *names, size_t n, podd_error_t *err)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct image_filter_one *f = &fs->f[i];
		bool b;
		if (f->key == IMAGE_FILTER_CONTAINERS && parse_bool(f->value, &b) < 0 &&
		    !names_container(f->value, ids, names, n))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "unsupported value \"%s\" for containers filter", f->value);
	}
	return 0;
}

bool image_filters_need_labels(const struct image_filters *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].key == IMAGE_FILTER_LABEL)
			return true;
	return false;
}

bool image_filters_need_containers(const struct image_filters *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].key == IMAGE_FILTER_CONTAINERS)
			return true;
	return false;
}

/* Go's path.Match, which fnmatch(3) with FNM_PATHNAME is. */
static bool glob(const char *pattern, const char *s, size_t len)
{
	char buf[PODD_REFERENCE_MAX];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return fnmatch(pattern, buf, FNM_PATHNAME) == 0;
}

bool image_reference_matches(const char *pattern, const char *name)
{
	const char *slash = strchr(name, '/');
	const char *path = slash ? slash + 1 : name;     /* without the host */
	const char *last = strrchr(name, '/');
	const char *base = last ? last + 1 : name;       /* without host and path */
	const char *tag = strrchr(base, ':');
	size_t tag_len = tag ? strlen(tag) : 0;

	/* With the tag, then without. */
	return glob(pattern, name, strlen(name)) || glob(pattern, path, strlen(path)) ||
	       glob(pattern, base, strlen(base)) ||
	       glob(pattern, name, strlen(name) - tag_len) ||
	       glob(pattern, path, strlen(path) - tag_len) ||
	       glob(pattern, base, strlen(base) - tag_len);
}

static bool label_matches(const char *value, const struct image_facts *facts)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq ? (size_t)(eq - value) : strlen(value);

	for (size_t i = 0; facts && i < facts->n_labels; i++)
		if (strlen(facts->label_keys[i]) == klen &&
		    strncmp(facts->label_keys[i], value, klen) == 0 &&
		    (eq == NULL || strcmp(facts->label_values[i], eq + 1) == 0))
			return true;
	return false;
}

static bool containers_match(const struct image_filter_one *f, const struct image_facts *facts)
{
	bool b;
	size_t n = facts ? facts->n_containers : 0;

	if (parse_bool(f->value, &b) == 0)
		return b == (n > 0);
	return n > 0 && names_container(f->value, facts->container_ids, facts->container_names, n);
}

static bool one_matches(const struct image_filter_one *f, const Podd__ImageRecord *rec,
			const struct image_facts *facts)
{
	bool dangling = rec->n_names == 0;

	switch (f->key) {
	case IMAGE_FILTER_AFTER:
		return rec->created_ns > f->time_ns;
	case IMAGE_FILTER_BEFORE:
		return rec->created_ns < f->time_ns;
	case IMAGE_FILTER_UNTIL:
		return rec->created_ns < f->time_ns;
	case IMAGE_FILTER_CONTAINERS:
		return containers_match(f, facts);
	case IMAGE_FILTER_DANGLING:
		return dangling == f->flag;
	case IMAGE_FILTER_ID:
		return strcmp(rec->id, f->value) == 0; /* podman's: the whole id */
	case IMAGE_FILTER_INTERMEDIATE:
		return (dangling && facts && facts->is_parent) == f->flag;
	case IMAGE_FILTER_LABEL:
		return label_matches(f->value, facts);
	case IMAGE_FILTER_READONLY:
		return !f->flag; /* podd has no read-only image stores */
	case IMAGE_FILTER_REFERENCE:
		for (size_t i = 0; i < rec->n_names; i++)
			if (image_reference_matches(f->value, rec->names[i]))
				return true;
		return false;
	default:
		return false;
	}
}

bool image_filters_match(const struct image_filters *fs, const Podd__ImageRecord *rec,
			 const struct image_facts *facts)
{
	for (size_t i = 0; i < fs->n; i++) {
		const enum image_filter_key key = fs->f[i].key;
		bool seen = false, any = false, positives = false;

		/* Each key once, at its first filter. */
		for (size_t k = 0; k < i; k++)
			seen |= fs->f[k].key == key;
		if (seen)
			continue;
		for (size_t k = i; k < fs->n; k++) {
			const struct image_filter_one *f = &fs->f[k];
			if (f->key != key)
				continue;
			if (f->negate) {
				if (one_matches(f, rec, facts))
					return false;
			} else {
				positives = true;
				any |= one_matches(f, rec, facts);
			}
		}
		if (positives && !any)
			return false;
	}
	return true;
}
