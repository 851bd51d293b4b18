/* Go templates over JSON (template_eval.h). A template is parsed once
 * into a tree of text, actions and blocks; each action's pipeline is kept
 * as text and read again at each execution, which for --format's few
 * short actions is cheaper to get right than a second tree. Values are
 * json-c objects, each owned by one reference (JSON null is NULL). */
#include "template_eval.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"

#define PIPE_MAX 1024   /* one action's text */
#define ARGS_MAX 16     /* a command's words */
#define DEPTH_MAX 32    /* nested blocks and parentheses */

enum node_kind { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE, NODE_WITH };

struct node {
	enum node_kind kind;
	char *text;        /* NODE_TEXT: the text; the others: the pipeline */
	struct node *body; /* a block's body ... */
	struct node *alt;  /* ... and what {{else}} runs */
	struct node *next;
};

struct tmpl {
	struct node *root;
};

struct exec {
	bool fold;
	const struct format_header *headers;
	FILE *out;
	int depth;
};

static void nodes_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		free(n->text);
		nodes_free(n->body);
		nodes_free(n->alt);
		free(n);
		n = next;
	}
}

void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	nodes_free(t->root);
	free(t);
}

/* --- Parsing ------------------------------------------------------------ */

struct parser {
	const char *p;
	bool trim_next; /* the last action ended with " -}}" */
	int depth;
};

enum stop { STOP_EOF, STOP_END, STOP_ELSE, STOP_ELSE_IF };

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The "}}" closing the action that starts at `s`, past quoted text; NULL
 * when there is none. */
static const char *action_end(const char *s)
{
	char quote = 0;
	const char *c = s;

	while (is_blank(*c) || *c == '-')
		c++;
	if (c[0] == '/' && c[1] == '*') { /* a comment: quotes and braces are text */
		const char *end = strstr(c + 2, "*/");
		if (end == NULL)
			return NULL;
		for (end += 2; is_blank(*end) || *end == '-'; end++)
			;
		return end[0] == '}' && end[1] == '}' ? end : NULL;
	}
	for (; *s; s++) {
		if (quote) {
			if (quote == '"' && *s == '\\' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '`' || *s == '\'') {
			quote = *s;
		} else if (s[0] == '}' && s[1] == '}') {
			return s;
		}
	}
	return NULL;
}

static struct node *node_new(enum node_kind kind, const char *text, size_t len)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->text = strndup(text, len);
	if (n->text == NULL) {
		free(n);
		return NULL;
	}
	return n;
}

/* `word` then a blank or the end: the rest, else NULL. */
static const char *keyword(const char *s, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(s, word, n) != 0 || (s[n] && !is_blank(s[n])))
		return NULL;
	for (s += n; is_blank(*s); s++)
		;
	return s;
}

static int parse_list(struct parser *ps, struct node **out, enum stop *why, char **else_pipe,
		      podd_error_t *err);

/* A block's body and its {{else}}, up to its {{end}}; an {{else if}}
 * becomes an if in the {{else}} that the same {{end}} closes, as Go
 * reads it. */
static int parse_block(struct parser *ps, struct node *n, podd_error_t *err)
{
	enum stop why;
	cleanup_free char *pipe = NULL;

	if (++ps->depth > DEPTH_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: blocks nested too deep");
	if (parse_list(ps, &n->body, &why, &pipe, err) < 0)
		return -1;
	if (why == STOP_ELSE) {
		if (parse_list(ps, &n->alt, &why, &pipe, err) < 0)
			return -1;
		if (why != STOP_END)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  why == STOP_EOF ? "template: unexpected EOF"
							  : "template: {{else}} after {{else}}");
	} else if (why == STOP_ELSE_IF) {
		if (n->kind != NODE_IF)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: {{else if}} outside {{if}}");
		if (pipe[0] == '\0' || pipe[0] == '$')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: unsupported action \"{{else if %s}}\"", pipe);
		n->alt = node_new(NODE_IF, pipe, strlen(pipe));
		if (n->alt == NULL)
			return podd_error_sys(err, ENOMEM, "out of memory");
		ps->depth--; /* the {{else if}} is a sibling, not a level deeper */
		return parse_block(ps, n->alt, err);
	} else if (why != STOP_END) {
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: unexpected EOF");
	}
	ps->depth--;
	return 0;
}

