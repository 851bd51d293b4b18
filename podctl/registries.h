/* What podctl knows about registries before it sandboxes itself: the
 * registries configuration (short-name search list; registries[] with
 * prefixes, locations, mirrors, insecure and blocked: registry_match.h)
 * and the auth file (podman's format). Both are read, and the auth file
 * opened for writing, before the helpers start: afterwards podctl can open
 * no file. docs/ARCHITECTURE.md, "Registries", describes both files. */
#ifndef PODCTL_REGISTRIES_H
#define PODCTL_REGISTRIES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#include "registry_match.h"

#define REGISTRIES_MAX 64

struct registries_conf {
	char path[4096];               /* the file read (or that would be) */
	char *search[REGISTRIES_MAX];  /* unqualified-search-registries, in order */
	size_t n_search;
	struct registry_entry entries[REGISTRIES_MAX]; /* registries[], in order */
	size_t n_entries;
};

/* PODD_REGISTRIES_CONF, else (not root) $XDG_CONFIG_HOME/podd/registries.json
 * when it exists, else /etc/podd/registries.json. A missing file is an
 * empty configuration; a malformed one, or a value out of bounds, is
 * "PATH: registries[i]: ..." (PODD_E_INVALID_ARGUMENT). Keys podd does not
 * know are ignored, as podman ignores unknown TOML keys. */
int registries_conf_load(struct registries_conf *c, podd_error_t *err);
void registries_conf_free(struct registries_conf *c);
/* The entry for `name` ("host[:port][/path]"), or NULL (registry_find). */
const struct registry_entry *registries_conf_find(const struct registries_conf *c,
						  const char *name);
/* The insecure setting of `name`'s entry (false without one). */
bool registries_conf_insecure(const struct registries_conf *c, const char *name);
/* podman's "registry PREFIX is blocked in PATH" when `name`'s entry is
 * blocked; else 0. */
int registries_conf_check_blocked(const struct registries_conf *c, const char *name,
				  podd_error_t *err);

/* The auth file: --authfile, else REGISTRY_AUTH_FILE, else podman's
 * ${XDG_RUNTIME_DIR}/containers/auth.json (root: /run/containers/0/auth.json). */
void auth_file_path(const char *flag, char *out, size_t n);

/* Credentials for `repo` ("host[:port]/path", or a bare registry) from the
 * file at `path`: the credential helper its "credHelpers" names for the
 * registry (cred_helper.h) if any, else its "auths", the most specific key
 * winning, as in podman. None: 0 with *user NULL. Call before the
 * sandbox: a helper is a program podctl executes. */
int auth_lookup(const char *path, const char *repo, char **user, char **password,
		podd_error_t *err);

/* The auth file opened read-write (created with its directory if missing),
 * its JSON parsed; save writes it back in place. */
struct json_object;
struct auth_file {
	int fd;
	char path[4096];
	struct json_object *root;
};
int auth_file_open(const char *path, bool create, struct auth_file *f, podd_error_t *err);
/* The helper "credHelpers" names for `registry`: 1 with *name (valid
 * while f is open), 0 for none, -1 for a malformed entry. */
int auth_file_cred_helper(const struct auth_file *f, const char *registry, const char **name,
			  podd_error_t *err);
/* `erase` through every helper "credHelpers" names (logout --all), then
 * "credHelpers" dropped from the file (saved by the caller), as podman
 * does; a helper that has nothing is podman's error, and the file stays. */
int auth_file_erase_helpers(struct auth_file *f, podd_error_t *err);
int auth_file_set(struct auth_file *f, const char *registry, const char *user,
		  const char *password, podd_error_t *err);
/* Returns 1 removed, 0 not there. registry NULL: all. */
int auth_file_remove(struct auth_file *f, const char *registry);
int auth_file_save(struct auth_file *f, podd_error_t *err);
void auth_file_close(struct auth_file *f);

/* "user:password" (--creds) split. */
int creds_split(const char *creds, char **user, char **password, podd_error_t *err);

#endif
