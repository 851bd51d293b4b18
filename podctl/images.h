/* podctl's image calls: podd-state's image records, podd-image's store,
 * and what image commands print (podman's columns, sizes, inspect JSON). */
#ifndef PODCTL_IMAGES_H
#define PODCTL_IMAGES_H

#include <json-c/json.h>

#include "image.pb-c.h"
#include "podctl.h"
#include "records.h"
#include "validate.h"

int image_lookup(struct engine *e, const char *name_or_id, Podd__ImageRecord **rec,
		 podd_error_t *err);
/* Stores a record podd-image answered; *out (may be NULL) the stored one. */
int image_record_store(struct engine *e, const Podd__ImageRecord *rec, Podd__ImageRecord **out,
		       podd_error_t *err);

/* `ref` as a user gave it (import's REFERENCE, commit's IMAGE) completed
 * as podman does into `out`; an invalid one is podman's "invalid reference
 * format". Checked before any request, so that a bad name changes nothing. */
int image_reference_complete(const char *ref, char out[PODD_IMAGE_NAME_BUF], podd_error_t *err);
/* Records the image podd-image just made (import, commit), named `name`
 * (completed; NULL: unnamed) in the same podd-state transaction. When
 * podd-state refuses, what no record names is collected (image_gc), so
 * that a failed command leaves the store as it was. */
int image_record_made(struct engine *e, const Podd__ImageRecord *made, const char *name,
		      podd_error_t *err);

/* Every image record, in podd-state's order. Free with image_list_free. */
struct image_list {
	Podd__ImageRecord **v;
	size_t n;
};
int image_list_all(struct engine *e, struct image_list *out, podd_error_t *err);
void image_list_free(struct image_list *l);
/* The records `images --filter SPEC...` lets through (image_filter.h), in
 * place: l->n shrinks, those dropped are freed. Labels come from
 * podd-image (which must run when a label filter is given), containers
 * from podd-state, only when a filter asks. */
int image_list_filter(struct engine *e, char *const *specs, size_t n_specs, int64_t now,
		      struct image_list *l, podd_error_t *err);

/* podd-image: drop every blob and layer no image record names. */
int image_gc(struct engine *e, podd_error_t *err);
/* After a failed load, import, commit or pull (its helper sessions over):
 * the same, best effort, unless another command holds the store (then the
 * next gc collects). No session removes what it stored (podd-image's
 * store.h), so this is how a failed command leaves the store as it was. */
void image_gc_after_failure(struct engine *e);

/* Every --change checked as podd-image will apply it (lib/image_change.c):
 * 0, or the exit code after podman's message. With warn_onbuild, an
 * ONBUILD is warned about as podman's commit does (import drops it
 * silently, as podman's). */
int image_changes_check(char *const *changes, size_t n, bool warn_onbuild);

/* The lines podman's image copy prints on stderr (without a terminal;
 * -q prints none) for one image, after the fact (commit, import; load and
 * save print them as podd-image streams them, copy_lines.h): "Getting
 * image source signatures" (`getting`), a "Copying blob sha256:..." per
 * blob, "Copying config sha256:<id>", "Writing manifest to image
 * destination", "Storing signatures". `blobs` are "sha256:<hex>" digests. */
void image_copy_progress(bool getting, char *const *blobs, size_t n_blobs, const char *config_id);
/* podd-image's ImageConfig for image `id`; `manifest_digest` (may be NULL
 * or "") also fills manifest_type. */
int image_config_get(struct engine *e, const char *id, const char *manifest_digest,
		     Podd__ImageConfig **out, podd_error_t *err);

/* podman's sizes (go-units HumanSizeWithPrecision, 3 digits): "2 MB". */
char *format_size(int64_t bytes);
/* "localhost/busybox:latest" -> repository and tag (podman's columns). */
void image_name_split(const char *name, char *repo, size_t rsize, char *tag, size_t tsize);
/* Which of the image's names `ref` (as the user typed it) found: as given,
 * completed ("localhost/", ":latest"), or on any registry; NULL for none
 * (an id, say). */
const char *image_name_matching(const Podd__ImageRecord *rec, const char *ref);
/* The repositories of `domain` other than `dest_repo` that hold the
 * image, as its record knows them (its names there, whose repositories
 * are those of its RepoDigests there too), for PushRequest.mount_from:
 * repository paths ("podd/seed") in the record's order, without repeats,
 * at most `max` of them into `out`; returns how many. */
size_t image_mount_sources(const Podd__ImageRecord *rec, const char *domain,
			   const char *dest_repo, char (*out)[PODD_IMAGE_REPO_MAX + 1], size_t max);
/* podman image inspect's object for one image. */
json_object *image_inspect_json(struct engine *e, const Podd__ImageRecord *rec,
				const Podd__ImageConfig *cfg);

int cmd_load(const struct global_opts *g, int argc, char **argv);
int cmd_images(const struct global_opts *g, int argc, char **argv);
int cmd_history(const struct global_opts *g, int argc, char **argv);
int cmd_image(const struct global_opts *g, int argc, char **argv);
int cmd_image_inspect(const struct global_opts *g, int argc, char **argv);
int cmd_save(const struct global_opts *g, int argc, char **argv);
int cmd_import(const struct global_opts *g, int argc, char **argv);
int cmd_commit(const struct global_opts *g, int argc, char **argv);
int cmd_rmi(const struct global_opts *g, int argc, char **argv);
int cmd_tag(const struct global_opts *g, int argc, char **argv);
int cmd_untag(const struct global_opts *g, int argc, char **argv);

#endif
