/* podd-exec's shared context: where each container's files live, and the
 * pieces that build its OCI bundle. */
#ifndef PODD_EXEC_H
#define PODD_EXEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.pb-c.h"
#include "exec.pb-c.h"
#include "error.h"
#include "files.h"
#include "server.h"

#define EXEC_HOST_FILE_MAX (64 * 1024)

struct exec_ctx {
	const char *static_dir;
	const char *tmp_dir;
	/* Host files read before the sandbox closed (a podd-exec lives for
	 * one podctl command). */
	char *host_resolv;  /* the resolv.conf containers start from */
	char *host_hosts;   /* /etc/hosts */
	/* The capabilities the launcher holds (its bounding set, as ours was
	 * before the sandbox): --privileged and --cap-add ALL get these, as
	 * a runtime cannot grant more. Bit n is capability n. */
	uint64_t bounding;
	/* exits, containers and socket in the tmp dir, containers in the
	 * static dir: the worker's Landlock grants (main.c prepare). */
#define EXEC_DIRS 4
	char dirs[EXEC_DIRS][4200];
	const char *dir_list[EXEC_DIRS + 1];
};

/* paths.c: every path of a container, built from validated ids only.
 *   <tmp>/containers/<id>/           bundle: config.json, conmon's attach
 *                                    socket, ctl fifo, pidfile, exit file
 *   <tmp>/exits/<id>                 conmon's exit file
 *   <tmp>/containers/<id>/exec/<sid>/ an exec session: process.json,
 *                                    its attach socket, ctl fifo, pidfile
 *                                    and exit file (named <id>)
 *   <static>/containers/<id>/ctr.log the k8s-file log
 *   <tmp>/storage/containers/<id>/merged an image container's root */
int exec_path(char *buf, size_t size, const char *base, const char *id, const char *leaf);
/* The worker's directories (ctx->dirs, ctx->dir_list), all its Landlock
 * keeps once sandboxed: <tmp>/exits, <tmp>/containers, <tmp>/socket and
 * <static>/containers. Not <tmp>/runtime (runc's state, which names the
 * hooks runc runs as root at delete), not <tmp>/storage (image roots, the
 * launcher's), not the static dir's db (podd-state's) or storage
 * (podd-image's). */
int exec_worker_dirs(struct exec_ctx *c, podd_error_t *err);
#define exec_ctr_path(ctx, buf, id, leaf) \
	exec_path(buf, sizeof(buf), (ctx)->tmp_dir, id, leaf)
int exec_log_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id);
int exec_exit_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id);
int exec_session_path(const struct exec_ctx *ctx, char *buf, size_t size, const char *id,
		      const char *session, const char *leaf);
/* The container's root: its --rootfs, or for an image container
 * <tmp>/storage/containers/<id>/merged (storage.c mounts it there). */
int exec_rootfs_path(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec, char *buf,
		     size_t size);

/* bundle.c: write <tmp>/containers/<id>/config.json and the files it
 * mounts. `warnings` collects what the user should hear (clamped rlimits). */
int bundle_write(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec, char ***warnings,
		 size_t *nwarnings, podd_error_t *err);

/* mounts.c */
json_object *bundle_mounts(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec);

/* seccomp.c: the OCI linux.seccomp object for this container, or NULL
 * for none (unconfined, privileged). */
int bundle_seccomp(const Podd__ContainerConfig *c, const char *const *caps, size_t ncaps,
		   json_object **out, podd_error_t *err);

/* etcfiles.c: resolv.conf, hosts, hostname, .containerenv. */
int etcfiles_write(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec,
		   const char *hostname, podd_error_t *err);

/* main.c: what podd-exec relies on in a record podctl sends. */
int exec_record_check(const Podd__ContainerRecord *rec, podd_error_t *err);

/* Request handlers beyond main.c: attach.c, logs.c. */
struct podd_request;
int handle_attach(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_resize(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_logs(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_exec(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_exec_wait(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

/* attach.c: connect conmon's attach socket in `dir` (a bundle or exec
 * session directory); returns the socket. */
int exec_connect_attach(const char *dir, podd_error_t *err);

/* bundle.c: the OCI process of an exec session, from the container's. */
int bundle_exec_process(const struct exec_ctx *ctx, const Podd__ExecRequest *x, json_object **out,
			podd_error_t *err);
/* top.c, export.c */
int handle_top(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_export(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

#endif
