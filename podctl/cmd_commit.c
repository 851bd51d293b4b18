/* podctl commit [-a AUTHOR] [-m MESSAGE] [-c|--change INSTRUCTION]...
 *   [-p|--pause] [-f|--format oci|docker] [-q] [-s|--squash]
 *   [--iidfile FILE] [--include-volumes] CONTAINER [IMAGE]
 *
 * A container's changes made a new image on top of its own (with --squash
 * one layer of the image and the changes), as podman commit does; the
 * container's command, environment, user and working directory go into
 * its config. The --change instructions are checked here (podman's
 * message, exit 125, before anything starts) and applied by podd-image
 * (lib/image_change.c, the parser import shares) after the container's
 * settings. --iidfile gets the id only when the commit succeeds (a
 * temporary renamed into place, output_file.c); --include-volumes changes
 * nothing, podd has no volumes. With --pause a running
 * container is frozen through podd-exec for the commit and always thawed
 * after, whatever the commit's outcome. podd-image reads the container's
 * upper dir and answers the record; podctl stores it, names it and prints
 * its id, after podman's copy lines on stderr unless -q. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_check.h"
#include "image.pb-c.h"
#include "image_change.h"
#include "image_use.h"
#include "images.h"
#include "lifecycle.h"
#include "output_file.h"

struct commit_opts {
	const char *name, *image, *author, *message;
	char **changes;
	size_t n_changes;
	bool pause, quiet, squash;
	Podd__ManifestFormat format;
	/* --iidfile: opened before the sandbox, renamed into place only when
	 * the commit succeeded (output_file.c); fd -1 without it. */
	struct output_file iid;
	const char *iidfile;
};

/* The container's process environment as podd-exec's bundle gives it,
 * less what each run sets anew (HOSTNAME, HOME): podman's commit writes
 * its spec's environment, defaults included. `v` has n_env + 3 slots. */
static size_t commit_env(const Podd__ContainerConfig *cfg, char **v)
{
	bool path = false, term = false, ctr = false;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_env; i++) {
		path |= strncmp(cfg->env[i], "PATH=", 5) == 0;
		term |= strncmp(cfg->env[i], "TERM=", 5) == 0;
		ctr |= strncmp(cfg->env[i], "container=", 10) == 0;
	}
	if (!path)
		v[n++] = (char *)PODD_DEFAULT_PATH_ENV;
	if (!term && cfg->tty)
		v[n++] = (char *)PODD_DEFAULT_TERM_ENV;
	if (!ctr)
		v[n++] = (char *)PODD_CONTAINER_ENV;
	for (size_t i = 0; i < cfg->n_env; i++)
		v[n++] = cfg->env[i];
	return n;
}

/* The call to podd-image, under the container's lock. */
static int commit_call(struct engine *e, const Podd__CommitRequest *req, ProtobufCMessage **m,
		       podd_error_t *err)
{
	if (podd_client_call(&e->helpers[HELPER_IMAGE].peer, PODD__IMAGE_TYPE__IMAGE_TYPE_COMMIT,
			     &req->base, PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES,
			     &podd__loaded_images__descriptor, m, err) < 0) {
		engine_helper_failed(e, HELPER_IMAGE, err);
		image_gc_after_failure(e);
		return -1;
	}
	return 0;
}

/* With --pause: lock, bring the record up to date, freeze it if it runs,
 * commit, thaw it (even when the commit failed: a thaw's own failure is
 * reported only when the commit succeeded), unlock. */
static int commit_paused(struct engine *e, const char *id, const Podd__CommitRequest *req,
			 ProtobufCMessage **m, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	podd_error_t thaw = NULL, ignored = NULL;
	bool paused = false;
	int rc = -1;

	if (ctr_lookup_locked(e, id, &rec, err) < 0)
		return -1;
	if (ctr_sync(e, &rec, err) < 0)
		goto out;
	if (rec == NULL) {
		podd_error(err, PODD_E_NO_SUCH_CONTAINER, "no container with name or ID \"%s\" found",
			   id);
		return -1;
	}
	if (rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING) {
		if (ctr_pause(e, &rec, true, err) < 0)
			goto out;
		paused = true;
	}
	rc = commit_call(e, req, m, err);
	if (paused && ctr_pause(e, &rec, false, &thaw) < 0) {
		if (rc == 0) {
			*err = thaw;
			thaw = NULL;
			rc = podd_error_wrap(err, "commit: unpause");
		}
		podd_error_free(&thaw);
	}
out:
	if (ctr_unlock(e, id, &ignored) < 0)
		podd_error_free(&ignored);
	return rc;
}

