/* podctl export, in podd-exec: the worker checks the request and hands the
 * output descriptor to its launcher, which runs podd-export (export_main.c)
 * on the rootfs with that descriptor on fd 3 and an error pipe on fd 4,
 * and reports what it says. Neither side reads the rootfs itself. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "exec.h"
#include "exec.pb-c.h"
#include "launcher.h"
#include "launcher_ops.h"
#include "overlay_opts.h"
#include "storage.h"
#include "validate.h"
#include "worker.h"

#define EXPORT_OUT_FD 3
#define EXPORT_ERR_FD 4

extern char **environ;

/* Between fork and exec: only async-signal-safe calls. The descriptors
 * are lifted above 10 first so that no dup2 overwrites one still to move. */
static __attribute__((noreturn)) void export_child(const char *program, const char *rootfs,
						   int out, int errfd)
{
	const char *argv[] = { "podd-export", rootfs, NULL };
	int o = fcntl(out, F_DUPFD, 10), e = fcntl(errfd, F_DUPFD, 10);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (o < 0 || e < 0 || dup2(o, EXPORT_OUT_FD) < 0 || dup2(e, EXPORT_ERR_FD) < 0)
		_exit(127);
	close_range(EXPORT_ERR_FD + 1, ~0U, 0);
	execve(program, (char *const *)argv, environ);
	_exit(127);
}

/* Launcher operation Export {id, rootfs} + the output descriptor.
 * Checks: the id is 64 hex digits; the rootfs is an absolute path without
 * "." or ".." components, not "/", and is opened without following
 * symlinks; the descriptor is a regular file, pipe, socket or /dev/null
 * open for writing (never a terminal: container bytes would reach it).
 * Why safe: all reading happens in podd-export (export_main.c), confined
 * to a read-only, nodev clone of that directory. The rootfs
 * path itself comes from the worker, which could name another directory;
 * a compromised worker can already do more by writing config.json
 * (docs/SECURITY.md), and the tar only reaches the descriptor podctl
 * opened. */
int op_export(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ExportRequest *op = (const Podd__ExportRequest *)req->msg;
	cleanup_close int out = podd_frame_take_fd(req->frame, 0);
	cleanup_close int rd = -1, wr = -1;
	char msg[1024], program[PATH_MAX + 32];
	size_t len = 0;
	int pipefd[2], status;
	pid_t child;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "export: invalid container id");
	if (podd_validate_abs_path("rootfs", op->rootfs, err) < 0)
		return -1;
	if (strcmp(op->rootfs, "/") == 0)
		return podd_error(err, PODD_E_NOT_PERMITTED, "export: the host's root is no rootfs");
	if (podd_fd_check_kind(out, PODD_FD_OUTPUT, err) < 0 ||
	    /* podd-export runs with the launcher's rights until it sandboxes
	     * itself: only our own, root-owned program. */
	    launcher_engine_program("podd-export", PODD_LIBEXECDIR, program, sizeof(program),
				    err) < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return podd_error_sys(err, errno, "export: pipe");
	rd = pipefd[0];
	wr = pipefd[1];
	child = fork();
	if (child < 0)
		return podd_error_sys(err, errno, "export: fork");
	if (child == 0)
		export_child(program, op->rootfs, out, wr);
	podd_closep(&wr);
	podd_closep(&out);
	for (;;) {
		ssize_t n = read(rd, msg + len, sizeof(msg) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(msg) - 1)
			break;
	}
	msg[len] = '\0';
	podd_closep(&rd);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return podd_error_sys(err, errno, "export: wait");
	if (WIFSIGNALED(status))
		return podd_error(err, PODD_E_INTERNAL, "export %.12s: killed by signal %d (%s)",
				  op->id, WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return podd_error(err, PODD_E_INTERNAL, "export %.12s: %s", op->id,
				  msg[0] ? msg : "failed");
	return podd_server_reply_ok(srv, req, err);
}

/* Export: ExportRequest + 1 descriptor -> Ok. The worker checks what it
 * can and hands the descriptor to its launcher; it never writes to it. An
 * image container (rootfs "") is exported from its mounted root: mounted
 * for the export if it was not (a stopped container), and unmounted
 * after. */
int handle_export(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ExportRequest *r = (const Podd__ExportRequest *)req->msg;
	Podd__ExportRequest fwd = PODD__EXPORT_REQUEST__INIT;
	cleanup_close int out = podd_frame_take_fd(req->frame, 0);
	cleanup_message ProtobufCMessage *m = NULL;
	podd_error_t ignored = NULL;
	enum storage_driver driver;
	char rootfs[4200];
	bool mounted_now = false;
	int rc;

	/* A descriptor of the wrong kind is podctl breaking the protocol. */
	if (podd_fd_check_kind(out, PODD_FD_OUTPUT, err) < 0)
		return -1;
	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	if (r->rootfs[0] != '\0') {
		if (r->n_image_layers != 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "export: a rootfs or an image, not both");
		if (podd_validate_abs_path("rootfs", r->rootfs, err) < 0)
			return -1;
		snprintf(rootfs, sizeof(rootfs), "%s", r->rootfs);
	} else {
		if (overlay_layers_check(r->image_layers, r->n_image_layers, err) < 0 ||
		    overlay_driver_parse(r->storage_driver, &driver, err) < 0)
			return -1;
		snprintf(rootfs, sizeof(rootfs), "%s/storage/containers/%s/merged", ctx->tmp_dir,
			 r->id);
		if (call_mount_rootfs(r->id, r->image_layers, r->n_image_layers, r->storage_driver,
				      &mounted_now, err) < 0)
			return podd_error_wrap(err, "export %.12s: mount its root", r->id);
	}
	fwd.id = r->id;
	fwd.rootfs = rootfs;
	rc = podd_client_call_fds(&podd_worker_launcher()->peer,
				  PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_EXPORT, &fwd.base, &out, 1,
				  PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &m, NULL,
				  0, err);
	if (mounted_now && call_unmount_rootfs(r->id, false, rc < 0 ? &ignored : err) < 0 &&
	    rc == 0)
		rc = -1;
	podd_error_free(&ignored);
	return rc < 0 ? -1 : podd_server_reply_ok(srv, req, err);
}
