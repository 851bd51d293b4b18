/* podctl ps [-a] [-q] [-s|--size] [--no-trunc] [--format json|TEMPLATE] */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image_use.h"
#include "podctl.h"
#include "ps_filter.h"
#include "records.h"

struct ps_opts {
	bool all, quiet, no_trunc, size, heading;
	const char *format;
	const char *sort; /* --sort: created (the default), id, names, image, command, status */
	long last;        /* -n/--last, -l (1): the newest this many; -1 all */
	char *filters[PS_FILTERS_MAX + 1];
	size_t n_filters;
};

#define NCOLS 8 /* SIZE only with --size */

struct row {
	char *cols[NCOLS];
	char *id;           /* for -q and --size */
	int64_t created_ns; /* the order rows are printed in */
	char *sort_text;    /* --sort's key, when it is not the time */
	int64_t image_size;
	json_object *json;  /* this row's object in ctx->json, if any */
};

struct ps_ctx {
	struct ps_opts o;
	struct ps_filters filters;
	int64_t now_ns;
	json_object *json;
	bool template; /* --format TEMPLATE: rows as podman's templates see them */
	struct row *rows;
	size_t n, cap;
};

static const char *const headers[NCOLS] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
					    "STATUS",       "PORTS", "NAMES",   "SIZE" };

/* Entrypoint and command, as the container runs them. */
static char *join_cmd(const Podd__ContainerRecord *rec)
{
	const Podd__ContainerConfig *c = rec->config;
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < c->n_entrypoint; i++)
		len += strlen(c->entrypoint[i]) + 1;
	for (size_t i = 0; i < c->n_cmd; i++)
		len += strlen(c->cmd[i]) + 1;
	s = p = malloc(len);
	if (s == NULL)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < c->n_entrypoint; i++)
		p += sprintf(p, "%s%s", p == s ? "" : " ", c->entrypoint[i]);
	for (size_t i = 0; i < c->n_cmd; i++)
		p += sprintf(p, "%s%s", p == s ? "" : " ", c->cmd[i]);
	return s;
}

/* podman's STATUS column: "Up 5 seconds", "Exited (3) 2 seconds ago". */
static char *status_text(const Podd__ContainerRecord *rec, int64_t now_ns)
{
	cleanup_free char *d = NULL;
	char *out = NULL;

	switch (rec->state) {
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED:
		return strdup("Created");
	case PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED:
		return strdup("Paused");
	case PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING:
		d = format_duration((now_ns - rec->started_ns) / 1000000000LL);
		if (d == NULL || asprintf(&out, "Up %s", d) < 0)
			return NULL;
		return out;
	case PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED:
		d = format_human_duration((now_ns - rec->finished_ns) / 1000000000LL);
		if (d == NULL || asprintf(&out, "Exited (%d) %s", rec->exit_code, d) < 0)
			return NULL;
		return out;
	case PODD__CONTAINER_STATE__CONTAINER_STATE_REMOVING:
		return strdup("Removing");
	default:
		return strdup("Unknown");
	}
}

/* podman's COMMAND: longer than 17 bytes, cut to 17 and "...". */
static void cut_command(char **cmd)
{
	char *grown;

	if (*cmd == NULL || strlen(*cmd) <= 17)
		return;
	grown = realloc(*cmd, 17 + sizeof("..."));
	if (grown == NULL)
		return;
	memcpy(grown + 17, "...", sizeof("..."));
	*cmd = grown;
}

/* What a --format template sees: podman's psReporter fields over the
 * JSON row, so that {{.ID}}, {{.Names}}, {{.Command}}, {{.State}} and
 * {{.Created}} print what they print with podman (a short ID and a
 * truncated command unless --no-trunc, the name, the status text, Go's
 * time format). */
