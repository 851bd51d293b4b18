/* --user resolution against a container's passwd and group files
 * (podd-exec/userdb.c), podman's rules, on hostile file contents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "userdb.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment\n"
			     "bob:x:1000:1000:Bob:/home/bob:/bin/sh\n"
			     "nohome:x:1001:1001::relative:/bin/sh\n";
static const char group[] = "root:x:0:\n"
			    "bob:x:1000:\n"
			    "staff:x:50:alice,bob\n"
			    "wheel:x:10:bob\n"
			    "bobby:x:60:bobby\n";

static void resolve_ok(const char *spec, const char *pw, const char *gr, struct exec_user *u)
{
	podd_error_t err = NULL;
	assert_int_equal(user_resolve(spec, pw, gr, u, &err), 0);
	assert_null(err);
}

static void resolve_fails(const char *spec, const char *pw, const char *gr, int code,
			  const char *msg)
{
	struct exec_user u;
	podd_error_t err = NULL;
	assert_int_equal(user_resolve(spec, pw, gr, &u, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, code);
	assert_non_null(strstr(err->msg, msg));
	podd_error_free(&err);
}

static void test_name_takes_entry_groups_and_home(void **state)
{
	struct exec_user u;
	(void)state;
	resolve_ok("bob", passwd, group, &u);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.home, "/home/bob");
	/* primary first, then memberships in file order; "bobby" is no match */
	assert_int_equal(u.ngids, 3);
	assert_int_equal(u.gids[0], 1000);
	assert_int_equal(u.gids[1], 50);
	assert_int_equal(u.gids[2], 10);
}

static void test_number_in_passwd_is_that_user(void **state)
{
	struct exec_user u;
	(void)state;
	resolve_ok("1000", passwd, group, &u);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_int_equal(u.ngids, 3);
}

static void test_unknown_number_is_allowed_with_group_0_and_home_slash(void **state)
{
	struct exec_user u;
	(void)state;
	resolve_ok("4242", passwd, group, &u);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.home, "/");
	assert_int_equal(u.ngids, 1);
}

static void test_explicit_group_replaces_all_groups(void **state)
{
	struct exec_user u;
	(void)state;
	resolve_ok("bob:staff", passwd, group, &u);
	assert_int_equal(u.gid, 50);
	assert_int_equal(u.ngids, 1);
	assert_int_equal(u.gids[0], 50);
	resolve_ok("bob:77", passwd, group, &u);
	assert_int_equal(u.gid, 77);
}

static void test_unknown_names_are_errors_podman_words(void **state)
{
	(void)state;
	resolve_fails("nosuch", passwd, group, PODD_E_CANNOT_INVOKE,
		      "unable to find user nosuch: no matching entries in passwd file");
	resolve_fails("bob:nogroup", passwd, group, PODD_E_CANNOT_INVOKE,
		      "unable to find group nogroup: no matching entries in group file");
	resolve_fails("nosuch", NULL, NULL, PODD_E_CANNOT_INVOKE, "unable to find user");
}

static void test_malformed_specs_are_refused(void **state)
{
	(void)state;
	resolve_fails(":", passwd, group, PODD_E_INVALID_ARGUMENT, "invalid user");
	resolve_fails("bob:", passwd, group, PODD_E_INVALID_ARGUMENT, "invalid user");
	resolve_fails(":50", passwd, group, PODD_E_INVALID_ARGUMENT, "invalid user");
}

/* Lines a hostile image could carry: wrong field counts, signs, overflow,
 * huge ids, an id of 2^32-1, lines longer than the parser's buffer. None
 * may be taken; the good entry after them still is. */
static void test_malformed_lines_are_skipped(void **state)
{
	struct exec_user u;
	char big[20000];
	(void)state;
	static const char hostile[] = "eve:x:-1:0::/:/bin/sh\n"
				      "eve:x:+5:0::/:/bin/sh\n"
				      "eve:x:4294967295:0::/:/bin/sh\n"
				      "eve:x:99999999999:0::/:/bin/sh\n"
				      "eve:x:5:0::/\n"
				      "eve:x:5:0::/:/bin/sh:extra\n"
				      ":x:5:0::/:/bin/sh\n"
				      "eve:x:7:8:E:/home/eve:/bin/sh\n";
	resolve_ok("eve", hostile, "", &u);
	assert_int_equal(u.uid, 7);
	assert_int_equal(u.gid, 8);
	assert_string_equal(u.home, "/home/eve");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "aaa:x:1:1::/:", 13);
	big[sizeof(big) - 40] = '\n';
	memcpy(big + sizeof(big) - 39, "eve:x:3:3::/e:/bin/sh\n", 22);
	big[sizeof(big) - 39 + 22] = '\0';
	resolve_ok("eve", big, "", &u);
	assert_int_equal(u.uid, 3);
	resolve_fails("aaa", big, "", PODD_E_CANNOT_INVOKE, "unable to find user aaa");
}

static void test_relative_home_is_skipped(void **state)
{
	(void)state;
	/* the entry with a relative home is not well-formed: the name is unknown */
	resolve_fails("nohome", passwd, group, PODD_E_CANNOT_INVOKE, "unable to find user");
}

static void test_first_entry_wins(void **state)
{
	struct exec_user u;
	(void)state;
	resolve_ok("dup", "dup:x:1:1::/a:/s\ndup:x:2:2::/b:/s\n", "", &u);
	assert_int_equal(u.uid, 1);
	assert_string_equal(u.home, "/a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_takes_entry_groups_and_home),
		cmocka_unit_test(test_number_in_passwd_is_that_user),
		cmocka_unit_test(test_unknown_number_is_allowed_with_group_0_and_home_slash),
		cmocka_unit_test(test_explicit_group_replaces_all_groups),
		cmocka_unit_test(test_unknown_names_are_errors_podman_words),
		cmocka_unit_test(test_malformed_specs_are_refused),
		cmocka_unit_test(test_malformed_lines_are_skipped),
		cmocka_unit_test(test_relative_home_is_skipped),
		cmocka_unit_test(test_first_entry_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