static int parse_list(struct parser *ps, struct node **out, enum stop *why, char **else_pipe,
		      podd_error_t *err)
{
	struct node **tail = out;

	*why = STOP_EOF;
	while (*ps->p) {
		const char *open = strstr(ps->p, "{{"), *close, *text_end, *a, *a_end, *rest;
		bool trim_before, trim_after;
		struct node *n = NULL;

		if (ps->trim_next)
			while (is_blank(*ps->p))
				ps->p++;
		ps->trim_next = false;
		if (open == NULL || open < ps->p)
			open = strstr(ps->p, "{{");
		text_end = open ? open : ps->p + strlen(ps->p);
		trim_before = open && open[2] == '-' && is_blank(open[3]);
		if (trim_before)
			while (text_end > ps->p && is_blank(text_end[-1]))
				text_end--;
		if (text_end > ps->p) {
			n = node_new(NODE_TEXT, ps->p, (size_t)(text_end - ps->p));
			if (n == NULL)
				return podd_error_sys(err, ENOMEM, "out of memory");
			*tail = n;
			tail = &n->next;
		}
		if (open == NULL) {
			ps->p += strlen(ps->p);
			break;
		}
		a = open + (trim_before ? 4 : 2);
		close = action_end(a);
		if (close == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: unclosed action");
		trim_after = close - a >= 2 && close[-1] == '-' && is_blank(close[-2]);
		a_end = trim_after ? close - 2 : close;
		while (a < a_end && is_blank(*a))
			a++;
		while (a_end > a && is_blank(a_end[-1]))
			a_end--;
		ps->p = close + 2;
		ps->trim_next = trim_after;
		if ((size_t)(a_end - a) >= PIPE_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "template action too long");
		char act[PIPE_MAX];
		memcpy(act, a, (size_t)(a_end - a));
		act[a_end - a] = '\0';
		if (act[0] == '/' && act[1] == '*')
			continue; /* a comment */
		if (strcmp(act, "end") == 0) {
			*why = STOP_END;
			return 0;
		}
		if (strcmp(act, "else") == 0) {
			*why = STOP_ELSE;
			return 0;
		}
		if ((rest = keyword(act, "else")) != NULL && (rest = keyword(rest, "if")) != NULL) {
			*else_pipe = strdup(rest);
			if (*else_pipe == NULL)
				return podd_error_sys(err, ENOMEM, "out of memory");
			*why = STOP_ELSE_IF;
			return 0;
		}
		enum node_kind kind = NODE_ACTION;
		rest = act;
		if ((rest = keyword(act, "if")) != NULL)
			kind = NODE_IF;
		else if ((rest = keyword(act, "range")) != NULL)
			kind = NODE_RANGE;
		else if ((rest = keyword(act, "with")) != NULL)
			kind = NODE_WITH;
		else
			rest = act;
		if (rest[0] == '\0' || rest[0] == '$' || keyword(rest, "define") ||
		    keyword(act, "define") || keyword(act, "block") || keyword(act, "template"))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: unsupported action \"{{%s}}\"", act);
		n = node_new(kind, rest, strlen(rest));
		if (n == NULL)
			return podd_error_sys(err, ENOMEM, "out of memory");
		*tail = n;
		tail = &n->next;
		if (kind != NODE_ACTION && parse_block(ps, n, err) < 0)
			return -1;
	}
	return 0;
}

int tmpl_parse(const char *text, struct tmpl **out, podd_error_t *err)
{
	struct parser ps = { .p = text };
	struct tmpl *t = calloc(1, sizeof(*t));
	enum stop why;
	char *pipe = NULL;

	if (t == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	if (parse_list(&ps, &t->root, &why, &pipe, err) < 0) {
		free(pipe);
		tmpl_free(t);
		return -1;
	}
	free(pipe);
	if (why != STOP_EOF) {
		tmpl_free(t);
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: unexpected {{%s}}",
				  why == STOP_END ? "end" : "else");
	}
	*out = t;
	return 0;
}