static json_object *ps_template_view(json_object *o, const Podd__ContainerRecord *rec,
				     int64_t now_ns, bool no_trunc)
{
	cleanup_free char *cmd = join_cmd(rec);
	cleanup_free char *created = format_go_time(rec->created_ns);
	cleanup_free char *ago = format_human_duration((now_ns - rec->created_ns) / 1000000000LL);
	cleanup_free char *status = status_text(rec, now_ns);

	if (!no_trunc)
		cut_command(&cmd);
	json_object_object_add(o, "ID", json_object_new_string_len(rec->id, no_trunc ? 64 : 12));
	json_object_object_add(o, "Names", json_object_new_string(rec->name));
	json_object_object_add(o, "ImageID", json_object_new_string_len(rec->image_id,
									  no_trunc ? strlen(rec->image_id)
										   : strnlen(rec->image_id, 12)));
	json_object_object_add(o, "Command", json_object_new_string(cmd ? cmd : ""));
	json_object_object_add(o, "State", json_object_new_string(status ? status : ""));
	json_object_object_add(o, "Created", json_object_new_string(created ? created : ""));
	json_object_object_add(o, "CreatedAt", json_object_new_string(created ? created : ""));
	/* "2 seconds ago", as the CREATED column */
	json_object_object_add(o, "CreatedHuman", json_object_new_string(ago ? ago : ""));
	json_object_object_add(o, "RunningFor", json_object_new_string(ago ? ago : ""));
	json_object_object_add(o, "Labels", json_object_new_object());
	json_object_object_add(o, "Mounts", json_object_new_array());
	json_object_object_add(o, "Networks", json_object_new_string(""));
	json_object_object_add(o, "Ports", json_object_new_string(""));
	json_object_object_add(o, "PodName", json_object_new_string(""));
	/* without --size, podman's template prints nothing for .Size */
	json_object *size = NULL;
	if (!json_object_object_get_ex(o, "Size", &size) || size == NULL)
		json_object_object_add(o, "Size", json_object_new_string(""));
	return o;
}

static json_object *ps_json(const Podd__ContainerRecord *rec, int64_t now_ns)
{
	json_object *o = json_object_new_object(), *names = json_object_new_array(),
		    *cmd = json_object_new_array();
	cleanup_free char *ago = format_human_duration((now_ns - rec->created_ns) / 1000000000LL);
	cleanup_free char *status = status_text(rec, now_ns);

	json_object_array_add(names, json_object_new_string(rec->name));
	for (size_t i = 0; i < rec->config->n_entrypoint; i++)
		json_object_array_add(cmd, json_object_new_string(rec->config->entrypoint[i]));
	for (size_t i = 0; i < rec->config->n_cmd; i++)
		json_object_array_add(cmd, json_object_new_string(rec->config->cmd[i]));
	json_object_object_add(o, "Id", json_object_new_string(rec->id));
	json_object_object_add(o, "Image", json_object_new_string(rec->image));
	json_object_object_add(o, "ImageID", json_object_new_string(rec->image_id));
	json_object_object_add(o, "Command", cmd);
	json_object_object_add(o, "Created", json_object_new_int64(rec->created_ns / 1000000000LL));
	json_object_object_add(o, "CreatedAt", json_object_new_string(ago ? ago : ""));
	json_object_object_add(o, "State",
			       json_object_new_string(container_status_word(rec->state)));
	json_object_object_add(o, "Status", json_object_new_string(status ? status : ""));
	json_object_object_add(o, "Names", names);
	json_object_object_add(o, "Pod", json_object_new_string(rec->pod_id));
	json_object_object_add(o, "ExitCode", json_object_new_int(rec->exit_code));
	json_object_object_add(o, "Exited",
			       json_object_new_boolean(
				       rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED ||
				       rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED));
	json_object_object_add(o, "ExitedAt", json_object_new_int64(rec->finished_ns / 1000000000LL));
	json_object_object_add(o, "StartedAt", json_object_new_int64(rec->started_ns / 1000000000LL));
	json_object_object_add(o, "AutoRemove", json_object_new_boolean(rec->config->autoremove));
	json_object_object_add(o, "Pid", json_object_new_int(rec->pid));
	json_object_object_add(o, "IsInfra", json_object_new_boolean(0));
	/* podman's keys for what podd's containers have none of yet (no
	 * labels, mounts, networks or pods); Size comes with --size */
	json_object_object_add(o, "Labels", NULL);
	json_object_object_add(o, "Mounts", json_object_new_array());
	json_object_object_add(o, "Namespaces", json_object_new_object());
	json_object_object_add(o, "Networks", json_object_new_array());
	json_object_object_add(o, "PodName", json_object_new_string(""));
	json_object_object_add(o, "Ports", NULL);
	json_object_object_add(o, "Size", NULL);
	return o;
}

static json_object *row_json(const struct ps_ctx *ctx, const Podd__ContainerRecord *rec)
{
	json_object *o = ps_json(rec, ctx->now_ns);
	return ctx->template ? ps_template_view(o, rec, ctx->now_ns, ctx->o.no_trunc) : o;
}

