/* podctl images [-a] [-q] [--no-trunc] [--format json|TEMPLATE] (also
 * `image ls`, `image list`): podman's columns, one row per name, an image
 * without a name as <none> <none>, newest first. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image_filter.h"
#include "images.h"

#define NAME_BUF 512

struct image_row {
	const Podd__ImageRecord *rec;
	char repo[NAME_BUF];
	char tag[NAME_BUF];
};

static int row_cmp(const void *a, const void *b)
{
	const struct image_row *x = a, *y = b;

	/* Newest first; rows that tie keep the list's order, which keeps one
	 * image's names together in the order they were added, as podman
	 * lists them (the sort here is stable). */
	if (x->rec->created_ns != y->rec->created_ns)
		return x->rec->created_ns > y->rec->created_ns ? -1 : 1;
	return 0;
}

static json_object *strv_json(char **v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* RepoDigests: each name's repository at each digest, as podman. */
static json_object *repo_digests_json(const Podd__ImageRecord *r)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < r->n_names; i++) {
		char repo[NAME_BUF], tag[NAME_BUF], *s = NULL;
		image_name_split(r->names[i], repo, sizeof(repo), tag, sizeof(tag));
		for (size_t k = 0; k < r->n_digests; k++) {
			bool dup = false;
			if (asprintf(&s, "%s@%s", repo, r->digests[k]) < 0)
				continue;
			for (size_t j = 0; j < json_object_array_length(a); j++)
				if (strcmp(json_object_get_string(json_object_array_get_idx(a, j)),
					   s) == 0)
					dup = true;
			if (!dup)
				json_object_array_add(a, json_object_new_string(s));
			free(s);
		}
	}
	return a;
}

static const char *image_digest(const Podd__ImageRecord *r)
{
	if (r->manifest_digest[0])
		return r->manifest_digest;
	return r->n_digests ? r->digests[0] : "";
}

/* podman images --format json: one object per image. */
static json_object *image_json(const Podd__ImageRecord *r)
{
	json_object *o = json_object_new_object();
	time_t secs = (time_t)(r->created_ns / 1000000000LL);
	struct tm tm;
	char buf[64];

	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "Id", json_object_new_string(r->id));
	json_object_object_add(o, "ParentId", json_object_new_string(""));
	json_object_object_add(o, "RepoTags", NULL);
	json_object_object_add(o, "RepoDigests", repo_digests_json(r));
	json_object_object_add(o, "Size", json_object_new_int64(r->size));
	json_object_object_add(o, "SharedSize", json_object_new_int64(0));
	json_object_object_add(o, "VirtualSize", json_object_new_int64(r->size));
	json_object_object_add(o, "Labels", NULL);
	json_object_object_add(o, "Containers", json_object_new_int(0));
	if (r->n_names)
		json_object_object_add(o, "Names", strv_json(r->names, r->n_names));
	else
		json_object_object_add(o, "Dangling", json_object_new_boolean(true));
	json_object_object_add(o, "Digest", json_object_new_string(image_digest(r)));
	if (r->n_names)
		json_object_object_add(o, "History", strv_json(r->names, r->n_names));
	json_object_object_add(o, "Created", json_object_new_int64((int64_t)secs));
	json_object_object_add(o, "CreatedAt", json_object_new_string(buf));
	return o;
}

/* The fields podman's images template knows, for one row. */
static json_object *row_template_json(const struct image_row *row, bool no_trunc, int64_t now)
{
	json_object *o = image_json(row->rec);
	cleanup_free char *since = format_human_duration((now - row->rec->created_ns) /
							 1000000000LL);
	cleanup_free char *size = format_size(row->rec->size);
	cleanup_free char *at = format_go_time_seconds(row->rec->created_ns);
	char id[80];

	snprintf(id, sizeof(id), no_trunc ? "sha256:%s" : "%.12s", row->rec->id);
	json_object_object_add(o, "ID", json_object_new_string(id));
	json_object_object_add(o, "Repository", json_object_new_string(row->repo));
	json_object_object_add(o, "Tag", json_object_new_string(row->tag));
	json_object_object_add(o, "CreatedSince", json_object_new_string(since ? since : ""));
	json_object_object_add(o, "CreatedAt", json_object_new_string(at ? at : ""));
	json_object_object_add(o, "Size", json_object_new_string(size ? size : ""));
	json_object_object_add(o, "ReadOnly", json_object_new_boolean(false));
	/* podman's struct has these whether or not its JSON omits them */
	json_object_object_add(o, "Dangling", json_object_new_boolean(row->rec->n_names == 0));
	if (row->rec->n_names == 0) {
		json_object_object_add(o, "Names", json_object_new_array());
		json_object_object_add(o, "History", json_object_new_array());
	}
	return o;
}

