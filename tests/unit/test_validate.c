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
		cmocka_unit_test(test_error_wrap_adds_context_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
