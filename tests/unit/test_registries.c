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

static void test_prefix_match_on_whole_components_and_wildcard_subdomains(void **state)
{
	(void)state;
	assert_int_equal(registry_prefix_match("example.test/busybox", "example.test"), 12);
	assert_int_equal(registry_prefix_match("example.test", "example.test"), 12);
	assert_int_equal(registry_prefix_match("example.test/a/b", "example.test/a"), 14);
	/* Not on a component boundary. */
	assert_int_equal(registry_prefix_match("example.testing/busybox", "example.test"), -1);
	assert_int_equal(registry_prefix_match("example.test/ab", "example.test/a"), -1);
	assert_int_equal(registry_prefix_match("example.test:5000/a", "example.test"), -1);
	/* "*.domain": any subdomain (the port is the host's), not the domain. */
	assert_int_equal(registry_prefix_match("a.example.test/x", "*.example.test"), 14);
	assert_int_equal(registry_prefix_match("b.a.example.test/x", "*.example.test"), 16);
	assert_int_equal(registry_prefix_match("a.example.test:5000/x", "*.example.test"), 14);
	assert_int_equal(registry_prefix_match("example.test/x", "*.example.test"), -1);
	assert_int_equal(registry_prefix_match("a.example.testing/x", "*.example.test"), -1);
	assert_int_equal(registry_prefix_match("other.test/a.example.test", "*.example.test"), -1);
}

static void test_find_takes_the_longest_prefix_then_the_first(void **state)
{
	struct registry_entry e[4] = {
		{ .prefix = "example.test" },
		{ .prefix = "example.test/team/app" },
		{ .prefix = "example.test/team" },
		{ .prefix = "*.example.test" },
	};
	(void)state;
	assert_ptr_equal(registry_find(e, 4, "example.test/busybox"), &e[0]);
	assert_ptr_equal(registry_find(e, 4, "example.test/team/x"), &e[2]);
	assert_ptr_equal(registry_find(e, 4, "example.test/team/app"), &e[1]);
	assert_ptr_equal(registry_find(e, 4, "example.test/team/appx"), &e[2]);
	assert_ptr_equal(registry_find(e, 4, "a.example.test/x"), &e[3]);
	assert_null(registry_find(e, 4, "other.test/x"));
}

static void parse(const char *s, struct podd_reference *r)
{
	podd_error_t err = NULL;
	assert_int_equal(podd_reference_parse(s, r, &err), 0);
}

static void name_of(const struct podd_reference *r, char *out)
{
	podd_reference_string(r, out, PODD_REFERENCE_MAX);
}

static void test_sources_are_the_mirrors_then_the_location_rewritten(void **state)
{
	struct registry_entry e = {
		.prefix = "example.test/lib",
		.primary = { "127.0.0.1:5000/other", false },
		.mirrors = { { "127.0.0.1:5001", true }, { "mirror.test/a/b", false } },
		.n_mirrors = 2,
	};
	struct registry_source src[REGISTRY_SOURCES_MAX];
	struct podd_reference ref;
	char name[PODD_REFERENCE_MAX];
	podd_error_t err = NULL;
	(void)state;

	parse("example.test/lib/busybox:1.36", &ref);
	assert_int_equal(registry_pull_sources(&e, &ref, src, &err), 3);
	name_of(&src[0].ref, name);
	assert_string_equal(name, "127.0.0.1:5001/busybox:1.36");
	assert_true(src[0].insecure && src[0].mirror);
	name_of(&src[1].ref, name);
	assert_string_equal(name, "mirror.test/a/b/busybox:1.36");
	assert_false(src[1].insecure);
	name_of(&src[2].ref, name);
	assert_string_equal(name, "127.0.0.1:5000/other/busybox:1.36");
	assert_false(src[2].mirror);

	/* By digest only: a tag goes to the location alone. */
	e.mirror_by_digest_only = true;
	assert_int_equal(registry_pull_sources(&e, &ref, src, &err), 1);
	name_of(&src[0].ref, name);
	assert_string_equal(name, "127.0.0.1:5000/other/busybox:1.36");
	parse("example.test/lib/busybox@sha256:0cbdd067e2320f9d9da7f1f8ad8a43662eee4bc4a93196c04b"
	      "624098d02ad957",
	      &ref);
	assert_int_equal(registry_pull_sources(&e, &ref, src, &err), 3);
	name_of(&src[1].ref, name);
	assert_string_equal(name, "mirror.test/a/b/busybox@sha256:0cbdd067e2320f9d9da7f1f8ad8a436"
				  "62eee4bc4a93196c04b624098d02ad957");

	/* No entry: the reference itself. A wildcard without a location:
	 * the reference itself, after its mirrors. */
	assert_int_equal(registry_pull_sources(NULL, &ref, src, &err), 1);
	assert_string_equal(src[0].ref.domain, "example.test");
	{
		struct registry_entry w = { .prefix = "*.example.test",
					    .mirrors = { { "127.0.0.1:5001/m", false } },
					    .n_mirrors = 1 };
		parse("a.example.test/x/y:t", &ref);
		assert_int_equal(registry_pull_sources(&w, &ref, src, &err), 2);
		name_of(&src[0].ref, name);
		assert_string_equal(name, "127.0.0.1:5001/m/x/y:t");
		name_of(&src[1].ref, name);
		assert_string_equal(name, "a.example.test/x/y:t");
	}
	/* docker.io's names are matched as podman writes them. */
	{
		struct registry_entry d = { .prefix = "docker.io",
					    .primary = { "127.0.0.1:5000", true } };
		parse("docker.io/busybox", &ref);
		assert_int_equal(registry_pull_sources(&d, &ref, src, &err), 1);
		name_of(&src[0].ref, name);
		assert_string_equal(name, "127.0.0.1:5000/library/busybox:latest");
	}
}

