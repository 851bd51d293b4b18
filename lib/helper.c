#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

static __attribute__((noreturn)) void usage(const char *process, const char *why)
{
	fprintf(stderr, "%s: %s\n%s is started by podctl, not by hand.\n", process, why,
		process);
	exit(2);
}

void podd_helper_init(const char *process, int argc, char **argv, struct podd_helper_args *args)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "runroot", required_argument, NULL, 'R' },
		{ "log-level", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int type = 0, c, devnull;
	socklen_t len = sizeof(type);

	memset(args, 0, sizeof(*args));
	args->log_level = PODD_LOG_WARN;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			args->static_dir = optarg;
			break;
		case 'R':
			args->tmp_dir = optarg;
			break;
		case 'l':
			args->log_level = podd_log_level_parse(optarg);
			if (args->log_level < 0)
				usage(process, "invalid --log-level");
			break;
		default:
			usage(process, "invalid option");
		}
	}
	if (optind != argc)
		usage(process, "unexpected argument");
	if (args->static_dir == NULL || args->static_dir[0] != '/' || args->tmp_dir == NULL ||
	    args->tmp_dir[0] != '/')
		usage(process, "--root and --runroot must be absolute paths");
	if (getsockopt(PODD_HELPER_SOCKET_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET)
		usage(process, "descriptor 3 is not a SEQPACKET socket");

	podd_log_init(process, (enum podd_log_level)args->log_level);
	signal(SIGPIPE, SIG_IGN);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
}

void podd_helper_serve(struct podd_server *srv)
{
	podd_error_t err = NULL;
	int rc;

	srv->sock = PODD_HELPER_SOCKET_FD;
	rc = podd_server_run(srv, &err);
	if (rc < 0) {
		podd_err("dropping peer: %s", err->msg);
		podd_error_free(&err);
	}
	if (srv->at_end)
		srv->at_end(srv);
	exit(rc < 0 ? 1 : 0);
}

int podd_mkdir_p(const char *path, podd_error_t *err)
{
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return podd_error_sys(err, ENOMEM, "mkdir %s", path);
	for (char *p = copy + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, 0700) < 0 && errno != EEXIST)
				return podd_error_sys(err, errno, "mkdir %s", copy);
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}
