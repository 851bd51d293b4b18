/* podd.conf (podd_conf.h): read with json-c as strictly as podctl reads
 * containers-policy.json, each value checked before it is kept. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_check.h"
#include "files.h"
#include "json_strict.h"
#include "log.h"
#include "podd_conf.h"
#include "term_safe.h"
#include "validate.h"

/* A configuration of five short strings: generous. */
#define CONF_MAX (64 * 1024)

int podd_conf_path(char *out, size_t size, uid_t euid, const char *env, const char *xdg,
		   const char *home, podd_error_t *err)
{
	int n;

	if (env && env[0])
		n = snprintf(out, size, "%s", env);
	else if (euid == 0)
		n = snprintf(out, size, "/etc/podd/podd.conf");
	else if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/podd/podd.conf", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.config/podd/podd.conf", home);
	else
		return 0;
	if (n < 0 || (size_t)n >= size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "the path of podd.conf is longer than %zu bytes", size - 1);
	return 1;
}

/* The file's text, or NULL in *text when there is none to read (missing,
 * or the null device): 0, or -1 with *err. Opened without blocking and
 * without taking a terminal, so that a FIFO or a tty at the path is
 * refused instead of waited on. */
static int conf_read(const char *path, char **text, podd_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	*text = NULL;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "%s: cannot read it", path);
	/* PODD_CONF=/dev/null: no configuration (conmon's exit command). */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		return 0;
	if (!S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not a regular file", path);
	/* Its messages name "the file"; ours put the path first. */
	if (read_fd_limited(fd, "the file", CONF_MAX, text, err) < 0)
		return podd_error_wrap(err, "%s", path);
	return 0;
}

/* The string value of `key`, or NULL with *err when it is not one. */
static const char *string_of(const struct podd_conf *c, const char *key, json_object *v,
			     size_t max, podd_error_t *err)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: \"%s\" must be a string", c->path,
			   key);
		return NULL;
	}
	s = json_object_get_string(v);
	if (s[0] == '\0' || strlen(s) > max) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: \"%s\" must be 1 to %zu bytes",
			   c->path, key, max);
		return NULL;
	}
	return s;
}

/* A refused value: `what` and the value as a terminal may show it. */
static int refuse(const struct podd_conf *c, const char *what, const char *value,
		  podd_error_t *err)
{
	cleanup_free char *safe = term_safe(value);
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %s \"%.64s\"", c->path, what,
			  safe ? safe : "?");
}

static int keep(char **field, const char *s, podd_error_t *err)
{
	*field = strdup(s);
	return *field ? 0 : podd_error_sys(err, ENOMEM, "podd.conf");
}

/* An unknown key, added to c->unknown as podman lists them: "a" "b". */
static int note_unknown(struct podd_conf *c, const char *key, podd_error_t *err)
{
	cleanup_free char *safe = term_safe(key);
	char *joined;

	if (safe == NULL ||
	    asprintf(&joined, "%s%s\"%s\"", c->unknown ? c->unknown : "", c->unknown ? " " : "",
		     safe) < 0)
		return podd_error_sys(err, ENOMEM, "podd.conf");
	free(c->unknown);
	c->unknown = joined;
	return 0;
}

/* One key of the file. */
static int conf_key(struct podd_conf *c, const char *key, json_object *v, podd_error_t *err)
{
	const char *s;

	if (strcmp(key, "root") == 0 || strcmp(key, "runroot") == 0) {
		if ((s = string_of(c, key, v, PODD_PATH_MAX, err)) == NULL)
			return -1;
		if (podd_validate_abs_path(key, s, err) < 0)
			return podd_error_wrap(err, "%s", c->path);
		return keep(strcmp(key, "root") == 0 ? &c->root : &c->runroot, s, err);
	}
	if (strcmp(key, "storage-driver") == 0) {
		if ((s = string_of(c, key, v, 16, err)) == NULL)
			return -1;
		if (strcmp(s, "overlay") != 0 && strcmp(s, "vfs") != 0)
			return refuse(c, "unknown storage driver (overlay or vfs):", s, err);
		return keep(&c->storage_driver, s, err);
	}
	if (strcmp(key, "runtime") == 0) {
		/* The rule --runtime's value meets at create (config_check.c). */
		if ((s = string_of(c, key, v, PODD_PATH_MAX, err)) == NULL)
			return -1;
		if (podd_runtime_check(s, err) < 0) {
			podd_error_free(err);
			return refuse(c, "runtime is not runc, crun or an absolute path:", s, err);
		}
		return keep(&c->runtime, s, err);
	}
	if (strcmp(key, "log-level") == 0) {
		if ((s = string_of(c, key, v, 16, err)) == NULL)
			return -1;
		c->log_level = podd_log_level_parse(s);
		if (c->log_level < 0)
			return refuse(c, "invalid log-level (error, warn, info, debug):", s, err);
		return 0;
	}
	return note_unknown(c, key, err);
}

int podd_conf_load(struct podd_conf *c, podd_error_t *err)
{
	cleanup_free char *text = NULL;
	json_object *root;
	int r;

	*c = (struct podd_conf){ .log_level = -1 };
	r = podd_conf_path(c->path, sizeof(c->path), geteuid(), getenv("PODD_CONF"),
			   getenv("XDG_CONFIG_HOME"), getenv("HOME"), err);
	if (r <= 0)
		return r;
	if (conf_read(c->path, &text, err) < 0)
		return -1;
	if (text == NULL)
		return 0;
	root = json_strict_parse(text, err);
	if (root == NULL) {
		/* json_strict's words may quote a byte of the file. */
		cleanup_free char *safe = term_safe((*err)->msg);
		podd_error_free(err);
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: %s", c->path,
				  safe ? safe : "invalid JSON");
	}
	r = 0;
	json_object_object_foreach(root, key, v)
	{
		if (conf_key(c, key, v, err) < 0) {
			r = -1;
			break;
		}
	}
	json_object_put(root);
	if (r < 0)
		podd_conf_free(c);
	return r;
}

void podd_conf_free(struct podd_conf *c)
{
	free(c->root);
	free(c->runroot);
	free(c->storage_driver);
	free(c->runtime);
	free(c->unknown);
	c->root = c->runroot = c->storage_driver = c->runtime = c->unknown = NULL;
}
