/* podman's message for a load the signature policy refused
 * (podctl/load_refusal.c): the expected texts are podman 4.3's, taken from
 * `podman load --signature-policy` runs on the same paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "load_refusal.h"

static const char *oci_line(const char *path)
{
	static char out[1024];
	load_refusal_oci_line(path, out, sizeof(out));
	return out;
}

static const char *clean(const char *path)
{
	static char out[256];
	load_refusal_clean(path, out, sizeof(out));
	return out;
}

static void test_clean_is_go_filepath_clean(void **state)
{
	(void)state;
	assert_string_equal(clean("a//b/./c/../d"), "a/b/d");
	assert_string_equal(clean("./d.tar/manifest.json"), "d.tar/manifest.json");
	assert_string_equal(clean("/../x/"), "/x");
	assert_string_equal(clean("../../a/.."), "../..");
	assert_string_equal(clean("a/../.."), "..");
	assert_string_equal(clean("a/.."), ".");
	assert_string_equal(clean(""), ".");
	assert_string_equal(clean("/"), "/");
	assert_string_equal(clean("//"), "/");
	assert_string_equal(clean("/a/b/../../.."), "/");
}

static void test_oci_line_opens_the_path_when_it_reads_as_a_name(void **state)
{
	(void)state;
	assert_string_equal(oci_line("/tmp/pmx/o.tar"), "initializing source oci:/tmp/pmx/o.tar:: "
							"open /tmp/pmx/o.tar/index.json: not a directory");
	assert_string_equal(oci_line("o.tar"),
			    "initializing source oci:o.tar:: open o.tar/index.json: not a directory");
	/* docker's separators: "__" and runs of '-' are allowed */
	assert_string_equal(oci_line("/tmp/pmx/a__b/o.tar"),
			    "initializing source oci:/tmp/pmx/a__b/o.tar:: "
			    "open /tmp/pmx/a__b/o.tar/index.json: not a directory");
	assert_string_equal(oci_line("/tmp/pmx/x--y/o.tar"),
			    "initializing source oci:/tmp/pmx/x--y/o.tar:: "
			    "open /tmp/pmx/x--y/o.tar/index.json: not a directory");
}

static void test_oci_line_reports_a_path_that_is_no_name(void **state)
{
	(void)state;
	assert_string_equal(oci_line("./d.tar"),
			    "parsing \"localhost/./d.tar\": parsing named reference "
			    "\"localhost/./d.tar\": invalid reference format");
	assert_string_equal(oci_line("/tmp/pmx/Up/o.tar"),
			    "parsing \"localhost/tmp/pmx/Up/o.tar\": parsing named reference "
			    "\"localhost/tmp/pmx/Up/o.tar\": invalid reference format: repository "
			    "name must be lowercase");
	assert_string_equal(oci_line("/tmp/pmx/sp ace/o.tar"),
			    "parsing \"localhost/tmp/pmx/sp ace/o.tar\": parsing named reference "
			    "\"localhost/tmp/pmx/sp ace/o.tar\": invalid reference format");
	assert_string_equal(oci_line("/tmp/a___b"),
			    "parsing \"localhost/tmp/a___b\": parsing named reference "
			    "\"localhost/tmp/a___b\": invalid reference format");
	assert_string_equal(oci_line("/tmp//x"),
			    "parsing \"localhost/tmp//x\": parsing named reference "
			    "\"localhost/tmp//x\": invalid reference format");
}

static void test_oci_line_refuses_a_colon_and_bounds_the_name(void **state)
{
	char path[300];
	(void)state;
	assert_string_equal(oci_line("/tmp/pmx/X:y/o.tar"),
			    "Invalid OCI reference: path /tmp/pmx/X:y/o.tar contains a colon");
	memset(path, 'a', 250);
	strcpy(path + 250, ".tar");
	assert_non_null(strstr(oci_line(path),
			       "\": repository name must not be more than 255 characters"));
}

static void test_list_for_an_oci_archive(void **state)
{
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(load_refusal("/tmp/pmx/o.tar", true,
				      "Source image rejected: Running image "
				      "oci-archive:/tmp/pmx/o.tar: is rejected by policy.",
				      &err),
			 -1);
	assert_int_equal(err->code, PODD_E_NOT_PERMITTED);
	assert_string_equal(
		err->msg,
		"payload does not match any of the supported image formats:\n"
		" * oci: initializing source oci:/tmp/pmx/o.tar:: open "
		"/tmp/pmx/o.tar/index.json: not a directory\n"
		" * oci-archive: Source image rejected: Running image oci-archive:/tmp/pmx/o.tar: "
		"is rejected by policy.\n"
		" * docker-archive: loading tar component manifest.json: file does not exist\n"
		" * dir: open /tmp/pmx/o.tar/manifest.json: not a directory");
	podd_error_free(&err);
}

static void test_list_for_a_docker_archive(void **state)
{
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(load_refusal("./d.tar", false,
				      "Source image rejected: Running image docker-archive:./d.tar "
				      "is rejected by policy.",
				      &err),
			 -1);
	assert_string_equal(
		err->msg,
		"payload does not match any of the supported image formats:\n"
		" * oci: parsing \"localhost/./d.tar\": parsing named reference "
		"\"localhost/./d.tar\": invalid reference format\n"
		" * oci-archive: loading index: open index.json: no such file or directory\n"
		" * docker-archive: Source image rejected: Running image docker-archive:./d.tar is "
		"rejected by policy.\n"
		" * dir: open d.tar/manifest.json: not a directory");
	podd_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_is_go_filepath_clean),
		cmocka_unit_test(test_oci_line_opens_the_path_when_it_reads_as_a_name),
		cmocka_unit_test(test_oci_line_reports_a_path_that_is_no_name),
		cmocka_unit_test(test_oci_line_refuses_a_colon_and_bounds_the_name),
		cmocka_unit_test(test_list_for_an_oci_archive),
		cmocka_unit_test(test_list_for_a_docker_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
