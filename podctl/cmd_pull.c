/* podctl pull and push: podd-image talks to the registry (PullRequest,
 * PushRequest) and streams podman's lines back; podctl prints them on
 * stderr (with a progress line per blob when stderr is a terminal), and
 * for a pull stores the record podd-image answers with in podd-state and
 * prints the image id on stdout. The pull itself is pull.c's, which run
 * and create can use too.
 *
 * Before its sandbox closes podctl reads what it needs from files: the
 * registries configuration (short names, mirrors, locations, insecure
 * and blocked registries) and the credentials in the auth file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.pb-c.h"
#include "podctl.h"
#include "certs.h"
#include "images.h"
#include "pull.h"
#include "reference.h"
#include "registries.h"

/* Parses the flags pull and push share; returns the index of the first
 * argument, or -1 after printing an error (exit 125), or -2 for --help. */
static int parse_opts(int argc, char **argv, struct pull_opts *o, const char *usage)
{
	static const struct option opts[] = {
		{ "tls-verify", optional_argument, NULL, 't' },
		{ "creds", required_argument, NULL, 'c' },
		{ "authfile", required_argument, NULL, 'a' },
		{ "cert-dir", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "arch", required_argument, NULL, 'A' },
		{ "os", required_argument, NULL, 'O' },
		{ "variant", required_argument, NULL, 'V' },
		{ "platform", required_argument, NULL, 'P' },
		{ "signature-policy", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	o->tls_verify = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (optarg == NULL || strcmp(optarg, "true") == 0)
				o->tls_verify = 1;
			else if (strcmp(optarg, "false") == 0)
				o->tls_verify = 0;
			else {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"--tls-verify\" flag: "
					"strconv.ParseBool: parsing \"%s\": invalid syntax\n",
					optarg, optarg);
				return -1;
			}
			break;
		case 'c':
			o->creds = optarg;
			break;
		case 'a':
			o->authfile = optarg;
			break;
		case 'C':
			o->cert_dir = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'A':
			o->arch = optarg;
			break;
		case 'O':
			o->os = optarg;
			break;
		case 'V':
			o->variant = optarg;
			break;
		case 'S':
			o->signature_policy = optarg;
			break;
		case 'P': {
			/* os/arch[/variant] */
			static char buf[128];
			char *a, *v;
			snprintf(buf, sizeof(buf), "%s", optarg);
			a = strchr(buf, '/');
			if (a == NULL) {
				fprintf(stderr, "Error: invalid platform \"%s\"\n", optarg);
				return -1;
			}
			*a++ = '\0';
			v = strchr(a, '/');
			if (v)
				*v++ = '\0';
			o->os = buf;
			o->arch = a;
			o->variant = v;
			break;
		}
		case 'h':
			printf("%s", usage);
			return -2;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

static const char pull_usage[] =
	"Usage: podctl pull [options] IMAGE\n\n"
	"Pull an image from a registry.\n\n"
	"Options:\n"
	"      --authfile FILE     path of the authentication file (REGISTRY_AUTH_FILE)\n"
	"      --cert-dir DIR      TLS certificates and keys (certs.d: *.crt, *.cert, *.key)\n"
	"      --creds USER[:PASS] use these credentials\n"
	"      --tls-verify[=BOOL] require HTTPS and verify certificates (default true)\n"
	"      --arch, --os, --variant, --platform OS/ARCH[/VARIANT]\n"
	"      --signature-policy FILE  containers-policy.json(5) to obey\n"
	"  -q, --quiet             print only the image id\n";

int cmd_pull(const struct global_opts *g, int argc, char **argv)
{
	struct pull_opts o;
	struct pull_plan *plan = NULL;
	podd_error_t err = NULL;
	struct engine e;
	char id[65];
	int first = parse_opts(argc, argv, &o, pull_usage);

	if (first == -2)
		return 0;
	if (first < 0)
		return EXIT_ENGINE;
	if (argc - first != 1) {
		fprintf(stderr, "Error: requires exactly 1 arg(s), only received %d\n",
			argc - first);
		return EXIT_ENGINE;
	}
	if (pull_plan_make(argv[first], &o, &plan, &err) < 0)
		return report_error(&err);
	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE | NEED_IMAGE_LATE | NEED_REGISTRY, &err) < 0 ||
	    pull_plan_run(&e, plan, id, &err) < 0) {
		engine_stop(&e);
		pull_plan_free(plan);
		return report_error(&err);
	}
	engine_stop(&e);
	pull_plan_free(plan);
	printf("%s\n", id);
	return 0;
}

static const char push_usage[] =
	"Usage: podctl push [options] IMAGE [DESTINATION]\n\n"
	"Push an image to a registry.\n\n"
	"Options:\n"
	"      --authfile FILE     path of the authentication file (REGISTRY_AUTH_FILE)\n"
	"      --cert-dir DIR      TLS certificates and keys (certs.d: *.crt, *.cert, *.key)\n"
	"      --creds USER[:PASS] use these credentials\n"
	"      --tls-verify[=BOOL] require HTTPS and verify certificates (default true)\n"
	"  -q, --quiet             print nothing\n";

