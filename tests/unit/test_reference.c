/* Image references as podman reads them (lib/reference.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "reference.h"

static void parse_ok(const char *s, struct podd_reference *r)
{
	podd_error_t err = NULL;
	if (podd_reference_parse(s, r, &err) < 0)
		fail_msg("%s: %s", s, err->msg);
}

static void test_qualified_name_with_port_and_tag(void **state)
{
	struct podd_reference r;
	char out[PODD_REFERENCE_MAX];
	(void)state;
	parse_ok("127.0.0.1:5000/podd/busybox:v1", &r);
	assert_true(r.qualified);
	assert_string_equal(r.domain, "127.0.0.1:5000");
	assert_string_equal(r.api_host, "127.0.0.1:5000");
	assert_string_equal(r.repository, "podd/busybox");
	assert_string_equal(r.tag, "v1");
	assert_string_equal(r.digest, "");
	podd_reference_string(&r, out, sizeof(out));
	assert_string_equal(out, "127.0.0.1:5000/podd/busybox:v1");
}

static void test_no_tag_means_latest(void **state)
{
	struct podd_reference r;
	(void)state;
	parse_ok("localhost/web", &r);
	assert_true(r.qualified);
	assert_string_equal(r.domain, "localhost");
	assert_string_equal(r.tag, "latest");
}

static void test_digest_alone_keeps_no_tag(void **state)
{
	static const char d[] =
		"sha256:0cbdd067e2320f9d9da7f1f8ad8a43662eee4bc4a93196c04b624098d02ad957";
	struct podd_reference r;
	char s[200], out[PODD_REFERENCE_MAX];
	(void)state;
	snprintf(s, sizeof(s), "127.0.0.1:5000/podd/busybox@%s", d);
	parse_ok(s, &r);
	assert_string_equal(r.tag, "");
	assert_string_equal(r.digest, d);
	podd_reference_string(&r, out, sizeof(out));
	assert_string_equal(out, s);
}

static void test_docker_hub_gets_library_and_its_api_host(void **state)
{
	struct podd_reference r;
	(void)state;
	parse_ok("docker.io/busybox", &r);
	assert_string_equal(r.domain, "docker.io");
	assert_string_equal(r.api_host, "registry-1.docker.io");
	assert_string_equal(r.repository, "library/busybox");
	parse_ok("index.docker.io/someone/app:1", &r);
	assert_string_equal(r.domain, "docker.io");
	assert_string_equal(r.repository, "someone/app");
}

static void test_short_names_are_not_qualified(void **state)
{
	struct podd_reference r;
	podd_error_t err = NULL;
	(void)state;
	parse_ok("busybox", &r);
	assert_false(r.qualified);
	parse_ok("podd/busybox:1", &r);
	assert_false(r.qualified);
	assert_string_equal(r.repository, "podd/busybox");
	assert_int_equal(podd_reference_qualify("127.0.0.1:5000", "podd/busybox:1", &r, &err), 0);
	assert_true(r.qualified);
	assert_string_equal(r.domain, "127.0.0.1:5000");
	assert_string_equal(r.tag, "1");
}

static void test_invalid_references_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "UPPER/case", "a//b", "host:5000/", "x@sha256:abc", "x@sha512:" "00",
		"127.0.0.1:5000/a:bad tag", "../etc", "a/b:", "-a",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct podd_reference r;
		podd_error_t err = NULL;
		if (podd_reference_parse(bad[i], &r, &err) == 0)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(err->code, PODD_E_INVALID_ARGUMENT);
		podd_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qualified_name_with_port_and_tag),
		cmocka_unit_test(test_no_tag_means_latest),
		cmocka_unit_test(test_digest_alone_keeps_no_tag),
		cmocka_unit_test(test_docker_hub_gets_library_and_its_api_host),
		cmocka_unit_test(test_short_names_are_not_qualified),
		cmocka_unit_test(test_invalid_references_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