/* --- Values ------------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's keys, sorted (Go prints and ranges over maps so). */
static const char **sorted_keys(json_object *v, size_t *n)
{
	size_t i = 0;
	const char **keys;

	*n = (size_t)json_object_object_length(v);
	keys = calloc(*n ? *n : 1, sizeof(*keys));
	if (keys == NULL)
		return NULL;
	json_object_object_foreach(v, k, ignored) {
		(void)ignored;
		keys[i++] = k;
	}
	qsort(keys, *n, sizeof(*keys), key_cmp);
	return keys;
}

/* One value as Go's text/template prints it: strings bare, arrays as
 * [a b], maps as map[k:v ...] with sorted keys, nothing as <no value>. */
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
		size_t n;
		const char **keys = sorted_keys(v, &n);
		fputs("map[", out);
		for (size_t i = 0; keys && i < n; i++) {
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

/* Go's truth: false, 0, "", empty arrays and maps and nothing are false. */
static bool truth(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	}
	return false;
}

static json_object *ref(json_object *v)
{
	return v ? json_object_get(v) : NULL;
}

static void unref(json_object **v)
{
	if (*v)
		json_object_put(*v);
	*v = NULL;
}

/* Member `field` of `obj`; with `fold`, a key that differs from it only
 * in case when none matches exactly. */
