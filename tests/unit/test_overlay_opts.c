/* An image container's root: the overlay mount's options (podd-exec/
 * overlay_opts.c) and the checks of the layer list the launcher gets from
 * the worker and of a record's image fields (lib/config_check.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_check.h"
#include "overlay_opts.h"

#define L0 "0000000000000000000000000000000000000000000000000000000000000000"
#define L1 "1111111111111111111111111111111111111111111111111111111111111111"
#define L2 "2222222222222222222222222222222222222222222222222222222222222222"

static void test_lowerdirs_come_top_first_with_userxattr(void **state)
{
	const int fds[] = { 10, 11, 12 }; /* base first, as chain ids come */
	char out[OVERLAY_OPTS_MAX];
	podd_error_t err = NULL;
	(void)state;

	assert_int_equal(overlay_opts_build(fds, 3, 20, 21, out, sizeof(out), &err), 0);
	assert_string_equal(out, "lowerdir=/proc/self/fd/12:/proc/self/fd/11:/proc/self/fd/10,"
				 "upperdir=/proc/self/fd/20,workdir=/proc/self/fd/21,userxattr");
}

static void test_the_most_layers_fit_in_a_page(void **state)
{
	int fds[PODD_IMAGE_LAYERS_MAX];
	char out[OVERLAY_OPTS_MAX];
	podd_error_t err = NULL;
	(void)state;

	/* Descriptor numbers as large as a launcher could have open. */
	for (size_t i = 0; i < PODD_IMAGE_LAYERS_MAX; i++)
		fds[i] = 65000 + (int)i;
	assert_int_equal(overlay_opts_build(fds, PODD_IMAGE_LAYERS_MAX, 99998, 99999, out,
					    sizeof(out), &err),
			 0);
	assert_true(strlen(out) < OVERLAY_OPTS_MAX);
}

static void test_options_that_do_not_fit_are_an_error_not_cut(void **state)
{
	const int fds[] = { 10, 11, 12 };
	char out[40];
	podd_error_t err = NULL;
	(void)state;

	assert_int_equal(overlay_opts_build(fds, 3, 20, 21, out, sizeof(out), &err), -1);
	assert_non_null(strstr(err->msg, "do not fit"));
	podd_error_free(&err);
	assert_int_equal(overlay_opts_build(fds, 0, 20, 21, out, sizeof(out), &err), -1);
	podd_error_free(&err);
}

static void test_layer_lists_from_the_worker_are_checked(void **state)
{
	char *good[] = { L0, L1, L2 };
	char *traversal[] = { L0, "../../../../etc" };
	char *upper[] = { "ABCDEF0000000000000000000000000000000000000000000000000000000000" };
	char *many[PODD_IMAGE_LAYERS_MAX + 1];
	podd_error_t err = NULL;
	(void)state;

	for (size_t i = 0; i <= PODD_IMAGE_LAYERS_MAX; i++)
		many[i] = L1;
	assert_int_equal(overlay_layers_check(good, 3, &err), 0);
	assert_int_equal(overlay_layers_check(traversal, 2, &err), -1);
	podd_error_free(&err);
	assert_int_equal(overlay_layers_check(upper, 1, &err), -1);
	podd_error_free(&err);
	assert_int_equal(overlay_layers_check(good, 0, &err), -1);
	podd_error_free(&err);
	assert_int_equal(overlay_layers_check(many, PODD_IMAGE_LAYERS_MAX + 1, &err), -1);
	podd_error_free(&err);
	assert_int_equal(overlay_layers_check(many, PODD_IMAGE_LAYERS_MAX, &err), 0);
}

static void test_driver_names(void **state)
{
	enum storage_driver d;
	podd_error_t err = NULL;
	(void)state;

	assert_int_equal(overlay_driver_parse("", &d, &err), 0);
	assert_int_equal(d, STORAGE_OVERLAY);
	assert_int_equal(overlay_driver_parse("vfs", &d, &err), 0);
	assert_int_equal(d, STORAGE_VFS);
	assert_int_equal(overlay_driver_parse("btrfs", &d, &err), -1);
	podd_error_free(&err);
}

static void test_a_record_has_an_image_or_a_rootfs(void **state)
{
	char *layers[] = { L0, L1 };
	char *bad[] = { L0, "x" };
	podd_error_t err = NULL;
	(void)state;

	assert_int_equal(podd_image_source_check("/rootfs", "", "", NULL, 0, 0, &err), 0);
	assert_int_equal(podd_image_source_check("", "localhost/busybox:latest", L2, layers, 2,
						 4096, &err),
			 0);
	/* Run by id: the name is the id. */
	assert_int_equal(podd_image_source_check("", L2, L2, layers, 2, 0, &err), 0);
	/* Neither, both, a bad id, name, layer or size. */
	assert_int_equal(podd_image_source_check("", "", "", NULL, 0, 0, &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("/rootfs", "localhost/b:latest", L2, layers, 2,
						 0, &err),
			 -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("/rootfs", "", "", layers, 2, 0, &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("", "localhost/b:latest", "abc", layers, 2, 0,
						 &err),
			 -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("", "busybox", L2, layers, 2, 0, &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("", "localhost/b:latest", L2, bad, 2, 0, &err),
			 -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("", "localhost/b:latest", L2, layers, 0, 0, &err),
			 -1);
	podd_error_free(&err);
	assert_int_equal(podd_image_source_check("", "localhost/b:latest", L2, layers, 2, -1,
						 &err),
			 -1);
	podd_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowerdirs_come_top_first_with_userxattr),
		cmocka_unit_test(test_the_most_layers_fit_in_a_page),
		cmocka_unit_test(test_options_that_do_not_fit_are_an_error_not_cut),
		cmocka_unit_test(test_layer_lists_from_the_worker_are_checked),
		cmocka_unit_test(test_driver_names),
		cmocka_unit_test(test_a_record_has_an_image_or_a_rootfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
