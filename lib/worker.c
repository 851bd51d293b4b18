#include "worker.h"

#include <stdlib.h>

#include "helper.h"
#include "launcher.h"
#include "log.h"

static struct podd_launcher launcher = { .peer = { .sock = -1 } };

static void stop_launcher(void)
{
	podd_launcher_stop(&launcher);
}

struct podd_launcher *podd_worker_launcher(void)
{
	return &launcher;
}

static int ping_launcher(struct podd_server *srv, pid_t *pid, podd_error_t *err)
{
	(void)srv;
	return podd_launcher_ping(&launcher, "ping", pid, err);
}

void podd_worker_main(const struct podd_worker *w, int argc, char **argv)
{
	struct podd_helper_args args;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;

	podd_helper_init(w->process, argc, argv, &args);
	/* The launcher is forked first, while the process still holds what
	 * it must keep; the worker then confines itself. */
	if (podd_mkdir_p(args.tmp_dir, &err) < 0 ||
	    (w->prepare && w->prepare(w->data, &args, &err) < 0) ||
	    podd_launcher_start(&launcher, w->process, w->launcher_ops, w->nlauncher_ops, w->data,
				&err) < 0) {
		podd_err("%s", err->msg);
		exit(1);
	}
	atexit(stop_launcher);

	const char *const tmp_only[] = { args.tmp_dir, NULL };
	const struct podd_sandbox_policy policy =
		w->policy(w->confine ? w->confine(w->data) : tmp_only);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		exit(1);
	}

	srv.process = w->process;
	srv.channel = w->channel;
	srv.handlers = w->handlers;
	srv.nhandlers = w->nhandlers;
	srv.data = w->data;
	srv.ping_launcher = ping_launcher;
	podd_helper_serve(&srv);
}
