#include "lifecycle.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "validate.h"
#include "wire.h"

static struct podd_peer *exec_peer(struct engine *e)
{
	return &e->helpers[HELPER_EXEC].peer;
}

bool ctr_is_active(const Podd__ContainerRecord *rec)
{
	return rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED ||
	       rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING ||
	       rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED;
}

/* A request whose answer is Ok, to helper k. */
static int ok_call(struct engine *e, enum helper_kind k, uint32_t type,
		   const ProtobufCMessage *req, podd_error_t *err)
{
	cleanup_message ProtobufCMessage *m = NULL;
	if (podd_client_call(&e->helpers[k].peer, type, req, PODD__COMMON_TYPE__COMMON_TYPE_OK,
			     &podd__ok__descriptor, &m, err) < 0)
		return engine_helper_failed(e, k, err);
	return 0;
}
#define state_ok_call(e, type, req, err) ok_call(e, HELPER_STATE, type, req, err)
#define exec_ok_call(e, type, req, err) ok_call(e, HELPER_EXEC, type, req, err)

int ctr_lock(struct engine *e, const char *id, podd_error_t *err)
{
	Podd__LockRequest req = PODD__LOCK_REQUEST__INIT;
	req.id = (char *)id;
	return state_ok_call(e, PODD__STATE_TYPE__STATE_TYPE_LOCK, &req.base, err);
}

int ctr_unlock(struct engine *e, const char *id, podd_error_t *err)
{
	Podd__LockRequest req = PODD__LOCK_REQUEST__INIT;
	req.id = (char *)id;
	return state_ok_call(e, PODD__STATE_TYPE__STATE_TYPE_UNLOCK, &req.base, err);
}

int ctr_lookup_locked(struct engine *e, const char *name_or_id, Podd__ContainerRecord **rec,
		      podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *first = NULL;

	if (state_lookup(e, name_or_id, &first, err) < 0)
		return -1;
	/* Re-read under the lock: another podctl may have changed it, or
	 * removed it (then the lock is refused). Say it as for the lookup. */
	if (ctr_lock(e, first->id, err) < 0 || state_lookup(e, first->id, rec, err) < 0) {
		if ((*err)->code != PODD_E_NO_SUCH_CONTAINER)
			return -1;
		podd_error_free(err);
		return podd_error(err, PODD_E_NO_SUCH_CONTAINER,
				  "no container with name or ID \"%s\" found: no such container",
				  name_or_id);
	}
	return 0;
}

/* Write the runtime half of *rec; *rec is replaced by what was stored. */
static int update(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	Podd__UpdateContainerRequest req = PODD__UPDATE_CONTAINER_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	const Podd__ContainerRecord *r = *rec;

	req.id = r->id;
	req.state = r->state;
	req.pid = r->pid;
	req.conmon_pid = r->conmon_pid;
	req.exit_code = r->exit_code;
	req.started_ns = r->started_ns;
	req.finished_ns = r->finished_ns;
	req.oom_killed = r->oom_killed;
	req.exec_ids = r->exec_ids;
	req.n_exec_ids = r->n_exec_ids;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_UPDATE_CONTAINER,
			     &req.base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	if (record_check((Podd__ContainerRecord *)m, err) < 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		return -1;
	}
	record_freep(rec);
	*rec = (Podd__ContainerRecord *)m;
	return 0;
}

int ctr_exec_recorded(struct engine *e, Podd__ContainerRecord **rec, const char *session,
		      podd_error_t *err)
{
	Podd__ContainerRecord *r = *rec;
	size_t keep = r->n_exec_ids < PODD_EXEC_IDS_MAX ? r->n_exec_ids : PODD_EXEC_IDS_MAX - 1;
	size_t drop = r->n_exec_ids - keep;
	char **ids = malloc((keep + 1) * sizeof(char *));
	char *copy = strdup(session);

	if (ids == NULL || copy == NULL) {
		free(ids);
		free(copy);
		return podd_error_sys(err, ENOMEM, "exec");
	}
	/* The oldest go first when the list is full (podman keeps them all;
	 * a record stays bounded here). */
	for (size_t i = 0; i < drop; i++)
		free(r->exec_ids[i]);
	if (keep > 0)
		memcpy(ids, r->exec_ids + drop, keep * sizeof(char *));
	ids[keep] = copy;
	free(r->exec_ids);
	r->exec_ids = ids;
	r->n_exec_ids = keep + 1;
	return update(e, rec, err);
}

