/* podctl create [options] --rootfs DIR CMD [ARG...]: record a configured
 * container; `start` or `run` make it run. */
#include <stdio.h>

#include "create_opts.h"
#include "podctl.h"

int container_create(struct engine *e, const struct create_opts *o, Podd__ContainerRecord **rec,
		     podd_error_t *err)
{
	Podd__CreateContainerRequest req = PODD__CREATE_CONTAINER_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.name = (char *)(o->name ? o->name : "");
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
	if (engine_start(&e, g, NEED_STATE, &err) < 0 || container_create(&e, &o, &rec, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	printf("%s\n", rec->id);
	podd__container_record__free_unpacked(rec, NULL);
	engine_stop(&e);
	return 0;
}
