/* The options `create` and `run` share, parsed into a ContainerConfig. */
#ifndef PODCTL_CREATE_OPTS_H
#define PODCTL_CREATE_OPTS_H

#include <stdbool.h>

#include "common.pb-c.h"
#include "error.h"
#include "image_apply.h"
#include "detach_keys.h"
#include "pull.h"

/* --pull: when create/run fetch the image from its registry. */
enum pull_policy { PULL_MISSING, PULL_ALWAYS, PULL_NEVER, PULL_NEWER };

struct create_opts {
	const char *name;
	bool detach;       /* run only */
	bool no_sig_proxy; /* run only: --sig-proxy=false */
	struct detach_keys detach_keys; /* run only: --detach-keys */
	bool rootfs_flag;  /* --rootfs given */
	/* Without --rootfs: the image (first argument) and what the user set
	 * that the image would otherwise (image_apply.h). */
	const char *image;
	struct image_overrides overrides;
	enum pull_policy pull;
	/* What a pull would need, read before the sandbox closes: the plan,
	 * or why there can be none (a short name no registry is configured
	 * for), reported only if the image turns out to be missing. */
	struct pull_opts pull_opts;
	struct pull_plan *pull_plan;
	podd_error_t pull_plan_err;
	Podd__ContainerConfig config;
	/* Owned storage behind config's arrays. */
	char rootfs[4096];
	char *seccomp_text;
	Podd__Ulimit ulimit_store[32];
	Podd__Ulimit *ulimit_ptrs[32];
	char **owned;      /* every string this parse allocated */
	size_t n_owned;
};

/* Parse argv (argv[0] is the command name). `run` accepts -d. Files the
 * options name (--env-file, --security-opt seccomp=FILE) are read here,
 * before podctl sandboxes itself. With --rootfs the first argument is the
 * directory and the config is checked whole here; without, it is the
 * image (o->image), whose config is applied and checked at create. */
int create_opts_parse(struct create_opts *o, bool run, const char *runtime, int argc,
		      char **argv, podd_error_t *err);
void create_opts_free(struct create_opts *o);

/* The engine's needs for o's image: none with --rootfs; for an image,
 * podd-image parked (and podd-image-registry when a pull may come),
 * executed only when needed (image_use.c: a pull, or a record without a
 * run config). */
unsigned create_opts_image_needs(const struct create_opts *o);

/* -e KEY=VALUE (or KEY: podctl's own value) and --env-file FILE, into
 * o->config.env; exec uses them too. */
int create_opts_add_env(struct create_opts *o, const char *arg, podd_error_t *err);
int create_opts_add_env_file(struct create_opts *o, const char *path, podd_error_t *err);

/* "512m", "1g", "65536k", "100" (bytes), as podman's units.RAMInBytes. */
int parse_size(const char *s, int64_t *out);

#endif
