#include "registries.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <resolv.h> /* b64_ntop, b64_pton (glibc's libresolv) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cred_helper.h"
#include "files.h"
#include "helper.h"
#include "validate.h"

#define CONF_MAX (1u << 20)
#define AUTH_FILE_MAX (4u << 20)

static json_object *parse_json(const char *text, const char *path, podd_error_t *err)
{
	json_tokener *tok = json_tokener_new_ex(32);
	json_object *root;
	if (tok == NULL) {
		podd_error_sys(err, ENOMEM, "%s", path);
		return NULL;
	}
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		root = NULL;
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not a JSON object", path);
	}
	json_tokener_free(tok);
	return root;
}

static bool registry_domain_valid(const char *s)
{
	char probe[PODD_IMAGE_REPO_MAX + 8];
	if (strlen(s) > PODD_IMAGE_REPO_MAX || strchr(s, '/'))
		return false;
	snprintf(probe, sizeof(probe), "%s/x", s);
	return podd_image_name_valid(probe) && (strchr(s, '.') || strchr(s, ':') ||
						strcmp(s, "localhost") == 0);
}

/* "host[:port][/path]": a registry host, then repository components, no
 * tag or digest. A trailing '/' is dropped, as podman drops it. */
static int location_parse(const char *s, const char *what, char **out, podd_error_t *err)
{
	char host[PODD_IMAGE_REPO_MAX + 1], copy[PODD_IMAGE_REPO_MAX + 1];
	size_t n = strlen(s);
	const char *slash;

	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "invalid %s '%s': URI schemes are not supported", what, s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0 || n > PODD_IMAGE_REPO_MAX)
		goto invalid;
	memcpy(copy, s, n);
	copy[n] = '\0';
	slash = strchr(copy, '/');
	snprintf(host, sizeof(host), "%.*s", slash ? (int)(slash - copy) : (int)n, copy);
	if (!registry_domain_valid(host) ||
	    (slash && (strpbrk(slash, ":@") || !podd_image_name_valid(copy))))
		goto invalid;
	*out = strdup(copy);
	if (*out == NULL)
		return podd_error_sys(err, ENOMEM, "registries");
	return 0;
invalid:
	return podd_error(err, PODD_E_INVALID_ARGUMENT,
			  "invalid %s \"%s\": not host[:port][/path] (at most %d bytes)", what, s,
			  PODD_IMAGE_REPO_MAX);
}

/* "*.example.com": any subdomain, no port, no path. */
static int wildcard_parse(const char *s, char **out, podd_error_t *err)
{
	if (strlen(s) > PODD_IMAGE_REPO_MAX || strpbrk(s + 2, "/:@*") || !strchr(s + 2, '.') ||
	    !registry_domain_valid(s + 2))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "Wildcarded prefix should be in the format: *.example.com. "
				  "Current prefix \"%s\" is incorrectly formatted",
				  s);
	*out = strdup(s);
	if (*out == NULL)
		return podd_error_sys(err, ENOMEM, "registries");
	return 0;
}

/* An optional boolean member. */
static int get_bool(json_object *o, const char *key, bool *out, podd_error_t *err)
{
	json_object *v;
	*out = false;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s is true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

/* An optional string member; "" is unset, as podman reads it. */
static int get_string(json_object *o, const char *key, const char **out, podd_error_t *err)
{
	json_object *v;
	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s is a string", key);
	if (json_object_get_string(v)[0])
		*out = json_object_get_string(v);
	return 0;
}

static void entry_free(struct registry_entry *e)
{
	free(e->prefix);
	free(e->primary.location);
	for (size_t i = 0; i < e->n_mirrors; i++)
		free(e->mirrors[i].location);
	memset(e, 0, sizeof(*e));
}

static int mirrors_parse(json_object *o, struct registry_entry *e, podd_error_t *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, "mirror", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > REGISTRY_MIRRORS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "mirror: a list of at most %d {\"location\", \"insecure\"}",
				  REGISTRY_MIRRORS_MAX);
	for (size_t k = 0; k < json_object_array_length(v); k++) {
		json_object *m = json_object_array_get_idx(v, k);
		struct registry_endpoint *ep = &e->mirrors[e->n_mirrors];
		const char *loc;
		int rc = -1;
		if (!json_object_is_type(m, json_type_object))
			podd_error(err, PODD_E_INVALID_ARGUMENT, "not an object");
		else if (get_string(m, "location", &loc, err) < 0 ||
			 get_bool(m, "insecure", &ep->insecure, err) < 0)
			;
		else if (loc == NULL)
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "invalid condition: mirror location is unset");
		else
			rc = location_parse(loc, "location", &ep->location, err);
		if (rc < 0)
			return podd_error_wrap(err, "mirror[%zu]", k);
		e->n_mirrors++;
	}
	return 0;
}

