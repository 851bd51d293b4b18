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
};

int exit_read(const struct exec_ctx *ctx, const char *id, struct exit_info *out,
	      podd_error_t *err);
/* timeout_ms: 0 looks once, -1 waits for ever. */
int exit_wait(const struct exec_ctx *ctx, const char *id, int timeout_ms, struct exit_info *out,
	      podd_error_t *err);

#endif
