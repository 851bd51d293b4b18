/* podd-exec: the sandboxed worker turns container records into OCI bundles,
 * reads exit files and logs, and asks its launcher (launcher_ops.c,
 * conmon.c), forked before the sandbox closed, to run conmon and the
 * runtime. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_check.h"
#include "exec.h"
#include "exec.pb-c.h"
#include "exits.h"
#include "launcher_ops.h"
#include "log.h"
#include "overlay_opts.h"
#include "policy.h"
#include "storage.h"
#include "validate.h"
#include "worker.h"

static struct exec_ctx ctx;

/* Host files the bundles start from, read while they are still visible.
 * systemd-resolved's own file lists the real upstream servers where
 * /etc/resolv.conf points at its 127.0.0.53 stub. */
static int prepare(void *data, const struct podd_helper_args *args, podd_error_t *err)
{
	struct exec_ctx *c = data;
	podd_error_t ignored = NULL;

	c->static_dir = args->static_dir;
	c->tmp_dir = args->tmp_dir;
	for (int v = 0; v <= CAP_LAST_CAP && v < 64; v++)
		if (cap_get_bound(v) == 1)
			c->bounding |= 1ULL << v;
	if (read_file_limited("/run/systemd/resolve/resolv.conf", EXEC_HOST_FILE_MAX,
			      &c->host_resolv, &ignored) < 0) {
		podd_error_free(&ignored);
		if (read_file_limited("/etc/resolv.conf", EXEC_HOST_FILE_MAX, &c->host_resolv,
				      &ignored) < 0)
			podd_error_free(&ignored);
	}
	if (read_file_limited("/etc/hosts", EXEC_HOST_FILE_MAX, &c->host_hosts, &ignored) < 0)
		podd_error_free(&ignored);
	if (exec_worker_dirs(c, err) < 0)
		return -1;
	for (size_t i = 0; i < EXEC_DIRS; i++)
		if (podd_mkdir_p(c->dirs[i], err) < 0)
			return -1;
	return 0;
}

static const char *const *confine(void *data)
{
	return ((struct exec_ctx *)data)->dir_list;
}

int exec_record_check(const Podd__ContainerRecord *rec, podd_error_t *err)
{
	if (rec == NULL || !podd_id_valid(rec->id) || !podd_name_valid(rec->name))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "malformed container record");
	if (podd_config_check(rec->config, err) < 0)
		return -1;
	return podd_record_source_check(rec, err);
}