static int entry_parse(json_object *o, struct registry_entry *e, podd_error_t *err)
{
	const char *prefix, *loc;

	if (!json_object_is_type(o, json_type_object))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "not an object");
	if (get_string(o, "prefix", &prefix, err) < 0 || get_string(o, "location", &loc, err) < 0 ||
	    get_bool(o, "insecure", &e->primary.insecure, err) < 0 ||
	    get_bool(o, "blocked", &e->blocked, err) < 0 ||
	    get_bool(o, "mirror-by-digest-only", &e->mirror_by_digest_only, err) < 0)
		return -1;
	if (loc && location_parse(loc, "location", &e->primary.location, err) < 0)
		return -1;
	if (prefix == NULL && loc == NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "invalid condition: both location and prefix are unset");
	if (prefix && strncmp(prefix, "*.", 2) == 0) {
		if (wildcard_parse(prefix, &e->prefix, err) < 0)
			return -1;
	} else if (loc == NULL) {
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "invalid condition: location is unset and prefix is not in the "
				  "format: *.example.com");
	} else if (prefix) {
		if (location_parse(prefix, "prefix", &e->prefix, err) < 0)
			return -1;
	} else {
		e->prefix = strdup(e->primary.location);
		if (e->prefix == NULL)
			return podd_error_sys(err, ENOMEM, "registries");
	}
	return mirrors_parse(o, e, err);
}

/* What containers/image refuses among entries (podman's messages), and a
 * prefix given twice, which podman would silently ignore the second time. */
static int entries_check(const struct registries_conf *c, size_t i, podd_error_t *err)
{
	const struct registry_entry *e = &c->entries[i];
	for (size_t j = 0; j < i; j++) {
		const struct registry_entry *o = &c->entries[j];
		const char *key = e->primary.location ? e->primary.location : e->prefix;
		const char *okey = o->primary.location ? o->primary.location : o->prefix;
		if (strcmp(key, okey) == 0 && e->primary.insecure != o->primary.insecure)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "registry '%s' is defined multiple times with "
					  "conflicting 'insecure' setting",
					  key);
		if (strcmp(key, okey) == 0 && e->blocked != o->blocked)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "registry '%s' is defined multiple times with "
					  "conflicting 'blocked' setting",
					  key);
		if (strcmp(e->prefix, o->prefix) == 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "prefix \"%s\" is registries[%zu]'s too", e->prefix, j);
	}
	return 0;
}

static int registries_parse(struct registries_conf *c, json_object *root, podd_error_t *err)
{
	json_object *v;
	if (json_object_object_get_ex(root, "unqualified-search-registries", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) > REGISTRIES_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: unqualified-search-registries: a list of at most %d "
					  "registries",
					  c->path, REGISTRIES_MAX);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (!json_object_is_type(e, json_type_string) ||
			    !registry_domain_valid(json_object_get_string(e)))
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "%s: unqualified-search-registries[%zu]: not a "
						  "registry host[:port]",
						  c->path, i);
			c->search[c->n_search] = strdup(json_object_get_string(e));
			if (c->search[c->n_search++] == NULL)
				return podd_error_sys(err, ENOMEM, "registries");
		}
	}
	if (!json_object_object_get_ex(root, "registries", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > REGISTRIES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s: registries: a list of at most %d entries", c->path,
				  REGISTRIES_MAX);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct registry_entry *e = &c->entries[c->n_entries++];
		if (entry_parse(json_object_array_get_idx(v, i), e, err) < 0 ||
		    entries_check(c, i, err) < 0)
			return podd_error_wrap(err, "%s: registries[%zu]", c->path, i);
	}
	return 0;
}

