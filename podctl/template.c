/* --format templates (podctl.h): the subset of Go's text/template podman
 * users write, {{.A.B}} and {{json .A}} with text around them, over the
 * JSON object a command builds for each row, and c/common's "table"
 * layout. Anything else in {{ }} is an error that says what is supported.
 * Go's templates have no C library; this reads no more of them than it
 * must. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "podctl.h"

#define ACTION_MAX 512
#define TABLE_COLUMNS_MAX 16

/* How an action is printed: its field's value, or (a table's heading) the
 * field's header. */
struct render {
	json_object *obj;
	bool fold;                           /* field names match keys in any case */
	const struct format_header *headers; /* non-NULL: print headers */
	FILE *out;
};

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One value as Go's text/template prints it: strings bare, arrays as
 * [a b], maps as map[k:v ...] with sorted keys. */
static void print_value(FILE *out, json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		fputs("<no value>", out);
		break;
	case json_type_string:
		fputs(json_object_get_string(v), out);
		break;
	case json_type_array:
		fputc('[', out);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				fputc(' ', out);
			print_value(out, json_object_array_get_idx(v, i));
		}
		fputc(']', out);
		break;
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(v), i = 0;
		const char **keys = calloc(n ? n : 1, sizeof(*keys));
		if (keys == NULL) {
			fputs("map[]", out);
			break;
		}
		json_object_object_foreach(v, k, ignored) {
			(void)ignored;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), key_cmp);
		fputs("map[", out);
		for (i = 0; i < n; i++) {
			json_object *item = NULL;
			json_object_object_get_ex(v, keys[i], &item);
			fprintf(out, "%s%s:", i ? " " : "", keys[i]);
			print_value(out, item);
		}
		fputc(']', out);
		free(keys);
		break;
	}
	default:
		fputs(json_object_get_string(v), out);
		break;
	}
}

/* Member `field` of `obj`; with `fold`, a key that differs from it only
 * in case when none matches exactly. */
static bool member_get(json_object *obj, const char *field, bool fold, json_object **out)
{
	if (json_object_object_get_ex(obj, field, out))
		return true;
	if (!fold || !json_object_is_type(obj, json_type_object))
		return false;
	json_object_object_foreach(obj, key, val)
	{
		if (strcasecmp(key, field) == 0) {
			*out = val;
			return true;
		}
	}
	return false;
}

/* A field's header, as c/common's report.Headers makes it: the name split
 * at its words (fatih/camelcase: "CreatedAt" CREATED AT, "ImageID" IMAGE
 * ID, "HTTPPort" HTTP PORT) in capitals, unless the command names it. */
static void print_header(FILE *out, const char *field, const struct format_header *headers)
{
	for (const struct format_header *h = headers; h->field; h++)
		if (strcmp(h->field, field) == 0) {
			fputs(h->header, out);
			return;
		}
	for (const char *c = field; *c; c++) {
		unsigned char p = c > field ? (unsigned char)c[-1] : 0, u = (unsigned char)*c,
			      n = (unsigned char)c[1];
		bool word = c > field &&
			    ((isupper(u) && (islower(p) || isdigit(p))) ||
			     (isupper(u) && isupper(p) && islower(n)) || (isdigit(u) && !isdigit(p)) ||
			     (!isdigit(u) && isdigit(p)));
		if (word)
			fputc(' ', out);
		fputc(toupper(u), out);
	}
}

static int eval_action(const char *act, size_t len, const struct render *r, podd_error_t *err)
{
	char buf[ACTION_MAX];
	bool as_json = false;
	char *p, *save = NULL, *field, *last = NULL;
	json_object *cur = r->obj;

	if (len >= sizeof(buf))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template action too long");
	memcpy(buf, act, len);
	buf[len] = '\0';
	p = buf;
	while (*p == ' ')
		p++;
	if (strncmp(p, "json ", 5) == 0) {
		as_json = true;
		p += 5;
		while (*p == ' ')
			p++;
	}
	for (char *end = p + strlen(p); end > p && end[-1] == ' '; end--)
		end[-1] = '\0';
	if (p[0] != '.')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: unsupported action \"{{%s}}\" (use {{.Field}} or "
				  "{{json .Field}})", buf);
	for (field = strtok_r(p + 1, ".", &save); field; field = strtok_r(NULL, ".", &save)) {
		if (!r->headers && !member_get(cur, field, r->fold, &cur))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: can't evaluate field %s", field);
		last = field;
	}
	if (r->headers) {
		if (last)
			print_header(r->out, last, r->headers);
	} else if (as_json) {
		fputs(json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE),
		      r->out);
	} else {
		print_value(r->out, cur);
	}
	return 0;
}

/* `tmpl` once, without the newline a record ends with. */
static int render(const char *tmpl, const struct render *r, podd_error_t *err)
{
	const char *p = tmpl;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		if (open == NULL) {
			fputs(p, r->out);
			break;
		}
		fwrite(p, 1, (size_t)(open - p), r->out);
		close = strstr(open + 2, "}}");
		if (close == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: unclosed action");
		if (eval_action(open + 2, (size_t)(close - open - 2), r, err) < 0)
			return -1;
		p = close + 2;
	}
	return 0;
}

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
	struct render r = { .obj = obj, .fold = fold, .out = stdout };

	if (t == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	if (render(t, &r, err) < 0)
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

/* One rendering (a row, or the heading) split at its tabs into `cells`
 * (at most TABLE_COLUMNS_MAX; the last takes what is left). Returns the
 * number of cells, or -1. The cells point into *text, which the caller
 * frees. */
static int table_line(const char *tmpl, const struct render *base, json_object *obj,
		      char **text, char **cells, podd_error_t *err)
{
	struct render r = *base;
	size_t len = 0;
	int n = 0;

	r.obj = obj;
	*text = NULL;
	r.out = open_memstream(text, &len);
	if (r.out == NULL)
		return podd_error_sys(err, errno, "out of memory");
	if (render(tmpl, &r, err) < 0) {
		fclose(r.out);
		return -1;
	}
	if (fclose(r.out) != 0)
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
	struct render r = { .headers = headers };
	int ncols = 0, rc = -1;

	if (t == NULL || texts == NULL || rows == NULL) {
		podd_error_sys(err, ENOMEM, "out of memory");
		goto out;
	}
	ncols = table_line(t, &r, NULL, &head_text, head, err);
	if (ncols < 0)
		goto out;
	r.headers = NULL;
	for (size_t i = 0; i < n; i++) {
		rows[i] = calloc(TABLE_COLUMNS_MAX, sizeof(char *));
		if (rows[i] == NULL) {
			podd_error_sys(err, ENOMEM, "out of memory");
			goto out;
		}
		int k = table_line(t, &r, objs[i], &texts[i], rows[i], err);
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
	return rc;
}
