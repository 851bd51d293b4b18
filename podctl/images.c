/* podctl's image calls (images.h). Every record podd-state or podd-image
 * sends is checked before podctl prints from it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "rfc3339.h"
#include "image_change.h"
#include "image_filter.h"
#include "images.h"
#include "reference.h"
#include "term_safe.h"
#include "validate.h"

#define STATE(e) engine_state(e)
#define IMAGE(e) (&(e)->helpers[HELPER_IMAGE].peer)

static int image_record_sane(const Podd__ImageRecord *rec, podd_error_t *err)
{
	if (rec == NULL || !podd_id_valid(rec->id))
		return podd_error(err, PODD_E_PROTOCOL, "malformed image record");
	return 0;
}

/* What podman refuses before it looks: an empty name, "sha256:" without
 * 64 hex digits, and anything that is neither an id prefix nor a
 * reference (exit 125, where an unknown image is 1). */
static int image_ref_check(const char *ref, podd_error_t *err)
{
	struct podd_reference r;

	if (ref[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "repository name must have at least one component");
	if (strncmp(ref, "sha256:", 7) == 0) {
		if (podd_id_valid(ref + 7))
			return 0;
		cleanup_free char *safe = term_safe(ref);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%.80s: invalid format: no 64-byte hexadecimal value",
				  safe ? safe : "?");
	}
	if (podd_id_prefix_valid(ref) || podd_reference_parse(ref, &r, err) == 0)
		return 0;
	podd_error_free(err);
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid reference format");
}

