/* Starting conmon, in the launcher. conmon double-forks to detach, runs
 * `runtime create` for the bundle, then reports the container's pid as a
 * line of JSON on the sync pipe (_OCI_SYNCPIPE): {"data": PID} or, on
 * failure, {"data": -1, "message": "..."}. When the container exits it
 * writes <exit-dir>/<id> and runs the exit command (`podctl container
 * cleanup ID`), which records the exit even when no podctl is running.
 *
 * An exec session (--exec) is the same conmon running `runtime exec` with
 * the session's process.json; attached, it waits on the start pipe until we
 * have connected its attach socket, then reports the process's pid, and at
 * the end writes the exit code to the session's exit file (and once more on
 * the sync pipe, which we have closed by then: conmon takes the SIGPIPE
 * after the exit file is written, so nothing is lost). */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle_check.h"
#include "pin.h"
#include "cleanup.h"
#include "client.h"
#include "launcher.h"
#include "runtime_error.h"
#include "launcher_ops.h"
#include "overlay_opts.h"
#include "validate.h"
#include "worker.h"

#define PODD_LAUNCHER_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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
	/* One message a line: an exec's exit may follow its pid already. */
	if (memchr(buf, '\n', len))
		*(char *)memchr(buf, '\n', len) = '\0';
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
 * msg, unquoted, as podman shows it. crun's is plain text, warnings
 * perhaps first: podman shows the line its 126/127 tests match. */
static void runtime_message(char *msg)
{
	char *p = strstr(msg, "msg=\""), *out;
	if (p == NULL) {
		podd_runtime_error_line(msg);
		return;
	}
	p += 5;
	out = msg;
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*out++ = *p;
	}
	*out = '\0';
}

/* The directory is the worker's to write: a FIFO or a link must not block
 * or redirect the launcher. */
int conmon_read_pidfile(const char *path, int *pid)
{
	char buf[32];
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	*pid = atoi(buf);
	return *pid > 0 ? 0 : -1;
}

/* One conmon to start: the container itself, or an exec session in it. */
struct conmon_job {
	const char *id;
	const char *session; /* exec session id; NULL for the container */
	const char *runtime;
	const char *log_level;
	bool terminal, stdin;
	bool attach; /* exec only: hand back the connected attach socket */
	bool vfs;    /* the exit command needs --storage-driver vfs */
};

/* Pipes between the launcher and conmon (conmon's _OCI_* environment):
 * sync carries the pid (or the runtime's error) to us; start holds an
 * attached exec back until we are connected; attach says conmon's attach
 * socket is listening. [0] is the read end, [1] the write end. */
struct conmon_pipes {
	int sync[2], start[2], attach[2];
};

