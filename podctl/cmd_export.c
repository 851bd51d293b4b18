/* podctl export [-o FILE] CONTAINER: the container's root filesystem as a
 * tar archive, to FILE or to stdout.
 *
 * podctl never reads the rootfs: it opens the output (FILE is named on the
 * command line, so it is opened before the sandbox closes, which leaves
 * podctl no file access at all) and hands the descriptor to podd-exec,
 * whose launcher writes the tar from a confined child (podd-exec/export.c).
 * The container may be running or stopped. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "output_file.h"
#include "lifecycle.h"
#include "wire.h"

static int export_rootfs(struct engine *e, const char *name, int out, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_message ProtobufCMessage *m = NULL;
	Podd__ExportRequest req = PODD__EXPORT_REQUEST__INIT;
	podd_error_t ignored = NULL;
	bool image = false;
	int rc;

	if (state_lookup(e, name, &rec, err) < 0)
		return -1;
	req.id = rec->id;
	req.rootfs = rec->config->rootfs;
	if (rec->image_id[0] != '\0') {
		/* An image container's root is mounted while it runs; podd-exec
		 * mounts a stopped one for the export and unmounts it after.
		 * Under the container's lock, so that no start or cleanup
		 * changes the mount meanwhile. */
		image = true;
		req.image_layers = rec->image_layers;
		req.n_image_layers = rec->n_image_layers;
		req.storage_driver = (char *)e->opts.storage_driver;
		if (ctr_lock(e, rec->id, err) < 0)
			return -1;
	}
	rc = podd_client_call_fds(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_EXPORT,
				  &req.base, &out, 1, PODD__COMMON_TYPE__COMMON_TYPE_OK,
				  &podd__ok__descriptor, &m, NULL, 0, err);
	if (rc < 0)
		rc = engine_helper_failed(e, HELPER_EXEC, err);
	if (image && ctr_unlock(e, rec->id, &ignored) < 0)
		podd_error_free(&ignored);
	return rc;
}

int cmd_export(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output_file of = { .fd = -1, .cmd = -1 };
	const char *output = NULL;
	podd_error_t err = NULL;
	struct engine e;
	int c, out;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("Usage: podctl export [-o FILE] CONTAINER\n\n"
			       "Export a container's filesystem contents as a tar archive.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: accepts 1 arg(s), received %d\n", argc - optind);
		return EXIT_ENGINE;
	}
	out = output_target(output, 0666, "export", "failed to create export file",
			    "refusing to export to terminal. Use -o flag or redirect", &of, &err);
	if (out < 0)
		return report_error(&err);
	fflush(stdout);
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0 ||
	    export_rootfs(&e, argv[optind], out, &err) < 0) {
		engine_stop(&e);
		output_file_abort(&of);
		return report_error(&err);
	}
	engine_stop(&e);
	if (output_file_commit(&of, &err) < 0)
		return report_error(&err);
	return 0;
}
