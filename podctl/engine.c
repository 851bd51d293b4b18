/* Starting a command's helpers: one SEQPACKET socketpair each, exec of the
 * helper binary found next to podctl (build tree) or in the libexec dir,
 * handshake, then podctl drops every capability and sandboxes itself. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "helper.h"
#include "log.h"
#include "podctl.h"

static const struct {
	const char *binary;
	const char *channel;
} helper_info[HELPER_COUNT] = {
	[HELPER_STATE] = { "podd-state", "state" },
	[HELPER_IMAGE] = { "podd-image", "image" },
	[HELPER_EXEC] = { "podd-exec", "exec" },
	[HELPER_NET] = { "podd-net", "net" },
	/* The registry client speaks image.proto's registry requests. */
	[HELPER_REGISTRY] = { "podd-image-registry", "image" },
};

int engine_default_paths(struct global_opts *g, podd_error_t *err)
{
	static char root[PATH_MAX], runroot[PATH_MAX];
	const char *home = getenv("HOME");
	const char *xdg;

	if (g->root == NULL) {
		if (geteuid() == 0) {
			g->root = "/var/lib/podd";
		} else if ((xdg = getenv("XDG_DATA_HOME")) != NULL && xdg[0] == '/') {
			snprintf(root, sizeof(root), "%s/podd", xdg);
			g->root = root;
		} else if (home && home[0] == '/') {
			snprintf(root, sizeof(root), "%s/.local/share/podd", home);
			g->root = root;
		} else {
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "no --root given and neither XDG_DATA_HOME nor HOME set");
		}
	}
	if (g->runroot == NULL) {
		if (geteuid() == 0) {
			g->runroot = "/run/podd";
		} else if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && xdg[0] == '/') {
			snprintf(runroot, sizeof(runroot), "%s/podd", xdg);
			g->runroot = runroot;
		} else {
			snprintf(runroot, sizeof(runroot), "/tmp/podd-%u", (unsigned)geteuid());
			g->runroot = runroot;
		}
	}
	return 0;
}

/* The helper binaries sit next to podctl in the build tree (build/bin) and
 * in PODD_LIBEXECDIR once installed. */
static int find_helper(const char *binary, char *path, size_t size, podd_error_t *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			int w = snprintf(path, size, "%s/%s", self, binary);
			if (w > 0 && (size_t)w < size && access(path, X_OK) == 0)
				return 0;
		}
	}
	snprintf(path, size, "%s/%s", PODD_LIBEXECDIR, binary);
	if (access(path, X_OK) == 0)
		return 0;
	return podd_error(err, PODD_E_INTERNAL, "cannot find %s next to podctl or in %s", binary,
			  PODD_LIBEXECDIR);
}

/* With `parked`, the child waits for a byte on its park pipe (fd 4)
 * before it executes the helper, and exits at EOF instead. */
