/* podctl start, stop, kill, restart, pause, unpause, wait and container cleanup. Each holds
 * the container's lock from its first read to its last write. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "detach_keys.h"
#include "image_apply.h"
#include "lifecycle.h"

enum verb { VERB_START, VERB_STOP, VERB_KILL, VERB_RESTART, VERB_WAIT, VERB_CLEANUP, VERB_PAUSE,
	    VERB_UNPAUSE };

struct opts {
	bool attach, interactive, all;
	bool ignore; /* stop -i: names not there are not an error */
	int timeout; /* -1: the container's own */
	int signal;
	struct detach_keys keys; /* start -a */
};

/* A signal by name or number as podman takes it (image_apply.c). */
static int parse_signal(const char *s)
{
	int32_t sig;
	return podctl_parse_signal(s, &sig) < 0 ? -1 : (int)sig;
}

static int parse(enum verb v, int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'A' },
		{ "ignore", no_argument, NULL, 'I' },
		{ "detach-keys", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	/* podman's short flags: -a is --attach for start, --all elsewhere */
	const char *shorts = v == VERB_START	? "ai"
			     : v == VERB_KILL	? "s:a"
			     : v == VERB_STOP	? "t:ai"
			     : v == VERB_RESTART ? "t:a"
			     : v == VERB_PAUSE || v == VERB_UNPAUSE ? "a"
						 : "";
	int c;
	char *end;

	o->timeout = -1;
	o->signal = SIGKILL;
	detach_keys_default(&o->keys);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (v == VERB_START)
				o->attach = true;
			else
				o->all = true;
			break;
		case 'A':
			if (v == VERB_WAIT || v == VERB_CLEANUP) {
				fprintf(stderr, "Error: unknown flag: --all\n");
				return -1;
			}
			o->all = true;
			break;
		case 'i':
			if (v == VERB_START)
				o->interactive = true;
			else
				o->ignore = true;
			break;
		case 'I':
			if (v != VERB_STOP) {
				fprintf(stderr, "Error: unknown flag: --ignore\n");
				return -1;
			}
			o->ignore = true;
			break;
		case 't':
			o->timeout = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || o->timeout < 0) {
				fprintf(stderr, "Error: invalid argument \"%s\" for \"-t, --time\"\n",
					optarg);
				return -1;
			}
			break;
		case 'D': {
			podd_error_t err = NULL;
			if (v != VERB_START) {
				fprintf(stderr, "Error: unknown flag: --detach-keys\n");
				return -1;
			}
			if (detach_keys_parse(optarg, &o->keys, &err) < 0) {
				fprintf(stderr, "Error: %s\n", err->msg);
				podd_error_free(&err);
				return -1;
			}
			break;
		}
		case 's':
			o->signal = parse_signal(optarg);
			if (o->signal < 0) {
				fprintf(stderr, "Error: invalid signal: %s\n", optarg);
				return -1;
			}
			break;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (o->all && optind < argc) {
		fprintf(stderr, "Error: when using the --all switch, you may not pass any "
				"containers names or IDs\n");
		return -1;
	}
	if (optind >= argc && !o->all) {
		fprintf(stderr, "Error: %s requires at least one container name or ID\n",
			argv[0]);
		return -1;
	}
	return optind;
}

static int stop_timeout(const Podd__ContainerRecord *rec, const struct opts *o)
{
	if (o->timeout >= 0)
		return o->timeout;
	return rec->config->has_stop_timeout ? rec->config->stop_timeout : 10;
}

