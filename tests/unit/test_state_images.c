/* podd-state's image records and image names on a real LMDB file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config_check.h"
#include "state.h"
#include "state_fixture.h"
#include "validate.h"

#define IMG_A "aa11000000000000000000000000000000000000000000000000000000000000"
#define IMG_A2 "aa22000000000000000000000000000000000000000000000000000000000000"
#define IMG_B "bb00000000000000000000000000000000000000000000000000000000000000"
#define DIGEST "sha256:cc00000000000000000000000000000000000000000000000000000000000000"
#define LAYER "sha256:dd00000000000000000000000000000000000000000000000000000000000000"
#define CTR "ee00000000000000000000000000000000000000000000000000000000000000"

/* A record as podd-image would send it for image `id` with one name. */
struct image_in {
	char id[65];
	char config_digest[80];
	char *names[4];
	char *digests[1];
	char *layers[1];
	Podd__ImageRecord rec;
};

static void image_in_init(struct image_in *in, const char *id, const char *name)
{
	Podd__ImageRecord init = PODD__IMAGE_RECORD__INIT;
	memset(in, 0, sizeof(*in));
	in->rec = init;
	snprintf(in->id, sizeof(in->id), "%s", id);
	snprintf(in->config_digest, sizeof(in->config_digest), "sha256:%s", id);
	in->rec.id = in->id;
	in->rec.config_digest = in->config_digest;
	in->names[0] = (char *)name;
	in->rec.names = in->names;
	in->rec.n_names = name ? 1 : 0;
	in->digests[0] = DIGEST;
	in->rec.digests = in->digests;
	in->rec.n_digests = 1;
	in->layers[0] = LAYER;
	in->rec.layers = in->layers;
	in->rec.n_layers = 1;
	in->rec.manifest_digest = DIGEST;
	in->rec.size = 4096;
	in->rec.created_ns = 1700000000000000000;
}

static void create(struct fixture *fx, const char *id, const char *name)
{
	struct image_in in;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;

	image_in_init(&in, id, name);
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), 0);
	assert_string_equal(out->id, id);
	image_record_freep(&out);
}

static int resolve(struct fixture *fx, const char *what, char id[65], podd_error_t *err)
{
	MDB_txn *txn;
	int r;
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	r = images_resolve(txn, &fx->ctx.db, what, id, err);
	mdb_txn_abort(txn);
	return r;
}

static void assert_resolves(struct fixture *fx, const char *what, const char *want)
{
	podd_error_t err = NULL;
	char id[65];
	if (resolve(fx, what, id, &err) < 0)
		fail_msg("%s: %s", what, err->msg);
	assert_string_equal(id, want);
}

static void assert_not_known(struct fixture *fx, const char *what)
{
	podd_error_t err = NULL;
	char id[65];
	assert_int_equal(resolve(fx, what, id, &err), -1);
	assert_int_equal(err->code, PODD_E_NO_SUCH_OBJECT);
	podd_error_free(&err);
}

static Podd__ImageRecord *get(struct fixture *fx, const char *id)
{
	Podd__ImageRecord *rec = NULL;
	podd_error_t err = NULL;
	MDB_txn *txn;
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(images_get(txn, &fx->ctx.db, id, &rec, &err), 0);
	mdb_txn_abort(txn);
	return rec;
}

static uint64_t count(struct fixture *fx, MDB_dbi dbi)
{
	podd_error_t err = NULL;
	uint64_t n = 0;
	MDB_txn *txn;
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(db_count(txn, dbi, &n, &err), 0);
	mdb_txn_abort(txn);
	return n;
}

static void test_create_stores_the_record_and_its_names(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *rec;

	create(fx, IMG_A, "localhost/busybox:latest");
	rec = get(fx, IMG_A);
	assert_int_equal(rec->schema_version, STATE_SCHEMA_VERSION);
	assert_int_equal(rec->n_names, 1);
	assert_string_equal(rec->names[0], "localhost/busybox:latest");
	assert_int_equal(rec->n_layers, 1);
	assert_string_equal(rec->layers[0], LAYER);
	assert_int_equal(rec->size, 4096);
	assert_int_equal(rec->created_ns, 1700000000000000000);
	image_record_freep(&rec);
	assert_int_equal(count(fx, fx->ctx.db.images), 1);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);
	/* Image names are not container names. */
	assert_int_equal(count(fx, fx->ctx.db.names), 0);
}

