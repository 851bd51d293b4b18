/* podctl inspect [-s|--size] [--format json|TEMPLATE] NAME|ID... */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "image_use.h"
#include "podctl.h"

/* What a template sees is podman's Go struct: its times print as Go's
 * time.Time does ("2026-11-24 11:40:33.76399636 +0000 UTC"), where the
 * JSON has RFC 3339; the zero time is Go's. */
static int template_times(json_object *j, const Podd__ContainerRecord *rec)
{
	const struct {
		const char *parent, *key;
		int64_t ns;
	} times[] = { { NULL, "Created", rec->created_ns },
		      { "State", "StartedAt", rec->started_ns },
		      { "State", "FinishedAt", rec->finished_ns } };

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		json_object *where = j;
		cleanup_free char *t = times[i].ns ? format_go_time(times[i].ns)
						   : strdup("0001-01-01 00:00:00 +0000 UTC");
		if (t == NULL)
			return -1;
		if (times[i].parent && !json_object_object_get_ex(j, times[i].parent, &where))
			continue;
		json_object_object_add(where, times[i].key, json_object_new_string(t));
	}
	return 0;
}

int cmd_inspect(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "type", required_argument, NULL, 't' },
		{ "size", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "json";
	json_object *out;
	podd_error_t err = NULL;
	struct engine e;
	bool size = false;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:t:s", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			size = true;
			break;
		case 'f':
			/* an empty --format is the JSON, as in podman */
			format = optarg[0] ? optarg : "json";
			break;
		case 't':
			if (strcmp(optarg, "container") != 0 && strcmp(optarg, "all") != 0) {
				fprintf(stderr, "Error: inspect --type %s is not supported yet\n",
					optarg);
				return EXIT_ENGINE;
			}
			break;
		default:
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "Error: no names or ids specified\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | (size ? NEED_EXEC : 0), &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	out = json_object_new_array();
	/* As podman: print what was found, then fail for what was not. */
	for (int i = optind; i < argc; i++) {
		Podd__ContainerRecord *rec = NULL;
		if (state_lookup(&e, argv[i], &rec, &err) < 0) {
			int code = err->code;
			fprintf(stderr, "Error: %s\n", err->msg);
			podd_error_free(&err);
			rc = exit_code_for(code);
			if (code == PODD_E_PROTOCOL)
				break;
			continue;
		}
		json_object *j = container_inspect_json(rec);
		json_object_array_add(out, j);
		/* the storage driver of an image container's root */
		json_object_object_add(j, "Driver", json_object_new_string(
							   rec->image_id[0] ? g->storage_driver : ""));
		if (!format_is_json(format) && template_times(j, rec) < 0) {
			podd__container_record__free_unpacked(rec, NULL);
			podd_error_sys(&err, ENOMEM, "inspect");
			rc = report_error(&err);
			break;
		}
		if (size) {
			/* podman's SizeRw (the upper dir) and SizeRootFs (that and
			 * the image). */
			int64_t rw = 0;
			if (container_rw_sizes(&e, &rec->id, 1, &rw, &err) < 0) {
				podd__container_record__free_unpacked(rec, NULL);
				rc = report_error(&err);
				break;
			}
			json_object_object_add(j, "SizeRw", json_object_new_int64(rw));
			json_object_object_add(j, "SizeRootFs",
					       json_object_new_int64(rw + rec->image_size));
		}
		podd__container_record__free_unpacked(rec, NULL);
	}
	if (format_is_json(format)) {
		print_json_indented(out, 5, false);
	} else {
		for (size_t i = 0; i < json_object_array_length(out); i++)
			if (format_template_folded(format, json_object_array_get_idx(out, i), &err) <
			    0) {
				rc = report_error(&err);
				break;
			}
	}
	json_object_put(out);
	engine_stop(&e);
	return rc;
}