static bool member_get(json_object *obj, const char *field, bool fold, json_object **out)
{
	if (!json_object_is_type(obj, json_type_object))
		return false;
	if (json_object_object_get_ex(obj, field, out))
		return true;
	if (!fold)
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

/* --- Pipelines ---------------------------------------------------------- */

/* The end of the word at s: a quoted string, a parenthesized pipeline, or
 * anything up to a blank, '|' or ')'. NULL when a quote or parenthesis is
 * not closed. */
static const char *word_end(const char *s)
{
	if (*s == '"' || *s == '`' || *s == '\'') {
		char q = *s;
		for (s++; *s && *s != q; s++)
			if (q == '"' && *s == '\\' && s[1])
				s++;
		return *s ? s + 1 : NULL;
	}
	if (*s == '(') {
		int depth = 0;
		for (; *s; s++) {
			if (*s == '"' || *s == '`' || *s == '\'') {
				s = word_end(s);
				if (s == NULL)
					return NULL;
				s--;
			} else if (*s == '(') {
				depth++;
			} else if (*s == ')' && --depth == 0) {
				return s + 1;
			}
		}
		return NULL;
	}
	while (*s && !is_blank(*s) && *s != '|' && *s != '(' && *s != ')')
		s++;
	return s;
}

static int eval_pipeline(const char *src, size_t len, json_object *dot, struct exec *x,
			 json_object **out, podd_error_t *err);

/* "..." (Go's escapes \n \t \\ \"), `...` (raw) or '.' (a character, as
 * its number). */
static int string_literal(const char *w, size_t len, json_object **out, podd_error_t *err)
{
	cleanup_free char *s = malloc(len);
	size_t n = 0;

	if (s == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	if (w[0] == '\'') {
		if (len != 3)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: unsupported character literal %.*s", (int)len, w);
		*out = json_object_new_int64((unsigned char)w[1]);
		return 0;
	}
	for (size_t i = 1; i + 1 < len; i++) {
		char c = w[i];
		if (w[0] == '"' && c == '\\') {
			c = w[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		s[n++] = c;
	}
	*out = json_object_new_string_len(s, (int)n);
	return 0;
}

/* A word's value: ., .A.B, (pipeline), a literal, or a function named
 * alone (true, false, nil). */
static int eval_word(const char *w, size_t len, json_object *dot, struct exec *x,
		     json_object **out, podd_error_t *err)
{
	char buf[PIPE_MAX], *save = NULL;
	json_object *cur = dot;

	*out = NULL;
	if (len >= sizeof(buf))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template action too long");
	memcpy(buf, w, len);
	buf[len] = '\0';
	if (buf[0] == '(') {
		if (++x->depth > DEPTH_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: parentheses nested too deep");
		int rc = eval_pipeline(w + 1, len - 2, dot, x, out, err);
		x->depth--;
		return rc;
	}
	if (buf[0] == '"' || buf[0] == '`' || buf[0] == '\'')
		return string_literal(buf, len, out, err);
	if (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0) {
		*out = json_object_new_boolean(buf[0] == 't');
		return 0;
	}
	if (strcmp(buf, "nil") == 0)
		return 0;
	if (isdigit((unsigned char)buf[0]) || (buf[0] == '-' && isdigit((unsigned char)buf[1]))) {
		char *end;
		errno = 0;
		long long v = strtoll(buf, &end, 0);
		if (*end || errno)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: bad number syntax: \"%s\"", buf);
		*out = json_object_new_int64(v);
		return 0;
	}
	if (buf[0] != '.')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: function \"%s\" not defined", buf);
	for (char *f = strtok_r(buf + 1, ".", &save); f; f = strtok_r(NULL, ".", &save))
		if (!member_get(cur, f, x->fold, &cur))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: can't evaluate field %s", f);
	*out = ref(cur);
	return 0;
}

static bool is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* -1, 0 or 1 as Go's lt/eq compare two basic values of one kind; -2 when
 * they cannot be compared. */
static int compare(json_object *a, json_object *b)
{
	if (is_number(a) && is_number(b)) {
		double x = json_object_get_double(a), y = json_object_get_double(b);
		if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int)) {
			int64_t i = json_object_get_int64(a), j = json_object_get_int64(b);
			return i < j ? -1 : i > j;
		}
		return x < y ? -1 : x > y;
	}
	if (json_object_is_type(a, json_type_string) && json_object_is_type(b, json_type_string)) {
		int c = strcmp(json_object_get_string(a), json_object_get_string(b));
		return c < 0 ? -1 : c > 0;
	}
	if (json_object_is_type(a, json_type_boolean) && json_object_is_type(b, json_type_boolean))
		return json_object_get_boolean(a) == json_object_get_boolean(b) ? 0 : 1;
	if (a == NULL && b == NULL)
		return 0;
	return -2;
}

/* printf's verbs podman users write: %s %v %d %q and %%. */
static int go_printf(json_object **argv, int argc, json_object **out, podd_error_t *err)
{
	cleanup_free char *s = NULL;
	size_t len = 0;
	FILE *f;
	int next = 1;

	if (argc < 1 || !json_object_is_type(argv[0], json_type_string))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: printf wants a format string");
	f = open_memstream(&s, &len);
	if (f == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	for (const char *p = json_object_get_string(argv[0]); *p; p++) {
		if (*p != '%' || p[1] == '\0') {
			fputc(*p, f);
			continue;
		}
		char verb = *++p;
		if (verb == '%') {
			fputc('%', f);
		} else if (next >= argc) {
			fprintf(f, "%%!%c(MISSING)", verb);
		} else if (verb == 's' || verb == 'v' || verb == 'd') {
			print_value(f, argv[next++]);
		} else if (verb == 'q') {
			fputs(json_object_to_json_string_ext(argv[next++], JSON_C_TO_STRING_PLAIN |
										 JSON_C_TO_STRING_NOSLASHESCAPE),
			      f);
		} else {
			fclose(f);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: printf verb %%%c is not supported", verb);
		}
	}
	if (fclose(f) != 0)
		return podd_error_sys(err, ENOMEM, "out of memory");
	*out = json_object_new_string(s ? s : "");
	return 0;
}

/* Go's fmt.Sprint: a space between two operands when neither is a
 * string; Sprintln: always, and a newline. */
static json_object *go_print(json_object **argv, int argc, bool ln)
{
	cleanup_free char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i && (ln || (!json_object_is_type(argv[i - 1], json_type_string) &&
				 !json_object_is_type(argv[i], json_type_string))))
			fputc(' ', f);
		print_value(f, argv[i]);
	}
	if (ln)
		fputc('\n', f);
	if (fclose(f) != 0)
		return NULL;
	return json_object_new_string(s ? s : "");
}

static int want_args(const char *fn, int argc, int min, int max, podd_error_t *err)
{
	if (argc < min || argc > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: wrong number of args for %s: want %d got %d", fn, min,
				  argc);
	return 0;
}

