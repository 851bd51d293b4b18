#include "config_check.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "validate.h"

#define INVALID PODD_E_INVALID_ARGUMENT

static const struct {
	const char *name;
	int resource;
} ulimits[] = {
	{ "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },     { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },         { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },     { "as", RLIMIT_AS },
};

int podd_ulimit_resource(const char *name)
{
	for (size_t i = 0; i < sizeof(ulimits) / sizeof(ulimits[0]); i++)
		if (strcmp(name, ulimits[i].name) == 0)
			return ulimits[i].resource;
	return -1;
}

bool podd_cap_name_canonical(const char *in, char *out, size_t size)
{
	char lower[64];
	cap_value_t v;
	size_t n = strlen(in);

	if (strcasecmp(in, "all") == 0) {
		snprintf(out, size, "ALL");
		return true;
	}
	if (strncasecmp(in, "CAP_", 4) == 0)
		in += 4, n -= 4;
	if (n == 0 || n + 4 >= sizeof(lower))
		return false;
	snprintf(lower, sizeof(lower), "cap_");
	for (size_t i = 0; i < n; i++)
		lower[4 + i] = (char)tolower((unsigned char)in[i]);
	lower[4 + n] = '\0';
	/* libcap knows the names of this kernel's capabilities. */
	if (cap_from_name(lower, &v) < 0)
		return false;
	if ((size_t)snprintf(out, size, "CAP_%s", lower + 4) >= size)
		return false;
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return true;
}

bool podd_hostname_valid(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || (c == '-' && label > 0)))
			return false;
		label++;
	}
	return label > 0 && s[n - 1] != '-';
}

