/* podctl create [--name N] [-e K=V]... [-w DIR] [-u USER] --rootfs DIR CMD [ARG...] */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "podctl.h"
#include "validate.h"

struct create_opts {
	const char *name;
	const char *workdir;
	const char *user;
	bool rootfs;
	char **env;
	size_t n_env;
};

static void free_env(struct create_opts *o)
{
	for (size_t i = 0; i < o->n_env; i++)
		free(o->env[i]);
	free(o->env);
}

/* -e KEY=VALUE, or -e KEY to take KEY's value from podctl's environment
 * (skipped when unset), as podman does. */
static int add_env(struct create_opts *o, const char *arg, podd_error_t *err)
{
	char *entry = NULL, **grown;

	if (arg[0] == '=' || arg[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid environment variable \"%s\"",
				  arg);
	if (strchr(arg, '=')) {
		entry = strdup(arg);
	} else {
		const char *v = getenv(arg);
		if (v == NULL)
			return 0;
		if (asprintf(&entry, "%s=%s", arg, v) < 0)
			entry = NULL;
	}
	grown = realloc(o->env, (o->n_env + 1) * sizeof(*grown));
	if (entry == NULL || grown == NULL) {
		free(entry);
		if (grown)
			o->env = grown;
		return podd_error_sys(err, ENOMEM, "environment");
	}
	o->env = grown;
	o->env[o->n_env++] = entry;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "Usage: podctl create [options] --rootfs ROOTFS COMMAND [ARG...]\n");
}

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "rootfs", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	__attribute__((cleanup(free_env))) struct create_opts o = { 0 };
	Podd__CreateContainerRequest req = PODD__CREATE_CONTAINER_REQUEST__INIT;
	Podd__ContainerRecord *rec;
	ProtobufCMessage *m = NULL;
	podd_error_t err = NULL;
	struct engine e;
	char rootfs[PATH_MAX];
	struct stat st;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:w:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.name = optarg;
			break;
		case 'e':
			if (add_env(&o, optarg, &err) < 0)
				return report_error(&err);
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'r':
			o.rootfs = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (!o.rootfs) {
		fprintf(stderr, "Error: podd runs only --rootfs containers until images land: "
				"podctl create --rootfs DIR COMMAND\n");
		return EXIT_ENGINE;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "Error: requires a rootfs and a command\n");
		usage();
		return EXIT_ENGINE;
	}
	if (o.name && !podd_name_valid(o.name)) {
		fprintf(stderr, "Error: container name \"%s\": names must match "
				"[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument\n", o.name);
		return EXIT_ENGINE;
	}
	if (o.workdir && o.workdir[0] != '/') {
		fprintf(stderr, "Error: workdir \"%s\" must be an absolute path\n", o.workdir);
		return EXIT_ENGINE;
	}
	/* The rootfs is checked here, before the sandbox: podd-state cannot
	 * see outside its own directories. */
	if (realpath(argv[optind], rootfs) == NULL) {
		fprintf(stderr, "Error: rootfs \"%s\": %s\n", argv[optind], strerror(errno));
		return EXIT_ENGINE;
	}
	if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "Error: rootfs \"%s\" is not a directory\n", argv[optind]);
		return EXIT_ENGINE;
	}

	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	req.name = (char *)(o.name ? o.name : "");
	req.rootfs = rootfs;
	req.n_cmd = (size_t)(argc - optind - 1);
	req.cmd = argv + optind + 1;
	req.n_env = o.n_env;
	req.env = o.env;
	req.workdir = (char *)(o.workdir ? o.workdir : "");
	req.user = (char *)(o.user ? o.user : "");
	if (podd_client_call(engine_state(&e), PODD__STATE_TYPE__STATE_TYPE_CREATE_CONTAINER,
			     &req.base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, &err) < 0) {
		engine_helper_failed(&e, HELPER_STATE, &err);
		engine_stop(&e);
		return report_error(&err);
	}
	rec = (Podd__ContainerRecord *)m;
	printf("%s\n", rec->id);
	podd__container_record__free_unpacked(rec, NULL);
	engine_stop(&e);
	return 0;
}
