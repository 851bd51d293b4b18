/* images --filter (podctl/image_filter.c): podman 4.3's parsing, messages
 * and matching, on records made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image_filter.h"

#define NOW 1800000000000000000LL
#define ID_A "aaaa000000000000000000000000000000000000000000000000000000000000"
#define ID_B "bbbb000000000000000000000000000000000000000000000000000000000000"

static int parse(const char *const *specs, size_t n, struct image_filters *fs, char *msg)
{
	podd_error_t err = NULL;
	int r = image_filters_parse((char *const *)specs, n, NOW, fs, &err);
	msg[0] = '\0';
	if (r < 0) {
		strcpy(msg, err->msg);
		podd_error_free(&err);
	}
	return r;
}

static void test_parse_errors_are_podmans(void **state)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "noequals", "invalid image filter \"noequals\": must be in the format \"filter=value or filter!=value\"" },
		{ "bogus=1", "unsupported image filter \"bogus\"" },
		{ "dangling=maybe", "non-boolean value \"dangling\" for maybe filter: strconv.ParseBool: parsing \"maybe\": invalid syntax" },
		{ "until=garbage", "failed to parse value as time or duration: \"garbage\"" },
		{ "until=1e400h", "failed to parse value as time or duration: \"1e400h\"" },
		{ "until=nanh", "failed to parse value as time or duration: \"nanh\"" },
		{ "until=inf", "failed to parse value as time or duration: \"inf\"" },
		{ "until=1h5", "failed to parse value as time or duration: \"1h5\"" },
		{ "until=.h", "failed to parse value as time or duration: \".h\"" },
		{ "until=1700000000.", "failed to parse value as time or duration: \"1700000000.\"" },
		{ "until=99999999999999999999", "failed to parse value as time or duration: \"99999999999999999999\"" },
		{ "until=0x10", "failed to parse value as time or duration: \"0x10\"" },
		/* The fraction is what overflows: 2562047 h is just under the
		 * int64 ns limit, .9 h more is over it. */
		{ "until=2562047.9h", "failed to parse value as time or duration: \"2562047.9h\"" },
		{ "until=9223372036.9", "failed to parse value as time or duration: \"9223372036.9\"" },
	};
	struct image_filters fs;
	char msg[512];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *spec[] = { bad[i].spec };
		assert_int_equal(parse(spec, 1, &fs, msg), -1);
		assert_string_equal(msg, bad[i].msg);
	}
	const char *twice[] = { "dangling=true", "dangling=false" };
	assert_int_equal(parse(twice, 2, &fs, msg), -1);
	assert_string_equal(msg, "specifying \"dangling\" filter more than once with different values is not supported");
	const char *same[] = { "dangling=true", "dangling!=false" };
	assert_int_equal(parse(same, 2, &fs, msg), 0);
}

static void test_until_takes_durations_dates_and_seconds(void **state)
{
	static const struct {
		const char *spec;
		int64_t ns;
	} ok[] = {
		{ "until=10m", NOW - 600000000000LL },
		{ "until=1h30m", NOW - 5400000000000LL },
		{ "until=1700000000", 1700000000000000000LL },
		{ "until=2023-11-14T22:13:20Z", 1700000000000000000LL },
		{ "until=2023-11-14T23:13:20+01:00", 1700000000000000000LL },
		{ "until=2023-11-14", 1699920000000000000LL },
		{ "until=1700000000.5", 1700000000500000000LL },
		{ "until=250ms", NOW - 250000000LL },
		{ "until=2023-11-14T22:13:20.25Z", 1700000000250000000LL },
		/* Go durations take a sign and a bare fraction (podman 4.3
		 * lists images for until=-5m and until=.5h) */
		{ "until=-5m", NOW + 300000000000LL },
		{ "until=.5h", NOW - 1800000000000LL },
		/* "0" is the epoch to c/common, not a duration */
		{ "until=0", 0 },
	};
	struct image_filters fs;
	char msg[512];
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *spec[] = { ok[i].spec };
		assert_int_equal(parse(spec, 1, &fs, msg), 0);
		assert_true(fs.f[0].time_ns == ok[i].ns);
	}
}

