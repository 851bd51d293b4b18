/* podctl history [-H=BOOL] [--no-trunc] [-q] [--format json|TEMPLATE] IMAGE
 * (also `image history`): the image config's history, newest first, as
 * podman's libimage computes it. Walking the entries from the newest and
 * the layers from the top, an entry that made a layer (not empty_layer)
 * gets that layer's size and moves the walk one layer down; the newest
 * entry is the image's id, an entry whose layer is the top layer of an
 * image is that image's id (the first such image, each id used once), and
 * the rest are <missing>. The config comes from podd-image (with each
 * layer's size from the store), the records from podd-state. An image's
 * words (created_by, comment) are hostile text: the table and templates
 * show them through term_safe; JSON escapes them anyway. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "rfc3339.h"
#include "term_safe.h"
#include "images.h"

#define CREATED_BY_MAX 45 /* podman cuts longer ones to 42 bytes and "..." */

struct history_opts {
	bool human, no_trunc, quiet;
	const char *format;
};

struct history_row {
	const char *id; /* 64 hex, or "<missing>" */
	int64_t created_ns;
	const char *created_by, *comment;
	uint64_t size;
};

/* The image whose top layer is `chain` (64 hex) and whose id is not yet
 * used; NULL if none. */
static const char *image_with_top(const struct image_list *all, const char *chain,
				  const char **used, size_t n_used)
{
	for (size_t i = 0; i < all->n; i++) {
		const Podd__ImageRecord *r = all->v[i];
		bool taken = false;
		if (strcmp(r->top_layer, chain) != 0)
			continue;
		for (size_t k = 0; k < n_used; k++)
			taken |= strcmp(used[k], r->id) == 0;
		return taken ? NULL : r->id;
	}
	return NULL;
}

static int history_rows(const Podd__ImageRecord *rec, const Podd__ImageConfig *cfg,
			const struct image_list *all, struct history_row **out, size_t *n,
			podd_error_t *err)
{
	size_t nh = cfg->n_history;
	struct history_row *rows = calloc(nh ? nh : 1, sizeof(*rows));
	cleanup_free const char **used = calloc(nh ? nh : 1, sizeof(char *));
	size_t n_used = 0;
	/* The layer the walk is at, counted from the base; -1: none left. */
	long layer = (long)cfg->n_chain_ids - 1;

	if (rows == NULL || used == NULL) {
		free(rows);
		return podd_error_sys(err, ENOMEM, "history");
	}
	if (cfg->n_layer_sizes != cfg->n_chain_ids) {
		free(rows);
		return podd_error(err, PODD_E_PROTOCOL, "podd-image: %zu layer sizes for %zu layers",
				  cfg->n_layer_sizes, cfg->n_chain_ids);
	}
	for (size_t x = 0; x < nh; x++) {
		const Podd__ImageHistory *h = cfg->history[nh - 1 - x];
		struct history_row *row = &rows[x];
		row->id = x == 0 ? rec->id : "<missing>";
		row->created_ns = h->created_ns;
		row->created_by = h->created_by;
		row->comment = h->comment;
		if (layer < 0)
			continue;
		if (!h->empty_layer)
			row->size = cfg->layer_sizes[layer];
		const char *top = image_with_top(all, cfg->chain_ids[layer], used, n_used);
		if (top) {
			row->id = top;
			used[n_used++] = top;
		}
		if (!h->empty_layer)
			layer--;
	}
	*out = rows;
	*n = nh;
	return 0;
}

static void id_text(const struct history_row *r, bool no_trunc, char out[80])
{
	if (strcmp(r->id, "<missing>") == 0 || no_trunc)
		snprintf(out, 80, "%s", r->id);
	else
		snprintf(out, 80, "%.12s", r->id);
}

/* The image's words, which are hostile text: made terminal-safe. */
static char *created_by_text(const char *raw, bool no_trunc)
{
	cleanup_free char *s = term_safe(raw);
	char *out = NULL;

	if (s == NULL)
		return NULL;
	if (no_trunc || strlen(s) <= CREATED_BY_MAX)
		return steal_pointer(&s);
	if (asprintf(&out, "%.*s...", CREATED_BY_MAX - 3, s) < 0)
		return NULL;
	return out;
}

static char *created_text(const struct history_row *r, bool human, int64_t now)
{
	if (human)
		return format_human_duration((now - r->created_ns) / 1000000000LL);
	return format_rfc3339_seconds(r->created_ns);
}

/* podman's JSON: its key names as they are, "created" with nanoseconds
 * and "Created" with seconds. */
static json_object *row_json(const struct history_row *r)
{
	json_object *o = json_object_new_object();
	cleanup_free char *nano = podd_rfc3339_nano(r->created_ns);
	cleanup_free char *secs = format_rfc3339_seconds(r->created_ns);

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "created", json_object_new_string(nano ? nano : ""));
	json_object_object_add(o, "CreatedBy", json_object_new_string(r->created_by));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)r->size));
	if (r->comment[0]) /* omitempty */
		json_object_object_add(o, "comment", json_object_new_string(r->comment));
	json_object_object_add(o, "Created", json_object_new_string(secs ? secs : ""));
	return o;
}