static void test_lookup_by_id_sha256_id_name_and_unique_prefix(void **state)
{
	struct fixture *fx = *state;

	create(fx, IMG_A, "localhost/busybox:latest");
	create(fx, IMG_B, "127.0.0.1:5000/podd/alpine:3");
	assert_resolves(fx, IMG_A, IMG_A);
	assert_resolves(fx, "sha256:" IMG_B, IMG_B);
	assert_resolves(fx, "localhost/busybox:latest", IMG_A);
	assert_resolves(fx, "127.0.0.1:5000/podd/alpine:3", IMG_B);
	assert_resolves(fx, "aa1", IMG_A);
	assert_resolves(fx, "b", IMG_B);
	assert_not_known(fx, "c");
	assert_not_known(fx, "localhost/busybox:1");
	assert_not_known(fx, "Not A Name");
}

static void test_short_names_get_latest_and_localhost(void **state)
{
	struct fixture *fx = *state;

	create(fx, IMG_A, "localhost/busybox:latest");
	create(fx, IMG_B, "127.0.0.1:5000/podd/alpine:3");
	assert_resolves(fx, "busybox", IMG_A);
	assert_resolves(fx, "busybox:latest", IMG_A);
	assert_resolves(fx, "localhost/busybox", IMG_A);
	/* A short name matches the repository on any registry. */
	assert_resolves(fx, "podd/alpine:3", IMG_B);
	assert_resolves(fx, "alpine:3", IMG_B);
	assert_not_known(fx, "alpine");
}

static void test_short_name_on_two_registries_is_ambiguous(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	create(fx, IMG_A, "quay.io/x/tool:1");
	create(fx, IMG_B, "docker.io/y/tool:1");
	assert_int_equal(resolve(fx, "tool:1", id, &err), -1);
	assert_int_equal(err->code, PODD_E_AMBIGUOUS);
	podd_error_free(&err);
	assert_resolves(fx, "x/tool:1", IMG_A);
}

static void test_lookup_ambiguous_prefix_is_an_error(void **state)
{
	struct fixture *fx = *state;
	podd_error_t err = NULL;
	char id[65];

	create(fx, IMG_A, NULL);
	create(fx, IMG_A2, NULL);
	assert_int_equal(resolve(fx, "aa", id, &err), -1);
	assert_int_equal(err->code, PODD_E_AMBIGUOUS);
	podd_error_free(&err);
	assert_resolves(fx, "aa2", IMG_A2);
}

static void test_name_wins_over_id_prefix(void **state)
{
	struct fixture *fx = *state;

	/* "bb" is IMG_B's prefix and, completed, IMG_A's name. */
	create(fx, IMG_A, "localhost/bb:latest");
	create(fx, IMG_B, NULL);
	assert_resolves(fx, "bb", IMG_A);
	assert_resolves(fx, "bb0", IMG_B);
}

/* An id (or sha256:id) names that image or none: a tag that reads
 * "sha256:<id>" must not stand in for the absent image. */
static void test_an_absent_id_is_not_resolved_through_a_name(void **state)
{
	struct fixture *fx = *state;
	char name[128];

	snprintf(name, sizeof(name), "localhost/sha256:%s", IMG_B);
	create(fx, IMG_A, name);
	assert_resolves(fx, name, IMG_A);
	snprintf(name, sizeof(name), "sha256:%s", IMG_B);
	assert_not_known(fx, name);
	assert_not_known(fx, IMG_B);
}

/* A record that could not be read back in one frame is never stored. */
static void test_a_record_too_large_for_a_frame_is_refused(void **state)
{
	struct fixture *fx = *state;
	struct image_in in;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;
	static char names[256][PODD_IMAGE_NAME_BUF];
	char *np[256];

	/* 256 names of ~270 bytes: past the 64 KiB a record may take (128
	 * layers, PODD_IMAGE_LAYERS_MAX, are far from it). */
	image_in_init(&in, IMG_A, "localhost/big:latest");
	for (size_t i = 0; i < 256; i++) {
		snprintf(names[i], sizeof(names[i]), "localhost/%0245zu:latest", i);
		np[i] = names[i];
	}
	in.rec.names = np;
	in.rec.n_names = 256;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	assert_non_null(strstr(err->msg, "larger than"));
	podd_error_free(&err);
	assert_int_equal(count(fx, fx->ctx.db.images), 0);
}

