/* podd-image's requests (proto/image.proto), one handler each. */
#ifndef PODD_IMAGE_HANDLERS_H
#define PODD_IMAGE_HANDLERS_H

#include "extract.h"
#include "server.h"

struct image_ctx {
	int storefd; /* <static>/storage, opened before the sandbox */
	struct extract_limits lim;
};

int handle_image_config(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err);
int handle_load(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_save(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_import(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);
int handle_gc(struct podd_server *srv, const struct podd_request *req, podd_error_t *err);

#endif
