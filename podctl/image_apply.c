/* podman's rules for a container made from an image (its specgen's
 * makeCommand and env merge): what the user typed wins, the image fills
 * in the rest. */
#include "image_apply.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate.h"

#define INVALID PODD_E_INVALID_ARGUMENT

int podctl_parse_signal(const char *s, int32_t *out)
{
	char *end;
	long n;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || *end || n < 1 || n > 64)
			return -1;
		*out = (int32_t)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(abbrev, s) == 0) {
			*out = i;
			return 0;
		}
	}
	/* Go's other names, which podman takes: old aliases and the
	 * real-time signals as RTMIN, RTMIN+n, RTMAX-n and RTMAX */
	if (strcasecmp(s, "CLD") == 0 || strcasecmp(s, "IOT") == 0 || strcasecmp(s, "POLL") == 0) {
		*out = toupper((unsigned char)s[0]) == 'C' ? SIGCHLD
		       : toupper((unsigned char)s[0]) == 'I' ? SIGABRT
							       : SIGIO;
		return 0;
	}
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool max = toupper((unsigned char)s[4]) == 'X';
		long k = 0;
		if (s[5] != '\0') {
			if (s[5] != (max ? '-' : '+') || s[6] < '0' || s[6] > '9')
				return -1;
			errno = 0;
			k = strtol(s + 6, &end, 10);
			if (errno || *end)
				return -1;
		}
		n = max ? SIGRTMAX - k : SIGRTMIN + k;
		if (n < SIGRTMIN || n > SIGRTMAX)
			return -1;
		*out = (int32_t)n;
		return 0;
	}
	return -1;
}

void image_applied_free(struct image_applied *a)
{
	free(a->entrypoint);
	free(a->cmd);
	free(a->env);
	memset(a, 0, sizeof(*a));
}

static char **copy_strv(char *const *v, size_t n)
{
	char **out = calloc(n + 1, sizeof(*out));
	if (out && n > 0)
		memcpy(out, v, n * sizeof(*out));
	return out;
}

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static bool key_in(char *const *env, size_t n, const char *kv)
{
	size_t k = key_len(kv);
	for (size_t i = 0; i < n; i++)
		if (key_len(env[i]) == k && strncmp(env[i], kv, k) == 0)
			return true;
	return false;
}

int image_config_apply(Podd__ContainerConfig *cfg, const struct image_overrides *ov,
		       const Podd__ImageConfig *ic, struct image_applied *store,
		       podd_error_t *err)
{
	size_t n = 0;

	if (!ov->entrypoint) {
		store->entrypoint = copy_strv(ic->entrypoint, ic->n_entrypoint);
		if (store->entrypoint == NULL)
			return podd_error_sys(err, ENOMEM, "image config");
		cfg->entrypoint = store->entrypoint;
		cfg->n_entrypoint = ic->n_entrypoint;
	}
	if (cfg->n_cmd == 0 && !ov->entrypoint) {
		store->cmd = copy_strv(ic->cmd, ic->n_cmd);
		if (store->cmd == NULL)
			return podd_error_sys(err, ENOMEM, "image config");
		cfg->cmd = store->cmd;
		cfg->n_cmd = ic->n_cmd;
	}
	if (cfg->n_cmd + cfg->n_entrypoint == 0)
		return podd_error(err, INVALID, "no command or entrypoint provided, and no CMD or "
						"ENTRYPOINT from image");

	store->env = calloc(ic->n_env + cfg->n_env + 1, sizeof(*store->env));
	if (store->env == NULL)
		return podd_error_sys(err, ENOMEM, "image config");
	for (size_t i = 0; i < ic->n_env; i++)
		if (strchr(ic->env[i], '=') && !key_in(cfg->env, cfg->n_env, ic->env[i]) &&
		    !key_in(store->env, n, ic->env[i]))
			store->env[n++] = ic->env[i];
	for (size_t i = 0; i < cfg->n_env; i++)
		store->env[n++] = cfg->env[i];
	cfg->env = store->env;
	cfg->n_env = n;

	if (!ov->workdir && ic->working_dir[0] != '\0')
		cfg->workdir = ic->working_dir;
	if (!ov->user && ic->user[0] != '\0')
		cfg->user = ic->user;
	if (!ov->stop_signal && ic->stop_signal[0] != '\0' &&
	    podctl_parse_signal(ic->stop_signal, &cfg->stop_signal) < 0)
		return podd_error(err, INVALID, "image %.12s: invalid stop signal \"%.32s\"", ic->id,
				  ic->stop_signal);
	return 0;
}
