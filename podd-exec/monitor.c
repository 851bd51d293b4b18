/* A container whose conmon died. conmon writes a container's exit file
 * when the container exits, then runs the exit command and ends; killed
 * before that (kill -9, the OOM killer), it leaves a container whose end
 * nothing will record, which stop, rm -f, wait and an attached run used
 * to wait for in vain. While they wait, podd-exec asks its launcher
 * whether conmon still runs
 * and, when it does not, what the runtime says of the container; once the
 * runtime no longer runs it either, the wait ends the way podman records
 * a container whose exit file never came: exited, code -1. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "exits.h"
#include "launcher.h"
#include "launcher_ops.h"
#include "validate.h"
#include "worker.h"

/* `runc state` prints a few hundred bytes; annotations may add some. */
#define STATE_OUT_MAX (64 * 1024)
/* It answers in 5 ms here; the launcher serves one request at a time. */
#define STATE_TIMEOUT_MS 5000

static const char *const runtime_words[] = { "creating", "created", "running", "pausing",
					     "paused",	 "stopped", NULL };

static bool runtime_word(const char *s)
{
	for (size_t i = 0; runtime_words[i]; i++)
		if (strcmp(s, runtime_words[i]) == 0)
			return true;
	return false;
}

/* 1 when `bundle`'s conmon.pid names a live conmon with "-u <uuid>" on
 * its command line (the container's id, or an exec session's), 0 when
 * not. As conmon.c's our_conmon, which
 * guards a signal, the executable is compared first (its link is read
 * without touching the process's memory), but "<conmon> (deleted)"
 * counts too: an upgraded conmon binary leaves the old process running
 * under that name. A zombie's command line is empty. */
static int conmon_alive(const char *bundle, const char *uuid, podd_error_t *err)
{
	char path[4400], conmon[4096], exe[4200], cmdline[8192];
	cleanup_close int fd = -1;
	ssize_t n;
	size_t len;
	int pid;

	if (launcher_resolve_program("conmon", conmon, sizeof(conmon), err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/conmon.pid", bundle);
	if (conmon_read_pidfile(path, &pid) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	len = strlen(conmon);
	if (strncmp(exe, conmon, len) != 0 ||
	    (exe[len] != '\0' && strcmp(exe + len, " (deleted)") != 0))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : podd_error_sys(err, errno, "%s", path);
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	if (n <= 0)
		return 0;
	cmdline[n] = '\0';
	for (char *p = cmdline; p < cmdline + n; p += strlen(p) + 1)
		if (strcmp(p, "-u") == 0 && p + 3 < cmdline + n && strcmp(p + 3, uuid) == 0)
			return 1;
	return 0;
}

/* Whether `pid` runs (a zombie has ended) in the pid namespace of
 * `other`: the check that a pid read from a pidfile is still the process
 * it was, not a number the kernel gave to another since. */
static bool running_beside(int pid, int other)
{
	char path[64], stat_line[512], *close_paren;
	struct stat a, b;
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, stat_line, sizeof(stat_line) - 1)) <= 0)
		return false;
	stat_line[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold ')', the last one ends it. */
	close_paren = strrchr(stat_line, ')');
	if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] == 'Z' ||
	    close_paren[2] == 'X')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	if (stat(path, &a) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", other);
	return stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* An exec session whose conmon died: "running" while the process conmon
 * ran (the pid in the session's pidfile) still runs in the container's
 * pid namespace, "stopped" once it does not, or once the container's own
 * process is gone (its pid namespace, and the session's process, with
 * it). */
static int session_status(const struct exec_ctx *ctx, const char *id, const char *session,
			  char *status, size_t size, podd_error_t *err)
{
	char path[4400];
	int pid, init;

	if (exec_ctr_path(ctx, path, id, "pidfile") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "monitor: invalid container id");
	if (conmon_read_pidfile(path, &init) < 0) {
		snprintf(status, size, "stopped");
		return 0;
	}
	if (exec_session_path(ctx, path, sizeof(path), id, session, "pidfile") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "monitor: invalid exec session");
	snprintf(status, size, "%s",
		 conmon_read_pidfile(path, &pid) == 0 && running_beside(pid, init) ? "running"
										 : "stopped");
	return 0;
}

/* Whether a failed `state` said the runtime knows no such container, in
 * its own words: runc's "container does not exist", crun's failure to
 * open <root>/<id>/status. Exit status 1 only, and never a line of
 * podd-runtime-ns's own (a wrapper that failed knows nothing of the
 * container); anything else is an error, not a container gone. */
static bool unknown_container(const struct runtime_cmd *c, const char *id, int st,
			      const char *msg)
{
	char crun_missing[4400];

	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || strstr(msg, "podd-runtime-ns:"))
		return false;
	snprintf(crun_missing, sizeof(crun_missing), "`%s/%s/status`: No such file", c->root, id);
	return strstr(msg, "container does not exist") || strstr(msg, crun_missing);
}

/* The runtime's `state` of the container: one of runtime_words, or ""
 * when the runtime knows no such container (podman's test of its
 * message). */
static int runtime_status(const struct exec_ctx *ctx, const Podd__ProbeMonitor *op, char *status,
			  size_t size, podd_error_t *err)
{
	cleanup_free char *out = malloc(STATE_OUT_MAX);
	struct json_object *doc, *word;
	struct runtime_cmd c;
	char msg[1024];
	int st, rc = 0;

	if (out == NULL)
		return podd_error_sys(err, ENOMEM, "runtime state");
	if (launcher_runtime_cmd(ctx, op->runtime, &c, err) < 0)
		return -1;
	c.argv[c.n++] = "state";
	c.argv[c.n++] = op->id;
	c.argv[c.n] = NULL;
	if (launcher_run_output((char *const *)c.argv, STATE_TIMEOUT_MS, &st, out, STATE_OUT_MAX,
				msg, sizeof(msg), err) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (unknown_container(&c, op->id, st, msg)) {
			status[0] = '\0';
			return 0;
		}
		return podd_error(err, PODD_E_RUNTIME, "%s state %.12s: %s", c.runtime, op->id,
				  msg[0] ? msg : "failed");
	}
	doc = json_tokener_parse(out);
	if (doc == NULL || !json_object_object_get_ex(doc, "status", &word) ||
	    !json_object_is_type(word, json_type_string) ||
	    !runtime_word(json_object_get_string(word)))
		rc = podd_error(err, PODD_E_RUNTIME, "%s state %.12s: no status I know", c.runtime,
				op->id);
	else
		snprintf(status, size, "%s", json_object_get_string(word));
	json_object_put(doc);
	return rc;
}

/* Why this is safe: the launcher reads the pidfile of a container under
 * its own tmp dir (no link followed, no FIFO opened) and one /proc
 * command line, and runs `runtime state` on an id it validated, with the
 * runtime it resolves itself. */
int op_probe_monitor(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ProbeMonitor *op = (const Podd__ProbeMonitor *)req->msg;
	Podd__MonitorState reply = PODD__MONITOR_STATE__INIT;
	char status[16] = "", bundle[4300];
	int alive;

	if (!podd_id_valid(op->id) || (op->session[0] && !podd_id_valid(op->session)))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "monitor: invalid container id");
	if (op->session[0]) {
		if (exec_session_path(ctx, bundle, sizeof(bundle), op->id, op->session, NULL) < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "monitor: invalid exec session");
		alive = conmon_alive(bundle, op->session, err);
		if (alive < 0 || (!alive && session_status(ctx, op->id, op->session, status,
							    sizeof(status), err) < 0))
			return -1;
	} else {
		if (exec_ctr_path(ctx, bundle, op->id, NULL) < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "monitor: invalid container id");
		alive = conmon_alive(bundle, op->id, err);
		if (alive < 0 || (!alive && runtime_status(ctx, op, status, sizeof(status), err) < 0))
			return -1;
	}
	reply.conmon_alive = alive;
	reply.status = status;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_MONITOR_STATE, 0,
				 &reply.base, NULL, 0, err);
}

