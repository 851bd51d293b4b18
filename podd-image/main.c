/* podd-image: the only process that parses registry data and layers, the
 * most hostile input the engine sees. It keeps the file-ownership
 * capabilities layer extraction needs, cannot mount or exec, and sees only
 * its store (plus, read-only, the CA certificates and resolver files its
 * registry client needs). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "registry_handlers.h"
#include "helper.h"
#include "log.h"
#include "policy.h"
#include "registry.h"

static const struct podd_handler handlers[] = {
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &podd__pull_request__descriptor, 0, handle_pull },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PUSH, &podd__push_request__descriptor, 0, handle_push },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_LOGIN, &podd__login_request__descriptor, 0, handle_login },
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	struct podd_server srv = { 0 };
	static struct image_ctx ctx;
	podd_error_t err = NULL;
	char store[4096];

	podd_helper_init("podd-image", argc, argv, &args);
	snprintf(store, sizeof(store), "%s/storage", args.static_dir);
	if (podd_mkdir_p(store, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	ctx.storefd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx.storefd < 0) {
		podd_err("open %s: %m", store);
		return 1;
	}
	/* libcurl and OpenSSL read their configuration, NSS its modules,
	 * while files outside the store can still be opened. */
	if (registry_global_init(&err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	const char *const dirs[] = { store, NULL };
	const struct podd_sandbox_policy policy = podd_image_policy(dirs);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = "podd-image";
	srv.channel = "image";
	srv.handlers = handlers;
	srv.nhandlers = PODD_ARRAY_SIZE(handlers);
	srv.data = &ctx;
	podd_helper_serve(&srv);
}