/* The fields podman's history template knows. */
static json_object *row_template(const struct history_row *r, const struct history_opts *o,
				 int64_t now)
{
	json_object *t = json_object_new_object();
	cleanup_free char *created = created_text(r, o->human, now);
	cleanup_free char *since = created_text(r, o->human, now);
	cleanup_free char *at = format_go_time_seconds(r->created_ns);
	cleanup_free char *by = created_by_text(r->created_by, o->no_trunc);
	cleanup_free char *size = format_size((int64_t)r->size);
	cleanup_free char *comment = term_safe(r->comment);
	char id[80];

	id_text(r, o->no_trunc, id);
	json_object_object_add(t, "ID", json_object_new_string(id));
	json_object_object_add(t, "Created", json_object_new_string(created ? created : ""));
	json_object_object_add(t, "CreatedSince", json_object_new_string(since ? since : ""));
	json_object_object_add(t, "CreatedAt", json_object_new_string(at ? at : ""));
	json_object_object_add(t, "CreatedBy", json_object_new_string(by ? by : ""));
	json_object_object_add(t, "Size", json_object_new_string(size ? size : ""));
	json_object_object_add(t, "Comment", json_object_new_string(comment ? comment : ""));
	json_object_object_add(t, "Tags", json_object_new_array());
	return t;
}

static int print_rows(const struct history_row *rows, size_t n, const struct history_opts *o,
		     podd_error_t *err)
{
	static const char *const headers[] = { "ID", "CREATED", "CREATED BY", "SIZE", "COMMENT" };
	int64_t now;
	struct timespec ts;
	char id[80];

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (o->quiet) {
		for (size_t i = 0; i < n; i++) {
			id_text(&rows[i], o->no_trunc, id);
			printf("%s\n", id);
		}
		return 0;
	}
	if (format_is_json(o->format)) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, row_json(&rows[i]));
		print_json_go(a); /* podman's: compact, Go's escapes */
		json_object_put(a);
		return 0;
	}
	if (format_is_table(o->format)) {
		static const struct format_header none[] = { { NULL, NULL } };
		json_object **objs = calloc(n + 1, sizeof(*objs));
		int r;
		if (objs == NULL)
			return podd_error_sys(err, ENOMEM, "history");
		for (size_t i = 0; i < n; i++)
			objs[i] = row_template(&rows[i], o, now);
		r = format_table(o->format, objs, n, none, err);
		for (size_t i = 0; i < n; i++)
			json_object_put(objs[i]);
		free(objs);
		return r;
	}
	if (o->format) {
		for (size_t i = 0; i < n; i++) {
			json_object *t = row_template(&rows[i], o, now);
			int r = format_template(o->format, t, err);
			json_object_put(t);
			if (r < 0)
				return -1;
		}
		return 0;
	}
	char ***cells = calloc(n + 1, sizeof(char **));
	if (cells == NULL)
		return podd_error_sys(err, ENOMEM, "history");
	for (size_t i = 0; i < n; i++) {
		cells[i] = calloc(5, sizeof(char *));
		if (cells[i] == NULL)
			continue;
		id_text(&rows[i], o->no_trunc, id);
		cells[i][0] = strdup(id);
		cells[i][1] = created_text(&rows[i], o->human, now);
		cells[i][2] = created_by_text(rows[i].created_by, o->no_trunc);
		cells[i][3] = format_size((int64_t)rows[i].size);
		cells[i][4] = term_safe(rows[i].comment);
	}
	print_columns(headers, 5, cells, n);
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; cells[i] && c < 5; c++)
			free(cells[i][c]);
		free(cells[i]);
	}
	free(cells);
	return 0;
}

static int history(struct engine *e, const char *name, const struct history_opts *o,
		   podd_error_t *err)
{
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	__attribute__((cleanup(image_list_free))) struct image_list all = { 0 };
	cleanup_free struct history_row *rows = NULL;
	Podd__ImageConfig *cfg = NULL;
	size_t n = 0;
	int rc;

	if (image_lookup(e, name, &rec, err) < 0 || image_list_all(e, &all, err) < 0 ||
	    image_config_get(e, rec->id, rec->manifest_digest, &cfg, err) < 0)
		return -1;
	if (cfg->history_dropped) {
		podd__image_config__free_unpacked(cfg, NULL);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s: the image's history is too long to show", name);
	}
	rc = history_rows(rec, cfg, &all, &rows, &n, err);
	if (rc == 0)
		rc = print_rows(rows, n, o, err);
	podd__image_config__free_unpacked(cfg, NULL);
	return rc;
}

int cmd_history(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", optional_argument, NULL, 'H' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "notruncate", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct history_opts o = { .human = true };
	podd_error_t err = NULL;
	struct engine e;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+H::qh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			/* -H=false: getopt leaves the '=' of the short form. */
			if (optarg && optarg[0] == '=')
				optarg++;
			if (optarg == NULL || strcmp(optarg, "true") == 0) {
				o.human = true;
			} else if (strcmp(optarg, "false") == 0) {
				o.human = false;
			} else {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"-H, --human\" flag: "
					"strconv.ParseBool: parsing \"%s\": invalid syntax\n",
					optarg, optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'T':
			o.no_trunc = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'f':
			/* "table" alone is the default table, as in podman */
			o.format = strcmp(optarg, "table") == 0 ? NULL : optarg;
			break;
		case 'h':
			printf("Usage: podctl history [options] IMAGE\n\n"
			       "Show history of a specified image\n\n"
			       "Options:\n"
			       "      --format string   Change the output to JSON or a Go template\n"
			       "  -H, --human           Display sizes and dates in human readable "
			       "format (default true)\n"
			       "      --no-trunc        Do not truncate the output\n"
			       "  -q, --quiet           Display the numeric IDs only\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: accepts 1 arg(s), received %d\n", argc - optind);
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    history(&e, argv[optind], &o, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}