static int add_row(const Podd__ContainerRecord *rec, void *data, podd_error_t *err)
{
	struct ps_ctx *ctx = data;
	struct row *r;

	if (!ps_filters_match(&ctx->filters, rec))
		return 0;
	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 64;
		struct row *grown = realloc(ctx->rows, cap * sizeof(*grown));
		if (grown == NULL)
			return podd_error_sys(err, ENOMEM, "ps");
		ctx->rows = grown;
		ctx->cap = cap;
	}
	r = &ctx->rows[ctx->n++];
	memset(r, 0, sizeof(*r));
	r->id = strdup(rec->id);
	r->created_ns = rec->created_ns;
	r->image_size = rec->image_size;
	if (r->id == NULL)
		return podd_error_sys(err, ENOMEM, "ps");
	if (strcmp(ctx->o.sort, "names") == 0)
		r->sort_text = strdup(rec->name);
	else if (strcmp(ctx->o.sort, "id") == 0)
		r->sort_text = strdup(rec->id);
	else if (strcmp(ctx->o.sort, "image") == 0)
		r->sort_text = strdup(rec->image);
	else if (strcmp(ctx->o.sort, "command") == 0)
		r->sort_text = join_cmd(rec);
	else if (strcmp(ctx->o.sort, "status") == 0)
		r->sort_text = status_text(rec, ctx->now_ns);
	else
		r->sort_text = strdup("");
	if (r->sort_text == NULL)
		return podd_error_sys(err, ENOMEM, "ps");
	if (ctx->o.quiet)
		return 0;
	if (ctx->json) {
		r->json = row_json(ctx, rec);
		json_object_array_add(ctx->json, r->json);
		return 0;
	}
	r->cols[0] = strndup(rec->id, ctx->o.no_trunc ? 64 : 12);
	r->cols[1] = strdup(rec->image);
	r->cols[2] = join_cmd(rec);
	if (!ctx->o.no_trunc)
		cut_command(&r->cols[2]);
	r->cols[3] = format_human_duration((ctx->now_ns - rec->created_ns) / 1000000000LL);
	r->cols[4] = status_text(rec, ctx->now_ns);
	r->cols[5] = strdup("");
	r->cols[6] = strdup(rec->name);
	r->cols[7] = strdup("");
	for (int i = 0; i < NCOLS; i++)
		if (r->cols[i] == NULL)
			return podd_error_sys(err, ENOMEM, "ps");
	return 0;
}

static void print_row(const char *const *cols, const size_t *width, int ncols)
{
	for (int c = 0; c < ncols - 1; c++)
		printf("%-*s  ", (int)width[c], cols[c]);
	printf("%s\n", cols[ncols - 1]);
}

/* Columns as podman's tabwriter sets them: padded to the widest cell plus
 * two spaces, the last column unpadded. */
static void print_table(struct ps_ctx *ctx)
{
	int ncols = ctx->o.size ? NCOLS : NCOLS - 1;
	size_t width[NCOLS];
	for (int c = 0; c < ncols; c++) {
		width[c] = strlen(headers[c]);
		for (size_t i = 0; i < ctx->n; i++)
			if (strlen(ctx->rows[i].cols[c]) > width[c])
				width[c] = strlen(ctx->rows[i].cols[c]);
	}
	if (ctx->o.heading)
		print_row(headers, width, ncols);
	for (size_t i = 0; i < ctx->n; i++)
		print_row((const char *const *)ctx->rows[i].cols, width, ncols);
}

/* --size: podman's "<rw> (virtual <rw + image>)" and the json's Size. */
static int add_sizes(struct engine *e, struct ps_ctx *ctx, podd_error_t *err)
{
	cleanup_free char **ids = calloc(ctx->n + 1, sizeof(*ids));
	cleanup_free int64_t *rw = calloc(ctx->n + 1, sizeof(*rw));

	if (ids == NULL || rw == NULL)
		return podd_error_sys(err, ENOMEM, "ps");
	for (size_t i = 0; i < ctx->n; i++)
		ids[i] = ctx->rows[i].id;
	if (container_rw_sizes(e, ids, ctx->n, rw, err) < 0)
		return -1;
	for (size_t i = 0; i < ctx->n; i++) {
		struct row *r = &ctx->rows[i];
		int64_t root = rw[i] + r->image_size;
		cleanup_free char *a = format_rw_size(rw[i]), *b = format_rw_size(root), *text = NULL;
		if (a == NULL || b == NULL || asprintf(&text, "%s (virtual %s)", a, b) < 0) {
			text = NULL;
			return podd_error_sys(err, ENOMEM, "ps");
		}
		if (r->json && ctx->template) {
			/* a template's .Size is the column's text, as podman's */
			json_object_object_add(r->json, "Size", json_object_new_string(text));
		} else if (r->json) {
			json_object *size = json_object_new_object();
			json_object_object_add(size, "rootFsSize", json_object_new_int64(root));
			json_object_object_add(size, "rwSize", json_object_new_int64(rw[i]));
			json_object_object_add(r->json, "Size", size);
		} else {
			free(r->cols[7]);
			r->cols[7] = steal_pointer(&text);
		}
	}
	return 0;
}

