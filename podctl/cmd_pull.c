/* podctl pull and push: podd-image talks to the registry (PullRequest,
 * PushRequest) and streams podman's lines back; podctl prints them on
 * stderr (with a progress line per blob when stderr is a terminal), and
 * for a pull stores the record podd-image answers with in podd-state and
 * prints the image id on stdout.
 *
 * Before its sandbox closes podctl reads what it needs from files: the
 * registries configuration (short names, insecure registries) and the
 * credentials in the auth file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.pb-c.h"
#include "podctl.h"
#include "reference.h"
#include "registries.h"

struct registry_opts {
	int tls_verify;           /* -1: not given */
	const char *creds;        /* --creds USER:PASS */
	const char *authfile;
	bool quiet;
	const char *arch, *os, *variant;
};

struct printer {
	bool quiet;
	bool tty;
	bool progress_shown;
	Podd__RegistryEvent *done; /* a pull's last event, kept (its record) */
};

/* podd-image's text, shown on a terminal: nothing but printable ASCII. */
static void print_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', out);
}

static void human_size(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f%s" : "%.0f%s", v, units[u]);
}

static int on_event(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__RegistryEvent *ev = (const Podd__RegistryEvent *)chunk;
	struct printer *p = data;
	(void)err;

	switch (ev->kind) {
	case PODD__REGISTRY_EVENT__KIND__KIND_MESSAGE:
		if (p->quiet)
			break;
		if (p->progress_shown) {
			fputs("\r\033[K", stderr);
			p->progress_shown = false;
		}
		print_clean(stderr, ev->message);
		fputc('\n', stderr);
		break;
	case PODD__REGISTRY_EVENT__KIND__KIND_PROGRESS: {
		char cur[32], tot[32];
		int width = 30, filled;
		if (p->quiet || !p->tty || strlen(ev->digest) < 19)
			break;
		human_size(ev->current, cur, sizeof(cur));
		human_size(ev->total, tot, sizeof(tot));
		filled = ev->total ? (int)((double)ev->current / (double)ev->total * width) : 0;
		if (filled > width)
			filled = width;
		fputs("\r\033[K", stderr);
		fprintf(stderr, "Copying blob %.12s [%.*s%.*s] %s / %s", ev->digest + 7, filled,
			"==============================", width - filled,
			"------------------------------", cur, tot);
		p->progress_shown = true;
		break;
	}
	case PODD__REGISTRY_EVENT__KIND__KIND_DONE:
	case PODD__REGISTRY_EVENT__KIND__KIND_UNSPECIFIED:
	default:
		break;
	}
	fflush(stderr);
	return 0;
}

static void printer_forget(struct printer *p)
{
	if (p->done)
		podd__registry_event__free_unpacked(p->done, NULL);
	p->done = NULL;
}

static int keep_done(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__RegistryEvent *ev = (const Podd__RegistryEvent *)chunk;
	struct printer *p = data;
	if (ev->kind == PODD__REGISTRY_EVENT__KIND__KIND_DONE) {
		/* The stream's messages are freed after the callback: keep a
		 * copy by packing it again. */
		size_t n = podd__registry_event__get_packed_size(ev);
		cleanup_free uint8_t *buf = malloc(n ? n : 1);
		if (buf == NULL)
			return podd_error(err, PODD_E_INTERNAL, "out of memory");
		podd__registry_event__pack(ev, buf);
		printer_forget(p);
		p->done = podd__registry_event__unpack(NULL, n, buf);
		if (p->done == NULL)
			return podd_error(err, PODD_E_INTERNAL, "out of memory");
		return 0;
	}
	return on_event(chunk, data, err);
}

/* Parses the flags pull and push share; returns the index of the first
 * argument, or -1 after printing an error (exit 125), or -2 for --help. */