static int spawn_helper(struct engine *e, enum helper_kind k, bool parked, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];
	char path[PATH_MAX], level[16];
	int sv[2], park[2] = { -1, -1 };
	pid_t pid;

	const char *binary = helper_info[k].binary;

	if (find_helper(binary, path, sizeof(path), err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return podd_error_sys(err, errno, "socketpair for %s", helper_info[k].binary);
	if (parked && pipe2(park, O_CLOEXEC) < 0) {
		int saved = errno;
		close(sv[0]);
		close(sv[1]);
		return podd_error_sys(err, saved, "pipe for %s", helper_info[k].binary);
	}
	snprintf(level, sizeof(level), "%s", podd_log_level_name((enum podd_log_level)e->opts.log_level));
	pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(sv[0]);
		close(sv[1]);
		if (parked) {
			close(park[0]);
			close(park[1]);
		}
		return podd_error_sys(err, saved, "fork %s", helper_info[k].binary);
	}
	if (pid == 0) {
		char *const argv[] = { (char *)binary, "--root", e->static_dir,
				       "--runroot", e->tmp_dir, "--log-level", level, NULL };
		/* Only sanitizer settings pass through: a helper's environment
		 * is not the user's to steer. */
		char *envp[4];
		size_t ne = 0;
		const char *keep[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" };
		for (size_t i = 0; i < 3; i++) {
			const char *v = getenv(keep[i]);
			char *entry;
			if (v && asprintf(&entry, "%s=%s", keep[i], v) > 0)
				envp[ne++] = entry;
		}
		envp[ne] = NULL;
		/* Out of the terminal's foreground group: a ctrl-c is podctl's
		 * to handle (passed on to the container, or the end of podctl),
		 * never a helper killed mid-request. A helper ends when podctl's
		 * socket closes. */
		setpgid(0, 0);
		if (dup2(sv[1], PODD_HELPER_SOCKET_FD) < 0 ||
		    (parked && dup2(park[0], PODD_HELPER_SOCKET_FD + 1) < 0))
			_exit(EXIT_CANNOT_INVOKE);
		close_range(PODD_HELPER_SOCKET_FD + (parked ? 2 : 1), ~0U, 0);
		if (parked) {
			char go;
			ssize_t n;
			do
				n = read(PODD_HELPER_SOCKET_FD + 1, &go, 1);
			while (n < 0 && errno == EINTR);
			if (n != 1)
				_exit(0); /* not needed after all */
			close(PODD_HELPER_SOCKET_FD + 1);
		}
		execve(path, argv, envp);
		dprintf(STDERR_FILENO, "Error: exec %s: %s\n", path, strerror(errno));
		_exit(EXIT_CANNOT_INVOKE);
	}
	close(sv[1]);
	if (parked)
		close(park[0]);
	h->peer = (struct podd_peer){ .sock = sv[0], .pid = pid, .name = binary };
	h->running = true;
	h->status_fd = -1;
	h->park_fd = parked ? park[1] : -1;
	return 0;
}

int engine_helper_failed(struct engine *e, enum helper_kind k, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];
	int status;

	if (!h->running || err == NULL || *err == NULL)
		return -1;
	/* EOF is a PROTOCOL error; a peer that died with unread data in its
	 * socket shows up as ECONNRESET or EPIPE instead. */
	if ((*err)->code != PODD_E_PROTOCOL && (*err)->sys_errno != ECONNRESET &&
	    (*err)->sys_errno != EPIPE)
		return -1;
	/* The helper closed the connection or broke the protocol: it is dead
	 * or about to be. Say how it ended. An answer podctl refused (a
	 * helper of another build, or a compromised one) leaves the helper
	 * waiting for the next request: shut the socket first, so that it
	 * reads EOF and exits instead of both waiting on each other. */
	shutdown(h->peer.sock, SHUT_RDWR);
	if (waitpid(h->peer.pid, &status, 0) == h->peer.pid) {
		h->running = false;
		if (WIFSIGNALED(status))
			return podd_error_wrap(err, "%s (pid %d) was killed by signal %d (%s)",
					       h->peer.name, h->peer.pid, WTERMSIG(status),
					       strsignal(WTERMSIG(status)));
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			return podd_error_wrap(err, "%s (pid %d) exited with status %d",
					       h->peer.name, h->peer.pid, WEXITSTATUS(status));
	}
	return -1;
}

/* OpenRequest is sent as soon as podd-state has shaken hands, so that
 * LMDB opens while the other helpers still start; the answer is read
 * after podctl sandboxed itself (open_state_receive). */
