/* An output file that appears only when the command succeeds
 * (output_file.c): save -o and export -o. */
#ifndef PODCTL_OUTPUT_FILE_H
#define PODCTL_OUTPUT_FILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct output_file {
	int fd;        /* where to write: the temporary file (or FILE itself
			* when it exists and is no regular file) */
	int cmd;       /* the janitor's pipe; -1 when there is none */
	pid_t janitor;
};

/* Before podctl's sandbox: a temporary file beside `path`, and the janitor
 * that renames it over `path` or removes it. */
int output_file_open(const char *path, mode_t mode, struct output_file *of, podd_error_t *err);
/* Where save and export write: `output` through output_file_open (-o), or
 * else stdout, which must not be a terminal (container or image bytes could
 * drive it); either must be a regular file, pipe, socket or /dev/null open
 * for writing. `verb` names the command in messages ("export"),
 * `open_what` (may be NULL) wraps a failed open ("failed to create export
 * file"), `tty_msg` is podman's message for a terminal. The descriptor to
 * write, or -1 with *err (the output file aborted). */
int output_target(const char *output, mode_t mode, const char *verb, const char *open_what,
		  const char *tty_msg, struct output_file *of, podd_error_t *err);
/* The command succeeded: FILE takes the written content. */
int output_file_commit(struct output_file *of, podd_error_t *err);
/* It failed: the temporary file goes, FILE stays as it was. */
void output_file_abort(struct output_file *of);

#endif
