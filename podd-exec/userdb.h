/* --user as podman resolves it against the container's /etc/passwd and
 * /etc/group (userdb.c): the parsing is pure, for unit tests; the files
 * come from the launcher (rootfs.c), since the worker cannot read the
 * rootfs. */
#ifndef PODD_EXEC_USERDB_H
#define PODD_EXEC_USERDB_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define EXEC_USER_GIDS_MAX 64
#define EXEC_USER_HOME_MAX 256

struct exec_user {
	uint32_t uid, gid;
	uint32_t gids[EXEC_USER_GIDS_MAX]; /* supplementary groups */
	size_t ngids;
	char home[EXEC_USER_HOME_MAX];
};

/* USER[:GROUP], each a name or a number. A name must be in the files; a
 * number need not be. Without GROUP the primary group is the passwd
 * entry's (0 when there is none) and the supplementary groups are the
 * primary one plus every group listing the user by name; with GROUP, only
 * that one. HOME is the entry's home, else "/". `passwd` and `group` are
 * NUL-terminated file contents (NULL: missing). Errors name what was not
 * found, as podman says it (PODD_E_CANNOT_INVOKE). */
int user_resolve(const char *spec, const char *passwd, const char *group, struct exec_user *out,
		 podd_error_t *err);

#endif