int registries_conf_load(struct registries_conf *c, podd_error_t *err)
{
	const char *env = getenv("PODD_REGISTRIES_CONF"), *xdg = getenv("XDG_CONFIG_HOME"),
		   *home = getenv("HOME");
	cleanup_free char *text = NULL;
	json_object *root;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "/etc/podd/registries.json");
	if (env && env[0]) {
		snprintf(c->path, sizeof(c->path), "%s", env);
	} else if (geteuid() != 0 && (xdg || home)) {
		char user[4096];
		if (xdg && xdg[0])
			snprintf(user, sizeof(user), "%s/podd/registries.json", xdg);
		else
			snprintf(user, sizeof(user), "%s/.config/podd/registries.json", home);
		if (access(user, F_OK) == 0)
			snprintf(c->path, sizeof(c->path), "%s", user);
	}
	if (read_file_limited(c->path, CONF_MAX, &text, err) < 0) {
		if ((*err)->sys_errno == ENOENT) {
			podd_error_free(err);
			return 0;
		}
		return -1;
	}
	root = parse_json(text, c->path, err);
	if (root == NULL)
		return -1;
	rc = registries_parse(c, root, err);
	json_object_put(root);
	if (rc < 0)
		registries_conf_free(c);
	return rc;
}

void registries_conf_free(struct registries_conf *c)
{
	for (size_t i = 0; i < c->n_search; i++)
		free(c->search[i]);
	for (size_t i = 0; i < c->n_entries; i++)
		entry_free(&c->entries[i]);
	c->n_search = c->n_entries = 0;
}

const struct registry_entry *registries_conf_find(const struct registries_conf *c,
						  const char *name)
{
	return registry_find(c->entries, c->n_entries, name);
}

bool registries_conf_insecure(const struct registries_conf *c, const char *name)
{
	const struct registry_entry *e = registries_conf_find(c, name);
	return e && e->primary.insecure;
}

int registries_conf_check_blocked(const struct registries_conf *c, const char *name,
				  podd_error_t *err)
{
	const struct registry_entry *e = registries_conf_find(c, name);
	if (e && e->blocked)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "registry %s is blocked in %s",
				  e->prefix, c->path);
	return 0;
}

void auth_file_path(const char *flag, char *out, size_t n)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR");
	if (flag && flag[0])
		snprintf(out, n, "%s", flag);
	else if (env && env[0])
		snprintf(out, n, "%s", env);
	else if (geteuid() == 0)
		snprintf(out, n, "/run/containers/0/auth.json");
	else if (xdg && xdg[0])
		snprintf(out, n, "%s/containers/auth.json", xdg);
	else
		snprintf(out, n, "/run/user/%u/containers/auth.json", (unsigned)geteuid());
}

/* {"auth": base64("user:password")} */
static int decode_entry(json_object *entry, const char *key, char **user, char **password,
			podd_error_t *err)
{
	json_object *auth;
	const char *b64;
	size_t n;
	cleanup_free unsigned char *plain = NULL;
	char *colon;
	int len;

	if (!json_object_is_type(entry, json_type_object) ||
	    !json_object_object_get_ex(entry, "auth", &auth) ||
	    !json_object_is_type(auth, json_type_string))
		return 0;
	b64 = json_object_get_string(auth);
	n = strlen(b64);
	plain = malloc(n / 4 * 3 + 4);
	if (plain == NULL)
		return podd_error_sys(err, ENOMEM, "auth file");
	/* Room for the decoded bytes and the NUL: b64_pton never writes
	 * more than it is given room for. */
	len = b64_pton(b64, plain, n / 4 * 3 + 3);
	if (len < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "auth file: the entry for %s is not base64", key);
	plain[len] = '\0';
	colon = strchr((char *)plain, ':');
	if (colon == NULL || strlen((char *)plain) != (size_t)len)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "auth file: the entry for %s is not user:password", key);
	*colon = '\0';
	*user = strdup((char *)plain);
	*password = strdup(colon + 1);
	explicit_bzero(plain, (size_t)len);
	if (*user == NULL || *password == NULL)
		return podd_error_sys(err, ENOMEM, "auth file");
	return 1;
}

