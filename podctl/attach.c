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
#include "detach_keys.h"
#include "lifecycle.h"

#define STREAM_STDOUT 2
#define STREAM_STDERR 3
#define BUF_SIZE (8192 + 1)

static volatile sig_atomic_t winch = 1;

/* Signals passed on to the container while attached without a terminal
 * (podman's --sig-proxy); with one, the terminal itself carries ^C. */
static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
static volatile sig_atomic_t pending[PODD_ARRAY_SIZE(proxied)];
static struct termios saved;
static bool raw_set;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static void on_proxied(int sig)
{
	for (size_t i = 0; i < PODD_ARRAY_SIZE(proxied); i++)
		if (proxied[i] == sig)
			pending[i] = 1;
}

/* The proxied signals stay blocked but inside ppoll(2), which they
 * interrupt: one that arrives while a request is under way waits for the
 * next ppoll instead of slipping between the check and the wait. On the
 * way out they are unblocked while the handler still runs, so a late one
 * is dropped rather than acted on with its default action. */
static sigset_t unblocked;

static void proxy_signals(bool on)
{
	struct sigaction sa = { .sa_handler = on_proxied };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < PODD_ARRAY_SIZE(proxied); i++)
		sigaddset(&set, proxied[i]);
	if (on) {
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < PODD_ARRAY_SIZE(proxied); i++)
			sigaction(proxied[i], &sa, NULL);
		sigprocmask(SIG_BLOCK, &set, &unblocked);
		return;
	}
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < PODD_ARRAY_SIZE(proxied); i++)
		sigaction(proxied[i], &sa, NULL);
}

/* Best effort: a container that just exited takes no signal, and its exit
 * is what the relay is about to see. */
static void forward_pending(struct engine *e, const char *id, const char *runtime)
{
	for (size_t i = 0; i < PODD_ARRAY_SIZE(proxied); i++) {
		Podd__ContainerRef ref = PODD__CONTAINER_REF__INIT;
		Podd__KillRequest req = PODD__KILL_REQUEST__INIT;
		cleanup_message ProtobufCMessage *m = NULL;
		podd_error_t err = NULL;

		if (!pending[i])
			continue;
		pending[i] = 0;
		ref.id = (char *)id;
		ref.runtime = (char *)runtime;
		req.ref = &ref;
		req.signal = proxied[i];
		if (podd_client_call(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_KILL,
				     &req.base, PODD__COMMON_TYPE__COMMON_TYPE_OK,
				     &podd__ok__descriptor, &m, &err) < 0)
			podd_error_free(&err);
	}
}

/* Killed while the terminal is raw: put it back, then die of the signal. */
static void on_fatal(int sig)
{
	if (raw_set)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_terminal(void)
{
	if (raw_set)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	raw_set = false;
}

static void resize(struct engine *e, const char *id, const char *session)
{
	Podd__ResizeRequest req = PODD__RESIZE_REQUEST__INIT;
	cleanup_message ProtobufCMessage *m = NULL;
	podd_error_t err = NULL;
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	req.id = (char *)id;
	req.session_id = (char *)(session ? session : "");
	req.height = ws.ws_row;
	req.width = ws.ws_col;
	/* Best effort: a container that just exited has no ctl fifo. */
	if (podd_client_call(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_RESIZE,
			     &req.base, PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor,
			     &m, &err) < 0)
		podd_error_free(&err);
}

/* Pass the terminal's input on, holding back a partial detach sequence
 * until the next byte shows whether it goes on. Returns 1 on detach. */
static int send_input(int sock, const char *in, size_t n, struct detach_keys *keys)
{
	static unsigned char out[BUF_SIZE + DETACH_KEYS_MAX];
	size_t m = 0;
	bool detach = detach_keys_feed(keys, (const unsigned char *)in, n, out, &m);

	if (write_all(sock, (const char *)out, m) < 0)
		return -1;
	return detach ? 1 : 0;
}

int attach_relay(struct engine *e, const char *id, const char *session, int sock, bool in,
		 bool tty, const char *proxy_runtime, const struct detach_keys *detach,
		 podd_error_t *err)
{
	static char buf[BUF_SIZE];
	bool stdin_open = in, proxy = proxy_runtime && !tty;
	struct detach_keys keys;
	int detached = 0;

	if (detach)
		keys = *detach;
	else
		detach_keys_default(&keys);
	keys.matched = 0;
	if (proxy)
		proxy_signals(true);

	if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0) {
			raw_set = true;
			atexit(restore_terminal);
			signal(SIGTERM, on_fatal);
			signal(SIGHUP, on_fatal);
			signal(SIGQUIT, on_fatal);
		}
		signal(SIGWINCH, on_winch);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN } };
		ssize_t n;

		if (tty && raw_set && winch) {
			winch = 0;
			resize(e, id, session);
		}
		if (proxy)
			forward_pending(e, id, proxy_runtime);
		if (ppoll(p, 2, NULL, proxy ? &unblocked : NULL) < 0) {
			if (errno == EINTR)
				continue;
			restore_terminal();
			if (proxy)
				proxy_signals(false);
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
			if (!tty) {
				if (write_all(sock, buf, (size_t)n) < 0)
					stdin_open = false;
				continue;
			}
			detached = send_input(sock, buf, (size_t)n, &keys);
			if (detached < 0)
				stdin_open = false;
			if (detached > 0)
				break;
		}
	}
	restore_terminal();
	if (proxy)
		proxy_signals(false);
	return detached > 0 ? 1 : 0;
}