struct images_opts {
	bool quiet, no_trunc, digests, heading, all;
	const char *format, *sort;
	char *filters[IMAGE_FILTERS_MAX + 1];
	size_t n_filters;
};

/* podman's columns, one row per name; DIGEST after TAG with --digests. */
static void print_table(struct image_row *rows, size_t n, const struct images_opts *o,
			int64_t now)
{
	const char *const headers[6] = { "REPOSITORY", "TAG", o->digests ? "DIGEST" : "IMAGE ID",
					 o->digests ? "IMAGE ID" : "CREATED",
					 o->digests ? "CREATED" : "SIZE", "SIZE" };
	const size_t ncols = o->digests ? 6 : 5;
	char ***all = calloc(n + 1, sizeof(char **));

	if (all == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		char id[80];
		size_t c = 0;
		all[i] = calloc(6, sizeof(char *));
		if (all[i] == NULL)
			continue;
		snprintf(id, sizeof(id), o->no_trunc ? "sha256:%s" : "%.12s", rows[i].rec->id);
		all[i][c++] = strdup(rows[i].repo);
		all[i][c++] = strdup(rows[i].tag);
		if (o->digests)
			all[i][c++] = strdup(image_digest(rows[i].rec));
		all[i][c++] = strdup(id);
		all[i][c++] = format_human_duration((now - rows[i].rec->created_ns) / 1000000000LL);
		all[i][c++] = format_size(rows[i].rec->size);
	}
	print_columns(o->heading ? headers : NULL, ncols, all, n);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; all[i] && c < 6; c++)
			free(all[i][c]);
		free(all[i]);
	}
	free(all);
}

/* --sort: podman's keys; created is newest first, the others ascending. */
static int row_cmp_by(const struct image_row *x, const struct image_row *y, const char *key)
{
	int c = 0;

	if (strcmp(key, "id") == 0)
		c = strcmp(x->rec->id, y->rec->id);
	else if (strcmp(key, "repository") == 0)
		c = strcmp(x->repo, y->repo);
	else if (strcmp(key, "tag") == 0)
		c = strcmp(x->tag, y->tag);
	else if (strcmp(key, "size") == 0)
		c = x->rec->size < y->rec->size ? -1 : x->rec->size > y->rec->size;
	return c ? c : row_cmp(x, y);
}

static int parse_images_opts(int argc, char **argv, struct images_opts *o)
{
	enum { OPT_FORMAT = 256, OPT_DIGESTS, OPT_SORT };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "filter", required_argument, NULL, 'f' },
		{ "digests", no_argument, NULL, OPT_DIGESTS },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "noheading", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct images_opts){ .heading = true, .sort = "created" };
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aqnf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'T':
			o->no_trunc = true;
			break;
		case OPT_FORMAT:
			/* "table" alone is the default table, as in podman */
			o->format = strcmp(optarg, "table") == 0 ? NULL : optarg;
			break;
		case 'f':
			if (o->n_filters == IMAGE_FILTERS_MAX - 1) {
				fprintf(stderr, "Error: more than %d filters\n", IMAGE_FILTERS_MAX - 1);
				return -1;
			}
			o->filters[o->n_filters++] = optarg;
			break;
		case OPT_DIGESTS:
			o->digests = true;
			break;
		case OPT_SORT:
			if (strcmp(optarg, "created") != 0 && strcmp(optarg, "id") != 0 &&
			    strcmp(optarg, "repository") != 0 && strcmp(optarg, "size") != 0 &&
			    strcmp(optarg, "tag") != 0) {
				fprintf(stderr,
					"Error: \"%s\" is not a valid option for --sort: created, id, "
					"repository, size, tag\n",
					optarg);
				return -1;
			}
			o->sort = optarg;
			break;
		case 'n':
			o->heading = false;
			break;
		case 'h':
			printf("Usage: podctl images [-a] [-q] [--no-trunc] [--digests] "
			       "[-f FILTER]... [--sort KEY] [--noheading] [--format json|TEMPLATE] "
			       "[IMAGE]\n\nList images in local storage.\n");
			return 1;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "Error: accepts at most 1 arg(s), received %d\n", argc - optind);
		return -1;
	}
	/* podman's images hides intermediate images unless -a, through a
	 * filter of its own (so intermediate=true without -a conflicts). */
	if (!o->all)
		o->filters[o->n_filters++] = "intermediate=false";
	return 0;
}

/* podman images NAME: rows whose repository is NAME (or ends in /NAME),
 * and whose tag matches one given. */
