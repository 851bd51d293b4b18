/* The launcher's own check of what the worker wrote before conmon and the
 * runtime act on it (bundle_check.c): the runtime would run hooks on the
 * host, join namespaces by path and bind-mount any host path, so a worker
 * that was made to write such a config would get the launcher's rights. */
#ifndef PODD_EXEC_BUNDLE_CHECK_H
#define PODD_EXEC_BUNDLE_CHECK_H

#include <json-c/json.h>

#include "error.h"

#define BUNDLE_FILE_MAX (1024 * 1024)

/* A config.json as podd-exec writes it: only the keys bundle.c writes; no
 * hooks; no namespace joined by path; no devices; every mount either a
 * kernel filesystem (source not a path) or a bind of a file in
 * `bundle_dir` (the container's own, no ".." component) or of catatonit;
 * root.path a clean absolute path other than "/": `image_root` (the
 * container's own image root, <tmp>/storage/containers/<id>/merged), or
 * a --rootfs directory outside every dir in `guarded` (NULL-terminated:
 * the engine's static and tmp dirs). */
int bundle_check_config(json_object *cfg, const char *bundle_dir, const char *image_root,
			const char *const *guarded, podd_error_t *err);

/* root.path checked on the filesystem (the launcher, after
 * bundle_check_config): opened with no symlink anywhere on the way
 * (RESOLVE_NO_SYMLINKS: no /var/run style alias, no /proc/self/root);
 * `image_root` must be a mount root (the overlay or vfs clone the
 * launcher mounted); any other root must neither be inside nor hold a
 * directory of `guarded`, compared by (st_dev, st_ino) walking up "..". */
int bundle_check_root_fs(json_object *cfg, const char *image_root,
			 const char *const *guarded, podd_error_t *err);

/* An exec session's process.json: only the keys of a process bundle.c
 * writes, and no capability the container's own process lacks. */
int bundle_check_process(json_object *proc, json_object *cfg, podd_error_t *err);


/* Read and parse `name` (regular, not a link, at most BUNDLE_FILE_MAX)
 * beneath the directory open at `dirfd`, no symlink
 * followed anywhere on the way (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), not
 * a FIFO or a device (O_NONBLOCK, fstat), one JSON value with nothing but
 * white space after it; *raw (free) holds the *len bytes parsed, which is
 * what the launcher pins for the runtime (pin.h). */
int bundle_read_at(int dirfd, const char *name, json_object **out, char **raw, size_t *len,
		   podd_error_t *err);

#endif