bool podd_ip_valid(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* A word for resolv.conf: printable, no whitespace. */
static bool word_valid(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

static int check_caps(const char *what, char **v, size_t n, podd_error_t *err)
{
	char canon[64];
	if (n > 64)
		return podd_error(err, INVALID, "too many capabilities in %s", what);
	for (size_t i = 0; i < n; i++)
		if (!podd_cap_name_canonical(v[i], canon, sizeof(canon)))
			return podd_error(err, INVALID, "unknown capability \"%.64s\" in %s", v[i],
					  what);
	return 0;
}

static int check_net(const Podd__ContainerConfig *c, podd_error_t *err)
{
	if (c->n_dns > 16 || c->n_dns_search > 16 || c->n_dns_option > 16 || c->n_add_host > 256)
		return podd_error(err, INVALID, "too many --dns, --dns-search, --dns-option "
						"or --add-host entries");
	for (size_t i = 0; i < c->n_dns; i++)
		if (!podd_ip_valid(c->dns[i]))
			return podd_error(err, INVALID, "%.64s is not an ip address", c->dns[i]);
	for (size_t i = 0; i < c->n_dns_search; i++)
		if (strcmp(c->dns_search[i], ".") != 0 && !word_valid(c->dns_search[i], 253))
			return podd_error(err, INVALID, "invalid --dns-search \"%.64s\"",
					  c->dns_search[i]);
	for (size_t i = 0; i < c->n_dns_option; i++)
		if (!word_valid(c->dns_option[i], 255))
			return podd_error(err, INVALID, "invalid --dns-option \"%.64s\"",
					  c->dns_option[i]);
	for (size_t i = 0; i < c->n_add_host; i++) {
		const char *h = c->add_host[i], *colon = strchr(h, ':');
		char host[65];
		if (colon == NULL || (size_t)(colon - h) >= sizeof(host))
			return podd_error(err, INVALID, "invalid --add-host \"%.64s\": "
							"expected HOST:IP",
					  h);
		memcpy(host, h, (size_t)(colon - h));
		host[colon - h] = '\0';
		if (!podd_hostname_valid(host) || !podd_ip_valid(colon + 1))
			return podd_error(err, INVALID, "invalid --add-host \"%.64s\": "
							"expected HOST:IP",
					  h);
	}
	if (c->network[0] != '\0' && strcmp(c->network, "none") != 0 &&
	    strcmp(c->network, "host") != 0)
		return podd_error(err, INVALID, "network mode \"%.64s\" is not supported "
						"(none, host)",
				  c->network);
	return 0;
}

static int check_limits(const Podd__ContainerConfig *c, podd_error_t *err)
{
	if (c->n_ulimits > 32)
		return podd_error(err, INVALID, "too many --ulimit entries");
	for (size_t i = 0; i < c->n_ulimits; i++) {
		const Podd__Ulimit *u = c->ulimits[i];
		if (u == NULL || podd_ulimit_resource(u->name) < 0)
			return podd_error(err, INVALID, "invalid ulimit type \"%.32s\"",
					  u ? u->name : "");
		if (u->soft < -1 || u->hard < -1 ||
		    (u->hard != -1 && (u->soft == -1 || u->soft > u->hard)))
			return podd_error(err, INVALID, "ulimit %s: soft limit must not exceed "
							"the hard limit",
					  u->name);
	}
	if (c->memory < 0 || (c->memory > 0 && c->memory < 6 * 1024 * 1024))
		return podd_error(err, INVALID, "minimum memory limit allowed is 6MB");
	if (c->cpu_quota < 0 || c->cpu_period < 0 || (c->cpu_quota > 0 && c->cpu_period == 0))
		return podd_error(err, INVALID, "invalid --cpus");
	if (c->pids_limit < -1)
		return podd_error(err, INVALID, "invalid --pids-limit");
	if (c->shm_size < 0)
		return podd_error(err, INVALID, "invalid --shm-size");
	if (c->stop_signal < 0 || c->stop_signal > 64 || c->stop_timeout < 0)
		return podd_error(err, INVALID, "invalid stop signal or timeout");
	return 0;
}

int podd_config_check(const Podd__ContainerConfig *c, podd_error_t *err)
{
	if (c == NULL)
		return podd_error(err, INVALID, "no container configuration");
	/* "": an image container (podd_image_source_check says which). */
	if (c->rootfs[0] != '\0' && podd_validate_abs_path("rootfs", c->rootfs, err) < 0)
		return -1;
	if (c->n_cmd + c->n_entrypoint == 0)
		return podd_error(err, INVALID, "no command or entrypoint provided, and no CMD "
						"or ENTRYPOINT from image");
	if (podd_validate_strv("command arguments", c->cmd, c->n_cmd, err) < 0 ||
	    podd_validate_strv("entrypoint", c->entrypoint, c->n_entrypoint, err) < 0 ||
	    podd_validate_env(c->env, c->n_env, err) < 0)
		return -1;
	if (c->workdir[0] != '\0' && podd_validate_abs_path("working directory", c->workdir, err) < 0)
		return -1;
	if (strlen(c->user) > 256 || strchr(c->user, '\n'))
		return podd_error(err, INVALID, "invalid user \"%.64s\"", c->user);
	if (c->hostname[0] != '\0' && !podd_hostname_valid(c->hostname))
		return podd_error(err, INVALID, "invalid hostname \"%.64s\"", c->hostname);
	if (check_caps("--cap-add", c->cap_add, c->n_cap_add, err) < 0 ||
	    check_caps("--cap-drop", c->cap_drop, c->n_cap_drop, err) < 0)
		return -1;
	if (strlen(c->seccomp) > PODD_SECCOMP_PROFILE_MAX)
		return podd_error(err, INVALID, "seccomp profile larger than %d bytes",
				  PODD_SECCOMP_PROFILE_MAX);
	if (check_net(c, err) < 0 || check_limits(c, err) < 0)
		return -1;
	return podd_runtime_check(c->runtime, err);
}

int podd_runtime_check(const char *runtime, podd_error_t *err)
{
	if (runtime[0] == '\0' || strcmp(runtime, "runc") == 0 || strcmp(runtime, "crun") == 0)
		return 0;
	if (runtime[0] != '/')
		return podd_error(err, INVALID,
				  "default OCI runtime \"%.64s\" not found: invalid argument", runtime);
	return podd_validate_abs_path("runtime", runtime, err);
}

int podd_image_run_check(const Podd__ImageRunConfig *r, size_t n_layers, podd_error_t *err)
{
	if (podd__image_run_config__get_packed_size(r) > PODD_IMAGE_RUN_MAX_BYTES)
		return podd_error(err, INVALID, "image run config larger than %d bytes",
				  PODD_IMAGE_RUN_MAX_BYTES);
	if (r->n_chain_ids != n_layers || n_layers == 0 || n_layers > PODD_IMAGE_LAYERS_MAX)
		return podd_error(err, INVALID, "image run config has %zu layers for %zu",
				  r->n_chain_ids, n_layers);
	for (size_t i = 0; i < r->n_chain_ids; i++)
		if (!podd_id_valid(r->chain_ids[i]))
			return podd_error(err, INVALID, "image run config: invalid layer id");
	if (r->working_dir[0] != '\0' &&
	    podd_validate_abs_path("image working directory", r->working_dir, err) < 0)
		return -1;
	return 0;
}

int podd_image_source_check(const char *rootfs, const char *image, const char *image_id,
			    char *const *layers, size_t nlayers, int64_t image_size,
			    podd_error_t *err)
{
	if (image_id[0] == '\0') {
		if (rootfs[0] == '\0')
			return podd_error(err, INVALID, "a container needs an image or a --rootfs");
		if (image[0] != '\0' || nlayers != 0 || image_size != 0)
			return podd_error(err, INVALID, "a --rootfs container has no image");
		return 0;
	}
	if (rootfs[0] != '\0')
		return podd_error(err, INVALID, "a container has an image or a --rootfs, not both");
	if (!podd_id_valid(image_id))
		return podd_error(err, INVALID, "invalid image id");
	/* The name as podd-state resolved it, or the id when run by id. */
	if (!podd_image_name_qualified(image) && !podd_id_valid(image))
		return podd_error(err, INVALID, "invalid image name \"%.64s\"", image);
	if (nlayers == 0 || nlayers > PODD_IMAGE_LAYERS_MAX)
		return podd_error(err, INVALID, "an image needs 1 to %d layers, not %zu",
				  PODD_IMAGE_LAYERS_MAX, nlayers);
	for (size_t i = 0; i < nlayers; i++)
		if (!podd_id_valid(layers[i]))
			return podd_error(err, INVALID, "invalid layer id");
	if (image_size < 0)
		return podd_error(err, INVALID, "invalid image size");
	return 0;
}
