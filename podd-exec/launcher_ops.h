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
/* An executable regular file that only root may change: the launcher runs
 * it with every capability. */
bool launcher_trusted_program(const char *path);
/* One of podd's own programs (podctl, podd-export): next to podd-exec in
 * a build tree, else in `installed_dir`; trusted as above. Never a path
 * the worker supplies. */
int launcher_engine_program(const char *name, const char *installed_dir, char *out, size_t size,
			    podd_error_t *err);
int launcher_resolve_program(const char *name, char *out, size_t size, podd_error_t *err);
int launcher_resolve_runtime(const char *name, char *out, size_t size, podd_error_t *err);
/* The program to run in front of the resolved `runtime`, if it needs one:
 * podd-runtime-ns for crun (runtime_ns.c). Returns 1 with its path in
 * `out`, 0 when the runtime runs as it is, or -1. */
int launcher_runtime_wrapper(const char *runtime, char *out, size_t size, podd_error_t *err);
/* Run argv with stdin and stdout on /dev/null, stderr captured into `msg`
 * (a short, printable excerpt). Returns the wait status, or -1. */
int launcher_run(char *const *argv, int *status, char *msg, size_t msgsize, podd_error_t *err);
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
