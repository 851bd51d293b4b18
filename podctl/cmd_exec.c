/* podctl exec [options] CONTAINER CMD [ARG...]: run a process in a running
 * container. Under the container's lock: look up, sync, check it runs,
 * record the session's id in the container (inspect's ExecIDs, as podman
 * lists its sessions), have podd-exec start the session (attached, the
 * socket is connected before the process starts); then, unlocked, relay
 * the terminal, wait for the session's exit file (podd-exec then removes
 * the session), drop the id from the container under its lock again and
 * exit with the session's code. A session that fails to start is dropped
 * at once; a detached one (-d, or ctrl-p ctrl-q) stays listed until the
 * container stops. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "detach_keys.h"
#include "create_opts.h"
#include "lifecycle.h"
#include "validate.h"

struct exec_opts {
	struct create_opts env; /* only config.env is used */
	const char *workdir, *user;
	bool detach, interactive, tty;
	int first; /* argv index of the container */
	struct detach_keys keys;
};

static int parse(struct exec_opts *o, int argc, char **argv, podd_error_t *err)
{
	enum { OPT_ENV_FILE = 256, OPT_DETACH_KEYS };
	static const struct option long_opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, OPT_ENV_FILE },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	detach_keys_default(&o->keys);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+de:itu:w:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->detach = true;
			break;
		case 'e':
			if (create_opts_add_env(&o->env, optarg, err) < 0)
				return -1;
			break;
		case OPT_ENV_FILE:
			if (create_opts_add_env_file(&o->env, optarg, err) < 0)
				return -1;
			break;
		case OPT_DETACH_KEYS:
			if (detach_keys_parse(optarg, &o->keys, err) < 0)
				return -1;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
			o->workdir = optarg;
			if (podd_validate_abs_path("working directory", optarg, err) < 0)
				return -1;
			break;
		default:
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "unknown flag or missing value: %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "exec requires the name or ID of a container and a command to "
				  "execute");
	o->first = optind;
	return 0;
}

static void exec_opts_free(struct exec_opts *o)
{
	create_opts_free(&o->env);
}

/* Say that the session could not be dropped from the container's record;
 * whatever podctl returns stays as it was. */
static void forget_failed(const char *session, podd_error_t *err)
{
	fprintf(stderr, "WARN[0000] exec session %s stays listed in its container: %s\n", session,
		(*err)->msg);
	podd_error_free(err);
}

/* An attached session that has ended (or that podctl gives up on) leaves
 * the container's record, under its lock again, as podman removes its
 * session after an attached exec. */
static void session_forget(struct engine *e, const char *id, const char *session)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	podd_error_t err = NULL, ignored = NULL;

	if (ctr_lock(e, id, &err) < 0) {
		/* Removed meanwhile (podd-state refuses the lock): so is the
		 * session. */
		if (err->code == PODD_E_NO_SUCH_CONTAINER)
			podd_error_free(&err);
		else
			forget_failed(session, &err);
		return;
	}
	if (state_lookup(e, id, &rec, &err) < 0 || ctr_exec_dropped(e, &rec, session, &err) < 0) {
		forget_failed(session, &err);
		if (ctr_unlock(e, id, &ignored) < 0)
			podd_error_free(&ignored);
		return;
	}
	if (ctr_unlock(e, id, &err) < 0)
		forget_failed(session, &err);
}

/* Start the session under the container's lock. Its id is recorded before
 * its process starts and dropped again if it does not. */