static int open_state_send(struct engine *e, podd_error_t *err)
{
	Podd__OpenRequest req = PODD__OPEN_REQUEST__INIT;
	Podd__DbConfig cfg = PODD__DB_CONFIG__INIT;

	cfg.static_dir = e->static_dir;
	cfg.tmp_dir = e->tmp_dir;
	cfg.graph_root = e->graph_root;
	cfg.run_root = e->run_root;
	cfg.graph_driver = (char *)e->opts.storage_driver;
	cfg.volume_path = e->volume_path;
	req.config = &cfg;
	if (podd_client_send(&e->helpers[HELPER_STATE].peer, PODD__STATE_TYPE__STATE_TYPE_OPEN,
			     &req.base, &e->open_id, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	return 0;
}

static int open_state_receive(struct engine *e, podd_error_t *err)
{
	ProtobufCMessage *m = NULL;

	if (podd_client_receive(&e->helpers[HELPER_STATE].peer, e->open_id,
				PODD__STATE_TYPE__STATE_TYPE_DB_INFO, &podd__db_info__descriptor,
				&m, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	e->db_info = (Podd__DbInfo *)m;
	return 0;
}

static int prepare_dir(const char *what, const char *in, char *out, size_t size,
		       podd_error_t *err)
{
	if (podd_mkdir_p(in, err) < 0)
		return podd_error_wrap(err, "%s", what);
	if (realpath(in, out) == NULL)
		return podd_error_sys(err, errno, "%s %s", what, in);
	(void)size;
	return 0;
}

int engine_ready_send(struct engine *e, enum helper_kind k, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];

	if (!h->running || !h->hello_pending || h->hello_sent)
		return 0;
	if (podd_client_hello_send(&h->peer, helper_info[k].channel, &h->hello_id, err) < 0)
		return engine_helper_failed(e, k, err);
	h->hello_sent = true;
	return 0;
}

int engine_ready(struct engine *e, enum helper_kind k, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];

	if (!h->running || !h->hello_pending)
		return 0;
	if (engine_ready_send(e, k, err) < 0)
		return -1;
	h->hello_pending = false;
	h->hello_sent = false;
	if (podd_client_hello_receive(&h->peer, h->hello_id, err) < 0)
		return engine_helper_failed(e, k, err);
	return 0;
}

/* Spawn the helpers in `needs` (all at once, so that they start in
 * parallel), then shake hands with each, but podd-image with
 * NEED_IMAGE_LATE (engine_ready; no status_fd: `system sandbox` never
 * asks for it). */
static int start_helpers(struct engine *e, unsigned needs, podd_error_t *err)
{
	/* The slowest to start goes first: podd-image-registry, the one
	 * dynamic executable, loads libcurl's libraries while the others
	 * start. */
	static const enum helper_kind spawn_order[HELPER_COUNT] = {
		HELPER_REGISTRY, HELPER_STATE, HELPER_EXEC, HELPER_NET, HELPER_IMAGE,
	};
	bool open_db = (needs & NEED_STATE) != 0;

	for (int i = 0; i < HELPER_COUNT; i++) {
		enum helper_kind k = spawn_order[i];
		if ((needs & (1u << k)) && spawn_helper(e, k, false, err) < 0)
			return -1;
	}
	for (int k = 0; k < HELPER_COUNT; k++)
		if ((needs & NEED_PARKED(k)) && !(needs & (1u << k)) &&
		    spawn_helper(e, (enum helper_kind)k, true, err) < 0)
			return -1;
	if ((needs & NEED_IMAGE) && (needs & NEED_IMAGE_LATE))
		e->helpers[HELPER_IMAGE].hello_pending = true;
	for (int k = 0; k < HELPER_COUNT; k++) {
		if (!(needs & (1u << k)) || e->helpers[k].hello_pending)
			continue;
		if (podd_client_hello(&e->helpers[k].peer, helper_info[k].channel, err) < 0)
			return engine_helper_failed(e, (enum helper_kind)k, err);
		/* After the handshake the helper is sandboxed; keep a handle on
		 * its status for `system sandbox`, which cannot open /proc later. */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/status", (int)e->helpers[k].peer.pid);
		e->helpers[k].status_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (k == HELPER_STATE && open_db && open_state_send(e, err) < 0)
			return -1;
	}
	return 0;
}

int engine_start(struct engine *e, const struct global_opts *opts, unsigned needs,
		 podd_error_t *err)
{
	memset(e, 0, sizeof(*e));
	e->opts = *opts;
	for (int k = 0; k < HELPER_COUNT; k++) {
		e->helpers[k].status_fd = -1;
		e->helpers[k].park_fd = -1;
	}
	if (opts->root[0] != '/' || opts->runroot[0] != '/')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "--root and --runroot must be absolute paths");
	if (prepare_dir("static dir", opts->root, e->static_dir, sizeof(e->static_dir), err) < 0 ||
	    prepare_dir("tmp dir", opts->runroot, e->tmp_dir, sizeof(e->tmp_dir), err) < 0)
		return -1;
	snprintf(e->graph_root, sizeof(e->graph_root), "%s/storage", e->static_dir);
	snprintf(e->run_root, sizeof(e->run_root), "%s/storage", e->tmp_dir);
	snprintf(e->volume_path, sizeof(e->volume_path), "%s/volumes", e->static_dir);
	e->stdout_is_tty = isatty(STDOUT_FILENO);
	/* glibc sizes stdout's buffer on first use with fstat and isatty
	 * (ioctl); give it one now, so the sandbox need not allow ioctl. */
	static char stdout_buf[BUFSIZ];
	setvbuf(stdout, stdout_buf, e->stdout_is_tty ? _IOLBF : _IOFBF, sizeof(stdout_buf));
	signal(SIGPIPE, SIG_IGN);

	if (start_helpers(e, needs, err) < 0 || podctl_sandbox(err) < 0)
		return -1;
	e->sealed = true;
	if ((needs & NEED_STATE) && open_state_receive(e, err) < 0)
		return -1;
	return 0;
}

/* A parked helper executes now: one byte on its park pipe. */
static int unpark(struct engine *e, enum helper_kind k, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];
	ssize_t n;

	do
		n = write(h->park_fd, "g", 1);
	while (n < 0 && errno == EINTR);
	close(h->park_fd);
	h->park_fd = -1;
	if (n != 1)
		return podd_error_sys(err, errno, "start %s", helper_info[k].binary);
	return 0;
}

