/* create/run IMAGE (image_use.c). */
#ifndef PODCTL_IMAGE_USE_H
#define PODCTL_IMAGE_USE_H

#include "create_opts.h"
#include "image.pb-c.h"
#include "podctl.h"

/* podd-state's LookupImage (images.h's image_lookup: podman's local
 * order; a missing image is NO_SUCH_OBJECT "NAME: image not known") of
 * o->image under the --pull policy: never: the lookup's answer; missing
 * and newer: a missing image is pulled; always: pulled. A pull starts
 * podd-image with registry access (engine_add_image) and seals podctl. */
int image_resolve(struct engine *e, const struct create_opts *o, Podd__ImageRecord **out,
		  podd_error_t *err);
/* Fetch o->image from its registry with o->pull_plan (pull.h), store it
 * and answer its record; without a plan, the reason there is none (a
 * short name with no search registries configured: podman's error). The
 * engine must run podd-image. */
int image_pull(struct engine *e, const struct create_opts *o, Podd__ImageRecord **out,
	       podd_error_t *err);
/* What create and run take from the image (the fields image_config_apply
 * reads, and the chain ids) into `view`: from the record's cached run
 * config, else from podd-image's ImageConfig (started now), which is then
 * `*owned` and what `view`'s strings point into. */
int image_run_settings(struct engine *e, const Podd__ImageRecord *img, Podd__ImageConfig *view,
		       Podd__ImageConfig **owned, podd_error_t *err);
/* podd-image's ImageConfig for the record, checked (same id, 1 to
 * PODD_IMAGE_LAYERS_MAX 64-hex chain ids). */
int run_image_config(struct engine *e, const Podd__ImageRecord *img, Podd__ImageConfig **out,
		     podd_error_t *err);
/* The IMAGE ps shows for a container made from `img` named `given`. */
const char *image_display_name(const Podd__ImageRecord *img, const char *given);

/* ps --size, inspect --size: the rw size of each image container (the
 * bytes in its upper dir; 0 for a --rootfs container), from podd-exec,
 * PODCTL_SIZES_CHUNK ids a request. */
#define PODCTL_SIZES_CHUNK 1024
int container_rw_sizes(struct engine *e, char **ids, size_t n, int64_t *rw, podd_error_t *err);
/* "12B", "1.23kB", "1.98MB": podman's sizes. */
char *format_rw_size(int64_t bytes);

#endif
