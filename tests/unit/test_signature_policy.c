/* podctl's containers-policy.json: the strict parse, the scopes c/image
 * looks up and the requirements they select (podctl/signature_policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "signature_policy.h"

#define NSCOPES 64
static char scopes[NSCOPES][SIGNATURE_POLICY_SCOPE_MAX];

static size_t docker_scopes(const char *name)
{
	struct podd_reference ref;
	podd_error_t err = NULL;
	assert_int_equal(podd_reference_parse(name, &ref, &err), 0);
	return signature_policy_docker_scopes(&ref, scopes, NSCOPES);
}

static void test_docker_scopes_most_specific_first(void **state)
{
	(void)state;
	assert_int_equal(docker_scopes("a.example.com:5000/ns/sub/img:v1"), 7);
	assert_string_equal(scopes[0], "a.example.com:5000/ns/sub/img:v1");
	assert_string_equal(scopes[1], "a.example.com:5000/ns/sub/img");
	assert_string_equal(scopes[2], "a.example.com:5000/ns/sub");
	assert_string_equal(scopes[3], "a.example.com:5000/ns");
	assert_string_equal(scopes[4], "a.example.com:5000");
	/* Wildcards without the port, as podman 4.3 matches them. */
	assert_string_equal(scopes[5], "*.example.com");
	assert_string_equal(scopes[6], "*.com");
}

static void test_docker_scopes_expand_docker_hub_and_use_the_digest(void **state)
{
	(void)state;
	assert_int_equal(docker_scopes("docker.io/busybox"), 5);
	assert_string_equal(scopes[0], "docker.io/library/busybox:latest");
	assert_string_equal(scopes[2], "docker.io/library");
	assert_string_equal(scopes[3], "docker.io");
	assert_string_equal(scopes[4], "*.io");
	docker_scopes("localhost/img@sha256:"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(scopes[0], "localhost/img@sha256:"
				       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(scopes[1], "localhost/img");
}

static void test_path_scopes_are_the_path_and_its_parents_not_root(void **state)
{
	(void)state;
	assert_int_equal(signature_policy_path_scopes("/a/b/c.tar", scopes, NSCOPES), 3);
	assert_string_equal(scopes[0], "/a/b/c.tar");
	assert_string_equal(scopes[1], "/a/b");
	assert_string_equal(scopes[2], "/a");
	assert_int_equal(signature_policy_path_scopes("/", scopes, NSCOPES), 0);
}

/* The first requirement's type of those the scopes select. */
static const char *first_type(struct signature_policy *p, const char *transport, size_t n,
			      const char **scope)
{
	json_object *reqs = signature_policy_requirements(p, transport, scopes, n, scope), *type;
	assert_non_null(reqs);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(reqs, 0), "type", &type));
	return json_object_get_string(type);
}

static void test_the_most_specific_scope_selects_the_requirements(void **state)
{
	static const char text[] =
		"{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		"\"\":[{\"type\":\"insecureAcceptAnything\"}],"
		"\"r.example.com\":[{\"type\":\"reject\"}],"
		"\"r.example.com/ok\":[{\"type\":\"insecureAcceptAnything\"}],"
		"\"*.other.com\":[{\"type\":\"reject\"}]}}}";
	struct signature_policy p;
	podd_error_t err = NULL;
	const char *scope;
	size_t n;
	(void)state;
	assert_int_equal(signature_policy_parse(text, "t.json", &p, &err), 0);

	n = docker_scopes("r.example.com/ok/img:1");
	assert_string_equal(first_type(&p, "docker", n, &scope), "insecureAcceptAnything");
	assert_string_equal(scope, "r.example.com/ok");
	n = docker_scopes("r.example.com/no/img:1");
	assert_string_equal(first_type(&p, "docker", n, &scope), "reject");
	assert_string_equal(scope, "r.example.com");
	n = docker_scopes("a.b.other.com/img");
	assert_string_equal(first_type(&p, "docker", n, &scope), "reject");
	assert_string_equal(scope, "*.other.com");
	n = docker_scopes("other.com/img");
	assert_string_equal(first_type(&p, "docker", n, &scope), "insecureAcceptAnything");
	assert_string_equal(scope, ""); /* "*.other.com" is not other.com itself */
	n = signature_policy_path_scopes("/x/y.tar", scopes, NSCOPES);
	assert_string_equal(first_type(&p, "oci-archive", n, &scope), "reject");
	assert_null(scope); /* no oci-archive transport: the default */
	signature_policy_free(&p);
}

