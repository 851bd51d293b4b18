/* podman's rules for an image's config under the user's (podctl/
 * image_apply.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>

#include <cmocka.h>

#include "image_apply.h"

static char *ep[] = { "/bin/sh", "-c" };
static char *cmd[] = { "echo image" };
static char *ienv[] = { "PATH=/bin", "FOO=image", "BAR=image" };

static void image(Podd__ImageConfig *ic)
{
	podd__image_config__init(ic);
	ic->id = "0123";
	ic->entrypoint = ep;
	ic->n_entrypoint = 2;
	ic->has_entrypoint = true;
	ic->cmd = cmd;
	ic->n_cmd = 1;
	ic->has_cmd = true;
	ic->env = ienv;
	ic->n_env = 3;
	ic->working_dir = "/srv";
	ic->user = "1000:1000";
	ic->stop_signal = "SIGUSR1";
}

static void test_the_image_fills_in_what_the_user_left(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	Podd__ImageConfig ic;
	struct image_overrides ov = { 0 };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	image(&ic);
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_int_equal(c.n_entrypoint, 2);
	assert_string_equal(c.entrypoint[1], "-c");
	assert_int_equal(c.n_cmd, 1);
	assert_string_equal(c.cmd[0], "echo image");
	assert_int_equal(c.n_env, 3);
	assert_string_equal(c.workdir, "/srv");
	assert_string_equal(c.user, "1000:1000");
	assert_int_equal(c.stop_signal, 10);
	image_applied_free(&a);
}

static void test_a_command_replaces_cmd_and_keeps_the_entrypoint(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	char *mine[] = { "echo mine" };
	Podd__ImageConfig ic;
	struct image_overrides ov = { 0 };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	image(&ic);
	c.cmd = mine;
	c.n_cmd = 1;
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_int_equal(c.n_entrypoint, 2);
	assert_int_equal(c.n_cmd, 1);
	assert_string_equal(c.cmd[0], "echo mine");
	image_applied_free(&a);
}

static void test_entrypoint_drops_the_images_cmd(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	char *mine[] = { "echo" };
	Podd__ImageConfig ic;
	struct image_overrides ov = { .entrypoint = true };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	image(&ic);
	c.entrypoint = mine;
	c.n_entrypoint = 1;
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_int_equal(c.n_entrypoint, 1);
	assert_int_equal(c.n_cmd, 0);
	image_applied_free(&a);

	/* --entrypoint "" and no command: nothing to run. */
	Podd__ContainerConfig empty = PODD__CONTAINER_CONFIG__INIT;
	assert_int_equal(image_config_apply(&empty, &ov, &ic, &a, &err), -1);
	assert_string_equal(err->msg, "no command or entrypoint provided, and no CMD or "
				      "ENTRYPOINT from image");
	podd_error_free(&err);
	image_applied_free(&a);
}

static void test_user_env_replaces_the_images_key_and_adds_its_own(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	char *mine[] = { "FOO=user", "NEW=1" };
	Podd__ImageConfig ic;
	struct image_overrides ov = { 0 };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	image(&ic);
	c.env = mine;
	c.n_env = 2;
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_int_equal(c.n_env, 4);
	assert_string_equal(c.env[0], "PATH=/bin");
	assert_string_equal(c.env[1], "BAR=image");
	assert_string_equal(c.env[2], "FOO=user");
	assert_string_equal(c.env[3], "NEW=1");
	image_applied_free(&a);
}

static void test_flags_override_workdir_user_and_stop_signal(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	Podd__ImageConfig ic;
	struct image_overrides ov = { .workdir = true, .user = true, .stop_signal = true };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	image(&ic);
	c.workdir = "/";
	c.user = "";
	c.stop_signal = 15;
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_string_equal(c.workdir, "/");
	assert_string_equal(c.user, "");
	assert_int_equal(c.stop_signal, 15);
	image_applied_free(&a);
}

static void test_an_image_without_entrypoint_or_env(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	Podd__ImageConfig ic;
	struct image_overrides ov = { 0 };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	(void)state;

	podd__image_config__init(&ic);
	ic.cmd = cmd;
	ic.n_cmd = 1;
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), 0);
	assert_int_equal(c.n_entrypoint, 0);
	assert_int_equal(c.n_cmd, 1);
	assert_int_equal(c.n_env, 0);
	assert_int_equal(c.stop_signal, 0);
	image_applied_free(&a);
}

static void test_stop_signal_spellings(void **state)
{
	Podd__ContainerConfig c = PODD__CONTAINER_CONFIG__INIT;
	Podd__ImageConfig ic;
	struct image_overrides ov = { 0 };
	struct image_applied a = { 0 };
	podd_error_t err = NULL;
	int32_t s = 0;
	(void)state;

	assert_int_equal(podctl_parse_signal("SIGKILL", &s), 0);
	assert_int_equal(s, 9);
	assert_int_equal(podctl_parse_signal("term", &s), 0);
	assert_int_equal(s, 15);
	assert_int_equal(podctl_parse_signal("2", &s), 0);
	assert_int_equal(s, 2);
	assert_int_equal(podctl_parse_signal("65", &s), -1);
	assert_int_equal(podctl_parse_signal("SIGNOPE", &s), -1);
	/* Go's names podman takes: real-time signals and old aliases */
	assert_int_equal(podctl_parse_signal("RTMIN+3", &s), 0);
	assert_int_equal(s, SIGRTMIN + 3);
	assert_int_equal(podctl_parse_signal("SIGRTMAX-1", &s), 0);
	assert_int_equal(s, SIGRTMAX - 1);
	assert_int_equal(podctl_parse_signal("rtmax", &s), 0);
	assert_int_equal(s, SIGRTMAX);
	assert_int_equal(podctl_parse_signal("CLD", &s), 0);
	assert_int_equal(s, SIGCHLD);
	assert_int_equal(podctl_parse_signal("SIGIOT", &s), 0);
	assert_int_equal(s, SIGABRT);
	assert_int_equal(podctl_parse_signal("RTMIN+99", &s), -1);
	assert_int_equal(podctl_parse_signal("RTMAX+1", &s), -1);
	assert_int_equal(podctl_parse_signal("RTMIN-1", &s), -1);
	image(&ic);
	ic.stop_signal = "SIGNOPE";
	assert_int_equal(image_config_apply(&c, &ov, &ic, &a, &err), -1);
	podd_error_free(&err);
	image_applied_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_image_fills_in_what_the_user_left),
		cmocka_unit_test(test_a_command_replaces_cmd_and_keeps_the_entrypoint),
		cmocka_unit_test(test_entrypoint_drops_the_images_cmd),
		cmocka_unit_test(test_user_env_replaces_the_images_key_and_adds_its_own),
		cmocka_unit_test(test_flags_override_workdir_user_and_stop_signal),
		cmocka_unit_test(test_an_image_without_entrypoint_or_env),
		cmocka_unit_test(test_stop_signal_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
