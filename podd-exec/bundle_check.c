/* bundle_check.h: the launcher's allowlist of what a bundle may ask of the
 * runtime. Everything bundle.c writes passes; anything else is refused
 * before conmon runs. */
#include "bundle_check.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "validate.h"

#define REFUSE(err, ...) podd_error(err, PODD_E_NOT_PERMITTED, __VA_ARGS__)

/* The catatonit bind of --init (mounts.c). */
static const char init_path[] = "/usr/bin/catatonit";

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static int only_keys(json_object *obj, const char *what, const char *const *allowed,
		     podd_error_t *err)
{
	if (!json_object_is_type(obj, json_type_object))
		return REFUSE(err, "%s is not an object", what);
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (!in_list(key, allowed))
			return REFUSE(err, "%s: \"%.64s\" is not allowed", what, key);
	}
	return 0;
}

static const char *string_of(json_object *obj, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A bind source: a file directly in the container's bundle directory. */
static bool own_file(const char *src, const char *bundle_dir)
{
	size_t n = strlen(bundle_dir);
	const char *leaf = src + n + 1;
	return strncmp(src, bundle_dir, n) == 0 && src[n] == '/' && leaf[0] != '\0' &&
	       strchr(leaf, '/') == NULL && strcmp(leaf, ".") != 0 && strcmp(leaf, "..") != 0;
}

static bool is_bind(json_object *m)
{
	const char *type = string_of(m, "type");
	json_object *opts;

	if (type && strcmp(type, "bind") == 0)
		return true;
	if (json_object_object_get_ex(m, "options", &opts) &&
	    json_object_is_type(opts, json_type_array))
		for (size_t i = 0; i < json_object_array_length(opts); i++) {
			const char *o = json_object_get_string(json_object_array_get_idx(opts, i));
			if (o && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0))
				return true;
		}
	return false;
}

static int check_mounts(json_object *mounts, const char *bundle_dir, podd_error_t *err)
{
	static const char *const keys[] = { "destination", "type", "source", "options", NULL };
	static const char *const kernel[] = { "proc", "tmpfs", "devpts", "mqueue", "sysfs",
					      "cgroup", NULL };

	if (!json_object_is_type(mounts, json_type_array))
		return REFUSE(err, "config.json: mounts is not a list");
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *type, *src;

		if (only_keys(m, "config.json: a mount", keys, err) < 0)
			return -1;
		type = string_of(m, "type");
		src = string_of(m, "source");
		if (type == NULL || src == NULL)
			return REFUSE(err, "config.json: a mount without type or source");
		if (is_bind(m)) {
			if (!own_file(src, bundle_dir) && strcmp(src, init_path) != 0)
				return REFUSE(err, "config.json: bind mount of \"%.128s\" is not allowed",
					      src);
		} else if (!in_list(type, kernel) || src[0] == '/') {
			return REFUSE(err, "config.json: mount of type \"%.32s\" from \"%.128s\" is "
					   "not allowed",
				      type, src);
		}
	}
	return 0;
}

static int check_linux(json_object *lnx, podd_error_t *err)
{
	static const char *const keys[] = { "namespaces", "resources", "cgroupsPath", "seccomp",
					    "maskedPaths", "readonlyPaths", NULL };
	json_object *ns;

	if (only_keys(lnx, "config.json: linux", keys, err) < 0)
		return -1;
	if (!json_object_object_get_ex(lnx, "namespaces", &ns))
		return 0;
	if (!json_object_is_type(ns, json_type_array))
		return REFUSE(err, "config.json: namespaces is not a list");
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *n = json_object_array_get_idx(ns, i), *path;
		if (!json_object_is_type(n, json_type_object))
			return REFUSE(err, "config.json: a namespace is not an object");
		if (json_object_object_get_ex(n, "path", &path))
			return REFUSE(err, "config.json: joining a namespace by path is not allowed");
	}
	return 0;
}

