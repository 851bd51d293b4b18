/* podctl's registries.json and podman's auth file (podctl/registries.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "registries.h"

static char dir[] = "/tmp/podd-registries-XXXXXX";

static void put(const char *name, const char *text, char *path, size_t n)
{
	podd_error_t err = NULL;
	snprintf(path, n, "%s/%s", dir, name);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0600, &err), 0);
}

static void test_conf_search_list_and_insecure(void **state)
{
	char path[256];
	struct registries_conf c;
	podd_error_t err = NULL;
	(void)state;
	put("r.json",
	    "{\"unqualified-search-registries\":[\"a.example\",\"127.0.0.1:5000\"],"
	    "\"registries\":[{\"location\":\"127.0.0.1:5000\",\"insecure\":true},"
	    "{\"location\":\"b.example\"}]}",
	    path, sizeof(path));
	setenv("PODD_REGISTRIES_CONF", path, 1);
	assert_int_equal(registries_conf_load(&c, &err), 0);
	assert_int_equal(c.n_search, 2);
	assert_string_equal(c.search[0], "a.example");
	assert_string_equal(c.search[1], "127.0.0.1:5000");
	assert_true(registries_conf_insecure(&c, "127.0.0.1:5000"));
	assert_false(registries_conf_insecure(&c, "b.example"));
	registries_conf_free(&c);
}

static void test_conf_missing_file_is_empty_and_bad_entries_are_errors(void **state)
{
	char path[256];
	struct registries_conf c;
	podd_error_t err = NULL;
	(void)state;
	snprintf(path, sizeof(path), "%s/none.json", dir);
	setenv("PODD_REGISTRIES_CONF", path, 1);
	assert_int_equal(registries_conf_load(&c, &err), 0);
	assert_int_equal(c.n_search, 0);
	put("bad.json", "{\"unqualified-search-registries\":[\"no/slash\"]}", path, sizeof(path));
	setenv("PODD_REGISTRIES_CONF", path, 1);
	assert_int_equal(registries_conf_load(&c, &err), -1);
	assert_non_null(strstr(err->msg, "unqualified-search-registries[0]"));
	podd_error_free(&err);
	registries_conf_free(&c);
}

static void test_auth_file_round_trip_in_podmans_format(void **state)
{
	char path[256];
	struct auth_file f;
	char *user, *password;
	podd_error_t err = NULL;
	cleanup_free char *text = NULL;
	(void)state;
	snprintf(path, sizeof(path), "%s/sub/auth.json", dir);
	assert_int_equal(auth_file_open(path, true, &f, &err), 0);
	assert_int_equal(auth_file_set(&f, "127.0.0.1:5000", "podd", "s3:cret", &err), 0);
	assert_int_equal(auth_file_save(&f, &err), 0);
	auth_file_close(&f);
	assert_int_equal(read_file_limited(path, 4096, &text, &err), 0);
	/* base64("podd:s3:cret") */
	assert_non_null(strstr(text, "\"auth\": \"cG9kZDpzMzpjcmV0\""));

	assert_int_equal(auth_lookup(path, "127.0.0.1:5000/podd/busybox", &user, &password, &err),
			 0);
	assert_string_equal(user, "podd");
	assert_string_equal(password, "s3:cret");
	free(user);
	free(password);
	assert_int_equal(auth_lookup(path, "127.0.0.1:5001/x", &user, &password, &err), 0);
	assert_null(user);

	assert_int_equal(auth_file_open(path, false, &f, &err), 0);
	assert_int_equal(auth_file_remove(&f, "127.0.0.1:5000"), 1);
	assert_int_equal(auth_file_remove(&f, "127.0.0.1:5000"), 0);
	assert_int_equal(auth_file_save(&f, &err), 0);
	auth_file_close(&f);
	assert_int_equal(auth_lookup(path, "127.0.0.1:5000/podd", &user, &password, &err), 0);
	assert_null(user);
}

static void test_auth_lookup_prefers_the_most_specific_key(void **state)
{
	char path[256];
	char *user, *password;
	podd_error_t err = NULL;
	(void)state;
	/* "a:b" and "c:d" */
	put("a.json",
	    "{\"auths\":{\"r.example\":{\"auth\":\"YTpi\"},"
	    "\"r.example/team\":{\"auth\":\"YzpkZA==\"}}}",
	    path, sizeof(path));
	assert_int_equal(auth_lookup(path, "r.example/team/app", &user, &password, &err), 0);
	assert_string_equal(user, "c");
	assert_string_equal(password, "dd");
	free(user);
	free(password);
	assert_int_equal(auth_lookup(path, "r.example/other", &user, &password, &err), 0);
	assert_string_equal(user, "a");
	free(user);
	free(password);
}

static void test_auth_file_path_follows_podman(void **state)
{
	char path[4096];
	(void)state;
	auth_file_path("/x/flag.json", path, sizeof(path));
	assert_string_equal(path, "/x/flag.json");
	setenv("REGISTRY_AUTH_FILE", "/x/env.json", 1);
	auth_file_path(NULL, path, sizeof(path));
	assert_string_equal(path, "/x/env.json");
	unsetenv("REGISTRY_AUTH_FILE");
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	auth_file_path(NULL, path, sizeof(path));
	assert_string_equal(path, geteuid() == 0 ? "/run/containers/0/auth.json"
						 : "/run/user/1000/containers/auth.json");
}

static void test_creds_split(void **state)
{
	char *u, *p;
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(creds_split("me:pa:ss", &u, &p, &err), 0);
	assert_string_equal(u, "me");
	assert_string_equal(p, "pa:ss");
	free(u);
	free(p);
	assert_int_equal(creds_split(":x", &u, &p, &err), -1);
	podd_error_free(&err);
}

static int teardown(void **state)
{
	podd_error_t err = NULL;
	(void)state;
	remove_tree(dir, &err);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_search_list_and_insecure),
		cmocka_unit_test(test_conf_missing_file_is_empty_and_bad_entries_are_errors),
		cmocka_unit_test(test_auth_file_round_trip_in_podmans_format),
		cmocka_unit_test(test_auth_lookup_prefers_the_most_specific_key),
		cmocka_unit_test(test_auth_file_path_follows_podman),
		cmocka_unit_test(test_creds_split),
	};
	if (mkdtemp(dir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, teardown);
}