int cmd_push(const struct global_opts *g, int argc, char **argv)
{
	struct pull_opts o;
	struct registries_conf conf;
	struct podd_reference dest;
	struct event_printer pr = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	char name[PODD_REFERENCE_MAX];
	char mount_from[PODD_PUSH_MOUNT_FROM_MAX][PODD_IMAGE_REPO_MAX + 1];
	char *mount_ptrs[PODD_PUSH_MOUNT_FROM_MAX];
	cleanup_free char *user = NULL, *password = NULL;
	cleanup_message ProtobufCMessage *img = NULL;
	Podd__LookupImageRequest lookup = PODD__LOOKUP_IMAGE_REQUEST__INIT;
	Podd__PushRequest req = PODD__PUSH_REQUEST__INIT;
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;
	Podd__RegistryTls tls;
	__attribute__((cleanup(registry_certs_free))) struct registry_certs certs = { 0 };
	int first = parse_opts(argc, argv, &o, push_usage), rc;
	bool tls_verify;

	if (first == -2)
		return 0;
	if (first < 0)
		return EXIT_ENGINE;
	if (argc - first < 1 || argc - first > 2) {
		fprintf(stderr, "Error: requires at least 1 and at most 2 arg(s), only received "
				"%d\n",
			argc - first);
		return EXIT_ENGINE;
	}
	if (registries_conf_load(&conf, &err) < 0)
		return report_error(&err);
	if (podd_reference_parse(argv[argc - 1], &dest, &err) < 0) {
		registries_conf_free(&conf);
		return report_error(&err);
	}
	if (!dest.qualified || dest.tag[0] == '\0') {
		registries_conf_free(&conf);
		podd_error(&err, PODD_E_INVALID_ARGUMENT,
			   "push: destination \"%s\" must name a registry and a tag",
			   argv[argc - 1]);
		return report_error(&err);
	}
	podd_reference_string(&dest, name, sizeof(name));
	{
		/* A push goes where its name says (no location, no mirror), and
		 * not to a blocked registry: podman's check and message. */
		char repo[2 * PODD_IMAGE_REPO_MAX + 2];
		podd_reference_repo(&dest, repo, sizeof(repo));
		rc = registries_conf_check_blocked(&conf, repo, &err);
		tls_verify = o.tls_verify >= 0 ? o.tls_verify == 1
					       : !registries_conf_insecure(&conf, repo);
	}
	registries_conf_free(&conf);
	if (rc < 0) {
		podd_error_wrap(&err, "initializing destination docker://%s", name);
		return report_error(&err);
	}
	if (o.creds)
		rc = creds_split(o.creds, &user, &password, &err);
	else {
		char path[4096], repo[2 * PODD_IMAGE_REPO_MAX + 2];
		auth_file_path(o.authfile, path, sizeof(path));
		podd_reference_repo(&dest, repo, sizeof(repo));
		rc = auth_lookup(path, repo, &user, &password, &err);
	}
	if (rc < 0 || registry_certs_read(o.cert_dir, dest.domain, &certs, &err) < 0)
		return report_error(&err);
	pr.quiet = o.quiet;
	pr.tty = isatty(STDERR_FILENO);

	if (engine_start(&e, g, NEED_STATE | NEED_REGISTRY, &err) < 0)
		goto fail;
	lookup.name_or_id = argv[first];
	if (podd_client_call(engine_state(&e), PODD__STATE_TYPE__STATE_TYPE_LOOKUP_IMAGE,
			     &lookup.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE,
			     &podd__image_record__descriptor, &img, &err) < 0) {
		engine_helper_failed(&e, HELPER_STATE, &err);
		goto fail;
	}
	req.image_id = ((Podd__ImageRecord *)img)->id;
	req.manifest_digest = ((Podd__ImageRecord *)img)->manifest_digest;
	if (req.manifest_digest[0] == '\0') {
		podd_error(&err, PODD_E_INVALID_ARGUMENT,
			   "image %s has no manifest in the store to push", argv[first]);
		goto fail;
	}
	req.destination = name;
	/* Other repositories of the destination's registry that hold the
	 * image: podd-image-registry mounts blobs from them rather than
	 * upload them, as podman does with what its blob info cache knows. */
	req.n_mount_from = image_mount_sources((Podd__ImageRecord *)img, dest.domain,
					       dest.repository, mount_from,
					       PODD_PUSH_MOUNT_FROM_MAX);
	for (size_t i = 0; i < req.n_mount_from; i++)
		mount_ptrs[i] = mount_from[i];
	req.mount_from = mount_ptrs;
	req.tls_verify = tls_verify;
	req.tls = registry_certs_msg(&certs, &tls);
	if (user) {
		creds.username = user;
		creds.password = password;
		req.credentials = &creds;
	}
	if (podd_client_call_stream(&e.helpers[HELPER_REGISTRY].peer,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_PUSH, &req.base,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
				    &podd__registry_event__descriptor, event_printer_chunk, &pr,
				    &err) < 0) {
		engine_helper_failed(&e, HELPER_REGISTRY, &err);
		goto fail;
	}
	engine_stop(&e);
	event_printer_forget(&pr);
	return 0;
fail:
	event_printer_forget(&pr);
	engine_stop(&e);
	return report_error(&err);
}
