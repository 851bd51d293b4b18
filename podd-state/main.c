/* podd-state: owns the LMDB state database. No capabilities, a seccomp
 * allowlist, Landlock to its static and tmp dirs. */
#include <stdio.h>
#include <stdlib.h>

#include "helper.h"
#include "log.h"
#include "policy.h"
#include "state.h"

/* Each request, the message it must decode to, its descriptor count and
 * its handler. Nothing else is accepted after the handshake. */
static const struct podd_handler handlers[] = {
	{ PODD__STATE_TYPE__STATE_TYPE_OPEN, &podd__open_request__descriptor, 0, handle_open },
	{ PODD__STATE_TYPE__STATE_TYPE_CREATE_CONTAINER,
	  &podd__create_container_request__descriptor, 0, handle_create_container },
	{ PODD__STATE_TYPE__STATE_TYPE_LOOKUP, &podd__lookup_request__descriptor, 0,
	  handle_lookup },
	{ PODD__STATE_TYPE__STATE_TYPE_LIST_CONTAINERS, &podd__list_request__descriptor, 0,
	  handle_list },
	{ PODD__STATE_TYPE__STATE_TYPE_REMOVE_CONTAINER, &podd__remove_request__descriptor, 0,
	  handle_remove },
	{ PODD__STATE_TYPE__STATE_TYPE_RENAME_CONTAINER, &podd__rename_request__descriptor, 0,
	  handle_rename },
	{ PODD__STATE_TYPE__STATE_TYPE_LOCK, &podd__lock_request__descriptor, 0, handle_lock },
	{ PODD__STATE_TYPE__STATE_TYPE_UNLOCK, &podd__lock_request__descriptor, 0, handle_unlock },
	{ PODD__STATE_TYPE__STATE_TYPE_UPDATE_CONTAINER,
	  &podd__update_container_request__descriptor, 0, handle_update },
	{ PODD__STATE_TYPE__STATE_TYPE_CREATE_IMAGE, &podd__create_image_request__descriptor, 0,
	  handle_create_image },
	{ PODD__STATE_TYPE__STATE_TYPE_LOOKUP_IMAGE, &podd__lookup_image_request__descriptor, 0,
	  handle_lookup_image },
	{ PODD__STATE_TYPE__STATE_TYPE_LIST_IMAGES, &podd__list_images_request__descriptor, 0,
	  handle_list_images },
	{ PODD__STATE_TYPE__STATE_TYPE_REMOVE_IMAGE, &podd__remove_image_request__descriptor, 0,
	  handle_remove_image },
	{ PODD__STATE_TYPE__STATE_TYPE_TAG_IMAGE, &podd__tag_image_request__descriptor, 0,
	  handle_tag_image },
	{ PODD__STATE_TYPE__STATE_TYPE_UNTAG_IMAGE, &podd__untag_image_request__descriptor, 0,
	  handle_untag_image },
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	static struct state_ctx ctx;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;

	podd_helper_init("podd-state", argc, argv, &args);
	ctx.static_dir = args.static_dir;
	ctx.tmp_dir = args.tmp_dir;

	/* The boot id and the old alive file are read now: Landlock keeps
	 * /proc and the tmp dir itself out of reach later. */
	refresh_read_boot_id(ctx.boot_id);
	ctx.old_alive_current = refresh_old_alive_current(ctx.tmp_dir, ctx.boot_id);
	/* Everything the sandbox will confine us to must exist first. */
	if (state_dirs(&ctx, &err) < 0 || state_dirs_make(&ctx, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	const struct podd_sandbox_policy policy = podd_state_policy(ctx.dir_list);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = "podd-state";
	srv.channel = "state";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	srv.data = &ctx;
	podd_helper_serve(&srv);
}
