/* create/run options, as podman spells them. Everything a flag names is
 * checked here and again by podd-state (lib/config_check.c). */
#include "create_opts.h"
#include "podctl.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "config_check.h"
#include "files.h"
#include "validate.h"

#define INVALID PODD_E_INVALID_ARGUMENT

enum {
	OPT_NAME = 256, OPT_ROOTFS, OPT_ENV_FILE, OPT_ENTRYPOINT, OPT_CAP_ADD, OPT_CAP_DROP,
	OPT_PRIVILEGED, OPT_READ_ONLY, OPT_SECURITY_OPT, OPT_ULIMIT, OPT_CPUS, OPT_PIDS_LIMIT,
	OPT_SHM_SIZE, OPT_INIT, OPT_DNS, OPT_DNS_SEARCH, OPT_DNS_OPTION, OPT_ADD_HOST,
	OPT_NETWORK, OPT_RM, OPT_STOP_SIGNAL, OPT_STOP_TIMEOUT, OPT_HELP, OPT_SIG_PROXY,
	OPT_DETACH_KEYS,
	OPT_PULL, OPT_TLS_VERIFY, OPT_CREDS, OPT_AUTHFILE, OPT_SIGNATURE_POLICY,
};

static char *own(struct create_opts *o, char *s)
{
	char **grown;
	if (s == NULL)
		return NULL;
	grown = realloc(o->owned, (o->n_owned + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(s);
		return NULL;
	}
	o->owned = grown;
	o->owned[o->n_owned++] = s;
	return s;
}

static int push(char ***v, size_t *n, char *s, podd_error_t *err)
{
	char **grown;
	if (s == NULL)
		return podd_error_sys(err, ENOMEM, "options");
	if (*n >= PODD_ARGS_MAX)
		return podd_error(err, INVALID, "too many values for one option");
	grown = realloc(*v, (*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "options");
	*v = grown;
	(*v)[(*n)++] = s;
	return 0;
}

/* -e KEY=VALUE, or -e KEY to take KEY's value from podctl's environment
 * (skipped when unset), as podman does. */
int create_opts_add_env(struct create_opts *o, const char *arg, podd_error_t *err)
{
	char *entry = NULL;

	if (arg[0] == '=' || arg[0] == '\0')
		return podd_error(err, INVALID, "invalid environment variable \"%s\"", arg);
	if (strchr(arg, '=')) {
		entry = strdup(arg);
	} else {
		const char *v = getenv(arg);
		if (v == NULL)
			return 0;
		if (asprintf(&entry, "%s=%s", arg, v) < 0)
			entry = NULL;
	}
	return push(&o->config.env, &o->config.n_env, own(o, entry), err);
}

/* --env-file: KEY=VALUE lines; blank lines and # comments skipped; a bare
 * KEY takes podctl's value, as with -e. */
int create_opts_add_env_file(struct create_opts *o, const char *path, podd_error_t *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return podd_error_sys(err, errno, "open env file %s", path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s = line;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (create_opts_add_env(o, s, err) < 0)
			return -1;
	}
	return 0;
}

int parse_size(const char *s, int64_t *out)
{
	char *end;
	double v;
	int64_t mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		end++;
		break;
	case 'k':
		mult = 1LL << 10, end++;
		break;
	case 'm':
		mult = 1LL << 20, end++;
		break;
	case 'g':
		mult = 1LL << 30, end++;
		break;
	case 't':
		mult = 1LL << 40, end++;
		break;
	default:
		return -1;
	}
	if (mult > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end != '\0' || v * (double)mult > (double)INT64_MAX)
		return -1;
	*out = (int64_t)(v * (double)mult);
	return 0;
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno)
		return -1;
	*out = v;
	return 0;
}