static const char *const process_keys[] = { "terminal", "user", "args", "env", "cwd",
					    "capabilities", "rlimits", "noNewPrivileges",
					    "oomScoreAdj", NULL };

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* root.path: an image container's own mount point, or a --rootfs
 * directory; never "/" and nothing else in the engine's own directories
 * (another container's root or upper dir, a layer of the store). */
static int check_root(json_object *root, const char *image_root, const char *const *guarded,
		      podd_error_t *err)
{
	static const char *const keys[] = { "path", "readonly", NULL };
	const char *path;
	podd_error_t bad = NULL;

	if (only_keys(root, "config.json: root", keys, err) < 0)
		return -1;
	path = string_of(root, "path");
	if (path == NULL || podd_validate_abs_path("root", path, &bad) < 0) {
		podd_error_free(&bad);
		return REFUSE(err, "config.json: root.path is not a clean absolute path");
	}
	if (strcmp(path, "/") == 0)
		return REFUSE(err, "config.json: the host's root is no container root");
	if (image_root && strcmp(path, image_root) == 0)
		return 0;
	for (size_t i = 0; guarded && guarded[i]; i++)
		if (under(path, guarded[i]))
			return REFUSE(err, "config.json: root \"%.128s\" is not allowed", path);
	return 0;
}

int bundle_check_config(json_object *cfg, const char *bundle_dir, const char *image_root,
			const char *const *guarded, podd_error_t *err)
{
	static const char *const keys[] = { "ociVersion", "process", "root", "hostname",
					    "mounts", "linux", NULL };
	json_object *v;

	if (only_keys(cfg, "config.json", keys, err) < 0)
		return -1;
	if (json_object_object_get_ex(cfg, "process", &v) &&
	    only_keys(v, "config.json: process", process_keys, err) < 0)
		return -1;
	if (!json_object_object_get_ex(cfg, "root", &v))
		return REFUSE(err, "config.json: no root");
	if (check_root(v, image_root, guarded, err) < 0)
		return -1;
	if (json_object_object_get_ex(cfg, "mounts", &v) && check_mounts(v, bundle_dir, err) < 0)
		return -1;
	if (json_object_object_get_ex(cfg, "linux", &v) && check_linux(v, err) < 0)
		return -1;
	return 0;
}

/* Every capability in each set of the exec process is in the same set of
 * the container's process. */
static int caps_within(json_object *proc, json_object *cfg, podd_error_t *err)
{
	static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
					    "ambient", NULL };
	json_object *caps, *ctr_proc, *ctr_caps;

	if (!json_object_object_get_ex(proc, "capabilities", &caps))
		return 0;
	if (!json_object_object_get_ex(cfg, "process", &ctr_proc) ||
	    !json_object_object_get_ex(ctr_proc, "capabilities", &ctr_caps) ||
	    only_keys(caps, "process.json: capabilities", sets, err) < 0)
		return REFUSE(err, "process.json: capabilities the container does not have");
	json_object_object_foreach(caps, set, list) {
		json_object *ctr_list;
		if (!json_object_is_type(list, json_type_array) ||
		    !json_object_object_get_ex(ctr_caps, set, &ctr_list) ||
		    !json_object_is_type(ctr_list, json_type_array))
			return REFUSE(err, "process.json: capability set %s is not the container's",
				      set);
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			const char *c = json_object_get_string(json_object_array_get_idx(list, i));
			bool found = false;
			for (size_t k = 0; c && k < json_object_array_length(ctr_list) && !found;
			     k++) {
				const char *d =
					json_object_get_string(json_object_array_get_idx(ctr_list, k));
				found = d && strcmp(c, d) == 0;
			}
			if (!found)
				return REFUSE(err, "process.json: capability %.32s is not the "
						   "container's",
					      c ? c : "?");
		}
	}
	return 0;
}

int bundle_check_process(json_object *proc, json_object *cfg, podd_error_t *err)
{
	if (only_keys(proc, "process.json", process_keys, err) < 0)
		return -1;
	return caps_within(proc, cfg, err);
}

