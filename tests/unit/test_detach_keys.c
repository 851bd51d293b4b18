/* podctl's --detach-keys: parsing podman's format, and the matcher that
 * holds back a partial sequence and passes it on when it goes no further. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "detach_keys.h"

static void test_parse(void **state)
{
	struct detach_keys k;
	podd_error_t err = NULL;
	static const char *const bad[] = { "ctrl-1", "ab", "ctrl-a,ctrl-", "ctrl-", ",",
					   "ctrl-p,", "ctrl-A", "ctrl-pq" };
	(void)state;

	assert_int_equal(detach_keys_parse("ctrl-p,ctrl-q", &k, &err), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.seq[0], 0x10);
	assert_int_equal(k.seq[1], 0x11);
	assert_int_equal(detach_keys_parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,x,,", &k,
					   &err), -1);
	podd_error_free(&err);
	assert_int_equal(detach_keys_parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,x", &k, &err),
			 0);
	assert_int_equal(k.n, 7);
	assert_memory_equal(k.seq, "\0\x1b\x1c\x1d\x1e\x1fx", 7);
	assert_int_equal(detach_keys_parse("", &k, &err), 0);
	assert_int_equal(k.n, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(detach_keys_parse(bad[i], &k, &err), -1);
		assert_non_null(strstr(err->msg, "invalid detach keys"));
		podd_error_free(&err);
	}
	assert_int_equal(detach_keys_parse("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", &k, &err), -1);
	podd_error_free(&err);
}

/* Feeds `in` one byte at a time or whole; returns what passed and whether
 * it detached. */
static bool feed(const char *spec, const char *in, size_t n, bool bytewise, char *passed,
		 size_t *np)
{
	struct detach_keys k;
	podd_error_t err = NULL;
	unsigned char out[64 + DETACH_KEYS_MAX];
	size_t m;

	assert_int_equal(detach_keys_parse(spec, &k, &err), 0);
	*np = 0;
	for (size_t i = 0; i < n; i += bytewise ? 1 : n) {
		size_t len = bytewise ? 1 : n;
		bool done = detach_keys_feed(&k, (const unsigned char *)in + i, len, out, &m);
		memcpy(passed + *np, out, m);
		*np += m;
		if (done)
			return true;
	}
	return false;
}

static void test_feed(void **state)
{
	static const struct {
		const char *spec, *in;
		size_t n;
		bool detach;
		const char *passed;
		size_t np;
	} cases[] = {
		{ "ctrl-p,ctrl-q", "ab\x10\x11zz", 6, true, "ab", 2 },
		{ "ctrl-p,ctrl-q", "a\x10x", 3, false, "a\x10x", 3 },
		{ "ctrl-p,ctrl-q", "\x10\x10\x11", 3, true, "\x10", 1 },
		{ "ctrl-p,ctrl-q", "\x10", 1, false, "", 0 }, /* held */
		{ "a,a,b", "aaab", 4, true, "a", 1 },
		{ "a,b,a,c", "ababac", 6, true, "ab", 2 },
		{ "", "\x10\x11", 2, false, "\x10\x11", 2 },
		{ "x", "abxq", 4, true, "ab", 2 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			char passed[64];
			size_t np;
			bool d = feed(cases[i].spec, cases[i].in, cases[i].n, bytewise, passed, &np);
			if (d != cases[i].detach || np != cases[i].np ||
			    memcmp(passed, cases[i].passed, np) != 0)
				fail_msg("case %zu (%s): detach %d, %zu bytes passed", i,
					 bytewise ? "bytewise" : "whole", d, np);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_feed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