static void pipes_close(struct conmon_pipes *p)
{
	int *fds[] = { &p->sync[0],  &p->sync[1],   &p->start[0],
		       &p->start[1], &p->attach[0], &p->attach[1] };
	for (size_t i = 0; i < PODD_ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int pipes_open(struct conmon_pipes *p, bool exec_attach, podd_error_t *err)
{
	*p = (struct conmon_pipes){ { -1, -1 }, { -1, -1 }, { -1, -1 } };
	if (pipe2(p->sync, O_CLOEXEC) < 0 ||
	    (exec_attach && (pipe2(p->start, O_CLOEXEC) < 0 || pipe2(p->attach, O_CLOEXEC) < 0)))
		return podd_error_sys(err, errno, "conmon: pipe");
	return 0;
}

/* conmon's command line. Every path is built here from our own directories
 * and a validated id and session id: the worker names the container and
 * the session, nothing else. */
struct conmon_argv {
	char conmon[4096], runtime[4096], wrapper[4096], podctl[4096], bundle[4300],
		pidfile[4400], cpidfile[4400], spec[4400], exits[4300], log[4400], root[4300],
		sockdir[4200];
	const char *argv[64];
	size_t n;
	bool full; /* an argument did not fit: build_argv fails */
};

static void add(struct conmon_argv *a, const char *arg)
{
	if (a->n < PODD_ARRAY_SIZE(a->argv) - 1)
		a->argv[a->n++] = arg;
	else
		a->full = true;
	a->argv[a->n] = NULL;
}

static int build_argv(const struct exec_ctx *ctx, const struct conmon_job *job,
		      struct conmon_argv *a, podd_error_t *err)
{
	const char *level = strcmp(job->log_level, "debug") == 0 ? "debug" : "error";
	char logpath[4200];
	int wrapped;
	bool bad;

	a->n = 0;
	a->full = false;
	if (launcher_resolve_program("conmon", a->conmon, sizeof(a->conmon), err) < 0 ||
	    launcher_resolve_runtime(job->runtime, a->runtime, sizeof(a->runtime), err) < 0 ||
	    (wrapped = launcher_runtime_wrapper(a->runtime, a->wrapper, sizeof(a->wrapper),
						err)) < 0)
		return -1;
	snprintf(a->sockdir, sizeof(a->sockdir), "%s/socket", ctx->tmp_dir);
	snprintf(a->root, sizeof(a->root), "--root=%s/runtime", ctx->tmp_dir);
	if (job->session) {
		/* An exec session's output goes to whoever attached, not to
		 * the container's log; its exit file lands in its own dir. */
		bad = exec_session_path(ctx, a->bundle, sizeof(a->bundle), job->id, job->session,
					NULL) < 0;
		snprintf(a->exits, sizeof(a->exits), "%s", a->bundle);
		snprintf(a->log, sizeof(a->log), "none");
	} else {
		bad = exec_ctr_path(ctx, a->bundle, job->id, NULL) < 0 ||
		      exec_log_path(ctx, logpath, sizeof(logpath), job->id) < 0;
		snprintf(a->exits, sizeof(a->exits), "%s/exits", ctx->tmp_dir);
		snprintf(a->log, sizeof(a->log), "k8s-file:%s", logpath);
	}
	if (bad)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "conmon: invalid container id");
	snprintf(a->pidfile, sizeof(a->pidfile), "%s/pidfile", a->bundle);
	snprintf(a->cpidfile, sizeof(a->cpidfile), "%s/conmon.pid", a->bundle);
	snprintf(a->spec, sizeof(a->spec), "%s/process.json", a->bundle);

	const char *common[] = {
		a->conmon, "--api-version", "1", "-c", job->id, "-u",
		job->session ? job->session : job->id, "-b", a->bundle, "-p", a->pidfile, "-n",
		job->id, "--exit-dir", a->exits, "--full-attach", "--socket-dir-path", a->sockdir,
		"-l", a->log, "--log-level", level, "--conmon-pidfile", a->cpidfile,
	};
	for (size_t i = 0; i < PODD_ARRAY_SIZE(common); i++)
		add(a, common[i]);
	/* conmon runs `-r [--runtime-arg...] create|exec ...`: a wrapper gets
	 * the runtime as its first argument. (conmon's -s would put
	 * --systemd-cgroup before them; podd never passes it.) */
	add(a, "-r");
	if (wrapped) {
		add(a, a->wrapper);
		add(a, "--runtime-arg");
	}
	add(a, a->runtime);
	add(a, "--runtime-arg");
	add(a, a->root);
	if (job->session) {
		/* conmon runs `runtime exec --process <session>/process.json`. */
		add(a, "--exec");
		add(a, "--exec-process-spec");
		add(a, a->spec);
		if (job->attach)
			add(a, "--exec-attach");
	} else {
		/* conmon's exit command: podctl, never one the worker names. */
		if (launcher_engine_program("podctl", PODD_BINDIR, a->podctl, sizeof(a->podctl),
					    err) < 0)
			return -1;
		const char *rest[] = {
			"--persist-dir",      a->bundle,	 "--exit-command",     a->podctl,
			"--exit-command-arg", "--root",		 "--exit-command-arg", ctx->static_dir,
			"--exit-command-arg", "--runroot",	 "--exit-command-arg", ctx->tmp_dir,
			"--exit-command-arg", "container",	 "--exit-command-arg", "cleanup",
			"--exit-command-arg", job->id,
		};
		for (size_t i = 0; i < PODD_ARRAY_SIZE(rest); i++) {
			/* Global options go before "container": every one the
			 * cleanup needs is given, since it reads no podd.conf
			 * (conmon's PODD_CONF=/dev/null, conmon_child). */
			if (i == 12) {
				add(a, "--exit-command-arg");
				add(a, "--storage-driver");
				add(a, "--exit-command-arg");
				add(a, job->vfs ? "vfs" : "overlay");
			}
			add(a, rest[i]);
		}
	}
	if (job->terminal)
		add(a, "-t");
	if (job->stdin)
		add(a, "-i");
	/* conmon closes the container's stdin when an attached client goes,
	 * which is how a pipe's EOF reaches it. On a terminal, EOF is a typed
	 * ctrl-d instead, and a client that detached (ctrl-p ctrl-q) must be
	 * able to attach again and type. */
	if (!job->session && job->terminal && job->stdin)
		add(a, "--leave-stdin-open");
	if (a->full)
		return podd_error(err, PODD_E_INTERNAL, "conmon: more than %zu arguments",
				  PODD_ARRAY_SIZE(a->argv) - 1);
	return 0;
}

/* In the child between fork and exec: only async-signal-safe calls. The
 * pipes go to fds 3, 4 and 5 as the environment names them; they are
 * first lifted above 10 so that no dup2 overwrites one still to be moved. */
__attribute__((noreturn)) static void conmon_child(const struct conmon_argv *a,
						   const struct conmon_pipes *p, int devnull,
						   bool exec_attach)
{
	/* PODD_CONF=/dev/null: conmon's exit command (podctl container
	 * cleanup) takes its settings from its command line alone, never
	 * from a podd.conf that changed since the container was made. */
	static char *const env_plain[] = { "_OCI_SYNCPIPE=3", PODD_LAUNCHER_PATH_ENV,
					   "PODD_CONF=/dev/null", NULL };
	static char *const env_attach[] = { "_OCI_SYNCPIPE=3", "_OCI_STARTPIPE=4",
					    "_OCI_ATTACHPIPE=5", PODD_LAUNCHER_PATH_ENV,
					    "PODD_CONF=/dev/null", NULL };
	int sync = fcntl(p->sync[1], F_DUPFD, 10);
	int start = exec_attach ? fcntl(p->start[0], F_DUPFD, 10) : -1;
	int attach = exec_attach ? fcntl(p->attach[1], F_DUPFD, 10) : -1;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (sync < 0 || (exec_attach && (start < 0 || attach < 0)))
		_exit(127);
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	if (dup2(sync, 3) < 0 || (exec_attach && (dup2(start, 4) < 0 || dup2(attach, 5) < 0)))
		_exit(127);
	close_range(exec_attach ? 6 : 4, ~0U, 0);
	execve(a->conmon, (char *const *)a->argv, exec_attach ? env_attach : env_plain);
	_exit(127);
}

static int write_start(int fd, podd_error_t *err)
{
	static const char go[] = "0\n";
	if (write(fd, go, sizeof(go) - 1) != (ssize_t)sizeof(go) - 1)
		return podd_error_sys(err, errno, "conmon: start pipe");
	return 0;
}

/* Is `pid` the conmon we started for this job? The pidfile sits in a
 * directory the worker may write, so its number is checked against the
 * process itself: our conmon binary, with this job's -u on its command
 * line. A pidfd pins the process between the check and the signal. */
static int our_conmon(int pid, const struct conmon_argv *a, const char *uuid)
{
	char path[64], exe[4096], cmdline[8192];
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), fd = -1;
	ssize_t n;

	if (pidfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if (strcmp(exe, a->conmon) != 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, cmdline, sizeof(cmdline) - 1)) <= 0)
		return -1;
	cmdline[n] = '\0';
	for (char *p = cmdline; p < cmdline + n; p += strlen(p) + 1)
		if (strcmp(p, "-u") == 0 && p + 3 < cmdline + n && strcmp(p + 3, uuid) == 0)
			return move_fd(&pidfd);
	return -1;
}