int bundle_read_at(int dirfd, const char *name, json_object **out, char **raw, size_t *len,
		   podd_error_t *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	cleanup_close int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	cleanup_free char *buf = NULL;
	struct stat st;
	enum json_tokener_error jerr;
	json_tokener *tok;
	size_t n;

	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return REFUSE(err, "%s is not a regular file", name);
	if (read_fd_limited(fd, name, BUNDLE_FILE_MAX, &buf, err) < 0)
		return -1;
	/* One JSON value and nothing after it: the runtime refuses trailing
	 * bytes, and what it reads is exactly what was parsed here. */
	n = strlen(buf);
	tok = json_tokener_new();
	if (tok == NULL)
		return podd_error_sys(err, ENOMEM, "%s", name);
	*out = json_tokener_parse_ex(tok, buf, (int)n);
	jerr = json_tokener_get_error(tok);
	if (*out != NULL && json_tokener_get_parse_end(tok) < n) {
		size_t end = json_tokener_get_parse_end(tok);
		while (end < n && strchr(" \t\r\n", buf[end]) && buf[end] != '\0')
			end++;
		if (end < n) {
			json_object_put(*out);
			*out = NULL;
			jerr = json_tokener_error_parse_unexpected;
		}
	}
	json_tokener_free(tok);
	if (*out == NULL)
		return REFUSE(err, "%s: %s", name, json_tokener_error_desc(jerr));
	*len = n;
	*raw = steal_pointer(&buf);
	return 0;
}

/* Is the directory open at `fd`, or one above it, the directory (dev,
 * ino) of `what`? Walked up by "..", across mounts, so no path string
 * decides it (no alias, no /proc/self/root). */
static int within(int fd, const struct stat *what, bool *yes)
{
	cleanup_close int cur = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	struct stat st, prev = { 0 };

	*yes = false;
	for (int depth = 0; cur >= 0 && depth < 4096; depth++) {
		int up;
		if (fstat(cur, &st) < 0)
			return -1;
		if (st.st_dev == what->st_dev && st.st_ino == what->st_ino) {
			*yes = true;
			return 0;
		}
		if (depth > 0 && st.st_dev == prev.st_dev && st.st_ino == prev.st_ino)
			return 0; /* "/" is its own parent */
		prev = st;
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = up;
	}
	return -1;
}

static int open_nolinks(const char *path)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

int bundle_check_root_fs(json_object *cfg, const char *image_root,
			 const char *const *guarded, podd_error_t *err)
{
	json_object *root;
	const char *path;
	cleanup_close int fd = -1;
	struct stat rst;

	if (!json_object_object_get_ex(cfg, "root", &root) ||
	    (path = string_of(root, "path")) == NULL)
		return REFUSE(err, "config.json: no root");
	fd = open_nolinks(path);
	if (fd < 0)
		return REFUSE(err, "config.json: root \"%.128s\" is not a directory reached "
				   "without a link (%s)",
			      path, strerror(errno));
	if (fstat(fd, &rst) < 0)
		return podd_error_sys(err, errno, "stat %s", path);
	if (image_root && strcmp(path, image_root) == 0) {
		/* Our own mount (overlay or the vfs clone), not a directory
		 * or a link the worker put in its place. */
		struct statx stx;
		if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0, &stx) < 0 ||
		    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
		    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
			return REFUSE(err, "config.json: the image root %.128s is not mounted", path);
		return 0;
	}
	for (size_t i = 0; guarded && guarded[i]; i++) {
		cleanup_close int g = open_nolinks(guarded[i]);
		struct stat gst;
		bool in_guarded, holds_guarded;

		if (g < 0 || fstat(g, &gst) < 0)
			return podd_error_sys(err, errno, "open %s", guarded[i]);
		if (within(fd, &gst, &in_guarded) < 0 || within(g, &rst, &holds_guarded) < 0)
			return podd_error_sys(err, errno ? errno : ELOOP, "walk up from %s", path);
		if (in_guarded || holds_guarded)
			return REFUSE(err, "config.json: root \"%.128s\" is not allowed", path);
	}
	return 0;
}
