/* podctl's output helpers (podctl/output.c): what --format reads as JSON,
 * JSON laid out as podman's Go code lays it out, and templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podctl.h"

/* What `fn` printed on stdout, caught in a temporary file. */
static char *captured(void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	long n;
	char *out;

	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	fn(arg);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	n = lseek(fileno(tmp), 0, SEEK_END);
	assert_true(n >= 0);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	assert_int_equal(pread(fileno(tmp), out, (size_t)n, 0), n);
	fclose(tmp);
	return out;
}

struct indented {
	json_object *obj;
	int width;
	bool escape_html;
};

static void print_indented(void *arg)
{
	struct indented *a = arg;
	print_json_indented(a->obj, a->width, a->escape_html);
}

static void test_format_is_json_as_c_common_reads_it(void **state)
{
	static const char *const yes[] = { "json", " json\n", "{{json .}}", "{{ json . }}",
					   "{{json}}", "\t{{json .}} " };
	static const char *const no[] = { "JSON", "Json", "{{json .}}x", "{{json .ID}}",
					  "{{.json}}", "jsonx", "", "table", "{{ json .  }", NULL };
	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(format_is_json(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(format_is_json(no[i]));
}

static void test_json_indented_as_go_marshalindent(void **state)
{
	json_object *top = json_object_new_array(), *o = json_object_new_object(),
		    *inner = json_object_new_array();
	struct indented a = { top, 5, false };
	char *out;
	(void)state;

	json_object_array_add(inner, json_object_new_string("a [ b { <&>"));
	json_object_object_add(o, "Id", json_object_new_string("x"));
	json_object_object_add(o, "Mounts", json_object_new_array());
	json_object_object_add(o, "Ports", json_object_new_object());
	json_object_object_add(o, "Args", inner);
	json_object_array_add(top, o);
	out = captured(print_indented, &a);
	assert_string_equal(out, "[\n"
				 "     {\n"
				 "          \"Id\": \"x\",\n"
				 "          \"Mounts\": [],\n"
				 "          \"Ports\": {},\n"
				 "          \"Args\": [\n"
				 "               \"a [ b { <&>\"\n"
				 "          ]\n"
				 "     }\n"
				 "]\n");
	free(out);
	json_object_put(top);

	a.obj = json_object_new_array();
	a.width = 4;
	out = captured(print_indented, &a);
	assert_string_equal(out, "[]\n");
	free(out);
	json_object_put(a.obj);

	/* Go's encoder escapes <, > and & unless told not to */
	a.obj = json_object_new_array();
	json_object_array_add(a.obj, json_object_new_string("true && echo <x>"));
	a.width = 2;
	a.escape_html = true;
	out = captured(print_indented, &a);
	assert_string_equal(out, "[\n  \"true \\u0026\\u0026 echo \\u003cx\\u003e\"\n]\n");
	free(out);
	json_object_put(a.obj);
}

struct templated {
	const char *tmpl;
	json_object *obj;
	bool folded;
	int rc;
	podd_error_t err;
};

static void print_template(void *arg)
{
	struct templated *t = arg;
	t->rc = t->folded ? format_template_folded(t->tmpl, t->obj, &t->err)
			  : format_template(t->tmpl, t->obj, &t->err);
}

static void test_folded_template_finds_camel_case_keys(void **state)
{
	json_object *info = json_object_new_object(), *host = json_object_new_object(),
		    *rt = json_object_new_object();
	struct templated t = { "{{.Host.OCIRuntime.Name}} {{.Host.Arch}}", info, true, 0, NULL };
	char *out;
	(void)state;

	json_object_object_add(rt, "name", json_object_new_string("runc"));
	json_object_object_add(host, "ociRuntime", rt);
	json_object_object_add(host, "arch", json_object_new_string("amd64"));
	json_object_object_add(info, "host", host);
	out = captured(print_template, &t);
	assert_int_equal(t.rc, 0);
	assert_string_equal(out, "runc amd64\n");
	free(out);

	/* Without folding, field names are exact, as Go's are. */
	t.folded = false;
	out = captured(print_template, &t);
	assert_int_equal(t.rc, -1);
	assert_string_equal(t.err->msg, "template: can't evaluate field Host");
	podd_error_free(&t.err);
	free(out);
	json_object_put(info);
}

struct tabled {
	const char *format;
	json_object **rows;
	size_t n;
	int rc;
	podd_error_t err;
};

static void print_table(void *arg)
{
	static const struct format_header headers[] = { { "ID", "IMAGE ID" }, { NULL, NULL } };
	struct tabled *t = arg;
	t->rc = format_table(t->format, t->rows, t->n, headers, &t->err);
}

static json_object *row(const char *id, const char *repo, const char *created)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ID", json_object_new_string(id));
	json_object_object_add(o, "Repository", json_object_new_string(repo));
	json_object_object_add(o, "CreatedAt", json_object_new_string(created));
	json_object_object_add(o, "HTTPPort2", json_object_new_string("80"));
	return o;
}

static void test_table_lays_out_cells_under_headers(void **state)
{
	json_object *rows[] = { row("f6c8da1cce8b", "localhost/busybox", "today"),
				row("0123456789ab", "quay.io/a/very-long-repository-name", "") };
	struct tabled t = { "table {{.ID}}\\t{{.Repository}}\\t{{.CreatedAt}}\\t{{.HTTPPort2}}", rows, 2,
			    0, NULL };
	char *out;
	(void)state;

	out = captured(print_table, &t);
	assert_int_equal(t.rc, 0);
	/* podman's tabwriter: each column its widest cell plus two, at least
	 * 12; the command's header for ID, the others split at their words */
	assert_string_equal(out,
			    "IMAGE ID      REPOSITORY                           CREATED AT  HTTP PORT 2\n"
			    "f6c8da1cce8b  localhost/busybox                    today       80\n"
			    "0123456789ab  quay.io/a/very-long-repository-name              80\n");
	free(out);

	t.format = "table {{.ID}} {{.Nope}}";
	out = captured(print_table, &t);
	assert_int_equal(t.rc, -1);
	assert_string_equal(t.err->msg, "template: can't evaluate field Nope");
	podd_error_free(&t.err);
	free(out);
	json_object_put(rows[0]);
	json_object_put(rows[1]);
}

static void test_template_reads_written_tabs_and_newlines(void **state)
{
	json_object *o = row("f6c8da1cce8b", "localhost/busybox", "today");
	struct templated t = { "{{.ID}}\\t{{.Repository}}\\n", o, false, 0, NULL };
	char *out;
	(void)state;

	out = captured(print_template, &t);
	assert_int_equal(t.rc, 0);
	assert_string_equal(out, "f6c8da1cce8b\tlocalhost/busybox\n");
	free(out);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_is_json_as_c_common_reads_it),
		cmocka_unit_test(test_json_indented_as_go_marshalindent),
		cmocka_unit_test(test_folded_template_finds_camel_case_keys),
		cmocka_unit_test(test_table_lays_out_cells_under_headers),
		cmocka_unit_test(test_template_reads_written_tabs_and_newlines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
