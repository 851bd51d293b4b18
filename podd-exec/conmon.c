/* Starting conmon, in the launcher. conmon double-forks to detach, runs
 * `runtime create` for the bundle, then reports the container's pid as a
 * line of JSON on the sync pipe (_OCI_SYNCPIPE): {"data": PID} or, on
 * failure, {"data": -1, "message": "..."}. When the container exits it
 * writes <exit-dir>/<id> and runs the exit command (`podctl container
 * cleanup ID`), which records the exit even when no podctl is running. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "launcher.h"
#include "launcher_ops.h"
#include "validate.h"
#include "worker.h"

#define SYNC_FD 3

/* podctl for the exit command: next to podd-exec in a build tree, else
 * the installed one. Never a path the worker supplies. */
static int exit_command(char *out, size_t size, podd_error_t *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)snprintf(out, size, "%.*s/podctl", (int)(slash - self), self) <
				     size &&
		    access(out, X_OK) == 0)
			return 0;
	}
	snprintf(out, size, "%s/podctl", PODD_BINDIR);
	if (access(out, X_OK) < 0)
		return podd_error(err, PODD_E_INTERNAL, "podctl not found for conmon's exit command");
	return 0;
}

/* Read one JSON line from conmon (or EOF: conmon died first). */
static int read_sync(int fd, int *pid, char *msg, size_t msgsize, podd_error_t *err)
{
	char buf[4096];
	size_t len = 0;
	json_object *j, *v;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(err, errno, "read conmon's sync pipe");
		if (n == 0 || (len += (size_t)n) == sizeof(buf) - 1 || memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	if (len == 0)
		return podd_error(err, PODD_E_RUNTIME, "conmon exited without reporting a pid");
	j = json_tokener_parse(buf);
	if (j == NULL || (!json_object_object_get_ex(j, "data", &v) &&
			  !json_object_object_get_ex(j, "pid", &v))) {
		json_object_put(j);
		return podd_error(err, PODD_E_RUNTIME, "conmon sent an unreadable sync message");
	}
	*pid = json_object_get_int(v);
	msg[0] = '\0';
	if (json_object_object_get_ex(j, "message", &v))
		snprintf(msg, msgsize, "%s", json_object_get_string(v));
	json_object_put(j);
	return 0;
}

/* runc's error line is logfmt: time="..." level=error msg="...". Keep the
 * msg, unquoted, as podman shows it. */
static void runtime_message(char *msg)
{
	char *p = strstr(msg, "msg=\""), *out;
	if (p == NULL)
		return;
	p += 5;
	out = msg;
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*out++ = *p;
	}
	*out = '\0';
}

static int read_pidfile(const char *path, int *pid)
{
	char buf[32];
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	*pid = atoi(buf);
	return *pid > 0 ? 0 : -1;
}

