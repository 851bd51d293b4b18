/* A runtime's error message read as podman 4.3 reads it
 * (lib/runtime_error.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "runtime_error.h"

static void test_crun_and_runc_wordings_map_to_127_and_126(void **state)
{
	(void)state;
	assert_int_equal(podd_runtime_error_kind("executable file `/x` not found in $PATH: No "
						 "such file or directory"),
			 PODD_RUNTIME_ERROR_NOT_FOUND);
	assert_int_equal(podd_runtime_error_kind("exec: \"/x\": stat /x: no such file or directory"),
			 PODD_RUNTIME_ERROR_NOT_FOUND);
	assert_int_equal(podd_runtime_error_kind("open executable: Permission denied"),
			 PODD_RUNTIME_ERROR_PERMISSION);
	assert_int_equal(podd_runtime_error_kind("setns: Operation not permitted"),
			 PODD_RUNTIME_ERROR_PERMISSION);
	assert_int_equal(podd_runtime_error_kind("cgroup: invalid argument"),
			 PODD_RUNTIME_ERROR_OTHER);
}

static void test_permission_is_tested_before_not_found_as_podman_does(void **state)
{
	(void)state;
	assert_int_equal(podd_runtime_error_kind("open /x: no such file or directory; then "
						 "permission denied"),
			 PODD_RUNTIME_ERROR_PERMISSION);
}

static void test_the_matching_line_is_kept_past_a_warning(void **state)
{
	char msg[] = "warning: something else\nopen executable: Permission denied\n";
	(void)state;
	podd_runtime_error_line(msg);
	assert_string_equal(msg, "open executable: Permission denied");
	assert_int_equal(podd_runtime_error_kind(msg), PODD_RUNTIME_ERROR_PERMISSION);
}

static void test_a_permission_line_wins_over_an_earlier_not_found_line(void **state)
{
	char msg[] = "open /etc/x: no such file or directory\nopen executable: Permission "
		     "denied\n";
	(void)state;
	podd_runtime_error_line(msg);
	assert_string_equal(msg, "open executable: Permission denied");
	assert_int_equal(podd_runtime_error_kind(msg), PODD_RUNTIME_ERROR_PERMISSION);
}

static void test_an_unmatched_message_is_kept_whole_on_one_line(void **state)
{
	char msg[] = "first\nsecond\n\n";
	char one[] = "only line\n";
	(void)state;
	podd_runtime_error_line(msg);
	assert_string_equal(msg, "first second");
	podd_runtime_error_line(one);
	assert_string_equal(one, "only line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crun_and_runc_wordings_map_to_127_and_126),
		cmocka_unit_test(test_permission_is_tested_before_not_found_as_podman_does),
		cmocka_unit_test(test_the_matching_line_is_kept_past_a_warning),
		cmocka_unit_test(test_a_permission_line_wins_over_an_earlier_not_found_line),
		cmocka_unit_test(test_an_unmatched_message_is_kept_whole_on_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
