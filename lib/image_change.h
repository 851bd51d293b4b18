/* podman's --change instructions (import, commit): one parser, used by
 * podctl to refuse a bad instruction before anything starts and by
 * podd-image to apply them to the config it writes (which parses them
 * again: podctl's message is not trusted). Its own small library,
 * podd_change, as it needs json-c, which not every process links. */
#ifndef PODD_IMAGE_CHANGE_H
#define PODD_IMAGE_CHANGE_H

#include <json-c/json.h>
#include <stddef.h>

#include "error.h"

/* At most this many --change per request (podctl and podd-image). */
#define IMAGE_CHANGES_MAX 256

/* Applies one instruction ("CMD ...", "ENV K=V", ...; the instruction
 * case-insensitive, split from its value at the first space or, with no
 * space, the first '=') to `cfg`, the image config's "config" object, as
 * podman 4.3 does: CMD and ENTRYPOINT (JSON array or shell form), ENV
 * K=V, EXPOSE PORT[/tcp|udp], LABEL K=V, USER, WORKDIR, STOPSIGNAL (kept
 * as its number), VOLUME (a path or a JSON array of paths). ONBUILD is
 * accepted and not applied (podman: not in the OCI format): returns 1 and
 * `*ignored` names what was dropped (a static buffer's worth, escaped),
 * for the caller's warning. A bad instruction fails with podman's text,
 * `invalid change "<change>" - <why>`, and leaves `cfg` as it was. */
int image_change_apply(json_object *cfg, const char *change, char *ignored, size_t ignored_size,
		       podd_error_t *err);

/* Sets one environment entry "K=V" (a value-less "K" is "K=") in `cfg`'s
 * Env as ENV does, and as podman's commit sets the container's: an entry
 * of the same key is replaced in place, else it is appended. */
int image_config_env_set(json_object *cfg, const char *kv, podd_error_t *err);

#endif