int ctr_exec_dropped(struct engine *e, Podd__ContainerRecord **rec, const char *session,
		     podd_error_t *err)
{
	Podd__ContainerRecord *r = *rec;
	size_t i;

	for (i = 0; i < r->n_exec_ids; i++)
		if (strcmp(r->exec_ids[i], session) == 0)
			break;
	/* Gone already: the container stopped, or the list overflowed. */
	if (i == r->n_exec_ids)
		return 0;
	free(r->exec_ids[i]);
	memmove(r->exec_ids + i, r->exec_ids + i + 1, (r->n_exec_ids - i - 1) * sizeof(char *));
	r->n_exec_ids--;
	return update(e, rec, err);
}

static Podd__ContainerRef ref_of(const Podd__ContainerRecord *rec)
{
	Podd__ContainerRef ref = PODD__CONTAINER_REF__INIT;
	ref.id = rec->id;
	ref.runtime = rec->config->runtime;
	return ref;
}

/* The WaitRequest of ctr_wait_exit; with `runtime`, the wait also ends
 * when conmon died without an exit file (ExitStatus.monitor_lost). */
static int wait_exit(struct engine *e, const char *id, const char *runtime, int timeout_ms,
		     Podd__ExitStatus **st, podd_error_t *err)
{
	Podd__WaitRequest req = PODD__WAIT_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	bool lost;

	req.id = (char *)id;
	req.timeout_ms = timeout_ms;
	req.check_monitor = runtime != NULL;
	req.runtime = (char *)(runtime ? runtime : "");
	if (podd_client_call(exec_peer(e), PODD__EXEC_TYPE__EXEC_TYPE_WAIT, &req.base,
			     PODD__EXEC_TYPE__EXEC_TYPE_EXIT_STATUS, &podd__exit_status__descriptor,
			     &m, err) < 0)
		return engine_helper_failed(e, HELPER_EXEC, err);
	*st = (Podd__ExitStatus *)m;
	lost = (*st)->monitor_lost;
	if (lost ? (!req.check_monitor || !(*st)->exited || (*st)->exit_code != -1)
		 : ((*st)->exit_code < 0 || (*st)->exit_code > 255)) {
		protobuf_c_message_free_unpacked(m, NULL);
		*st = NULL;
		return podd_error(err, PODD_E_PROTOCOL, "podd-exec sent an invalid exit code");
	}
	return 0;
}

/* Every wait that may last (stop, rm, wait, an attached run): a dead
 * conmon must not hold it up. */
int ctr_wait_exit(struct engine *e, const Podd__ContainerRecord *rec, int timeout_ms,
		  Podd__ExitStatus **st, podd_error_t *err)
{
	return wait_exit(e, rec->id, rec->config->runtime, timeout_ms, st, err);
}

static int remove_record(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	Podd__RemoveRequest rm = PODD__REMOVE_REQUEST__INIT;
	Podd__ContainerRef ref = ref_of(*rec);

	if (exec_ok_call(e, PODD__EXEC_TYPE__EXEC_TYPE_REMOVE_FILES, &ref.base, err) < 0)
		return -1;
	rm.id = (*rec)->id;
	if (state_ok_call(e, PODD__STATE_TYPE__STATE_TYPE_REMOVE_CONTAINER, &rm.base, err) < 0)
		return -1;
	record_freep(rec);
	return 0;
}

/* The end of a run, whether it exited or never started: the runtime
 * forgets the container, the record takes `state`, and a --rm container
 * goes (*rec becomes NULL). */
static int end_run(struct engine *e, Podd__ContainerRecord **rec, Podd__ContainerState state,
		   podd_error_t *err)
{
	Podd__ContainerRef ref = ref_of(*rec);

	if (exec_ok_call(e, PODD__EXEC_TYPE__EXEC_TYPE_CLEANUP, &ref.base, err) < 0)
		return -1;
	(*rec)->state = state;
	(*rec)->pid = 0;
	(*rec)->conmon_pid = 0;
	if (update(e, rec, err) < 0)
		return -1;
	if ((*rec)->config->autoremove)
		return remove_record(e, rec, err);
	return 0;
}

/* ctr_sync; `checked`: a container whose conmon died and whose process
 * is gone counts as exited (code -1) too. */
