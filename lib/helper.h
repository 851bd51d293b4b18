/* What every helper process does the same way: its command line (as podctl
 * writes it), logging, and the end of its life. */
#ifndef PODD_HELPER_H
#define PODD_HELPER_H

#include <stdbool.h>

#include "error.h"
#include "server.h"

/* The descriptor podctl hands each helper its end of the socketpair on. */
#define PODD_HELPER_SOCKET_FD 3

struct podd_helper_args {
	const char *static_dir; /* --root */
	const char *tmp_dir;    /* --runroot */
	int log_level;
};

/* Parse `--root DIR --runroot DIR --log-level LEVEL` (the
 * last one only podd-image heeds); the directories must
 * be absolute. Also checks that fd 3 is a SEQPACKET socket, ignores SIGPIPE
 * and points stdin and stdout at /dev/null. Exits with status 2 on misuse. */
void podd_helper_init(const char *process, int argc, char **argv, struct podd_helper_args *args);

/* Run the request loop and exit: 0 on EOF, 1 after dropping the peer. */
__attribute__((noreturn)) void podd_helper_serve(struct podd_server *srv);

/* Create `path` and its parents (mode 0700 for the ones it makes). */
int podd_mkdir_p(const char *path, podd_error_t *err);

#endif