/* Helper `k`: from its park, or spawned while podctl may still spawn. */
static int wake(struct engine *e, enum helper_kind k, bool late_hello, podd_error_t *err)
{
	struct helper *h = &e->helpers[k];

	if (h->park_fd >= 0) {
		if (unpark(e, k, err) < 0)
			return -1;
		if (late_hello) {
			h->hello_pending = true;
			return 0;
		}
		if (podd_client_hello(&h->peer, helper_info[k].channel, err) < 0)
			return engine_helper_failed(e, k, err);
		return 0;
	}
	if (h->running)
		return 0;
	if (e->sealed)
		return podd_error(err, PODD_E_INTERNAL, "%s wanted after podctl sandboxed",
				  helper_info[k].binary);
	return start_helpers(e, (1u << k) | (late_hello ? NEED_IMAGE_LATE : 0), err);
}

int engine_add_image(struct engine *e, bool registry, podd_error_t *err)
{
	/* A pull: podd-image starts while podd-image-registry fetches, its
	 * handshake left to engine_ready. */
	if (registry && wake(e, HELPER_REGISTRY, false, err) < 0)
		return -1;
	return wake(e, HELPER_IMAGE, registry, err);
}

int engine_add(struct engine *e, enum helper_kind k, podd_error_t *err)
{
	return wake(e, k, false, err);
}

struct podd_peer *engine_state(struct engine *e)
{
	return &e->helpers[HELPER_STATE].peer;
}

/* EOF to helper `h` (a parked one exits without exec); true if it runs
 * and must be reaped. */
static bool helper_close(struct helper *h)
{
	if (h->status_fd >= 0)
		close(h->status_fd);
	h->status_fd = -1;
	if (h->park_fd >= 0)
		close(h->park_fd);
	h->park_fd = -1;
	if (!h->running)
		return false;
	close(h->peer.sock);
	return true;
}

static void helper_reap(struct helper *h)
{
	int status;

	while (waitpid(h->peer.pid, &status, 0) < 0 && errno == EINTR)
		;
	h->running = false;
}

void engine_stop_helper(struct engine *e, enum helper_kind k)
{
	if (helper_close(&e->helpers[k]))
		helper_reap(&e->helpers[k]);
}

void engine_stop(struct engine *e)
{
	if (e->db_info)
		podd__db_info__free_unpacked(e->db_info, NULL);
	e->db_info = NULL;
	/* EOF tells each helper to exit; reap them so none outlives podctl. */
	for (int k = 0; k < HELPER_COUNT; k++)
		helper_close(&e->helpers[k]);
	for (int k = 0; k < HELPER_COUNT; k++)
		if (e->helpers[k].running)
			helper_reap(&e->helpers[k]);
}