static int sync_exit(struct engine *e, Podd__ContainerRecord **rec, bool checked,
		     podd_error_t *err)
{
	cleanup_message Podd__ExitStatus *st = NULL;

	if (!ctr_is_active(*rec))
		return 0;
	if ((checked ? ctr_wait_exit(e, *rec, 0, &st, err)
		     : wait_exit(e, (*rec)->id, NULL, 0, &st, err)) < 0)
		return -1;
	if (!st->exited)
		return 0;
	if (st->monitor_lost)
		fprintf(stderr,
			"WARN[0000] conmon of container %s died without recording its exit: "
			"exit code unknown (-1)\n",
			(*rec)->name);
	(*rec)->exit_code = st->exit_code;
	(*rec)->finished_ns = st->finished_ns;
	(*rec)->oom_killed = st->oom_killed;
	return end_run(e, rec, PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED, err);
}

int ctr_sync(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	return sync_exit(e, rec, false, err);
}

int ctr_sync_checked(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	return sync_exit(e, rec, true, err);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int ctr_start(struct engine *e, Podd__ContainerRecord **rec, int *attach_fd, podd_error_t *err)
{
	Podd__CreateRequest create = PODD__CREATE_REQUEST__INIT;
	Podd__ContainerRef ref = ref_of(*rec);
	cleanup_message ProtobufCMessage *m = NULL;
	const Podd__Created *created;

	create.record = *rec;
	/* The database's driver (the open checked ours against it). */
	create.storage_driver = (char *)e->opts.storage_driver;
	if (podd_client_call(exec_peer(e), PODD__EXEC_TYPE__EXEC_TYPE_CREATE, &create.base,
			     PODD__EXEC_TYPE__EXEC_TYPE_CREATED, &podd__created__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_EXEC, err);
	created = (const Podd__Created *)m;
	for (size_t i = 0; i < created->n_warnings; i++)
		fprintf(stderr, "WARN[0000] %s\n", created->warnings[i]);
	(*rec)->state = PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED;
	(*rec)->pid = created->pid;
	(*rec)->conmon_pid = created->conmon_pid;
	(*rec)->exit_code = 0;
	(*rec)->finished_ns = 0;
	(*rec)->oom_killed = false;
	if (update(e, rec, err) < 0)
		return -1;
	ref = ref_of(*rec);
	if (attach_fd) {
		cleanup_message ProtobufCMessage *ok = NULL;
		if (podd_client_call_fds(exec_peer(e), PODD__EXEC_TYPE__EXEC_TYPE_ATTACH, &ref.base,
					 NULL, 0, PODD__COMMON_TYPE__COMMON_TYPE_OK,
					 &podd__ok__descriptor, &ok, attach_fd, 1, err) < 0)
			return engine_helper_failed(e, HELPER_EXEC, err);
		if (podd_fd_check_kind(*attach_fd, PODD_FD_SOCKET, err) < 0)
			return -1;
	}
	if (exec_ok_call(e, PODD__EXEC_TYPE__EXEC_TYPE_START, &ref.base, err) < 0)
		return -1;
	(*rec)->state = PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING;
	(*rec)->started_ns = now_ns();
	return update(e, rec, err);
}

int ctr_kill(struct engine *e, const Podd__ContainerRecord *rec, int sig, podd_error_t *err)
{
	Podd__KillRequest req = PODD__KILL_REQUEST__INIT;
	Podd__ContainerRef ref = ref_of(rec);

	req.ref = &ref;
	req.signal = sig;
	req.all = false;
	return exec_ok_call(e, PODD__EXEC_TYPE__EXEC_TYPE_KILL, &req.base, err);
}

/* podman's killContainerTimeout. */
#define KILL_WAIT_MS 5000

int ctr_stop(struct engine *e, Podd__ContainerRecord **rec, int timeout, podd_error_t *err)
{
	cleanup_message Podd__ExitStatus *st = NULL;
	int sig = (*rec)->config->stop_signal ? (*rec)->config->stop_signal : SIGTERM;

	if (!ctr_is_active(*rec))
		return 0;
	/* A frozen process takes no signal until thawed. */
	if ((*rec)->state == PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED &&
	    ctr_pause(e, rec, false, err) < 0)
		return -1;
	/* A process that exits between our look and the signal makes the
	 * runtime fail: the exit file tells. */
	if (timeout > 0 && ctr_kill(e, *rec, sig, err) < 0) {
		podd_error_free(err);
	}
	if (timeout > 0 && ctr_wait_exit(e, *rec, timeout * 1000, &st, err) < 0)
		return -1;
	if (st == NULL || !st->exited) {
		if (timeout > 0)
			fprintf(stderr, "WARN[%04d] StopSignal %s failed to stop container %s in %d "
					"seconds, resorting to SIGKILL\n",
				timeout, sigabbrev_np(sig) ? sigabbrev_np(sig) : "TERM",
				(*rec)->name, timeout);
		cleanup_error podd_error_t kill_err = NULL;
		(void)ctr_kill(e, *rec, SIGKILL, &kill_err);
		podd_message_freep(&st);
		/* podman waits this long past SIGKILL, then fails the stop
		 * (killContainerTimeout): a process the runtime no longer
		 * knows (its state lost) is not waited for for ever. */
		if (ctr_wait_exit(e, *rec, KILL_WAIT_MS, &st, err) < 0)
			return -1;
		/* podman's words for the two ways this ends. */
		if ((st == NULL || !st->exited) && kill_err)
			return podd_error(err, PODD_E_RUNTIME, "sending SIGKILL to container %s: %s",
					  (*rec)->id, kill_err->msg);
		if (st == NULL || !st->exited)
			return podd_error(err, PODD_E_RUNTIME,
					  "given PID did not die within timeout");
	}
	return sync_exit(e, rec, true, err);
}

int ctr_remove(struct engine *e, Podd__ContainerRecord **rec, bool force, int timeout,
	       podd_error_t *err)
{
	if (sync_exit(e, rec, true, err) < 0)
		return -1;
	if (*rec == NULL)
		return 0;
	if (ctr_is_active(*rec)) {
		if (!force)
			return podd_error(err, PODD_E_STATE_IMPROPER,
					  "cannot remove container %s as it is %s - running or "
					  "paused containers cannot be removed without force: "
					  "container state improper",
					  (*rec)->id, container_status_word((*rec)->state));
		if (ctr_stop(e, rec, timeout, err) < 0)
			return podd_error_wrap(err,
					       "cannot remove container %s as it could not be stopped",
					       *rec ? (*rec)->id : "?");
		if (*rec == NULL)
			return 0;
	}
	return remove_record(e, rec, err);
}

int ctr_undo_start(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	return end_run(e, rec, PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED, err);
}

int ctr_pause(struct engine *e, Podd__ContainerRecord **rec, bool pause, podd_error_t *err)
{
	Podd__ContainerRef ref = ref_of(*rec);

	if (exec_ok_call(e, pause ? PODD__EXEC_TYPE__EXEC_TYPE_PAUSE
				  : PODD__EXEC_TYPE__EXEC_TYPE_UNPAUSE,
			 &ref.base, err) < 0)
		return -1;
	(*rec)->state = pause ? PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED
			      : PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING;
	return update(e, rec, err);
}

/* podctl's exit status for a container's exit: its code, or 255 for the
 * unknown code (-1) of a container whose conmon died, as a process that
 * exits with -1 ends with. */
static int exit_status_of(const Podd__ExitStatus *st)
{
	return st->monitor_lost ? 255 : st->exit_code;
}

int ctr_attach_wait(struct engine *e, const Podd__ContainerRecord *ctr, int sock, bool in,
		    bool proxy, const struct detach_keys *detach, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_message Podd__ExitStatus *st = NULL;
	char id[PODD_ID_LEN + 1];
	int detached;

	snprintf(id, sizeof(id), "%s", ctr->id);
	detached = attach_relay(e, id, NULL, sock, in, ctr->config->tty,
				proxy ? ctr->config->runtime : NULL, detach, err);

	if (detached < 0)
		return -1;
	if (detached)
		return 0;
	if (ctr_wait_exit(e, ctr, -1, &st, err) < 0)
		return -1;
	/* Record the exit (and remove a --rm container) now, unless conmon's
	 * exit command got there first. A dead conmon ran none: the checked
	 * sync records it (exit code -1) and warns. */
	if (ctr_lookup_locked(e, id, &rec, err) < 0 ||
	    (st->monitor_lost ? ctr_sync_checked : ctr_sync)(e, &rec, err) < 0) {
		if ((*err)->code != PODD_E_NO_SUCH_CONTAINER)
			return -1;
		podd_error_free(err);
		return exit_status_of(st);
	}
	if (rec && ctr_unlock(e, id, err) < 0)
		return -1;
	return exit_status_of(st);
}
