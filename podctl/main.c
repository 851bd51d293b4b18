/* podctl: parse global options, pick the command, map errors to exit codes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "images.h"
#include "podctl.h"
#include "podd_conf.h"

struct command {
	const char *name;
	int (*run)(const struct global_opts *g, int argc, char **argv);
	const char *help;
	/* what `podctl NAME --help` prints after "Usage: podctl "; NULL
	 * where the command prints its own */
	const char *synopsis;
};

/* In podman's order: by name. */
static const struct command commands[] = {
	{ "attach", cmd_attach, "Attach to a running container",
	  "attach [--detach-keys KEYS] [--no-stdin] NAME|ID" },
	{ "commit", cmd_commit, "Create new image based on the changed container", NULL },
	{ "container", cmd_container, "Manage containers (exists, create, ps, rm, rename, inspect)",
	  "container exists|create|inspect|ps|ls|list|rename|rm ..." },
	{ "create", cmd_create, "Create but do not start a container",
	  "create [options] IMAGE [COMMAND [ARG...]]\n       podctl create [options] --rootfs "
	  "ROOTFS COMMAND [ARG...]" },
	{ "exec", cmd_exec, "Run a process in a running container",
	  "exec [-d] [-i] [-t] [-e K=V]... [-w DIR] [-u USER] NAME|ID COMMAND [ARG...]" },
	{ "export", cmd_export, "Export a container's filesystem contents as a tar archive", NULL },
	{ "history", cmd_history, "Show history of a specified image", NULL },
	{ "image", cmd_image, "Manage images", NULL },
	{ "images", cmd_images, "List images in local storage", NULL },
	{ "import", cmd_import, "Import a tarball to create a filesystem image", NULL },
	{ "info", cmd_info, "Display podd system information", "info [--format json|TEMPLATE]" },
	{ "inspect", cmd_inspect, "Display the configuration of a container",
	  "inspect [-s] [--format json|TEMPLATE] NAME|ID..." },
	{ "kill", cmd_kill, "Kill one or more running containers with a specific signal",
	  "kill [-a] [-s SIGNAL] NAME|ID..." },
	{ "load", cmd_load, "Load image(s) from a tar archive", NULL },
	{ "login", cmd_login, "Log in to a container registry", NULL },
	{ "logout", cmd_logout, "Log out of a container registry", "logout [--authfile FILE] [-a] [REGISTRY]" },
	{ "logs", cmd_logs, "Fetch the logs of one or more containers",
	  "logs [-f] [-n] [--tail N] [-t] [--since TIME] [--until TIME] NAME|ID..." },
	{ "pause", cmd_pause, "Pause all the processes in one or more containers",
	  "pause [-a] NAME|ID..." },
	{ "ps", cmd_ps, "List containers",
	  "ps [-a] [-q] [-s] [--no-trunc] [-n N|-l] [-f KEY=VALUE]... [--sort KEY] "
	  "[--noheading] [--format json|TEMPLATE]" },
	{ "pull", cmd_pull, "Pull an image from a registry", NULL },
	{ "push", cmd_push, "Push an image to a registry", NULL },
	{ "rename", cmd_rename, "Rename an existing container", "rename NAME|ID NEW-NAME" },
	{ "restart", cmd_restart, "Restart one or more containers", "restart [-a] [-t SECONDS] NAME|ID..." },
	{ "rm", cmd_rm, "Remove one or more containers",
	  "rm [-f] [-a] [-i] [-v] [-t SECONDS] NAME|ID..." },
	{ "rmi", cmd_rmi, "Remove one or more images from local storage", NULL },
	{ "run", cmd_run, "Run a command in a new container",
	  "run [options] IMAGE [COMMAND [ARG...]]\n       podctl run [options] --rootfs ROOTFS "
	  "COMMAND [ARG...]" },
	{ "save", cmd_save, "Save image(s) to an archive", NULL },
	{ "search", cmd_search, "Search registry for image", NULL },
	{ "start", cmd_start, "Start one or more containers",
	  "start [-a] [-i] [--all] [--detach-keys KEYS] NAME|ID..." },
	{ "stop", cmd_stop, "Stop one or more containers", "stop [-a] [-i] [-t SECONDS] NAME|ID..." },
	{ "system", cmd_system, "Manage podd (sandbox: show each process's confinement)",
	  "system sandbox [--wait]" },
	{ "tag", cmd_tag, "Add an additional name to a local image", "tag IMAGE TARGET..." },
	{ "top", cmd_top, "Display the running processes of a container", NULL },
	{ "unpause", cmd_unpause, "Unpause the processes in one or more containers",
	  "unpause [-a] NAME|ID..." },
	{ "untag", cmd_untag, "Remove a name from a local image", "untag IMAGE [NAME...]" },
	{ "version", cmd_version, "Display the podd version information", "version" },
	{ "wait", cmd_wait, "Block on one or more containers", "wait NAME|ID..." },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: podctl [options] COMMAND [ARG...]\n\n"
		     "A daemonless, privilege-separated container engine.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nOptions:\n"
		     "  --root DIR            static dir: state database and storage\n"
		     "  --runroot DIR         tmp dir: locks and runtime state\n"
		     "  --storage-driver NAME overlay (default) or vfs\n"
		     "  --runtime NAME|PATH   OCI runtime for new containers: runc (default), crun\n"
		     "  --log-level LEVEL     error, warn, info or debug (default warn)\n"
		     "  -v, --version         print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "runroot", required_argument, NULL, 'R' },
		{ "storage-driver", required_argument, NULL, 's' },
		{ "runtime", required_argument, NULL, 'T' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	/* Static: its strings stay for the whole command. */
	static struct podd_conf conf;
	struct global_opts g = { .log_level = -1 };
	podd_error_t err = NULL;
	int c;

	podd_log_init("podctl", PODD_LOG_WARN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'R':
			g.runroot = optarg;
			break;
		case 's':
			g.storage_driver = optarg;
			break;
		case 'T':
			g.runtime = optarg;
			break;
		case 'l':
			g.log_level = podd_log_level_parse(optarg);
			if (g.log_level < 0) {
				fprintf(stderr, "Error: invalid --log-level \"%s\" (error, warn, "
						"info, debug)\n", optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("podctl version %s\n", PODD_VERSION);
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag: %s\nSee 'podctl --help'\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	/* The flags win; podd.conf fills what they left unset. */
	if (podd_conf_load(&conf, &err) < 0)
		return report_error(&err);
	if (g.root == NULL)
		g.root = conf.root;
	if (g.runroot == NULL)
		g.runroot = conf.runroot;
	if (g.storage_driver == NULL)
		g.storage_driver = conf.storage_driver ? conf.storage_driver : "overlay";
	if (g.runtime == NULL)
		g.runtime = conf.runtime;
	if (g.log_level < 0)
		g.log_level = conf.log_level >= 0 ? conf.log_level : PODD_LOG_WARN;
	podd_log_init("podctl", (enum podd_log_level)g.log_level);
	if (conf.unknown && g.log_level >= PODD_LOG_WARN)
		fprintf(stderr, "WARN[0000] Failed to decode the keys [%s] from \"%s\"\n",
			conf.unknown, conf.path);
	if (optind >= argc) {
		usage(stderr);
		fprintf(stderr, "Error: missing command 'podctl COMMAND'\n");
		return EXIT_ENGINE;
	}
	if (engine_default_paths(&g, &err) < 0)
		return report_error(&err);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];
		if (strcmp(argv[optind], cmd->name) != 0)
			continue;
		/* --help right after the command, as podman answers it (a later
		 * one may be the container's own argument) */
		if (cmd->synopsis && optind + 1 < argc && strcmp(argv[optind + 1], "--help") == 0) {
			printf("Usage: podctl %s\n\n%s.\n", cmd->synopsis, cmd->help);
			return 0;
		}
		return cmd->run(&g, argc - optind, argv + optind);
	}
	fprintf(stderr, "Error: unrecognized command `podctl %s`\nTry 'podctl --help' for more "
			"information\n", argv[optind]);
	return EXIT_ENGINE;
}
