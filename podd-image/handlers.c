/* podd-image's request handlers: each checks its message's fields, then
 * calls the store (store.c) or an archive module (load.c, save.c,
 * import.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image_archive.h"
#include "image_change.h"
#include "cleanup.h"
#include "commit.h"
#include "copy_events.h"
#include "handlers.h"
#include "reference.h"
#include "image.pb-c.h"
#include "manifest.h"
#include "store.h"
#include "validate.h"

#define INVALID PODD_E_INVALID_ARGUMENT

static struct image_ctx *ctx_of(struct podd_server *srv)
{
	return srv->data;
}

static void strv_free_n(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int handle_image_config(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__ImageConfigRequest *r = (const Podd__ImageConfigRequest *)req->msg;
	struct image_ctx *ctx = ctx_of(srv);
	cleanup_image_config struct image_config *c = NULL;
	cleanup_free char *buf = NULL;
	cleanup_free struct digest *chains = NULL;
	Podd__ImageConfig out = PODD__IMAGE_CONFIG__INIT;
	char **diff_ids = NULL, **chain_ids = NULL;
	cleanup_free uint64_t *sizes = NULL;
	cleanup_free Podd__ImageHistory *hist = NULL;
	cleanup_free Podd__ImageHistory **histp = NULL;
	char name[DIGEST_HEX_LEN + 8];
	struct digest d;
	size_t len, n;
	int ret = -1;

	cleanup_image_manifest struct image_manifest *m = NULL;
	cleanup_free char *mbuf = NULL;

	if (!podd_id_valid(r->id))
		return podd_error(err, INVALID, "image config: invalid image id");
	if (r->manifest_digest[0] != '\0') {
		struct digest md;
		size_t mlen;
		if (digest_parse(r->manifest_digest, &md, err) < 0 ||
		    store_read_blob(ctx->storefd, &md, META_MAX_BYTES, &mbuf, &mlen, err) < 0 ||
		    image_manifest_parse(r->manifest_digest, mbuf, mlen, &m, err) < 0)
			return podd_error_wrap(err, "image %.12s", r->id);
	}
	memcpy(d.hex, r->id, DIGEST_HEX_LEN + 1);
	snprintf(name, sizeof(name), "sha256:%s", d.hex);
	if (store_read_blob(ctx->storefd, &d, META_MAX_BYTES, &buf, &len, err) < 0 ||
	    image_config_parse(name, buf, len, &c, err) < 0)
		return podd_error_wrap(err, "image %.12s", r->id);
	n = c->n_diff_ids;
	chains = calloc(n ? n : 1, sizeof(*chains));
	diff_ids = calloc(n ? n : 1, sizeof(char *));
	chain_ids = calloc(n ? n : 1, sizeof(char *));
	sizes = calloc(n ? n : 1, sizeof(*sizes));
	if (chains == NULL || diff_ids == NULL || chain_ids == NULL || sizes == NULL) {
		podd_error_sys(err, ENOMEM, "image config");
		goto out;
	}
	if (chain_ids_compute(c->diff_ids, n, chains, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&diff_ids[i], "sha256:%s", c->diff_ids[i].hex) < 0 ||
		    (chain_ids[i] = strdup(chains[i].hex)) == NULL) {
			diff_ids[i] = NULL;
			podd_error_sys(err, ENOMEM, "image config");
			goto out;
		}
		/* A layer not (or no longer) unpacked has no size to show. */
		podd_error_t missing = NULL;
		if (store_layer_size(ctx->storefd, &chains[i], &sizes[i], &missing) < 0) {
			podd_error_free(&missing);
			sizes[i] = 0;
		}
	}
	out.id = r->id;
	out.architecture = c->architecture ? c->architecture : "";
	out.os = c->os ? c->os : "";
	out.variant = c->variant ? c->variant : "";
	out.created_ns = c->has_created ? c->created_ns : 0;
	out.user = c->user ? c->user : "";
	out.working_dir = c->working_dir ? c->working_dir : "";
	out.stop_signal = c->stop_signal ? c->stop_signal : "";
	out.env = c->env;
	out.n_env = c->env ? c->n_env : 0;
	out.entrypoint = c->entrypoint;
	out.n_entrypoint = c->entrypoint ? c->n_entrypoint : 0;
	out.has_entrypoint = c->entrypoint != NULL;
	out.cmd = c->cmd;
	out.n_cmd = c->cmd ? c->n_cmd : 0;
	out.has_cmd = c->cmd != NULL;
	out.exposed_ports = c->exposed_ports;
	out.n_exposed_ports = c->exposed_ports ? c->n_exposed_ports : 0;
	out.volumes = c->volumes;
	out.n_volumes = c->volumes ? c->n_volumes : 0;
	out.label_keys = c->label_keys;
	out.n_label_keys = c->label_keys ? c->n_labels : 0;
	out.label_values = c->label_values;
	out.n_label_values = c->label_values ? c->n_labels : 0;
	out.diff_ids = diff_ids;
	out.n_diff_ids = n;
	out.chain_ids = chain_ids;
	out.n_chain_ids = n;
	out.layer_sizes = sizes;
	out.n_layer_sizes = n;
	out.manifest_type = m ? m->media_type : "";
	out.author = c->author ? c->author : "";
	out.comment = c->comment ? c->comment : "";
	hist = calloc(c->n_history ? c->n_history : 1, sizeof(*hist));
	histp = calloc(c->n_history ? c->n_history : 1, sizeof(*histp));
	if (hist == NULL || histp == NULL) {
		podd_error_sys(err, ENOMEM, "image config");
		goto out;
	}
	for (size_t i = 0; i < c->n_history; i++) {
		const struct image_history *h = &c->history[i];
		podd__image_history__init(&hist[i]);
		hist[i].created_ns = h->has_created && h->created_ns > 0 ? h->created_ns : 0;
		hist[i].created_by = h->created_by ? h->created_by : "";
		hist[i].comment = h->comment ? h->comment : "";
		hist[i].author = h->author ? h->author : "";
		hist[i].empty_layer = h->empty_layer;
		histp[i] = &hist[i];
	}
	out.history = histp;
	out.n_history = c->n_history;
	/* The answer is one frame: an image with a history too long for it
	 * is shown without. */
	if (protobuf_c_message_get_packed_size(&out.base) > PODD_FRAME_MAX_PAYLOAD - 1024) {
		out.history = NULL;
		out.n_history = 0;
		out.history_dropped = true;
	}
	ret = podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG_REPLY, 0,
				&out.base, NULL, 0, err);
