/* podd.conf: the defaults of podctl's global options (docs/ARCHITECTURE.md,
 * "Configuration file"). A JSON object whose keys are the options' names:
 *
 *   {"runtime": "crun", "storage-driver": "vfs", "log-level": "info",
 *    "root": "/srv/podd", "runroot": "/run/podd"}
 *
 * A flag on the command line wins over the file, the file over podctl's
 * built-in default. The file is $PODD_CONF, else, not as root,
 * $XDG_CONFIG_HOME/podd/podd.conf (or ~/.config/podd/podd.conf) when it
 * exists, else /etc/podd/podd.conf; a missing file is an empty
 * configuration. Read before any helper starts and before podctl's
 * sandbox. */
#ifndef PODCTL_PODD_CONF_H
#define PODCTL_PODD_CONF_H

#include <limits.h>

#include "error.h"

struct podd_conf {
	char path[PATH_MAX];
	/* NULL, or -1 for log_level: not in the file. */
	char *root, *runroot, *storage_driver, *runtime;
	int log_level;
};

/* Reads and checks the file: values of the wrong type or out of range,
 * malformed JSON, duplicate keys and an unreadable file are errors
 * (PODD_E_INVALID_ARGUMENT, naming the file); an unknown key is a
 * warning, as podman warns of keys it cannot decode. */
int podd_conf_load(struct podd_conf *c, podd_error_t *err);
void podd_conf_free(struct podd_conf *c);

#endif
