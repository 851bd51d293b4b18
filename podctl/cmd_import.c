/* podctl import [-c|--change INSTRUCTION]... [-m|--message TEXT] [-q]
 *   FILE|- [REFERENCE]
 *
 * A root filesystem tarball made a one-layer image, as podman import
 * does. podctl opens FILE before its sandbox closes; podd-image reads and
 * unpacks it and answers the record (and the tarball's digest), which
 * podctl stores and names. Prints podman's copy lines on stderr unless -q,
 * and the new image's id as podman does (sha256:<id>). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "image_change.h"
#include "images.h"
#include "signature_policy.h"
#include "validate.h"
#include "wire.h"

static int import_tarball(struct engine *e, int fd, char **changes, size_t nchanges,
			  const char *message, const char *reference, bool quiet, podd_error_t *err)
{
	Podd__ImportRequest req = PODD__IMPORT_REQUEST__INIT;
	cleanup_message ProtobufCMessage *m = NULL;
	const Podd__LoadedImages *made;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	req.changes = changes;
	req.n_changes = nchanges;
	req.message = (char *)(message ? message : "");
	req.created_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (podd_client_call_fds(&e->helpers[HELPER_IMAGE].peer,
				 PODD__IMAGE_TYPE__IMAGE_TYPE_IMPORT, &req.base, &fd, 1,
				 PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES,
				 &podd__loaded_images__descriptor, &m, NULL, 0, err) < 0) {
		engine_helper_failed(e, HELPER_IMAGE, err);
		image_gc_after_failure(e);
		return -1;
	}
	made = (const Podd__LoadedImages *)m;
	if (made->n_images != 1 || made->images[0]->n_names != 0 || made->n_blobs != 1 ||
	    made->blobs[0]->n_digests != 1 || !podd_digest_valid(made->blobs[0]->digests[0])) {
		/* What it stored is no record's: collected as after a failure. */
		image_gc_after_failure(e);
		return podd_error(err, PODD_E_PROTOCOL, "podd-image answered import oddly");
	}
	if (image_record_made(e, made->images[0], reference, err) < 0)
		return -1;
	/* podman's copy lines: the blob is the tarball as given, compressed
	 * or not. */
	if (!quiet)
		image_copy_progress(true, made->blobs[0]->digests, 1, made->images[0]->id);
	printf("sha256:%s\n", made->images[0]->id);
	return 0;
}

int cmd_import(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "signature-policy", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *changes[IMAGE_CHANGES_MAX];
	size_t nchanges = 0;
	const char *message = NULL, *reference = NULL, *policy = NULL;
	cleanup_free char *refused = NULL;
	bool quiet = false;
	char full[PODD_IMAGE_NAME_BUF];
	cleanup_close int file = -1;
	podd_error_t err = NULL;
	struct engine e;
	int c, in;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:m:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (nchanges == IMAGE_CHANGES_MAX) {
				fprintf(stderr, "Error: more than %d --change\n", IMAGE_CHANGES_MAX);
				return EXIT_ENGINE;
			}
			changes[nchanges++] = optarg;
			break;
		case 'm':
			message = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'S':
			policy = optarg;
			break;
		case 'h':
			printf("Usage: podctl import [-c INSTRUCTION]... [-m MESSAGE] FILE|- "
			       "[REFERENCE]\n\nImport a tarball to create a filesystem image.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "Error: accepts between 1 and 2 arg(s), received %d\n",
			argc - optind);
		return EXIT_ENGINE;
	}
	if (argc - optind == 2) {
		if (image_reference_complete(argv[optind + 1], full, &err) < 0)
			return report_error(&err);
		reference = full;
	}
	if ((c = image_changes_check(changes, nchanges, false)) != 0)
		return c;
	if (strcmp(argv[optind], "-") == 0) {
		in = STDIN_FILENO;
	} else {
		file = open(argv[optind], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (file < 0) {
			podd_error_sys(&err, errno, "open %s", argv[optind]);
			return report_error(&err);
		}
		in = file;
	}
	if (podd_fd_check_kind(in, PODD_FD_INPUT, &err) < 0) {
		podd_error_free(&err);
		podd_error(&err, PODD_E_INVALID_ARGUMENT,
			   "import from %s: not a regular file, pipe or socket open for reading",
			   argv[optind]);
		return report_error(&err);
	}
	/* The signature policy, before the helpers start (signature_policy.h). */
	if (signature_policy_check_import(policy, in == STDIN_FILENO ? NULL : argv[optind],
					  &refused, &err) < 0)
		return report_error(&err);
	if (refused) {
		podd_error(&err, PODD_E_NOT_PERMITTED, "%s", refused);
		return report_error(&err);
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    import_tarball(&e, in, changes, nchanges, message, reference, quiet, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}
