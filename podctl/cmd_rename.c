/* podctl rename CONTAINER NEW_NAME */
#include <stdio.h>

#include "podctl.h"
#include "validate.h"

int cmd_rename(const struct global_opts *g, int argc, char **argv)
{
	Podd__RenameRequest req = PODD__RENAME_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	podd_error_t err = NULL;
	struct engine e;

	if (argc != 3) {
		fprintf(stderr, "Error: accepts 2 arg(s), received %d\n", argc - 1);
		return EXIT_ENGINE;
	}
	if (!podd_name_valid(argv[2])) {
		fprintf(stderr, "Error: container name \"%s\": names must match "
				"[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument\n", argv[2]);
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	req.name_or_id = argv[1];
	req.new_name = argv[2];
	if (podd_client_call(engine_state(&e), PODD__STATE_TYPE__STATE_TYPE_RENAME_CONTAINER,
			     &req.base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, &err) < 0) {
		engine_helper_failed(&e, HELPER_STATE, &err);
		engine_stop(&e);
		return report_error(&err);
	}
	protobuf_c_message_free_unpacked(m, NULL);
	engine_stop(&e);
	return 0;
}
