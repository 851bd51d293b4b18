/* Landlock without libc support: Debian 12's headers know ABI 2, the
 * kernel here speaks ABI 7. Rights are masked by the ABI found at run time,
 * so one binary works on every kernel that has Landlock at all. */
#ifndef PODD_LANDLOCK_H
#define PODD_LANDLOCK_H

#include <stdbool.h>

#include "error.h"

/* Best ABI the running kernel offers; 0 where Landlock is absent or off. */
int podd_landlock_abi(void);

/* Restrict the calling process (after no_new_privs) to full access beneath
 * each directory in `dirs` (NULL-terminated, may be empty: no file access at
 * all), no TCP bind/connect (ABI >= 4) and no abstract-socket or signal
 * reach outside its domain (ABI >= 6). Where the kernel has no Landlock this
 * logs a warning and returns 0: the other layers still hold. */
int podd_landlock_restrict(const char *const *dirs, podd_error_t *err);

/* As podd_landlock_restrict, plus read-only access beneath each path in
 * `ro_paths` (files or directories; missing ones are skipped), and with
 * `tcp_connect` TCP connect left unhandled (allowed) while bind stays
 * refused. */
int podd_landlock_restrict_ex(const char *const *dirs, const char *const *ro_paths,
			      bool tcp_connect, podd_error_t *err);

#endif
