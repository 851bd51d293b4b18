/* Times read from text (lib/rfc3339.c, podctl/duration.c): RFC 3339 from
 * image configs and the command line, Go durations and epoch seconds as
 * podman's flags take them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "rfc3339.h"

static void test_rfc3339_reads_fractions_and_offsets(void **state)
{
	static const struct {
		const char *s;
		int64_t ns;
	} ok[] = {
		{ "2023-11-14T22:13:20Z", 1700000000000000000LL },
		{ "2023-11-14T22:13:20.25Z", 1700000000250000000LL },
		{ "2023-11-14T22:13:20.123456789Z", 1700000000123456789LL },
		/* past nine digits the rest is read and dropped */
		{ "2023-11-14T22:13:20.1234567891234Z", 1700000000123456789LL },
		{ "2023-11-14T23:13:20+01:00", 1700000000000000000LL },
		{ "2023-11-14T21:13:20.5-01:00", 1700000000500000000LL },
		{ "2023-11-14t22:13:20z", 1700000000000000000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000000000LL },
		/* what podctl logs -t prints reads back */
		{ "1970-01-01T00:00:00.000000001Z", 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t ns = -1;
		assert_int_equal(podd_rfc3339_parse(ok[i].s, &ns), 0);
		assert_true(ns == ok[i].ns);
	}
	for (int64_t t = 1; t < INT64_MAX / 3; t = t * 3 + 7) {
		char *s = podd_rfc3339(t), *nano = podd_rfc3339_nano(t);
		int64_t a = 0, b = 0;
		assert_non_null(s);
		assert_non_null(nano);
		assert_int_equal(podd_rfc3339_parse(s, &a), 0);
		assert_int_equal(podd_rfc3339_parse(nano, &b), 0);
		assert_true(a == t && b == t);
		free(s);
		free(nano);
	}
}

static void test_rfc3339_refuses_what_is_not_one(void **state)
{
	static const char *const bad[] = {
		"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13Z",
		"2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+01", "2023-11-14T22:13:20+0100",
		"2023-11-14T22:13:20+01:00x", "2023-11-14T22:13:20Zjunk", "2023-02-29T00:00:00Z",
		"2023-13-01T00:00:00Z", "2023-11-31T00:00:00Z", "2023-11-14T24:00:00Z",
		"2023-11-14T22:60:00Z", "2023-1-14T22:13:20Z", " 2023-11-14T22:13:20Z",
		"2023-11-14T22:13:20+24:00",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ns = 42;
		assert_int_equal(podd_rfc3339_parse(bad[i], &ns), -1);
		assert_true(ns == 42);
	}
}

static void test_rfc3339_outside_int64_is_unknown_not_invalid(void **state)
{
	int64_t ns = 42;
	(void)state;
	/* Go's zero time, which some image builders write */
	assert_int_equal(podd_rfc3339_parse("0001-01-01T00:00:00Z", &ns), 1);
	assert_int_equal(podd_rfc3339_parse("9999-12-31T23:59:59Z", &ns), 1);
	assert_true(ns == 42);
}

static void test_go_durations_as_time_parseduration(void **state)
{
	static const struct {
		const char *s;
		int64_t ns;
	} ok[] = {
		{ "0", 0 },
		{ "-0", 0 },
		{ "+0", 0 },
		{ "10s", 10000000000LL },
		{ "1h30m", 5400000000000LL },
		{ "1.5h", 5400000000000LL },
		{ ".5h", 1800000000000LL },
		{ "5.m", 300000000000LL },
		{ "-5m", -300000000000LL },
		{ "+5m", 300000000000LL },
		{ "250ms", 250000000LL },
		{ "3us", 3000 },
		{ "3\u00b5s", 3000 },
		{ "3\u03bcs", 3000 },
		{ "7ns", 7 },
		{ "1h1m1s1ms1us1ns", 3661001001001LL },
		{ "0.000000001s", 1 },
		{ "1.0000000000000000000001s", 1000000000LL },
		{ "2562047h47m16.854775807s", INT64_MAX },
		{ "-2562047h47m16.854775808s", INT64_MIN },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t ns = 42;
		assert_int_equal(podd_go_duration_parse(ok[i].s, &ns), 0);
		assert_true(ns == ok[i].ns);
	}
}

static void test_go_durations_refuse_what_go_refuses(void **state)
{
	static const char *const bad[] = {
		"", "-", "+", "5", "1h5", ".", ".s", "-.s", "1d", "1H", "10S", " 10s", "10s ",
		"1h-5m", "1e3s", "0x10s", "inf", "nanh", "2562047h47m16.854775808s",
		"-2562047h47m16.854775809s", "9223372036854775808ns", "99999999999999999999h",
		"1\u00b5", "\u00b5s",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ns = 42;
		assert_int_equal(podd_go_duration_parse(bad[i], &ns), -1);
		assert_true(ns == 42);
	}
}

static void test_epoch_seconds(void **state)
{
	static const char *const bad[] = { "", ".5", "1.", "-1", "+1", "1e3", "0x10", " 1",
					   "1 ", "9223372036", "1700000000.5s" };
	int64_t ns = 0;
	(void)state;
	assert_int_equal(podd_epoch_seconds_parse("1700000000", &ns), 0);
	assert_true(ns == 1700000000000000000LL);
	assert_int_equal(podd_epoch_seconds_parse("1700000000.25", &ns), 0);
	assert_true(ns == 1700000000250000000LL);
	assert_int_equal(podd_epoch_seconds_parse("0.0000000019", &ns), 0);
	assert_true(ns == 1);
	assert_int_equal(podd_epoch_seconds_parse("9223372035.999999999", &ns), 0);
	assert_true(ns == 9223372035999999999LL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 42;
		assert_int_equal(podd_epoch_seconds_parse(bad[i], &ns), -1);
		assert_true(ns == 42);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_reads_fractions_and_offsets),
		cmocka_unit_test(test_rfc3339_refuses_what_is_not_one),
		cmocka_unit_test(test_rfc3339_outside_int64_is_unknown_not_invalid),
		cmocka_unit_test(test_go_durations_as_time_parseduration),
		cmocka_unit_test(test_go_durations_refuse_what_go_refuses),
		cmocka_unit_test(test_epoch_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
