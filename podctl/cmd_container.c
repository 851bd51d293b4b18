/* podctl container SUBCOMMAND: the same commands under podman's noun, plus
 * `container exists`. */
#include <stdio.h>
#include <string.h>

#include "podctl.h"

/* podctl container exists NAME|ID: exit 0 if it exists, 1 if not. */
int cmd_exists(const struct global_opts *g, int argc, char **argv)
{
	Podd__ContainerRecord *rec = NULL;
	podd_error_t err = NULL;
	struct engine e;

	if (argc != 2) {
		fprintf(stderr, "Error: accepts 1 arg(s), received %d\n", argc - 1);
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (state_lookup(&e, argv[1], &rec, &err) < 0) {
		engine_stop(&e);
		if (err->code == PODD_E_NO_SUCH_CONTAINER) {
			podd_error_free(&err);
			return 1;
		}
		return report_error(&err);
	}
	podd__container_record__free_unpacked(rec, NULL);
	engine_stop(&e);
	return 0;
}

int cmd_container(const struct global_opts *g, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct global_opts *, int, char **);
	} subs[] = {
		{ "create", cmd_create }, { "exists", cmd_exists }, { "inspect", cmd_inspect },
		{ "list", cmd_ps },       { "ls", cmd_ps },         { "ps", cmd_ps },
		{ "rename", cmd_rename }, { "rm", cmd_rm },       { "cleanup", cmd_cleanup },
		{ "start", cmd_start },   { "stop", cmd_stop },     { "kill", cmd_kill },
		{ "restart", cmd_restart }, { "wait", cmd_wait },   { "run", cmd_run },
		{ "logs", cmd_logs },     { "pause", cmd_pause },   { "unpause", cmd_unpause },
		{ "exec", cmd_exec },     { "attach", cmd_attach },
		{ "top", cmd_top },       { "export", cmd_export },
	};
	if (argc < 2) {
		fprintf(stderr, "Error: missing command 'podctl container COMMAND'\n");
		return EXIT_ENGINE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(g, argc - 1, argv + 1);
	fprintf(stderr, "Error: unrecognized command `podctl container %s`\n", argv[1]);
	return EXIT_ENGINE;
}
