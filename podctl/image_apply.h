/* An image's config applied to a container's, as podman does it
 * (image_apply.c; pure, unit-tested). */
#ifndef PODCTL_IMAGE_APPLY_H
#define PODCTL_IMAGE_APPLY_H

#include <stdbool.h>

#include "common.pb-c.h"
#include "error.h"
#include "image.pb-c.h"

/* Which of the image's settings the user overrode on the command line. */
struct image_overrides {
	bool entrypoint; /* --entrypoint, even "" */
	bool workdir;    /* -w */
	bool user;       /* -u */
	bool stop_signal; /* --stop-signal */
};

/* Arrays image_config_apply made; the strings in them are borrowed from the
 * config and the ImageConfig, which must outlive the merged config. */
struct image_applied {
	char **entrypoint, **cmd, **env;
};
void image_applied_free(struct image_applied *a);

/* Merge into `cfg` (the user's, from create_opts):
 *   entrypoint  --entrypoint if given (even empty), else the image's;
 *   cmd         the user's command if given; else none when --entrypoint
 *               was given; else the image's Cmd;
 *   env         the image's Env, with each KEY the user set (-e,
 *               --env-file) replaced by the user's, then the user's;
 *   workdir, user, stop_signal   the image's unless overridden.
 * No command at all is podman's "no command or entrypoint provided, and
 * no CMD or ENTRYPOINT from image". An image StopSignal that is no signal
 * is an error. */
int image_config_apply(Podd__ContainerConfig *cfg, const struct image_overrides *ov,
		       const Podd__ImageConfig *ic, struct image_applied *store,
		       podd_error_t *err);

/* "SIGTERM", "TERM", "term", "15" -> 15; -1 when it is no signal. */
int podctl_parse_signal(const char *s, int32_t *out);

#endif
