/* podctl search's outputs, as podman 4.3 prints them: a table (tabwriter
 * columns, podctl.h's print_columns), a Go template per row ("table ..."
 * with headings and columns: spaces and \t separate them), or JSON
 * indented by four spaces as Go's json.MarshalIndent writes it. */
#include "search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "podctl.h"

#define COLUMNS_MAX 16

void search_rows_free(struct search_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->v[i].index);
		free(rows->v[i].name);
		free(rows->v[i].description);
		free(rows->v[i].tag);
	}
	free(rows->v);
	rows->v = NULL;
	rows->n = 0;
}

/* Go's JSON string: \" \\ \n \r \t, other controls as \u00XX, and <, >,
 * & as json.Marshal escapes them for HTML. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '<':
		case '>':
		case '&':
			fprintf(out, "\\u%04x", c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
			break;
		}
	}
	fputc('"', out);
}

enum field {
	FIELD_INDEX,
	FIELD_NAME,
	FIELD_DESCRIPTION,
	FIELD_STARS,
	FIELD_OFFICIAL,
	FIELD_AUTOMATED,
	FIELD_TAG,
	FIELD_COUNT,
};

static const char *const field_names[FIELD_COUNT] = { "Index",	  "Name",      "Description",
						      "Stars",	  "Official",  "Automated",
						      "Tag" };
static const char *const field_headers[FIELD_COUNT] = { "INDEX",    "NAME",	 "DESCRIPTION",
							"STARS",    "OFFICIAL",	 "AUTOMATED",
							"TAG" };

/* One row's field as text; `header`: the column's heading instead. */
static void field_print(FILE *out, const struct search_row *r, enum field f, bool json,
			bool header)
{
	const char *s = NULL;

	if (header) {
		s = field_headers[f];
	} else {
		switch (f) {
		case FIELD_INDEX:
			s = r->index;
			break;
		case FIELD_NAME:
			s = r->name;
			break;
		case FIELD_DESCRIPTION:
			s = r->description;
			break;
		case FIELD_STARS:
			fprintf(out, "%u", r->stars);
			return;
		case FIELD_OFFICIAL:
			s = r->official ? "[OK]" : "";
			break;
		case FIELD_AUTOMATED:
			s = r->automated ? "[OK]" : "";
			break;
		case FIELD_TAG:
			s = r->tag;
			break;
		case FIELD_COUNT:
		default:
			break;
		}
	}
	if (json)
		json_string(out, s ? s : "");
	else
		fputs(s ? s : "", out);
}

/* A template in pieces: text, or a field (optionally through json). */
struct piece {
	const char *text;
	size_t len;
	int field; /* -1: text */
	bool json;
};

