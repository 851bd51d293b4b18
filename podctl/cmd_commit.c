/* podctl commit [-a AUTHOR] [-m MESSAGE] [-q] CONTAINER [IMAGE]: a
 * container's changes made a new image on top of its own, as podman
 * commit does (without --change and without pausing: podman's --pause
 * defaults to false). podd-image reads the container's upper dir and
 * answers the record; podctl stores it, names it and prints its id. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image.pb-c.h"
#include "image_use.h"
#include "images.h"
#include "lifecycle.h"

static int commit(struct engine *e, const char *name, const char *image, const char *author,
		  const char *message, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_message ProtobufCMessage *img_m = NULL, *m = NULL;
	Podd__CommitRequest req = PODD__COMMIT_REQUEST__INIT;
	Podd__ImageRecord *img = NULL;
	const Podd__LoadedImages *made;
	podd_error_t ignored = NULL;
	struct timespec ts;
	int rc;

	if (state_lookup(e, name, &rec, err) < 0)
		return -1;
	if (rec->image_id[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "container %s runs from a --rootfs directory, not an image: "
				  "nothing to commit on",
				  name);
	if (image_lookup(e, rec->image_id, &img, err) < 0)
		return podd_error_wrap(err, "container %s's image", name);
	img_m = &img->base;
	if (img->manifest_digest[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %.12s has no manifest to build on", img->id);
	clock_gettime(CLOCK_REALTIME, &ts);
	req.container_id = rec->id;
	req.image_id = img->id;
	req.manifest_digest = img->manifest_digest;
	req.author = (char *)(author ? author : "");
	req.message = (char *)(message ? message : "");
	req.created_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	/* Under the container's lock: no rm or start changes its upper dir
	 * meanwhile (a running container's writes may land in the layer or
	 * not, as with podman's commit without --pause). */
	if (ctr_lock(e, rec->id, err) < 0)
		return -1;
	rc = podd_client_call(&e->helpers[HELPER_IMAGE].peer, PODD__IMAGE_TYPE__IMAGE_TYPE_COMMIT,
			      &req.base, PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES,
			      &podd__loaded_images__descriptor, &m, err);
	if (rc < 0)
		rc = engine_helper_failed(e, HELPER_IMAGE, err);
	if (ctr_unlock(e, rec->id, &ignored) < 0)
		podd_error_free(&ignored);
	if (rc < 0)
		return -1;
	made = (const Podd__LoadedImages *)m;
	if (made->n_images != 1 || made->images[0]->n_names != 0 ||
	    made->images[0]->n_layers != img->n_layers + 1)
		return podd_error(err, PODD_E_PROTOCOL, "podd-image answered commit oddly");
	if (image_record_made(e, made->images[0], image, err) < 0)
		return -1;
	printf("%s\n", made->images[0]->id);
	return 0;
}

int cmd_commit(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "author", required_argument, NULL, 'a' },
		{ "message", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "pause", optional_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *author = NULL, *message = NULL;
	char full[PODD_IMAGE_NAME_BUF];
	podd_error_t err = NULL;
	struct engine e;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "a:m:qph", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			author = optarg;
			break;
		case 'm':
			message = optarg;
			break;
		case 'q':
			break;
		case 'p':
			if (optarg == NULL || strcmp(optarg, "false") != 0) {
				fprintf(stderr, "Error: commit --pause is not supported\n");
				return EXIT_ENGINE;
			}
			break;
		case 'h':
			printf("Usage: podctl commit [-a AUTHOR] [-m MESSAGE] CONTAINER [IMAGE]\n\n"
			       "Create new image based on the changed container.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "Error: commit requires a container and an optional image name\n");
		return EXIT_ENGINE;
	}
	if (argc - optind == 2 && image_reference_complete(argv[optind + 1], full, &err) < 0)
		return report_error(&err);
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    commit(&e, argv[optind], argc - optind == 2 ? full : NULL, author, message, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}
