/* podd-image-registry: the registry client (pull's fetch, push, login,
 * search), the only image process linking libcurl and the only one with a
 * network.
 * It writes blobs into the store, each checked against its sha256, and
 * parses manifests and indexes to know what to fetch, but never a layer:
 * it links no libarchive, keeps no capability, cannot mount or exec, and
 * sees the store and, read-only, the CA certificates and resolver files.
 * podd-image (main.c) unpacks what it fetched. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "image.pb-c.h"
#include "log.h"
#include "policy.h"
#include "store_meta.h"
#include "registry.h"
#include "registry_handlers.h"

#define PROCESS "podd-image-registry"

/* Each request, the message it must decode to, its descriptor count and
 * its handler (proto/image.proto 24-31, 40-47). Nothing else is accepted after
 * the handshake: podd-image's local requests drop the peer here. */
static const struct podd_handler handlers[] = {
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &podd__pull_request__descriptor, 1, handle_pull },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PULL_FINISH, &podd__pull_finish_request__descriptor, 0,
	  handle_pull_finish },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PUSH, &podd__push_request__descriptor, 0, handle_push },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_LOGIN, &podd__login_request__descriptor, 0, handle_login },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH, &podd__search_request__descriptor, 0,
	  handle_search },
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	static struct registry_ctx ctx;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	char store[4096];
	int rc;

	podd_helper_init(PROCESS, argc, argv, &args);
	ctx.storefd = store_open(args.static_dir, store, sizeof(store), &err);
	if (ctx.storefd < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	ctx.pull_lock = -1;
	const char *const dirs[] = { store, NULL };
	/* libcurl and OpenSSL read their configuration, NSS its modules,
	 * while files outside the store can still be opened. */
	if (registry_global_init(&err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	const struct podd_sandbox_policy policy = podd_image_registry_policy(dirs);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.sock = PODD_HELPER_SOCKET_FD;
	srv.process = PROCESS;
	srv.channel = "image";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	srv.data = &ctx;
	rc = podd_server_run(&srv, &err);
	/* EOF (or a dropped peer) with a pull never finished: its lock goes
	 * (its blobs are gc's, store.h). */
	if (ctx.pull_pending)
		pull_finish(&ctx);
	if (rc < 0) {
		podd_err("dropping peer: %s", err->msg);
		podd_error_free(&err);
		return 1;
	}
	return 0;
}
