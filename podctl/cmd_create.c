/* podctl create [options] IMAGE [CMD [ARG...]] or --rootfs DIR CMD [ARG...]:
 * record a configured container; `start` or `run` make it run. */
#include <stdio.h>

#include "cleanup.h"
#include "config_check.h"
#include "image_use.h"

#include "create_opts.h"
#include "podctl.h"

/* An image container: the image's config under the user's (image_apply.c),
 * checked whole, and the image's id, name, layers and size for the record. */
static int create_from_image(struct engine *e, const struct create_opts *o,
			     Podd__CreateContainerRequest *req, Podd__ContainerRecord **rec,
			     podd_error_t *err)
{
	cleanup_message ProtobufCMessage *img_m = NULL, *ic_m = NULL;
	__attribute__((cleanup(image_applied_free))) struct image_applied applied = { 0 };
	Podd__ContainerConfig cfg = o->config;
	Podd__ImageRecord *img = NULL;
	Podd__ImageConfig view, *ic = &view, *owned = NULL;
	ProtobufCMessage *m = NULL;

	if (image_resolve(e, o, &img, err) < 0)
		return -1;
	img_m = &img->base;
	if (image_run_settings(e, img, &view, &owned, err) < 0)
		return -1;
	ic_m = owned ? &owned->base : NULL;
	if (image_config_apply(&cfg, &o->overrides, ic, &applied, err) < 0 ||
	    podd_config_check(&cfg, err) < 0)
		return -1;
	req->config = &cfg;
	req->image = (char *)image_display_name(img, o->image);
	req->image_id = img->id;
	req->image_layers = ic->chain_ids;
	req->n_image_layers = ic->n_chain_ids;
	req->image_size = img->size;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_CREATE_CONTAINER,
			     &req->base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	*rec = (Podd__ContainerRecord *)m;
	return record_check(*rec, err);
}

int container_create(struct engine *e, const struct create_opts *o, Podd__ContainerRecord **rec,
		     podd_error_t *err)
{
	Podd__CreateContainerRequest req = PODD__CREATE_CONTAINER_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.name = (char *)(o->name ? o->name : "");
	if (o->image)
		return create_from_image(e, o, &req, rec, err);
	req.config = (Podd__ContainerConfig *)&o->config;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_CREATE_CONTAINER,
			     &req.base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	*rec = (Podd__ContainerRecord *)m;
	return record_check(*rec, err);
}

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
	__attribute__((cleanup(create_opts_free))) struct create_opts o = { 0 };
	Podd__ContainerRecord *rec = NULL;
	podd_error_t err = NULL;
	struct engine e;

	if (create_opts_parse(&o, false, g->runtime, argc, argv, &err) < 0)
		return report_error(&err);
	if (engine_start(&e, g, NEED_STATE | create_opts_image_needs(&o), &err) < 0 || container_create(&e, &o, &rec, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	printf("%s\n", rec->id);
	podd__container_record__free_unpacked(rec, NULL);
	engine_stop(&e);
	return 0;
}
