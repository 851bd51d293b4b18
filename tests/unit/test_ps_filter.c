/* ps --filter (podctl/ps_filter.c): podman 4.3's keys, values, messages
 * and any-of/all-of rule, over container records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ps_filter.h"

static Podd__ContainerRecord rec(const char *id, const char *name, Podd__ContainerState st,
				 int code, const char *image, int64_t created)
{
	Podd__ContainerRecord r = PODD__CONTAINER_RECORD__INIT;
	r.id = (char *)id;
	r.name = (char *)name;
	r.state = st;
	r.exit_code = code;
	r.image = (char *)image;
	r.image_id = (char *)(image[0] ? "f6c8da1cce8bc02c5080a0ea9fb1872ec6f02986fd6e29513d634846f2ef68d0" : "");
	r.created_ns = created;
	return r;
}

static bool matches(const char *spec1, const char *spec2, const Podd__ContainerRecord *r)
{
	char *specs[2] = { (char *)spec1, (char *)spec2 };
	struct ps_filters fs;
	podd_error_t err = NULL;
	bool m;

	assert_int_equal(ps_filters_parse(specs, spec2 ? 2 : 1, &fs, &err), 0);
	m = ps_filters_match(&fs, r);
	ps_filters_free(&fs);
	return m;
}

static void test_keys_match_as_podmans(void **state)
{
	Podd__ContainerRecord web = rec("abcdef0123", "web-1", PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING,
					0, "localhost/busybox:latest", 100);
	Podd__ContainerRecord dead = rec("0123abcdef", "job", PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED,
					 3, "", 200);
	(void)state;
	assert_true(matches("name=web", NULL, &web));     /* unanchored */
	assert_false(matches("name=^eb", NULL, &web));
	assert_true(matches("id=abc", NULL, &web));
	assert_false(matches("id=bcd", NULL, &web));
	assert_true(matches("status=running", NULL, &web));
	assert_true(matches("status=exited", NULL, &dead));
	assert_true(matches("exited=3", NULL, &dead));
	assert_false(matches("exited=3", NULL, &web));
	assert_true(matches("ancestor=busybox", NULL, &web));
	assert_true(matches("ancestor=f6c8da", NULL, &web));
	assert_false(matches("ancestor=busybox", NULL, &dead)); /* a --rootfs container */
	assert_false(matches("label=a", NULL, &web));
	/* one key's values: any; two keys: all */
	assert_true(matches("name=job", "name=web", &web));
	assert_false(matches("name=web", "status=exited", &web));
}

static void test_errors_are_podmans(void **state)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "bogus=1", "bogus is an invalid filter" },
		{ "status=bogus", "unknown container state: bogus: invalid argument" },
		{ "exited=x", "exited code out of range \"x\"" },
		{ "pod=p", "filter pod: podd has no pods yet" },
		{ "name=(", "filter name=(: invalid regular expression: " },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *specs[1] = { (char *)bad[i].spec };
		struct ps_filters fs;
		podd_error_t err = NULL;
		assert_int_equal(ps_filters_parse(specs, 1, &fs, &err), -1);
		assert_true(strncmp(err->msg, bad[i].msg, strlen(bad[i].msg)) == 0);
		podd_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_match_as_podmans),
		cmocka_unit_test(test_errors_are_podmans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
