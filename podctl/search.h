/* podctl search's results and how they are shown (search_print.c): the
 * rows podman's ImageSearchReport has, podman 4.3's table, template and
 * JSON outputs. */
#ifndef PODCTL_SEARCH_H
#define PODCTL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct search_row {
	char *index;       /* the registry searched */
	char *name;        /* "registry/repository" */
	char *description; /* cut to 44 bytes and "..." unless --no-trunc or JSON */
	uint32_t stars;
	bool official, automated;
	char *tag;         /* --list-tags: one tag a row */
};

struct search_rows {
	struct search_row *v;
	size_t n;
};

void search_rows_free(struct search_rows *rows);

enum search_output {
	SEARCH_OUTPUT_TABLE,      /* NAME DESCRIPTION (with --compatible: STARS OFFICIAL AUTOMATED) */
	SEARCH_OUTPUT_TAGS,       /* NAME TAG */
	SEARCH_OUTPUT_JSON,       /* the rows as podman's JSON array */
	SEARCH_OUTPUT_TAGS_JSON,  /* [{"Name":..., "Tags":[...]}] */
	SEARCH_OUTPUT_TEMPLATE,   /* --format TEMPLATE ("table ..." with headings) */
};

/* Prints `rows` on stdout; a template naming no field of the report is
 * podman's error, printed before anything. */
int search_print(const struct search_rows *rows, enum search_output out, bool compatible,
		 const char *template, podd_error_t *err);

#endif