/* conmon's daemon, when it never reports: it would hold an attached exec
 * back for ever. Its runtime child dies with it (PDEATHSIG). */
static void kill_conmon(const struct conmon_argv *a, const char *uuid)
{
	cleanup_close int pidfd = -1;
	int cpid;

	if (conmon_read_pidfile(a->cpidfile, &cpid) < 0 || (pidfd = our_conmon(cpid, a, uuid)) < 0)
		return;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* An attached exec: let conmon fork the runtime, wait for its attach
 * socket, connect, then let the runtime run, so that no output is lost. */
static int attach_handshake(const struct conmon_argv *a, const struct conmon_pipes *p,
			    int *sock, podd_error_t *err)
{
	char msg[256];
	int ready;

	if (write_start(p->start[1], err) < 0 ||
	    read_sync(p->attach[0], &ready, msg, sizeof(msg), err) < 0)
		return -1;
	*sock = exec_connect_attach(a->bundle, err);
	if (*sock < 0)
		return -1;
	return write_start(p->start[1], err);
}

/* The bundle files pinned for one spawn (check_bundle), released once
 * the runtime has read them (conmon reports after `runtime create` or
 * `runtime exec` has returned). */
#define BUNDLE_BINDS_MAX 16

struct bundle_pins {
	int selfbind; /* the bundle dir pinned over its own name (pin_dir), or -1 */
	int dir;     /* the bundle dir, through that pin, or -1 */
	int session; /* the exec session's dir, or -1 */
	bool config, process; /* config.json, process.json pinned */
	size_t nbinds;
	char binds[BUNDLE_BINDS_MAX][256]; /* bind sources pinned in dir */
};

static void pins_release(struct bundle_pins *p)
{
	if (p->session >= 0) {
		if (p->process)
			pin_release(p->session, "process.json");
		close(p->session);
	}
	if (p->dir >= 0) {
		for (size_t i = 0; i < p->nbinds; i++)
			pin_release(p->dir, p->binds[i]);
		if (p->config)
			pin_release(p->dir, "config.json");
		close(p->dir);
	}
	pin_dir_release(p->selfbind);
	p->nbinds = 0;
	p->config = p->process = false;
	p->dir = p->session = p->selfbind = -1;
}

static int open_dir_beneath(int dirfd, const char *path, podd_error_t *err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	return fd;
}

/* The bind sources in the bundle dir (checked to be names directly in it,
 * bundle_check.c): each pinned as the regular file it is now (pin_self),
 * so that a link to a host path cannot be put in its place before the
 * runtime has bound it. */
static int pin_binds(json_object *cfg, const char *dir, struct bundle_pins *pins,
		     podd_error_t *err)
{
	json_object *mounts;
	size_t n = strlen(dir);

	if (!json_object_object_get_ex(cfg, "mounts", &mounts))
		return 0;
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i), *src;
		const char *s, *leaf;

		if (!json_object_object_get_ex(m, "source", &src))
			continue;
		s = json_object_get_string(src);
		if (strncmp(s, dir, n) != 0 || s[n] != '/')
			continue;
		leaf = s + n + 1;
		if (pins->nbinds == BUNDLE_BINDS_MAX || strlen(leaf) >= sizeof(pins->binds[0]) ||
		    strchr(leaf, '/'))
			return podd_error(err, PODD_E_NOT_PERMITTED,
					  "config.json: too many or too long bind sources");
		if (pin_self(pins->dir, leaf, err) < 0)
			return podd_error_wrap(err, "config.json: bind source");
		snprintf(pins->binds[pins->nbinds++], sizeof(pins->binds[0]), "%s", leaf);
	}
	return 0;
}

