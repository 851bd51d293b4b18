/* JSON as strictly as containers/image reads its files (json_strict.h). */
#include "json_strict.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* json-c keeps the last of two equal keys; c/image refuses the file. The
 * text's members are counted per object (a ':' directly inside it), in
 * document order, and compared with the tree's objects in the same order:
 * a duplicate makes an object shorter than its text. -1: too many or too
 * deep; -2: a \u0000 escape in a string. */
static int count_members(const char *s, size_t *counts, size_t max, size_t *n)
{
	struct {
		bool object;
		size_t index;
	} stack[JSON_DEPTH_MAX + 1];
	size_t depth = 0;
	bool in_string = false;

	*n = 0;
	for (; *s; s++) {
		char c = *s;
		if (in_string) {
			/* \u0000: json-c would cut a key at it and strcmp a
			 * value; podman would not. The file is refused. */
			if (c == '\\' && strncmp(s + 1, "u0000", 5) == 0)
				return -2;
			if (c == '\\' && s[1])
				s++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			break;
		case '{':
		case '[':
			if (depth >= JSON_DEPTH_MAX || (c == '{' && *n >= max))
				return -1;
			stack[depth].object = c == '{';
			if (c == '{') {
				stack[depth].index = *n;
				counts[(*n)++] = 0;
			}
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return -1;
			depth--;
			break;
		case ':':
			if (depth > 0 && stack[depth - 1].object)
				counts[stack[depth - 1].index]++;
			break;
		default:
			break;
		}
	}
	return 0;
}

static bool members_match(json_object *o, const size_t *counts, size_t n, size_t *i)
{
	switch (json_object_get_type(o)) {
	case json_type_object:
		if (*i >= n || counts[(*i)++] != (size_t)json_object_object_length(o))
			return false;
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			if (!members_match(v, counts, n, i))
				return false;
		}
		return true;
	case json_type_array:
		for (size_t e = 0; e < json_object_array_length(o); e++)
			if (!members_match(json_object_array_get_idx(o, e), counts, n, i))
				return false;
		return true;
	case json_type_null:
	case json_type_boolean:
	case json_type_double:
	case json_type_int:
	case json_type_string:
	default:
		return true;
	}
}

struct raw_key {
	const char *s; /* the key's text between its quotes, escapes as written */
	size_t len;
};

static int raw_key_cmp(const void *a, const void *b)
{
	const struct raw_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The key twice in the k-th object of the text (document order), for
 * podman's `Duplicate key "NAME"`: its direct members' keys as written,
 * sorted. False when no two are written alike (an escape spelling the
 * same key differently): the caller names no key then. */
static bool duplicate_key(const char *text, size_t k, char *out, size_t size)
{
	const char *s = text, *key = NULL;
	size_t seen = 0, depth = 0, n = 0, cap = 0;
	bool in_string = false, expect_key = false, found = false;
	struct raw_key *keys = NULL;

	/* The k-th '{' outside strings. */
	for (; *s; s++) {
		if (in_string) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				in_string = false;
		} else if (*s == '"') {
			in_string = true;
		} else if (*s == '{' && seen++ == k) {
			break;
		}
	}
	if (*s != '{')
		return false;
	/* Its members: a string right after '{' or ',' at its own level. */
	for (; *s; s++) {
		char c = *s;
		if (in_string) {
			if (c == '\\' && s[1]) {
				s++;
			} else if (c == '"') {
				in_string = false;
				if (key) {
					struct raw_key *grown;
					if (n == cap) {
						cap = cap ? 2 * cap : 16;
						grown = realloc(keys, cap * sizeof(*keys));
						if (grown == NULL)
							break;
						keys = grown;
					}
					keys[n].s = key;
					keys[n++].len = (size_t)(s - key);
					key = NULL;
				}
			}
			continue;
		}
		if (c == '"') {
			in_string = true;
			if (depth == 1 && expect_key)
				key = s + 1;
			expect_key = false;
		} else if (c == '{' || c == '[') {
			depth++;
			expect_key = depth == 1;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				break;
		} else if (c == ',' && depth == 1) {
			expect_key = true;
		}
	}
	if (n > 1) {
		qsort(keys, n, sizeof(*keys), raw_key_cmp);
		for (size_t i = 1; i < n && !found; i++)
			if (raw_key_cmp(&keys[i - 1], &keys[i]) == 0) {
				snprintf(out, size, "%.*s", (int)keys[i].len, keys[i].s);
				found = true;
			}
	}
	free(keys);
	return found;
}

json_object *json_strict_parse(const char *text, podd_error_t *err)
{
	size_t len = strlen(text), end, i = 0, n;
	cleanup_free size_t *counts = NULL;
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	json_object *root;
	enum json_tokener_error jerr;

	if (tok == NULL) {
		podd_error_sys(err, ENOMEM, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL || jerr != json_tokener_success) {
		json_object_put(root);
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s",
			jerr == json_tokener_continue ? "unexpected end of JSON input"
						      : json_tokener_error_desc(jerr));
		return NULL;
	}
	for (const char *t = text + end; *t; t++)
		if (!strchr(" \t\r\n", *t)) {
			json_object_put(root);
			podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid character '%c' after top-level value", *t);
			return NULL;
		}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		podd_error(err, PODD_E_INVALID_ARGUMENT, "JSON object expected");
		return NULL;
	}
	counts = calloc(OBJECTS_MAX, sizeof(*counts));
	if (counts == NULL) {
		json_object_put(root);
		podd_error_sys(err, ENOMEM, "out of memory");
		return NULL;
	}
	int counted = count_members(text, counts, OBJECTS_MAX, &n);
	if (counted < 0) {
		json_object_put(root);
		if (counted == -2)
			podd_error(err, PODD_E_INVALID_ARGUMENT, "a NUL character (\\u0000) in a key or a string");
		else
			podd_error(err, PODD_E_INVALID_ARGUMENT, "more than %d JSON objects or deeper than %d levels",
				OBJECTS_MAX, JSON_DEPTH_MAX);
		return NULL;
	}
	if (!members_match(root, counts, n, &i) || i != n) {
		char key[256];
		json_object_put(root);
		/* members_match stopped just past the object that is short. */
		if (i > 0 && duplicate_key(text, i - 1, key, sizeof(key)))
			podd_error(err, PODD_E_INVALID_ARGUMENT, "Duplicate key \"%s\"", key);
		else
			podd_error(err, PODD_E_INVALID_ARGUMENT, "Duplicate key in a JSON object");
		return NULL;
	}
	return root;
}