static void test_create_of_an_existing_image_adds_its_names(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *rec;

	create(fx, IMG_A, "localhost/busybox:latest");
	create(fx, IMG_A, "docker.io/library/busybox:1.36");
	create(fx, IMG_A, "localhost/busybox:latest");
	rec = get(fx, IMG_A);
	assert_int_equal(rec->n_names, 2);
	assert_string_equal(rec->names[0], "localhost/busybox:latest");
	assert_string_equal(rec->names[1], "docker.io/library/busybox:1.36");
	assert_int_equal(rec->n_digests, 1);
	image_record_freep(&rec);
	assert_int_equal(count(fx, fx->ctx.db.images), 1);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 2);
}

static void test_create_takes_a_name_from_the_image_that_had_it(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *old;

	/* A newer pull of the same tag: the old image becomes dangling. */
	create(fx, IMG_A, "localhost/app:latest");
	create(fx, IMG_B, "localhost/app:latest");
	assert_resolves(fx, "app", IMG_B);
	old = get(fx, IMG_A);
	assert_int_equal(old->n_names, 0);
	image_record_freep(&old);
}

static void test_tag_moves_a_name_from_another_image(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *out = NULL, *rec;
	podd_error_t err = NULL;

	create(fx, IMG_A, "localhost/web:latest");
	create(fx, IMG_B, "localhost/db:latest");
	assert_int_equal(images_tag(&fx->ctx.db, "db", "web", &out, &err), 0);
	assert_string_equal(out->id, IMG_B);
	assert_int_equal(out->n_names, 2);
	assert_string_equal(out->names[1], "localhost/web:latest");
	image_record_freep(&out);
	assert_resolves(fx, "web", IMG_B);
	rec = get(fx, IMG_A);
	assert_int_equal(rec->n_names, 0);
	image_record_freep(&rec);
	/* Tagging again with a name it has changes nothing. */
	assert_int_equal(images_tag(&fx->ctx.db, IMG_B, "localhost/web:latest", &out, &err), 0);
	assert_int_equal(out->n_names, 2);
	image_record_freep(&out);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 2);
}

static void test_tag_with_an_invalid_name_is_refused(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;

	create(fx, IMG_A, "localhost/web:latest");
	assert_int_equal(images_tag(&fx->ctx.db, "web", "Web:1", &out, &err), -1);
	assert_int_equal(err->code, PODD_E_INVALID_ARGUMENT);
	podd_error_free(&err);
	assert_int_equal(images_tag(&fx->ctx.db, "nothere", "web:2", &out, &err), -1);
	assert_int_equal(err->code, PODD_E_NO_SUCH_OBJECT);
	assert_string_equal(err->msg, "nothere: image not known");
	podd_error_free(&err);
	assert_null(out);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);
}

static void test_untag_drops_one_name_or_all(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;

	create(fx, IMG_A, "localhost/web:latest");
	assert_int_equal(images_tag(&fx->ctx.db, "web", "web:2", &out, &err), 0);
	image_record_freep(&out);
	assert_int_equal(images_tag(&fx->ctx.db, "web", "web:3", &out, &err), 0);
	image_record_freep(&out);

	assert_int_equal(images_untag(&fx->ctx.db, IMG_A, "web:2", &out, &err), 0);
	assert_int_equal(out->n_names, 2);
	assert_string_equal(out->names[0], "localhost/web:latest");
	assert_string_equal(out->names[1], "localhost/web:3");
	image_record_freep(&out);
	assert_not_known(fx, "web:2");

	assert_int_equal(images_untag(&fx->ctx.db, IMG_A, "web:2", &out, &err), -1);
	assert_int_equal(err->code, PODD_E_NO_SUCH_OBJECT);
	assert_string_equal(err->msg, "localhost/web:2: tag not known");
	podd_error_free(&err);

	assert_int_equal(images_untag(&fx->ctx.db, IMG_A, "", &out, &err), 0);
	assert_int_equal(out->n_names, 0);
	image_record_freep(&out);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 0);
	assert_resolves(fx, IMG_A, IMG_A);
}

struct collected {
	size_t chunks, records, more_flags;
	bool last_had_more;
	char ids[8][65];
};

static int collect(void *arg, ProtobufCMessage **m, size_t n, bool more, podd_error_t *err)
{
	Podd__ImageRecord **items = (Podd__ImageRecord **)m;
	struct collected *c = arg;
	(void)err;
	c->chunks++;
	c->more_flags += more;
	c->last_had_more = more;
	for (size_t i = 0; i < n; i++) {
		if (c->records < 8)
			memcpy(c->ids[c->records], items[i]->id, 65);
		c->records++;
	}
	return 0;
}