/* What the worker wrote is checked here, by the side that will act on it
 * (bundle_check.c): config.json before a create, and for an exec session
 * its process.json against the container's config. The worker may change
 * the bundle dir at any time, so each file is opened beneath the dir
 * (no link followed), read once, checked, and the checked bytes pinned
 * read-only over its name (pin.c) before conmon starts: the runtime reads
 * what was checked, and the worker can neither write nor replace it until
 * the pins are released after the spawn. */
static int check_bundle(const struct exec_ctx *ctx, const struct conmon_job *job,
			struct bundle_pins *pins, podd_error_t *err)
{
	char dir[4300], sub[200];
	json_object *cfg = NULL, *proc = NULL;
	cleanup_free char *cfg_raw = NULL, *proc_raw = NULL;
	cleanup_close int tmp = -1;
	size_t cfg_len = 0, proc_len = 0;
	int r = -1;

	if (exec_ctr_path(ctx, dir, job->id, NULL) < 0 ||
	    (job->session && !podd_id_valid(job->session)))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "conmon: invalid container id");
	{
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
					.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
		tmp = (int)syscall(SYS_openat2, AT_FDCWD, ctx->tmp_dir, &how, sizeof(how));
		if (tmp < 0)
			return podd_error_sys(err, errno, "open %s", ctx->tmp_dir);
	}
	snprintf(sub, sizeof(sub), "containers/%s", job->id);
	/* A mount on the bundle dir can only be another spawn's pin: one of
	 * a launcher killed with its worker, which the kernel takes off a
	 * little after its death (up to ~100 ms measured here), when the
	 * container's lock no longer keeps the spawns apart. Wait for it, a
	 * second at most, rather than fail with EXDEV. */
	for (int tries = 0;; tries++) {
		pins->dir = open_dir_beneath(tmp, sub, err);
		if (pins->dir >= 0 || (*err)->sys_errno != EXDEV || tries == 100)
			break;
		podd_error_free(err);
		(void)nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (pins->dir < 0)
		goto out;
	/* The bundle dir itself pinned over its name: the worker can no
	 * longer rename it and put a directory of its own in its place
	 * before conmon and the runtime resolve their paths through it
	 * (<tmp>/containers, its parent, is no directory the worker may
	 * rename: Landlock grants it what is beneath only). Everything after
	 * goes through the pin. */
	pins->selfbind = pin_dir(tmp, sub, pins->dir, err);
	if (pins->selfbind < 0)
		goto out;
	close(pins->dir);
	pins->dir = fcntl(pins->selfbind, F_DUPFD_CLOEXEC, 0);
	if (pins->dir < 0) {
		podd_error_sys(err, errno, "pin: %s", sub);
		goto out;
	}
	if (bundle_read_at(pins->dir, "config.json", &cfg, &cfg_raw, &cfg_len, err) < 0)
		goto out;
	{
		/* The image root is this container's own mount point; any
		 * other root inside our directories (another container's root
		 * or upper dir, a store layer) is refused. */
		char image_root[4300];
		const char *const guarded[] = { ctx->static_dir, ctx->tmp_dir, NULL };
		snprintf(image_root, sizeof(image_root), "%s/storage/containers/%s/merged",
			 ctx->tmp_dir, job->id);
		if (bundle_check_config(cfg, dir, image_root, guarded, err) < 0 ||
		    (!job->session && bundle_check_root_fs(cfg, image_root, guarded, err) < 0) ||
		    (!job->session && pin_binds(cfg, dir, pins, err) < 0))
			goto out;
	}
	if (job->session) {
		snprintf(sub, sizeof(sub), "exec/%s", job->session);
		pins->session = open_dir_beneath(pins->dir, sub, err);
		if (pins->session < 0 ||
		    bundle_read_at(pins->session, "process.json", &proc, &proc_raw, &proc_len,
				   err) < 0 ||
		    bundle_check_process(proc, cfg, err) < 0 ||
		    pin_file(pins->session, "process.json", proc_raw, proc_len, err) < 0)
			goto out;
		pins->process = true;
	}
	/* `runtime exec` reads the container's config from its own state,
	 * not from the bundle: only a create needs config.json pinned. */
	if (job->session) {
		r = 0;
	} else if (pin_file(pins->dir, "config.json", cfg_raw, cfg_len, err) == 0) {
		pins->config = true;
		r = 0;
	}
out:
	json_object_put(proc);
	json_object_put(cfg);
	return r;
}