static int check_ref(const Podd__ContainerRef *ref, podd_error_t *err)
{
	if (ref == NULL || !podd_id_valid(ref->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	if (ref->runtime[0] != '\0' && strcmp(ref->runtime, "runc") != 0 &&
	    strcmp(ref->runtime, "crun") != 0)
		return podd_validate_abs_path("runtime", ref->runtime, err);
	return 0;
}

static void free_warnings(char ***w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((*w)[i]);
	free(*w);
}

/* Fresh directories for a (re)start: the last run's bundle and exit file
 * go; the log stays, as podman keeps it across restarts. */
static int make_dirs(const char *id, podd_error_t *err)
{
	char path[4200];

	if (exec_exit_path(&ctx, path, sizeof(path), id) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	if (unlink(path) < 0 && errno != ENOENT)
		return podd_error_sys(err, errno, "remove %s", path);
	if (exec_ctr_path(&ctx, path, id, NULL) < 0 || remove_tree(path, err) < 0)
		return -1;
	if (mkdir(path, 0700) < 0)
		return podd_error_sys(err, errno, "create %s", path);
	if (exec_path(path, sizeof(path), ctx.static_dir, id, NULL) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "create %s", path);
	return 0;
}

static int handle_create(struct podd_server *srv, const struct podd_request *req,
			 podd_error_t *err)
{
	const Podd__CreateRequest *r = (const Podd__CreateRequest *)req->msg;
	Podd__Created created = PODD__CREATED__INIT;
	char **warnings = NULL;
	size_t nwarnings = 0;
	int pid = 0, conmon_pid = 0, rc;

	enum storage_driver driver;

	if (exec_record_check(r->record, err) < 0 ||
	    overlay_driver_parse(r->storage_driver, &driver, err) < 0 ||
	    make_dirs(r->record->id, err) < 0)
		return -1;
	/* An image container's root is mounted before the bundle is written:
	 * --user is resolved against its /etc/passwd. It stays mounted until
	 * the exit's cleanup (or rm); a failed start's undo is a cleanup. */
	if (r->record->image_id[0] != '\0' &&
	    call_mount_rootfs(r->record->id, r->record->image_layers, r->record->n_image_layers,
			      r->storage_driver, NULL, err) < 0)
		return podd_error_wrap(err, "container %.12s: root filesystem", r->record->id);
	rc = bundle_write(&ctx, r->record, &warnings, &nwarnings, err);
	if (rc == 0)
		rc = call_spawn_conmon(r->record, podd_log_level_name(podd_log_level_get()),
				       r->storage_driver, &pid, &conmon_pid, err);
	if (rc == 0) {
		created.pid = pid;
		created.conmon_pid = conmon_pid;
		created.warnings = warnings;
		created.n_warnings = nwarnings;
		rc = podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_CREATED, 0,
				       &created.base, NULL, 0, err);
	}
	free_warnings(&warnings, nwarnings);
	return rc;
}

static int handle_start(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;
	if (check_ref(r, err) < 0 ||
	    call_runtime(r->id, r->runtime, PODD__RUNTIME_VERB__RUNTIME_VERB_START, 0, false, err) < 0)
		return -1;
	return podd_server_reply_ok(srv, req, err);
}

/* pause and unpause: the runtime freezes or thaws the container's cgroup. */
static int freeze(struct podd_server *srv, const struct podd_request *req, Podd__RuntimeVerb verb,
		  podd_error_t *err)
{
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;
	if (check_ref(r, err) < 0 || call_runtime(r->id, r->runtime, verb, 0, false, err) < 0)
		return -1;
	return podd_server_reply_ok(srv, req, err);
}

static int handle_pause(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	return freeze(srv, req, PODD__RUNTIME_VERB__RUNTIME_VERB_PAUSE, err);
}

static int handle_unpause(struct podd_server *srv, const struct podd_request *req,
			  podd_error_t *err)
{
	return freeze(srv, req, PODD__RUNTIME_VERB__RUNTIME_VERB_RESUME, err);
}

static int handle_kill(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__KillRequest *r = (const Podd__KillRequest *)req->msg;
	if (check_ref(r->ref, err) < 0)
		return -1;
	if (r->signal < 1 || r->signal > 64)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid signal %d", r->signal);
	if (call_runtime(r->ref->id, r->ref->runtime, PODD__RUNTIME_VERB__RUNTIME_VERB_KILL,
			 r->signal, r->all, err) < 0)
		return -1;
	return podd_server_reply_ok(srv, req, err);
}

static int reply_exit(struct podd_server *srv, const struct podd_request *req,
		      const struct exit_info *info, podd_error_t *err)
{
	Podd__ExitStatus st = PODD__EXIT_STATUS__INIT;
	st.exited = info->exited;
	st.exit_code = info->code;
	st.finished_ns = info->finished_ns;
	st.oom_killed = info->oom_killed;
	st.monitor_lost = info->monitor_lost;
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_EXIT_STATUS, 0, &st.base,
				 NULL, 0, err);
}

static int handle_wait(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__WaitRequest *r = (const Podd__WaitRequest *)req->msg;
	struct exit_file f;
	struct exit_info info;

	if (!podd_id_valid(r->id) || r->timeout_ms < -1)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid wait request");
	if (exit_file_container(&ctx, r->id, &f, err) < 0)
		return -1;
	if ((r->check_monitor
		     ? exit_wait_monitored(&f, r->id, r->runtime, NULL, r->timeout_ms, &info, err)
		     : exit_wait(&f, r->timeout_ms, &info, err)) < 0)
		return -1;
	/* The container was removed under the wait (the exit command of a
	 * --rm container): this waiter takes the hand-off file with it. */
	if (info.removed)
		unlink(f.removed);
	return reply_exit(srv, req, &info, err);
}

/* conmon links <tmp>/socket/<session> to each exec session's directory;
 * sessions nobody waited for (exec -d, a killed podctl) still have theirs. */
static void unlink_session_links(const char *id)
{
	char path[4300];
	DIR *d;
	struct dirent *de;

	if (exec_ctr_path(&ctx, path, id, "exec") < 0 || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!podd_id_valid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/socket/%s", ctx.tmp_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* The runtime forgets the container (its cgroup goes with it) and the
 * bundle directory and conmon's socket link are removed. The exit file
 * stays until the next start (make_dirs) or rm: the exit command runs
 * this while a `run` or `wait` may still be waiting for that file, and
 * one removed under it would leave the waiter waiting for good. A
 * container the runtime no longer knows is not an error. */
static int forget_runtime(const Podd__ContainerRef *r, podd_error_t *err)
{
	char path[4200];

	if (call_runtime(r->id, r->runtime, PODD__RUNTIME_VERB__RUNTIME_VERB_DELETE, 0, false,
			 err) < 0) {
		if ((*err)->code != PODD_E_RUNTIME || !strstr((*err)->msg, "does not exist"))
			return -1;
		podd_error_free(err);
	}
	unlink_session_links(r->id);
	/* An image container's root (nothing to do for a --rootfs one): the
	 * runtime is done with it. */
	if (call_unmount_rootfs(r->id, false, err) < 0)
		return -1;
	if (exec_ctr_path(&ctx, path, r->id, NULL) < 0 || remove_tree(path, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/socket/%s", ctx.tmp_dir, r->id);
	unlink(path);
	return 0;
}

/* After an exit: the log and the recorded exit code stay. */
static int handle_cleanup(struct podd_server *srv, const struct podd_request *req,
			  podd_error_t *err)
{
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;

	if (check_ref(r, err) < 0 || forget_runtime(r, err) < 0)
		return -1;
	return podd_server_reply_ok(srv, req, err);
}

/* Removing a container: its log directory goes. A bundle directory still
 * there means a start whose podctl died between conmon and recording it
 * (the record still says configured): the runtime may hold a created
 * container and conmon may wait on it, so they are deleted first. */
static int handle_remove_files(struct podd_server *srv, const struct podd_request *req,
			       podd_error_t *err)
{
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;
	char path[4200];
	struct stat st;

	if (check_ref(r, err) < 0)
		return -1;
	if (exec_ctr_path(&ctx, path, r->id, NULL) == 0 && lstat(path, &st) == 0 &&
	    forget_runtime(r, err) < 0)
		return -1;
	/* An image container's upper and work dirs go with it; the launcher
	 * removes them (they hold files of any owner). */
	if (call_unmount_rootfs(r->id, true, err) < 0)
		return -1;
	if (exec_path(path, sizeof(path), ctx.static_dir, r->id, NULL) < 0 ||
	    remove_tree(path, err) < 0)
		return -1;
	exit_file_hand_off(&ctx, r->id);
	return podd_server_reply_ok(srv, req, err);
}

static const struct podd_handler handlers[] = {
	{ PODD__EXEC_TYPE__EXEC_TYPE_CREATE, &podd__create_request__descriptor, 0, handle_create },
	{ PODD__EXEC_TYPE__EXEC_TYPE_START, &podd__container_ref__descriptor, 0, handle_start },
	{ PODD__EXEC_TYPE__EXEC_TYPE_KILL, &podd__kill_request__descriptor, 0, handle_kill },
	{ PODD__EXEC_TYPE__EXEC_TYPE_ATTACH, &podd__container_ref__descriptor, 0, handle_attach },
	{ PODD__EXEC_TYPE__EXEC_TYPE_WAIT, &podd__wait_request__descriptor, 0, handle_wait },
	{ PODD__EXEC_TYPE__EXEC_TYPE_CLEANUP, &podd__container_ref__descriptor, 0, handle_cleanup },
	{ PODD__EXEC_TYPE__EXEC_TYPE_LOGS, &podd__logs_request__descriptor, 0, handle_logs },
	{ PODD__EXEC_TYPE__EXEC_TYPE_RESIZE, &podd__resize_request__descriptor, 0, handle_resize },
	{ PODD__EXEC_TYPE__EXEC_TYPE_REMOVE_FILES, &podd__container_ref__descriptor, 0,
	  handle_remove_files },
	{ PODD__EXEC_TYPE__EXEC_TYPE_PAUSE, &podd__container_ref__descriptor, 0, handle_pause },
	{ PODD__EXEC_TYPE__EXEC_TYPE_UNPAUSE, &podd__container_ref__descriptor, 0, handle_unpause },
	{ PODD__EXEC_TYPE__EXEC_TYPE_EXEC, &podd__exec_request__descriptor, 0, handle_exec },
	{ PODD__EXEC_TYPE__EXEC_TYPE_EXEC_WAIT, &podd__exec_wait_request__descriptor, 0,
	  handle_exec_wait },
	/* top.c, export.c */
	{ PODD__EXEC_TYPE__EXEC_TYPE_TOP, &podd__container_ref__descriptor, 0, handle_top },
	{ PODD__EXEC_TYPE__EXEC_TYPE_EXPORT, &podd__export_request__descriptor, 1, handle_export },
	/* storage.c */
	{ PODD__EXEC_TYPE__EXEC_TYPE_SIZES, &podd__sizes_request__descriptor, 0, handle_sizes },
};

int main(int argc, char **argv)
{
	const struct podd_worker worker = {
		.process = "podd-exec",
		.channel = "exec",
		.policy = podd_exec_policy,
		.confine = confine,
		.handlers = handlers,
		.nhandlers = PODD_ARRAY_SIZE(handlers),
		.launcher_ops = exec_launcher_ops,
		.nlauncher_ops = exec_launcher_nops,
		.data = &ctx,
		.prepare = prepare,
	};
	podd_worker_main(&worker, argc, argv);
}