out:
	strv_free_n(diff_ids, n);
	strv_free_n(chain_ids, n);
	return ret;
}

void image_session_hold_lock(struct image_ctx *ctx, int *lock)
{
	if (ctx->session_lock < 0) {
		ctx->session_lock = move_fd(lock);
		return;
	}
	podd_closep(lock);
}

/* LoadedImages with `blobs`: import's answer. */
static int reply_images_blobs(struct podd_server *srv, const struct podd_request *req,
			      Podd__ImageRecord **v, size_t n, Podd__LayerDigests **blobs,
			      podd_error_t *err)
{
	Podd__LoadedImages list = PODD__LOADED_IMAGES__INIT;
	list.images = v;
	list.n_images = n;
	list.blobs = blobs;
	list.n_blobs = blobs ? n : 0;
	if (protobuf_c_message_get_packed_size(&list.base) > PODD_FRAME_MAX_PAYLOAD)
		return podd_error(err, PODD_E_INTERNAL, "%zu images: too many for one answer", n);
	return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES, 0, &list.base,
				 NULL, 0, err);
}

static int reply_images(struct podd_server *srv, const struct podd_request *req,
			Podd__ImageRecord **v, size_t n, podd_error_t *err)
{
	Podd__LoadedImages list = PODD__LOADED_IMAGES__INIT;
	list.images = v;
	list.n_images = n;
	if (protobuf_c_message_get_packed_size(&list.base) > PODD_FRAME_MAX_PAYLOAD)
		return podd_error(err, PODD_E_INTERNAL, "%zu images: too many for one answer", n);
	return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_LOADED_IMAGES, 0, &list.base,
				 NULL, 0, err);
}