static void test_list_streams_every_image_in_chunks(void **state)
{
	struct fixture *fx = *state;
	struct collected c = { 0 };
	podd_error_t err = NULL;

	assert_int_equal(images_list(&fx->ctx.db, 4096, collect, &c, &err), 0);
	assert_int_equal(c.chunks, 1);
	assert_int_equal(c.records, 0);
	assert_false(c.last_had_more);

	create(fx, IMG_A, "localhost/a:latest");
	create(fx, IMG_A2, "localhost/a2:latest");
	create(fx, IMG_B, "localhost/b:latest");
	memset(&c, 0, sizeof(c));
	assert_int_equal(images_list(&fx->ctx.db, 4096, collect, &c, &err), 0);
	assert_int_equal(c.chunks, 1);
	assert_int_equal(c.records, 3);
	assert_string_equal(c.ids[0], IMG_A);
	assert_string_equal(c.ids[2], IMG_B);

	/* A chunk size below one record: one record per chunk, MORE on all
	 * but the last. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(images_list(&fx->ctx.db, 1, collect, &c, &err), 0);
	assert_int_equal(c.chunks, 3);
	assert_int_equal(c.records, 3);
	assert_int_equal(c.more_flags, 2);
	assert_false(c.last_had_more);
}

static void test_remove_is_refused_while_a_container_uses_the_image(void **state)
{
	struct fixture *fx = *state;
	Podd__ContainerRecord *ctr = NULL;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;
	MDB_txn *txn;

	create(fx, IMG_A, "localhost/web:latest");
	fixture_put(fx, CTR, "c1",
		    (struct spec){ .state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED });
	/* The container record names the image by id. */
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(db_get_container(txn, &fx->ctx.db, CTR, &ctr, &err), 0);
	/* The unpacked empty string is protobuf-c's shared default, not
	 * ours to free; free_unpacked frees the replacement. */
	ctr->image = strdup("localhost/web:latest");
	ctr->image_id = strdup(IMG_A);
	assert_int_equal(db_put_container(txn, &fx->ctx.db, ctr, 0, &err), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	record_freep(&ctr);

	assert_int_equal(images_remove(&fx->ctx.db, "web", false, &out, &err), -1);
	assert_int_equal(err->code, PODD_E_STATE_IMPROPER);
	assert_non_null(strstr(err->msg, "image used by " CTR));
	podd_error_free(&err);
	assert_null(out);
	assert_resolves(fx, "web", IMG_A);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);

	assert_int_equal(images_remove(&fx->ctx.db, "web", true, &out, &err), 0);
	assert_string_equal(out->id, IMG_A);
	assert_int_equal(out->n_names, 1);
	image_record_freep(&out);
	assert_not_known(fx, "web");
	assert_not_known(fx, IMG_A);
	assert_int_equal(count(fx, fx->ctx.db.images), 0);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 0);
}

/* A container made from an image the name has since moved away from
 * keeps that image, and does not hold the name's new image. */
static void test_remove_compares_the_containers_image_id_not_its_name(void **state)
{
	struct fixture *fx = *state;
	Podd__ContainerRecord *ctr = NULL;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;
	MDB_txn *txn;

	create(fx, IMG_A, "localhost/web:latest");
	create(fx, IMG_B, "localhost/db:latest");
	fixture_put(fx, CTR, "c1",
		    (struct spec){ .state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED });
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(db_get_container(txn, &fx->ctx.db, CTR, &ctr, &err), 0);
	ctr->image = strdup("localhost/web:latest");
	ctr->image_id = strdup(IMG_B);
	assert_int_equal(db_put_container(txn, &fx->ctx.db, ctr, 0, &err), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	record_freep(&ctr);

	/* The name matches, the id does not: not in use. */
	assert_int_equal(images_remove(&fx->ctx.db, "web", false, &out, &err), 0);
	assert_string_equal(out->id, IMG_A);
	image_record_freep(&out);
	/* The id matches, whatever the name says. */
	assert_int_equal(images_remove(&fx->ctx.db, IMG_B, false, &out, &err), -1);
	assert_int_equal(err->code, PODD_E_STATE_IMPROPER);
	assert_non_null(strstr(err->msg, "image used by " CTR));
	podd_error_free(&err);
	assert_resolves(fx, "db", IMG_B);
}

static void test_remove_of_an_unused_image_drops_it_and_its_names(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;

	create(fx, IMG_A, "localhost/web:latest");
	create(fx, IMG_B, "localhost/db:latest");
	fixture_put(fx, CTR, "c1",
		    (struct spec){ .state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED });
	assert_int_equal(images_remove(&fx->ctx.db, "sha256:" IMG_A, false, &out, &err), 0);
	image_record_freep(&out);
	assert_not_known(fx, "web");
	assert_resolves(fx, "db", IMG_B);
	assert_int_equal(count(fx, fx->ctx.db.images), 1);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);
}