static int start_session(struct engine *e, const struct exec_opts *o, char **argv,
			 int argc, char id[PODD_ID_LEN + 1], char session[PODD_ID_LEN + 1],
			 Podd__ExecStarted **started, int *sock, podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	Podd__ExecRequest req = PODD__EXEC_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	podd_error_t ignored = NULL;
	const char *name = argv[o->first];
	int rc;

	if (ctr_lookup_locked(e, name, &rec, err) < 0)
		return -1;
	snprintf(id, PODD_ID_LEN + 1, "%s", rec->id);
	if (ctr_sync(e, &rec, err) < 0)
		goto unlock;
	if (rec == NULL || rec->state != PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING) {
		podd_error(err, PODD_E_STATE_IMPROPER,
			   "can only create exec sessions on running containers: container state "
			   "improper");
		goto unlock;
	}
	if (podd_id_generate(session, err) < 0 || ctr_exec_recorded(e, &rec, session, err) < 0)
		goto unlock;
	req.record = rec;
	req.args = argv + o->first + 1;
	req.n_args = (size_t)(argc - o->first - 1);
	req.env = o->env.config.env;
	req.n_env = o->env.config.n_env;
	req.workdir = (char *)(o->workdir ? o->workdir : "");
	req.user = (char *)(o->user ? o->user : "");
	req.tty = o->tty;
	req.stdin = o->interactive;
	req.detach = o->detach;
	req.session_id = session;
	rc = podd_client_call_fds(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_EXEC,
				  &req.base, NULL, 0, PODD__EXEC_TYPE__EXEC_TYPE_EXEC_STARTED,
				  &podd__exec_started__descriptor, &m, sock, o->detach ? 0 : 1,
				  err);
	if (rc < 0) {
		engine_helper_failed(e, HELPER_EXEC, err);
		goto forget;
	}
	*started = (Podd__ExecStarted *)m;
	if (strcmp((*started)->session_id, session) != 0 || (*started)->pid <= 0) {
		podd_error(err, PODD_E_PROTOCOL, "podd-exec sent a malformed exec session");
		goto forget;
	}
	if (!o->detach && podd_fd_check_kind(*sock, PODD_FD_SOCKET, err) < 0)
		goto forget;
	return ctr_unlock(e, id, err);
forget:
	if (ctr_exec_dropped(e, &rec, session, &ignored) < 0)
		forget_failed(session, &ignored);
unlock:
	if (ctr_unlock(e, id, &ignored) < 0)
		podd_error_free(&ignored);
	return -1;
}

static int session_wait(struct engine *e, const char *id, const char *session,
			Podd__ExitStatus **st, podd_error_t *err)
{
	Podd__ExecRef ref = PODD__EXEC_REF__INIT;
	Podd__ExecWaitRequest req = PODD__EXEC_WAIT_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	ref.id = (char *)id;
	ref.session_id = (char *)session;
	req.ref = &ref;
	req.timeout_ms = -1;
	if (podd_client_call(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_EXEC_WAIT,
			     &req.base, PODD__EXEC_TYPE__EXEC_TYPE_EXIT_STATUS,
			     &podd__exit_status__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_EXEC, err);
	*st = (Podd__ExitStatus *)m;
	if (!(*st)->exited || ((*st)->monitor_lost ? (*st)->exit_code != -1
						    : (*st)->exit_code < 0 || (*st)->exit_code > 255))
		return podd_error(err, PODD_E_PROTOCOL, "podd-exec sent an invalid exit status");
	return 0;
}

int cmd_exec(const struct global_opts *g, int argc, char **argv)
{
	__attribute__((cleanup(exec_opts_free))) struct exec_opts o = { 0 };
	cleanup_message Podd__ExecStarted *started = NULL;
	cleanup_message Podd__ExitStatus *st = NULL;
	cleanup_close int sock = -1;
	podd_error_t err = NULL;
	char id[PODD_ID_LEN + 1] = "", session[PODD_ID_LEN + 1] = "";
	struct engine e;
	int code, detached;

	if (parse(&o, argc, argv, &err) < 0)
		return report_error(&err);
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (start_session(&e, &o, argv, argc, id, session, &started, &sock, &err) < 0) {
		engine_stop(&e);
		return report_start_error(&err);
	}
	if (o.detach) {
		printf("%s\n", session);
		engine_stop(&e);
		return 0;
	}
	detached = attach_relay(&e, id, session, sock, o.interactive, o.tty, NULL, &o.keys, &err);
	if (detached < 0 || (!detached && session_wait(&e, id, session, &st, &err) < 0)) {
		code = report_error(&err);
		session_forget(&e, id, session);
		engine_stop(&e);
		return code;
	}
	/* ctrl-p ctrl-q: the session runs on, as with exec -d, and stays
	 * listed. */
	if (detached) {
		engine_stop(&e);
		return 0;
	}
	code = st->exit_code;
	if (st->monitor_lost) {
		/* The session's conmon died (kill -9) before its process
		 * ended: nothing recorded the code ("A dead conmon"). */
		fprintf(stderr,
			"WARN[0000] conmon of exec session %.12s in container %.12s died without "
			"recording its exit: exit code unknown (-1)\n",
			session, id);
		code = 255;
	}
	session_forget(&e, id, session);
	engine_stop(&e);
	return code;
}
