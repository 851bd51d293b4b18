/* Checks on the identifiers and strings that cross process boundaries.
 * Every receiver runs them on every field before use. */
#ifndef PODD_VALIDATE_H
#define PODD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define PODD_ID_LEN 64
/* A container's recorded exec sessions (ContainerRecord.exec_ids). */
#define PODD_EXEC_IDS_MAX 64
#define PODD_NAME_MAX 253
#define PODD_PATH_MAX 4095
#define PODD_ARG_MAX 65536   /* one command argument or environment entry */
#define PODD_ARGS_MAX 4096   /* arguments or environment entries */

/* 64 lowercase hex digits. */
bool podd_id_valid(const char *s);
/* 1 to 64 lowercase hex digits. */
bool podd_id_prefix_valid(const char *s);
/* podman's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most PODD_NAME_MAX. */
bool podd_name_valid(const char *s);

/* Image references (docker's reference grammar, without digests):
 * [host[:port]/]component(/component)*[:tag], where a component is
 * [a-z0-9]+([._-][a-z0-9]+)* (docker also allows "__" and runs of '-'; podd
 * does not), the first part is a host only when it contains '.' or ':' or
 * is "localhost" (host labels [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?, port
 * digits), and a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. The repository
 * (everything before the tag) is at most PODD_IMAGE_REPO_MAX bytes. */
#define PODD_IMAGE_REPO_MAX 255
#define PODD_IMAGE_TAG_MAX 128
#define PODD_IMAGE_NAME_MAX (PODD_IMAGE_REPO_MAX + 1 + PODD_IMAGE_TAG_MAX)
bool podd_image_name_valid(const char *s);
/* Valid, with a host first and a tag: the form image records store. */
bool podd_image_name_qualified(const char *s);
/* A name as a user gives it completed as podman does ("localhost/" when
 * its first part is not a registry, ":latest" without a tag) into `out`
 * (PODD_IMAGE_NAME_BUF bytes). False when `in` is not a valid name or the
 * result not a qualified one. */
#define PODD_IMAGE_NAME_BUF (PODD_IMAGE_NAME_MAX + 32)
bool podd_image_name_complete(const char *in, char out[PODD_IMAGE_NAME_BUF]);
/* The most layers an image may have, the one bound every process applies
 * (podd-image's parsers, store and commit, podd-state's records, podctl
 * and podd-exec's overlay mounts): overlay stacks at most 500 layers (the
 * kernel's OVL_MAX_STACK), and an image the store takes must be one a
 * container can run on. Leaves room and keeps a record small. */
#define PODD_IMAGE_LAYERS_MAX 128

/* "sha256:" and 64 lowercase hex digits. */
bool podd_digest_valid(const char *s);

/* New random id from getrandom(2). */
int podd_id_generate(char out[PODD_ID_LEN + 1], podd_error_t *err);

/* An absolute path with no "." or ".." component and no control characters. */
int podd_validate_abs_path(const char *what, const char *s, podd_error_t *err);
/* A list of at most PODD_ARGS_MAX strings of at most PODD_ARG_MAX bytes. */
int podd_validate_strv(const char *what, char **v, size_t n, podd_error_t *err);
/* KEY=VALUE entries, KEY non-empty and without '='. */
int podd_validate_env(char **v, size_t n, podd_error_t *err);

#endif
