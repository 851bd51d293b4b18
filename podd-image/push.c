/* PushRequest: a stored image to a registry, as stored: its manifest blob
 * byte for byte (so its digest stays the image's), the config and layer
 * blobs it names with their media types (an image loaded from a
 * docker-archive may have uncompressed layers; they go as they are). Each
 * blob the registry already has is skipped (HEAD); one it lacks is first
 * mounted from another repository of the registry that holds the image
 * (mount_from, as containers/image mounts what its blob info cache knows),
 * and otherwise uploaded monolithically, streamed from the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "registry_handlers.h"
#include "manifest.h"
#include "reference.h"
#include "registry.h"
#include "store_meta.h"
#include "validate.h"

/* The repositories a blob may be mounted from: checked mount_from. */
struct mount_sources {
	const char *repo[PODD_PUSH_MOUNT_FROM_MAX];
	size_t n;
};

/* Tries each source in turn. 1: mounted. 0: not; *session is the upload
 * session the last source's 202 opened (NULL: none), which the upload
 * continues. A 202 from a source with others after it is cancelled
 * (DELETE), as containers/image does, and the next one tried; a refusal
 * (401, 403, 404, ...) or a failed request is logged and passed over:
 * the upload that follows reports what is wrong with the registry. */
static int mount_blob(struct registry *reg, const char *repo, const struct mount_sources *src,
		      const struct digest *d, char **session)
{
	*session = NULL;
	for (size_t i = 0; i < src->n; i++) {
		podd_error_t e = NULL;
		char *opened = NULL;
		int rc = registry_mount_blob(reg, repo, src->repo[i], d, &opened, &e);

		if (rc > 0) {
			podd_debug("blob sha256:%.12s mounted from %s", d->hex, src->repo[i]);
			return 1;
		}
		if (rc < 0) {
			podd_debug("mounting blob sha256:%.12s from %s: %s", d->hex, src->repo[i],
				   e->msg);
			podd_error_free(&e);
			continue;
		}
		podd_debug("mounting blob sha256:%.12s from %s opened an upload instead", d->hex,
			   src->repo[i]);
		if (i + 1 == src->n) {
			*session = opened;
			return 0;
		}
		if (registry_cancel_upload(reg, opened, &e) < 0) {
			podd_debug("cancelling that upload: %s", e->msg);
			podd_error_free(&e);
		}
		free(opened);
	}
	return 0;
}

static int push_blob(struct registry *reg, struct event_stream *es, int storefd,
		     const char *repo, const struct mount_sources *src, const char *kind,
		     const struct descriptor *desc, podd_error_t *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *session = NULL;
	struct stat st;
	int have = registry_blob_exists(reg, repo, &desc->digest, err);

	if (have < 0)
		return podd_error_wrap(err, "checking whether blob sha256:%s exists",
				       desc->digest.hex);
	if (!have)
		have = mount_blob(reg, repo, src, &desc->digest, &session);
	if (have)
		return event_message(es, err, "Copying %s sha256:%s skipped: already exists", kind,
				     desc->digest.hex);
	if (event_message(es, err, "Copying %s sha256:%s", kind, desc->digest.hex) < 0)
		return -1;
	fd = blob_open(storefd, &desc->digest, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "blob sha256:%s", desc->digest.hex);
	if ((uint64_t)st.st_size != desc->size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "blob sha256:%s: %lld bytes stored, the manifest says %llu",
				  desc->digest.hex, (long long)st.st_size,
				  (unsigned long long)desc->size);
	if (registry_put_blob(reg, repo, &desc->digest, fd, desc->size, session, event_progress,
			      es, err) < 0) {
		podd_error_t ignored = NULL;
		/* The session a mount's 202 opened may be refused or gone by
		 * now (BLOB_UPLOAD_UNKNOWN): it is cancelled, and the blob
		 * uploaded once more in a session of its own, the way
		 * containers/image always uploads. */
		if (session == NULL || es->err || lseek(fd, 0, SEEK_SET) != 0)
			return podd_error_wrap(err, "uploading %s sha256:%s", kind,
					       desc->digest.hex);
		podd_debug("upload in the session a mount opened failed (%s): once more in a "
			   "new one",
			   (*err)->msg);
		podd_error_free(err);
		if (registry_cancel_upload(reg, session, &ignored) < 0)
			podd_error_free(&ignored);
		if (registry_put_blob(reg, repo, &desc->digest, fd, desc->size, NULL,
				      event_progress, es, err) < 0)
			return podd_error_wrap(err, "uploading %s sha256:%s", kind,
					       desc->digest.hex);
	}
	if (es->err) {
		*err = steal_pointer(&es->err);
		return -1;
	}
	return 0;
}

/* mount_from checked: each a repository path of the destination's
 * registry (parsed as "domain/path", which must give back the same domain
 * and path: no tag, no digest, docker.io's "library/" already there);
 * the destination's own repository and repeats are dropped. */
