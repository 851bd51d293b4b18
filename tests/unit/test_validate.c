/* Identifier, name and path rules applied to everything received. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "validate.h"

static void test_generated_ids_are_64_lower_hex_and_distinct(void **state)
{
	char a[65], b[65];
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(podd_id_generate(a, &err), 0);
	assert_int_equal(podd_id_generate(b, &err), 0);
	assert_true(podd_id_valid(a));
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
}

static void test_id_prefix_rules(void **state)
{
	(void)state;
	assert_true(podd_id_prefix_valid("a"));
	assert_true(podd_id_prefix_valid("0123abcdef"));
	assert_false(podd_id_prefix_valid(""));
	assert_false(podd_id_prefix_valid("ABC"));
	assert_false(podd_id_prefix_valid("xyz"));
	assert_false(podd_id_valid("abc"));
}

static void test_names_follow_podman_rule(void **state)
{
	char longname[300];
	(void)state;
	assert_true(podd_name_valid("web"));
	assert_true(podd_name_valid("a.b-c_d9"));
	assert_true(podd_name_valid("9lives"));
	assert_false(podd_name_valid(""));
	assert_false(podd_name_valid("-web"));
	assert_false(podd_name_valid(".web"));
	assert_false(podd_name_valid("bad name"));
	assert_false(podd_name_valid("a/b"));
	assert_false(podd_name_valid("caf\xc3\xa9"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(podd_name_valid(longname));
}

static void test_paths_must_be_absolute_and_clean(void **state)
{
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(podd_validate_abs_path("p", "/var/lib/podd", &err), 0);
	assert_int_equal(podd_validate_abs_path("p", "relative", &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_validate_abs_path("p", "/a/../etc", &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_validate_abs_path("p", "/a/./b", &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_validate_abs_path("p", "/a\nb", &err), -1);
	assert_int_equal(err->code, PODD_E_INVALID_ARGUMENT);
	podd_error_free(&err);
}

static void test_env_entries_need_a_key(void **state)
{
	char *good[] = { "A=1", "B=", "C=x=y" };
	char *bad1[] = { "=1" };
	char *bad2[] = { "NOEQUALS" };
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(podd_validate_env(good, 3, &err), 0);
	assert_int_equal(podd_validate_env(bad1, 1, &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_validate_env(bad2, 1, &err), -1);
	podd_error_free(&err);
}

static void test_image_names_follow_the_reference_grammar(void **state)
{
	char long_tag[PODD_IMAGE_TAG_MAX + 8], long_repo[PODD_IMAGE_REPO_MAX + 8];
	(void)state;
	assert_true(podd_image_name_valid("busybox"));
	assert_true(podd_image_name_valid("busybox:latest"));
	assert_true(podd_image_name_valid("library/busybox:1.36_musl-x.y"));
	assert_true(podd_image_name_valid("docker.io/library/busybox:latest"));
	assert_true(podd_image_name_valid("127.0.0.1:5000/podd/busybox:latest"));
	assert_true(podd_image_name_valid("localhost/my-app.v2_x:_tag"));
	assert_true(podd_image_name_valid("Registry.Example-1.com/a/b/c"));
	/* "localhost:5000" alone is repository localhost, tag 5000. */
	assert_true(podd_image_name_valid("localhost:5000"));

	assert_true(podd_image_name_valid("my__repo"));          /* "__" and "-" runs */
	assert_true(podd_image_name_valid("a--b/c---d:x"));
	assert_false(podd_image_name_valid("a___b"));            /* three "_" */
	assert_false(podd_image_name_valid("a_.b"));
	assert_false(podd_image_name_valid("a-"));
	assert_false(podd_image_name_valid(""));
	/* a repository that reads as an image id */
	assert_false(podd_image_name_valid(
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(podd_image_name_valid(
		"localhost/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:latest"));
	assert_true(podd_image_name_valid(
		"localhost/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde:x"));
	assert_false(podd_image_name_valid("BusyBox"));          /* uppercase path */
	assert_false(podd_image_name_valid("busybox:"));         /* empty tag */
	assert_false(podd_image_name_valid(":latest"));
	assert_false(podd_image_name_valid("busy..box"));
	assert_false(podd_image_name_valid("-busybox"));
	assert_false(podd_image_name_valid("busybox-"));
	assert_false(podd_image_name_valid("a//b"));
	assert_false(podd_image_name_valid("a/b/"));
	assert_false(podd_image_name_valid("/a"));
	assert_false(podd_image_name_valid("a/../b"));
	assert_false(podd_image_name_valid("busybox:-tag"));
	assert_false(podd_image_name_valid("busybox:ta/g"));
	assert_false(podd_image_name_valid("host:port/a"));      /* port not digits */
	assert_false(podd_image_name_valid("host:123456/a"));
	assert_false(podd_image_name_valid("-bad.host/a"));
	assert_false(podd_image_name_valid("bad_host.io/a"));
	assert_false(podd_image_name_valid("busybox@sha256:00"));
	assert_false(podd_image_name_valid("busy box"));
	assert_false(podd_image_name_valid("busybox:lat\nest"));

	memset(long_tag, 'a', sizeof(long_tag));
	memcpy(long_tag, "x:", 2);
	long_tag[2 + PODD_IMAGE_TAG_MAX] = '\0';
	assert_true(podd_image_name_valid(long_tag));
	long_tag[2 + PODD_IMAGE_TAG_MAX] = 'a';
	long_tag[3 + PODD_IMAGE_TAG_MAX] = '\0';
	assert_false(podd_image_name_valid(long_tag));
	memset(long_repo, 'a', sizeof(long_repo));
	long_repo[PODD_IMAGE_REPO_MAX] = '\0';
	assert_true(podd_image_name_valid(long_repo));
	long_repo[PODD_IMAGE_REPO_MAX] = 'a';
	long_repo[PODD_IMAGE_REPO_MAX + 1] = '\0';
	assert_false(podd_image_name_valid(long_repo));

	assert_true(podd_image_name_qualified("localhost/busybox:latest"));
	assert_true(podd_image_name_qualified("127.0.0.1:5000/podd/busybox:latest"));
	assert_false(podd_image_name_qualified("localhost/busybox"));
	assert_false(podd_image_name_qualified("library/busybox:latest"));
	assert_false(podd_image_name_qualified("busybox:latest"));
}

static void test_image_name_complete_adds_localhost_and_latest(void **state)
{
	char out[PODD_IMAGE_NAME_BUF];
	(void)state;
	assert_true(podd_image_name_complete("busybox", out));
	assert_string_equal(out, "localhost/busybox:latest");
	assert_true(podd_image_name_complete("library/busybox:1", out));
	assert_string_equal(out, "localhost/library/busybox:1");
	assert_true(podd_image_name_complete("127.0.0.1:5000/a", out));
	assert_string_equal(out, "127.0.0.1:5000/a:latest");
	assert_true(podd_image_name_complete("localhost/a:b", out));
	assert_string_equal(out, "localhost/a:b");
	assert_false(podd_image_name_complete("Bad:Name:x", out));
	assert_false(podd_image_name_complete("", out));
	assert_false(podd_image_name_complete("a@sha256:00", out));
}

static void test_digests_are_sha256_and_64_lower_hex(void **state)
{
	(void)state;
	assert_true(podd_digest_valid("sha256:"
				      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(podd_digest_valid("sha256:"
				       "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(podd_digest_valid("sha512:"
				       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(podd_digest_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(podd_digest_valid("sha256:0123"));
	assert_false(podd_digest_valid("sha256:"));
}

static void test_error_wrap_adds_context_first(void **state)
{
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(podd_error_sys(&err, 2, "open %s", "x"), -1);
	podd_error_wrap(&err, "container \"%s\"", "web");
	assert_string_equal(err->msg, "container \"web\": open x: No such file or directory");
	assert_int_equal(err->sys_errno, 2);
	podd_error_free(&err);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_ids_are_64_lower_hex_and_distinct),
		cmocka_unit_test(test_id_prefix_rules),
		cmocka_unit_test(test_names_follow_podman_rule),
		cmocka_unit_test(test_paths_must_be_absolute_and_clean),
		cmocka_unit_test(test_env_entries_need_a_key),
		cmocka_unit_test(test_image_names_follow_the_reference_grammar),
		cmocka_unit_test(test_image_name_complete_adds_localhost_and_latest),
		cmocka_unit_test(test_digests_are_sha256_and_64_lower_hex),
		cmocka_unit_test(test_error_wrap_adds_context_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