/* One container; returns an exit code, printing what podman prints. */
static int one(struct engine *e, enum verb v, const struct opts *o, const char *name)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_message Podd__ExitStatus *st = NULL;
	cleanup_close int sock = -1;
	podd_error_t err = NULL;
	char id[65];

	if (v == VERB_WAIT) {
		/* Wait without the lock: the exit command needs it. */
		if (state_lookup(e, name, &rec, &err) < 0)
			return report_error(&err);
		snprintf(id, sizeof(id), "%s", rec->id);
		if (ctr_is_active(rec) && ctr_wait_exit(e, rec, -1, &st, &err) < 0)
			return report_error(&err);
		record_freep(&rec);
		/* A dead conmon ran no exit command: the checked sync
		 * records the exit (code -1) and warns. */
		if (ctr_lookup_locked(e, id, &rec, &err) < 0 ||
		    (st && st->monitor_lost ? ctr_sync_checked : ctr_sync)(e, &rec, &err) < 0) {
			if (err->code == PODD_E_NO_SUCH_CONTAINER && st) {
				podd_error_free(&err);
				printf("%d\n", st->exit_code);
				return 0;
			}
			return report_error(&err);
		}
		printf("%d\n", rec ? rec->exit_code : st ? st->exit_code : 0);
		/* A --rm container the sync removed holds no lock any more. */
		return rec && ctr_unlock(e, id, &err) < 0 ? report_error(&err) : 0;
	}
	if (ctr_lookup_locked(e, name, &rec, &err) < 0 || ctr_sync(e, &rec, &err) < 0) {
		/* The exit command of a --rm container finds it gone: done;
		 * so does stop -i, and any verb with --all for a container
		 * removed since the list. */
		if ((v == VERB_CLEANUP || o->ignore || o->all) &&
		    err->code == PODD_E_NO_SUCH_CONTAINER) {
			podd_error_free(&err);
			return 0;
		}
		return report_error(&err);
	}
	if (rec == NULL) { /* an exited --rm container, removed by the sync */
		if (v != VERB_CLEANUP)
			printf("%s\n", name);
		return 0;
	}
	snprintf(id, sizeof(id), "%s", rec->id);
	switch (v) {
	case VERB_CLEANUP:
		break;
	case VERB_PAUSE:
	case VERB_UNPAUSE: {
		Podd__ContainerState want = v == VERB_PAUSE
						    ? PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING
						    : PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED;
		if (rec->state != want) {
			podd_error(&err, PODD_E_STATE_IMPROPER,
				   "\"%s\" is not %s, can't %s: container state improper", name,
				   v == VERB_PAUSE ? "running" : "paused",
				   v == VERB_PAUSE ? "pause" : "unpause");
			return report_error(&err);
		}
		if (ctr_pause(e, &rec, v == VERB_PAUSE, &err) < 0)
			return report_error(&err);
		break;
	}
	case VERB_KILL:
		if (rec->state != PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING) {
			podd_error(&err, PODD_E_STATE_IMPROPER,
				   "can only kill running containers. %s is in state %s: container "
				   "state improper",
				   id, container_status_word(rec->state));
			return report_error(&err);
		}
		if (ctr_kill(e, rec, o->signal, &err) < 0)
			return report_error(&err);
		break;
	case VERB_STOP:
	case VERB_RESTART:
		if (ctr_stop(e, &rec, stop_timeout(rec, o), &err) < 0)
			return report_error(&err);
		if (v == VERB_STOP || rec == NULL)
			break;
		/* restart starts it again */
		__attribute__((fallthrough));
	case VERB_START:
		if (ctr_is_active(rec))
			break;
		if (ctr_start(e, &rec, o->attach ? &sock : NULL, &err) < 0) {
			/* podman's start names the container and exits 125, where
			 * run's exit code tells 126 from 127 */
			podd_error_wrap(&err, o->attach ? "unable to start container %s"
							: "unable to start container \"%s\"",
					id);
			start_failed(e, &rec, &err);
			return EXIT_ENGINE;
		}
		break;
	default:
		break;
	}
	if (ctr_unlock(e, id, &err) < 0)
		return report_error(&err);
	if (v == VERB_CLEANUP)
		return 0;
	if (sock >= 0) {
		int code = ctr_attach_wait(e, rec, sock, o->interactive, true, &o->keys, &err);
		return code < 0 ? report_error(&err) : code;
	}
	printf("%s\n", name);
	return 0;
}

/* conmon's exit command, `container cleanup ID`: under the lock, sync the
 * record with the runtime (record the exit, remove a --rm container).
 * podd-exec waits parked and executes only for a container still recorded
 * as active: an attached run has mostly done the work by then. */
