/* Starting one helper on a socketpair, as podctl does, and seeing how it
 * ends. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int helper_spawn(struct helper *h, const struct target *t, const char *root, const char *runroot)
{
	int sv[2];
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", t->bindir, t->binary);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		char *const argv[] = { path, "--root", (char *)root, "--runroot", (char *)runroot,
				       "--log-level", "error", NULL };
		int devnull = open("/dev/null", O_WRONLY);
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO); /* their "dropping peer" lines */
		close_range(4, ~0U, 0);
		execv(path, argv);
		_exit(127);
	}
	close(sv[1]);
	h->sock = sv[0];
	return 0;
}

/* Close our end and wait up to 10 s for the helper to go. Returns its
 * wait status, or -1 if it had to be killed (a hang). */
int helper_finish(struct helper *h)
{
	struct timespec start, now;
	int status;

	if (h->sock >= 0)
		close(h->sock);
	h->sock = -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(h->pid, &status, WNOHANG);
		if (r == h->pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 10) {
			kill(h->pid, SIGKILL);
			waitpid(h->pid, &status, 0);
			return -1;
		}
		usleep(2000);
	}
}

/* After a violation the helper must close its end on its own: wait for
 * EOF (or a reset) on our side, up to 5 s. */
bool helper_dropped(struct helper *h)
{
	char buf[256];
	for (int i = 0; i < 500; i++) {
		struct pollfd p = { .fd = h->sock, .events = POLLIN };
		if (poll(&p, 1, 10) > 0) {
			ssize_t n = recv(h->sock, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				return true;
		}
	}
	return false;
}
