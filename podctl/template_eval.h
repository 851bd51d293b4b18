/* The Go template language podman's --format takes, as much of it as
 * users write: text and {{actions}} with {{- -}} trimming and comments;
 * {{if}}/{{else if}}/{{else}}/{{end}}, {{range}} and {{with}} (each with
 * {{else}}); pipelines with | and ( ); fields (.A.B and .), string,
 * integer and boolean literals; Go's functions and, or, not, len, index,
 * eq, ne, lt, le, gt, ge, print, printf (%s %v %d %q %%), println, and
 * c/common's json, join, split, lower, upper, title, truncate. Not
 * variables ($x), define, block or template. The data is JSON: an object
 * stands for a struct, whose missing field is an error, or for a map.
 * Errors follow lib/error.h and start with "template: ". */
#ifndef PODCTL_TEMPLATE_EVAL_H
#define PODCTL_TEMPLATE_EVAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "podctl.h"

struct tmpl;

/* Parses `text` (escapes already read: c/common's \t and \n). */
int tmpl_parse(const char *text, struct tmpl **out, podd_error_t *err);
void tmpl_free(struct tmpl *t);

/* Prints `t` with `dot` as its data to `out`. `fold`: a field matches a
 * key that differs only in case (info's camelCase keys). `headers` not
 * NULL: a table's heading instead, each action printing the header of
 * the first field it names, blocks printed once. */
int tmpl_exec(const struct tmpl *t, json_object *dot, bool fold,
	      const struct format_header *headers, FILE *out, podd_error_t *err);

#endif
