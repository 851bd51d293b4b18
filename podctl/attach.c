/* Relaying a terminal to conmon's attach socket (SOCK_SEQPACKET). Each
 * record conmon sends starts with a byte naming the stream (2 stdout,
 * 3 stderr); what we send is the container's stdin, raw. EOF on our stdin
 * shuts down our writing side, which conmon passes on as EOF. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "lifecycle.h"

#define STREAM_STDOUT 2
#define STREAM_STDERR 3
#define BUF_SIZE (8192 + 1)

static volatile sig_atomic_t winch = 1;
static struct termios saved;
static bool raw_set;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static void restore_terminal(void)
{
	if (raw_set)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	raw_set = false;
}

static void resize(struct engine *e, const char *id)
{
	Podd__ResizeRequest req = PODD__RESIZE_REQUEST__INIT;
	cleanup_message ProtobufCMessage *m = NULL;
	podd_error_t err = NULL;
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	req.id = (char *)id;
	req.height = ws.ws_row;
	req.width = ws.ws_col;
	/* Best effort: a container that just exited has no ctl fifo. */
	if (podd_client_call(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_RESIZE,
			     &req.base, PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor,
			     &m, &err) < 0)
		podd_error_free(&err);
}

int attach_relay(struct engine *e, const char *id, int sock, bool in, bool tty,
		 podd_error_t *err)
{
	static char buf[BUF_SIZE];
	bool stdin_open = in;

	if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0) {
			raw_set = true;
			atexit(restore_terminal);
		}
		signal(SIGWINCH, on_winch);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN } };
		ssize_t n;

		if (tty && raw_set && winch) {
			winch = 0;
			resize(e, id);
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			restore_terminal();
			return podd_error_sys(err, errno, "attach");
		}
		if (p[0].revents) {
			n = recv(sock, buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* conmon closed: the container's output is done */
			if (n > 1 && (buf[0] == STREAM_STDOUT || buf[0] == STREAM_STDERR))
				write_all(buf[0] == STREAM_STDERR ? STDERR_FILENO : STDOUT_FILENO,
					  buf + 1, (size_t)n - 1);
		}
		if (stdin_open && p[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf) - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				stdin_open = false;
				shutdown(sock, SHUT_WR);
				continue;
			}
			if (write_all(sock, buf, (size_t)n) < 0) {
				stdin_open = false;
			}
		}
	}
	restore_terminal();
	return 0;
}
