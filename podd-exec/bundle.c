/* The OCI runtime config (config.json) of a container, from its record.
 * Defaults follow podman 4.3: its capability set, masked and read-only
 * paths, namespaces; our own seccomp profile (seccomp.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "cleanup.h"
#include "config_check.h"
#include "exec.h"
#include "launcher_ops.h"
#include "userdb.h"
#include "validate.h"

/* podman 4.3's default_capabilities (containers.conf). */
static const char *const default_caps[] = {
	"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",  "CAP_FSETID",
	"CAP_KILL",   "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
	"CAP_SETPCAP", "CAP_SETUID",      "CAP_SYS_CHROOT",
};

static const char *const masked_paths[] = {
	"/proc/acpi",        "/proc/kcore",      "/proc/keys",       "/proc/latency_stats",
	"/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware",     "/sys/fs/selinux",  "/sys/dev/block",
};

static const char *const readonly_paths[] = {
	"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define DEFAULT_PIDS_LIMIT 2048

static json_object *strv(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The capability set: podman's default, or every capability this kernel
 * knows for --privileged, then --cap-add and --cap-drop (ALL included). */
static size_t capability_set(const struct exec_ctx *ctx, const Podd__ContainerConfig *c,
			     char names[][40], size_t max)
{
	size_t n = 0;
	bool all = c->privileged || strv_has(c->cap_add, c->n_cap_add, "ALL");
	bool drop_all = strv_has(c->cap_drop, c->n_cap_drop, "ALL");

	for (int v = 0; v <= CAP_LAST_CAP && n < max; v++) {
		cleanup_free char *lower = NULL;
		char canon[40];
		char *raw = cap_to_name(v);
		bool on;

		if (raw == NULL)
			continue;
		lower = strdup(raw);
		cap_free(raw);
		if (lower == NULL || !podd_cap_name_canonical(lower, canon, sizeof(canon)))
			continue;
		on = all && v < 64 && (ctx->bounding >> v & 1);
		for (size_t i = 0; !on && i < PODD_ARRAY_SIZE(default_caps); i++)
			on = strcmp(default_caps[i], canon) == 0;
		if (drop_all || strv_has(c->cap_drop, c->n_cap_drop, canon))
			on = false;
		if (strv_has(c->cap_add, c->n_cap_add, canon))
			on = true;
		if (on)
			snprintf(names[n++], sizeof(names[0]), "%s", canon);
	}
	return n;
}

static json_object *capabilities_json(const char *const *caps, size_t n)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "bounding", strv(caps, n));
	json_object_object_add(o, "effective", strv(caps, n));
	json_object_object_add(o, "permitted", strv(caps, n));
	return o;
}

static int add_rlimit(json_object *arr, const char *name, int resource, int64_t soft,
		      int64_t hard, char ***warnings, size_t *nwarnings)
{
	struct rlimit cur;
	uint64_t s = soft < 0 ? RLIM_INFINITY : (uint64_t)soft;
	uint64_t h = hard < 0 ? RLIM_INFINITY : (uint64_t)hard;
	json_object *o;
	char type[32];

	/* Without CAP_SYS_RESOURCE the runtime cannot raise a hard limit
	 * above ours: clamp, and say so, rather than fail the start. */
	if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
	    (h > cur.rlim_max || s > cur.rlim_max)) {
		char *w = NULL;
		if (warnings && asprintf(&w, "ulimit %s: %lld:%lld exceeds the current hard limit "
					     "%llu; clamped",
					 name, (long long)soft, (long long)hard,
					 (unsigned long long)cur.rlim_max) >= 0) {
			char **grown = realloc(*warnings, (*nwarnings + 1) * sizeof(*grown));
			if (grown) {
				*warnings = grown;
				grown[(*nwarnings)++] = w;
			} else {
				free(w);
			}
		}
		if (h > cur.rlim_max)
			h = cur.rlim_max;
		if (s > h)
			s = h;
	}
	snprintf(type, sizeof(type), "RLIMIT_%s", name);
	for (char *p = type; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "hard", json_object_new_uint64(h));
	json_object_object_add(o, "soft", json_object_new_uint64(s));
	json_object_array_add(arr, o);
	return 0;
}

/* podman's defaults raise nofile and nproc to what the host allows;
 * --ulimit entries replace them. */