int call_probe_monitor(const char *id, const char *runtime, const char *session, bool *alive,
		       bool *gone, podd_error_t *err)
{
	Podd__ProbeMonitor op = PODD__PROBE_MONITOR__INIT;
	cleanup_message ProtobufCMessage *m = NULL;
	const Podd__MonitorState *r;

	op.id = (char *)id;
	op.runtime = (char *)runtime;
	op.session = (char *)(session ? session : "");
	if (podd_client_call(&podd_worker_launcher()->peer,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_PROBE_MONITOR, &op.base,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_MONITOR_STATE,
			     &podd__monitor_state__descriptor, &m, err) < 0)
		return -1;
	r = (const Podd__MonitorState *)m;
	if (r->status[0] != '\0' && (r->conmon_alive || !runtime_word(r->status)))
		return podd_error(err, PODD_E_PROTOCOL, "launcher: invalid monitor state");
	*alive = r->conmon_alive;
	*gone = !r->conmon_alive && (r->status[0] == '\0' || strcmp(r->status, "stopped") == 0);
	return 0;
}

/* Between two asks while the exit file does not come. */
#define PROBE_EVERY_MS 500

struct probe {
	const char *id, *runtime, *session;
};

/* The exit_tick of exit_wait_monitored: 1 once conmon is dead and the
 * runtime no longer runs the container. */
static int probe_tick(void *data, const struct exit_file *f, struct exit_info *out,
		      podd_error_t *err)
{
	const struct probe *p = data;
	bool alive, gone;
	struct timespec ts;

	if (call_probe_monitor(p->id, p->runtime, p->session, &alive, &gone, err) < 0)
		return -1;
	if (!gone)
		return 0;
	/* conmon may have written the file just before it ended: look once
	 * more. */
	if (exit_read(f, out, err) < 0)
		return -1;
	if (out->exited)
		return 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	out->exited = true;
	out->monitor_lost = true;
	out->code = -1;
	out->finished_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 1;
}

int exit_wait_monitored(const struct exit_file *f, const char *id, const char *runtime,
			const char *session, int timeout_ms, struct exit_info *out,
			podd_error_t *err)
{
	struct probe p = { .id = id, .runtime = runtime, .session = session };
	struct exit_tick tick = { .every_ms = PROBE_EVERY_MS, .fn = probe_tick, .data = &p };

	return exit_wait_ticked(f, timeout_ms, &tick, out, err);
}
