/* The operations podd-exec's launcher performs (launcher_ops.c, conmon.c),
 * and the worker's side of calling them. */
#ifndef PODD_EXEC_LAUNCHER_OPS_H
#define PODD_EXEC_LAUNCHER_OPS_H

#include <stddef.h>

#include "error.h"
#include "exec.h"
#include "launcher.pb-c.h"
#include "server.h"

extern const struct podd_handler exec_launcher_ops[];
extern const size_t exec_launcher_nops;

/* Launcher side. */
int launcher_resolve_program(const char *name, char *out, size_t size, podd_error_t *err);
int launcher_resolve_runtime(const char *name, char *out, size_t size, podd_error_t *err);
/* Run argv with stdin and stdout on /dev/null, stderr captured into `msg`
 * (a short, printable excerpt). Returns the wait status, or -1. */
int launcher_run(char *const *argv, int *status, char *msg, size_t msgsize, podd_error_t *err);
int op_spawn_conmon(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* Worker side. */
int call_runtime(const char *id, const char *runtime, Podd__RuntimeVerb verb, int signal,
		 bool all, podd_error_t *err);
int call_spawn_conmon(const Podd__ContainerRecord *rec, const char *log_level, int *pid,
		      int *conmon_pid, podd_error_t *err);

#endif
