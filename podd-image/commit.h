/* podctl commit in podd-image (commit.c): a container's overlay upper dir
 * made a layer on top of its image. */
#ifndef PODD_IMAGE_COMMIT_H
#define PODD_IMAGE_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "error.h"
#include "extract.h"

/* The container's own settings (CommitContainerConfig), checked by the
 * caller (handlers.c): written into the config before the changes. */
struct commit_container {
	char *const *env;            /* KEY=VALUE, set as ENV does */
	size_t n_env;
	char *const *entrypoint;     /* empty: no Entrypoint */
	size_t n_entrypoint;
	char *const *cmd;            /* empty: no Cmd */
	size_t n_cmd;
	const char *user;            /* "": the image's */
	const char *working_dir;     /* "": the image's; else absolute */
};

struct commit_args {
	const char *container_id;    /* 64 hex */
	const char *image_id;        /* 64 hex: the container's image */
	const char *manifest_digest; /* "sha256:<hex>": that image's manifest */
	const char *author;          /* may be "" */
	const char *message;         /* the config's comment (docker format only); may be "" */
	const char *from;            /* "FROM <from>" in the history; may be "" */
	int64_t created_ns;          /* > 0 */
	char *const *changes;        /* --change instructions (image_change.h) */
	size_t n_changes;
	bool docker;                 /* docker v2 schema 2 media types, else OCI */
	const struct commit_container *container; /* NULL: the image's settings */
	bool squash;                 /* one layer: the image's and the changes */
};

/* Under store_lock(shared) held by the caller: checks the --change
 * instructions first (a bad one stores nothing), reads
 * containers/<container_id>/upper beneath the store (a vfs container,
 * whose upper is a whole copy, is refused; a missing one, a container
 * never started, is an empty dir), writes it as an uncompressed tar layer
 * blob (entries sorted by name, as podman's; with squash the upper dir and
 * the image's layers merged, whiteouts applied, as one layer), a config
 * (the image's with the new diff_id, time, author, history entry, the
 * container's settings and then the changes applied; with squash the one
 * diff_id and history entry) and an OCI or docker schema 2 manifest (the
 * image's layers and the new one; with squash the new one), and makes the
 * image with store_image_from_manifest. *out has no names. Blobs written
 * before a failure stay for gc. */
int image_commit(int storefd, const struct commit_args *c, const struct extract_limits *lim,
		 Podd__ImageRecord **out, podd_error_t *err);

#endif