static int parse_opts(int argc, char **argv, struct registry_opts *o, const char *usage)
{
	static const struct option opts[] = {
		{ "tls-verify", optional_argument, NULL, 't' },
		{ "creds", required_argument, NULL, 'c' },
		{ "authfile", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "arch", required_argument, NULL, 'A' },
		{ "os", required_argument, NULL, 'O' },
		{ "variant", required_argument, NULL, 'V' },
		{ "platform", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	o->tls_verify = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (optarg == NULL || strcmp(optarg, "true") == 0)
				o->tls_verify = 1;
			else if (strcmp(optarg, "false") == 0)
				o->tls_verify = 0;
			else {
				fprintf(stderr, "Error: invalid argument \"%s\" for \"--tls-verify\" "
						"flag: strconv.ParseBool: parsing \"%s\": invalid "
						"syntax\n",
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

/* Credentials for a reference: --creds, else the auth file. */
static int creds_for(const struct registry_opts *o, const struct podd_reference *ref,
		     char **user, char **password, podd_error_t *err)
{
	char path[4096], repo[2 * PODD_IMAGE_REPO_MAX + 2];
	if (o->creds)
		return creds_split(o->creds, user, password, err);
	auth_file_path(o->authfile, path, sizeof(path));
	podd_reference_repo(ref, repo, sizeof(repo));
	return auth_lookup(path, repo, user, password, err);
}

struct candidate {
	struct podd_reference ref;
	char name[PODD_REFERENCE_MAX];
	char *user, *password;
	bool tls_verify;
};

static int pull_one(struct engine *e, const struct registry_opts *o, struct candidate *c,
		    struct printer *p, char id[65], podd_error_t *err)
{
	Podd__PullRequest req = PODD__PULL_REQUEST__INIT;
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;
	Podd__CreateImageRequest create = PODD__CREATE_IMAGE_REQUEST__INIT;
	cleanup_message ProtobufCMessage *stored = NULL;

	req.reference = c->name;
	req.tls_verify = c->tls_verify;
	if (c->user) {
		creds.username = c->user;
		creds.password = c->password;
		req.credentials = &creds;
	}
	req.architecture = (char *)(o->arch ? o->arch : "");
	req.os = (char *)(o->os ? o->os : "");
	req.variant = (char *)(o->variant ? o->variant : "");
	printer_forget(p);
	if (podd_client_call_stream(&e->helpers[HELPER_IMAGE].peer,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &req.base,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
				    &podd__registry_event__descriptor, keep_done, p, err) < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	if (p->done == NULL || p->done->record == NULL)
		return podd_error(err, PODD_E_PROTOCOL, "podd-image: a pull ended without a record");
	create.record = p->done->record;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_CREATE_IMAGE,
			     &create.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE,
			     &podd__image_record__descriptor, &stored, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	snprintf(id, 65, "%s", ((Podd__ImageRecord *)stored)->id);
	return 0;
}

static const char pull_usage[] =
	"Usage: podctl pull [options] IMAGE\n\n"
	"Pull an image from a registry.\n\n"
	"Options:\n"
	"      --authfile FILE     path of the authentication file (REGISTRY_AUTH_FILE)\n"
	"      --creds USER[:PASS] use these credentials\n"
	"      --tls-verify[=BOOL] require HTTPS and verify certificates (default true)\n"
	"      --arch, --os, --variant, --platform OS/ARCH[/VARIANT]\n"
	"  -q, --quiet             print only the image id\n";

int cmd_pull(const struct global_opts *g, int argc, char **argv)
{
	struct registry_opts o;
	struct registries_conf conf;
	struct candidate cands[REGISTRIES_MAX];
	struct printer pr = { 0 };
	struct podd_reference ref;
	podd_error_t err = NULL;
	size_t n = 0;
	struct engine e;
	char id[65];
	int first = parse_opts(argc, argv, &o, pull_usage), rc = EXIT_ENGINE;
	cleanup_free char *errors = NULL;
	size_t nerrors = 0;

	if (first == -2)
		return 0;
	if (first < 0)
		return EXIT_ENGINE;
	if (argc - first != 1) {
		fprintf(stderr, "Error: requires exactly 1 arg(s), only received %d\n",
			argc - first);
		return EXIT_ENGINE;
	}
	if (registries_conf_load(&conf, &err) < 0)
		return report_error(&err);
	if (podd_reference_parse(argv[first], &ref, &err) < 0) {
		registries_conf_free(&conf);
		return report_error(&err);
	}
	if (ref.qualified) {
		cands[n++].ref = ref;
	} else {
		if (conf.n_search == 0) {
			podd_error(&err, PODD_E_INVALID_ARGUMENT,
				   "short-name \"%s\" did not resolve to an alias and no "
				   "unqualified-search registries are defined in \"%s\"",
				   argv[first], conf.path);
			registries_conf_free(&conf);
			return report_error(&err);
		}
		for (size_t i = 0; i < conf.n_search; i++)
			if (podd_reference_qualify(conf.search[i], argv[first], &cands[n].ref,
						   &err) == 0)
				n++;
			else
				podd_error_free(&err);
	}
	for (size_t i = 0; i < n; i++) {
		struct candidate *c = &cands[i];
		podd_reference_string(&c->ref, c->name, sizeof(c->name));
		c->user = c->password = NULL;
		c->tls_verify = o.tls_verify >= 0 ? o.tls_verify == 1
						  : !registries_conf_insecure(&conf, c->ref.domain);
		if (creds_for(&o, &c->ref, &c->user, &c->password, &err) < 0) {
			registries_conf_free(&conf);
			return report_error(&err);
		}
	}
	registries_conf_free(&conf);
	pr.quiet = o.quiet;
	pr.tty = isatty(STDERR_FILENO);

	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	for (size_t i = 0; i < n; i++) {
		char *joined = NULL;
		if (pull_one(&e, &o, &cands[i], &pr, id, &err) == 0) {
			printf("%s\n", id);
			rc = 0;
			break;
		}
		if (err->code == PODD_E_PROTOCOL) {
			engine_stop(&e);
			return report_error(&err);
		}
		if (asprintf(&joined, "%s\n * %s", errors ? errors : "", err->msg) < 0)
			joined = NULL;
		free(errors);
		errors = joined;
		nerrors++;
		if (n == 1)
			break;
		podd_error_free(&err);
	}
	engine_stop(&e);
	for (size_t i = 0; i < n; i++) {
		free(cands[i].user);
		if (cands[i].password)
			explicit_bzero(cands[i].password, strlen(cands[i].password));
		free(cands[i].password);
	}
	printer_forget(&pr);
	if (rc == 0)
		return 0;
	if (n == 1)
		return report_error(&err);
	fprintf(stderr, "Error: %zu errors occurred while pulling:%s\n", nerrors,
		errors ? errors : "");
	return EXIT_ENGINE;
}

static const char push_usage[] =
	"Usage: podctl push [options] IMAGE [DESTINATION]\n\n"
	"Push an image to a registry.\n\n"
	"Options:\n"
	"      --authfile FILE     path of the authentication file (REGISTRY_AUTH_FILE)\n"
	"      --creds USER[:PASS] use these credentials\n"
	"      --tls-verify[=BOOL] require HTTPS and verify certificates (default true)\n"
	"  -q, --quiet             print nothing\n";

int cmd_push(const struct global_opts *g, int argc, char **argv)
{
	struct registry_opts o;
	struct registries_conf conf;
	struct podd_reference dest;
	struct printer pr = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	char name[PODD_REFERENCE_MAX];
	cleanup_free char *user = NULL, *password = NULL;
	cleanup_message ProtobufCMessage *img = NULL;
	Podd__LookupImageRequest lookup = PODD__LOOKUP_IMAGE_REQUEST__INIT;
	Podd__PushRequest req = PODD__PUSH_REQUEST__INIT;
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;
	int first = parse_opts(argc, argv, &o, push_usage);
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
	tls_verify = o.tls_verify >= 0 ? o.tls_verify == 1
				       : !registries_conf_insecure(&conf, dest.domain);
	registries_conf_free(&conf);
	if (creds_for(&o, &dest, &user, &password, &err) < 0)
		return report_error(&err);
	podd_reference_string(&dest, name, sizeof(name));
	pr.quiet = o.quiet;
	pr.tty = isatty(STDERR_FILENO);

	if (engine_start(&e, g, NEED_STATE | NEED_IMAGE, &err) < 0)
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
	req.tls_verify = tls_verify;
	if (user) {
		creds.username = user;
		creds.password = password;
		req.credentials = &creds;
	}
	if (podd_client_call_stream(&e.helpers[HELPER_IMAGE].peer,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_PUSH, &req.base,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
				    &podd__registry_event__descriptor, on_event, &pr, &err) < 0) {
		engine_helper_failed(&e, HELPER_IMAGE, &err);
		goto fail;
	}
	engine_stop(&e);
	return 0;
fail:
	engine_stop(&e);
	return report_error(&err);
}