static void test_reject_gives_podmans_message_and_signed_by_refuses(void **state)
{
	static const char text[] =
		"{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":{"
		"\"r.example.com/no\":[{\"type\":\"reject\"}],"
		"\"r.example.com/signed\":[{\"type\":\"insecureAcceptAnything\"},"
		"{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"AAAA\"}]}}}";
	struct signature_policy p;
	podd_error_t err = NULL;
	char *refused = NULL;
	size_t n;
	(void)state;
	assert_int_equal(signature_policy_parse(text, "t.json", &p, &err), 0);
	n = docker_scopes("r.example.com/ok:1");
	assert_int_equal(signature_policy_evaluate(&p, "docker", scopes, n, "IMG", &refused, &err),
			 0);
	assert_null(refused);
	n = docker_scopes("r.example.com/no:1");
	assert_int_equal(signature_policy_evaluate(&p, "docker", scopes, n, "IMG", &refused, &err),
			 0);
	assert_string_equal(refused,
			    "Source image rejected: Running image IMG is rejected by policy.");
	free(refused);
	n = docker_scopes("r.example.com/signed:1");
	assert_int_equal(signature_policy_evaluate(&p, "docker", scopes, n, "IMG", &refused, &err),
			 0);
	assert_non_null(refused);
	assert_non_null(strstr(refused, "\"signedBy\" (transport \"docker\", scope "
					"\"r.example.com/signed\" in t.json) for IMG: podd "
					"cannot verify signatures"));
	free(refused);
	signature_policy_free(&p);
}

static void expect_invalid(const char *text, const char *msg)
{
	struct signature_policy p;
	podd_error_t err = NULL;
	assert_int_equal(signature_policy_parse(text, "t.json", &p, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, msg) == NULL)
		fail_msg("\"%s\": got \"%s\", expected \"%s\"", text, err->msg, msg);
	assert_non_null(strstr(err->msg, "invalid policy in \"t.json\": "));
	podd_error_free(&err);
}

static void test_malformed_policies_are_errors(void **state)
{
	(void)state;
	expect_invalid("{\"default\":[{\"type\":\"bogus\"}]}",
		       "Unknown policy requirement type \"bogus\"");
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"x\":1}", "Unknown key \"x\"");
	expect_invalid("{\"default\":[{\"type\":\"reject\",\"keyPath\":\"/k\"}]}",
		       "Unknown key \"keyPath\"");
	expect_invalid("{\"default\":[]}", "must not be empty");
	expect_invalid("{}", "Default policy is missing");
	expect_invalid("[]", "JSON object expected");
	expect_invalid("{\"default\":[{\"type\":\"reject\"}]} {}", "after top-level value");
	expect_invalid("{\"default\":[{\"type\":\"reject\"},]}", "");
	expect_invalid("{\"default\":[{\"type\":\"reject\",\"type\":\"reject\"}]}",
		       "Duplicate key \"type\"");
	/* The same key spelt with an escape: found by the count, not named. */
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"d\\u0065fault\":[{\"type\":"
		       "\"reject\"}]}",
		       "Duplicate key in a JSON object");
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		       "\"a\":[{\"type\":\"reject\"}],\"a\":[{\"type\":\"reject\"}]}}}",
		       "Duplicate key \"a\"");
	expect_invalid("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
		       "\"keyPath\":\"/a\",\"keyData\":\"AAAA\"}]}",
		       "more than one present");
	expect_invalid("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"x\",\"keyPath\":\"/a\"}]}",
		       "Unrecognized keyType value \"x\"");
	expect_invalid("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
		       "\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"nope\"}}]}",
		       "Unknown policy reference match type \"nope\"");
	expect_invalid("{\"default\":[{\"type\":\"signedBaseLayer\"}]}",
		       "Key \"baseLayerIdentity\" missing");
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{"
		       "\"/a/\":[{\"type\":\"reject\"}]}}}",
		       "Unknown key \"/a/\"");
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{"
		       "\"/\":[{\"type\":\"reject\"}]}}}",
		       "Unknown key \"/\"");
	/* A NUL escape would cut a key or a value short here and not in
	 * podman: a scope that never matches there, a type it refuses,
	 * would read as something else. The file is refused. */
	expect_invalid("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		       "\"r.example:5000\\u0000zzz\":[{\"type\":\"insecureAcceptAnything\"}]}}}",
		       "a NUL character");
	expect_invalid("{\"default\":[{\"type\":\"insecureAcceptAnything\\u0000x\"}]}",
		       "a NUL character");
}

static void test_valid_policies_parse(void **state)
{
	static const char *const ok[] = {
		"{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n",
		"{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		"\"any thing\":[{\"type\":\"reject\"}]},\"unknown-transport\":{\"x\":"
		"[{\"type\":\"reject\"}]},\"oci-archive\":{\"/a/b\":[{\"type\":\"reject\"}]}}}",
		"{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":"
		"[\"/a\"],\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"a\","
		"\"signedPrefix\":\"b\"}}]}",
		"{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k.pub\","
		"\"signedIdentity\":{\"type\":\"matchRepository\"}}]}",
		"{\"default\":[{\"type\":\"signedBaseLayer\",\"baseLayerIdentity\":"
		"{\"type\":\"exactRepository\",\"dockerRepository\":\"a/b\"}}]}",
		/* A ':' inside a string is no member. */
		"{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		"\"h:1/a\\\":b\":[{\"type\":\"reject\"}]}}}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct signature_policy p;
		podd_error_t err = NULL;
		if (signature_policy_parse(ok[i], "t.json", &p, &err) != 0)
			fail_msg("%s: %s", ok[i], err->msg);
		signature_policy_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_scopes_most_specific_first),
		cmocka_unit_test(test_docker_scopes_expand_docker_hub_and_use_the_digest),
		cmocka_unit_test(test_path_scopes_are_the_path_and_its_parents_not_root),
		cmocka_unit_test(test_the_most_specific_scope_selects_the_requirements),
		cmocka_unit_test(test_reject_gives_podmans_message_and_signed_by_refuses),
		cmocka_unit_test(test_malformed_policies_are_errors),
		cmocka_unit_test(test_valid_policies_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
