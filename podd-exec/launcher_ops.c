/* podd-exec's launcher: the only part of podd-exec that runs programs.
 * Every operation takes ids and names, never paths or argument vectors:
 * the launcher builds each command line itself from its own directories,
 * so a compromised worker can make it run the runtime or conmon on a
 * container of this engine, and nothing else. */
#include "launcher_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "launcher.h"
#include "storage.h"
#include "files.h"
#include "validate.h"
#include "worker.h"

static const char *const search_path[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					   "/usr/bin", "/sbin", "/bin", NULL };

int launcher_engine_program(const char *name, const char *installed_dir, char *out, size_t size,
			    podd_error_t *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash &&
		    (size_t)snprintf(out, size, "%.*s/%s", (int)(slash - self), self, name) < size &&
		    program_trusted(out))
			return 0;
	}
	if ((size_t)snprintf(out, size, "%s/%s", installed_dir, name) < size &&
	    program_trusted(out))
		return 0;
	return podd_error(err, PODD_E_INTERNAL, "%s not found next to podd-exec or in %s", name,
			  installed_dir);
}

int launcher_resolve_program(const char *name, char *out, size_t size, podd_error_t *err)
{
	for (size_t i = 0; search_path[i]; i++) {
		if ((size_t)snprintf(out, size, "%s/%s", search_path[i], name) < size &&
		    program_trusted(out))
			return 0;
	}
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s not found in %s and the other system "
							"directories",
			  name, search_path[0]);
}

int launcher_resolve_runtime(const char *name, char *out, size_t size, podd_error_t *err)
{
	if (name[0] == '\0')
		name = "runc";
	if (name[0] == '/') {
		if (podd_validate_abs_path("runtime", name, err) < 0)
			return -1;
		if (!program_trusted(name))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "OCI runtime \"%s\" not found, not executable or not "
					  "owned by root: invalid argument",
					  name);
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (strcmp(name, "runc") != 0 && strcmp(name, "crun") != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "default OCI runtime \"%s\" not found: invalid argument", name);
	if (launcher_resolve_program(name, out, size, err) < 0) {
		podd_error_free(err);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "default OCI runtime \"%s\" not found: invalid argument", name);
	}
	return 0;
}

int launcher_runtime_wrapper(const char *runtime, char *out, size_t size, podd_error_t *err)
{
	const char *base = strrchr(runtime, '/');

	if (strcmp(base ? base + 1 : runtime, "crun") != 0)
		return 0;
	if (launcher_engine_program("podd-runtime-ns", PODD_LIBEXECDIR, out, size, err) < 0)
		return -1;
	return 1;
}

/* In the child between fork and exec: only async-signal-safe calls.
 * stdout goes to outfd, or with -1 to /dev/null. */
