/* podctl's podd.conf (podctl/podd_conf.c): where it is looked for, and
 * what a file may hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "podd_conf.h"

static char dir[] = "/tmp/podd-conf-XXXXXX";
static char conf[256];

static void put(const char *text, size_t len)
{
	podd_error_t err = NULL;
	unlink(conf);
	assert_int_equal(write_file_atomic(conf, text, len, 0600, &err), 0);
}

/* Load `text` from a file; 0 or -1, the error's message in msg. */
static int load_text(const char *text, struct podd_conf *c, char *msg, size_t n)
{
	podd_error_t err = NULL;
	int r;

	put(text, strlen(text));
	r = podd_conf_load(c, &err);
	snprintf(msg, n, "%s", err ? err->msg : "");
	podd_error_free(&err);
	return r;
}

static void test_path_rules(void **state)
{
	char p[4096];
	podd_error_t err = NULL;
	(void)state;

	/* $PODD_CONF first, for root and users alike. */
	assert_int_equal(podd_conf_path(p, sizeof(p), 0, "/x/c", "/xdg", "/home/u", &err), 1);
	assert_string_equal(p, "/x/c");
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, "/x/c", NULL, NULL, &err), 1);
	assert_string_equal(p, "/x/c");
	/* Root: /etc, whatever XDG says. */
	assert_int_equal(podd_conf_path(p, sizeof(p), 0, "", "/xdg", "/root", &err), 1);
	assert_string_equal(p, "/etc/podd/podd.conf");
	assert_int_equal(podd_conf_path(p, sizeof(p), 0, NULL, NULL, NULL, &err), 1);
	assert_string_equal(p, "/etc/podd/podd.conf");
	/* A user: XDG when absolute, else ~/.config, never /etc. */
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, NULL, "/xdg", "/home/u", &err), 1);
	assert_string_equal(p, "/xdg/podd/podd.conf");
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, NULL, "rel", "/home/u", &err), 1);
	assert_string_equal(p, "/home/u/.config/podd/podd.conf");
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, NULL, NULL, "/home/u", &err), 1);
	assert_string_equal(p, "/home/u/.config/podd/podd.conf");
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, NULL, "", "relative", &err), 0);
	assert_int_equal(podd_conf_path(p, sizeof(p), 1000, NULL, NULL, NULL, &err), 0);
	/* Too long: refused, not cut short. */
	assert_int_equal(podd_conf_path(p, 16, 1000, "/a/very/long/path/to/podd.conf", NULL, NULL,
					&err),
			 -1);
	assert_non_null(strstr(err->msg, "longer than 15 bytes"));
	podd_error_free(&err);
}

static void test_values_kept(void **state)
{
	struct podd_conf c;
	char msg[512];
	(void)state;

	assert_int_equal(load_text("{\"root\": \"/srv/podd\", \"runroot\": \"/run/p\", "
				   "\"storage-driver\": \"vfs\", \"runtime\": \"/opt/bin/crun\", "
				   "\"log-level\": \"info\"}",
				   &c, msg, sizeof(msg)),
			 0);
	assert_string_equal(c.root, "/srv/podd");
	assert_string_equal(c.runroot, "/run/p");
	assert_string_equal(c.storage_driver, "vfs");
	assert_string_equal(c.runtime, "/opt/bin/crun");
	assert_int_equal(c.log_level, 2);
	assert_null(c.unknown);
	podd_conf_free(&c);
	/* Nothing given: nothing set. */
	assert_int_equal(load_text("{}", &c, msg, sizeof(msg)), 0);
	assert_null(c.root);
	assert_null(c.runtime);
	assert_int_equal(c.log_level, -1);
	podd_conf_free(&c);
}

