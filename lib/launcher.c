#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "common.pb-c.h"
#include "log.h"
#include "sandbox.h"

#define LAUNCHER_FD 3
#define MAX_OPS 32

static __attribute__((noreturn)) void launcher_main(int sock, const char *process,
						     const struct podd_handler *ops, size_t nops,
						     void *data)
{
	static struct podd_handler table[MAX_OPS];
	const struct podd_sandbox_policy policy = podd_launcher_policy();
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	static char name[64];
	int devnull;

	snprintf(name, sizeof(name), "%s-launcher", process);
	podd_log_init(name, podd_log_level_get());
	prctl(PR_SET_NAME, "podd-launcher", 0, 0, 0);
	/* Die with the worker: the launcher serves nobody else. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

	if (dup2(sock, LAUNCHER_FD) < 0)
		_exit(1);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
	}
	close_range(LAUNCHER_FD + 1, ~0U, 0);

	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		_exit(1);
	}

	for (size_t i = 0; i < nops && i < MAX_OPS; i++)
		table[i] = ops[i];
	srv.sock = LAUNCHER_FD;
	srv.process = name;
	srv.channel = "launcher";
	srv.handlers = table;
	srv.nhandlers = nops < MAX_OPS ? nops : MAX_OPS;
	srv.data = data;
	if (podd_server_run(&srv, &err) < 0) {
		podd_err("dropping worker: %s", err->msg);
		_exit(1);
	}
	_exit(0);
}

int podd_launcher_start(struct podd_launcher *launcher, const char *process,
			const struct podd_handler *ops, size_t nops, void *data,
			podd_error_t *err)
{
	int sv[2];
	pid_t pid;

	if (nops > MAX_OPS)
		return podd_error(err, PODD_E_INTERNAL, "launcher table too large");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return podd_error_sys(err, errno, "launcher: socketpair");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return podd_error_sys(err, e, "launcher: fork");
	}
	if (pid == 0) {
		close(sv[0]);
		launcher_main(sv[1], process, ops, nops, data);
	}
	close(sv[1]);
	launcher->pid = pid;
	launcher->peer = (struct podd_peer){ .sock = sv[0], .pid = pid, .name = "launcher" };
	if (podd_client_hello(&launcher->peer, "launcher", err) < 0)
		return -1;
	return 0;
}

int podd_launcher_ping(struct podd_launcher *launcher, const char *token, pid_t *pid,
		       podd_error_t *err)
{
	Podd__Ping ping = PODD__PING__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	ping.token = (char *)token;
	if (podd_client_call(&launcher->peer, PODD__COMMON_TYPE__COMMON_TYPE_PING, &ping.base,
			     PODD__COMMON_TYPE__COMMON_TYPE_PONG, &podd__pong__descriptor, &m,
			     err) < 0)
		return -1;
	*pid = ((Podd__Pong *)m)->pid;
	return 0;
}

void podd_launcher_stop(struct podd_launcher *launcher)
{
	if (launcher->peer.sock >= 0)
		close(launcher->peer.sock);
	launcher->peer.sock = -1;
	if (launcher->pid > 0)
		while (waitpid(launcher->pid, NULL, 0) < 0 && errno == EINTR)
			;
	launcher->pid = 0;
}