int image_lookup(struct engine *e, const char *name_or_id, Podd__ImageRecord **rec,
		 podd_error_t *err)
{
	Podd__LookupImageRequest req = PODD__LOOKUP_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	if (image_ref_check(name_or_id, err) < 0)
		return -1;
	req.name_or_id = (char *)name_or_id;
	if (podd_client_call(STATE(e), PODD__STATE_TYPE__STATE_TYPE_LOOKUP_IMAGE, &req.base,
			     PODD__STATE_TYPE__STATE_TYPE_IMAGE, &podd__image_record__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	*rec = (Podd__ImageRecord *)m;
	if (image_record_sane(*rec, err) < 0) {
		image_record_freep(rec);
		return -1;
	}
	return 0;
}

int image_record_store(struct engine *e, const Podd__ImageRecord *rec, Podd__ImageRecord **out,
		       podd_error_t *err)
{
	Podd__CreateImageRequest req = PODD__CREATE_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.record = (Podd__ImageRecord *)rec;
	if (podd_client_call(STATE(e), PODD__STATE_TYPE__STATE_TYPE_CREATE_IMAGE, &req.base,
			     PODD__STATE_TYPE__STATE_TYPE_IMAGE, &podd__image_record__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	if (out)
		*out = (Podd__ImageRecord *)m;
	else
		protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

int image_reference_complete(const char *ref, char out[PODD_IMAGE_NAME_BUF], podd_error_t *err)
{
	if (!podd_image_name_complete(ref, out))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "normalizing name \"%.*s\": invalid reference format",
				  PODD_IMAGE_NAME_MAX, ref);
	return 0;
}

int image_record_made(struct engine *e, const Podd__ImageRecord *made, const char *name,
		      podd_error_t *err)
{
	Podd__ImageRecord rec = *made;
	char *names[1] = { (char *)name };

	if (name) {
		rec.names = names;
		rec.n_names = 1;
	}
	if (image_record_store(e, &rec, NULL, err) == 0)
		return 0;
	/* Nothing was recorded (one transaction): the blobs and layers the
	 * command added are garbage now, collected as load does. */
	image_gc_after_failure(e);
	return -1;
}

static int list_chunk(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__ImageList *list = (const Podd__ImageList *)m;
	struct image_list *l = data;
	void *v = realloc(l->v, (l->n + list->n_images + 1) * sizeof(*l->v));

	if (v == NULL)
		return podd_error_sys(err, ENOMEM, "images");
	l->v = v;
	for (size_t i = 0; i < list->n_images; i++) {
		Podd__ImageRecord *copy;
		uint8_t *buf;
		size_t len;
		if (image_record_sane(list->images[i], err) < 0)
			return -1;
		/* The chunk is freed after this call: keep a copy. */
		len = podd__image_record__get_packed_size(list->images[i]);
		buf = malloc(len ? len : 1);
		if (buf == NULL)
			return podd_error_sys(err, ENOMEM, "images");
		podd__image_record__pack(list->images[i], buf);
		copy = podd__image_record__unpack(NULL, len, buf);
		free(buf);
		if (copy == NULL)
			return podd_error_sys(err, ENOMEM, "images");
		l->v[l->n++] = copy;
	}
	return 0;
}

int image_list_all(struct engine *e, struct image_list *out, podd_error_t *err)
{
	Podd__ListImagesRequest req = PODD__LIST_IMAGES_REQUEST__INIT;

	*out = (struct image_list){ 0 };
	if (podd_client_call_stream(STATE(e), PODD__STATE_TYPE__STATE_TYPE_LIST_IMAGES,
				    &req.base, PODD__STATE_TYPE__STATE_TYPE_IMAGE_LIST,
				    &podd__image_list__descriptor, list_chunk, out, err) < 0) {
		image_list_free(out);
		return engine_helper_failed(e, HELPER_STATE, err);
	}
	return 0;
}

void image_list_free(struct image_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		podd__image_record__free_unpacked(l->v[i], NULL);
	free(l->v);
	*l = (struct image_list){ 0 };
}

static int gc(struct engine *e, bool try_lock, podd_error_t *err)
{
	Podd__GcRequest req = PODD__GC_REQUEST__INIT;
	struct image_list l;
	cleanup_free char **ids = NULL;
	cleanup_free char **digests = NULL;
	size_t nd = 0, cap = 0;
	Podd__GcRequest begin = PODD__GC_REQUEST__INIT;
	ProtobufCMessage *m = NULL;
	bool busy;
	int r;

	/* The store locked first, then the list read: an image loaded by
	 * another podctl meanwhile is either recorded by now or not stored
	 * yet, never collected between. */
	begin.begin = true;
	begin.try_lock = try_lock;
	if (engine_ready(e, HELPER_IMAGE, err) < 0 ||
	    podd_client_call(IMAGE(e), PODD__IMAGE_TYPE__IMAGE_TYPE_GC, &begin.base,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY, &podd__gc_reply__descriptor, &m,
			     err) < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	busy = ((Podd__GcReply *)m)->busy;
	protobuf_c_message_free_unpacked(m, NULL);
	m = NULL;
	if (busy)
		return 0; /* another command's session: the next gc collects */
	if (image_list_all(e, &l, err) < 0)
		return -1;
	ids = calloc(l.n + 1, sizeof(char *));
	for (size_t i = 0; i < l.n; i++)
		cap += l.v[i]->n_digests + 1;
	digests = calloc(cap + 1, sizeof(char *));
	if (ids == NULL || digests == NULL) {
		image_list_free(&l);
		return podd_error_sys(err, ENOMEM, "gc");
	}
	for (size_t i = 0; i < l.n; i++) {
		ids[i] = l.v[i]->id;
		if (l.v[i]->manifest_digest[0] != '\0')
			digests[nd++] = l.v[i]->manifest_digest;
		for (size_t k = 0; k < l.v[i]->n_digests; k++)
			digests[nd++] = l.v[i]->digests[k];
	}
	req.image_ids = ids;
	req.n_image_ids = l.n;
	req.manifest_digests = digests;
	req.n_manifest_digests = nd;
	r = podd_client_call(IMAGE(e), PODD__IMAGE_TYPE__IMAGE_TYPE_GC, &req.base,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY, &podd__gc_reply__descriptor, &m,
			     err);
	image_list_free(&l);
	if (r < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

int image_gc(struct engine *e, podd_error_t *err)
{
	return gc(e, false, err);
}

void image_gc_after_failure(struct engine *e)
{
	podd_error_t ignored = NULL;

	if (!e->helpers[HELPER_IMAGE].running || gc(e, true, &ignored) < 0)
		podd_error_free(&ignored);
}

int image_config_get(struct engine *e, const char *id, const char *manifest_digest,
		     Podd__ImageConfig **out, podd_error_t *err)
{
	Podd__ImageConfigRequest req = PODD__IMAGE_CONFIG_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.id = (char *)id;
	req.manifest_digest = (char *)(manifest_digest ? manifest_digest : "");
	if (engine_ready(e, HELPER_IMAGE, err) < 0)
		return -1;
	if (podd_client_call(IMAGE(e), PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG, &req.base,
			     PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG_REPLY,
			     &podd__image_config__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_IMAGE, err);
	*out = (Podd__ImageConfig *)m;
	if ((*out)->n_label_keys != (*out)->n_label_values ||
	    (*out)->n_chain_ids != (*out)->n_diff_ids) {
		protobuf_c_message_free_unpacked(m, NULL);
		*out = NULL;
		return podd_error(err, PODD_E_PROTOCOL, "podd-image sent a malformed image config");
	}
	return 0;
}

char *format_size(int64_t bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)bytes;
	size_t u = 0;
	char *s = NULL;

	while (v >= 1000.0 && u + 1 < PODD_ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	if (asprintf(&s, "%.3g %s", v, units[u]) < 0)
		return NULL;
	return s;
}

void image_name_split(const char *name, char *repo, size_t rsize, char *tag, size_t tsize)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');

	if (colon) {
		snprintf(repo, rsize, "%.*s", (int)(colon - name), name);
		snprintf(tag, tsize, "%s", colon + 1);
	} else {
		snprintf(repo, rsize, "%s", name);
		snprintf(tag, tsize, "latest");
	}
}

static json_object *strv_or_null(char **v, size_t n, bool present)
{
	json_object *a;
	if (!present)
		return NULL;
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *labels_json(const Podd__ImageConfig *cfg)
{
	json_object *o;
	if (cfg->n_label_keys == 0)
		return NULL;
	o = json_object_new_object();
	for (size_t i = 0; i < cfg->n_label_keys; i++)
		json_object_object_add(o, cfg->label_keys[i],
				       json_object_new_string(cfg->label_values[i]));
	return o;
}

/* podman image inspect's Config: only what the image sets (Go's
 * omitempty), so an image with no config shows {}. */
static json_object *config_json(const Podd__ImageConfig *cfg)
{
	json_object *o = json_object_new_object();
	if (cfg->user[0])
		json_object_object_add(o, "User", json_object_new_string(cfg->user));
	if (cfg->n_exposed_ports) {
		json_object *p = json_object_new_object();
		for (size_t i = 0; i < cfg->n_exposed_ports; i++)
			json_object_object_add(p, cfg->exposed_ports[i], json_object_new_object());
		json_object_object_add(o, "ExposedPorts", p);
	}
	if (cfg->n_env)
		json_object_object_add(o, "Env", strv_or_null(cfg->env, cfg->n_env, true));
	if (cfg->has_entrypoint && cfg->n_entrypoint)
		json_object_object_add(o, "Entrypoint",
				       strv_or_null(cfg->entrypoint, cfg->n_entrypoint, true));
	if (cfg->has_cmd && cfg->n_cmd)
		json_object_object_add(o, "Cmd", strv_or_null(cfg->cmd, cfg->n_cmd, true));
	if (cfg->n_volumes) {
		json_object *v = json_object_new_object();
		for (size_t i = 0; i < cfg->n_volumes; i++)
			json_object_object_add(v, cfg->volumes[i], json_object_new_object());
		json_object_object_add(o, "Volumes", v);
	}
	if (cfg->working_dir[0])
		json_object_object_add(o, "WorkingDir", json_object_new_string(cfg->working_dir));
	if (cfg->n_label_keys)
		json_object_object_add(o, "Labels", labels_json(cfg));
	if (cfg->stop_signal[0])
		json_object_object_add(o, "StopSignal", json_object_new_string(cfg->stop_signal));
	return o;
}

json_object *image_inspect_json(struct engine *e, const Podd__ImageRecord *rec,
				const Podd__ImageConfig *cfg)
{
	json_object *o = json_object_new_object();
	json_object *gd = json_object_new_object(), *rootfs = json_object_new_object();
	json_object *digests = json_object_new_array();
	cleanup_free char *created = podd_rfc3339_nano(cfg->created_ns ? cfg->created_ns
								   : rec->created_ns);

	json_object_object_add(o, "Id", json_object_new_string(rec->id));
	json_object_object_add(o, "Digest",
			       json_object_new_string(rec->manifest_digest[0] ? rec->manifest_digest
					      : rec->n_digests       ? rec->digests[0]
								     : ""));
	json_object_object_add(o, "RepoTags", strv_or_null(rec->names, rec->n_names, true));
	for (size_t i = 0; i < rec->n_names; i++) {
		char repo[512], tag[256];
		image_name_split(rec->names[i], repo, sizeof(repo), tag, sizeof(tag));
		for (size_t k = 0; k < rec->n_digests; k++) {
			char *s = NULL;
			bool dup = false;
			if (asprintf(&s, "%s@%s", repo, rec->digests[k]) < 0)
				continue;
			for (size_t j = 0; j < json_object_array_length(digests); j++)
				if (strcmp(json_object_get_string(
						   json_object_array_get_idx(digests, j)),
					   s) == 0)
					dup = true;
			if (!dup)
				json_object_array_add(digests, json_object_new_string(s));
			free(s);
		}
	}
	json_object_object_add(o, "RepoDigests", digests);
	json_object_object_add(o, "Parent", json_object_new_string(""));
	json_object_object_add(o, "Comment", json_object_new_string(cfg->comment));
	json_object_object_add(o, "Created", json_object_new_string(created ? created : ""));
	json_object_object_add(o, "Config", config_json(cfg));
	json_object_object_add(o, "Version", json_object_new_string(""));
	json_object_object_add(o, "Author", json_object_new_string(cfg->author));
	json_object_object_add(o, "Architecture", json_object_new_string(cfg->architecture));
	json_object_object_add(o, "Os", json_object_new_string(cfg->os));
	json_object_object_add(o, "Size", json_object_new_int64(rec->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64(rec->size));
	json_object_object_add(gd, "Name", json_object_new_string(e->opts.storage_driver));
	json_object_object_add(gd, "Data", NULL);
	json_object_object_add(o, "GraphDriver", gd);
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "Layers", strv_or_null(rec->layers, rec->n_layers, true));
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "Labels", labels_json(cfg));
	json_object_object_add(o, "Annotations", json_object_new_object());
	json_object_object_add(o, "ManifestType",
			       json_object_new_string(cfg->manifest_type[0]
							      ? cfg->manifest_type
							      : "application/vnd.oci.image.manifest.v1+json"));
	json_object_object_add(o, "User", json_object_new_string(cfg->user));
	json_object *history = json_object_new_array();
	for (size_t i = 0; i < cfg->n_history; i++) {
		const Podd__ImageHistory *h = cfg->history[i];
		json_object *entry = json_object_new_object();
		/* Go's omitempty: only what the entry sets. */
		if (h->created_ns) {
			char *t = podd_rfc3339_nano(h->created_ns);
			json_object_object_add(entry, "created", json_object_new_string(t ? t : ""));
			free(t);
		}
		if (h->created_by[0])
			json_object_object_add(entry, "created_by", json_object_new_string(h->created_by));
		if (h->author[0])
			json_object_object_add(entry, "author", json_object_new_string(h->author));
		if (h->comment[0])
			json_object_object_add(entry, "comment", json_object_new_string(h->comment));
		if (h->empty_layer)
			json_object_object_add(entry, "empty_layer", json_object_new_boolean(true));
		json_object_array_add(history, entry);
	}
	json_object_object_add(o, "History", history);
	json_object_object_add(o, "NamesHistory", strv_or_null(rec->names, rec->n_names, true));
	return o;
}

/* Which of the image's names `ref` found, as podd-state's lookup
 * completes it: as given, "localhost/" and ":latest" added, or on any
 * registry ("busybox" finds docker.io/library/busybox:latest). */
const char *image_name_matching(const Podd__ImageRecord *rec, const char *ref)
{
	const char *last = strrchr(ref, '/');
	const char *slash = strchr(ref, '/');
	bool tagged = strchr(last ? last : ref, ':') != NULL;
	bool host = slash && (memchr(ref, '.', (size_t)(slash - ref)) ||
			      memchr(ref, ':', (size_t)(slash - ref)) ||
			      strncmp(ref, "localhost/", 10) == 0);
	char full[600], suffix[600];

	snprintf(full, sizeof(full), "%s%s%s", host ? "" : "localhost/", ref,
		 tagged ? "" : ":latest");
	snprintf(suffix, sizeof(suffix), "/%s%s", ref, tagged ? "" : ":latest");
	for (size_t i = 0; i < rec->n_names; i++)
		if (strcmp(rec->names[i], ref) == 0 || strcmp(rec->names[i], full) == 0)
			return rec->names[i];
	for (size_t i = 0; i < rec->n_names; i++) {
		size_t nl = strlen(rec->names[i]), sl = strlen(suffix);
		if (nl > sl && strcmp(rec->names[i] + nl - sl, suffix) == 0)
			return rec->names[i];
	}
	return NULL;
}


int image_changes_check(char *const *changes, size_t n, bool warn_onbuild)
{
	for (size_t i = 0; i < n; i++) {
		json_object *scratch = json_object_new_object();
		char dropped[256];
		podd_error_t err = NULL;
		int r = image_change_apply(scratch, changes[i], dropped, sizeof(dropped), &err);
		json_object_put(scratch);
		if (r < 0)
			return report_error(&err);
		if (r == 1 && warn_onbuild)
			fprintf(stderr,
				"WARN[0000] ONBUILD is not supported for OCI image format, %s will be "
				"ignored. Must use `docker` format\n",
				dropped);
	}
	return 0;
}

void image_copy_progress(bool getting, char *const *blobs, size_t n_blobs, const char *config_id)
{
	if (getting)
		fputs("Getting image source signatures\n", stderr);
	for (size_t i = 0; i < n_blobs; i++)
		fprintf(stderr, "Copying blob %s\n", blobs[i]);
	fprintf(stderr, "Copying config sha256:%s\n", config_id);
	fputs("Writing manifest to image destination\nStoring signatures\n", stderr);
}

/* Whether `r`'s layers are a strict prefix of another image's: its top
 * layer is below that image's (podman's "intermediate", when dangling). */
static bool image_is_parent(const Podd__ImageRecord *r, const struct image_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const Podd__ImageRecord *o = l->v[i];
		bool prefix = o != r && o->n_layers > r->n_layers && r->n_layers > 0;
		for (size_t k = 0; prefix && k < r->n_layers; k++)
			prefix = strcmp(r->layers[k], o->layers[k]) == 0;
		if (prefix)
			return true;
	}
	return false;
}

/* The containers: ids, names and image ids, for containers=. */
struct ctr_refs {
	char **ids, **names, **images;
	size_t n;
};

static int collect_ctr(const Podd__ContainerRecord *rec, void *data, podd_error_t *err)
{
	struct ctr_refs *c = data;
	char **ids = realloc(c->ids, (c->n + 1) * sizeof(char *));
	char **names = ids ? realloc(c->names, (c->n + 1) * sizeof(char *)) : NULL;
	char **images = names ? realloc(c->images, (c->n + 1) * sizeof(char *)) : NULL;

	if (ids)
		c->ids = ids;
	if (names)
		c->names = names;
	if (images == NULL)
		return podd_error_sys(err, ENOMEM, "images");
	c->images = images;
	c->ids[c->n] = strdup(rec->id);
	c->names[c->n] = strdup(rec->name);
	c->images[c->n] = strdup(rec->image_id);
	c->n++;
	if (!c->ids[c->n - 1] || !c->names[c->n - 1] || !c->images[c->n - 1])
		return podd_error_sys(err, ENOMEM, "images");
	return 0;
}

static void ctr_refs_free(struct ctr_refs *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->ids[i]);
		free(c->names[i]);
		free(c->images[i]);
	}
	free(c->ids);
	free(c->names);
	free(c->images);
}

int image_list_filter(struct engine *e, char *const *specs, size_t n_specs, int64_t now,
		      struct image_list *l, podd_error_t *err)
{
	__attribute__((cleanup(ctr_refs_free))) struct ctr_refs ctrs = { 0 };
	struct image_filters fs;
	size_t kept = 0;
	bool *keep;

	if (image_filters_parse(specs, n_specs, now, &fs, err) < 0 ||
	    image_filters_resolve(&fs, l->v, l->n, err) < 0)
		return -1;
	if (image_filters_need_containers(&fs) &&
	    (state_list(e, true, collect_ctr, &ctrs, err) < 0 ||
	     image_filters_check_containers(&fs, ctrs.ids, ctrs.names, ctrs.n, err) < 0))
		return -1;
	keep = calloc(l->n + 1, sizeof(bool));
	if (keep == NULL)
		return podd_error_sys(err, ENOMEM, "images");
	for (size_t i = 0; i < l->n; i++) {
		const Podd__ImageRecord *r = l->v[i];
		Podd__ImageConfig *cfg = NULL;
		cleanup_free char **cids = calloc(ctrs.n + 1, sizeof(char *));
		cleanup_free char **cnames = calloc(ctrs.n + 1, sizeof(char *));
		struct image_facts facts = { .is_parent = image_is_parent(r, l),
					     .container_ids = cids, .container_names = cnames };
		if (cids == NULL || cnames == NULL) {
			free(keep);
			return podd_error_sys(err, ENOMEM, "images");
		}
		for (size_t k = 0; k < ctrs.n; k++)
			if (strcmp(ctrs.images[k], r->id) == 0) {
				cids[facts.n_containers] = ctrs.ids[k];
				cnames[facts.n_containers++] = ctrs.names[k];
			}
		if (image_filters_need_labels(&fs)) {
			if (image_config_get(e, r->id, r->manifest_digest, &cfg, err) < 0) {
				free(keep);
				return -1;
			}
			facts.label_keys = cfg->label_keys;
			facts.label_values = cfg->label_values;
			facts.n_labels = cfg->n_label_keys;
		}
		keep[i] = image_filters_match(&fs, r, &facts);
		if (cfg)
			podd__image_config__free_unpacked(cfg, NULL);
	}
	for (size_t i = 0; i < l->n; i++) {
		if (keep[i])
			l->v[kept++] = l->v[i];
		else
			podd__image_record__free_unpacked(l->v[i], NULL);
	}
	l->n = kept;
	free(keep);
	return 0;
}

size_t image_mount_sources(const Podd__ImageRecord *rec, const char *domain,
			   const char *dest_repo, char (*out)[PODD_IMAGE_REPO_MAX + 1], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < rec->n_names && n < max; i++) {
		struct podd_reference r;
		podd_error_t err = NULL;
		bool seen = false;

		if (podd_reference_parse(rec->names[i], &r, &err) < 0) {
			podd_error_free(&err);
			continue;
		}
		if (!r.qualified || strcmp(r.domain, domain) != 0 ||
		    strcmp(r.repository, dest_repo) == 0)
			continue;
		for (size_t k = 0; k < n; k++)
			seen = seen || strcmp(out[k], r.repository) == 0;
		if (!seen)
			snprintf(out[n++], PODD_IMAGE_REPO_MAX + 1, "%s", r.repository);
	}
	return n;
}