/* Each mutation of a valid record must be refused, and store nothing. */
static void test_invalid_records_are_refused_and_store_nothing(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad_names[] = {
		"busybox:latest",           /* no registry */
		"localhost/busybox",        /* no tag */
		"localhost/BusyBox:latest", /* uppercase repository */
		"localhost/busybox:la test",
		"",
	};
	static const char *const bad_digests[] = {
		"sha256:cc",
		"md5:cc00000000000000000000000000000000000000000000000000000000000000",
		"sha256:CC00000000000000000000000000000000000000000000000000000000000000",
		"",
	};
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;
	struct image_in in;

	create(fx, IMG_B, "localhost/keep:latest");
	for (size_t i = 0; i < PODD_ARRAY_SIZE(bad_names); i++) {
		image_in_init(&in, IMG_A, "localhost/good:latest");
		/* The bad name second: a check after the first claim would
		 * leave the first behind. */
		in.names[1] = (char *)bad_names[i];
		in.rec.n_names = 2;
		assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
		assert_int_equal(err->code, PODD_E_INVALID_ARGUMENT);
		podd_error_free(&err);
	}
	for (size_t i = 0; i < PODD_ARRAY_SIZE(bad_digests); i++) {
		image_in_init(&in, IMG_A, "localhost/good:latest");
		in.digests[0] = (char *)bad_digests[i];
		assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
		podd_error_free(&err);
		image_in_init(&in, IMG_A, "localhost/good:latest");
		in.layers[0] = (char *)bad_digests[i];
		assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
		podd_error_free(&err);
		if (bad_digests[i][0] != '\0') {
			image_in_init(&in, IMG_A, "localhost/good:latest");
			in.rec.manifest_digest = (char *)bad_digests[i];
			assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
			podd_error_free(&err);
		}
	}
	image_in_init(&in, "AA11", "localhost/good:latest");
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	/* The id must be the config digest's hex. */
	image_in_init(&in, IMG_A, "localhost/good:latest");
	in.rec.config_digest = "sha256:" IMG_B;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	assert_non_null(strstr(err->msg, "config digest"));
	podd_error_free(&err);
	image_in_init(&in, IMG_A, "localhost/good:latest");
	in.rec.top_layer = "xyz";
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	image_in_init(&in, IMG_A, "localhost/good:latest");
	in.rec.size = -1;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	/* A name taken from another image in a refused create stays there. */
	image_in_init(&in, IMG_A, "localhost/keep:latest");
	in.names[1] = "localhost/Bad:latest";
	in.rec.n_names = 2;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);

	assert_null(out);
	assert_int_equal(count(fx, fx->ctx.db.images), 1);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);
	assert_resolves(fx, "keep", IMG_B);
	assert_not_known(fx, "good");
	assert_not_known(fx, IMG_A);
}

/* The run config podd-image adds to a record: stored and answered as
 * given; a record stored without one (an older store) takes it from the
 * next create of the same image; one that does not fit the record's
 * layers, or is no bounded config, is refused and stores nothing. */