static json_object *rlimits_json(const Podd__ContainerConfig *c, char ***warnings,
				 size_t *nwarnings)
{
	json_object *arr = json_object_new_array();
	bool nofile = false, nproc = false;
	struct rlimit cur;

	for (size_t i = 0; i < c->n_ulimits; i++) {
		const Podd__Ulimit *u = c->ulimits[i];
		add_rlimit(arr, u->name, podd_ulimit_resource(u->name), u->soft, u->hard, warnings,
			   nwarnings);
		nofile |= strcmp(u->name, "nofile") == 0;
		nproc |= strcmp(u->name, "nproc") == 0;
	}
	if (!nofile && getrlimit(RLIMIT_NOFILE, &cur) == 0)
		add_rlimit(arr, "nofile", RLIMIT_NOFILE, (int64_t)cur.rlim_max,
			   (int64_t)cur.rlim_max, NULL, NULL);
	if (!nproc && getrlimit(RLIMIT_NPROC, &cur) == 0)
		add_rlimit(arr, "nproc", RLIMIT_NPROC,
			   cur.rlim_max == RLIM_INFINITY ? -1 : (int64_t)cur.rlim_max,
			   cur.rlim_max == RLIM_INFINITY ? -1 : (int64_t)cur.rlim_max, NULL, NULL);
	return arr;
}

static json_object *env_json(const Podd__ContainerConfig *c, const char *hostname,
			     const struct exec_user *u)
{
	json_object *a = json_object_new_array();
	bool path = false, term = false, home = false, ctr = false;
	char buf[300];

	for (size_t i = 0; i < c->n_env; i++) {
		path |= strncmp(c->env[i], "PATH=", 5) == 0;
		term |= strncmp(c->env[i], "TERM=", 5) == 0;
		home |= strncmp(c->env[i], "HOME=", 5) == 0;
		ctr |= strncmp(c->env[i], "container=", 10) == 0;
	}
	if (!path)
		json_object_array_add(a, json_object_new_string(PODD_DEFAULT_PATH_ENV));
	if (!term && c->tty)
		json_object_array_add(a, json_object_new_string(PODD_DEFAULT_TERM_ENV));
	/* The config's own (an image committed from a container has it, a
	 * user may set it) comes below: not twice. */
	if (!ctr)
		json_object_array_add(a, json_object_new_string(PODD_CONTAINER_ENV));
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", hostname);
	json_object_array_add(a, json_object_new_string(buf));
	if (!home) {
		char h[EXEC_USER_HOME_MAX + 8];
		snprintf(h, sizeof(h), "HOME=%s", u->home);
		json_object_array_add(a, json_object_new_string(h));
	}
	for (size_t i = 0; i < c->n_env; i++)
		json_object_array_add(a, json_object_new_string(c->env[i]));
	return a;
}

static json_object *args_json(const Podd__ContainerConfig *c)
{
	json_object *a = json_object_new_array();
	if (c->init) {
		json_object_array_add(a, json_object_new_string("/run/podman-init"));
		json_object_array_add(a, json_object_new_string("--"));
	}
	for (size_t i = 0; i < c->n_entrypoint; i++)
		json_object_array_add(a, json_object_new_string(c->entrypoint[i]));
	for (size_t i = 0; i < c->n_cmd; i++)
		json_object_array_add(a, json_object_new_string(c->cmd[i]));
	return a;
}

/* --user for container `id`: "" is root with HOME=/root without reading any
 * file; anything else is resolved against the rootfs's passwd and group
 * files, which the launcher reads (the worker cannot). */
static int resolve_user(const char *id, const Podd__ContainerConfig *c, const char *spec,
			struct exec_user *out, podd_error_t *err)
{
	Podd__UserDb *db = NULL;
	cleanup_free char *passwd = NULL, *group = NULL;

	if (spec[0] == '\0') {
		memset(out, 0, sizeof(*out));
		snprintf(out->home, sizeof(out->home), "/root");
		return 0;
	}
	if (call_read_user_db(id, c->rootfs, &db, err) < 0)
		return -1;
	passwd = podd_bytes_strdup(&db->passwd);
	group = podd_bytes_strdup(&db->group);
	protobuf_c_message_free_unpacked(&db->base, NULL);
	if (passwd == NULL || group == NULL)
		return podd_error_sys(err, ENOMEM, "user db");
	/* An embedded NUL ends the file there, as for libc. */
	return user_resolve(spec, passwd, group, out, err);
}

