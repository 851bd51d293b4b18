/* podctl's image calls (images.h). Every record podd-state or podd-image
 * sends is checked before podctl prints from it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "images.h"
#include "validate.h"

#define STATE(e) engine_state(e)
#define IMAGE(e) (&(e)->helpers[HELPER_IMAGE].peer)

static int image_record_sane(const Podd__ImageRecord *rec, podd_error_t *err)
{
	if (rec == NULL || !podd_id_valid(rec->id))
		return podd_error(err, PODD_E_PROTOCOL, "malformed image record");
	return 0;
}

int image_lookup(struct engine *e, const char *name_or_id, Podd__ImageRecord **rec,
		 podd_error_t *err)
{
	Podd__LookupImageRequest req = PODD__LOOKUP_IMAGE_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

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

int image_gc(struct engine *e, podd_error_t *err)
{
	Podd__GcRequest req = PODD__GC_REQUEST__INIT;
	struct image_list l;
	cleanup_free char **ids = NULL;
	cleanup_free char **digests = NULL;
	size_t nd = 0, cap = 0;
	ProtobufCMessage *m = NULL;
	int r;

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

int image_config_get(struct engine *e, const char *id, Podd__ImageConfig **out,
		     podd_error_t *err)
{
	Podd__ImageConfigRequest req = PODD__IMAGE_CONFIG_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.id = (char *)id;
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
