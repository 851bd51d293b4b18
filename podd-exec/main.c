/* podd-exec: the sandboxed worker parses requests; its privileged launcher,
 * forked before the sandbox closes, performs the few operations that need
 * privilege (runc and conmon (issue 3) are started by the launcher). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "exec.pb-c.h"
#include "helper.h"
#include "launcher.h"
#include "log.h"
#include "policy.h"

static struct podd_launcher launcher;

static void stop_launcher(void)
{
	podd_launcher_stop(&launcher);
}

/* ExecPing: proves the worker and its launcher are alive. */
static int handle_ping(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ExecPing *ping = (const Podd__ExecPing *)req->msg;
	Podd__ExecPong pong = PODD__EXEC_PONG__INIT;
	pid_t lpid = 0;

	if (podd_launcher_ping(&launcher, ping->token, &lpid, err) < 0)
		return -1;
	pong.token = ping->token;
	pong.worker_pid = (int32_t)getpid();
	pong.launcher_pid = (int32_t)lpid;
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_PONG, 0, &pong.base, NULL, 0,
				 err);
}

static const struct podd_handler handlers[] = {
	{ PODD__EXEC_TYPE__EXEC_TYPE_PING, &podd__exec_ping__descriptor, 0, handle_ping },
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;

	podd_helper_init("podd-exec", argc, argv, &args);
	if (podd_mkdir_p(args.tmp_dir, &err) < 0 ||
	    podd_launcher_start(&launcher, "podd-exec", NULL, 0, NULL, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	atexit(stop_launcher);

	const char *const dirs[] = { args.static_dir, args.tmp_dir, NULL };
	const struct podd_sandbox_policy policy = podd_exec_policy(dirs);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = "podd-exec";
	srv.channel = "exec";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	podd_helper_serve(&srv);
}
