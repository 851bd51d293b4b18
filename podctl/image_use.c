/* create/run IMAGE: find the image in podd-state, get its config from
 * podd-image, apply it (image_apply.c) and make the container record's
 * image fields. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.pb-c.h"
#include "config_check.h"
#include "create_opts.h"
#include "image.pb-c.h"
#include "image_use.h"
#include "images.h"
#include "pull.h"
#include "validate.h"

/* Pulls `o->image` with the plan made before the sandbox closed
 * (create_opts_parse), then reads back the record podd-state stored. */
int image_pull(struct engine *e, const struct create_opts *o, Podd__ImageRecord **out,
	       podd_error_t *err)
{
	char id[65];

	*out = NULL;
	if (o->pull_plan == NULL) {
		if (o->pull_plan_err == NULL)
			return podd_error(err, PODD_E_INTERNAL, "%s: no pull plan", o->image);
		return podd_error(err, o->pull_plan_err->code, "%s", o->pull_plan_err->msg);
	}
	if (pull_plan_run(e, o->pull_plan, id, err) < 0)
		return -1;
	return image_lookup(e, id, out, err);
}

int run_image_config(struct engine *e, const Podd__ImageRecord *img, Podd__ImageConfig **out,
		     podd_error_t *err)
{
	ProtobufCMessage *m = NULL;
	Podd__ImageConfig *ic = NULL;

	if (image_config_get(e, img->id, NULL, &ic, err) < 0)
		return -1;
	m = &ic->base;
	/* podd-image parsed hostile data: what it says is checked again
	 * before it reaches a container's record. */
	if (strcmp(ic->id, img->id) != 0) {
		podd_message_freep(&m);
		return podd_error(err, PODD_E_PROTOCOL, "podd-image answered for another image");
	}
	if (ic->n_chain_ids == 0 || ic->n_chain_ids > PODD_IMAGE_LAYERS_MAX) {
		podd_message_freep(&m);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %.12s has %zu layers: podd runs images of 1 to %d", img->id,
				  ic->n_chain_ids, PODD_IMAGE_LAYERS_MAX);
	}
	for (size_t i = 0; i < ic->n_chain_ids; i++)
		if (!podd_id_valid(ic->chain_ids[i])) {
			podd_message_freep(&m);
			return podd_error(err, PODD_E_PROTOCOL, "podd-image sent an invalid layer id");
		}
	*out = ic;
	return 0;
}

/* What ps shows as IMAGE: the image's name the user meant (the one
 * matching what was typed, as a lookup completes it), or its id when the
 * user named it by id or by a prefix of it. */
const char *image_display_name(const Podd__ImageRecord *img, const char *given)
{
	char full[PODD_IMAGE_NAME_MAX + 64];
	const char *slash = strrchr(given, '/');
	bool tagged = strchr(slash ? slash : given, ':') != NULL;
	size_t glen;

	if (strncmp(given, "sha256:", 7) == 0)
		given += 7;
	glen = strlen(given);
	if (glen > 0 && glen <= PODD_ID_LEN && strncmp(img->id, given, glen) == 0 &&
	    podd_id_prefix_valid(given))
		return img->id;
	for (size_t i = 0; i < img->n_names; i++)
		if (strcmp(img->names[i], given) == 0)
			return img->names[i];
	snprintf(full, sizeof(full), "%s%s", given, tagged ? "" : ":latest");
	for (size_t i = 0; i < img->n_names; i++) {
		size_t n = strlen(img->names[i]), f = strlen(full);
		if (strcmp(img->names[i], full) == 0 ||
		    (n > f && img->names[i][n - f - 1] == '/' &&
		     strcmp(img->names[i] + n - f, full) == 0))
			return img->names[i];
	}
	return img->n_names > 0 ? img->names[0] : img->id;
}

/* A pull needs podd-image-registry (the fetch) and podd-image (the
 * unpacking); without a plan the pull fails with its reason, and neither
 * starts. */
