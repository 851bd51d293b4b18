/* podd.conf: the defaults of podctl's global options (docs/ARCHITECTURE.md,
 * "Configuration file"). A JSON object whose keys are the options' names:
 *
 *   {"runtime": "crun", "storage-driver": "vfs", "log-level": "info",
 *    "root": "/srv/podd", "runroot": "/run/podd"}
 *
 * A flag on the command line wins over the file, the file over podctl's
 * built-in default. Read before any helper starts and before podctl's
 * sandbox. */
#ifndef PODCTL_PODD_CONF_H
#define PODCTL_PODD_CONF_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct podd_conf {
	char path[PATH_MAX];
	/* NULL, or -1 for log_level: not in the file. */
	char *root, *runroot, *storage_driver, *runtime;
	int log_level;
	/* The keys podd does not know, as podman lists them ("a" "b"), for
	 * the caller's warning; NULL: none. */
	char *unknown;
};

/* Where podd.conf is: $PODD_CONF (`env`) when set and not empty; else, for
 * root (euid 0), /etc/podd/podd.conf; else $XDG_CONFIG_HOME/podd/podd.conf
 * when XDG_CONFIG_HOME is absolute, else $HOME/.config/podd/podd.conf, the
 * design brief's places (a user does not read root's file). 1 with the
 * path in `out`, 0 when there is none to read (no absolute
 * XDG_CONFIG_HOME or HOME), -1 when the path does not fit. */
int podd_conf_path(char *out, size_t size, uid_t euid, const char *env, const char *xdg,
		   const char *home, podd_error_t *err);

/* Reads and checks the file: values of the wrong type or out of range,
 * malformed JSON, duplicate keys, a file that is not a regular file and
 * an unreadable one are errors (PODD_E_INVALID_ARGUMENT, "PATH: ...", made
 * safe for a terminal); a missing file, and the null device
 * (PODD_CONF=/dev/null, as conmon's exit command runs), are an empty
 * configuration; unknown keys go to c->unknown. */
int podd_conf_load(struct podd_conf *c, podd_error_t *err);
void podd_conf_free(struct podd_conf *c);

#endif