/* --ulimit nofile=1024:2048, nproc=-1 */
static int add_ulimit(struct create_opts *o, const char *arg, podd_error_t *err)
{
	Podd__Ulimit *u;
	char name[32];
	const char *eq = strchr(arg, '='), *colon;
	cleanup_free char *soft = NULL;

	if (o->config.n_ulimits >= sizeof(o->ulimit_store) / sizeof(o->ulimit_store[0]))
		return podd_error(err, INVALID, "too many --ulimit options");
	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name))
		return podd_error(err, INVALID, "invalid ulimit argument: %s", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (podd_ulimit_resource(name) < 0)
		return podd_error(err, INVALID, "invalid ulimit type: %s", name);
	u = &o->ulimit_store[o->config.n_ulimits];
	podd__ulimit__init(u);
	u->name = own(o, strdup(name));
	colon = strchr(eq + 1, ':');
	soft = colon ? strndup(eq + 1, (size_t)(colon - eq - 1)) : strdup(eq + 1);
	if (u->name == NULL || soft == NULL || parse_int64(soft, &u->soft) < 0 ||
	    parse_int64(colon ? colon + 1 : soft, &u->hard) < 0 || u->soft < -1 || u->hard < -1)
		return podd_error(err, INVALID, "invalid ulimit argument: %s", arg);
	if (u->hard != -1 && (u->soft == -1 || u->soft > u->hard))
		return podd_error(err, INVALID,
				  "ulimit error: soft limit must be less than or equal to hard "
				  "limit: %s",
				  arg);
	o->ulimit_ptrs[o->config.n_ulimits] = u;
	o->config.ulimits = o->ulimit_ptrs;
	o->config.n_ulimits++;
	return 0;
}

/* A seccomp profile named on the command line: read now (podctl cannot
 * open files once sandboxed) and checked to be a JSON object; podd-exec
 * checks its content. */
static int read_seccomp(struct create_opts *o, const char *path, podd_error_t *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	json_object *j;
	size_t n;

	if (f == NULL)
		return podd_error_sys(err, errno, "opening seccomp profile failed: %s", path);
	free(o->seccomp_text);
	o->seccomp_text = calloc(1, PODD_SECCOMP_PROFILE_MAX + 2);
	if (o->seccomp_text == NULL)
		return podd_error_sys(err, ENOMEM, "seccomp profile");
	n = fread(o->seccomp_text, 1, PODD_SECCOMP_PROFILE_MAX + 1, f);
	if (n > PODD_SECCOMP_PROFILE_MAX)
		return podd_error(err, INVALID, "seccomp profile %s is larger than %d bytes", path,
				  PODD_SECCOMP_PROFILE_MAX);
	j = json_tokener_parse(o->seccomp_text);
	if (j == NULL || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return podd_error(err, INVALID, "seccomp profile %s is not a JSON object", path);
	}
	json_object_put(j);
	o->config.seccomp = o->seccomp_text;
	return 0;
}

static int security_opt(struct create_opts *o, const char *arg, podd_error_t *err)
{
	if (strcmp(arg, "no-new-privileges") == 0 || strcmp(arg, "no-new-privileges=true") == 0) {
		o->config.no_new_privileges = true;
		return 0;
	}
	if (strcmp(arg, "no-new-privileges=false") == 0) {
		o->config.no_new_privileges = false;
		return 0;
	}
	if (strcmp(arg, "seccomp=unconfined") == 0) {
		o->config.seccomp = "unconfined";
		return 0;
	}
	if (strncmp(arg, "seccomp=", 8) == 0)
		return read_seccomp(o, arg + 8, err);
	return podd_error(err, INVALID, "invalid --security-opt 1: %s", arg);
}

/* --entrypoint '["sh","-c"]' or --entrypoint /bin/sh, as podman takes it. */
static int set_entrypoint(struct create_opts *o, const char *arg, podd_error_t *err)
{
	json_object *j;

	free(o->config.entrypoint);
	o->config.entrypoint = NULL;
	o->config.n_entrypoint = 0;
	if (arg[0] == '\0')
		return 0;
	if (arg[0] != '[')
		return push(&o->config.entrypoint, &o->config.n_entrypoint, (char *)arg, err);
	j = json_tokener_parse(arg);
	if (j == NULL || !json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		return podd_error(err, INVALID, "invalid --entrypoint JSON array: %s", arg);
	}
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		json_object *e = json_object_array_get_idx(j, i);
		if (!json_object_is_type(e, json_type_string) ||
		    push(&o->config.entrypoint, &o->config.n_entrypoint,
			 own(o, strdup(json_object_get_string(e))), err) < 0) {
			json_object_put(j);
			return *err ? -1 : podd_error(err, INVALID, "invalid --entrypoint: %s", arg);
		}
	}
	json_object_put(j);
	return 0;
}

