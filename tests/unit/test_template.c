/* Go templates over JSON (podctl/template_eval.c): what podman 4.3 prints
 * for the same templates over an image row (the expected texts were
 * printed by `podman images --format` here), and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_eval.h"

static const char row[] =
	"{\"Repository\":\"localhost/busybox\",\"Tag\":\"latest\",\"Dangling\":false,"
	"\"Names\":[\"localhost/busybox:latest\",\"localhost/foo:1\"],\"Labels\":null,"
	"\"Size\":1998022,\"Config\":{\"Env\":[\"PATH=/bin\",\"A=1\"],"
	"\"Labels\":{\"b\":\"2\",\"a\":\"1\"}},\"Mounts\":[]}";

/* `text` over `json`: its output, or NULL with *err. */
static char *run(const char *text, const char *json, podd_error_t *err)
{
	json_object *dot = json_tokener_parse(json);
	struct tmpl *t = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	assert_non_null(dot);
	if (tmpl_parse(text, &t, err) < 0) {
		json_object_put(dot);
		return NULL;
	}
	f = open_memstream(&out, &len);
	assert_non_null(f);
	rc = tmpl_exec(t, dot, false, NULL, f, err);
	fclose(f);
	tmpl_free(t);
	json_object_put(dot);
	if (rc < 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void expect(const char *text, const char *want)
{
	podd_error_t err = NULL;
	char *got = run(text, row, &err);

	if (got == NULL)
		fail_msg("%s: %s", text, err->msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", text, got, want);
	free(got);
}

static void expect_error(const char *text, const char *msg)
{
	podd_error_t err = NULL;
	char *got = run(text, row, &err);

	if (got != NULL)
		fail_msg("%s: printed \"%s\", want the error \"%s\"", text, got, msg);
	assert_string_equal(err->msg, msg);
	podd_error_free(&err);
}

static void test_fields_and_literals(void **state)
{
	(void)state;
	expect("{{.Repository}}:{{.Tag}}", "localhost/busybox:latest");
	expect("{{.Names}}", "[localhost/busybox:latest localhost/foo:1]");
	expect("{{.Config.Labels}}", "map[a:1 b:2]");
	expect("{{.Labels}}", "<no value>");
	expect("{{.Size}} {{.Dangling}}", "1998022 false");
	expect("{{\"q\\\"x\"}} {{`raw\\n`}} {{42}} {{true}}", "q\"x raw\\n 42 true");
	expect("a {{- \" b \" -}} c", "a b c");
	expect("{{/* a comment */}}x", "x");
	expect("{{/* it's {{ }} */}}x{{- /* trimmed */ -}} y", "xy");
}

static void test_blocks(void **state)
{
	(void)state;
	expect("{{range .Names}}<{{.}}>{{end}}", "<localhost/busybox:latest><localhost/foo:1>");
	expect("{{range .Mounts}}m{{else}}none{{end}}", "none");
	expect("{{range .Config.Labels}}{{.}}{{end}}", "12");
	expect("{{if eq .Tag \"latest\"}}L{{else}}N{{end}}", "L");
	expect("{{if .Labels}}a{{else if .Dangling}}b{{else}}c{{end}}", "c");
	expect("{{if .Labels}}a{{else if .Names}}b{{else}}c{{end}}", "b");
	expect("{{with .Labels}}has{{else}}none{{end}}", "none");
	/* a long else-if chain is one level deep */
	char chain[2048] = "{{if eq .Tag \"0\"}}0";
	for (int i = 1; i < 40; i++)
		snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain),
			 "{{else if eq .Tag \"%d\"}}%d", i, i);
	strcat(chain, "{{else}}none{{end}}");
	expect(chain, "none");
	expect("{{with .Config}}{{index .Env 1}}{{end}}", "A=1");
}

static void test_functions(void **state)
{
	(void)state;
	expect("{{len .Names}} {{index .Names 0}}", "2 localhost/busybox:latest");
	expect("{{index .Config.Labels \"a\"}}[{{index .Config.Labels \"zz\"}}]", "1[]");
	expect("[{{index .Labels \"zz\"}}]", "[]"); /* a nil map */
	expect("{{join .Names \",\"}}", "localhost/busybox:latest,localhost/foo:1");
	expect("{{upper .Repository}} {{lower \"ABC\"}} {{title \"hello world\"}}",
	       "LOCALHOST/BUSYBOX abc Hello World");
	expect("{{truncate .Repository 5}} {{split .Repository \"/\"}}", "local [localhost busybox]");
	expect("{{printf \"%s-%d %q %%\" .Tag 3 .Tag}}", "latest-3 \"latest\" %");
	expect("{{print 1 2 \"a\" \"b\" 3}} {{println \"x\" 1}}", "1 2ab3 x 1\n");
	expect("{{not .Dangling}} {{and true .Tag}} {{or \"\" \"x\"}}", "true latest x");
	expect("{{.Repository | upper}} {{len (index .Names 1)}}", "LOCALHOST/BUSYBOX 15");
	expect("{{json .Config.Labels}}", "{\"b\":\"2\",\"a\":\"1\"}");
	expect("{{lt 1 2}} {{ge \"b\" \"a\"}} {{ne .Tag \"x\"}} {{eq 1 2 1}}", "true true true true");
}

static void test_errors_say_what(void **state)
{
	(void)state;
	expect_error("{{.Nope}}", "template: can't evaluate field Nope");
	expect_error("{{nofunc .Nope}}", "template: function \"nofunc\" not defined");
	expect_error("{{if .Tag}}x", "template: unexpected EOF");
	expect_error("x{{end}}", "template: unexpected {{end}}");
	expect_error("{{if 1}}{{else}}{{else if 1}}{{end}}{{end}}",
		     "template: {{else}} after {{else}}");
	expect_error("{{if .Names}}{{else if}}{{end}}", "template: unsupported action \"{{else if }}\"");
	expect_error("{{.Tag", "template: unclosed action");
	expect_error("{{$x := 1}}", "template: unsupported action \"{{$x := 1}}\"");
	expect_error("{{.Tag .Tag}}", "template: can't give argument to non-function .Tag");
	expect_error("{{index .Names 5}}", "template: index out of range: 5");
	expect_error("{{range .Tag}}x{{end}}", "template: range can't iterate over .Tag");
	expect_error("{{lt .Tag 1}}", "template: lt: incompatible types for comparison");
	expect_error("{{len}}", "template: wrong number of args for len: want 1 got 0");
	expect_error("{{upper .Size}}", "template: upper: wrong type for value; expected string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_literals),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_errors_say_what),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
