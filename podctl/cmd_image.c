/* podctl image SUBCOMMAND: podman's image group, and the image commands
 * that live at the top level too (rmi, tag, untag). Each subcommand is the
 * top-level command of the same job (image ls = images, image rm = rmi). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image_filter.h"
#include "images.h"
#include "lifecycle.h"

/* podman rmi's exit codes. */
#define RMI_NOT_FOUND 1
#define RMI_IN_USE 2

static int bad_flag(char **argv)
{
	fprintf(stderr, "Error: unknown flag or missing value: %s\n", argv[optind - 1]);
	return EXIT_ENGINE;
}

/* podman image inspect [--format json|TEMPLATE] IMAGE... */
int cmd_image_inspect(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL;
	podd_error_t err = NULL, first = NULL;
	json_object *arr;
	struct engine e;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg[0] ? optarg : NULL; /* "": the JSON */
			break;
		case 'h':
			printf("Usage: podctl image inspect [--format json|TEMPLATE] IMAGE...\n");
			return 0;
		default:
			return bad_flag(argv);
		}
	}
	if (argc - optind < 1) {
		fprintf(stderr, "Error: requires at least 1 arg(s), only received 0\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	arr = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		cleanup_image_record Podd__ImageRecord *rec = NULL;
		Podd__ImageConfig *cfg = NULL;
		if (image_lookup(&e, argv[i], &rec, &err) < 0 ||
		    image_config_get(&e, rec->id, rec->manifest_digest, &cfg, &err) < 0) {
			if (first == NULL) {
				first = err;
				podd_error_wrap(&first, "inspecting object");
			} else {
				/* podman: the first failure is the Error at the
				 * end, the others a line each as they come. */
				fprintf(stderr, "error inspecting object: %s\n", err->msg);
				podd_error_free(&err);
			}
			err = NULL;
			continue;
		}
		json_object_array_add(arr, image_inspect_json(&e, rec, cfg));
		protobuf_c_message_free_unpacked(&cfg->base, NULL);
	}
	engine_stop(&e);
	if (format && !format_is_json(format)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			if (format_template(format, json_object_array_get_idx(arr, i), &err) < 0) {
				json_object_put(arr);
				podd_error_free(&first);
				return report_error(&err);
			}
	} else if (json_object_array_length(arr) == 0) {
		puts("[]");
	} else {
		print_json_indented(arr, 5, false);
	}
	json_object_put(arr);
	if (first)
		rc = report_error(&first);
	return rc;
}

