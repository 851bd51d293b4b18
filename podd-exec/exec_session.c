/* Exec sessions (podctl exec): a process run in a running container
 * through its own conmon. The worker checks the request (the session's id
 * is podctl's, and new), writes the session's process.json under
 * <tmp>/containers/<id>/exec/<session>/ and asks the launcher to start
 * conmon; attached, the launcher hands back the connected attach socket,
 * which goes on to podctl. The session directory holds conmon's exit file
 * until podctl has waited for it (or the container's cleanup removes the
 * whole bundle directory). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec.h"
#include "exits.h"
#include "launcher_ops.h"
#include "log.h"
#include "validate.h"

#define USER_MAX 256

static int check_exec(const Podd__ExecRequest *x, podd_error_t *err)
{
	if (exec_record_check(x->record, err) < 0)
		return -1;
	if (x->n_args == 0 || x->args[0][0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec: a command is required");
	if (podd_validate_strv("exec command", x->args, x->n_args, err) < 0 ||
	    podd_validate_env(x->env, x->n_env, err) < 0)
		return -1;
	if (x->workdir[0] && podd_validate_abs_path("working directory", x->workdir, err) < 0)
		return -1;
	if (strlen(x->user) > USER_MAX || strpbrk(x->user, "\n\r"))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec: invalid user");
	/* podctl draws the session's id (it records it before the process
	 * starts); the container's own would share its socket link. */
	if (!podd_id_valid(x->session_id) || strcmp(x->session_id, x->record->id) == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec: invalid session id");
	return 0;
}

static int check_session(const Podd__ExecRef *r, podd_error_t *err)
{
	if (r == NULL || !podd_id_valid(r->id) || !podd_id_valid(r->session_id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid exec session");
	return 0;
}

/* <tmp>/containers/<id>/exec/<session>/, new; the container's bundle
 * directory must exist: only a container we started has one. An id in use
 * (its directory, or a socket link of that name, a session's or a
 * container's) is refused with nothing of it touched. */
static int session_dir_create(const Podd__ExecRequest *x, const struct exec_ctx *ctx,
			      podd_error_t *err)
{
	char dir[4300];
	struct stat st;

	if (exec_ctr_path(ctx, dir, x->record->id, "exec") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		if (errno == ENOENT)
			return podd_error(err, PODD_E_STATE_IMPROPER,
					  "container %.12s has no bundle: is it running?",
					  x->record->id);
		return podd_error_sys(err, errno, "create %s", dir);
	}
	snprintf(dir, sizeof(dir), "%s/socket/%s", ctx->tmp_dir, x->session_id);
	if (lstat(dir, &st) == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec session %.12s is in use",
				  x->session_id);
	if (exec_session_path(ctx, dir, sizeof(dir), x->record->id, x->session_id, NULL) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid exec session");
	if (mkdir(dir, 0700) < 0)
		return podd_error_sys(err, errno, "create %s", dir);
	return 0;
}

/* The session's process.json, in its new directory. */
static int write_session(const Podd__ExecRequest *x, const struct exec_ctx *ctx,
			 podd_error_t *err)
{
	char path[4400];
	json_object *process = NULL;
	const char *text;
	int r;

	if (exec_session_path(ctx, path, sizeof(path), x->record->id, x->session_id,
			      "process.json") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid exec session");
	if (bundle_exec_process(ctx, x, &process, err) < 0)
		return -1;
	text = json_object_to_json_string_ext(process, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
	r = write_file_atomic(path, text, strlen(text), 0600, err);
	json_object_put(process);
	return r;
}

static void remove_session(const struct exec_ctx *ctx, const char *id, const char *session)
{
	podd_error_t ignored = NULL;
	char path[4300];

	if (exec_session_path(ctx, path, sizeof(path), id, session, NULL) == 0 &&
	    remove_tree(path, &ignored) < 0) {
		podd_log(PODD_LOG_WARN, "%s", ignored->msg);
		podd_error_free(&ignored);
	}
	/* conmon's link to the session's attach socket directory. */
	snprintf(path, sizeof(path), "%s/socket/%s", ctx->tmp_dir, session);
	unlink(path);
}

int handle_exec(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ExecRequest *x = (const Podd__ExecRequest *)req->msg;
	Podd__ExecStarted started = PODD__EXEC_STARTED__INIT;
	cleanup_close int sock = -1;
	int pid = 0;

	if (check_exec(x, err) < 0 || session_dir_create(x, ctx, err) < 0)
		return -1;
	if (write_session(x, ctx, err) < 0 ||
	    call_spawn_exec(x->record, x->session_id, x->tty, x->stdin, !x->detach,
			    podd_log_level_name(podd_log_level_get()), &pid, &sock, err) < 0) {
		remove_session(ctx, x->record->id, x->session_id);
		return -1;
	}
	started.session_id = x->session_id;
	started.pid = pid;
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_EXEC_STARTED, 0,
				 &started.base, sock >= 0 ? &sock : NULL, sock >= 0 ? 1 : 0, err);
}

int handle_exec_wait(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ExecWaitRequest *r = (const Podd__ExecWaitRequest *)req->msg;
	Podd__ExitStatus st = PODD__EXIT_STATUS__INIT;
	struct exit_file f;
	struct exit_info info;

	if (check_session(r->ref, err) < 0)
		return -1;
	if (r->timeout_ms < -1)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid wait request");
	/* A session whose conmon died (kill -9) ends once its process
	 * does: monitor_lost, exit code -1 ("A dead conmon"). The runtime
	 * is not asked for a session: none is needed. */
	if (exit_file_session(ctx, r->ref->id, r->ref->session_id, &f, err) < 0 ||
	    exit_wait_monitored(&f, r->ref->id, "", r->ref->session_id, r->timeout_ms, &info,
				err) < 0)
		return -1;
	/* Nobody waits twice for an exit: the session is over. */
	if (info.exited)
		remove_session(ctx, r->ref->id, r->ref->session_id);
	st.exited = info.exited;
	st.exit_code = info.code;
	st.finished_ns = info.finished_ns;
	st.monitor_lost = info.monitor_lost;
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_EXIT_STATUS, 0, &st.base,
				 NULL, 0, err);
}
