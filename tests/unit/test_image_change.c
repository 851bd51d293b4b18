/* podman's --change instructions applied to an image config
 * (lib/image_change.c): podman 4.3's results and messages, as measured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image_change.h"

/* The config after applying `changes` in order, as compact JSON. */
static char *applied(const char *const *changes, size_t n)
{
	json_object *cfg = json_object_new_object();
	char *out;

	for (size_t i = 0; i < n; i++) {
		podd_error_t err = NULL;
		int r = image_change_apply(cfg, changes[i], NULL, 0, &err);
		if (r < 0)
			fail_msg("%s: %s", changes[i], err->msg);
	}
	out = strdup(json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(cfg);
	return out;
}

static void refused(const char *change, const char *message)
{
	json_object *cfg = json_object_new_object();
	podd_error_t err = NULL;

	assert_int_equal(image_change_apply(cfg, change, NULL, 0, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, message);
	assert_int_equal(json_object_object_length(cfg), 0);
	podd_error_free(&err);
	json_object_put(cfg);
}

static void test_every_instruction_as_podman_stores_it(void **state)
{
	const char *changes[] = {
		"cmd echo hi",
		"ENTRYPOINT [\"/bin/sh\",\"-c\"]",
		"ENV A B C",
		"ENV D=1",
		"ENV D=2",
		"LABEL x=y z",
		"EXPOSE 81/UDP",
		"EXPOSE 82",
		"USER 1:2",
		"WORKDIR /w",
		"STOPSIGNAL sigint",
		"VOLUME /v",
		"VOLUME [\"/a\",\"/b\"]",
	};
	char *got = applied(changes, sizeof(changes) / sizeof(*changes));
	(void)state;
	assert_string_equal(
		got, "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"Entrypoint\":[\"/bin/sh\",\"-c\"],"
		     "\"Env\":[\"A B C=\",\"D=2\"],\"Labels\":{\"x\":\"y z\"},"
		     "\"ExposedPorts\":{\"81/udp\":{},\"82/tcp\":{}},\"User\":\"1:2\","
		     "\"WorkingDir\":\"/w\",\"StopSignal\":\"2\","
		     "\"Volumes\":{\"/v\":{},\"/a\":{},\"/b\":{}}}");
	free(got);
}

static void test_key_equals_value_without_a_space(void **state)
{
	const char *changes[] = { "CMD=[\"/bin/sh\"]", "STOPSIGNAL=RTMIN+1", "ENTRYPOINT=[]" };
	char *got = applied(changes, 3);
	(void)state;
	assert_string_equal(got, "{\"Cmd\":[\"/bin/sh\"],\"StopSignal\":\"35\",\"Entrypoint\":[]}");
	free(got);
}

static void test_a_broken_json_array_is_shell_form(void **state)
{
	const char *changes[] = { "CMD [\"a\"" };
	char *got = applied(changes, 1);
	(void)state;
	assert_string_equal(got, "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[\\\"a\\\"\"]}");
	free(got);
}

static void test_onbuild_is_dropped_and_named(void **state)
{
	json_object *cfg = json_object_new_object();
	podd_error_t err = NULL;
	char dropped[64];
	(void)state;
	assert_int_equal(image_change_apply(cfg, "ONBUILD RUN true", dropped, sizeof(dropped), &err),
			 1);
	assert_string_equal(dropped, "RUN true");
	assert_int_equal(json_object_object_length(cfg), 0);
	json_object_put(cfg);
}

static void test_podmans_messages(void **state)
{
	(void)state;
	refused("FOO bar", "invalid change \"FOO bar\" - invalid instruction FOO");
	refused("cmd=echo hi", "invalid change \"cmd=echo hi\" - invalid instruction CMD=ECHO");
	refused("CMD", "invalid change \"CMD\" - must be formatted as KEY VALUE");
	refused("LABEL x", "invalid change \"LABEL x\" - LABEL must be formatted key=value");
	refused("EXPOSE abc", "invalid change \"EXPOSE abc\" - EXPOSE port must be an integer: "
			      "strconv.Atoi: parsing \"abc\": invalid syntax");
	refused("EXPOSE 80 81", "invalid change \"EXPOSE 80 81\" - EXPOSE port must be an integer: "
				"strconv.Atoi: parsing \"80 81\": invalid syntax");
	refused("EXPOSE 0", "invalid change \"EXPOSE 0\" - EXPOSE port must be a valid port number");
	refused("EXPOSE 70000",
		"invalid change \"EXPOSE 70000\" - EXPOSE port must be a valid port number");
	refused("EXPOSE 80/sctp",
		"invalid change \"EXPOSE 80/sctp\" - EXPOSE protocol must be TCP or UDP");
	refused("STOPSIGNAL FOO", "invalid change \"STOPSIGNAL FOO\" - KILLSIGNAL must be given a "
				  "valid signal: invalid signal: FOO");
	refused("STOPSIGNAL 65", "invalid change \"STOPSIGNAL 65\" - KILLSIGNAL must be given a "
				 "valid signal: invalid signal: 65");
	refused("WORKDIR  ", "invalid change \"WORKDIR  \" - must provide a non-empty WORKDIR");
	refused("WORKDIR rel", "invalid change \"WORKDIR rel\" - WORKDIR must be an absolute path");
	refused("FOO\x01 x", "invalid change \"FOO? x\" - invalid instruction FOO?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_instruction_as_podman_stores_it),
		cmocka_unit_test(test_key_equals_value_without_a_space),
		cmocka_unit_test(test_a_broken_json_array_is_shell_form),
		cmocka_unit_test(test_onbuild_is_dropped_and_named),
		cmocka_unit_test(test_podmans_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