static void test_conf_mirrors_prefixes_and_blocked(void **state)
{
	char path[256];
	struct registries_conf c;
	podd_error_t err = NULL;
	const struct registry_entry *e;
	(void)state;
	put("m.json",
	    "{\"registries\":[{\"prefix\":\"example.test\",\"location\":\"127.0.0.1:5000/other/\","
	    "\"mirror-by-digest-only\":true,\"unknown-key\":1,"
	    "\"mirror\":[{\"location\":\"127.0.0.1:5001\",\"insecure\":true}]},"
	    "{\"prefix\":\"*.blocked.test\",\"blocked\":true}]}",
	    path, sizeof(path));
	setenv("PODD_REGISTRIES_CONF", path, 1);
	assert_int_equal(registries_conf_load(&c, &err), 0);
	assert_int_equal(c.n_entries, 2);
	e = registries_conf_find(&c, "example.test/busybox");
	assert_non_null(e);
	assert_string_equal(e->primary.location, "127.0.0.1:5000/other");
	assert_false(e->primary.insecure);
	assert_true(e->mirror_by_digest_only);
	assert_int_equal(e->n_mirrors, 1);
	assert_string_equal(e->mirrors[0].location, "127.0.0.1:5001");
	assert_true(e->mirrors[0].insecure);
	assert_int_equal(registries_conf_check_blocked(&c, "example.test/busybox", &err), 0);
	assert_int_equal(registries_conf_check_blocked(&c, "a.blocked.test/x", &err), -1);
	assert_non_null(strstr(err->msg, "registry *.blocked.test is blocked in"));
	podd_error_free(&err);
	registries_conf_free(&c);
}

static void test_conf_bad_registries_entries_are_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "[{\"location\":\"x.test\",\"insecure\":\"yes\"}]", "registries[0]: insecure is" },
		{ "[{\"prefix\":\"x.test\"}]", "registries[0]: invalid condition: location is unset" },
		{ "[{}]", "both location and prefix are unset" },
		{ "[{\"prefix\":\"*.x.test/a\",\"location\":\"y.test\"}]", "Wildcarded prefix" },
		{ "[{\"location\":\"https://x.test\"}]", "URI schemes are not supported" },
		{ "[{\"location\":\"x.test/a:tag\"}]", "registries[0]: invalid location" },
		{ "[{\"location\":\"nodomain\"}]", "registries[0]: invalid location" },
		{ "[{\"location\":\"x.test\"},{\"location\":\"y.test\",\"mirror\":[{}]}]",
		  "registries[1]: mirror[0]: invalid condition: mirror location is unset" },
		{ "[{\"location\":\"x.test\",\"mirror\":{\"location\":\"y.test\"}}]",
		  "registries[0]: mirror: a list of at most 16" },
		{ "[{\"location\":\"x.test\"},{\"location\":\"x.test\",\"insecure\":true}]",
		  "registry 'x.test' is defined multiple times with conflicting 'insecure'" },
		{ "[{\"location\":\"x.test\"},{\"prefix\":\"x.test\",\"location\":\"y.test\"}]",
		  "registries[1]: prefix \"x.test\" is registries[0]'s too" },
		{ "[3]", "registries[0]: not an object" },
	};
	char path[256], text[512];
	struct registries_conf c;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		podd_error_t err = NULL;
		snprintf(text, sizeof(text), "{\"registries\":%s}", bad[i].json);
		put("bad.json", text, path, sizeof(path));
		setenv("PODD_REGISTRIES_CONF", path, 1);
		assert_int_equal(registries_conf_load(&c, &err), -1);
		if (strstr(err->msg, bad[i].msg) == NULL)
			fail_msg("%s: %s", bad[i].json, err->msg);
		assert_non_null(strstr(err->msg, path));
		podd_error_free(&err);
		assert_int_equal(c.n_entries, 0);
	}
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
		cmocka_unit_test(test_prefix_match_on_whole_components_and_wildcard_subdomains),
		cmocka_unit_test(test_find_takes_the_longest_prefix_then_the_first),
		cmocka_unit_test(test_sources_are_the_mirrors_then_the_location_rewritten),
		cmocka_unit_test(test_conf_mirrors_prefixes_and_blocked),
		cmocka_unit_test(test_conf_bad_registries_entries_are_errors),
		cmocka_unit_test(test_auth_file_round_trip_in_podmans_format),
		cmocka_unit_test(test_auth_lookup_prefers_the_most_specific_key),
		cmocka_unit_test(test_auth_file_path_follows_podman),
		cmocka_unit_test(test_creds_split),
	};
	if (mkdtemp(dir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, teardown);
}
