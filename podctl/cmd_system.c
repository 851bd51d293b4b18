/* podctl system sandbox [--wait]: start every helper, check each answers
 * (exec and net through their launchers), and print each process's
 * confinement as the kernel reports it. --wait keeps the session open
 * until stdin closes, so that tests can read /proc from outside. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "common.pb-c.h"
#include "podctl.h"

static void status_fields(int fd, char *capeff, char *nnp, char *seccomp, size_t size)
{
	char buf[4096];
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;

	snprintf(capeff, size, "?");
	snprintf(nnp, size, "?");
	snprintf(seccomp, size, "?");
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "CapEff:\t%31s", capeff) == 1)
			continue;
		if (sscanf(line, "NoNewPrivs:\t%31s", nnp) == 1)
			continue;
		sscanf(line, "Seccomp:\t%31s", seccomp);
	}
}

static int ping(struct engine *e, enum helper_kind k, int *launcher_pid, podd_error_t *err)
{
	Podd__Ping req = PODD__PING__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	req.token = "sandbox";
	if (podd_client_call(&e->helpers[k].peer, PODD__COMMON_TYPE__COMMON_TYPE_PING, &req.base,
			     PODD__COMMON_TYPE__COMMON_TYPE_PONG, &podd__pong__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, k, err);
	*launcher_pid = ((Podd__Pong *)m)->launcher_pid;
	return 0;
}

int cmd_system(const struct global_opts *g, int argc, char **argv)
{
	static const char *const names[HELPER_COUNT] = {
		[HELPER_STATE] = "podd-state",		 [HELPER_IMAGE] = "podd-image",
		[HELPER_EXEC] = "podd-exec",		 [HELPER_NET] = "podd-net",
		[HELPER_REGISTRY] = "podd-image-registry",
	};
	char capeff[32], nnp[32], seccomp[32], buf[64];
	bool wait_stdin = false;
	podd_error_t err = NULL;
	struct engine e;
	int self_status = -1;

	if (argc < 2 || strcmp(argv[1], "sandbox") != 0) {
		fprintf(stderr, "Error: usage: podctl system sandbox [--wait]\n");
		return EXIT_ENGINE;
	}
	if (argc == 3 && strcmp(argv[2], "--wait") == 0)
		wait_stdin = true;
	else if (argc != 2) {
		fprintf(stderr, "Error: usage: podctl system sandbox [--wait]\n");
		return EXIT_ENGINE;
	}
	self_status = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (engine_start(&e, g, NEED_ALL, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	printf("%-20s %-8s %-18s %-10s %s\n", "PROCESS", "PID", "CAPEFF", "NONEWPRIVS", "SECCOMP");
	status_fields(self_status, capeff, nnp, seccomp, sizeof(capeff));
	printf("%-20s %-8d %-18s %-10s %s\n", "podctl", (int)getpid(), capeff, nnp, seccomp);
	for (int k = 0; k < HELPER_COUNT; k++) {
		int lpid = 0;
		if (ping(&e, (enum helper_kind)k, &lpid, &err) < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
		status_fields(e.helpers[k].status_fd, capeff, nnp, seccomp, sizeof(capeff));
		printf("%-20s %-8d %-18s %-10s %s\n", names[k], (int)e.helpers[k].peer.pid, capeff,
		       nnp, seccomp);
		if (lpid > 0) {
			snprintf(buf, sizeof(buf), "%s-launcher", names[k]);
			printf("%-20s %-8d %-18s %-10s %s\n", buf, lpid, "-", "-", "-");
		}
	}
	fflush(stdout);
	if (wait_stdin)
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	close(self_status);
	engine_stop(&e);
	return 0;
}
