/* The privileged launcher (OpenSSH's monitor, bubblewrap's privileged_op):
 * forked by podd-exec and podd-net before they sandbox themselves, it keeps
 * what runc, conmon, CNI plugins and newuidmap need, and performs only the
 * operations in its table, each validated again on its side. */
#ifndef PODD_LAUNCHER_H
#define PODD_LAUNCHER_H

#include <sys/types.h>

#include "client.h"
#include "sandbox.h"
#include "server.h"

struct podd_launcher {
	pid_t pid;
	struct podd_peer peer; /* the worker's side */
};

/* Fork the launcher. The child keeps only its socket and stderr, installs
 * the host-call denylist (no Landlock: it blocks mount(2)), and serves
 * Hello, Ping and `ops` until EOF. The parent returns with a connected,
 * greeted peer. Call before the worker sandboxes itself. */
int podd_launcher_start(struct podd_launcher *launcher, const char *process,
			const struct podd_handler *ops, size_t nops, void *data,
			podd_error_t *err);


/* Close the channel (the launcher exits on EOF) and reap the launcher, so
 * that it never outlives its worker. Safe to call twice. */
void podd_launcher_stop(struct podd_launcher *launcher);

/* Ask the launcher to prove it is alive; returns its pid. */
int podd_launcher_ping(struct podd_launcher *launcher, const char *token, pid_t *pid,
		       podd_error_t *err);

#endif
