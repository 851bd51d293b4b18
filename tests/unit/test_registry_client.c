/* The registry client's parsing of what a registry says about itself
 * (podd-image/registry_auth.c): WWW-Authenticate challenges. The client as a
 * whole is tested against real registries in tests/system/test_registry.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "registry.h"

static void expect_param(const char *ch, const char *key, const char *want)
{
	char *got = registry_challenge_param(ch, key);
	if (want == NULL) {
		if (got)
			fail_msg("%s in [%s]: got \"%s\", expected none", key, ch, got);
		return;
	}
	if (got == NULL)
		fail_msg("%s in [%s]: none, expected \"%s\"", key, ch, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_docker_hub_style_challenge(void **state)
{
	static const char ch[] = "realm=\"https://auth.docker.io/token\","
				 "service=\"registry.docker.io\","
				 "scope=\"repository:library/busybox:pull\"";
	(void)state;
	expect_param(ch, "realm", "https://auth.docker.io/token");
	expect_param(ch, "service", "registry.docker.io");
	expect_param(ch, "scope", "repository:library/busybox:pull");
	expect_param(ch, "error", NULL);
}

static void test_keys_are_whole_and_case_insensitive(void **state)
{
	(void)state;
	expect_param("xrealm=\"a\",Realm=\"b\"", "realm", "b");
	expect_param("service=\"s\"", "servic", NULL);
}

static void test_tokens_spaces_and_escapes(void **state)
{
	(void)state;
	expect_param("realm=http://t/token, service=reg", "service", "reg");
	expect_param("realm=http://t/token, service=reg", "realm", "http://t/token");
	expect_param("realm=\"a\\\"b\\\\c\",service=x", "realm", "a\"b\\c");
	expect_param("realm=\"a,b=c\",service=x", "service", "x");
}

static void test_malformed_challenges_give_nothing(void **state)
{
	(void)state;
	expect_param("", "realm", NULL);
	expect_param("realm", "realm", NULL);
	expect_param("realm=\"unterminated", "service", NULL);
	expect_param(",,,", "realm", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_hub_style_challenge),
		cmocka_unit_test(test_keys_are_whole_and_case_insensitive),
		cmocka_unit_test(test_tokens_spaces_and_escapes),
		cmocka_unit_test(test_malformed_challenges_give_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
