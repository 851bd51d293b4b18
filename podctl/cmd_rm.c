/* podctl rm [-f] [-a] [-i] [-v] [-t SECONDS] NAME|ID... */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "lifecycle.h"

/* Under the container's lock: a running one is stopped first with -f,
 * refused without. */
static int remove_one(struct engine *e, const char *name_or_id, bool force, int timeout,
		      char id[65], podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;

	if (ctr_lookup_locked(e, name_or_id, &rec, err) < 0)
		return -1;
	snprintf(id, 65, "%s", rec->id);
	if (ctr_remove(e, &rec, force, timeout, err) < 0) {
		podd_error_t ignored = NULL;
		if (rec && ctr_unlock(e, id, &ignored) < 0)
			podd_error_free(&ignored);
		return -1;
	}
	return 0;
}

int cmd_rm(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "ignore", no_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 't' },
		{ "volumes", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	__attribute__((cleanup(id_list_free))) struct id_list all = { 0 };
	bool remove_all = false, force = false, ignore = false, time_given = false;
	podd_error_t err = NULL;
	struct engine e;
	int c, rc = 0, timeout = 0;
	char *end;
	long t;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "afit:v", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			remove_all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'i':
			ignore = true;
			break;
		case 'v':
			/* a container's anonymous volumes: podd makes none yet */
			break;
		case 't':
			/* Seconds a running container is given to stop (-f)
			 * before SIGKILL; podd's default is none. */
			errno = 0;
			t = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' || t < 0 || t > 86400) {
				fprintf(stderr, "Error: invalid argument \"%s\" for \"-t, --time\" "
						"flag: seconds from 0 to 86400\n",
					optarg);
				return EXIT_ENGINE;
			}
			timeout = (int)t;
			time_given = true;
			break;
		default:
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (time_given && !force) {
		fprintf(stderr, "Error: --force option must be specified to use the --time option\n");
		return EXIT_ENGINE;
	}
	if (remove_all == (optind < argc)) {
		fprintf(stderr, "Error: %s\n", remove_all ? "when using the --all switch, you may "
							    "not pass any containers names or IDs"
							  : "must specify at least one container name "
							    "or ID");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (remove_all) {
		if (state_list_ids(&e, NULL, NULL, &all, &err) < 0) {
			engine_stop(&e);
			return report_error(&err);
		}
		for (size_t i = 0; i < all.n; i++) {
			char id[65];
			if (remove_one(&e, all.ids[i], force, timeout, id, &err) < 0) {
				/* Removed meanwhile by another podctl: that is fine. */
				if (err->code == PODD_E_NO_SUCH_CONTAINER) {
					podd_error_free(&err);
					continue;
				}
				fprintf(stderr, "Error: %s\n", err->msg);
				rc = err->code == PODD_E_STATE_IMPROPER ? 2 : EXIT_ENGINE;
				podd_error_free(&err);
				continue;
			}
			printf("%s\n", all.ids[i]);
		}
		engine_stop(&e);
		return rc;
	}
	/* podman looks every name up before it removes any (-f and -i pass
	 * over the missing); a missing one exits 1 */
	if (!force && !ignore &&
	    state_lookup_all(&e, argv + optind, (size_t)(argc - optind), &err) < 0) {
		engine_stop(&e);
		if (err->code != PODD_E_NO_SUCH_CONTAINER)
			return report_error(&err);
		report_error(&err);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		char id[65];
		if (remove_one(&e, argv[i], force, timeout, id, &err) < 0) {
			int code = err->code;
			/* podman: -f also ignores names that are not there */
			if (code == PODD_E_NO_SUCH_CONTAINER && (ignore || force)) {
				podd_error_free(&err);
				continue;
			}
			/* podman: a missing container makes rm exit 1. */
			if (code == PODD_E_NO_SUCH_CONTAINER) {
				fprintf(stderr, "Error: no container with name or ID \"%s\" found: "
						"no such container\n", argv[i]);
				podd_error_free(&err);
				if (rc == 0)
					rc = 1;
				continue;
			}
			fprintf(stderr, "Error: %s\n", err->msg);
			podd_error_free(&err);
			/* podman: 2 for a container in the wrong state. */
			rc = code == PODD_E_STATE_IMPROPER ? 2 : exit_code_for(code);
			if (code == PODD_E_PROTOCOL)
				break;
			continue;
		}
		/* podman prints each container as it was named (rm -a: the
		 * full ids). */
		printf("%s\n", argv[i]);
	}
	engine_stop(&e);
	return rc;
}
