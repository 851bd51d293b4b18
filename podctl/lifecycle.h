/* A container's life as podctl drives it: podd-state holds the record and
 * the lock, podd-exec the runtime side. Every function that changes a
 * container expects the caller to hold its lock (ctr_lock) from the first
 * read to the last write. */
#ifndef PODCTL_LIFECYCLE_H
#define PODCTL_LIFECYCLE_H

#include "exec.pb-c.h"
#include "podctl.h"
#include "records.h"

int ctr_lock(struct engine *e, const char *id, podd_error_t *err);
int ctr_unlock(struct engine *e, const char *id, podd_error_t *err);
/* Look up and lock; *rec is re-read under the lock. */
int ctr_lookup_locked(struct engine *e, const char *name_or_id, Podd__ContainerRecord **rec,
		      podd_error_t *err);

/* Bring the record up to date with what conmon recorded: an exited
 * container is cleaned up and marked exited, or removed if --rm (then
 * *rec becomes NULL). */
int ctr_sync(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err);
/* ctr_sync that also asks whether conmon still runs when no exit file is
 * there: a container whose conmon died and whose process is gone is
 * recorded exited with code -1, with a warning ("A dead conmon"). */
int ctr_sync_checked(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err);

/* Create through conmon and start. With attach_fd, attach between create
 * and start, so no output is lost. */
int ctr_start(struct engine *e, Podd__ContainerRecord **rec, int *attach_fd, podd_error_t *err);

/* After a failed start: delete what the runtime made, back to configured
 * (removed with --rm). */
int ctr_undo_start(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err);
int start_failed(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err);
int start_failure_code(const podd_error_t err);
/* Print a failed start or exec as podman does; returns its exit code
 * (126, 127 or 125). */
int report_start_error(podd_error_t *err);

/* Signal, wait up to timeout seconds, then SIGKILL; then ctr_sync. */
int ctr_stop(struct engine *e, Podd__ContainerRecord **rec, int timeout, podd_error_t *err);
/* Freeze (pause) or thaw; the record follows. */
int ctr_pause(struct engine *e, Podd__ContainerRecord **rec, bool pause, podd_error_t *err);
int ctr_kill(struct engine *e, const Podd__ContainerRecord *rec, int sig, podd_error_t *err);
/* Remove record and files; running containers only with force, stopped
 * first (timeout seconds after the stop signal, then SIGKILL). */
int ctr_remove(struct engine *e, Podd__ContainerRecord **rec, bool force, int timeout,
	       podd_error_t *err);

/* Wait for the exit file; timeout_ms -1 for ever. The wait also ends
 * once the container's conmon died and its runtime no longer runs it
 * (ExitStatus.monitor_lost, exit code -1). */
int ctr_wait_exit(struct engine *e, const Podd__ContainerRecord *rec, int timeout_ms,
		  Podd__ExitStatus **st, podd_error_t *err);

bool ctr_is_active(const Podd__ContainerRecord *rec); /* created, running or paused */
/* An exec session recorded in the container's exec_ids (inspect's
 * ExecIDs), or dropped from them (no write when it is not there), under
 * the container's lock; *rec is the record as stored after. podd-state
 * drops them all when the container stops. */
int ctr_exec_recorded(struct engine *e, Podd__ContainerRecord **rec, const char *session,
		      podd_error_t *err);
int ctr_exec_dropped(struct engine *e, Podd__ContainerRecord **rec, const char *session,
		     podd_error_t *err);

/* attach.c: relay between the terminal and conmon's attach socket until
 * the container (or the exec session, when `session` is not NULL) closes
 * it (returns 0) or the user types the detach keys on a terminal (returns
 * 1): `detach`, or podman's default ctrl-p ctrl-q when NULL. With
 * `proxy_runtime` and no terminal, the signals a user sends podctl are
 * passed on to the container through podd-exec. */
struct detach_keys;
int attach_relay(struct engine *e, const char *id, const char *session, int sock, bool in,
		 bool tty, const char *proxy_runtime, const struct detach_keys *detach,
		 podd_error_t *err);
/* Relay, then wait for the container's exit and record it; returns its
 * exit code (0 when the user detached; 255 when its conmon died and the
 * code is unknown), or -1 on error. With
 * `proxy` and no terminal, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 are passed on to the container (podman's --sig-proxy). */
int ctr_attach_wait(struct engine *e, const Podd__ContainerRecord *rec, int sock, bool in,
		    bool proxy, const struct detach_keys *detach, podd_error_t *err);

#endif
