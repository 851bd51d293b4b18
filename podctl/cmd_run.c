/* podctl run [options] IMAGE [CMD [ARG...]] or --rootfs DIR CMD [ARG...]: create, start, attach
 * (unless -d), wait, and exit with the container's exit code. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "create_opts.h"
#include "lifecycle.h"
#include "runtime_error.h"

/* podman's 126 and 127: the runtime could not execute the command. */
int start_failure_code(const podd_error_t err)
{
	if (err->code == PODD_E_RUNTIME) {
		switch (podd_runtime_error_kind(err->msg)) {
		case PODD_RUNTIME_ERROR_PERMISSION:
			return EXIT_CANNOT_INVOKE;
		case PODD_RUNTIME_ERROR_NOT_FOUND:
			return EXIT_NOT_FOUND;
		case PODD_RUNTIME_ERROR_OTHER:
		default:
			break;
		}
	}
	return exit_code_for(err->code);
}

int report_start_error(podd_error_t *err)
{
	int code = start_failure_code(*err);
	bool runtime = (*err)->code == PODD_E_RUNTIME;

	fflush(stdout);
	fprintf(stderr, "Error: %s%s\n", (*err)->msg,
		!runtime		   ? ""
		: code == EXIT_NOT_FOUND	   ? ": OCI runtime attempted to invoke a command that was "
					     "not found"
		: code == EXIT_CANNOT_INVOKE ? ": OCI runtime permission denied error"
					     : "");
	podd_error_free(err);
	return code;
}

/* A start that failed leaves the container as it was before: configured
 * (or, with --rm, gone). The runtime's half-made container is deleted. */
int start_failed(struct engine *e, Podd__ContainerRecord **rec, podd_error_t *err)
{
	int code = report_start_error(err);
	podd_error_t ignored = NULL;

	if (*rec && ctr_undo_start(e, rec, &ignored) < 0)
		podd_error_free(&ignored);
	return code;
}

int cmd_run(const struct global_opts *g, int argc, char **argv)
{
	__attribute__((cleanup(create_opts_free))) struct create_opts o = { 0 };
	cleanup_record Podd__ContainerRecord *rec = NULL;
	cleanup_close int sock = -1;
	podd_error_t err = NULL;
	struct engine e;
	char id[65];
	int code;

	if (create_opts_parse(&o, true, g->runtime, argc, argv, &err) < 0)
		return report_error(&err);
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC | create_opts_image_needs(&o), &err) < 0 ||
	    container_create(&e, &o, &rec, &err) < 0 || ctr_lock(&e, rec->id, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	snprintf(id, sizeof(id), "%s", rec->id);
	if (o.image) {
		engine_stop_helper(&e, HELPER_IMAGE);
		engine_stop_helper(&e, HELPER_REGISTRY);
	}
	if (ctr_start(&e, &rec, o.detach ? NULL : &sock, &err) < 0) {
		code = start_failed(&e, &rec, &err);
		engine_stop(&e);
		return code;
	}
	if (ctr_unlock(&e, id, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	if (o.detach) {
		printf("%s\n", id);
		engine_stop(&e);
		return 0;
	}
	code = ctr_attach_wait(&e, rec, sock, o.config.interactive, !o.no_sig_proxy, &o.detach_keys,
			       &err);
	if (code < 0)
		code = report_error(&err);
	engine_stop(&e);
	return code;
}
