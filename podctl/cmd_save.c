/* podctl save [-o FILE] [--format docker-archive|oci-archive] [-q] IMAGE...
 *
 * As export does, podctl opens FILE (or takes stdout, refused on a
 * terminal) before its sandbox closes and hands the descriptor to
 * podd-image, which writes the archive from its store. Each image goes in
 * under the name it was asked by (none when asked by id), as podman.
 * Unless -q, or the archive goes to stdout, podman's copy lines come on
 * stderr as podd-image writes each image (copy_lines.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "copy_lines.h"
#include "output_file.h"
#include "images.h"
#include "signature_policy.h"
#include "wire.h"

/* The signature policy refuses the save: podman looks the images up
 * first (an unknown one is that error) and names the first in the
 * refusal, as containers-storage:[driver@root+runroot]@ID. */
static int save_refused(struct engine *e, const char *refused, char **refs, int n,
			podd_error_t *err)
{
	cleanup_free char *msg = NULL;
	char image[9000];
	Podd__ImageRecord *first = NULL;

	for (int i = 0; i < n; i++) {
		Podd__ImageRecord *rec;
		if (image_lookup(e, refs[i], &rec, err) < 0) {
			if (first)
				podd__image_record__free_unpacked(first, NULL);
			return -1;
		}
		if (first == NULL)
			first = rec;
		else
			podd__image_record__free_unpacked(rec, NULL);
	}
	snprintf(image, sizeof(image), "containers-storage:[%s@%s+%s]@%s", e->opts.storage_driver,
		 e->static_dir, e->tmp_dir, first ? first->id : "");
	if (first)
		podd__image_record__free_unpacked(first, NULL);
	if (signature_policy_name_image(refused, image, &msg, err) < 0)
		return -1;
	return podd_error(err, PODD_E_NOT_PERMITTED, "%s", msg);
}

static int save_images(struct engine *e, bool oci, bool progress, bool tty, char **refs, int n,
		       int out, podd_error_t *err)
{
	Podd__SaveRequest req = PODD__SAVE_REQUEST__INIT;
	Podd__ImageRecord **recs = calloc((size_t)n + 1, sizeof(*recs));
	struct copy_lines cl = { .progress = progress, .tty = tty };
	int r = -1;

	if (recs == NULL) {
		podd_error_sys(err, ENOMEM, "save");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const char *name;
		if (image_lookup(e, refs[i], &recs[i], err) < 0)
			goto out;
		/* The record is sent with only the name asked for. */
		name = image_name_matching(recs[i], refs[i]);
		for (size_t k = 0; k < recs[i]->n_names; k++)
			if (recs[i]->names[k] != name)
				free(recs[i]->names[k]);
		recs[i]->n_names = 0;
		if (name) {
			recs[i]->names[0] = (char *)name;
			recs[i]->n_names = 1;
		}
	}
	req.format = oci ? PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_OCI
			 : PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_DOCKER;
	req.images = recs;
	req.n_images = (size_t)n;
	/* podman's copy lines, per image as podd-image writes it: the source
	 * is the store, whose blobs podman names by the layers' diff_ids (no
	 * "Getting image source signatures" for a save). */
	req.progress = progress;
	if (copy_lines_call(&e->helpers[HELPER_IMAGE].peer, PODD__IMAGE_TYPE__IMAGE_TYPE_SAVE,
			    &req.base, out, &cl, err) == 0 &&
	    cl.loaded != NULL)
		podd_error(err, PODD_E_PROTOCOL, "podd-image answered save oddly");
	copy_lines_clear(&cl);
	if (*err) {
		engine_helper_failed(e, HELPER_IMAGE, err);
		goto out;
	}
	r = 0;
out:
	for (int i = 0; recs && i < n; i++)
		if (recs[i])
			podd__image_record__free_unpacked(recs[i], NULL);
	free(recs);
	return r;
}

int cmd_save(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "multi-image-archive", no_argument, NULL, 'm' },
		{ "signature-policy", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output_file of = { .fd = -1, .cmd = -1 };
	const char *output = NULL, *format = "docker-archive", *policy = NULL;
	cleanup_free char *refused = NULL;
	bool quiet = false;
	podd_error_t err = NULL;
	struct engine e;
	bool oci;
	int c, out;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qmh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'm':
			break;
		case 'S':
			policy = optarg;
			break;
		case 'h':
			printf("Usage: podctl save [-o FILE] [--format docker-archive|oci-archive] "
			       "IMAGE...\n\nSave image(s) to an archive.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (strcmp(format, "oci-archive") == 0) {
		oci = true;
	} else if (strcmp(format, "docker-archive") == 0) {
		oci = false;
	} else {
		fprintf(stderr, "Error: unsupported format \"%s\": podd writes docker-archive and "
				"oci-archive\n", format);
		return EXIT_ENGINE;
	}
	if (argc - optind < 1) {
		fprintf(stderr, "Error: need at least 1 argument\n");
		return EXIT_ENGINE;
	}
	if (signature_policy_check_storage(policy, &refused, &err) < 0)
		return report_error(&err);
	if (refused) {
		/* No output file is made for a refused save. */
		if (engine_start(&e, g, NEED_STATE, &err) == 0)
			save_refused(&e, refused, argv + optind, argc - optind, &err);
		engine_stop(&e);
		return report_error(&err);
	}
	out = output_target(output, 0644, "save", NULL,
			    "failed to save image(s): refusing to save to terminal. Use -o flag "
			    "or redirect",
			    &of, &err);
	if (out < 0)
		return report_error(&err);
	fflush(stdout);
	/* Asked before the sandbox closes (an ioctl). */
	bool tty = isatty(STDERR_FILENO);
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    save_images(&e, oci, !quiet && out != STDOUT_FILENO, tty, argv + optind,
			argc - optind, out, &err) < 0) {
		engine_stop(&e);
		output_file_abort(&of);
		return report_error(&err);
	}
	engine_stop(&e);
	if (output_file_commit(&of, &err) < 0)
		return report_error(&err);
	return 0;
}