static int cleanup_one(struct engine *e, const char *name)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;
	podd_error_t err = NULL;
	char id[65];

	if (ctr_lookup_locked(e, name, &rec, &err) < 0) {
		/* The exit command of a --rm container finds it gone: done. */
		if (err->code == PODD_E_NO_SUCH_CONTAINER) {
			podd_error_free(&err);
			return 0;
		}
		return report_error(&err);
	}
	snprintf(id, sizeof(id), "%s", rec->id);
	if (ctr_is_active(rec) && engine_add(e, HELPER_EXEC, &err) < 0) {
		podd_error_t ignored = NULL;
		if (ctr_unlock(e, id, &ignored) < 0)
			podd_error_free(&ignored);
		return report_error(&err);
	}
	if (ctr_sync(e, &rec, &err) < 0)
		return report_error(&err);
	if (rec == NULL) /* a --rm container, removed by the sync */
		return 0;
	if (ctr_unlock(e, id, &err) < 0)
		return report_error(&err);
	return 0;
}

/* --all: the containers a verb applies to, as podman picks them: stop,
 * kill and pause the running (stop also the paused), unpause the paused,
 * start those not running, restart every one. */
static bool wanted_for_all(const Podd__ContainerRecord *rec, void *data)
{
	enum verb v = *(const enum verb *)data;
	bool running = rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING,
	     paused = rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED;

	switch (v) {
	case VERB_STOP:
		return running || paused;
	case VERB_KILL:
	case VERB_PAUSE:
		return running;
	case VERB_UNPAUSE:
		return paused;
	case VERB_START:
		return !running && !paused;
	default:
		return true;
	}
}

static int run_verb(enum verb v, const struct global_opts *g, int argc, char **argv)
{
	struct opts o = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	int first = parse(v, argc, argv, &o), rc = 0;

	if (first < 0)
		return EXIT_ENGINE;
	if (o.attach && argc - first > 1) {
		fprintf(stderr, "Error: you cannot start and attach multiple containers at once\n");
		return EXIT_ENGINE;
	}
	/* conmon's exit command: most often an attached run has already
	 * recorded the exit (and removed a --rm container) by the time it
	 * holds the lock, and it then needs no podd-exec (cleanup_one). */
	if (engine_start(&e, g,
			 NEED_STATE | (v == VERB_CLEANUP ? NEED_PARKED(HELPER_EXEC) : NEED_EXEC),
			 &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (v == VERB_CLEANUP) {
		rc = argc - first == 1 ? cleanup_one(&e, argv[first]) : EXIT_ENGINE;
		if (argc - first != 1)
			fprintf(stderr, "Error: container cleanup takes one container\n");
		engine_stop(&e);
		return rc;
	}
	if (o.all) {
		__attribute__((cleanup(id_list_free))) struct id_list all = { 0 };
		if (state_list_ids(&e, wanted_for_all, &v, &all, &err) < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
		for (size_t i = 0; i < all.n; i++) {
			int r = one(&e, v, &o, all.ids[i]);
			if (r != 0 && rc == 0)
				rc = r;
		}
		engine_stop(&e);
		return rc;
	}
	/* podman looks every name up before it acts on any (stop -i aside,
	 * which passes over the missing) */
	if (!o.ignore && state_lookup_all(&e, argv + first, (size_t)(argc - first), &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	for (int i = first; i < argc; i++) {
		int r = one(&e, v, &o, argv[i]);
		if (r != 0 && rc == 0)
			rc = r;
		if (o.attach)
			rc = r;
	}
	engine_stop(&e);
	return rc;
}

int cmd_start(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_START, g, argc, argv);
}

int cmd_stop(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_STOP, g, argc, argv);
}

int cmd_kill(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_KILL, g, argc, argv);
}

int cmd_restart(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_RESTART, g, argc, argv);
}

int cmd_wait(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_WAIT, g, argc, argv);
}

int cmd_pause(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_PAUSE, g, argc, argv);
}

int cmd_unpause(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_UNPAUSE, g, argc, argv);
}

/* conmon's exit command: `podctl container cleanup ID`. */
int cmd_cleanup(const struct global_opts *g, int argc, char **argv)
{
	return run_verb(VERB_CLEANUP, g, argc, argv);
}
