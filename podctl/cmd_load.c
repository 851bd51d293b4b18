/* podctl load [-i FILE] [-q]: images from an oci-archive or docker-archive
 * (podman save's formats), from FILE or stdin.
 *
 * podctl never reads the archive: it opens FILE before its sandbox closes
 * and hands the descriptor to podd-image, the one process that parses
 * image data. podd-image streams podman's copy lines as it stores each
 * image (CopyEvent; printed on stderr as they come, none with -q), then
 * the records of the images it stored; podctl records them in podd-state,
 * names and all, and prints the "Loaded image" lines.
 *
 * The signature policy (--signature-policy, else the default file) is read
 * and evaluated before engine_start for both formats the archive may be
 * (signature_policy.h): both refused, the load fails here, before any
 * helper starts; one refused, podd-image refuses the archive once it sees
 * its format (LoadRequest), and podctl says so as podman does, listing
 * each format podman would have tried (load_refusal.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "copy_lines.h"
#include "images.h"
#include "load_refusal.h"
#include "signature_policy.h"
#include "validate.h"
#include "wire.h"

/* A refusal as LoadRequest carries it: printable ASCII (a path's other
 * bytes as '?'), at most REFUSAL_MAX bytes, as podd-image checks it. */
#define REFUSAL_MAX 8192
static void refusal_text(char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f) && s[n] != '\n')
			s[n] = '?';
	if (n > REFUSAL_MAX)
		s[REFUSAL_MAX] = '\0';
}

/* What the "Loaded image" lines print, checked before podd-state or the
 * terminal sees it: ids of 64 hex, qualified names; no `blobs`. */
static bool loaded_printable(const Podd__LoadedImages *l)
{
	if (l == NULL || l->n_blobs != 0)
		return false;
	for (size_t i = 0; i < l->n_images; i++) {
		if (l->images[i] == NULL || !podd_id_valid(l->images[i]->id))
			return false;
		for (size_t k = 0; k < l->images[i]->n_names; k++)
			if (!podd_image_name_qualified(l->images[i]->names[k]))
				return false;
	}
	return true;
}

/* The format podd-image refused, told by its error: the refusal podctl
 * sent for that format, word for word. */
enum refused { REFUSED_NONE, REFUSED_OCI, REFUSED_DOCKER };
static enum refused refused_format(const podd_error_t err, const char *oci, const char *docker)
{
	if (err == NULL || err->code != PODD_E_NOT_PERMITTED || strcmp(oci, docker) == 0)
		return REFUSED_NONE;
	if (oci[0] && strcmp(err->msg, oci) == 0)
		return REFUSED_OCI;
	if (docker[0] && strcmp(err->msg, docker) == 0)
		return REFUSED_DOCKER;
	return REFUSED_NONE;
}

/* `path`: the archive as named in messages. */
static int load_archive(struct engine *e, int fd, bool quiet, bool tty, const char *path,
			const char *refuse_oci, const char *refuse_docker, podd_error_t *err)
{
	Podd__LoadRequest req = PODD__LOAD_REQUEST__INIT;
	struct copy_lines cl = { .progress = !quiet, .tty = tty };
	const Podd__LoadedImages *loaded;
	cleanup_free char *oci = strdup(refuse_oci ? refuse_oci : "");
	cleanup_free char *docker = strdup(refuse_docker ? refuse_docker : "");
	int r = -1;

	if (oci == NULL || docker == NULL)
		return podd_error_sys(err, ENOMEM, "load");
	refusal_text(oci);
	refusal_text(docker);
	req.refuse_oci_archive = oci;
	req.refuse_docker_archive = docker;
	req.progress = !quiet;
	/* The copy lines come as podd-image stores each image; the records
	 * at the end. */
	if (copy_lines_call(&e->helpers[HELPER_IMAGE].peer, PODD__IMAGE_TYPE__IMAGE_TYPE_LOAD,
			    &req.base, fd, &cl, err) == 0 &&
	    !loaded_printable(cl.loaded))
		podd_error(err, PODD_E_PROTOCOL, "podd-image answered load oddly");
	if (*err) {
		enum refused refused = refused_format(*err, oci, docker);
		/* What the failed load stored is garbage now (images.h). */
		copy_lines_clear(&cl);
		engine_helper_failed(e, HELPER_IMAGE, err);
		image_gc_after_failure(e);
		if (refused == REFUSED_NONE)
			return -1;
		/* Refused by the policy: podman's list of the formats it
		 * tried, with the refusal as podctl has it (a path not
		 * made printable). */
		podd_error_free(err);
		return load_refusal(path, refused == REFUSED_OCI,
				    refused == REFUSED_OCI ? refuse_oci : refuse_docker, err);
	}
	loaded = cl.loaded;
	/* All records first, then the output: a record podd-state refuses
	 * fails the command before anything is printed. */
	for (size_t i = 0; i < loaded->n_images; i++)
		if (image_record_store(e, loaded->images[i], NULL, err) < 0) {
			/* What podd-state refused to record is in the store with
			 * no record naming it: collect it now (best effort). */
			image_gc_after_failure(e);
			goto out;
		}
	for (size_t i = 0; i < loaded->n_images; i++) {
		const Podd__ImageRecord *rec = loaded->images[i];
		if (rec->n_names == 0)
			printf("Loaded image: sha256:%s\n", rec->id);
		for (size_t k = 0; k < rec->n_names; k++)
			printf("Loaded image: %s\n", rec->names[k]);
	}
	r = 0;
out:
	copy_lines_clear(&cl);
	return r;
}

