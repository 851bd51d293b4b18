/* Exits, as conmon records them: <tmp>/exits/<id> holds a container's exit
 * code in decimal (renamed <id>.removed at rm, for a waiter still there), <tmp>/containers/<id>/exec/<session>/<id> an exec
 * session's; <tmp>/containers/<id>/oom exists when the kernel's OOM killer
 * ended the container. Waiting uses inotify on the exit file's directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec.h"
#include "exits.h"
#include "validate.h"

int exit_file_container(const struct exec_ctx *ctx, const char *id, struct exit_file *f,
			podd_error_t *err)
{
	if (exec_exit_path(ctx, f->path, sizeof(f->path), id) < 0 ||
	    exec_ctr_path(ctx, f->oom, id, "oom") < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	snprintf(f->dir, sizeof(f->dir), "%s/exits", ctx->tmp_dir);
	snprintf(f->removed, sizeof(f->removed), "%s.removed", f->path);
	return 0;
}

#define HAND_OFF_SUFFIX ".removed"
#define HAND_OFF_KEEP_S 60

void exit_file_hand_off(const struct exec_ctx *ctx, const char *id)
{
	struct exit_file f;
	podd_error_t err = NULL;
	struct timespec now;
	struct dirent *de;
	DIR *d;

	if (exit_file_container(ctx, id, &f, &err) < 0) {
		podd_error_free(&err);
		return;
	}
	/* Best effort: no exit file (never started, or started again and
	 * not ended) is nothing to hand off. */
	(void)rename(f.path, f.removed);
	clock_gettime(CLOCK_REALTIME, &now);
	d = opendir(f.dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct stat st;
		if (len != PODD_ID_LEN + strlen(HAND_OFF_SUFFIX) ||
		    strcmp(de->d_name + PODD_ID_LEN, HAND_OFF_SUFFIX) != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.tv_sec - st.st_mtim.tv_sec > HAND_OFF_KEEP_S)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int exit_file_session(const struct exec_ctx *ctx, const char *id, const char *session,
		      struct exit_file *f, podd_error_t *err)
{
	if (exec_session_path(ctx, f->dir, sizeof(f->dir), id, session, NULL) < 0 ||
	    exec_session_path(ctx, f->path, sizeof(f->path), id, session, id) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid exec session");
	f->oom[0] = '\0';
	return 0;
}

int exit_read(const struct exit_file *f, struct exit_info *out, podd_error_t *err)
{
	const char *path = f->path;
	cleanup_free char *text = NULL;
	struct stat st;
	char *end;
	long code;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0 && errno == ENOENT && f->removed[0]) {
		path = f->removed;
		out->removed = true;
	}
	if (stat(path, &st) < 0) {
		out->removed = false;
		if (errno == ENOENT)
			return 0;
		return podd_error_sys(err, errno, "stat %s", path);
	}
	/* conmon writes the file whole; an empty one is still being
	 * written: treat it as not there yet. */
	if (st.st_size == 0)
		return 0;
	if (read_file_limited(path, 32, &text, err) < 0)
		return -1;
	errno = 0;
	code = strtol(text, &end, 10);
	if (end == text || errno || code < -255 || code > 255 || (*end != '\0' && *end != '\n'))
		return podd_error(err, PODD_E_INTERNAL, "exit file %s is malformed", path);
	/* A negative code is a signal conmon reports; podman shows 128+sig. */
	out->exited = true;
	out->code = code < 0 ? 128 - (int)code : (int)code;
	out->finished_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	out->oom_killed = f->oom[0] && access(f->oom, F_OK) == 0;
	return 0;
}

/* The directory the exit file would land in no longer exists. */
static bool gone(const struct exit_file *f)
{
	struct stat st;
	return stat(f->dir, &st) < 0 && errno == ENOENT;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One look: 1 when the wait is over (the file is there, or the session's
 * directory went), 0 when not, -1 on error. */
static int exit_check(const struct exit_file *f, struct exit_info *out, podd_error_t *err)
{
	if (exit_read(f, out, err) < 0)
		return -1;
	if (out->exited)
		return 1;
	if (gone(f)) {
		/* An exec session whose container was cleaned up meanwhile:
		 * its process died with the container's pid namespace
		 * (SIGKILL), and the exit file went with the bundle. */
		out->exited = true;
		out->code = 128 + SIGKILL;
		return 1;
	}
	return 0;
}

/* Before a watch, the file is looked for every millisecond for this many
 * milliseconds. Closing an inotify descriptor waits for the kernel's
 * fsnotify teardown (an SRCU grace period): 10-15 ms measured here, which
 * every attached run, exec and stop paid although the file they wait for
 * nearly always lands within a few milliseconds. Only a longer wait pays
 * for the watch. */
#define EXIT_POLL_MS 50

/* The earlier of two deadlines (-1: none). */
static int64_t earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The periodic check of exit_wait_ticked, once due: 1 when it ended the
 * wait, 0 when not (`*next` moved on), -1 on error. */
static int tick_due(const struct exit_tick *t, int64_t *next, const struct exit_file *f,
		    struct exit_info *out, podd_error_t *err)
{
	int r;

	if (t == NULL || now_ms() < *next)
		return 0;
	r = t->fn(t->data, f, out, err);
	*next = now_ms() + t->every_ms;
	return r;
}

/* A wait that timed out asks the check once more: 0, or -1 on error. */
static int tick_last(const struct exit_tick *t, const struct exit_file *f, struct exit_info *out,
		     podd_error_t *err)
{
	return t && t->fn(t->data, f, out, err) < 0 ? -1 : 0;
}

/* One look while waiting: the file; then, past the deadline, the check's
 * last ask, or else the check if it is due. 1 when the wait is over, 0
 * when it goes on, -1 on error. */
static int wait_step(const struct exit_file *f, int64_t deadline, const struct exit_tick *t,
		     int64_t *next, struct exit_info *out, podd_error_t *err)
{
	int r = exit_check(f, out, err);

	if (r != 0)
		return r;
	if (deadline >= 0 && now_ms() >= deadline)
		return tick_last(t, f, out, err) < 0 ? -1 : 1;
	return tick_due(t, next, f, out, err);
}

int exit_wait_ticked(const struct exit_file *f, int timeout_ms, const struct exit_tick *tick,
		     struct exit_info *out, podd_error_t *err)
{
	cleanup_close int ino = -1;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int64_t next = tick ? now_ms() + tick->every_ms : -1;
	int r;

	if (tick && tick->every_ms <= 0)
		return podd_error(err, PODD_E_INTERNAL, "exit wait: a check every %d ms",
				  tick->every_ms);
	if (exit_read(f, out, err) < 0)
		return -1;
	if (out->exited)
		return 0;
	if (timeout_ms == 0)
		return tick_last(tick, f, out, err);
	for (int i = 0; i < EXIT_POLL_MS; i++) {
		(void)poll(NULL, 0, 1);
		if ((r = wait_step(f, deadline, tick, &next, out, err)) != 0)
			return r < 0 ? -1 : 0;
	}
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino < 0)
		return podd_error_sys(err, errno, "watch %s", f->dir);
	/* IN_DELETE_SELF wakes us when the directory itself goes. */
	if (inotify_add_watch(ino, f->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
						    IN_DELETE_SELF) < 0 &&
	    !(errno == ENOENT && gone(f)))
		return podd_error_sys(err, errno, "watch %s", f->dir);
	for (;;) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		struct pollfd p = { .fd = ino, .events = POLLIN };
		int64_t until, wait;
		/* Look after arming the watch: an exit between the last look
		 * and the watch is not lost. The 1 s cap covers the rest. */
		if ((r = wait_step(f, deadline, tick, &next, out, err)) != 0)
			return r < 0 ? -1 : 0;
		until = earliest(deadline, next);
		wait = until < 0 ? 1000 : until - now_ms();
		if (wait > 1000)
			wait = 1000;
		if (wait < 0)
			wait = 0;
		if (poll(&p, 1, (int)wait) < 0 && errno != EINTR)
			return podd_error_sys(err, errno, "wait for %s", f->path);
		while (read(ino, buf, sizeof(buf)) > 0)
			;
	}
}

int exit_wait(const struct exit_file *f, int timeout_ms, struct exit_info *out,
	      podd_error_t *err)
{
	return exit_wait_ticked(f, timeout_ms, NULL, out, err);
}
