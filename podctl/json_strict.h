/* JSON read as strictly as containers/image reads its configuration
 * (Go's encoding/json plus its own checks): json-c in strict mode, at most
 * JSON_DEPTH_MAX levels, a top-level object and nothing but whitespace
 * after it, no duplicate key (json-c would keep the last of two), no NUL
 * (a \u0000 escape, which json-c and C strings would cut a key or a value
 * at), at most OBJECTS_MAX objects. */
#ifndef PODCTL_JSON_STRICT_H
#define PODCTL_JSON_STRICT_H

#include <json-c/json.h>

#include "error.h"

#define JSON_DEPTH_MAX 32
#define OBJECTS_MAX 4096 /* objects counted for the duplicate-key check */

/* The root object of `text`, or NULL with *err (PODD_E_INVALID_ARGUMENT,
 * the message as c/image words it where it has words for it: "Duplicate
 * key \"x\"", "invalid character 'x' after top-level value"...). */
json_object *json_strict_parse(const char *text, podd_error_t *err);

#endif
