/* --format (podctl.h): which formats ask for JSON, a template over the
 * JSON object a command builds for each row (template_eval.c runs it),
 * and c/common's "table" layout with podman's headings. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "podctl.h"
#include "template_eval.h"

#define TABLE_COLUMNS_MAX 16

/* c/common's template text: a written "\t" or "\n" is a tab or a newline.
 * NULL when out of memory. */
static char *unescaped(const char *format)
{
	char *s = strdup(format), *w = s;

	if (s == NULL)
		return NULL;
	for (const char *c = format; *c; c++) {
		if (c[0] == '\\' && (c[1] == 't' || c[1] == 'n')) {
			*w++ = c[1] == 't' ? '\t' : '\n';
			c++;
		} else {
			*w++ = *c;
		}
	}
	*w = '\0';
	return s;
}

static int template_print(const char *tmpl, json_object *obj, bool fold, podd_error_t *err)
{
	cleanup_free char *t = unescaped(tmpl);
	struct tmpl *parsed = NULL;
	int rc;

	if (t == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	if (tmpl_parse(t, &parsed, err) < 0)
		return -1;
	rc = tmpl_exec(parsed, obj, fold, NULL, stdout, err);
	tmpl_free(parsed);
	if (rc < 0)
		return -1;
	/* podman ends each templated record with a newline. */
	if (t[0] && t[strlen(t) - 1] != '\n')
		putchar('\n');
	return 0;
}

int format_template(const char *tmpl, json_object *obj, podd_error_t *err)
{
	return template_print(tmpl, obj, false, err);
}

int format_template_folded(const char *tmpl, json_object *obj, podd_error_t *err)
{
	return template_print(tmpl, obj, true, err);
}

bool format_is_json(const char *f)
{
	static const char blank[] = " \t\n\f\r"; /* Go's \s */

	if (f == NULL)
		return false;
	f += strspn(f, blank);
	if (strncmp(f, "json", 4) == 0) {
		f += 4;
	} else if (strncmp(f, "{{", 2) == 0) {
		f += 2;
		f += strspn(f, blank);
		if (strncmp(f, "json", 4) != 0)
			return false;
		f += 4;
		f += strspn(f, blank);
		if (*f == '.')
			f++;
		f += strspn(f, blank);
		if (strncmp(f, "}}", 2) != 0)
			return false;
		f += 2;
	} else {
		return false;
	}
	return f[strspn(f, blank)] == '\0';
}

bool format_is_table(const char *f)
{
	return f && strncmp(f, "table ", 6) == 0;
}

/* One rendering (a row, or with `headers` the heading) split at its tabs
 * into `cells` (at most TABLE_COLUMNS_MAX; the last takes what is left).
 * Returns the number of cells, or -1. The cells point into *text, which
 * the caller frees. */
static int table_line(const struct tmpl *t, json_object *obj, const struct format_header *headers,
		      char **text, char **cells, podd_error_t *err)
{
	size_t len = 0;
	int n = 0;
	FILE *out;

	*text = NULL;
	out = open_memstream(text, &len);
	if (out == NULL)
		return podd_error_sys(err, errno, "out of memory");
	if (tmpl_exec(t, obj, false, headers, out, err) < 0) {
		fclose(out);
		return -1;
	}
	if (fclose(out) != 0)
		return podd_error_sys(err, ENOMEM, "out of memory");
	for (char *c = *text; n < TABLE_COLUMNS_MAX; n++) {
		char *tab = n + 1 < TABLE_COLUMNS_MAX ? strchr(c, '\t') : NULL;
		cells[n] = c;
		if (tab == NULL) {
			c[strcspn(c, "\n")] = '\0';
			n++;
			break;
		}
		*tab = '\0';
		c = tab + 1;
	}
	return n;
}

int format_table(const char *format, json_object *const *objs, size_t n,
		 const struct format_header *headers, podd_error_t *err)
{
	cleanup_free char *t = unescaped(format + strlen("table "));
	char *head_text = NULL, *head[TABLE_COLUMNS_MAX] = { 0 };
	char **texts = calloc(n + 1, sizeof(*texts)), ***rows = calloc(n + 1, sizeof(*rows));
	struct tmpl *parsed = NULL;
	int ncols = 0, rc = -1;

	if (t == NULL || texts == NULL || rows == NULL) {
		podd_error_sys(err, ENOMEM, "out of memory");
		goto out;
	}
	if (tmpl_parse(t, &parsed, err) < 0)
		goto out;
	ncols = table_line(parsed, NULL, headers, &head_text, head, err);
	if (ncols < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		rows[i] = calloc(TABLE_COLUMNS_MAX, sizeof(char *));
		if (rows[i] == NULL) {
			podd_error_sys(err, ENOMEM, "out of memory");
			goto out;
		}
		int k = table_line(parsed, objs[i], NULL, &texts[i], rows[i], err);
		if (k < 0)
			goto out;
		if (k > ncols)
			ncols = k;
	}
	print_columns((const char *const *)head, (size_t)ncols, rows, n);
	rc = 0;
out:
	for (size_t i = 0; texts && rows && i < n; i++) {
		free(texts[i]);
		free(rows[i]);
	}
	free(texts);
	free(rows);
	free(head_text);
	tmpl_free(parsed);
	return rc;
}