static int want_string(const char *fn, json_object *v, podd_error_t *err)
{
	if (!json_object_is_type(v, json_type_string))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: %s: wrong type for value; expected string", fn);
	return 0;
}

static int call_index(json_object **argv, int argc, json_object **out, podd_error_t *err)
{
	json_object *cur = argv[0];

	for (int i = 1; i < argc; i++) {
		if (json_object_is_type(cur, json_type_array) &&
		    json_object_is_type(argv[i], json_type_int)) {
			int64_t k = json_object_get_int64(argv[i]);
			if (k < 0 || (size_t)k >= json_object_array_length(cur))
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "template: index out of range: %" PRId64, k);
			cur = json_object_array_get_idx(cur, (size_t)k);
		} else if (json_object_is_type(cur, json_type_object) &&
			   json_object_is_type(argv[i], json_type_string)) {
			/* a map's missing key: its zero value, "" for podman's
			 * string maps (labels, annotations) */
			if (!json_object_object_get_ex(cur, json_object_get_string(argv[i]), &cur)) {
				*out = json_object_new_string("");
				return *out ? 0 : podd_error_sys(err, ENOMEM, "out of memory");
			}
		} else if (cur == NULL) {
			/* a nil map: its zero value, as a missing key */
			*out = json_object_new_string("");
			return *out ? 0 : podd_error_sys(err, ENOMEM, "out of memory");
		} else {
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: can't index item of type %s",
					  json_type_to_name(json_object_get_type(cur)));
		}
	}
	*out = ref(cur);
	return 0;
}

/* Upper, lower or title case: strings.ToUpper, ToLower and Title (each
 * letter after a non-letter capitalized). */
static json_object *recased(const char *s, int how)
{
	cleanup_free char *t = strdup(s);
	bool start = true;

	if (t == NULL)
		return NULL;
	for (char *c = t; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (how > 0)
			*c = (char)toupper(u);
		else if (how < 0)
			*c = (char)tolower(u);
		else if (start && isalpha(u))
			*c = (char)toupper(u);
		start = !isalnum(u) && u != '_' && u != '\'';
	}
	return json_object_new_string(t);
}

