/* term_safe: what reaches a terminal of an image's or a helper's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "term_safe.h"

static void check(const char *in, const char *want)
{
	char *got = term_safe(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_controls_and_bad_bytes_become_question_marks(void **state)
{
	(void)state;
	check("plain text", "plain text");
	check("\x1b]0;pwned\a\x1b[2J", "?]0;pwned??[2J");
	check("tab\there\r\n", "tab?here??");
	check("del\x7f", "del?");
	check("c1 \xc2\x9b csi", "c1 ? csi");      /* U+009B as UTF-8: the C1 CSI */
	check("raw \x9b csi", "raw ? csi");          /* the lone byte */
	check("overlong \xc0\xaf", "overlong ??");
	check("surrogate \xed\xa0\x80", "surrogate ???");
	check("cut \xe2\x82", "cut ??");
}

static void test_utf8_text_stays(void **state)
{
	(void)state;
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	check("nbsp\xc2\xa0", "nbsp\xc2\xa0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls_and_bad_bytes_become_question_marks),
		cmocka_unit_test(test_utf8_text_stays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
