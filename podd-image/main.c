/* podd-image: the only process that parses layers and image archives, the
 * most hostile input the engine sees. It keeps the file-ownership
 * capabilities layer extraction needs, cannot mount or exec, sees only the
 * store and has no socket and no registry client: podd-image-registry
 * (registry_main.c) fetches a pull's blobs, and this process unpacks them
 * (StoreImageRequest). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "handlers.h"
#include "helper.h"
#include "image.pb-c.h"
#include "log.h"
#include "policy.h"
#include "store_meta.h"

#define PROCESS "podd-image"

/* Each request, the message it must decode to, its descriptor count and
 * its handler. Nothing else is accepted after the handshake. */
/* The registry requests are podd-image-registry's: a pull sent to
 * podd-image is a type it does not know, which drops the peer. */
static const struct podd_handler handlers[] = {
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG, &podd__image_config_request__descriptor, 0,
	  handle_image_config },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_LOAD, &podd__load_request__descriptor, 1, handle_load },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_SAVE, &podd__save_request__descriptor, 1, handle_save },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_IMPORT, &podd__import_request__descriptor, 1, handle_import },
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_GC, &podd__gc_request__descriptor, 0, handle_gc },
	/* 28: a pull's blobs made into an image */
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_STORE_IMAGE, &podd__store_image_request__descriptor, 0,
	  handle_store_image },
	/* 30: a pull's largest layer, unpacked as it downloads */
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_UNPACK_STREAM, &podd__unpack_stream_request__descriptor, 1,
	  handle_unpack_stream },
	/* 32-39: commit */
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_COMMIT, &podd__commit_request__descriptor, 0, handle_commit },
};

/* A layer streamed in for an image never stored is nobody's. */
static void session_end(struct podd_server *srv)
{
	struct image_ctx *ctx = srv->data;
	store_prepared_drop(ctx->storefd, &ctx->prepared);
}

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	static struct image_ctx ctx;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	char store[4096];

	podd_helper_init(PROCESS, argc, argv, &args);
	/* libcrypto serves only digests here: no openssl.cnf to read at the
	 * first digest (the sandbox refuses it anyway; 0.2-0.3 ms). */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
		podd_err("libcrypto initialisation failed");
		return 1;
	}
	ctx.storefd = store_open(args.static_dir, store, sizeof(store), &err);
	if (ctx.storefd < 0) {
		podd_err("%s", err->msg);
		return 1;
	}
	ctx.lim = extract_limits_default();
	ctx.session_lock = -1;
	ctx.gc_lock = -1;
	/* commit --squash holds a directory per merging layer at each level
	 * it walks (up to 129 x 128 at once): the soft descriptor limit goes
	 * up to the hard one, which the administrator set. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
			podd_warn("raising the descriptor limit: %s", strerror(errno));
	}
	const char *const dirs[] = { store, NULL };
	const struct podd_sandbox_policy policy = podd_image_policy(dirs);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = PROCESS;
	srv.channel = "image";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	srv.data = &ctx;
	srv.at_end = session_end;
	podd_helper_serve(&srv);
}