static void child_setup(int devnull, int outfd, int errfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Ignored signals stay ignored across exec: give the programs the
	 * defaults they expect. */
	signal(SIGPIPE, SIG_DFL);
	dup2(devnull, STDIN_FILENO);
	dup2(outfd >= 0 ? outfd : devnull, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	close_range(3, ~0U, 0);
}

static void printable(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
}

/* launcher_run, with stdout into outfd (-1: /dev/null); with
 * timeout_ms >= 0, a program whose stderr is still open after that long
 * is killed and reported. */
static int run_to(char *const *argv, int outfd, int timeout_ms, int *status, char *msg,
		  size_t msgsize, podd_error_t *err)
{
	cleanup_close int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int pipefd[2];
	size_t len = 0;
	pid_t pid;

	if (devnull < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return podd_error_sys(err, errno, "run %s", argv[0]);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return podd_error_sys(err, e, "fork for %s", argv[0]);
	}
	if (pid == 0) {
		child_setup(devnull, outfd, pipefd[1]);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	msg[0] = '\0';
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char buf[512];
		ssize_t n;
		if (timeout_ms >= 0) {
			struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			long left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
						  (t.tv_nsec - t0.tv_nsec) / 1000000);
			int r = left > 0 ? poll(&p, 1, (int)left) : 0;
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0) {
				kill(pid, SIGKILL);
				close(pipefd[0]);
				while (waitpid(pid, status, 0) < 0 && errno == EINTR)
					;
				return podd_error(err, PODD_E_RUNTIME, "%s: no answer within %d ms",
						  argv[0], timeout_ms);
			}
		}
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < msgsize) {
			size_t take = (size_t)n < msgsize - 1 - len ? (size_t)n : msgsize - 1 - len;
			memcpy(msg + len, buf, take);
			len += take;
			msg[len] = '\0';
		}
	}
	close(pipefd[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return podd_error_sys(err, errno, "wait for %s", argv[0]);
	printable(msg);
	return 0;
}

int launcher_run(char *const *argv, int *status, char *msg, size_t msgsize, podd_error_t *err)
{
	return run_to(argv, -1, -1, status, msg, msgsize, err);
}

int launcher_run_output(char *const *argv, int timeout_ms, int *status, char *out,
			size_t outsize, char *msg, size_t msgsize, podd_error_t *err)
{
	/* A memfd, not a pipe: the program writes all it has without
	 * waiting for us, and what passes outsize is cut, not waited on. */
	cleanup_close int fd = memfd_create("podd-runtime-out", MFD_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return podd_error_sys(err, errno, "run %s: memfd", argv[0]);
	if (run_to(argv, fd, timeout_ms, status, msg, msgsize, err) < 0)
		return -1;
	n = pread(fd, out, outsize - 1, 0);
	if (n < 0)
		return podd_error_sys(err, errno, "run %s: read its output", argv[0]);
	out[n] = '\0';
	return 0;
}

int launcher_runtime_cmd(const struct exec_ctx *ctx, const char *name, struct runtime_cmd *c,
			 podd_error_t *err)
{
	int wrapped;

	if (launcher_resolve_runtime(name, c->runtime, sizeof(c->runtime), err) < 0 ||
	    (wrapped = launcher_runtime_wrapper(c->runtime, c->wrapper, sizeof(c->wrapper),
						err)) < 0)
		return -1;
	snprintf(c->root, sizeof(c->root), "%s/runtime", ctx->tmp_dir);
	c->n = 0;
	if (wrapped)
		c->argv[c->n++] = c->wrapper;
	c->argv[c->n++] = c->runtime;
	c->argv[c->n++] = "--root";
	c->argv[c->n++] = c->root;
	return 0;
}

/* runc's --log-format json lines are {"level":"error","msg":"..."}; with
 * the default text format the message is the line itself. */
static int op_runtime(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__RuntimeOp *op = (const Podd__RuntimeOp *)req->msg;
	struct runtime_cmd c;
	const char **argv = c.argv;
	char sig[16], msg[1024];
	size_t n, verb;
	int status;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "runtime: invalid container id");
	if (launcher_runtime_cmd(ctx, op->runtime, &c, err) < 0)
		return -1;
	n = verb = c.n;
	switch (op->verb) {
	case PODD__RUNTIME_VERB__RUNTIME_VERB_START:
		argv[n++] = "start";
		break;
	case PODD__RUNTIME_VERB__RUNTIME_VERB_KILL:
		if (op->signal < 1 || op->signal > 64)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid signal %d",
					  op->signal);
		argv[n++] = "kill";
		if (op->all)
			argv[n++] = "--all";
		break;
	case PODD__RUNTIME_VERB__RUNTIME_VERB_DELETE:
		argv[n++] = "delete";
		argv[n++] = "--force";
		break;
	case PODD__RUNTIME_VERB__RUNTIME_VERB_PAUSE:
		argv[n++] = "pause";
		break;
	case PODD__RUNTIME_VERB__RUNTIME_VERB_RESUME:
		argv[n++] = "resume";
		break;
	default:
		return podd_error(err, PODD_E_PROTOCOL, "unknown runtime verb %d", op->verb);
	}
	argv[n++] = op->id;
	if (op->verb == PODD__RUNTIME_VERB__RUNTIME_VERB_KILL) {
		snprintf(sig, sizeof(sig), "%d", op->signal);
		argv[n++] = sig;
	}
	argv[n] = NULL;
	if (launcher_run((char *const *)argv, &status, msg, sizeof(msg), err) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return podd_error(err, PODD_E_RUNTIME, "%s %s %.12s: %s", c.runtime, argv[verb],
				  op->id, msg[0] ? msg : "failed");
	return podd_server_reply_ok(srv, req, err);
}

const struct podd_handler exec_launcher_ops[] = {
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_SPAWN_CONMON, &podd__spawn_conmon__descriptor, 0,
	  op_spawn_conmon },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_RUNTIME, &podd__runtime_op__descriptor, 0, op_runtime },
	/* monitor.c */
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_PROBE_MONITOR, &podd__probe_monitor__descriptor, 0,
	  op_probe_monitor },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_SPAWN_EXEC, &podd__spawn_exec__descriptor, 0,
	  op_spawn_exec },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_READ_USER_DB, &podd__read_user_db__descriptor, 0,
	  op_read_user_db },
	/* top.c, export.c */
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_LIST_PROCESSES, &podd__list_processes__descriptor, 0,
	  op_list_processes },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_EXPORT, &podd__export_request__descriptor, 1,
	  op_export },
	/* storage.c */
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_MOUNT_ROOTFS, &podd__mount_rootfs__descriptor, 0,
	  op_mount_rootfs },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_UNMOUNT_ROOTFS, &podd__unmount_rootfs__descriptor, 0,
	  op_unmount_rootfs },
	{ PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_ROOTFS_SIZES, &podd__sizes_request__descriptor, 0,
	  op_rootfs_sizes },
};
const size_t exec_launcher_nops = PODD_ARRAY_SIZE(exec_launcher_ops);

int call_runtime(const char *id, const char *runtime, Podd__RuntimeVerb verb, int signal,
		 bool all, podd_error_t *err)
{
	Podd__RuntimeOp op = PODD__RUNTIME_OP__INIT;
	cleanup_message ProtobufCMessage *m = NULL;

	op.id = (char *)id;
	op.runtime = (char *)runtime;
	op.verb = verb;
	op.signal = signal;
	op.all = all;
	return podd_client_call(&podd_worker_launcher()->peer,
				PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_RUNTIME, &op.base,
				PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &m, err);
}