/* --iidfile: the id into the temporary file, which then takes FILE's
 * name (output_file_commit). */
static int iid_write(struct commit_opts *o, const char *id, podd_error_t *err)
{
	size_t len = strlen(id), off = 0;

	while (off < len) {
		ssize_t n = write(o->iid.fd, id + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			podd_error_sys(err, errno, "write %s", o->iidfile);
			output_file_abort(&o->iid);
			return podd_error_wrap(err, "failed to write image ID");
		}
		off += (size_t)n;
	}
	if (output_file_commit(&o->iid, err) < 0)
		return podd_error_wrap(err, "failed to write image ID to %s", o->iidfile);
	return 0;
}

static int commit(struct engine *e, struct commit_opts *o, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_message ProtobufCMessage *img_m = NULL, *m = NULL;
	Podd__CommitRequest req = PODD__COMMIT_REQUEST__INIT;
	Podd__CommitContainerConfig cc = PODD__COMMIT_CONTAINER_CONFIG__INIT;
	cleanup_free char **env = NULL;
	Podd__ImageRecord *img = NULL;
	const Podd__LoadedImages *made;
	podd_error_t ignored = NULL;
	struct timespec ts;
	int rc;

	if (state_lookup(e, o->name, &rec, err) < 0)
		return -1;
	if (rec->image_id[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "container %s runs from a --rootfs directory, not an image: "
				  "nothing to commit on",
				  o->name);
	if (image_lookup(e, rec->image_id, &img, err) < 0)
		return podd_error_wrap(err, "container %s's image", o->name);
	img_m = &img->base;
	if (img->manifest_digest[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %.12s has no manifest to build on", img->id);
	clock_gettime(CLOCK_REALTIME, &ts);
	req.container_id = rec->id;
	req.image_id = img->id;
	req.manifest_digest = img->manifest_digest;
	req.author = (char *)(o->author ? o->author : "");
	req.message = (char *)(o->message ? o->message : "");
	req.from = rec->image;
	req.created_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	req.changes = o->changes;
	req.n_changes = o->n_changes;
	req.format = o->format;
	req.squash = o->squash;
	/* podman's libpod commit: the container's command, environment,
	 * user and working directory over the image's (the record holds them
	 * as create resolved them against the image), the changes after. */
	if (rec->config) {
		const Podd__ContainerConfig *cfg = rec->config;
		env = calloc(cfg->n_env + 3, sizeof(*env));
		if (env == NULL)
			return podd_error_sys(err, ENOMEM, "commit");
		cc.env = env;
		cc.n_env = commit_env(cfg, env);
		cc.entrypoint = cfg->entrypoint;
		cc.n_entrypoint = cfg->n_entrypoint;
		cc.cmd = cfg->cmd;
		cc.n_cmd = cfg->n_cmd;
		cc.user = cfg->user;
		cc.working_dir = (char *)(cfg->workdir[0] ? cfg->workdir : "/");
		req.container = &cc;
	}
	if (o->pause) {
		rc = commit_paused(e, rec->id, &req, &m, err);
	} else {
		/* Under the container's lock: no rm or start changes its upper
		 * dir meanwhile (a running container's writes may land in the
		 * layer or not, as with podman's commit without --pause). */
		if (ctr_lock(e, rec->id, err) < 0)
			return -1;
		rc = commit_call(e, &req, &m, err);
		if (ctr_unlock(e, rec->id, &ignored) < 0)
			podd_error_free(&ignored);
	}
	if (rc < 0)
		return -1;
	made = (const Podd__LoadedImages *)m;
	if (made->n_images != 1 || made->images[0]->n_names != 0 ||
	    made->images[0]->n_layers != (o->squash ? 1 : img->n_layers + 1) ||
	    !podd_id_valid(made->images[0]->id)) {
		/* What it stored is no record's: collected as after a failure. */
		image_gc_after_failure(e);
		return podd_error(err, PODD_E_PROTOCOL, "podd-image answered commit oddly");
	}
	if (image_record_made(e, made->images[0], o->image, err) < 0)
		return -1;
	/* podman's copy from the container's storage: its blobs are the
	 * uncompressed layers, named by their diff_ids. */
	if (!o->quiet)
		image_copy_progress(true, made->images[0]->layers, made->images[0]->n_layers,
				    made->images[0]->id);
	/* podman writes the bare id, no newline. */
	if (o->iid.fd >= 0 && iid_write(o, made->images[0]->id, err) < 0)
		return -1;
	printf("%s\n", made->images[0]->id);
	return 0;
}

/* podman's boolean flag value: "true"/"false" and the like. */
static int bool_value(const char *v, bool *out)
{
	if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0 ||
	    strcmp(v, "T") == 0 || strcmp(v, "TRUE") == 0 || strcmp(v, "True") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0 ||
		 strcmp(v, "F") == 0 || strcmp(v, "FALSE") == 0 || strcmp(v, "False") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

int cmd_commit(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "author", required_argument, NULL, 'a' },
		{ "message", required_argument, NULL, 'm' },
		{ "change", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "pause", optional_argument, NULL, 'p' },
		{ "squash", no_argument, NULL, 's' },
		{ "iidfile", required_argument, NULL, 'I' },
		{ "include-volumes", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *changes[IMAGE_CHANGES_MAX];
	struct commit_opts o = { .changes = changes,
				 .format = PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_OCI,
				 .iid = { .fd = -1, .cmd = -1 } };
	char full[PODD_IMAGE_NAME_BUF];
	podd_error_t err = NULL;
	struct engine e;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "a:m:c:f:qpsh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o.author = optarg;
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'c':
			if (o.n_changes == IMAGE_CHANGES_MAX) {
				fprintf(stderr, "Error: more than %d --change\n", IMAGE_CHANGES_MAX);
				return EXIT_ENGINE;
			}
			changes[o.n_changes++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "oci") == 0) {
				o.format = PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_OCI;
			} else if (strcmp(optarg, "docker") == 0) {
				o.format = PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_DOCKER;
			} else {
				fprintf(stderr, "Error: unrecognized image format \"%s\"\n",
					optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'q':
			o.quiet = true;
			break;
		case 's':
			o.squash = true;
			break;
		case 'I':
			o.iidfile = optarg;
			break;
		case 'V':
			/* podman's: the container's volumes become the image's.
			 * podd has no volumes, so there are none to include. */
			break;
		case 'p':
			if (bool_value(optarg, &o.pause) < 0) {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"-p, --pause\" flag: "
					"strconv.ParseBool: parsing \"%s\": invalid syntax\n",
					optarg, optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'h':
			printf("Usage: podctl commit [options] CONTAINER [IMAGE]\n\n"
			       "Create new image based on the changed container.\n\n"
			       "Options:\n"
			       "  -a, --author string       Set the author for the image committed\n"
			       "  -c, --change strings      Apply the following possible instructions "
			       "to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | "
			       "LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR\n"
			       "  -f, --format string       Format of the image manifest and metadata "
			       "(default \"oci\")\n"
			       "      --iidfile file        file to write the image ID to\n"
			       "      --include-volumes     Include container volumes as image volumes\n"
			       "  -m, --message string      Set commit message for imported image\n"
			       "  -p, --pause               Pause container during commit\n"
			       "  -q, --quiet               Suppress output\n"
			       "  -s, --squash              squash newly built layers into a single new "
			       "layer\n");
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
	o.name = argv[optind];
	if (argc - optind == 2) {
		if (image_reference_complete(argv[optind + 1], full, &err) < 0)
			return report_error(&err);
		o.image = full;
	}
	if ((c = image_changes_check(o.changes, o.n_changes, true)) != 0)
		return c;
	/* An OCI config has no comment of its own (podman's check). */
	if (o.message && o.message[0] && o.format != PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_DOCKER) {
		fprintf(stderr, "Error: messages are only compatible with the docker image format "
				"(-f docker)\n");
		return EXIT_ENGINE;
	}
	/* Before the sandbox, which opens no file: a temporary beside FILE
	 * that takes its name only once the commit succeeded, so that a
	 * failed commit leaves FILE as it was. */
	if (o.iidfile && output_file_open(o.iidfile, 0644, &o.iid, &err) < 0) {
		podd_error_wrap(&err, "failed to write image ID");
		return report_error(&err);
	}
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE | (o.pause ? NEED_EXEC : 0), &err) < 0 ||
	    commit(&e, &o, &err) < 0) {
		engine_stop(&e);
		output_file_abort(&o.iid);
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}
