/* The one check of a ContainerConfig, run by every process that receives
 * one (podd-state before storing it, podd-exec before building a bundle
 * from it) and by podctl before sending it, so that a user's mistake gets
 * its message before any helper is involved. */
#ifndef PODD_CONFIG_CHECK_H
#define PODD_CONFIG_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "error.h"
#include "validate.h"

#define PODD_SECCOMP_PROFILE_MAX (64 * 1024)

/* What every container's process gets unless its config says otherwise
 * (podd-exec's bundle; podctl commit writes it into the image as podman
 * writes its own): PATH when the config has none, TERM=xterm with a tty
 * and no TERM, and container=podd when the config has no container=. */
#define PODD_DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PODD_DEFAULT_TERM_ENV "TERM=xterm"
#define PODD_CONTAINER_ENV "container=podd"

int podd_config_check(const Podd__ContainerConfig *c, podd_error_t *err);
/* A container's OCI runtime as --runtime and podd.conf give it: "" (runc),
 * runc, crun, or an absolute path without "." or ".." (which podd-exec's
 * launcher then requires to be a root-owned executable). */
int podd_runtime_check(const char *runtime, podd_error_t *err);

/* Where a container's root comes from: a --rootfs directory (config.rootfs,
 * no image fields) or an image (rootfs "", a 64-hex image id, the image's
 * qualified name or its id, 1 to PODD_IMAGE_LAYERS_MAX 64-hex chain ids,
 * size >= 0). Exactly one of the two. */
int podd_image_source_check(const char *rootfs, const char *image, const char *image_id,
			    char *const *layers, size_t nlayers, int64_t image_size,
			    podd_error_t *err);
#define podd_record_source_check(rec, err)                                                    \
	podd_image_source_check((rec)->config->rootfs, (rec)->image, (rec)->image_id,          \
				(rec)->image_layers, (rec)->n_image_layers, (rec)->image_size, err)

/* An image record's run config (ImageRecord.run): at most
 * PODD_IMAGE_RUN_MAX_BYTES packed, one valid chain id per layer of the
 * record (n_layers), a working dir that is absolute or empty. What the
 * merged container config must further satisfy, podd_config_check says. */
#define PODD_IMAGE_RUN_MAX_BYTES (16 * 1024) /* well inside a record's 64 KiB */
int podd_image_run_check(const Podd__ImageRunConfig *r, size_t n_layers, podd_error_t *err);

/* RLIMIT_* for a --ulimit name ("nofile"), or -1. */
int podd_ulimit_resource(const char *name);
/* A capability name as --cap-add takes it: "NET_RAW", "CAP_NET_RAW", "all";
 * writes the canonical "CAP_NET_RAW" (or "ALL"). */
bool podd_cap_name_canonical(const char *in, char *out, size_t size);
/* A hostname (RFC 1123 labels, at most 64 bytes: the UTS field). */
bool podd_hostname_valid(const char *s);
/* An IPv4 or IPv6 address in text form. */
bool podd_ip_valid(const char *s);

#endif