static int call(const char *fn, json_object **argv, int argc, json_object **out,
		podd_error_t *err)
{
	*out = NULL;
	if (strcmp(fn, "not") == 0) {
		if (want_args(fn, argc, 1, 1, err) < 0)
			return -1;
		*out = json_object_new_boolean(!truth(argv[0]));
	} else if (strcmp(fn, "and") == 0 || strcmp(fn, "or") == 0) {
		int i = 0;
		if (want_args(fn, argc, 1, ARGS_MAX, err) < 0)
			return -1;
		for (; i < argc - 1; i++)
			if (truth(argv[i]) == (fn[0] == 'o'))
				break;
		*out = ref(argv[i]);
		return 0;
	} else if (strcmp(fn, "len") == 0) {
		if (want_args(fn, argc, 1, 1, err) < 0)
			return -1;
		if (json_object_is_type(argv[0], json_type_array))
			*out = json_object_new_int64((int64_t)json_object_array_length(argv[0]));
		else if (json_object_is_type(argv[0], json_type_object))
			*out = json_object_new_int64(json_object_object_length(argv[0]));
		else if (json_object_is_type(argv[0], json_type_string))
			*out = json_object_new_int64(json_object_get_string_len(argv[0]));
		else
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: len of %s",
					  json_type_to_name(json_object_get_type(argv[0])));
	} else if (strcmp(fn, "index") == 0) {
		if (want_args(fn, argc, 1, ARGS_MAX, err) < 0)
			return -1;
		return call_index(argv, argc, out, err);
	} else if (strcmp(fn, "eq") == 0 || strcmp(fn, "ne") == 0) {
		bool eq = false;
		if (want_args(fn, argc, 2, fn[0] == 'e' ? ARGS_MAX : 2, err) < 0)
			return -1;
		for (int i = 1; i < argc && !eq; i++) {
			int c = compare(argv[0], argv[i]);
			if (c == -2)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "template: %s: incompatible types for comparison",
						  fn);
			eq = c == 0;
		}
		*out = json_object_new_boolean(fn[0] == 'e' ? eq : !eq);
	} else if (strcmp(fn, "lt") == 0 || strcmp(fn, "le") == 0 || strcmp(fn, "gt") == 0 ||
		   strcmp(fn, "ge") == 0) {
		if (want_args(fn, argc, 2, 2, err) < 0)
			return -1;
		int c = compare(argv[0], argv[1]);
		if (c == -2 || json_object_is_type(argv[0], json_type_boolean))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: %s: incompatible types for comparison", fn);
		bool r = fn[0] == 'l' ? (fn[1] == 't' ? c < 0 : c <= 0) : (fn[1] == 't' ? c > 0 : c >= 0);
		*out = json_object_new_boolean(r);
	} else if (strcmp(fn, "print") == 0 || strcmp(fn, "println") == 0) {
		*out = go_print(argv, argc, fn[5] == 'l');
	} else if (strcmp(fn, "printf") == 0) {
		return go_printf(argv, argc, out, err);
	} else if (strcmp(fn, "json") == 0) {
		if (want_args(fn, argc, 1, 1, err) < 0)
			return -1;
		*out = json_object_new_string(json_object_to_json_string_ext(
			argv[0], JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (strcmp(fn, "upper") == 0 || strcmp(fn, "lower") == 0 ||
		   strcmp(fn, "title") == 0) {
		if (want_args(fn, argc, 1, 1, err) < 0 || want_string(fn, argv[0], err) < 0)
			return -1;
		*out = recased(json_object_get_string(argv[0]),
			       fn[0] == 'u' ? 1 : fn[0] == 'l' ? -1 : 0);
	} else if (strcmp(fn, "truncate") == 0) {
		if (want_args(fn, argc, 2, 2, err) < 0 || want_string(fn, argv[0], err) < 0)
			return -1;
		if (!json_object_is_type(argv[1], json_type_int) || json_object_get_int64(argv[1]) < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: truncate: expected integer");
		size_t n = (size_t)json_object_get_int64(argv[1]), l = strlen(
								    json_object_get_string(argv[0]));
		*out = json_object_new_string_len(json_object_get_string(argv[0]),
						  (int)(n < l ? n : l));
	} else if (strcmp(fn, "join") == 0) {
		cleanup_free char *s = NULL;
		size_t len = 0;
		FILE *f;
		if (want_args(fn, argc, 2, 2, err) < 0 || want_string(fn, argv[1], err) < 0)
			return -1;
		if (!json_object_is_type(argv[0], json_type_array))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: join: expected a list");
		f = open_memstream(&s, &len);
		if (f == NULL)
			return podd_error_sys(err, ENOMEM, "out of memory");
		for (size_t i = 0; i < json_object_array_length(argv[0]); i++) {
			if (i)
				fputs(json_object_get_string(argv[1]), f);
			print_value(f, json_object_array_get_idx(argv[0], i));
		}
		if (fclose(f) != 0)
			return podd_error_sys(err, ENOMEM, "out of memory");
		*out = json_object_new_string(s ? s : "");
	} else if (strcmp(fn, "split") == 0) {
		if (want_args(fn, argc, 2, 2, err) < 0 || want_string(fn, argv[0], err) < 0 ||
		    want_string(fn, argv[1], err) < 0)
			return -1;
		const char *s = json_object_get_string(argv[0]), *sep = json_object_get_string(argv[1]);
		size_t seplen = strlen(sep);
		*out = json_object_new_array();
		if (seplen == 0) {
			for (; *s; s++)
				json_object_array_add(*out, json_object_new_string_len(s, 1));
		} else {
			for (const char *at; (at = strstr(s, sep)) != NULL; s = at + seplen)
				json_object_array_add(*out,
						      json_object_new_string_len(s, (int)(at - s)));
			json_object_array_add(*out, json_object_new_string(s));
		}
	} else {
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: function \"%s\" not defined", fn);
	}
	if (*out == NULL && strcmp(fn, "index") != 0)
		return podd_error_sys(err, ENOMEM, "out of memory");
	return 0;
}

static const char *const functions[] = { "and", "eq", "ge", "gt", "index", "join", "json",
					  "le", "len", "lower", "lt", "ne", "not", "or", "print",
					  "printf", "println", "split", "title", "truncate", "upper",
					  NULL };

/* A word that names a function (true, false and nil are values). */
static bool is_function_name(const char *w, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)w[0]) || w[0] == '_'))
		return false;
	if ((len == 4 && strncmp(w, "true", 4) == 0) || (len == 5 && strncmp(w, "false", 5) == 0) ||
	    (len == 3 && strncmp(w, "nil", 3) == 0))
		return false;
	return true;
}