static int image_pull_started(struct engine *e, const struct create_opts *o,
			      Podd__ImageRecord **out, podd_error_t *err)
{
	if (o->pull_plan && engine_add_image(e, true, err) < 0)
		return -1;
	return image_pull(e, o, out, err);
}

int image_resolve(struct engine *e, const struct create_opts *o, Podd__ImageRecord **out,
		  podd_error_t *err)
{
	if (o->pull == PULL_ALWAYS)
		return image_pull_started(e, o, out, err);
	if (image_lookup(e, o->image, out, err) == 0)
		return 0;
	if ((*err)->code != PODD_E_NO_SUCH_OBJECT || o->pull == PULL_NEVER)
		return -1;
	podd_error_free(err);
	return image_pull_started(e, o, out, err);
}

int image_run_settings(struct engine *e, const Podd__ImageRecord *img, Podd__ImageConfig *view,
		       Podd__ImageConfig **owned, podd_error_t *err)
{
	const Podd__ImageRunConfig *r = img->run;

	*owned = NULL;
	if (r == NULL) {
		/* A record of an older store: podd-image reads the config. */
		if (engine_add_image(e, false, err) < 0 ||
		    run_image_config(e, img, owned, err) < 0)
			return -1;
		*view = **owned;
		return 0;
	}
	/* Checked by podd-state when stored; checked again, as any answer. */
	if (podd_image_run_check(r, img->n_layers, err) < 0)
		return podd_error_wrap(err, "image %.12s", img->id);
	podd__image_config__init(view);
	view->id = img->id;
	view->user = r->user;
	view->working_dir = r->working_dir;
	view->stop_signal = r->stop_signal;
	view->env = r->env;
	view->n_env = r->n_env;
	view->entrypoint = r->entrypoint;
	view->n_entrypoint = r->n_entrypoint;
	view->has_entrypoint = r->n_entrypoint > 0;
	view->cmd = r->cmd;
	view->n_cmd = r->n_cmd;
	view->has_cmd = r->n_cmd > 0;
	view->chain_ids = r->chain_ids;
	view->n_chain_ids = r->n_chain_ids;
	return 0;
}

int container_rw_sizes(struct engine *e, char **ids, size_t n, int64_t *rw, podd_error_t *err)
{
	for (size_t off = 0; off < n; off += PODCTL_SIZES_CHUNK) {
		Podd__SizesRequest req = PODD__SIZES_REQUEST__INIT;
		cleanup_message ProtobufCMessage *m = NULL;
		const Podd__Sizes *s;

		req.ids = ids + off;
		req.n_ids = n - off < PODCTL_SIZES_CHUNK ? n - off : PODCTL_SIZES_CHUNK;
		if (podd_client_call(&e->helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_SIZES,
				     &req.base, PODD__EXEC_TYPE__EXEC_TYPE_SIZES_REPLY,
				     &podd__sizes__descriptor, &m, err) < 0)
			return engine_helper_failed(e, HELPER_EXEC, err);
		s = (const Podd__Sizes *)m;
		if (s->n_rw_sizes != req.n_ids)
			return podd_error(err, PODD_E_PROTOCOL, "podd-exec sent %zu sizes for %zu",
					  s->n_rw_sizes, req.n_ids);
		for (size_t i = 0; i < req.n_ids; i++)
			rw[off + i] = s->rw_sizes[i] < 0 ? 0 : s->rw_sizes[i];
	}
	return 0;
}

/* go-units' HumanSizeWithPrecision(size, 3), as podman prints sizes:
 * decimal units, three significant digits ("12B", "1.23kB", "4.1MB"). */
char *format_rw_size(int64_t bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)bytes;
	size_t u = 0;
	char *out;

	while (v >= 1000.0 && u + 1 < PODD_ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	if (asprintf(&out, "%.3g%s", v, units[u]) < 0)
		return NULL;
	return out;
}