static void test_unknown_keys_listed_safely(void **state)
{
	struct podd_conf c;
	char msg[512];
	(void)state;

	assert_int_equal(load_text("{\"colour\": 1, \"runtime\": \"crun\", \"x\\u001b[31m\": 2}",
				   &c, msg, sizeof(msg)),
			 0);
	assert_string_equal(c.runtime, "crun");
	assert_non_null(c.unknown);
	assert_non_null(strstr(c.unknown, "\"colour\" \"x"));
	assert_null(strchr(c.unknown, '\033'));
	podd_conf_free(&c);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "{\"runtime\": 7}", "\"runtime\" must be a string" },
		{ "{\"runtime\": \"\"}", "\"runtime\" must be 1 to" },
		{ "{\"runtime\": \"bogus\"}", "runtime is not runc, crun or an absolute path: \"bogus\"" },
		{ "{\"runtime\": \"/a/../b\"}", "runtime is not runc, crun or an absolute path" },
		{ "{\"root\": \"here\"}", "root must be an absolute path" },
		{ "{\"runroot\": \"/a/./b\"}", "must not contain" },
		{ "{\"storage-driver\": \"zfs\"}", "unknown storage driver (overlay or vfs): \"zfs\"" },
		{ "{\"log-level\": \"loud\"}", "invalid log-level" },
		{ "{\"runtime\": \"a\", \"runtime\": \"b\"}", "Duplicate key \"runtime\"" },
		{ "{\"runtime\": ", "unexpected end of JSON input" },
		{ "[1]", "JSON object expected" },
	};
	struct podd_conf c;
	char msg[512];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_text(cases[i].text, &c, msg, sizeof(msg)), -1);
		if (strncmp(msg, conf, strlen(conf)) != 0 || strstr(msg, cases[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\" after the path", i, msg,
				 cases[i].msg);
		assert_null(c.runtime);
	}
}

static void test_terminal_safe_errors(void **state)
{
	struct podd_conf c;
	char msg[512];
	(void)state;

	/* A value and a JSON complaint that would quote an escape byte. */
	assert_int_equal(load_text("{\"log-level\": \"\\u001b[31mRED\"}", &c, msg, sizeof(msg)), -1);
	assert_null(strchr(msg, '\033'));
	assert_int_equal(load_text("{\"a\": 1}\033", &c, msg, sizeof(msg)), -1);
	assert_null(strchr(msg, '\033'));
}

static void test_files_that_are_not_read(void **state)
{
	struct podd_conf c;
	podd_error_t err = NULL;
	char big[70 * 1024];
	(void)state;

	/* Missing, and the null device: an empty configuration. */
	unlink(conf);
	assert_int_equal(podd_conf_load(&c, &err), 0);
	assert_null(c.runtime);
	setenv("PODD_CONF", "/dev/null", 1);
	assert_int_equal(podd_conf_load(&c, &err), 0);
	setenv("PODD_CONF", conf, 1);
	/* A NUL byte, a file over 64 KiB. */
	put("{\"runtime\": \"crun\"}\0", 20);
	assert_int_equal(podd_conf_load(&c, &err), -1);
	assert_non_null(strstr(err->msg, "a NUL byte"));
	podd_error_free(&err);
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	put(big, sizeof(big));
	assert_int_equal(podd_conf_load(&c, &err), -1);
	assert_non_null(strstr(err->msg, "larger than 65536 bytes"));
	podd_error_free(&err);
	/* A FIFO (no writer: opening it blocking would hang) and a
	 * directory. */
	unlink(conf);
	assert_int_equal(mkfifo(conf, 0600), 0);
	assert_int_equal(podd_conf_load(&c, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	podd_error_free(&err);
	unlink(conf);
	assert_int_equal(mkdir(conf, 0700), 0);
	assert_int_equal(podd_conf_load(&c, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	podd_error_free(&err);
	rmdir(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_rules),
		cmocka_unit_test(test_values_kept),
		cmocka_unit_test(test_unknown_keys_listed_safely),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_terminal_safe_errors),
		cmocka_unit_test(test_files_that_are_not_read),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(conf, sizeof(conf), "%s/podd.conf", dir);
	setenv("PODD_CONF", conf, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	rmdir(dir);
	return rc;
}