/* podman image exists IMAGE: 0 when it is there, 1 when not. */
static int cmd_image_exists(const struct global_opts *g, int argc, char **argv)
{
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	struct engine e;

	if (argc != 2) {
		fprintf(stderr, "Error: accepts 1 arg(s), received %d\n", argc - 1);
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (image_lookup(&e, argv[1], &rec, &err) < 0) {
		engine_stop(&e);
		if (err->code == PODD_E_NO_SUCH_OBJECT) {
			podd_error_free(&err);
			return 1;
		}
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}

/* podman tag IMAGE TARGET... */
int cmd_tag(const struct global_opts *g, int argc, char **argv)
{
	podd_error_t err = NULL;
	struct engine e;

	if (argc < 3) {
		fprintf(stderr, "Error: requires at least 2 arg(s), only received %d\n",
			argc - 1);
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	for (int i = 2; i < argc; i++) {
		Podd__TagImageRequest req = PODD__TAG_IMAGE_REQUEST__INIT;
		ProtobufCMessage *m = NULL;
		req.name_or_id = argv[1];
		req.name = argv[i];
		if (podd_client_call(engine_state(&e), PODD__STATE_TYPE__STATE_TYPE_TAG_IMAGE,
				     &req.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE,
				     &podd__image_record__descriptor, &m, &err) < 0) {
			engine_helper_failed(&e, HELPER_STATE, &err);
			engine_stop(&e);
			return report_error(&err);
		}
		protobuf_c_message_free_unpacked(m, NULL);
	}
	engine_stop(&e);
	return 0;
}

static int untag_one(struct engine *e, const char *image, const char *name, podd_error_t *err)
{
	Podd__UntagImageRequest req = PODD__UNTAG_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.name_or_id = (char *)image;
	req.name = (char *)name;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_UNTAG_IMAGE, &req.base,
			     PODD__STATE_TYPE__STATE_TYPE_IMAGE, &podd__image_record__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

/* podman untag IMAGE [NAME...]: without names, all of them. */
int cmd_untag(const struct global_opts *g, int argc, char **argv)
{
	podd_error_t err = NULL;
	struct engine e;

	if (argc < 2) {
		fprintf(stderr, "Error: requires at least 1 arg(s), only received 0\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	for (int i = 2; i < argc || i == 2; i++) {
		if (untag_one(&e, argv[1], i < argc ? argv[i] : "", &err) < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
		if (i >= argc)
			break;
	}
	engine_stop(&e);
	return 0;
}

/* Containers made from the image: their record's image_id is its id (a
 * name may since have moved to another image). */
struct users {
	const Podd__ImageRecord *img;
	char **ids;
	size_t n;
};

static int collect_user(const Podd__ContainerRecord *rec, void *data, podd_error_t *err)
{
	struct users *u = data;
	bool uses = strcmp(rec->image_id, u->img->id) == 0;
	if (!uses)
		return 0;
	void *v = realloc(u->ids, (u->n + 1) * sizeof(char *));
	if (v == NULL)
		return podd_error_sys(err, ENOMEM, "rmi");
	u->ids = v;
	u->ids[u->n] = strdup(rec->id);
	if (u->ids[u->n] == NULL)
		return podd_error_sys(err, ENOMEM, "rmi");
	u->n++;
	return 0;
}

static void users_free(struct users *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->ids[i]);
	free(u->ids);
}

/* rmi -f: the containers using the image go first, as podman does. */
static int remove_users(struct engine *e, const Podd__ImageRecord *img, podd_error_t *err)
{
	struct users u = { .img = img };
	int r = state_list(e, true, collect_user, &u, err);

	for (size_t i = 0; r == 0 && i < u.n; i++) {
		cleanup_record Podd__ContainerRecord *rec = NULL;
		r = ctr_lookup_locked(e, u.ids[i], &rec, err);
		if (r == 0 && (r = ctr_remove(e, &rec, true, 0, err)) < 0) {
			podd_error_t ignored = NULL;
			if (rec && ctr_unlock(e, u.ids[i], &ignored) < 0)
				podd_error_free(&ignored);
		}
	}
	users_free(&u);
	return r;
}

static bool is_id_ref(const Podd__ImageRecord *rec, const char *ref)
{
	size_t n = strlen(ref);
	if (strncmp(ref, "sha256:", 7) == 0) {
		ref += 7;
		n -= 7;
	}
	return n > 0 && n <= 64 && strncmp(rec->id, ref, n) == 0 &&
	       strspn(ref, "0123456789abcdef") == n;
}

/* One image: an untag when named by one of several names, else the whole
 * image (its names printed Untagged, then Deleted). `force` removes the
 * containers that use it and takes an image by id whatever its tags;
 * `all` (rmi -a) only the latter. */
static int rmi_one(struct engine *e, const char *ref, bool force, bool all, bool *removed,
		   podd_error_t *err)
{
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	Podd__RemoveImageRequest req = PODD__REMOVE_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	const Podd__ImageRecord *gone;
	const char *name;

	if (image_lookup(e, ref, &rec, err) < 0)
		return -1;
	/* A name first, as podd-state resolves it: "f6c8" that is a tag is
	 * that tag, even when it is also a prefix of the id. */
	name = image_name_matching(rec, ref);
	if (rec->n_names > 1 && name != NULL) {
		if (untag_one(e, rec->id, name, err) < 0)
			return -1;
		printf("Untagged: %s\n", name);
		return 0;
	}
	if (rec->n_names > 1 && name == NULL && is_id_ref(rec, ref) && !force && !all) {
		/* podman's words, tags as Go prints a slice. */
		char tags[1024];
		size_t o = 0;
		for (size_t i = 0; i < rec->n_names && o < sizeof(tags); i++)
			o += (size_t)snprintf(tags + o, sizeof(tags) - o, "%s%s", i ? " " : "",
					      rec->names[i]);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "unable to delete image \"%s\" by ID with more than one tag "
				  "([%s]): please force removal",
				  rec->id, tags);
	}
	if (force && remove_users(e, rec, err) < 0)
		return -1;
	req.name_or_id = rec->id;
	req.force = force;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_REMOVE_IMAGE, &req.base,
			     PODD__STATE_TYPE__STATE_TYPE_IMAGE, &podd__image_record__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	gone = (const Podd__ImageRecord *)m;
	for (size_t i = 0; i < gone->n_names; i++)
		printf("Untagged: %s\n", gone->names[i]);
	printf("Deleted: %s\n", gone->id);
	protobuf_c_message_free_unpacked(m, NULL);
	*removed = true;
	return 0;
}

/* rmi's failures, told at the end as podman tells them: one as it is,
 * several as "N errors occurred:" and a line each. The exit code: 2 when
 * an image is in use, else 1 when one is not known, else 125. */
#define RMI_ITEM "\n\t* " /* before each message in rmi_errors.text */

struct rmi_errors {
	char *text;
	size_t n;
	bool in_use, not_found, other;
};

static void rmi_error(struct rmi_errors *r, podd_error_t *err)
{
	char *joined;

	if ((*err)->code == PODD_E_STATE_IMPROPER)
		r->in_use = true;
	else if ((*err)->code == PODD_E_NO_SUCH_OBJECT)
		r->not_found = true;
	else
		r->other = true;
	if (asprintf(&joined, "%s" RMI_ITEM "%s", r->text ? r->text : "", (*err)->msg) >= 0) {
		free(r->text);
		r->text = joined;
	}
	r->n++;
	podd_error_free(err);
}

static int rmi_errors_report(struct rmi_errors *r)
{
	if (r->n == 0)
		return 0;
	fflush(stdout);
	if (r->n == 1)
		fprintf(stderr, "Error: %s\n", r->text ? r->text + strlen(RMI_ITEM) : "?");
	else
		fprintf(stderr, "Error: %zu errors occurred:%s\n", r->n, r->text ? r->text : "");
	free(r->text);
	r->text = NULL;
	return r->in_use ? RMI_IN_USE : r->not_found && !r->other ? RMI_NOT_FOUND : EXIT_ENGINE;
}

/* podman rmi [-f] [-a] IMAGE...; then podd-image drops what no image
 * needs any more. */
int cmd_rmi(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "ignore", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false, all = false, ignore = false, removed = false;
	struct rmi_errors errs = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "faih", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'a':
			all = true;
			break;
		case 'i':
			ignore = true;
			break;
		case 'h':
			printf("Usage: podctl rmi [-a] [-f] [-i] IMAGE...\n");
			return 0;
		default:
			return bad_flag(argv);
		}
	}
	if (!all && optind == argc) {
		fprintf(stderr, "Error: image name or ID must be specified\n");
		return EXIT_ENGINE;
	}
	if (all && optind != argc) {
		fprintf(stderr, "Error: when using the --all switch, you may not pass any images "
				"names or IDs\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE | (force ? NEED_EXEC : 0), &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (all) {
		struct image_list l;
		if (image_list_all(&e, &l, &err) < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
		for (size_t i = 0; i < l.n; i++)
			if (rmi_one(&e, l.v[i]->id, force, true, &removed, &err) < 0)
				rmi_error(&errs, &err);
		image_list_free(&l);
	}
	for (int i = optind; i < argc; i++) {
		if (rmi_one(&e, argv[i], force, false, &removed, &err) < 0) {
			if (ignore && err->code == PODD_E_NO_SUCH_OBJECT)
				podd_error_free(&err);
			else
				rmi_error(&errs, &err);
		}
	}
	if (removed && image_gc(&e, &err) < 0)
		rmi_error(&errs, &err);
	rc = rmi_errors_report(&errs);
	engine_stop(&e);
	return rc;
}

struct in_use {
	struct image_list *l;
	bool *used;
};

static int mark_in_use(const Podd__ContainerRecord *rec, void *data, podd_error_t *err)
{
	struct in_use *u = data;
	(void)err;
	for (size_t i = 0; i < u->l->n; i++) {
		const Podd__ImageRecord *img = u->l->v[i];
		if (strcmp(rec->image_id, img->id) == 0)
			u->used[i] = true;
	}
	return 0;
}

/* podman image prune [-a] [-f] [--filter FILTER]...: dangling images (no
 * name), or with -a every image no container uses, of those the filters
 * let through (images' filters, image_filter.h); prints each removed id. */
static int cmd_image_prune(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false, force = false;
	char *filters[IMAGE_FILTERS_MAX];
	size_t n_filters = 0;
	podd_error_t err = NULL;
	struct image_list l;
	cleanup_free bool *used = NULL;
	struct engine e;
	struct timespec ts;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'F':
			if (n_filters == IMAGE_FILTERS_MAX) {
				fprintf(stderr, "Error: more than %d filters\n", IMAGE_FILTERS_MAX);
				return EXIT_ENGINE;
			}
			filters[n_filters++] = optarg;
			break;
		case 'h':
			printf("Usage: podctl image prune [-a] [-f] [--filter FILTER]...\n");
			return 0;
		default:
			return bad_flag(argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "Error: accepts 0 arg(s), received %d\n", argc - optind);
		return EXIT_ENGINE;
	}
	/* The filters' syntax is checked before the question. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (n_filters > 0) {
		struct image_filters fs;
		if (image_filters_parse(filters, n_filters, 0, &fs, &err) < 0)
			return report_error(&err);
	}
	if (!force) {
		char answer[16] = "";
		printf("WARNING! This command removes all %s.\n"
		       "Are you sure you want to continue? [y/N] ",
		       all ? "images without at least one container associated with them"
			   : "dangling images");
		fflush(stdout);
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
		    (answer[0] != 'y' && answer[0] != 'Y'))
			return 0;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    image_list_all(&e, &l, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (n_filters > 0 &&
	    image_list_filter(&e, filters, n_filters,
			      (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, &l, &err) < 0) {
		image_list_free(&l);
		engine_stop(&e);
		return report_error(&err);
	}
	used = calloc(l.n + 1, sizeof(bool));
	struct in_use u = { &l, used };
	if (used == NULL || state_list(&e, true, mark_in_use, &u, &err) < 0) {
		image_list_free(&l);
		engine_stop(&e);
		if (err == NULL)
			podd_error_sys(&err, ENOMEM, "prune");
		return report_error(&err);
	}
	for (size_t i = 0; i < l.n; i++) {
		Podd__RemoveImageRequest req = PODD__REMOVE_IMAGE_REQUEST__INIT;
		ProtobufCMessage *m = NULL;
		if (used[i] || (!all && l.v[i]->n_names > 0))
			continue;
		req.name_or_id = l.v[i]->id;
		if (podd_client_call(engine_state(&e), PODD__STATE_TYPE__STATE_TYPE_REMOVE_IMAGE,
				     &req.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE,
				     &podd__image_record__descriptor, &m, &err) < 0) {
			engine_helper_failed(&e, HELPER_STATE, &err);
			fprintf(stderr, "Error: %s\n", err->msg);
			podd_error_free(&err);
			rc = EXIT_ENGINE;
			continue;
		}
		protobuf_c_message_free_unpacked(m, NULL);
		printf("%s\n", l.v[i]->id);
	}
	image_list_free(&l);
	if (image_gc(&e, &err) < 0) {
		fprintf(stderr, "Error: %s\n", err->msg);
		podd_error_free(&err);
		rc = EXIT_ENGINE;
	}
	engine_stop(&e);
	return rc;
}

struct subcommand {
	const char *name;
	int (*run)(const struct global_opts *g, int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "exists", cmd_image_exists },
	{ "history", cmd_history },
	{ "import", cmd_import },
	{ "inspect", cmd_image_inspect },
	{ "list", cmd_images },
	{ "load", cmd_load },
	{ "ls", cmd_images },
	{ "prune", cmd_image_prune },
	{ "pull", cmd_pull },
	{ "push", cmd_push },
	{ "rm", cmd_rmi },
	{ "save", cmd_save },
	{ "tag", cmd_tag },
	{ "untag", cmd_untag },
};

int cmd_image(const struct global_opts *g, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "Usage: podctl image SUBCOMMAND\n\nManage images:");
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			fprintf(out, " %s", subcommands[i].name);
		fprintf(out, "\n");
		if (argc < 2) {
			fprintf(stderr, "Error: missing command 'podctl image COMMAND'\n");
			return EXIT_ENGINE;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(g, argc - 1, argv + 1);
	fprintf(stderr, "Error: unrecognized command `podctl image %s`\n", argv[1]);
	return EXIT_ENGINE;
}