/* The helper "credHelpers" names for `registry` (host[:port]): 1 with
 * *name set, 0 for none, -1 for a value that is no helper's name. */
static int cred_helper_for(json_object *root, const char *registry, const char *path,
			   const char **name, podd_error_t *err)
{
	json_object *helpers, *h;

	*name = NULL;
	if (!json_object_object_get_ex(root, "credHelpers", &helpers) ||
	    !json_object_is_type(helpers, json_type_object) ||
	    !json_object_object_get_ex(helpers, registry, &h))
		return 0;
	if (!json_object_is_type(h, json_type_string) ||
	    !cred_helper_name_valid(json_object_get_string(h)))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s: credHelpers[\"%s\"]: not a credential helper's name", path,
				  registry);
	*name = json_object_get_string(h);
	return 1;
}

int auth_lookup(const char *path, const char *repo, char **user, char **password,
		podd_error_t *err)
{
	cleanup_free char *text = NULL;
	char key[PODD_IMAGE_REPO_MAX * 2 + 2];
	json_object *root, *auths, *entry;
	const char *helper;
	int rc = 0;

	*user = *password = NULL;
	if (read_file_limited(path, AUTH_FILE_MAX, &text, err) < 0) {
		if ((*err)->sys_errno == ENOENT) {
			podd_error_free(err);
			return 0;
		}
		return -1;
	}
	root = parse_json(text, path, err);
	if (root == NULL)
		return -1;
	/* A helper named for the registry answers for it, as in podman;
	 * "auths" is not read then. */
	snprintf(key, sizeof(key), "%s", repo);
	key[strcspn(key, "/")] = '\0';
	rc = cred_helper_for(root, key, path, &helper, err);
	if (rc != 0) {
		if (rc > 0) {
			rc = cred_helper_get(helper, key, user, password, err);
			if (rc < 0)
				podd_error_wrap(err, "getting username and password");
		}
		goto out;
	}
	if (!json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		goto out;
	/* host/a/b, host/a, host: the most specific first. */
	snprintf(key, sizeof(key), "%s", repo);
	for (;;) {
		char *slash;
		if (json_object_object_get_ex(auths, key, &entry)) {
			rc = decode_entry(entry, key, user, password, err);
			if (rc != 0)
				break;
		}
		slash = strrchr(key, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
out:
	json_object_put(root);
	return rc < 0 ? -1 : 0;
}

int auth_file_cred_helper(const struct auth_file *f, const char *registry, const char **name,
			  podd_error_t *err)
{
	if (f->root == NULL) {
		*name = NULL;
		return 0;
	}
	return cred_helper_for(f->root, registry, f->path, name, err);
}

int auth_file_erase_helpers(struct auth_file *f, podd_error_t *err)
{
	json_object *helpers;

	if (f->root == NULL || !json_object_object_get_ex(f->root, "credHelpers", &helpers) ||
	    !json_object_is_type(helpers, json_type_object))
		return 0;
	json_object_object_foreach(helpers, registry, v)
	{
		const char *name;
		int rc;
		(void)v;
		if (cred_helper_for(f->root, registry, f->path, &name, err) < 0)
			return -1;
		rc = cred_helper_erase(name, registry, err);
		if (rc < 0)
			return -1;
		/* containers/image passes a helper's "not found" on here. */
		if (rc > 0)
			return podd_error(err, PODD_E_RUNTIME,
					  "error erasing credentials - err: exit status 1, out: "
					  "`credentials not found in native keychain`");
	}
	/* As podman leaves the file: the helpers' entries go too. */
	json_object_object_del(f->root, "credHelpers");
	return 0;
}

int auth_file_open(const char *path, bool create, struct auth_file *f, podd_error_t *err)
{
	cleanup_free char *text = NULL;
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (create) {
		char dir[4096];
		char *slash;
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (podd_mkdir_p(dir, err) < 0)
				return -1;
		}
	}
	f->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	if (f->fd < 0)
		return podd_error_sys(err, errno, "open auth file %s", path);
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "auth file %s: not a regular file",
				  path);
	if (read_fd_limited(f->fd, path, AUTH_FILE_MAX, &text, err) < 0)
		return -1;
	if (text[strspn(text, " \t\r\n")] == '\0') {
		f->root = json_object_new_object();
	} else {
		f->root = parse_json(text, path, err);
		if (f->root == NULL)
			return -1;
	}
	return 0;
}

static json_object *auths_of(struct auth_file *f)
{
	json_object *auths;
	if (json_object_object_get_ex(f->root, "auths", &auths) &&
	    json_object_is_type(auths, json_type_object))
		return auths;
	auths = json_object_new_object();
	json_object_object_add(f->root, "auths", auths);
	return auths;
}

int auth_file_set(struct auth_file *f, const char *registry, const char *user,
		  const char *password, podd_error_t *err)
{
	size_t n = strlen(user) + 1 + strlen(password);
	cleanup_free char *plain = malloc(n + 1);
	size_t b64_size = 4 * (n / 3 + 1) + 1;
	cleanup_free char *b64 = malloc(b64_size);
	json_object *entry;

	if (plain == NULL || b64 == NULL)
		return podd_error_sys(err, ENOMEM, "auth file");
	snprintf(plain, n + 1, "%s:%s", user, password);
	if (b64_ntop((const unsigned char *)plain, n, b64, b64_size) < 0) {
		explicit_bzero(plain, n);
		return podd_error(err, PODD_E_INTERNAL, "auth file: base64");
	}
	explicit_bzero(plain, n);
	entry = json_object_new_object();
	json_object_object_add(entry, "auth", json_object_new_string(b64));
	json_object_object_add(auths_of(f), registry, entry);
	return 0;
}

int auth_file_remove(struct auth_file *f, const char *registry)
{
	json_object *auths = auths_of(f);
	if (registry == NULL) {
		int had = json_object_object_length(auths) > 0;
		json_object_object_add(f->root, "auths", json_object_new_object());
		return had;
	}
	if (!json_object_object_get_ex(auths, registry, NULL))
		return 0;
	json_object_object_del(auths, registry);
	return 1;
}

/* In place (lseek, write, ftruncate) on the descriptor opened before
 * podctl sandboxed itself: afterwards it can open nothing. */
int auth_file_save(struct auth_file *f, podd_error_t *err)
{
	/* Tab-indented, "key": "value", as podman writes it. */
	const char *text = json_object_to_json_string_ext(
		f->root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
				 JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text), done = 0;

	if (lseek(f->fd, 0, SEEK_SET) < 0)
		return podd_error_sys(err, errno, "write auth file %s", f->path);
	while (done < len) {
		ssize_t n = write(f->fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(err, errno, "write auth file %s", f->path);
		done += (size_t)n;
	}
	if (write(f->fd, "\n", 1) != 1 || ftruncate(f->fd, (off_t)len + 1) < 0 ||
	    fsync(f->fd) < 0)
		return podd_error_sys(err, errno, "write auth file %s", f->path);
	return 0;
}

void auth_file_close(struct auth_file *f)
{
	json_object_put(f->root);
	f->root = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int creds_split(const char *creds, char **user, char **password, podd_error_t *err)
{
	const char *colon = strchr(creds, ':');
	if (creds[0] == '\0' || creds[0] == ':')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "--creds: username can't be empty");
	*user = colon ? strndup(creds, (size_t)(colon - creds)) : strdup(creds);
	*password = strdup(colon ? colon + 1 : "");
	if (*user == NULL || *password == NULL)
		return podd_error_sys(err, ENOMEM, "--creds");
	return 0;
}