/* podman's order: oldest first. podd-state lists by id; insertion sort
 * keeps equal times in that order (glibc's qsort asks sysinfo(2) for the
 * memory size, which podctl's sandbox does not allow). The JSON array is
 * made again in the new order. */
static int row_cmp(const struct row *x, const struct row *y)
{
	int c = strcmp(x->sort_text, y->sort_text);
	if (c)
		return c;
	return x->created_ns < y->created_ns ? -1 : x->created_ns > y->created_ns;
}

static void row_free(struct row *r)
{
	for (int c = 0; c < NCOLS; c++)
		free(r->cols[c]);
	free(r->id);
	free(r->sort_text);
}

static int sort_rows(struct ps_ctx *ctx, podd_error_t *err)
{
	/* -n: the newest rows by creation, whatever the --sort */
	if (ctx->o.last >= 0) {
		for (size_t i = 1; i < ctx->n; i++) {
			struct row tmp = ctx->rows[i];
			size_t j = i;
			for (; j > 0 && ctx->rows[j - 1].created_ns > tmp.created_ns; j--)
				ctx->rows[j] = ctx->rows[j - 1];
			ctx->rows[j] = tmp;
		}
		size_t keep = (size_t)ctx->o.last < ctx->n ? (size_t)ctx->o.last : ctx->n;
		for (size_t i = 0; i < ctx->n - keep; i++)
			row_free(&ctx->rows[i]);
		memmove(ctx->rows, ctx->rows + (ctx->n - keep), keep * sizeof(*ctx->rows));
		ctx->n = keep;
	}
	for (size_t i = 1; i < ctx->n; i++) {
		struct row tmp = ctx->rows[i];
		size_t j = i;
		for (; j > 0 && row_cmp(&ctx->rows[j - 1], &tmp) > 0; j--)
			ctx->rows[j] = ctx->rows[j - 1];
		ctx->rows[j] = tmp;
	}
	if (ctx->json == NULL)
		return 0;
	json_object *sorted = json_object_new_array();
	if (sorted == NULL)
		return podd_error_sys(err, ENOMEM, "ps");
	for (size_t i = 0; i < ctx->n; i++)
		json_object_array_add(sorted, json_object_get(ctx->rows[i].json));
	json_object_put(ctx->json);
	ctx->json = sorted;
	return 0;
}

static void ps_ctx_free(struct ps_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n; i++)
		row_free(&ctx->rows[i]);
	ps_filters_free(&ctx->filters);
	free(ctx->rows);
	if (ctx->json)
		json_object_put(ctx->json);
}

/* since= and before=: the named containers' creation times. */
static int filter_times(struct engine *e, struct ps_filters *fs, podd_error_t *err)
{
	for (size_t i = 0; i < fs->n; i++) {
		cleanup_record Podd__ContainerRecord *rec = NULL;
		if (fs->f[i].key != PS_FILTER_SINCE && fs->f[i].key != PS_FILTER_BEFORE)
			continue;
		if (state_lookup(e, fs->f[i].value, &rec, err) < 0)
			return -1;
		fs->f[i].time_ns = rec->created_ns;
	}
	return 0;
}