static bool is_defined(const char *fn)
{
	for (const char *const *f = functions; *f; f++)
		if (strcmp(*f, fn) == 0)
			return true;
	return false;
}

/* One command of a pipeline: a function and its arguments (the previous
 * command's value last), or a single value. */
static int eval_command(const char *s, const char *end, json_object *dot, json_object *prev,
			bool has_prev, struct exec *x, json_object **out, podd_error_t *err)
{
	const char *words[ARGS_MAX];
	size_t lens[ARGS_MAX];
	json_object *argv[ARGS_MAX + 1] = { 0 };
	int nw = 0, argc = 0, rc = -1;
	char fn[64];

	while (s < end) {
		const char *we;
		while (s < end && is_blank(*s))
			s++;
		if (s >= end)
			break;
		we = word_end(s);
		if (we == NULL || we > end || we == s)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: unexpected \"%.*s\"", (int)(end - s), s);
		if (nw == ARGS_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: too many arguments");
		words[nw] = s;
		lens[nw++] = (size_t)(we - s);
		s = we;
	}
	if (nw == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: missing value for command");
	if (!is_function_name(words[0], lens[0])) {
		if (nw > 1 || has_prev)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "template: can't give argument to non-function %.*s",
					  (int)lens[0], words[0]);
		return eval_word(words[0], lens[0], dot, x, out, err);
	}
	snprintf(fn, sizeof(fn), "%.*s", (int)lens[0], words[0]);
	/* Go refuses an unknown function before it runs anything */
	if (lens[0] >= sizeof(fn) || !is_defined(fn))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "template: function \"%.*s\" not defined", (int)lens[0], words[0]);
	for (int i = 1; i < nw; i++)
		if (eval_word(words[i], lens[i], dot, x, &argv[argc++], err) < 0)
			goto out;
	if (has_prev)
		argv[argc++] = ref(prev);
	rc = call(fn, argv, argc, out, err);
out:
	for (int i = 0; i < argc; i++)
		unref(&argv[i]);
	return rc;
}

static int eval_pipeline(const char *src, size_t len, json_object *dot, struct exec *x,
			 json_object **out, podd_error_t *err)
{
	const char *s = src, *end = src + len;
	json_object *prev = NULL;
	bool has_prev = false;

	*out = NULL;
	while (s < end) {
		const char *c = s, *bar = end;
		/* the command runs to the next '|' outside quotes and parentheses */
		while (c < end) {
			if (*c == '"' || *c == '`' || *c == '\'' || *c == '(') {
				c = word_end(c);
				if (c == NULL || c > end) {
					unref(&prev);
					return podd_error(err, PODD_E_INVALID_ARGUMENT,
							  "template: unterminated quote or "
							  "parenthesis");
				}
				continue;
			}
			if (*c == '|') {
				bar = c;
				break;
			}
			c++;
		}
		json_object *v = NULL;
		int rc = eval_command(s, bar, dot, prev, has_prev, x, &v, err);
		unref(&prev);
		if (rc < 0)
			return -1;
		prev = v;
		has_prev = true;
		s = bar < end ? bar + 1 : end;
	}
	if (!has_prev)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "template: missing value for command");
	*out = prev;
	return 0;
}

/* --- Execution ---------------------------------------------------------- */

/* A field's header, as c/common's report.Headers makes it: the name split
 * at its words (fatih/camelcase: "CreatedAt" CREATED AT, "ImageID" IMAGE
 * ID, "HTTPPort" HTTP PORT) in capitals, unless the command names it. */