static json_object *user_json(const struct exec_user *u)
{
	json_object *user = json_object_new_object();

	json_object_object_add(user, "uid", json_object_new_uint64(u->uid));
	json_object_object_add(user, "gid", json_object_new_uint64(u->gid));
	if (u->ngids) {
		json_object *g = json_object_new_array();
		for (size_t i = 0; i < u->ngids; i++)
			json_object_array_add(g, json_object_new_uint64(u->gids[i]));
		json_object_object_add(user, "additionalGids", g);
	}
	return user;
}

/* The process of a container (or exec session) `id` whose --user is
 * resolved against its rootfs. */
static int process_json(const char *id, const Podd__ContainerConfig *c, const char *hostname,
			const char *const *caps, size_t ncaps, json_object **out, char ***warnings,
			size_t *nwarnings, podd_error_t *err)
{
	json_object *p, *user;
	struct exec_user u;

	if (resolve_user(id, c, c->user, &u, err) < 0)
		return -1;
	p = json_object_new_object();
	user = user_json(&u);
	json_object_object_add(p, "terminal", json_object_new_boolean(c->tty));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", args_json(c));
	json_object_object_add(p, "env", env_json(c, hostname, &u));
	json_object_object_add(p, "cwd", json_object_new_string(c->workdir[0] ? c->workdir : "/"));
	json_object_object_add(p, "capabilities", capabilities_json(caps, ncaps));
	json_object_object_add(p, "rlimits", rlimits_json(c, warnings, nwarnings));
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(c->no_new_privileges));
	json_object_object_add(p, "oomScoreAdj", json_object_new_int(0));
	*out = p;
	return 0;
}

static json_object *namespaces_json(const Podd__ContainerConfig *c)
{
	static const char *const always[] = { "pid", "ipc", "uts", "mount" };
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < PODD_ARRAY_SIZE(always); i++) {
		json_object *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string(always[i]));
		json_object_array_add(a, ns);
	}
	/* --network host shares the host's; none (the default until podd-net
	 * sets up bridges) gets a namespace of its own. */
	if (strcmp(c->network, "host") != 0) {
		json_object *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string("network"));
		json_object_array_add(a, ns);
	}
	return a;
}

static json_object *resources_json(const Podd__ContainerConfig *c)
{
	json_object *r = json_object_new_object(), *pids = json_object_new_object();

	if (c->memory > 0) {
		json_object *mem = json_object_new_object();
		json_object_object_add(mem, "limit", json_object_new_int64(c->memory));
		json_object_object_add(r, "memory", mem);
	}
	if (c->cpu_quota > 0) {
		json_object *cpu = json_object_new_object();
		json_object_object_add(cpu, "quota", json_object_new_int64(c->cpu_quota));
		json_object_object_add(cpu, "period", json_object_new_uint64((uint64_t)c->cpu_period));
		json_object_object_add(r, "cpu", cpu);
	}
	json_object_object_add(pids, "limit",
			       json_object_new_int64(c->pids_limit == 0 ? DEFAULT_PIDS_LIMIT
									: c->pids_limit));
	json_object_object_add(r, "pids", pids);
	return r;
}

static int linux_json(const Podd__ContainerRecord *rec, const char *const *caps, size_t ncaps,
		      json_object **out, podd_error_t *err)
{
	const Podd__ContainerConfig *c = rec->config;
	json_object *l = json_object_new_object(), *seccomp = NULL;
	char cgroup[128];

	if (bundle_seccomp(c, caps, ncaps, &seccomp, err) < 0) {
		json_object_put(l);
		return -1;
	}
	snprintf(cgroup, sizeof(cgroup), "/podd/podd-%s", rec->id);
	json_object_object_add(l, "namespaces", namespaces_json(c));
	json_object_object_add(l, "resources", resources_json(c));
	json_object_object_add(l, "cgroupsPath", json_object_new_string(cgroup));
	if (seccomp)
		json_object_object_add(l, "seccomp", seccomp);
	if (!c->privileged) {
		json_object_object_add(l, "maskedPaths",
				       strv(masked_paths, PODD_ARRAY_SIZE(masked_paths)));
		json_object_object_add(l, "readonlyPaths",
				       strv(readonly_paths, PODD_ARRAY_SIZE(readonly_paths)));
	}
	*out = l;
	return 0;
}

/* The UTS name: --hostname, else the id's first 12 digits, as podman. */
static void container_hostname(const Podd__ContainerRecord *rec, char out[65])
{
	const char *h = rec->config->hostname;
	snprintf(out, 65, "%.*s", h[0] ? 64 : 12, h[0] ? h : rec->id);
}