/* A refusal podctl wrote, shown to its user as the error: printable ASCII
 * (a newline allowed), at most 8 KiB. */
static bool refusal_valid(const char *s)
{
	size_t n = strlen(s);
	if (n > 8192)
		return false;
	for (; *s; s++)
		if ((*s < 0x20 || *s >= 0x7f) && *s != '\n')
			return false;
	return true;
}

int handle_load(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__LoadRequest *m = (const Podd__LoadRequest *)req->msg;
	Podd__LoadedImages list = PODD__LOADED_IMAGES__INIT;
	struct load_refusals refuse;
	struct image_ctx *ctx = ctx_of(srv);
	struct copy_events ev;
	cleanup_close int fd = podd_frame_take_fd(req->frame, 0);
	cleanup_close int lock = -1;
	Podd__ImageRecord **v = NULL;
	size_t n = 0;
	int r;

	if (podd_fd_check_kind(fd, PODD_FD_INPUT, err) < 0)
		return -1;
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "load between gc's begin and its end");
	lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	if (!refusal_valid(m->refuse_oci_archive) || !refusal_valid(m->refuse_docker_archive))
		return podd_error(err, PODD_E_PROTOCOL, "load: a refusal that is not printable text");
	refuse.oci_archive = m->refuse_oci_archive;
	refuse.docker_archive = m->refuse_docker_archive;
	/* The steps stream as the images are stored; a failure after some
	 * ends the stream with the Error frame. */
	copy_events_init(&ev, srv, req);
	if (archive_load(ctx->storefd, fd, &ctx->lim, &refuse, m->progress ? &ev.progress : NULL,
			 &v, &n, err) < 0)
		return -1;
	list.images = v;
	list.n_images = n;
	r = copy_events_done(&ev, &list, err);
	image_records_free(v, n);
	if (r == 0)
		image_session_hold_lock(ctx, &lock);
	return r;
}

int handle_gc(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__GcRequest *r = (const Podd__GcRequest *)req->msg;
	struct image_ctx *ctx = ctx_of(srv);
	Podd__GcReply reply = PODD__GC_REPLY__INIT;
	struct gc_stats st;
	struct gc_keep keep = {
		.image_ids = (const char *const *)r->image_ids,
		.n_image_ids = r->n_image_ids,
		.manifest_digests = (const char *const *)r->manifest_digests,
		.n_manifest_digests = r->n_manifest_digests,
	};

	for (size_t i = 0; i < r->n_image_ids; i++)
		if (!podd_id_valid(r->image_ids[i]))
			return podd_error(err, INVALID, "gc: image id %zu is not 64 hex digits",
					  i + 1);
	for (size_t i = 0; i < r->n_manifest_digests; i++)
		if (!podd_digest_valid(r->manifest_digests[i]))
			return podd_error(err, INVALID, "gc: manifest digest %zu is invalid", i + 1);
	if (r->begin && (r->n_image_ids || r->n_manifest_digests))
		return podd_error(err, INVALID, "gc: begin carries no images");
	/* Only a valid request lets go of the session's shared lock (an
	 * invalid one changes nothing): our own would keep the exclusive one
	 * waiting forever, and whatever this session added, podctl has
	 * recorded by now. */
	podd_closep(&ctx->session_lock);
	/* A streamed layer no image took is a leftover like any other. */
	store_prepared_drop(ctx->storefd, &ctx->prepared);
	if (r->try_lock && !r->begin)
		return podd_error(err, INVALID, "gc: try_lock goes with begin");
	if (r->begin && r->try_lock && ctx->gc_lock < 0) {
		int fd = store_lock_try(ctx->storefd, err);
		if (fd == -1)
			return -1;
		reply.busy = fd == -2;
		if (fd >= 0)
			ctx->gc_lock = fd;
		return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY, 0,
					 &reply.base, NULL, 0, err);
	}
	if (r->begin) {
		if (ctx->gc_lock < 0 && (ctx->gc_lock = store_lock(ctx->storefd, true, err)) < 0)
			return -1;
		return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY, 0,
					 &reply.base, NULL, 0, err);
	}
	if (ctx->gc_lock >= 0) {
		int rc = store_gc_locked(ctx->storefd, &keep, &st, err);
		podd_closep(&ctx->gc_lock);
		if (rc < 0)
			return -1;
	} else if (store_gc(ctx->storefd, &keep, &st, err) < 0) {
		return -1;
	}
	reply.blobs_removed = st.blobs_removed;
	reply.layers_removed = st.layers_removed;
	reply.tmp_removed = st.tmp_removed;
	return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY, 0, &reply.base,
				 NULL, 0, err);
}