int cmd_load(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "signature-policy", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_close int file = -1;
	cleanup_free char *refuse_oci = NULL, *refuse_docker = NULL;
	const char *input = NULL, *policy = NULL;
	bool quiet = false;
	podd_error_t err = NULL;
	struct engine e;
	struct stat st;
	int c, in;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			/* No copy lines on stderr; the "Loaded image" lines stay,
			 * as with podman. */
			quiet = true;
			break;
		case 'S':
			policy = optarg;
			break;
		case 'h':
			printf("Usage: podctl load [-i FILE] [-q] [--signature-policy FILE]\n\n"
			       "Load image(s) from a tar archive (oci-archive or docker-archive).\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 0) {
		fprintf(stderr, "Error: accepts 0 arg(s), received %d\n", argc - optind);
		return EXIT_ENGINE;
	}
	if (input && input[0] != '\0') {
		if (stat(input, &st) < 0) {
			podd_error_sys(&err, errno, "stat %s", input);
			return report_error(&err);
		}
		file = open(input, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (file < 0) {
			podd_error_sys(&err, errno, "open %s", input);
			return report_error(&err);
		}
		in = file;
	} else {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "Error: cannot read from terminal, use command-line "
					"redirection or the --input flag\n");
			return EXIT_ENGINE;
		}
		in = STDIN_FILENO;
	}
	if (podd_fd_check_kind(in, PODD_FD_INPUT, &err) < 0) {
		podd_error_free(&err);
		podd_error(&err, PODD_E_INVALID_ARGUMENT,
			   "load from %s: not a regular file, pipe or socket open for reading",
			   input ? input : "stdin");
		return report_error(&err);
	}
	/* The policy judges the file that was opened, by the name the
	 * kernel has for it (not INPUT again, which may have moved since);
	 * anything but a regular file (a pipe through /dev/stdin) has no
	 * path, as stdin has none. */
	char opened[PATH_MAX] = "";
	struct stat in_st;
	if (file >= 0 && fstat(file, &in_st) == 0 && S_ISREG(in_st.st_mode)) {
		char link[64];
		ssize_t n;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", file);
		n = readlink(link, opened, sizeof(opened) - 1);
		if (n <= 0 || opened[0] != '/') {
			podd_error_sys(&err, n < 0 ? errno : EINVAL, "%s", input);
			return report_error(&err);
		}
		opened[n] = '\0';
	}
	if (signature_policy_check_load(policy, input && input[0] ? input : NULL,
					opened[0] ? opened : NULL, &refuse_oci, &refuse_docker,
					&err) < 0)
		return report_error(&err);
	if (refuse_oci && refuse_docker) {
		/* Neither format may be loaded: refused before any helper
		 * starts, so that a policy that rejects everything never has
		 * an archive parsed or its blobs stored. podman reads the
		 * archive first and words its list by the archive's format,
		 * which podctl does not parse. */
		podd_error(&err, PODD_E_NOT_PERMITTED,
			   "payload does not match any of the supported image formats:\n"
			   " * oci-archive: %s\n * docker-archive: %s",
			   refuse_oci, refuse_docker);
		return report_error(&err);
	}
	/* Asked before the sandbox closes (an ioctl). */
	bool tty = isatty(STDERR_FILENO);
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0 ||
	    load_archive(&e, in, quiet, tty, input && input[0] ? input : "/dev/stdin",
			 refuse_oci, refuse_docker, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	engine_stop(&e);
	return 0;
}