struct template {
	char *text; /* normalized: escapes and, for a table, spaces made tabs */
	struct piece pieces[64];
	size_t n;
	bool table;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int template_parse(const char *src, struct template *t, podd_error_t *err)
{
	const char *body = src;
	char *o;

	t->table = strncmp(src, "table ", 6) == 0;
	if (t->table)
		body = src + 6;
	t->text = malloc(strlen(body) + 2);
	if (t->text == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	/* containers/common's NormalizeFormat: \t and \n escapes; in a
	 * table every space separates columns. */
	o = t->text;
	for (const char *s = body; *s; s++) {
		if (s[0] == '\\' && s[1] == 't') {
			*o++ = '\t';
			s++;
		} else if (s[0] == '\\' && s[1] == 'n' && !t->table) {
			*o++ = '\n';
			s++;
		} else if (*s == ' ' && t->table) {
			*o++ = '\t';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	t->n = 0;
	for (const char *p = t->text; *p;) {
		const char *open = strstr(p, "{{"), *close, *a, *e;
		struct piece *pc;
		if (t->n + 2 > sizeof(t->pieces) / sizeof(t->pieces[0]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: too long");
		if (open != p) {
			pc = &t->pieces[t->n++];
			*pc = (struct piece){ .text = p,
					      .len = open ? (size_t)(open - p) : strlen(p),
					      .field = -1 };
			if (open == NULL)
				break;
		}
		close = strstr(open + 2, "}}");
		if (close == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: search:1: unclosed action");
		pc = &t->pieces[t->n++];
		*pc = (struct piece){ .field = -1 };
		a = open + 2;
		e = close;
		while (a < e && is_space(*a))
			a++;
		while (e > a && is_space(e[-1]))
			e--;
		if ((size_t)(e - a) > 5 && strncmp(a, "json", 4) == 0 && is_space(a[4])) {
			pc->json = true;
			a += 5;
			while (a < e && is_space(*a))
				a++;
		}
		if (a < e && *a == '.') {
			for (int f = 0; f < FIELD_COUNT; f++)
				if ((size_t)(e - a - 1) == strlen(field_names[f]) &&
				    strncmp(a + 1, field_names[f], (size_t)(e - a - 1)) == 0)
					pc->field = f;
		}
		if (pc->field < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: search:1: executing \"search\" at <%.*s>: "
					  "can't evaluate field %.*s in type "
					  "entities.ImageSearchReport",
					  (int)(e - a), a, (int)(e - a - (a < e && *a == '.')),
					  a + (a < e && *a == '.'));
		p = close + 2;
	}
	return 0;
}

static void template_print(FILE *out, const struct template *t, const struct search_row *r,
			   bool header)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct piece *pc = &t->pieces[i];
		if (pc->field < 0)
			fwrite(pc->text, 1, pc->len, out);
		else
			field_print(out, r, (enum field)pc->field, pc->json, header);
	}
}

/* A row rendered by a table template, split at its tabs. */
static int table_cells(const struct template *t, const struct search_row *r, bool header,
		       char ***cells, size_t *ncols)
{
	char *line = NULL, *p;
	size_t len = 0, n = 0;
	FILE *m = open_memstream(&line, &len);

	if (m == NULL)
		return -1;
	template_print(m, t, r, header);
	fclose(m);
	line[strcspn(line, "\n")] = '\0';
	*cells = calloc(COLUMNS_MAX, sizeof(**cells));
	if (*cells == NULL) {
		free(line);
		return -1;
	}
	p = line;
	for (;;) {
		char *tab = strchr(p, '\t');
		if (tab && n + 1 < COLUMNS_MAX)
			*tab = '\0';
		(*cells)[n++] = strdup(p);
		if (tab == NULL || n == COLUMNS_MAX)
			break;
		p = tab + 1;
	}
	free(line);
	*ncols = n;
	return 0;
}

static int print_table(const struct template *t, const struct search_rows *rows,
		       podd_error_t *err)
{
	char **header = NULL, ***cells = calloc(rows->n ? rows->n : 1, sizeof(*cells));
	size_t ncols = 0, n;
	int rc = -1;

	if (cells == NULL || table_cells(t, NULL, true, &header, &ncols) < 0)
		goto out;
	for (size_t i = 0; i < rows->n; i++) {
		if (table_cells(t, &rows->v[i], false, &cells[i], &n) < 0)
			goto out;
		if (n > ncols)
			ncols = n;
	}
	print_columns((const char *const *)header, ncols, cells, rows->n);
	rc = 0;
out:
	if (rc < 0)
		podd_error_sys(err, ENOMEM, "out of memory");
	for (size_t i = 0; cells && i < rows->n; i++) {
		for (size_t c = 0; cells[i] && c < COLUMNS_MAX; c++)
			free(cells[i][c]);
		free(cells[i]);
	}
	for (size_t c = 0; header && c < COLUMNS_MAX; c++)
		free(header[c]);
	free(header);
	free(cells);
	return rc;
}

static void print_json(const struct search_rows *rows)
{
	puts("[");
	for (size_t i = 0; i < rows->n; i++) {
		const struct search_row *r = &rows->v[i];
		printf("    {\n");
		for (int f = 0; f < FIELD_COUNT; f++) {
			printf("        \"%s\": ", field_names[f]);
			if (f == FIELD_STARS)
				printf("%u", r->stars);
			else
				field_print(stdout, r, (enum field)f, true, false);
			printf("%s\n", f + 1 < FIELD_COUNT ? "," : "");
		}
		printf("    }%s\n", i + 1 < rows->n ? "," : "");
	}
	puts("]");
}

/* podman's buildListTagsJSON: one entry per name, its tags in order. */
static void print_tags_json(const struct search_rows *rows)
{
	bool first = true;

	puts("[");
	for (size_t i = 0; i < rows->n; i++) {
		bool seen = false, first_tag = true;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(rows->v[k].name, rows->v[i].name) == 0;
		if (seen)
			continue;
		printf("%s    {\n        \"Name\": ", first ? "" : ",\n");
		first = false;
		json_string(stdout, rows->v[i].name);
		printf(",\n        \"Tags\": [\n");
		for (size_t k = i; k < rows->n; k++) {
			if (strcmp(rows->v[k].name, rows->v[i].name) != 0)
				continue;
			printf("%s            ", first_tag ? "" : ",\n");
			first_tag = false;
			json_string(stdout, rows->v[k].tag);
		}
		printf("\n        ]\n    }");
	}
	puts("\n]");
}

int search_print(const struct search_rows *rows, enum search_output out, bool compatible,
		 const char *template, podd_error_t *err)
{
	struct template t = { 0 };
	const char *src;
	int rc;

	switch (out) {
	case SEARCH_OUTPUT_JSON:
		print_json(rows);
		return 0;
	case SEARCH_OUTPUT_TAGS_JSON:
		print_tags_json(rows);
		return 0;
	case SEARCH_OUTPUT_TAGS:
		src = "table {{.Name}}\t{{.Tag}}";
		break;
	case SEARCH_OUTPUT_TEMPLATE:
		src = template;
		break;
	case SEARCH_OUTPUT_TABLE:
	default:
		src = compatible ? "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}"
				   "\t{{.Automated}}"
				 : "table {{.Name}}\t{{.Description}}";
		break;
	}
	rc = template_parse(src, &t, err);
	if (rc == 0 && t.table) {
		rc = print_table(&t, rows, err);
	} else if (rc == 0) {
		for (size_t i = 0; i < rows->n; i++) {
			template_print(stdout, &t, &rows->v[i], false);
			if (t.text[0] && t.text[strlen(t.text) - 1] != '\n')
				putchar('\n');
		}
	}
	free(t.text);
	return rc;
}
