/* The shape shared by podd-exec and podd-net: a worker that forks its
 * privileged launcher, then sandboxes itself and serves podctl. Each
 * binary describes itself in a struct podd_worker and hands over. */
#ifndef PODD_WORKER_H
#define PODD_WORKER_H

#include <stdbool.h>

#include "helper.h"
#include "sandbox.h"
#include "server.h"

struct podd_worker {
	const char *process;            /* "podd-exec" */
	const char *channel;            /* the Hello.channel it serves */
	/* Builds the worker's policy; dirs are the Landlock grants. */
	struct podd_sandbox_policy (*policy)(const char *const *dirs);
	/* The directories the worker keeps (Landlock), NULL-terminated, as
	 * prepare left them in data; NULL: the tmp dir alone. Never the
	 * static or tmp dir whole where the worker needs less: the runtime's
	 * state (<tmp>/runtime, whose hooks runc runs as root), the state
	 * database and the image store are not the worker's to write. */
	const char *const *(*confine)(void *data);
	const struct podd_handler *handlers;
	size_t nhandlers;
	const struct podd_handler *launcher_ops; /* what the launcher performs */
	size_t nlauncher_ops;
	void *data;                     /* handed to both servers */
	/* Called before the launcher is forked (so both get its result)
	 * and before the sandbox: read what the sandbox will hide. */
	int (*prepare)(void *data, const struct podd_helper_args *args, podd_error_t *err);
};

struct podd_launcher;
/* The worker's launcher, for handlers that call it. */
struct podd_launcher *podd_worker_launcher(void);

/* Parse the helper command line, create the tmp dir, fork the launcher,
 * apply the policy, serve until EOF, and exit (reaping the launcher). */
__attribute__((noreturn)) void podd_worker_main(const struct podd_worker *w, int argc,
						char **argv);

#endif