int handle_save(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__SaveRequest *r = (const Podd__SaveRequest *)req->msg;
	struct image_ctx *ctx = ctx_of(srv);
	cleanup_close int fd = podd_frame_take_fd(req->frame, 0);
	struct copy_events ev;
	bool oci;

	if (podd_fd_check_kind(fd, PODD_FD_OUTPUT, err) < 0)
		return -1;
	switch (r->format) {
	case PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_OCI:
		oci = true;
		break;
	case PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_DOCKER:
		oci = false;
		break;
	case PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_UNSPECIFIED:
	default:
		return podd_error(err, INVALID, "save: unknown archive format %d", (int)r->format);
	}
	if (r->n_images == 0 || r->n_images > 256)
		return podd_error(err, INVALID, "save: %zu images (1 to 256)", r->n_images);
	for (size_t i = 0; i < r->n_images; i++) {
		const Podd__ImageRecord *rec = r->images[i];
		if (rec == NULL || !podd_id_valid(rec->id) ||
		    (rec->manifest_digest[0] && !podd_digest_valid(rec->manifest_digest)))
			return podd_error(err, INVALID, "save: image %zu: malformed record", i + 1);
		for (size_t k = 0; k < rec->n_names; k++)
			if (!podd_image_name_qualified(rec->names[k]))
				return podd_error(err, INVALID, "save: image %zu: invalid name",
						  i + 1);
	}
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "save between gc's begin and its end");
	/* Shared: gc must not take blobs from under the writer. */
	cleanup_close int lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	copy_events_init(&ev, srv, req);
	if (archive_save(ctx->storefd, fd, oci, r->images, r->n_images,
			 r->progress ? &ev.progress : NULL, err) < 0)
		return -1;
	return copy_events_done(&ev, NULL, err);
}


int handle_import(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ImportRequest *r = (const Podd__ImportRequest *)req->msg;
	struct image_ctx *ctx = ctx_of(srv);
	cleanup_close int fd = podd_frame_take_fd(req->frame, 0);
	cleanup_close int lock = -1;
	Podd__ImageRecord *rec = NULL;
	struct digest raw;
	int ret;

	if (podd_fd_check_kind(fd, PODD_FD_INPUT, err) < 0)
		return -1;
	if (r->n_changes > IMAGE_CHANGES_MAX)
		return podd_error(err, INVALID, "import: more than %d changes", IMAGE_CHANGES_MAX);
	if (r->created_ns < 0)
		return podd_error(err, INVALID, "import: negative creation time");
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "import between gc's begin and its end");
	lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	if (archive_import(ctx->storefd, fd, r->changes, r->n_changes, r->message, r->created_ns,
			   &ctx->lim, &rec, &raw, err) < 0)
		return -1;
	{
		/* The tarball's own digest, for podctl's "Copying blob". */
		char d[DIGEST_HEX_LEN + 8], *dv[1] = { d };
		Podd__LayerDigests blob = PODD__LAYER_DIGESTS__INIT, *bv[1] = { &blob };
		snprintf(d, sizeof(d), "sha256:%s", raw.hex);
		blob.digests = dv;
		blob.n_digests = 1;
		ret = reply_images_blobs(srv, req, &rec, 1, bv, err);
	}
	podd__image_record__free_unpacked(rec, NULL);
	if (ret == 0)
		image_session_hold_lock(ctx, &lock);
	return ret;
}

