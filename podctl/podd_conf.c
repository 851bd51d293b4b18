/* podd.conf (podd_conf.h): read with json-c as strictly as podctl reads
 * containers-policy.json, each value checked before it is kept. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "json_strict.h"
#include "log.h"
#include "podd_conf.h"
#include "term_safe.h"
#include "validate.h"

/* A configuration of five short strings: generous. */
#define CONF_MAX (64 * 1024)
/* An OCI runtime's name or path, as --runtime takes it. */
#define RUNTIME_MAX PODD_PATH_MAX

static void conf_path(struct podd_conf *c)
{
	const char *env = getenv("PODD_CONF"), *xdg = getenv("XDG_CONFIG_HOME"),
		   *home = getenv("HOME");
	char user[PATH_MAX];
	int n;

	snprintf(c->path, sizeof(c->path), "/etc/podd/podd.conf");
	if (env && env[0]) {
		snprintf(c->path, sizeof(c->path), "%s", env);
		return;
	}
	if (geteuid() == 0)
		return;
	if (xdg && xdg[0] == '/')
		n = snprintf(user, sizeof(user), "%s/podd/podd.conf", xdg);
	else if (home && home[0] == '/')
		n = snprintf(user, sizeof(user), "%s/.config/podd/podd.conf", home);
	else
		return;
	if (n > 0 && (size_t)n < sizeof(user) && access(user, F_OK) == 0)
		snprintf(c->path, sizeof(c->path), "%s", user);
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

static int keep(char **field, const char *s, podd_error_t *err)
{
	*field = strdup(s);
	return *field ? 0 : podd_error_sys(err, ENOMEM, "podd.conf");
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
		return keep(key[1] == 'o' ? &c->root : &c->runroot, s, err);
	}
	if (strcmp(key, "storage-driver") == 0) {
		if ((s = string_of(c, key, v, 16, err)) == NULL)
			return -1;
		if (strcmp(s, "overlay") != 0 && strcmp(s, "vfs") != 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: unknown storage driver \"%.16s\" (overlay or vfs)",
					  c->path, s);
		return keep(&c->storage_driver, s, err);
	}
	if (strcmp(key, "runtime") == 0) {
		/* A name or an absolute path, checked where --runtime's is
		 * (podd_config_check, at create): one rule for both. */
		if ((s = string_of(c, key, v, RUNTIME_MAX, err)) == NULL)
			return -1;
		return keep(&c->runtime, s, err);
	}
	if (strcmp(key, "log-level") == 0) {
		if ((s = string_of(c, key, v, 16, err)) == NULL)
			return -1;
		c->log_level = podd_log_level_parse(s);
		if (c->log_level < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: invalid log-level \"%.16s\" (error, warn, info, debug)",
					  c->path, s);
		return 0;
	}
	{
		cleanup_free char *safe = term_safe(key);
		fprintf(stderr, "WARN[0000] Failed to decode the keys [\"%s\"] from \"%s\"\n",
			safe ? safe : "?", c->path);
	}
	return 0;
}

int podd_conf_load(struct podd_conf *c, podd_error_t *err)
{
	cleanup_free char *text = NULL;
	json_object *root;
	int rc = 0;

	*c = (struct podd_conf){ .log_level = -1 };
	conf_path(c);
	if (read_file_limited(c->path, CONF_MAX, &text, err) < 0) {
		if ((*err)->sys_errno == ENOENT) {
			podd_error_free(err);
			return 0;
		}
		return podd_error_wrap(err, "reading %s", c->path);
	}
	root = json_strict_parse(text, err);
	if (root == NULL)
		return podd_error_wrap(err, "%s", c->path);
	json_object_object_foreach(root, key, v)
	{
		if (conf_key(c, key, v, err) < 0) {
			rc = -1;
			break;
		}
	}
	json_object_put(root);
	if (rc < 0)
		podd_conf_free(c);
	return rc;
}

void podd_conf_free(struct podd_conf *c)
{
	free(c->root);
	free(c->runroot);
	free(c->storage_driver);
	free(c->runtime);
	c->root = c->runroot = c->storage_driver = c->runtime = NULL;
}