static int spawn(const struct exec_ctx *ctx, const struct conmon_job *job, int *pid,
		 int *conmon_pid, int *attach_fd, podd_error_t *err)
{
	struct conmon_argv a;
	__attribute__((cleanup(pipes_close))) struct conmon_pipes p = {
		{ -1, -1 }, { -1, -1 }, { -1, -1 }
	};
	cleanup_close int devnull = -1, sock = -1;
	__attribute__((cleanup(pins_release))) struct bundle_pins pins = { .selfbind = -1, .dir = -1,
									  .session = -1 };
	char msg[2048];
	pid_t child;
	int rc;

	if (build_argv(ctx, job, &a, err) < 0 || check_bundle(ctx, job, &pins, err) < 0)
		return -1;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return podd_error_sys(err, errno, "conmon: open /dev/null");
	if (pipes_open(&p, job->attach, err) < 0)
		return -1;
	child = fork();
	if (child < 0)
		return podd_error_sys(err, errno, "conmon: fork");
	if (child == 0)
		conmon_child(&a, &p, devnull, job->attach);
	/* Our copies of conmon's ends go, so that its death reads as EOF. */
	close(p.sync[1]);
	close(p.attach[1]);
	close(p.start[0]);
	p.sync[1] = p.attach[1] = p.start[0] = -1;

	rc = job->attach ? attach_handshake(&a, &p, &sock, err) : 0;
	if (rc == 0)
		rc = read_sync(p.sync[0], pid, msg, sizeof(msg), err);
	/* The first conmon process exits once its daemon is forked. */
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	/* The runtime has read the bundle (or failed): the pins go now, not
	 * with the container, so that no mount outlives this call. */
	pins_release(&pins);
	if (rc < 0) {
		kill_conmon(&a, job->session ? job->session : job->id);
		return -1;
	}
	if (*pid <= 0) {
		runtime_message(msg);
		return podd_error(err, PODD_E_RUNTIME, "%s: %s", strrchr(a.runtime, '/') + 1,
				  msg[0] ? msg : "conmon could not create the container");
	}
	if (conmon_read_pidfile(a.cpidfile, conmon_pid) < 0)
		*conmon_pid = 0;
	if (attach_fd)
		*attach_fd = move_fd(&sock);
	return 0;
}