static int one_option(struct create_opts *o, int c, const char *arg, podd_error_t *err)
{
	Podd__ContainerConfig *cfg = &o->config;
	int64_t n;
	double cpus;
	char *end;

	switch (c) {
	case OPT_NAME:
		o->name = arg;
		return 0;
	case 'd':
		o->detach = true;
		return 0;
	case OPT_DETACH_KEYS:
		return detach_keys_parse(arg, &o->detach_keys, err);
	case OPT_SIG_PROXY:
		if (arg && strcmp(arg, "true") != 0 && strcmp(arg, "false") != 0)
			return podd_error(err, INVALID,
					  "invalid argument \"%s\" for \"--sig-proxy\" flag", arg);
		o->no_sig_proxy = arg && strcmp(arg, "false") == 0;
		return 0;
	case 'i':
		cfg->interactive = true;
		return 0;
	case 't':
		cfg->tty = true;
		return 0;
	case OPT_RM:
		cfg->autoremove = true;
		return 0;
	case 'e':
		return create_opts_add_env(o, arg, err);
	case OPT_ENV_FILE:
		return create_opts_add_env_file(o, arg, err);
	case 'w':
		cfg->workdir = (char *)arg;
		o->overrides.workdir = true;
		return 0;
	case 'u':
		cfg->user = (char *)arg;
		o->overrides.user = true;
		return 0;
	case OPT_PULL:
		if (strcmp(arg, "missing") == 0)
			o->pull = PULL_MISSING;
		else if (strcmp(arg, "always") == 0)
			o->pull = PULL_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			o->pull = PULL_NEVER;
		else if (strcmp(arg, "newer") == 0)
			o->pull = PULL_NEWER;
		else
			return podd_error(err, INVALID, "invalid pull policy \"%s\"", arg);
		return 0;
	case OPT_TLS_VERIFY:
		if (arg == NULL || strcmp(arg, "true") == 0)
			o->pull_opts.tls_verify = 1;
		else if (strcmp(arg, "false") == 0)
			o->pull_opts.tls_verify = 0;
		else
			return podd_error(err, INVALID,
					  "invalid argument \"%s\" for \"--tls-verify\" flag: "
					  "strconv.ParseBool: parsing \"%s\": invalid syntax",
					  arg, arg);
		return 0;
	case OPT_CREDS:
		o->pull_opts.creds = arg;
		return 0;
	case OPT_AUTHFILE:
		o->pull_opts.authfile = arg;
		return 0;
	case OPT_SIGNATURE_POLICY:
		o->pull_opts.signature_policy = arg;
		return 0;
	case 'q':
		o->pull_opts.quiet = true;
		return 0;
	case 'h':
		cfg->hostname = (char *)arg;
		return 0;
	case OPT_ROOTFS:
		o->rootfs_flag = true;
		return 0;
	case OPT_ENTRYPOINT:
		o->overrides.entrypoint = true;
		return set_entrypoint(o, arg, err);
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: {
		/* podman takes comma-separated lists too. */
		cleanup_free char *copy = strdup(arg);
		char *save = NULL;
		if (copy == NULL)
			return podd_error_sys(err, ENOMEM, "options");
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char canon[64];
			if (!podd_cap_name_canonical(t, canon, sizeof(canon)))
				return podd_error(err, INVALID, "unknown capability \"%s\"", t);
			if (push(c == OPT_CAP_ADD ? &cfg->cap_add : &cfg->cap_drop,
				 c == OPT_CAP_ADD ? &cfg->n_cap_add : &cfg->n_cap_drop,
				 own(o, strdup(canon)), err) < 0)
				return -1;
		}
		return 0;
	}
	case OPT_PRIVILEGED:
		cfg->privileged = true;
		return 0;
	case OPT_READ_ONLY:
		cfg->read_only = true;
		return 0;
	case OPT_SECURITY_OPT:
		return security_opt(o, arg, err);
	case OPT_ULIMIT:
		return add_ulimit(o, arg, err);
	case 'm':
		if (parse_size(arg, &n) < 0)
			return podd_error(err, INVALID, "invalid size: '%s'", arg);
		cfg->memory = n;
		return 0;
	case OPT_CPUS:
		errno = 0;
		cpus = strtod(arg, &end);
		if (end == arg || *end || errno || cpus <= 0 || cpus > 4096)
			return podd_error(err, INVALID, "invalid argument \"%s\" for \"--cpus\"", arg);
		cfg->cpu_period = 100000;
		cfg->cpu_quota = (int64_t)(cpus * 100000.0);
		return 0;
	case OPT_PIDS_LIMIT:
		if (parse_int64(arg, &n) < 0 || n < -1)
			return podd_error(err, INVALID, "invalid argument \"%s\" for \"--pids-limit\"",
					  arg);
		cfg->pids_limit = n == 0 ? -1 : n;
		return 0;
	case OPT_SHM_SIZE:
		if (parse_size(arg, &n) < 0 || n == 0)
			return podd_error(err, INVALID, "invalid size: '%s'", arg);
		cfg->shm_size = n;
		return 0;
	case OPT_INIT:
		cfg->init = true;
		return 0;
	case OPT_DNS:
		if (!podd_ip_valid(arg))
			return podd_error(err, INVALID, "%s is not an ip address", arg);
		return push(&cfg->dns, &cfg->n_dns, (char *)arg, err);
	case OPT_DNS_SEARCH:
		return push(&cfg->dns_search, &cfg->n_dns_search, (char *)arg, err);
	case OPT_DNS_OPTION:
		return push(&cfg->dns_option, &cfg->n_dns_option, (char *)arg, err);
	case OPT_ADD_HOST:
		return push(&cfg->add_host, &cfg->n_add_host, (char *)arg, err);
	case OPT_NETWORK:
		if (strcmp(arg, "none") != 0 && strcmp(arg, "host") != 0)
			return podd_error(err, INVALID,
					  "network \"%s\" is not supported yet: use none or host", arg);
		cfg->network = (char *)arg;
		return 0;
	case OPT_STOP_SIGNAL:
		o->overrides.stop_signal = true;
		if (podctl_parse_signal(arg, &cfg->stop_signal) < 0)
			return podd_error(err, INVALID, "invalid signal: %s", arg);
		return 0;
	case OPT_STOP_TIMEOUT:
		if (parse_int64(arg, &n) < 0 || n < 0 || n > INT32_MAX)
			return podd_error(err, INVALID, "invalid --stop-timeout: %s", arg);
		cfg->stop_timeout = (int32_t)n;
		cfg->has_stop_timeout = true;
		return 0;
	default:
		return podd_error(err, INVALID, "unknown flag or missing value");
	}
}

