/* Reading and waiting for conmon's exit files (exits.c). */
#ifndef PODD_EXEC_EXITS_H
#define PODD_EXEC_EXITS_H

#include <stdbool.h>
#include <stdint.h>

#include "exec.h"

struct exit_info {
	bool exited;
	int code;
	int64_t finished_ns;
	bool oom_killed;
	bool removed;      /* read from the removed container's hand-off file */
	bool monitor_lost; /* conmon died without writing it: code is -1 */
};

/* Where conmon writes one exit: the file is named after the container id
 * inside conmon's --exit-dir, which is <tmp>/exits for a container and the
 * session directory for an exec session (which has no OOM marker). */
struct exit_file {
	char dir[4200];
	char path[4300];
	char oom[4300]; /* "" when not tracked */
	/* A container's exit file once `rm` took it (exit_file_hand_off):
	 * <tmp>/exits/<id>.removed; "" for an exec session. */
	char removed[4320];
};

/* At `rm` (the exit command of a --rm container may remove it while a
 * `run` still waits for its exit): the exit file is renamed to its
 * `.removed` name, where the waiter still finds it and removes it after
 * reading; hand-off files older than a minute, which nobody waited for,
 * go. */
void exit_file_hand_off(const struct exec_ctx *ctx, const char *id);

int exit_file_container(const struct exec_ctx *ctx, const char *id, struct exit_file *f,
			podd_error_t *err);
int exit_file_session(const struct exec_ctx *ctx, const char *id, const char *session,
		      struct exit_file *f, podd_error_t *err);

int exit_read(const struct exit_file *f, struct exit_info *out, podd_error_t *err);
/* timeout_ms: 0 looks once, -1 waits for ever. */
int exit_wait(const struct exit_file *f, int timeout_ms, struct exit_info *out,
	      podd_error_t *err);
/* A check made every `every_ms` (> 0) of a wait while no exit file came,
 * once more when a timed wait runs out, and once for a timeout of 0:
 * `fn` returns 1 when it ended the wait (it filled *out), 0 when the wait
 * goes on, -1 on error. */
struct exit_tick {
	int every_ms;
	int (*fn)(void *data, const struct exit_file *f, struct exit_info *out,
		  podd_error_t *err);
	void *data;
};
/* exit_wait with `tick` (NULL: none) run while it waits; one watch for
 * the whole wait. */
int exit_wait_ticked(const struct exit_file *f, int timeout_ms, const struct exit_tick *tick,
		     struct exit_info *out, podd_error_t *err);
/* monitor.c: exit_wait for container `id`, which also ends, with
 * monitor_lost, once its conmon is dead and the runtime no longer runs
 * it (asked every 500 ms, once more when a timed wait runs out, and once
 * for timeout 0); with `session`, for that exec session, which ends once
 * its conmon is dead and its process gone. */
int exit_wait_monitored(const struct exit_file *f, const char *id, const char *runtime,
			const char *session, int timeout_ms, struct exit_info *out,
			podd_error_t *err);

#endif