static void test_reference_candidates(void **state)
{
	(void)state;
	assert_true(image_reference_matches("localhost/hist", "localhost/hist:latest"));
	assert_true(image_reference_matches("hist", "localhost/hist:latest"));
	assert_true(image_reference_matches("hist:latest", "localhost/hist:latest"));
	assert_true(image_reference_matches("team/app", "reg.example:5000/team/app:v1"));
	assert_true(image_reference_matches("*/oth*", "localhost/other:v1"));
	assert_true(image_reference_matches("*", "localhost/other:v1"));
	/* path.Match: '*' never crosses a '/'. */
	assert_false(image_reference_matches("reg*", "reg.example:5000/team/app:v1"));
	assert_false(image_reference_matches("hist:v2", "localhost/hist:latest"));
	assert_false(image_reference_matches("his", "localhost/hist:latest"));
}

static void test_keys_and_values_combine_as_podmans(void **state)
{
	char *names_a[] = { "localhost/hist:latest" };
	char *layers_a[] = { "sha256:1" };
	Podd__ImageRecord a = PODD__IMAGE_RECORD__INIT, b = PODD__IMAGE_RECORD__INIT;
	char *keys[] = { "a" }, *values[] = { "b" };
	struct image_facts labelled = { .label_keys = keys, .label_values = values, .n_labels = 1 };
	struct image_facts parent = { .is_parent = true };
	struct image_filters fs;
	char msg[512];
	(void)state;

	a.id = ID_A;
	a.names = names_a;
	a.n_names = 1;
	a.layers = layers_a;
	a.n_layers = 1;
	a.created_ns = NOW - 1000;
	b.id = ID_B;
	b.created_ns = NOW - 2000;

	const char *refs[] = { "reference=hist", "reference=nothing" };
	assert_int_equal(parse(refs, 2, &fs, msg), 0);
	assert_true(image_filters_match(&fs, &a, NULL)); /* one of a key's values */
	const char *both[] = { "reference=hist", "dangling=true" };
	assert_int_equal(parse(both, 2, &fs, msg), 0);
	assert_false(image_filters_match(&fs, &a, NULL)); /* every key */
	const char *neg[] = { "reference!=hist" };
	assert_int_equal(parse(neg, 1, &fs, msg), 0);
	assert_false(image_filters_match(&fs, &a, NULL));
	assert_true(image_filters_match(&fs, &b, NULL));
	const char *lab[] = { "label=a=b" };
	assert_int_equal(parse(lab, 1, &fs, msg), 0);
	assert_true(image_filters_match(&fs, &a, &labelled));
	assert_false(image_filters_match(&fs, &b, NULL));
	const char *labkey[] = { "label=a", "label=zz" };
	assert_int_equal(parse(labkey, 2, &fs, msg), 0);
	assert_true(image_filters_match(&fs, &a, &labelled));
	const char *id[] = { "id=aaaa" };
	assert_int_equal(parse(id, 1, &fs, msg), 0);
	assert_false(image_filters_match(&fs, &a, NULL)); /* the whole id only */
	const char *inter[] = { "intermediate=false" };
	assert_int_equal(parse(inter, 1, &fs, msg), 0);
	assert_true(image_filters_match(&fs, &a, &parent)); /* named: not intermediate */
	assert_false(image_filters_match(&fs, &b, &parent));
	assert_true(image_filters_match(&fs, &b, NULL));

	Podd__ImageRecord *all[] = { &a, &b };
	podd_error_t err = NULL;
	const char *before[] = { "before=hist" };
	assert_int_equal(parse(before, 1, &fs, msg), 0);
	assert_int_equal(image_filters_resolve(&fs, all, 2, &err), 0);
	assert_false(image_filters_match(&fs, &a, NULL));
	assert_true(image_filters_match(&fs, &b, NULL));
	const char *since[] = { "since=nosuch" };
	assert_int_equal(parse(since, 1, &fs, msg), 0);
	assert_int_equal(image_filters_resolve(&fs, all, 2, &err), -1);
	assert_string_equal(err->msg, "could not find local image for filter filter \"since\"=\"nosuch\": nosuch: image not known");
	podd_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors_are_podmans),
		cmocka_unit_test(test_until_takes_durations_dates_and_seconds),
		cmocka_unit_test(test_reference_candidates),
		cmocka_unit_test(test_keys_and_values_combine_as_podmans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