static bool env_key_in(char *const *env, size_t n, const char *entry)
{
	size_t klen = strcspn(entry, "=");
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], entry, klen) == 0 && env[i][klen] == '=')
			return true;
	return false;
}

static void free_warnings(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* podman's exec: the container's process with the session's command, its
 * environment added over the container's (a KEY given again replaces the
 * container's), and its working directory, user and terminal where given.
 * Capabilities, rlimits and no_new_privileges stay the container's. */
int bundle_exec_process(const struct exec_ctx *ctx, const Podd__ExecRequest *x, json_object **out,
			podd_error_t *err)
{
	const Podd__ContainerRecord *rec = x->record;
	Podd__ContainerConfig c = *rec->config;
	cleanup_free char **env = calloc(c.n_env + x->n_env + 1, sizeof(*env));
	char caps[64][40], hostname[65], rootfs[4200], **warnings = NULL;
	const char *capv[64];
	size_t ncaps, nwarnings = 0, n = 0;
	int r;

	if (env == NULL)
		return podd_error_sys(err, ENOMEM, "exec environment");
	if (exec_rootfs_path(ctx, rec, rootfs, sizeof(rootfs)) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "rootfs path too long");
	c.rootfs = rootfs;
	for (size_t i = 0; i < rec->config->n_env; i++)
		if (!env_key_in(x->env, x->n_env, rec->config->env[i]))
			env[n++] = rec->config->env[i];
	for (size_t i = 0; i < x->n_env; i++)
		env[n++] = x->env[i];
	c.env = env;
	c.n_env = n;
	c.entrypoint = NULL;
	c.n_entrypoint = 0;
	c.init = false;
	c.cmd = x->args;
	c.n_cmd = x->n_args;
	c.tty = x->tty;
	if (x->workdir[0])
		c.workdir = x->workdir;
	if (x->user[0])
		c.user = x->user;
	ncaps = capability_set(ctx, &c, caps, PODD_ARRAY_SIZE(caps));
	for (size_t i = 0; i < ncaps; i++)
		capv[i] = caps[i];
	container_hostname(rec, hostname);
	/* The clamping warnings were given when the container started. */
	r = process_json(rec->id, &c, hostname, capv, ncaps, out, &warnings, &nwarnings, err);
	free_warnings(warnings, nwarnings);
	return r;
}

int bundle_write(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec, char ***warnings,
		 size_t *nwarnings, podd_error_t *err)
{
	Podd__ContainerConfig cc = *rec->config;
	const Podd__ContainerConfig *c = &cc;
	char rootfs[4200];
	json_object *cfg = NULL, *process = NULL, *root, *lnx = NULL;
	char caps[64][40];
	const char *capv[64];
	char hostname[65], path[4200];
	size_t ncaps;
	const char *text;
	int r;

	if (podd_config_check(c, err) < 0)
		return -1;
	if (exec_rootfs_path(ctx, rec, rootfs, sizeof(rootfs)) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "rootfs path too long");
	cc.rootfs = rootfs;
	ncaps = capability_set(ctx, c, caps, PODD_ARRAY_SIZE(caps));
	for (size_t i = 0; i < ncaps; i++)
		capv[i] = caps[i];
	container_hostname(rec, hostname);

	if (process_json(rec->id, c, hostname, capv, ncaps, &process, warnings, nwarnings, err) < 0 ||
	    linux_json(rec, capv, ncaps, &lnx, err) < 0) {
		json_object_put(process);
		return -1;
	}
	if (etcfiles_write(ctx, rec, hostname, err) < 0) {
		json_object_put(process);
		json_object_put(lnx);
		return -1;
	}
	cfg = json_object_new_object();
	root = json_object_new_object();
	json_object_object_add(root, "path", json_object_new_string(c->rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(c->read_only));
	json_object_object_add(cfg, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(cfg, "process", process);
	json_object_object_add(cfg, "root", root);
	json_object_object_add(cfg, "hostname", json_object_new_string(hostname));
	json_object_object_add(cfg, "mounts", bundle_mounts(ctx, rec));
	json_object_object_add(cfg, "linux", lnx);

	text = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (exec_ctr_path(ctx, path, rec->id, "config.json") < 0) {
		json_object_put(cfg);
		return podd_error(err, PODD_E_INTERNAL, "bundle path too long");
	}
	r = write_file_atomic(path, text, strlen(text), 0600, err);
	json_object_put(cfg);
	return r;
}