static void print_header(FILE *out, const char *field, size_t len,
			 const struct format_header *headers)
{
	for (const struct format_header *h = headers; h->field; h++)
		if (strlen(h->field) == len && strncmp(h->field, field, len) == 0) {
			fputs(h->header, out);
			return;
		}
	for (size_t i = 0; i < len; i++) {
		unsigned char p = i ? (unsigned char)field[i - 1] : 0, u = (unsigned char)field[i],
			      n = i + 1 < len ? (unsigned char)field[i + 1] : 0;
		bool word = i > 0 && ((isupper(u) && (islower(p) || isdigit(p))) ||
				      (isupper(u) && isupper(p) && islower(n)) ||
				      (isdigit(u) && !isdigit(p)) || (!isdigit(u) && isdigit(p)));
		if (word)
			fputc(' ', out);
		fputc(toupper(u), out);
	}
}

/* The header of the first field an action names: its last part. */
static void action_header(const char *pipe, struct exec *x)
{
	for (const char *p = pipe; *p; p++) {
		if (*p == '"' || *p == '`' || *p == '\'') {
			const char *e = word_end(p);
			if (e == NULL)
				return;
			p = e - 1;
		} else if (*p == '.' && p[1] && (p == pipe || !isalnum((unsigned char)p[-1]))) {
			const char *e = p + 1, *last = p + 1;
			while (*e && (isalnum((unsigned char)*e) || *e == '_' || *e == '.')) {
				if (*e == '.')
					last = e + 1;
				e++;
			}
			if (e > last) {
				print_header(x->out, last, (size_t)(e - last), x->headers);
				return;
			}
		}
	}
}

static int exec_list(const struct node *n, json_object *dot, struct exec *x, podd_error_t *err);

static int exec_node(const struct node *n, json_object *dot, struct exec *x, podd_error_t *err)
{
	json_object *v = NULL;
	int rc = 0;

	if (n->kind == NODE_TEXT) {
		fputs(n->text, x->out);
		return 0;
	}
	if (x->headers) {
		if (n->kind == NODE_ACTION)
			action_header(n->text, x);
		else
			rc = exec_list(n->body, dot, x, err);
		return rc;
	}
	if (eval_pipeline(n->text, strlen(n->text), dot, x, &v, err) < 0)
		return -1;
	switch (n->kind) {
	case NODE_ACTION:
		print_value(x->out, v);
		break;
	case NODE_IF:
		rc = exec_list(truth(v) ? n->body : n->alt, dot, x, err);
		break;
	case NODE_WITH:
		rc = exec_list(truth(v) ? n->body : n->alt, truth(v) ? v : dot, x, err);
		break;
	case NODE_RANGE:
		if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
			for (size_t i = 0; rc == 0 && i < json_object_array_length(v); i++)
				rc = exec_list(n->body, json_object_array_get_idx(v, i), x, err);
		} else if (json_object_is_type(v, json_type_object) &&
			   json_object_object_length(v) > 0) {
			size_t k;
			const char **keys = sorted_keys(v, &k);
			if (keys == NULL) {
				rc = podd_error_sys(err, ENOMEM, "out of memory");
				break;
			}
			for (size_t i = 0; rc == 0 && i < k; i++) {
				json_object *item = NULL;
				json_object_object_get_ex(v, keys[i], &item);
				rc = exec_list(n->body, item, x, err);
			}
			free(keys);
		} else if (v == NULL || json_object_is_type(v, json_type_array) ||
			   json_object_is_type(v, json_type_object)) {
			rc = exec_list(n->alt, dot, x, err);
		} else {
			rc = podd_error(err, PODD_E_INVALID_ARGUMENT,
					"template: range can't iterate over %s", n->text);
		}
		break;
	case NODE_TEXT:
		break;
	}
	unref(&v);
	return rc;
}

static int exec_list(const struct node *n, json_object *dot, struct exec *x, podd_error_t *err)
{
	for (; n; n = n->next)
		if (exec_node(n, dot, x, err) < 0)
			return -1;
	return 0;
}

int tmpl_exec(const struct tmpl *t, json_object *dot, bool fold,
	      const struct format_header *headers, FILE *out, podd_error_t *err)
{
	struct exec x = { .fold = fold, .headers = headers, .out = out };
	return exec_list(t->root, dot, &x, err);
}
