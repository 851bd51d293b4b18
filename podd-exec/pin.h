/* Pinning a checked bundle file (pin.c): the bytes the launcher checked
 * become, read-only, the file the runtime reads. The worker wrote the
 * original in a directory it may still change; a pinned name can be
 * neither written (EROFS) nor renamed over or removed (EBUSY: a mount
 * point) until the launcher releases it. */
#ifndef PODD_EXEC_PIN_H
#define PODD_EXEC_PIN_H

#include <stddef.h>

#include "error.h"

/* Put `len` bytes of `buf` over the regular file `name` in the directory
 * open at `dirfd`, read-only: a file of its own (a private tmpfs no path
 * reaches) bind-mounted on the name, so whatever the worker put there
 * meanwhile is covered too. */
int pin_file(int dirfd, const char *name, const void *buf, size_t len, podd_error_t *err);
/* Pin the file `name` in the directory open at `dirfd` as it is (the
 * runtime binds it into the container, which may write it): opened
 * beneath the dir with no link followed, a regular file with one link on
 * the dir's filesystem, bind-mounted over its own name. */
int pin_self(int dirfd, const char *name, podd_error_t *err);
/* Pin the directory open at `dirfd` (O_PATH) over its own name `name` in
 * `parentfd`: a bind of that very directory, so that the worker can no
 * longer rename it or put another in its place (EBUSY: a mount point)
 * while the runtime resolves paths through it. Returns the mount's
 * descriptor (pin_dir_release takes it off, that mount and no other), or
 * -1. */
int pin_dir(int parentfd, const char *name, int dirfd, podd_error_t *err);
void pin_dir_release(int mntfd);
/* Take the pin off `name` in `dirfd` (nothing when there is none). */
void pin_release(int dirfd, const char *name);
/* Every mount on or beneath the absolute directory `dir` (pins a
 * launcher that died left behind), detached. */
void pins_release_under(const char *dir);

#endif