static bool row_named(const struct image_row *row, const char *name)
{
	char frepo[NAME_BUF], ftag[NAME_BUF];
	const char *last = strrchr(name, '/');
	bool has_tag = strchr(last ? last : name, ':') != NULL;
	size_t fl, rl;

	image_name_split(name, frepo, sizeof(frepo), ftag, sizeof(ftag));
	fl = strlen(frepo);
	rl = strlen(row->repo);
	if (!(strcmp(frepo, row->repo) == 0 ||
	      (rl > fl && row->repo[rl - fl - 1] == '/' && strcmp(row->repo + rl - fl, frepo) == 0)))
		return false;
	return !has_tag || strcmp(ftag, row->tag) == 0;
}

/* Whether row i is its image's first (rows of one image are one per name). */
static bool first_row(const struct image_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (rows[j].rec == rows[i].rec)
			return false;
	return true;
}

static int print_images(struct image_row *rows, size_t nrows, const struct images_opts *o,
			int64_t now, podd_error_t *err)
{
	if (o->quiet) {
		for (size_t i = 0; i < nrows; i++)
			if (first_row(rows, i))
				printf(o->no_trunc ? "sha256:%s\n" : "%.12s\n", rows[i].rec->id);
	} else if (format_is_json(o->format)) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < nrows; i++)
			if (first_row(rows, i))
				json_object_array_add(a, image_json(rows[i].rec));
		print_json_indented(a, 4, true);
		json_object_put(a);
	} else if (format_is_table(o->format)) {
		static const struct format_header headers[] = {
			{ "ID", "IMAGE ID" }, { "ReadOnly", "R/O" }, { NULL, NULL }
		};
		json_object **objs = calloc(nrows + 1, sizeof(*objs));
		int r;
		if (objs == NULL)
			return podd_error_sys(err, ENOMEM, "images");
		for (size_t i = 0; i < nrows; i++)
			objs[i] = row_template_json(&rows[i], o->no_trunc, now);
		r = format_table(o->format, objs, nrows, headers, err);
		for (size_t i = 0; i < nrows; i++)
			json_object_put(objs[i]);
		free(objs);
		if (r < 0)
			return -1;
	} else if (o->format) {
		for (size_t i = 0; i < nrows; i++) {
			json_object *t = row_template_json(&rows[i], o->no_trunc, now);
			int r = format_template(o->format, t, err);
			json_object_put(t);
			if (r < 0)
				return -1;
		}
	} else {
		print_table(rows, nrows, o, now);
	}
	return 0;
}

int cmd_images(const struct global_opts *g, int argc, char **argv)
{
	struct images_opts o;
	__attribute__((cleanup(image_list_free))) struct image_list l = { 0 };
	cleanup_free struct image_row *rows = NULL;
	size_t nrows = 0, cap = 0;
	podd_error_t err = NULL;
	struct engine e;
	struct timespec ts;
	int64_t now;
	int rc = parse_images_opts(argc, argv, &o);
	bool labels = false;

	if (rc != 0)
		return rc > 0 ? 0 : EXIT_ENGINE;
	const char *name = optind < argc ? argv[optind] : NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	for (size_t i = 0; i < o.n_filters; i++)
		labels |= strncmp(o.filters[i], "label", 5) == 0;
	/* Labels are in the configs, which only podd-image reads. */
	if (engine_start(&e, g, NEED_STATE | (labels ? NEED_IMAGE : 0), &err) < 0 ||
	    image_list_all(&e, &l, &err) < 0 ||
	    image_list_filter(&e, o.filters, o.n_filters, now, &l, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	engine_stop(&e);
	for (size_t i = 0; i < l.n; i++)
		cap += l.v[i]->n_names ? l.v[i]->n_names : 1;
	rows = calloc(cap + 1, sizeof(*rows));
	if (rows == NULL)
		return EXIT_ENGINE;
	for (size_t i = 0; i < l.n; i++) {
		const Podd__ImageRecord *r = l.v[i];
		for (size_t k = 0; k < (r->n_names ? r->n_names : 1); k++) {
			struct image_row *row = &rows[nrows];
			row->rec = r;
			if (r->n_names) {
				image_name_split(r->names[k], row->repo, sizeof(row->repo), row->tag,
						 sizeof(row->tag));
			} else {
				snprintf(row->repo, sizeof(row->repo), "<none>");
				snprintf(row->tag, sizeof(row->tag), "<none>");
			}
			if (name == NULL || row_named(row, name))
				nrows++;
		}
	}
	/* Insertion sort: glibc's qsort asks sysinfo(2) how much memory
	 * there is, which podctl's sandbox does not allow. */
	for (size_t i = 1; i < nrows; i++) {
		struct image_row tmp = rows[i];
		size_t j = i;
		for (; j > 0 && row_cmp_by(&rows[j - 1], &tmp, o.sort) > 0; j--)
			rows[j] = rows[j - 1];
		rows[j] = tmp;
	}
	if (print_images(rows, nrows, &o, now, &err) < 0)
		return report_error(&err);
	return 0;
}