/* The container's settings of a CommitRequest, every field checked. */
static int commit_container_check(const Podd__CommitContainerConfig *cc, podd_error_t *err)
{
	if (podd_validate_env(cc->env, cc->n_env, err) < 0 ||
	    podd_validate_strv("entrypoint", cc->entrypoint, cc->n_entrypoint, err) < 0 ||
	    podd_validate_strv("command", cc->cmd, cc->n_cmd, err) < 0)
		return podd_error_wrap(err, "commit");
	if (strlen(cc->user) > 256 || strchr(cc->user, '\n'))
		return podd_error(err, INVALID, "commit: invalid user");
	if (cc->working_dir[0] != '\0' &&
	    podd_validate_abs_path("working directory", cc->working_dir, err) < 0)
		return podd_error_wrap(err, "commit");
	return 0;
}

/* Printable ASCII without spaces (or ""). */
static bool graphic_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* Commit: CommitRequest -> LoadedImages (one record, no names). The ids
 * and digest are checked here and again in image_commit. */
int handle_commit(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__CommitRequest *r = (const Podd__CommitRequest *)req->msg;
	struct image_ctx *ctx = ctx_of(srv);
	cleanup_close int lock = -1;
	Podd__ImageRecord *rec = NULL;
	struct commit_args c = {
		.container_id = r->container_id,
		.image_id = r->image_id,
		.manifest_digest = r->manifest_digest,
		.author = r->author,
		.message = r->message,
		.from = r->from,
		.created_ns = r->created_ns,
		.changes = r->changes,
		.n_changes = r->n_changes,
		.squash = r->squash,
	};
	struct commit_container ct;
	int ret;

	switch (r->format) {
	case PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_UNSPECIFIED:
	case PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_OCI:
		break;
	case PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_DOCKER:
		c.docker = true;
		break;
	default:
		return podd_error(err, INVALID, "commit: unknown manifest format %d", r->format);
	}
	if (r->n_changes > IMAGE_CHANGES_MAX)
		return podd_error(err, INVALID, "commit: more than %d changes", IMAGE_CHANGES_MAX);
	if (!podd_id_valid(r->container_id) || !podd_id_valid(r->image_id) ||
	    !podd_digest_valid(r->manifest_digest))
		return podd_error(err, INVALID, "commit: invalid container, image or manifest id");
	if (r->created_ns < 0 || strlen(r->author) > 1024 || strlen(r->message) > 65536)
		return podd_error(err, INVALID, "commit: invalid time, author or message");
	if (strlen(r->from) >= PODD_REFERENCE_MAX || !graphic_ascii(r->from))
		return podd_error(err, INVALID, "commit: invalid image name");
	/* Only the docker format has a place for the message (podctl
	 * refuses it for OCI first, as podman does). */
	if (r->message[0] && !c.docker)
		return podd_error(err, INVALID,
				  "messages are only compatible with the docker image format (-f docker)");
	if (r->container) {
		if (commit_container_check(r->container, err) < 0)
			return -1;
		ct = (struct commit_container){
			.env = r->container->env,
			.n_env = r->container->n_env,
			.entrypoint = r->container->entrypoint,
			.n_entrypoint = r->container->n_entrypoint,
			.cmd = r->container->cmd,
			.n_cmd = r->container->n_cmd,
			.user = r->container->user,
			.working_dir = r->container->working_dir,
		};
		c.container = &ct;
	}
	if (c.created_ns == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c.created_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	if (ctx->gc_lock >= 0)
		return podd_error(err, PODD_E_PROTOCOL, "commit between gc's begin and its end");
	lock = store_lock(ctx->storefd, false, err);
	if (lock < 0)
		return -1;
	if (image_commit(ctx->storefd, &c, &ctx->lim, &rec, err) < 0)
		return -1;
	ret = reply_images(srv, req, &rec, 1, err);
	podd__image_record__free_unpacked(rec, NULL);
	/* As after a load: no gc collects the new layer before podctl
	 * records the image. */
	if (ret == 0)
		image_session_hold_lock(ctx, &lock);
	return ret;
}