int create_opts_parse(struct create_opts *o, bool run, const char *runtime, int argc,
		      char **argv, podd_error_t *err)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "detach", no_argument, NULL, 'd' },
		{ "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "rm", no_argument, NULL, OPT_RM },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, OPT_ENV_FILE },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "rootfs", no_argument, NULL, OPT_ROOTFS },
		{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
		{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
		{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
		{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
		{ "ulimit", required_argument, NULL, OPT_ULIMIT },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
		{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
		{ "dns-option", required_argument, NULL, OPT_DNS_OPTION },
		{ "add-host", required_argument, NULL, OPT_ADD_HOST },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "net", required_argument, NULL, OPT_NETWORK },
		{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "pull", required_argument, NULL, OPT_PULL },
		{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
		{ "creds", required_argument, NULL, OPT_CREDS },
		{ "authfile", required_argument, NULL, OPT_AUTHFILE },
		{ "signature-policy", required_argument, NULL, OPT_SIGNATURE_POLICY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct stat st;
	int c;

	podd__container_config__init(&o->config);
	o->pull_opts.tls_verify = -1;
	detach_keys_default(&o->detach_keys);
	if (runtime) {
		/* Found now, before anything is created (podman refuses a
		 * runtime it cannot find before it makes the container);
		 * podd-exec's launcher checks it again when it runs it. */
		if (podd_runtime_check(runtime, err) < 0)
			return -1;
		if (runtime[0] == '/' && !program_trusted(runtime))
			return podd_error(err, INVALID,
					  "OCI runtime \"%s\" not found, not executable or not owned by "
					  "root: invalid argument",
					  runtime);
		o->config.runtime = (char *)runtime;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dite:w:u:h:m:q", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return podd_error(err, INVALID, "usage: podctl %s [options] IMAGE [COMMAND "
							"[ARG...]] or --rootfs ROOTFS COMMAND [ARG...]",
					  argv[0]);
		if (c == '?' || c == ':' ||
		    (!run && (c == 'd' || c == OPT_SIG_PROXY || c == OPT_DETACH_KEYS)))
			return podd_error(err, INVALID, "unknown flag or missing value: %s",
					  argv[optind - 1]);
		if (one_option(o, c, optarg, err) < 0)
			return -1;
	}
	if (optind >= argc)
		return podd_error(err, INVALID, "%s requires at least 1 arg(s), only received 0",
				  argv[0]);
	if (o->name && !podd_name_valid(o->name))
		return podd_error(err, INVALID, "container name \"%s\": names must match "
						"[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
				  o->name);
	if (!o->rootfs_flag) {
		o->image = argv[optind];
		if (o->image[0] == '\0')
			return podd_error(err, INVALID, "image name cannot be empty");
		o->config.cmd = argv + optind + 1;
		o->config.n_cmd = (size_t)(argc - optind - 1);
		/* The registries configuration and the auth file can be read
		 * only now, before the helpers start; a name no pull can serve
		 * is an error only once the image is found missing. */
		if (o->pull != PULL_NEVER &&
		    pull_plan_make(o->image, &o->pull_opts, &o->pull_plan, &o->pull_plan_err) < 0)
			o->pull_plan = NULL;
		return 0;
	}
	/* The rootfs is resolved here, before the sandbox: no helper sees
	 * outside its own directories. */
	if (realpath(argv[optind], o->rootfs) == NULL)
		return podd_error(err, INVALID, "rootfs \"%s\": %s", argv[optind], strerror(errno));
	if (stat(o->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return podd_error(err, INVALID, "rootfs \"%s\" is not a directory", argv[optind]);
	o->config.rootfs = o->rootfs;
	o->config.cmd = argv + optind + 1;
	o->config.n_cmd = (size_t)(argc - optind - 1);
	if (o->config.n_cmd == 0 && o->config.n_entrypoint == 0)
		return podd_error(err, INVALID, "no command or entrypoint provided, and no CMD or "
						"ENTRYPOINT from image");
	return podd_config_check(&o->config, err);
}

void create_opts_free(struct create_opts *o)
{
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	free(o->owned);
	free(o->config.env);
	free(o->config.entrypoint);
	free(o->config.cap_add);
	free(o->config.cap_drop);
	free(o->config.dns);
	free(o->config.dns_search);
	free(o->config.dns_option);
	free(o->config.add_host);
	free(o->seccomp_text);
	pull_plan_free(o->pull_plan);
	podd_error_free(&o->pull_plan_err);
	memset(o, 0, sizeof(*o));
}

unsigned create_opts_image_needs(const struct create_opts *o)
{
	/* podd-image (and podd-image-registry when a pull may come) parked:
	 * executed only if the image must be pulled or its record has no run
	 * config (image_use.c). */
	if (o->image == NULL)
		return 0;
	return NEED_PARKED(HELPER_IMAGE) | (o->pull_plan ? NEED_PARKED(HELPER_REGISTRY) : 0);
}
