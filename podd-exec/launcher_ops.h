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
/* One of podd's own programs (podctl, podd-export): next to podd-exec in
 * a build tree, else in `installed_dir`; trusted (program_trusted, files.h). Never a path
 * the worker supplies. */
int launcher_engine_program(const char *name, const char *installed_dir, char *out, size_t size,
			    podd_error_t *err);
int launcher_resolve_program(const char *name, char *out, size_t size, podd_error_t *err);
int launcher_resolve_runtime(const char *name, char *out, size_t size, podd_error_t *err);
/* The program to run in front of the resolved `runtime`, if it needs one:
 * podd-runtime-ns for crun (runtime_ns.c). Returns 1 with its path in
 * `out`, 0 when the runtime runs as it is, or -1. */
int launcher_runtime_wrapper(const char *runtime, char *out, size_t size, podd_error_t *err);
/* The start of a runtime command line: podd-runtime-ns when the runtime
 * needs it, the resolved runtime, --root <tmp>/runtime; a caller appends
 * its verb and arguments (room for 10 more and the NULL). */
struct runtime_cmd {
	char runtime[4096], wrapper[4096], root[4200];
	const char *argv[16];
	size_t n;
};
int launcher_runtime_cmd(const struct exec_ctx *ctx, const char *name, struct runtime_cmd *c,
			 podd_error_t *err);
/* Run argv with stdin and stdout on /dev/null, stderr captured into `msg`
 * (a short, printable excerpt). Returns the wait status, or -1. */
int launcher_run(char *const *argv, int *status, char *msg, size_t msgsize, podd_error_t *err);
/* launcher_run, and stdout into `out` (NUL-terminated, cut at outsize);
 * a program that has not ended (closed its stderr) after timeout_ms is
 * killed, and that is an error. */
int launcher_run_output(char *const *argv, int timeout_ms, int *status, char *out,
			size_t outsize, char *msg, size_t msgsize, podd_error_t *err);
/* conmon.c: the pid a pidfile in a worker-writable directory holds (no
 * link followed, no FIFO opened); -1 when there is none. */
int conmon_read_pidfile(const char *path, int *pid);
/* monitor.c: a container's conmon and runtime state (ProbeMonitor). */
int op_probe_monitor(struct podd_server *srv, const struct podd_request *req,
		     podd_error_t *err);
int op_spawn_conmon(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int op_spawn_exec(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int op_read_user_db(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* rootfs.c: a container's root filesystem, opened (absolute, not "/", no
 * symlink followed on the way) and read beneath only with RESOLVE_IN_ROOT. */
#define ROOTFS_ETC_FILE_MAX (32 * 1024)
int rootfs_open(const char *rootfs, podd_error_t *err);
/* <root>/etc/<name>, a regular file, at most `size` bytes cut at a line;
 * -1 when missing or not a regular file. */
int rootfs_read_etc(int rootfd, const char *name, char *buf, size_t size, size_t *len);
/* top.c, export.c */
int op_list_processes(struct podd_server *srv, const struct podd_request *req,
		      podd_error_t *err);
int op_export(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* Worker side. */
int call_runtime(const char *id, const char *runtime, Podd__RuntimeVerb verb, int signal,
		 bool all, podd_error_t *err);
/* Whether container id's conmon runs (*alive) and, when it does not,
 * whether the runtime still runs the container (*gone: it is stopped,
 * or the runtime knows it not). With `session` (not NULL or ""), the
 * same of that exec session's conmon and process. */
int call_probe_monitor(const char *id, const char *runtime, const char *session, bool *alive,
		       bool *gone, podd_error_t *err);
int call_spawn_conmon(const Podd__ContainerRecord *rec, const char *log_level,
		      const char *storage_driver, int *pid, int *conmon_pid, podd_error_t *err);
/* The rootfs's passwd and group files (sizes checked); free *db with
 * protobuf_c_message_free_unpacked. */
int call_read_user_db(const char *id, const char *rootfs, Podd__UserDb **db, podd_error_t *err);
/* An exec session whose process.json is written: *pid is the process's;
 * with attach, *attach_fd the connected attach socket. */
int call_spawn_exec(const Podd__ContainerRecord *rec, const char *session, bool tty, bool in,
		    bool attach, const char *log_level, int *pid, int *attach_fd,
		    podd_error_t *err);

#endif
