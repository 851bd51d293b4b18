/* podman's error for a load the signature policy refused. podman (libimage)
 * tries the input as oci (a directory), oci-archive, docker-archive and dir
 * in turn and, when none loads, lists how each attempt failed. podd knows
 * the archive's format (podd-image read it) and the policy's refusal of
 * that format; the other attempts' lines are what podman's say of a file
 * of that format, which depend only on the path as given. Pure. */
#ifndef PODCTL_LOAD_REFUSAL_H
#define PODCTL_LOAD_REFUSAL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Sets *err to podman's list (PODD_E_NOT_PERMITTED, podman's 125) for the
 * archive at `path` (as the user gave it; "/dev/stdin" for stdin), an
 * oci-archive when `oci` (else a docker-archive), which the policy refused
 * with `refusal`. Returns -1. */
int load_refusal(const char *path, bool oci, const char *refusal, podd_error_t *err);

/* The first line of podman's list: what the oci attempt says of `path`, a
 * file (exposed for the unit test). `out` holds at least n bytes. */
void load_refusal_oci_line(const char *path, char *out, size_t n);

/* Go's filepath.Clean, lexically (exposed for the unit test). */
void load_refusal_clean(const char *path, char *out, size_t n);

#endif
