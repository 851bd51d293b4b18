/* podd-image and podd-image-registry: the only processes that parse
 * registry data and layers, the most hostile input the engine sees. They
 * keep the file-ownership capabilities layer extraction needs, cannot mount
 * or exec, and see only the store. podd-image-registry (built with
 * PODD_IMAGE_REGISTRY) also sees, read-only, the CA certificates and
 * resolver files its registry client needs and may connect to registries
 * over TCP; podd-image has no registry client at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "handlers.h"
#include "helper.h"
#include "image.pb-c.h"
#include "log.h"
#include "policy.h"
#ifdef PODD_IMAGE_REGISTRY
#include "registry.h"
#include "registry_handlers.h"
#define PROCESS "podd-image-registry"
#else
#define PROCESS "podd-image"
#endif

/* Each request, the message it must decode to, its descriptor count and
 * its handler. Nothing else is accepted after the handshake. */
/* The registry requests come last, in podd-image-registry only: a pull
 * sent to podd-image is a type it does not know, which drops the peer. */
static const struct podd_handler handlers[] = {
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG, &podd__image_config_request__descriptor, 0,
	  handle_image_config },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_LOAD, &podd__load_request__descriptor, 1, handle_load },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_SAVE, &podd__save_request__descriptor, 1, handle_save },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_IMPORT, &podd__import_request__descriptor, 1, handle_import },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_GC, &podd__gc_request__descriptor, 0, handle_gc },
	/* 32-39: commit */
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_COMMIT, &podd__commit_request__descriptor, 0, handle_commit },
#ifdef PODD_IMAGE_REGISTRY
	/* 24-31: registries */
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &podd__pull_request__descriptor, 0, handle_pull },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PUSH, &podd__push_request__descriptor, 0, handle_push },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_LOGIN, &podd__login_request__descriptor, 0, handle_login },
#endif
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	static struct image_ctx ctx;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	char store[4096];

	podd_helper_init(PROCESS, argc, argv, &args);
	snprintf(store, sizeof(store), "%s/storage", args.static_dir);
	if (podd_mkdir_p(store, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	ctx.storefd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (ctx.storefd < 0) {
		podd_err("open %s: %m", store);
		return 1;
	}
	ctx.lim = extract_limits_default();
	ctx.session_lock = -1;
	ctx.gc_lock = -1;
	const char *const dirs[] = { store, NULL };
#ifdef PODD_IMAGE_REGISTRY
	ctx.registry = true;
	/* libcurl and OpenSSL read their configuration, NSS its modules,
	 * while files outside the store can still be opened. Only in the
	 * registry client: the local requests of podd-image (what a hostile
	 * archive reaches) run without any network access. */
	if (registry_global_init(&err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	const struct podd_sandbox_policy policy = podd_image_registry_policy(dirs);
#else
	const struct podd_sandbox_policy policy = podd_image_policy(dirs);
#endif
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = PROCESS;
	srv.channel = "image";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	srv.data = &ctx;
	podd_helper_serve(&srv);
}
