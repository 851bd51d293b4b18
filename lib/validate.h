/* Checks on the identifiers and strings that cross process boundaries.
 * Every receiver runs them on every field before use. */
#ifndef PODD_VALIDATE_H
#define PODD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define PODD_ID_LEN 64
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

/* New random id from getrandom(2). */
int podd_id_generate(char out[PODD_ID_LEN + 1], podd_error_t *err);

/* An absolute path with no "." or ".." component and no control characters. */
int podd_validate_abs_path(const char *what, const char *s, podd_error_t *err);
/* A list of at most PODD_ARGS_MAX strings of at most PODD_ARG_MAX bytes. */
int podd_validate_strv(const char *what, char **v, size_t n, podd_error_t *err);
/* KEY=VALUE entries, KEY non-empty and without '='. */
int podd_validate_env(char **v, size_t n, podd_error_t *err);

#endif