static int mount_sources_check(const Podd__PushRequest *m, const struct podd_reference *dest,
			       struct mount_sources *src, podd_error_t *err)
{
	src->n = 0;
	if (m->n_mount_from > PODD_PUSH_MOUNT_FROM_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "push: more than %d repositories to mount from",
				  PODD_PUSH_MOUNT_FROM_MAX);
	for (size_t i = 0; i < m->n_mount_from; i++) {
		const char *path = m->mount_from[i];
		char full[PODD_REFERENCE_MAX];
		struct podd_reference r;
		podd_error_t e = NULL;
		bool seen = false;

		if (path == NULL || strlen(path) > PODD_IMAGE_REPO_MAX || strchr(path, ':') ||
		    strchr(path, '@') ||
		    (size_t)snprintf(full, sizeof(full), "%s/%s", dest->domain, path) >=
			    sizeof(full) ||
		    podd_reference_parse(full, &r, &e) < 0 || !r.qualified ||
		    strcmp(r.domain, dest->domain) != 0 || strcmp(r.repository, path) != 0) {
			podd_error_free(&e);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "push: invalid repository to mount from");
		}
		for (size_t k = 0; k < src->n; k++)
			seen = seen || strcmp(src->repo[k], path) == 0;
		if (!seen && strcmp(path, dest->repository) != 0)
			src->repo[src->n++] = path;
	}
	return 0;
}

static int push_image(struct registry_ctx *ctx, struct event_stream *es, const Podd__PushRequest *m,
		      struct registry **reg, podd_error_t *err)
{
	struct podd_reference ref;
	struct digest md;
	cleanup_free char *body = NULL;
	size_t len;
	cleanup_image_manifest struct image_manifest *man = NULL;
	const char *user, *password;
	struct registry_tls tls;
	struct mount_sources src;
	char scope[(PODD_PUSH_MOUNT_FROM_MAX + 1) * (PODD_IMAGE_REPO_MAX + 40)];
	char name[PODD_REFERENCE_MAX];
	size_t used;

	if (!podd_id_valid(m->image_id) || !podd_digest_valid(m->manifest_digest))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "push: invalid image id or digest");
	if (podd_reference_parse(m->destination, &ref, err) < 0)
		return -1;
	if (!ref.qualified || ref.tag[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "push: destination \"%s\" needs a registry and a tag",
				  m->destination);
	if (registry_credentials_check(m->credentials, &user, &password, err) < 0 ||
	    registry_tls_check(m->tls, &tls, err) < 0 ||
	    mount_sources_check(m, &ref, &src, err) < 0)
		return -1;
	if (digest_parse(m->manifest_digest, &md, err) < 0 ||
	    store_read_blob(ctx->storefd, &md, META_MAX_BYTES, &body, &len, err) < 0 ||
	    image_manifest_parse(m->manifest_digest, body, len, &man, err) < 0)
		return podd_error_wrap(err, "image %s", m->image_id);
	if (strcmp(man->config.digest.hex, m->image_id) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: its manifest names another config", m->image_id);

	podd_reference_string(&ref, name, sizeof(name));
	/* One token for the push and for pulling from the mount sources (a
	 * mount needs both), as containers/image asks with its extra scope. */
	used = (size_t)snprintf(scope, sizeof(scope), "repository:%s:pull,push", ref.repository);
	for (size_t i = 0; i < src.n; i++)
		used += (size_t)snprintf(scope + used, sizeof(scope) - used, " repository:%s:pull",
					 src.repo[i]);
	if (registry_open(ref.api_host, m->tls_verify, &tls, user, password, scope, false, reg,
			  err) < 0) {
		/* A token server that will not grant pull on a source, by
		 * refusal or by any other failure (where containers/image asks
		 * for it only at the mount, and loses only the mount): the
		 * push goes on without mounts. */
		if (src.n == 0)
			return podd_error_wrap(err, "trying to reuse blob in %s", name);
		podd_debug("no token for the mount sources too (%s): pushing without mounts",
			   (*err)->msg);
		podd_error_free(err);
		src.n = 0;
		snprintf(scope, sizeof(scope), "repository:%s:pull,push", ref.repository);
		if (registry_open(ref.api_host, m->tls_verify, &tls, user, password, scope, false,
				  reg, err) < 0)
			return podd_error_wrap(err, "trying to reuse blob in %s", name);
	}
	if (event_message(es, err, "Getting image source signatures") < 0)
		return -1;
	for (size_t i = 0; i < man->n_layers; i++)
		if (push_blob(*reg, es, ctx->storefd, ref.repository, &src, "blob",
			      &man->layers[i].desc, err) < 0)
			return -1;
	if (push_blob(*reg, es, ctx->storefd, ref.repository, &src, "config", &man->config,
		      err) < 0)
		return -1;
	if (event_message(es, err, "Writing manifest to image destination") < 0)
		return -1;
	if (registry_put_manifest(*reg, ref.repository, ref.tag,
				  man->media_type ? man->media_type : MEDIA_OCI_MANIFEST, body, len,
				  err) < 0)
		return podd_error_wrap(err, "writing manifest to %s", name);
	if (event_message(es, err, "Storing signatures") < 0)
		return -1;
	return event_done(es, m->manifest_digest, NULL, NULL, err);
}

int handle_push(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	struct event_stream es = { .srv = srv, .req = req };
	struct registry *reg = NULL;
	int rc = push_image(srv->data, &es, (const Podd__PushRequest *)req->msg, &reg, err);
	registry_close(reg);
	podd_error_free(&es.err);
	return rc;
}