int cmd_ps(const struct global_opts *g, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_NOHEADING, OPT_SORT };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "filter", required_argument, NULL, 'f' },
		{ "last", required_argument, NULL, 'n' },
		{ "latest", no_argument, NULL, 'l' },
		{ "noheading", no_argument, NULL, OPT_NOHEADING },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "size", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const sort_keys[] = { "command", "created", "id",         "image",
						 "names",   "runningfor", "size",       "status",
						 NULL };
	__attribute__((cleanup(ps_ctx_free))) struct ps_ctx ctx = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	struct timespec ts;
	int c;
	char *end;

	ctx.o.heading = true;
	ctx.o.sort = "created";
	ctx.o.last = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aqsf:n:l", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			ctx.o.all = true;
			break;
		case 'q':
			ctx.o.quiet = true;
			break;
		case 'T':
			ctx.o.no_trunc = true;
			break;
		case OPT_FORMAT:
			/* "table" alone is the default table, as in podman */
			ctx.o.format = strcmp(optarg, "table") == 0 ? NULL : optarg;
			break;
		case 'f':
			if (ctx.o.n_filters == PS_FILTERS_MAX) {
				fprintf(stderr, "Error: more than %d filters\n", PS_FILTERS_MAX);
				return EXIT_ENGINE;
			}
			ctx.o.filters[ctx.o.n_filters++] = optarg;
			break;
		case 'n':
			errno = 0;
			ctx.o.last = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || ctx.o.last < 0) {
				fprintf(stderr, "Error: invalid argument \"%s\" for \"-n, --last\" flag\n",
					optarg);
				return EXIT_ENGINE;
			}
			/* podman: 0 is no limit; N the last N, whatever their state */
			if (ctx.o.last == 0)
				ctx.o.last = -1;
			else
				ctx.o.all = true;
			break;
		case 'l':
			ctx.o.last = 1;
			ctx.o.all = true;
			break;
		case OPT_NOHEADING:
			ctx.o.heading = false;
			break;
		case OPT_SORT: {
			const char *const *k = sort_keys;
			while (*k && strcmp(*k, optarg) != 0)
				k++;
			if (*k == NULL) {
				fprintf(stderr, "Error: invalid option for --sort, options are: "
						"command, created, id, image, names, runningfor, "
						"size, or status\n");
				return EXIT_ENGINE;
			}
			/* runningfor and size order as created does here */
			ctx.o.sort = strcmp(optarg, "runningfor") == 0 || strcmp(optarg, "size") == 0
					     ? "created"
					     : optarg;
			break;
		}
		case 's':
			ctx.o.size = true;
			break;
		default:
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "Error: ps takes no arguments\n");
		return EXIT_ENGINE;
	}
	if (ps_filters_parse(ctx.o.filters, ctx.o.n_filters, &ctx.filters, &err) < 0)
		return report_error(&err);
	/* podman: a status filter looks at every container */
	for (size_t i = 0; i < ctx.filters.n; i++)
		if (ctx.filters.f[i].key == PS_FILTER_STATUS)
			ctx.o.all = true;
	/* podman: a --format wins over -q */
	if (ctx.o.format)
		ctx.o.quiet = false;
	if (ctx.o.format) {
		ctx.json = json_object_new_array();
		ctx.template = !format_is_json(ctx.o.format);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ctx.now_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;

	if (ctx.o.quiet)
		ctx.o.size = false;
	if (engine_start(&e, g, NEED_STATE | (ctx.o.size ? NEED_EXEC : 0), &err) < 0 ||
	    filter_times(&e, &ctx.filters, &err) < 0 ||
	    state_list(&e, ctx.o.all, add_row, &ctx, &err) < 0 ||
	    (ctx.o.size && add_sizes(&e, &ctx, &err) < 0) || sort_rows(&ctx, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (ctx.o.quiet) {
		for (size_t i = 0; i < ctx.n; i++)
			printf("%.*s\n", ctx.o.no_trunc ? 64 : 12, ctx.rows[i].id);
	} else if (ctx.json && format_is_json(ctx.o.format)) {
		print_json_indented(ctx.json, 2, true);
	} else if (ctx.json && format_is_table(ctx.o.format)) {
		static const struct format_header table_headers[] = {
			{ "ID", "CONTAINER ID" }, { "CreatedHuman", "CREATED" }, { "Pod", "POD ID" },
			{ "PodName", "PODNAME" },  { NULL, NULL }
		};
		size_t n = json_object_array_length(ctx.json);
		json_object **objs = calloc(n + 1, sizeof(*objs));
		if (objs == NULL) {
			engine_stop(&e);
			podd_error_sys(&err, ENOMEM, "ps");
			return report_error(&err);
		}
		for (size_t i = 0; i < n; i++)
			objs[i] = json_object_array_get_idx(ctx.json, i);
		int r = format_table(ctx.o.format, objs, n, table_headers, &err);
		free(objs);
		if (r < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
	} else if (ctx.json) {
		for (size_t i = 0; i < json_object_array_length(ctx.json); i++)
			if (format_template(ctx.o.format, json_object_array_get_idx(ctx.json, i),
					    &err) < 0) {
				engine_stop(&e);
				return report_error(&err);
			}
	} else if (!ctx.o.quiet) {
		print_table(&ctx);
	}
	engine_stop(&e);
	return 0;
}