static void test_run_config_is_kept_checked_and_adopted(void **state)
{
	struct fixture *fx = *state;
	Podd__ImageRunConfig run = PODD__IMAGE_RUN_CONFIG__INIT;
	char *env[] = { "PATH=/bin" }, *cmd[] = { "sh" };
	char *chains[] = { CTR }, *two[] = { CTR, CTR }, *bad[] = { "xyz" };
	static char big[PODD_IMAGE_RUN_MAX_BYTES + 1];
	char *bigv[] = { big };
	Podd__ImageRecord *out = NULL, *rec;
	podd_error_t err = NULL;
	struct image_in in;

	run.working_dir = "/srv";
	run.env = env;
	run.n_env = 1;
	run.cmd = cmd;
	run.n_cmd = 1;
	run.chain_ids = chains;
	run.n_chain_ids = 1;

	/* Refused: no layer ids for the record's layer, two for one, an
	 * invalid one, a relative working dir, a run config over the bound. */
	image_in_init(&in, IMG_A, "localhost/run:latest");
	in.rec.run = &run;
	run.n_chain_ids = 0;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	run.chain_ids = two;
	run.n_chain_ids = 2;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	run.chain_ids = bad;
	run.n_chain_ids = 1;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	run.chain_ids = chains;
	run.working_dir = "srv";
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	podd_error_free(&err);
	run.working_dir = "/srv";
	memset(big, 'a', sizeof(big) - 1);
	run.cmd = bigv;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	assert_non_null(strstr(err->msg, "larger than"));
	podd_error_free(&err);
	run.cmd = cmd;
	assert_null(out);
	assert_int_equal(count(fx, fx->ctx.db.images), 0);

	/* Stored without, then created again with: adopted. */
	create(fx, IMG_A, "localhost/run:latest");
	rec = get(fx, IMG_A);
	assert_null(rec->run);
	image_record_freep(&rec);
	image_in_init(&in, IMG_A, "localhost/run:latest");
	in.rec.run = &run;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), 0);
	image_record_freep(&out);
	rec = get(fx, IMG_A);
	assert_non_null(rec->run);
	assert_string_equal(rec->run->working_dir, "/srv");
	assert_int_equal(rec->run->n_env, 1);
	assert_string_equal(rec->run->env[0], "PATH=/bin");
	assert_int_equal(rec->run->n_cmd, 1);
	assert_string_equal(rec->run->cmd[0], "sh");
	assert_int_equal(rec->run->n_chain_ids, 1);
	assert_string_equal(rec->run->chain_ids[0], CTR);
	image_record_freep(&rec);
}

/* A failure inside the transaction, after the record was written and a
 * first name claimed: the second name's holder has a corrupt record. */
static void test_failed_create_leaves_the_database_unchanged(void **state)
{
	struct fixture *fx = *state;
	MDB_val key = { PODD_ID_LEN, (void *)IMG_B }, val = { 3, "bad" };
	Podd__ImageRecord *out = NULL;
	podd_error_t err = NULL;
	struct image_in in;
	MDB_txn *txn;

	create(fx, IMG_B, "localhost/b:latest");
	assert_int_equal(mdb_txn_begin(fx->ctx.db.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, fx->ctx.db.images, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);

	image_in_init(&in, IMG_A, "localhost/a:latest");
	in.names[1] = "localhost/b:latest";
	in.rec.n_names = 2;
	assert_int_equal(images_create(&fx->ctx.db, &in.rec, &out, &err), -1);
	assert_int_equal(err->code, PODD_E_INTERNAL);
	assert_non_null(strstr(err->msg, "image " IMG_A ": move name localhost/b:latest"));
	podd_error_free(&err);
	assert_null(out);
	assert_not_known(fx, IMG_A);
	assert_not_known(fx, "localhost/a:latest");
	assert_int_equal(count(fx, fx->ctx.db.images), 1);
	assert_int_equal(count(fx, fx->ctx.db.image_names), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_stores_the_record_and_its_names),
		T(test_lookup_by_id_sha256_id_name_and_unique_prefix),
		T(test_short_names_get_latest_and_localhost),
		T(test_short_name_on_two_registries_is_ambiguous),
		T(test_lookup_ambiguous_prefix_is_an_error),
		T(test_name_wins_over_id_prefix),
		T(test_an_absent_id_is_not_resolved_through_a_name),
		T(test_a_record_too_large_for_a_frame_is_refused),
		T(test_create_of_an_existing_image_adds_its_names),
		T(test_create_takes_a_name_from_the_image_that_had_it),
		T(test_tag_moves_a_name_from_another_image),
		T(test_tag_with_an_invalid_name_is_refused),
		T(test_untag_drops_one_name_or_all),
		T(test_list_streams_every_image_in_chunks),
		T(test_remove_is_refused_while_a_container_uses_the_image),
		T(test_remove_compares_the_containers_image_id_not_its_name),
		T(test_remove_of_an_unused_image_drops_it_and_its_names),
		T(test_invalid_records_are_refused_and_store_nothing),
		T(test_failed_create_leaves_the_database_unchanged),
		T(test_run_config_is_kept_checked_and_adopted),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