int op_spawn_conmon(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__SpawnConmon *op = (const Podd__SpawnConmon *)req->msg;
	Podd__ConmonSpawned reply = PODD__CONMON_SPAWNED__INIT;
	char conmon[4096], runtime[4096], podctl[4096], bundle[4200], pidfile[4200],
		cpidfile[4200], exits[4200], log[4300], root[4300], sockdir[4200], msg[2048];
	const char *level;
	cleanup_close int devnull = -1;
	int sync[2], pid = -1, cpid = 0, status;
	pid_t child;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "conmon: invalid container id");
	if (launcher_resolve_program("conmon", conmon, sizeof(conmon), err) < 0 ||
	    launcher_resolve_runtime(op->runtime, runtime, sizeof(runtime), err) < 0 ||
	    exit_command(podctl, sizeof(podctl), err) < 0)
		return -1;
	level = strcmp(op->log_level, "debug") == 0 ? "debug" : "error";
	exec_ctr_path(ctx, bundle, op->id, NULL);
	exec_ctr_path(ctx, pidfile, op->id, "pidfile");
	exec_ctr_path(ctx, cpidfile, op->id, "conmon.pid");
	snprintf(exits, sizeof(exits), "%s/exits", ctx->tmp_dir);
	snprintf(sockdir, sizeof(sockdir), "%s/socket", ctx->tmp_dir);
	snprintf(root, sizeof(root), "--root=%s/runtime", ctx->tmp_dir);
	{
		char logpath[4200];
		exec_log_path(ctx, logpath, sizeof(logpath), op->id);
		snprintf(log, sizeof(log), "k8s-file:%s", logpath);
	}

	const char *argv[] = {
		conmon, "--api-version", "1", "-c", op->id, "-u", op->id, "-r", runtime,
		"-b", bundle, "-p", pidfile, "-n", op->id, "--exit-dir", exits,
		"--full-attach", "--socket-dir-path", sockdir, "-l", log, "--log-level", level,
		"--runtime-arg", root, "--conmon-pidfile", cpidfile, "--persist-dir", bundle,
		"--exit-command", podctl,
		"--exit-command-arg", "--root", "--exit-command-arg", ctx->static_dir,
		"--exit-command-arg", "--runroot", "--exit-command-arg", ctx->tmp_dir,
		"--exit-command-arg", "container", "--exit-command-arg", "cleanup",
		"--exit-command-arg", op->id,
		op->terminal ? "-t" : NULL, op->stdin ? "-i" : NULL, NULL,
	};
	/* Squeeze out the NULL left by an absent -t. */
	const char *args[PODD_ARRAY_SIZE(argv)];
	size_t n = 0;
	for (size_t i = 0; i < PODD_ARRAY_SIZE(argv) - 1; i++)
		if (argv[i])
			args[n++] = argv[i];
	args[n] = NULL;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(sync, O_CLOEXEC) < 0)
		return podd_error_sys(err, errno, "conmon: pipe");
	child = fork();
	if (child < 0) {
		int e = errno;
		close(sync[0]);
		close(sync[1]);
		return podd_error_sys(err, e, "conmon: fork");
	}
	if (child == 0) {
		sigset_t none;
		static char *const env[] = { "_OCI_SYNCPIPE=3",
					     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/"
					     "bin:/sbin:/bin",
					     NULL };
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (dup2(sync[1], SYNC_FD) < 0)
			_exit(127);
		close_range(SYNC_FD + 1, ~0U, 0);
		execve(conmon, (char *const *)args, env);
		_exit(127);
	}
	close(sync[1]);
	status = read_sync(sync[0], &pid, msg, sizeof(msg), err);
	close(sync[0]);
	/* The first conmon process exits once its daemon is forked. */
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (status < 0)
		return -1;
	if (pid <= 0) {
		runtime_message(msg);
		return podd_error(err, PODD_E_RUNTIME, "%s: %s", strrchr(runtime, '/') + 1,
				  msg[0] ? msg : "conmon could not create the container");
	}
	if (read_pidfile(cpidfile, &cpid) < 0)
		cpid = 0;
	reply.pid = pid;
	reply.conmon_pid = cpid;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_CONMON_SPAWNED, 0,
				 &reply.base, NULL, 0, err);
}

int call_spawn_conmon(const Podd__ContainerRecord *rec, const char *log_level, int *pid,
		      int *conmon_pid, podd_error_t *err)
{
	Podd__SpawnConmon op = PODD__SPAWN_CONMON__INIT;
	cleanup_message ProtobufCMessage *m = NULL;
	const Podd__ConmonSpawned *r;

	op.id = rec->id;
	op.runtime = rec->config->runtime;
	op.terminal = rec->config->tty;
	op.stdin = rec->config->interactive;
	op.log_level = (char *)log_level;
	if (podd_client_call(&podd_worker_launcher()->peer,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_SPAWN_CONMON, &op.base,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_CONMON_SPAWNED,
			     &podd__conmon_spawned__descriptor, &m, err) < 0)
		return -1;
	r = (const Podd__ConmonSpawned *)m;
	if (r->pid <= 0 || r->conmon_pid < 0)
		return podd_error(err, PODD_E_PROTOCOL, "launcher reported pid %d", r->pid);
	*pid = r->pid;
	*conmon_pid = r->conmon_pid;
	return 0;
}