static int reply_spawned(struct podd_server *srv, const struct podd_request *req, int pid,
			 int conmon_pid, int fd, podd_error_t *err)
{
	Podd__ConmonSpawned reply = PODD__CONMON_SPAWNED__INIT;
	reply.pid = pid;
	reply.conmon_pid = conmon_pid;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_CONMON_SPAWNED, 0,
				 &reply.base, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, err);
}

int op_spawn_conmon(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__SpawnConmon *op = (const Podd__SpawnConmon *)req->msg;
	const struct conmon_job job = {
		.id = op->id,
		.runtime = op->runtime,
		.log_level = op->log_level,
		.terminal = op->terminal,
		.stdin = op->stdin,
	};
	struct conmon_job j = job;
	enum storage_driver driver;
	int pid = -1, cpid = 0;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "conmon: invalid container id");
	if (overlay_driver_parse(op->storage_driver, &driver, err) < 0)
		return -1;
	j.vfs = driver == STORAGE_VFS;
	if (spawn(srv->data, &j, &pid, &cpid, NULL, err) < 0)
		return -1;
	return reply_spawned(srv, req, pid, cpid, -1, err);
}

/* Why this is safe: the container must be ours (its bundle directory
 * exists under our tmp dir), the process spec is the one the worker wrote
 * in the session directory under it, and `runtime exec` can only enter a
 * container the runtime already runs from our --root. The worker cannot
 * name any other program, path or argument. */
int op_spawn_exec(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__SpawnExec *op = (const Podd__SpawnExec *)req->msg;
	const struct conmon_job job = {
		.id = op->id,
		.session = op->session_id,
		.runtime = op->runtime,
		.log_level = op->log_level,
		.terminal = op->terminal,
		.stdin = op->stdin,
		.attach = op->attach,
	};
	cleanup_close int sock = -1;
	char spec[4300];
	struct stat st;
	int pid = -1, cpid = 0;

	if (!podd_id_valid(op->id) || !podd_id_valid(op->session_id) ||
	    exec_session_path(ctx, spec, sizeof(spec), op->id, op->session_id, "process.json") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec: invalid container or session id");
	if (lstat(spec, &st) < 0 || !S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "exec: no process spec for session %.12s",
				  op->session_id);
	if (spawn(ctx, &job, &pid, &cpid, op->attach ? &sock : NULL, err) < 0)
		return -1;
	return reply_spawned(srv, req, pid, cpid, sock, err);
}

static int spawned(const ProtobufCMessage *m, int *pid, int *conmon_pid, podd_error_t *err)
{
	const Podd__ConmonSpawned *r = (const Podd__ConmonSpawned *)m;
	if (r->pid <= 0 || r->conmon_pid < 0)
		return podd_error(err, PODD_E_PROTOCOL, "launcher reported pid %d", r->pid);
	*pid = r->pid;
	if (conmon_pid)
		*conmon_pid = r->conmon_pid;
	return 0;
}

int call_spawn_conmon(const Podd__ContainerRecord *rec, const char *log_level,
		      const char *storage_driver, int *pid, int *conmon_pid, podd_error_t *err)
{
	Podd__SpawnConmon op = PODD__SPAWN_CONMON__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	op.storage_driver = (char *)storage_driver;

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
	return spawned(m, pid, conmon_pid, err);
}

int call_spawn_exec(const Podd__ContainerRecord *rec, const char *session, bool tty, bool in,
		    bool attach, const char *log_level, int *pid, int *attach_fd,
		    podd_error_t *err)
{
	Podd__SpawnExec op = PODD__SPAWN_EXEC__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	op.id = rec->id;
	op.session_id = (char *)session;
	op.runtime = rec->config->runtime;
	op.terminal = tty;
	op.stdin = in;
	op.attach = attach;
	op.log_level = (char *)log_level;
	if (podd_client_call_fds(&podd_worker_launcher()->peer,
				 PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_SPAWN_EXEC, &op.base, NULL, 0,
				 PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_CONMON_SPAWNED,
				 &podd__conmon_spawned__descriptor, &m, attach_fd, attach ? 1 : 0,
				 err) < 0)
		return -1;
	if (attach && podd_fd_check_kind(*attach_fd, PODD_FD_SOCKET, err) < 0)
		return -1;
	return spawned(m, pid, NULL, err);
}
