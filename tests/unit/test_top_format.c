/* podctl top's formats (podctl/top_format.c): psgo's output, on input a
 * container controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "top_format.h"

static const char *name_of(const char *file, uint32_t id)
{
	static char out[64];
	top_id_name(file, id, out, sizeof(out));
	return out;
}

static void test_id_name_finds_the_entry_for_the_id(void **state)
{
	const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			     "alice:x:1000:1000::/home/alice:/bin/sh\n"
			     "bob:x:10000:10000::/:/bin/sh\n";
	(void)state;
	assert_string_equal(name_of(passwd, 0), "root");
	assert_string_equal(name_of(passwd, 1000), "alice");
	assert_string_equal(name_of(passwd, 10000), "bob");
	assert_string_equal(name_of(passwd, 100), "100");
	assert_string_equal(name_of(NULL, 7), "7");
	/* a last line without its newline still counts */
	assert_string_equal(name_of("root:x:0:0\ntail:x:5:5", 5), "tail");
}

static void test_id_name_skips_malformed_lines(void **state)
{
	(void)state;
	/* no name, a signed or spaced id, too few fields, a cut line */
	assert_string_equal(name_of(":x:1:1::/:/bin/sh\n", 1), "1");
	assert_string_equal(name_of("neg:x:-1:1::/\n", 4294967295u), "4294967295");
	assert_string_equal(name_of("sp:x: 2:1::/\n", 2), "2");
	assert_string_equal(name_of("short:x\n", 0), "0");
	assert_string_equal(name_of("cut:x:3", 3), "3");
	/* an id past 2^32 must not wrap onto a small one */
	assert_string_equal(name_of("big:x:4294967299:0::/\n", 3), "3");
	/* a field separator on the next line does not belong to this one */
	assert_string_equal(name_of("a\nb:x:9:9\n", 9), "b");
	assert_string_equal(name_of("a:x\n:9:\n", 9), "9");
}

static void test_id_name_is_printable_and_bounded(void **state)
{
	char out[8];
	(void)state;
	assert_string_equal(name_of("\x1b[31mred:x:4:4::/\n", 4), "?[31mred");
	/* a name longer than the buffer is left out, not cut */
	top_id_name("averyveryverylongname:x:6:6\n", 6, out, sizeof(out));
	assert_string_equal(out, "6");
}

static void test_printable_turns_nuls_into_spaces_and_controls_into_marks(void **state)
{
	const uint8_t cmdline[] = { 's', 'h', 0, '-', 'c', 0, 0x1b, ']', 0x07, 0x7f, 0 };
	char *s = top_printable(cmdline, sizeof(cmdline));
	(void)state;
	assert_string_equal(s, "sh -c ?]?? ");
	free(s);
}

static const char *duration(int64_t ns)
{
	static char out[64];
	top_go_duration(ns, out, sizeof(out));
	return out;
}

static void test_go_duration_matches_go(void **state)
{
	(void)state;
	assert_string_equal(duration(0), "0s");
	assert_string_equal(duration(-5), "0s");
	assert_string_equal(duration(999), "999ns");
	assert_string_equal(duration(1500), "1.5µs");
	assert_string_equal(duration(1500000), "1.5ms");
	assert_string_equal(duration(10000000), "10ms");
	assert_string_equal(duration(1000000000), "1s");
	assert_string_equal(duration(3203007878), "3.203007878s");
	assert_string_equal(duration(60000000000), "1m0s");
	assert_string_equal(duration(294043134218), "4m54.043134218s");
	assert_string_equal(duration(3600000000000 + 5000000000), "1h0m5s");
	assert_string_equal(duration(90061500000000), "25h1m1.5s");
}

static const char *tty(uint32_t nr)
{
	static char out[32];
	top_tty_name(nr, out, sizeof(out));
	return out;
}

static void test_tty_name_decodes_the_kernel_encoding(void **state)
{
	(void)state;
	assert_string_equal(tty(0), "?");
	assert_string_equal(tty(136 << 8), "pts/0");
	assert_string_equal(tty((136 << 8) | 5), "pts/5");
	assert_string_equal(tty(137 << 8), "pts/256");
	/* minor 300: low byte 44, high bits 1 << 20 */
	assert_string_equal(tty((136 << 8) | 44 | (1 << 20)), "pts/300");
	assert_string_equal(tty((4 << 8) | 1), "tty1");
	assert_string_equal(tty((4 << 8) | 64), "ttyS0");
	assert_string_equal(tty(1 << 8), "?");
}

static void test_width_counts_characters_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(top_width("abc"), 3);
	assert_int_equal(top_width("1.5µs"), 5);
	assert_int_equal(top_width(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_name_finds_the_entry_for_the_id),
		cmocka_unit_test(test_id_name_skips_malformed_lines),
		cmocka_unit_test(test_id_name_is_printable_and_bounded),
		cmocka_unit_test(test_printable_turns_nuls_into_spaces_and_controls_into_marks),
		cmocka_unit_test(test_go_duration_matches_go),
		cmocka_unit_test(test_tty_name_decodes_the_kernel_encoding),
		cmocka_unit_test(test_width_counts_characters_not_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
