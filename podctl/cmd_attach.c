/* podctl attach [--no-stdin] [--detach-keys KEYS] CONTAINER: connect the
 * terminal to a running container's streams through conmon's attach
 * socket, until it exits (then exit with its code) or the user detaches
 * (ctrl-p ctrl-q unless --detach-keys). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "detach_keys.h"
#include "lifecycle.h"
#include "validate.h"

static int attach_socket(struct engine *e, const Podd__ContainerRecord *rec, int *sock,
			 podd_error_t *err)
{
	Podd__ContainerRef ref = PODD__CONTAINER_REF__INIT;
	cleanup_message ProtobufCMessage *ok = NULL;

	ref.id = rec->id;
	ref.runtime = rec->config->runtime;
	if (podd_client_call_fds(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_ATTACH,
				 &ref.base, NULL, 0, PODD__COMMON_TYPE__COMMON_TYPE_OK,
				 &podd__ok__descriptor, &ok, sock, 1, err) < 0)
		return engine_helper_failed(e, HELPER_EXEC, err);
	return podd_fd_check_kind(*sock, PODD_FD_SOCKET, err);
}

int cmd_attach(const struct global_opts *g, int argc, char **argv)
{
	enum { OPT_NO_STDIN = 256, OPT_SIG_PROXY, OPT_DETACH_KEYS };
	static const struct option long_opts[] = {
		{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_close int sock = -1;
	podd_error_t err = NULL;
	bool no_stdin = false, proxy = true, in;
	struct detach_keys keys;
	char id[PODD_ID_LEN + 1];
	struct engine e;
	int c, code;

	detach_keys_default(&keys);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == OPT_NO_STDIN) {
			no_stdin = true;
		} else if (c == OPT_DETACH_KEYS) {
			if (detach_keys_parse(optarg, &keys, &err) < 0)
				return report_error(&err);
		} else if (c == OPT_SIG_PROXY && (!optarg || strcmp(optarg, "true") == 0 ||
						  strcmp(optarg, "false") == 0)) {
			proxy = !optarg || strcmp(optarg, "true") == 0;
		} else {
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: attach requires the name or ID of one container\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0 ||
	    ctr_lookup_locked(&e, argv[optind], &rec, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	snprintf(id, sizeof(id), "%s", rec->id);
	if (ctr_sync(&e, &rec, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (rec == NULL || rec->state != PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING) {
		podd_error(&err, PODD_E_STATE_IMPROPER,
			   "you can only attach to running containers: container state improper");
		engine_stop(&e);
		return report_error(&err);
	}
	/* The socket is taken under the lock, so the container cannot be
	 * cleaned up in between; the relay runs without it. */
	if (attach_socket(&e, rec, &sock, &err) < 0 || ctr_unlock(&e, id, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	in = rec->config->interactive && !no_stdin;
	code = ctr_attach_wait(&e, rec, sock, in, proxy, &keys, &err);
	if (code < 0)
		code = report_error(&err);
	engine_stop(&e);
	return code;
}
