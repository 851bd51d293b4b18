/* Image records ("images": id -> ImageRecord) and image names
 * ("image_names": name -> NameRecord of kind IMAGE). Image names are a
 * namespace of their own, apart from the one containers and pods share, as
 * in podman. Every change is one write transaction: a name moving from one
 * image to another, and both records, change together or not at all.
 * No per-image lock: LMDB serializes write transactions, and each
 * read-modify-write here happens inside one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config_check.h"
#include "log.h"
#include "validate.h"
#include "state.h"

/* Bounds on a received record's lists: far above any real image, low
 * enough that one record stays a small LMDB value and a small frame.
 * Layers: PODD_IMAGE_LAYERS_MAX, the bound podd-image stores images by. */
#define IMAGE_NAMES_MAX 256
#define IMAGE_DIGESTS_MAX 256

/* Chunk size of a streamed list: well under PODD_FRAME_MAX_PAYLOAD. */
#define IMAGE_LIST_CHUNK_BYTES (96u * 1024u)

static int image_not_known(podd_error_t *err, const char *what)
{
	/* podman's wording: "Error: busybox: image not known". */
	return podd_error(err, PODD_E_NO_SUCH_OBJECT, "%.*s: image not known",
			  PODD_IMAGE_NAME_MAX, what);
}

/* On a valid name: is its first part a registry (validate.h's rule)? */
static bool image_name_has_host(const char *in)
{
	const char *slash = strchr(in, '/');
	size_t n = slash ? (size_t)(slash - in) : 0;
	return slash && (memchr(in, '.', n) || memchr(in, ':', n) ||
			 (n == 9 && memcmp(in, "localhost", 9) == 0));
}

/* Well under the 128 KiB frame limit and the 96 KiB list chunk. */
#define IMAGE_RECORD_MAX (64 * 1024)

static int image_put(MDB_txn *txn, struct state_db *db, const Podd__ImageRecord *rec,
		     podd_error_t *err)
{
	MDB_val key = { strlen(rec->id), rec->id }, val;
	int rc;

	val.mv_size = podd__image_record__get_packed_size(rec);
	/* Every record must still fit in one answer frame (and a list
	 * chunk): a record that grew past it could never be read again. */
	if (val.mv_size > IMAGE_RECORD_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: record of %zu bytes is larger than %d", rec->id,
				  val.mv_size, IMAGE_RECORD_MAX);
	val.mv_data = NULL;
	rc = mdb_put(txn, db->images, &key, &val, MDB_RESERVE);
	if (rc != 0)
		return db_error(err, rc, "write image %s", rec->id);
	podd__image_record__pack(rec, val.mv_data);
	return 0;
}

int images_get(MDB_txn *txn, struct state_db *db, const char *id, Podd__ImageRecord **out,
	       podd_error_t *err)
{
	MDB_val key = { strlen(id), (void *)id }, val;
	Podd__ImageRecord *rec;
	int rc;

	*out = NULL;
	rc = mdb_get(txn, db->images, &key, &val);
	if (rc == MDB_NOTFOUND)
		return image_not_known(err, id);
	if (rc != 0)
		return db_error(err, rc, "read image %s", id);
	rec = podd__image_record__unpack(NULL, val.mv_size, val.mv_data);
	/* A record under another id than its own would let an operation on
	 * one image act on another. */
	if (rec == NULL || strcmp(rec->id, id) != 0 ||
	    rec->schema_version != STATE_SCHEMA_VERSION) {
		if (rec)
			podd__image_record__free_unpacked(rec, NULL);
		return podd_error(err, PODD_E_INTERNAL,
				  "state database: record of image %s is corrupt or of another "
				  "schema version than %u",
				  id, STATE_SCHEMA_VERSION);
	}
	*out = rec;
	return 0;
}

/* The image holding `name`; *found false if none. */
static int image_name_get(MDB_txn *txn, struct state_db *db, const char *name, char id[65],
			  bool *found, podd_error_t *err)
{
	MDB_val key = { strlen(name), (void *)name }, val;
	Podd__NameRecord *nr;
	bool ok;
	int rc;

	*found = false;
	rc = mdb_get(txn, db->image_names, &key, &val);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_error(err, rc, "look up image name %s", name);
	nr = podd__name_record__unpack(NULL, val.mv_size, val.mv_data);
	ok = nr != NULL && nr->kind == PODD__OBJECT_KIND__OBJECT_KIND_IMAGE &&
	     podd_id_valid(nr->id);
	if (ok) {
		memcpy(id, nr->id, PODD_ID_LEN + 1);
		*found = true;
	}
	if (nr)
		podd__name_record__free_unpacked(nr, NULL);
	if (!ok)
		return podd_error(err, PODD_E_INTERNAL, "state database: image name %s is corrupt",
				  name);
	return 0;
}

static int image_name_delete_if_ours(MDB_txn *txn, struct state_db *db, const char *name,
				     const char *id, podd_error_t *err)
{
	MDB_val key = { strlen(name), (void *)name };
	char holder[PODD_ID_LEN + 1];
	bool found;
	int rc;

	if (image_name_get(txn, db, name, holder, &found, err) < 0)
		return -1;
	if (!found || strcmp(holder, id) != 0)
		return 0;
	rc = mdb_del(txn, db->image_names, &key, NULL);
	if (rc != 0)
		return db_error(err, rc, "delete image name %s", name);
	return 0;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* a, then what of b is not in it: a new array of borrowed strings. */
static char **strv_union(char *const *a, size_t na, char *const *b, size_t nb, size_t *n)
{
	char **v = malloc((na + nb + 1) * sizeof(*v));
	*n = 0;
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < na + nb; i++) {
		char *s = i < na ? a[i] : b[i - na];
		if (!strv_has(v, *n, s))
			v[(*n)++] = s;
	}
	return v;
}

/* Write rec with `names` (borrowed) in place of its own. */
static int image_put_names(MDB_txn *txn, struct state_db *db, Podd__ImageRecord *rec,
			   char **names, size_t n, podd_error_t *err)
{
	char **saved = rec->names;
	size_t nsaved = rec->n_names;
	int r;

	if (n > IMAGE_NAMES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: more than %d names", rec->id, IMAGE_NAMES_MAX);
	rec->names = names;
	rec->n_names = n;
	r = image_put(txn, db, rec, err);
	rec->names = saved;
	rec->n_names = nsaved;
	return r;
}

static int image_put_without_name(MDB_txn *txn, struct state_db *db, Podd__ImageRecord *rec,
				  const char *name, podd_error_t *err)
{
	cleanup_free char **kept = malloc((rec->n_names + 1) * sizeof(*kept));
	size_t n = 0;

	if (kept == NULL)
		return podd_error_sys(err, ENOMEM, "image %s", rec->id);
	for (size_t i = 0; i < rec->n_names; i++)
		if (strcmp(rec->names[i], name) != 0)
			kept[n++] = rec->names[i];
	return image_put_names(txn, db, rec, kept, n, err);
}

/* Point `name` at image `id`. An image that held it loses it, as podman's
 * tag and pull move a tag; the caller writes id's own record. */
static int image_name_claim(MDB_txn *txn, struct state_db *db, const char *name, const char *id,
			    podd_error_t *err)
{
	Podd__NameRecord nr = PODD__NAME_RECORD__INIT;
	MDB_val key = { strlen(name), (void *)name }, val;
	char holder[PODD_ID_LEN + 1];
	bool found;
	int rc;

	if (image_name_get(txn, db, name, holder, &found, err) < 0)
		return -1;
	if (found && strcmp(holder, id) == 0)
		return 0;
	if (found) {
		cleanup_image_record Podd__ImageRecord *other = NULL;
		if (images_get(txn, db, holder, &other, err) < 0 ||
		    image_put_without_name(txn, db, other, name, err) < 0)
			return podd_error_wrap(err, "move name %s from image %s", name, holder);
		podd_debug("image name %s moves from %s to %s", name, holder, id);
	}
	nr.schema_version = STATE_SCHEMA_VERSION;
	nr.kind = PODD__OBJECT_KIND__OBJECT_KIND_IMAGE;
	nr.id = (char *)id;
	val.mv_size = podd__name_record__get_packed_size(&nr);
	val.mv_data = NULL;
	rc = mdb_put(txn, db->image_names, &key, &val, MDB_RESERVE);
	if (rc != 0)
		return db_error(err, rc, "write image name %s", name);
	podd__name_record__pack(&nr, val.mv_data);
	return 0;
}

static int image_id_exists(MDB_txn *txn, struct state_db *db, const char *id, bool *found,
			   podd_error_t *err)
{
	MDB_val key = { PODD_ID_LEN, (void *)id }, val;
	int rc = mdb_get(txn, db->images, &key, &val);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_error(err, rc, "look up image %s", id);
	*found = rc == 0;
	return 0;
}

/* podman's short-name fallback: "busybox" or "podd/busybox:1" matches a
 * stored name ending in "/busybox:latest" or "/podd/busybox:1" (any
 * registry). Two images matching is ambiguous. */
static int image_name_suffix(MDB_txn *txn, struct state_db *db, const char *short_name,
			     char id[65], bool *found, podd_error_t *err)
{
	char suffix[PODD_IMAGE_NAME_BUF];
	const char *last_slash = strrchr(short_name, '/');
	bool has_tag = strchr(last_slash ? last_slash : short_name, ':') != NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	size_t slen;
	int rc;

	*found = false;
	slen = (size_t)snprintf(suffix, sizeof(suffix), "/%s%s", short_name,
				has_tag ? "" : ":latest");
	if (slen >= sizeof(suffix))
		return 0;
	rc = mdb_cursor_open(txn, db->image_names, &cur);
	if (rc != 0)
		return db_error(err, rc, "cursor");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		char name[PODD_IMAGE_NAME_BUF], holder[PODD_ID_LEN + 1];
		bool held;
		if (key.mv_size < slen || key.mv_size >= sizeof(name) ||
		    memcmp((char *)key.mv_data + key.mv_size - slen, suffix, slen) != 0)
			continue;
		memcpy(name, key.mv_data, key.mv_size);
		name[key.mv_size] = '\0';
		if (image_name_get(txn, db, name, holder, &held, err) < 0) {
			mdb_cursor_close(cur);
			return -1;
		}
		if (!held || (*found && strcmp(holder, id) == 0))
			continue;
		if (*found) {
			mdb_cursor_close(cur);
			return podd_error(err, PODD_E_AMBIGUOUS,
					  "short name \"%s\" matches more than one image (%.12s, "
					  "%.12s): use a full name",
					  short_name, id, holder);
		}
		memcpy(id, holder, PODD_ID_LEN + 1);
		*found = true;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return db_error(err, rc, "look up image name %s", short_name);
	return 0;
}

static int image_id_prefix(MDB_txn *txn, struct state_db *db, const char *prefix, char id[65],
			   bool *found, podd_error_t *err)
{
	size_t plen = strlen(prefix);
	MDB_val key = { plen, (void *)prefix }, val;
	MDB_cursor *cur = NULL;
	int rc;

	*found = false;
	rc = mdb_cursor_open(txn, db->images, &cur);
	if (rc != 0)
		return db_error(err, rc, "cursor");
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	if (rc == 0 && key.mv_size == PODD_ID_LEN && memcmp(key.mv_data, prefix, plen) == 0) {
		memcpy(id, key.mv_data, PODD_ID_LEN);
		id[PODD_ID_LEN] = '\0';
		*found = true;
		rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
		if (rc == 0 && key.mv_size >= plen && memcmp(key.mv_data, prefix, plen) == 0) {
			mdb_cursor_close(cur);
			return podd_error(err, PODD_E_AMBIGUOUS,
					  "more than one result for image ID prefix \"%s\": "
					  "ambiguous ID prefix",
					  prefix);
		}
		rc = 0;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_error(err, rc, "look up image %s", prefix);
	return 0;
}

int images_resolve(MDB_txn *txn, struct state_db *db, const char *name_or_id, char id[65],
		   podd_error_t *err)
{
	const char *hex = name_or_id;
	char completed[PODD_IMAGE_NAME_BUF];
	bool found = false;

	if (strlen(name_or_id) > PODD_IMAGE_NAME_MAX || name_or_id[0] == '\0')
		return image_not_known(err, name_or_id);
	/* 1. "sha256:<id>" or a full id: that image or none, never a name
	 * that happens to read like one (a tag "sha256:<hex>" must not
	 * stand in for an absent image, as in podman). */
	if (strncmp(hex, "sha256:", 7) == 0 && podd_id_valid(hex + 7))
		hex += 7;
	if (podd_id_valid(hex)) {
		if (image_id_exists(txn, db, hex, &found, err) < 0)
			return -1;
		if (!found)
			return image_not_known(err, name_or_id);
		memcpy(id, hex, PODD_ID_LEN + 1);
		return 0;
	}
	if (podd_image_name_valid(name_or_id)) {
		/* 2. The name as given. */
		if (image_name_get(txn, db, name_or_id, id, &found, err) < 0)
			return -1;
		if (found)
			return 0;
		/* 3. Completed: ":latest" added, "localhost/" before a name
		 * without a registry. */
		if (podd_image_name_complete(name_or_id, completed) &&
		    strcmp(completed, name_or_id) != 0) {
			if (image_name_get(txn, db, completed, id, &found, err) < 0)
				return -1;
			if (found)
				return 0;
		}
	}
	/* 4. A unique id prefix (before the suffix match, as podman's
	 * LookupImage tries a short id before matching repo tags). */
	if (podd_id_prefix_valid(name_or_id)) {
		if (image_id_prefix(txn, db, name_or_id, id, &found, err) < 0)
			return -1;
		if (found)
			return 0;
	}
	/* 5. A name without a registry, on any registry. */
	if (podd_image_name_valid(name_or_id) && !image_name_has_host(name_or_id)) {
		if (image_name_suffix(txn, db, name_or_id, id, &found, err) < 0)
			return -1;
		if (found)
			return 0;
	}
	return image_not_known(err, name_or_id);
}

static int check_digests(const char *what, const char *id, char *const *v, size_t n,
			 size_t max, podd_error_t *err)
{
	if (n > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %s: more than %zu %s", id,
				  max, what);
	for (size_t i = 0; i < n; i++)
		if (!podd_digest_valid(v[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "image %s: %s \"%.80s\" is not sha256:<64 hex>", id, what,
					  v[i]);
	return 0;
}

int image_record_check(const Podd__ImageRecord *rec, podd_error_t *err)
{
	if (rec == NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image record missing");
	if (!podd_id_valid(rec->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image id \"%.80s\" is not 64 lowercase hex digits", rec->id);
	/* The id is the config digest's hex: one image, one id, wherever it
	 * came from. */
	if (strncmp(rec->config_digest, "sha256:", 7) != 0 ||
	    strcmp(rec->config_digest + 7, rec->id) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: config digest \"%.80s\" is not sha256:<its id>", rec->id,
				  rec->config_digest);
	if (rec->n_names > IMAGE_NAMES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %s: more than %d names",
				  rec->id, IMAGE_NAMES_MAX);
	for (size_t i = 0; i < rec->n_names; i++)
		if (!podd_image_name_qualified(rec->names[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "image %s: name \"%.80s\" is not a fully qualified "
					  "registry/repository:tag",
					  rec->id, rec->names[i]);
	if (check_digests("digest", rec->id, rec->digests, rec->n_digests, IMAGE_DIGESTS_MAX,
			  err) < 0 ||
	    check_digests("layer", rec->id, rec->layers, rec->n_layers, PODD_IMAGE_LAYERS_MAX,
			  err) < 0)
		return -1;
	if (rec->manifest_digest[0] != '\0' && !podd_digest_valid(rec->manifest_digest))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: manifest digest \"%.80s\" is not sha256:<64 hex>",
				  rec->id, rec->manifest_digest);
	if (rec->top_layer[0] != '\0' && !podd_id_valid(rec->top_layer))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: top layer \"%.80s\" is not 64 lowercase hex digits",
				  rec->id, rec->top_layer);
	if (rec->created_ns < 0 || rec->size < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "image %s: negative creation time or size", rec->id);
	if (rec->run && podd_image_run_check(rec->run, rec->n_layers, err) < 0)
		return podd_error_wrap(err, "image %s", rec->id);
	return 0;
}

int images_create(struct state_db *db, const Podd__ImageRecord *in, Podd__ImageRecord **out,
		  podd_error_t *err)
{
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_image_record Podd__ImageRecord *stored = NULL;
	cleanup_free char **names = NULL;
	cleanup_free char **digests = NULL;
	size_t nnames, ndigests;
	int rc;

	*out = NULL;
	if (image_record_check(in, err) < 0)
		return -1;
	rc = mdb_txn_begin(db->env, NULL, 0, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (images_get(txn, db, in->id, &stored, err) < 0) {
		Podd__ImageRecord rec;
		if ((*err)->code != PODD_E_NO_SUCH_OBJECT)
			return -1;
		podd_error_free(err);
		rec = *in;
		rec.schema_version = STATE_SCHEMA_VERSION;
		if (rec.created_ns == 0)
			rec.created_ns = state_now_ns();
		names = strv_union(in->names, in->n_names, NULL, 0, &nnames);
		digests = strv_union(in->digests, in->n_digests, NULL, 0, &ndigests);
		if (names == NULL || digests == NULL)
			return podd_error_sys(err, ENOMEM, "image %s", in->id);
		rec.digests = digests;
		rec.n_digests = ndigests;
		/* The record first, so that a name moving from another image
		 * never points at a missing one, even inside the transaction. */
		if (image_put_names(txn, db, &rec, names, nnames, err) < 0)
			return -1;
	} else {
		/* Present already (podman load of an image it has): the names
		 * and digests are added; the rest is the same image, since the
		 * id is the digest of the config that lists its layers. */
		char **saved_digests = stored->digests;
		size_t nsaved = stored->n_digests;
		Podd__ImageRunConfig *saved_run = stored->run;
		names = strv_union(stored->names, stored->n_names, in->names, in->n_names, &nnames);
		digests = strv_union(stored->digests, stored->n_digests, in->digests,
				     in->n_digests, &ndigests);
		if (names == NULL || digests == NULL)
			return podd_error_sys(err, ENOMEM, "image %s", in->id);
		if (ndigests > IMAGE_DIGESTS_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "image %s: more than %d digests", in->id,
					  IMAGE_DIGESTS_MAX);
		stored->digests = digests;
		stored->n_digests = ndigests;
		/* A record from an older store gets the run config now. */
		if (stored->run == NULL)
			stored->run = in->run;
		rc = image_put_names(txn, db, stored, names, nnames, err);
		stored->digests = saved_digests;
		stored->n_digests = nsaved;
		stored->run = saved_run;
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < in->n_names; i++)
		if (image_name_claim(txn, db, in->names[i], in->id, err) < 0)
			return podd_error_wrap(err, "image %s", in->id);
	if (images_get(txn, db, in->id, out, err) < 0)
		return -1;
	rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0) {
		image_record_freep(out);
		return db_error(err, rc, "commit image %s", in->id);
	}
	podd_debug("stored image %s (%zu names)", in->id, (*out)->n_names);
	return 0;
}

/* Resolve and load, in a write transaction the caller commits. */
static int image_begin_write(struct state_db *db, const char *name_or_id, MDB_txn **txn,
			     Podd__ImageRecord **rec, podd_error_t *err)
{
	char id[PODD_ID_LEN + 1];
	int rc = mdb_txn_begin(db->env, NULL, 0, txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (images_resolve(*txn, db, name_or_id, id, err) < 0 ||
	    images_get(*txn, db, id, rec, err) < 0)
		return -1;
	return 0;
}

static int image_commit(MDB_txn **txn, struct state_db *db, const char *id,
			Podd__ImageRecord **out, podd_error_t *err)
{
	int rc;
	if (images_get(*txn, db, id, out, err) < 0)
		return -1;
	rc = mdb_txn_commit(steal_pointer(txn));
	if (rc != 0) {
		image_record_freep(out);
		return db_error(err, rc, "commit image %s", id);
	}
	return 0;
}

int images_tag(struct state_db *db, const char *name_or_id, const char *name,
	       Podd__ImageRecord **out, podd_error_t *err)
{
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	char full[PODD_IMAGE_NAME_BUF];

	*out = NULL;
	if (!podd_image_name_complete(name, full))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "tag \"%.80s\": not a valid image name "
				  "([registry[:port]/]repository[:tag], repository lowercase)",
				  name);
	if (image_begin_write(db, name_or_id, &txn, &rec, err) < 0)
		return -1;
	if (image_name_claim(txn, db, full, rec->id, err) < 0)
		return -1;
	if (!strv_has(rec->names, rec->n_names, full)) {
		cleanup_free char **names = NULL;
		char *add[] = { full };
		size_t n;
		names = strv_union(rec->names, rec->n_names, add, 1, &n);
		if (names == NULL)
			return podd_error_sys(err, ENOMEM, "tag image %s", rec->id);
		if (image_put_names(txn, db, rec, names, n, err) < 0)
			return -1;
	}
	return image_commit(&txn, db, rec->id, out, err);
}

int images_untag(struct state_db *db, const char *name_or_id, const char *name,
		 Podd__ImageRecord **out, podd_error_t *err)
{
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	char full[PODD_IMAGE_NAME_BUF];

	*out = NULL;
	if (name[0] != '\0' && !podd_image_name_complete(name, full))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "untag \"%.80s\": not a valid image name", name);
	if (image_begin_write(db, name_or_id, &txn, &rec, err) < 0)
		return -1;
	if (name[0] == '\0') {
		for (size_t i = 0; i < rec->n_names; i++)
			if (image_name_delete_if_ours(txn, db, rec->names[i], rec->id, err) < 0)
				return -1;
		if (image_put_names(txn, db, rec, NULL, 0, err) < 0)
			return -1;
	} else {
		if (!strv_has(rec->names, rec->n_names, full))
			/* podman: "Error: localhost/web:latest: tag not known". */
			return podd_error(err, PODD_E_NO_SUCH_OBJECT, "%s: tag not known", full);
		if (image_name_delete_if_ours(txn, db, full, rec->id, err) < 0 ||
		    image_put_without_name(txn, db, rec, full, err) < 0)
			return -1;
	}
	return image_commit(&txn, db, rec->id, out, err);
}

/* The first container whose record names this image, by id or by one of
 * its names; "" if none. */
static int image_user(MDB_txn *txn, struct state_db *db, const Podd__ImageRecord *img,
		      char user[65], podd_error_t *err)
{
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	int rc;

	user[0] = '\0';
	rc = mdb_cursor_open(txn, db->containers, &cur);
	if (rc != 0)
		return db_error(err, rc, "cursor");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0 && user[0] == '\0';
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		Podd__ContainerRecord *c =
			podd__container_record__unpack(NULL, val.mv_size, val.mv_data);
		if (c == NULL)
			continue;
		/* By id only: a name moves between images (a newer load of
		 * :latest), the container keeps the image it was made from. */
		if (podd_id_valid(c->id) && strcmp(c->image_id, img->id) == 0)
			memcpy(user, c->id, PODD_ID_LEN + 1);
		podd__container_record__free_unpacked(c, NULL);
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_error(err, rc, "list containers");
	return 0;
}

int images_remove(struct state_db *db, const char *name_or_id, bool force,
		  Podd__ImageRecord **out, podd_error_t *err)
{
	cleanup_txn MDB_txn *txn = NULL;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	char user[PODD_ID_LEN + 1];
	MDB_val key;
	int rc;

	*out = NULL;
	if (image_begin_write(db, name_or_id, &txn, &rec, err) < 0)
		return -1;
	if (!force) {
		if (image_user(txn, db, rec, user, err) < 0)
			return -1;
		if (user[0] != '\0')
			/* podman's wording. */
			return podd_error(err, PODD_E_STATE_IMPROPER,
					  "image used by %s: image is in use by a container: "
					  "consider listing external containers and force-removing "
					  "image",
					  user);
	}
	for (size_t i = 0; i < rec->n_names; i++)
		if (image_name_delete_if_ours(txn, db, rec->names[i], rec->id, err) < 0)
			return -1;
	key.mv_size = PODD_ID_LEN;
	key.mv_data = rec->id;
	rc = mdb_del(txn, db->images, &key, NULL);
	if (rc == 0)
		rc = mdb_txn_commit(steal_pointer(&txn));
	if (rc != 0)
		return db_error(err, rc, "remove image %s", rec->id);
	podd_debug("removed image %s", rec->id);
	*out = steal_pointer(&rec);
	return 0;
}

int images_list(struct state_db *db, size_t chunk_bytes, db_chunk_fn send, void *arg,
		podd_error_t *err)
{
	return db_list(db, db->images, &podd__image_record__descriptor, "images", chunk_bytes,
		       NULL, send, arg, err);
}

/* Handlers: thin shells over the functions above (dispatch table in
 * main.c). */

static int reply_image(struct podd_server *srv, const struct podd_request *req,
		       const Podd__ImageRecord *rec, podd_error_t *err)
{
	return podd_server_reply(srv, req, PODD__STATE_TYPE__STATE_TYPE_IMAGE, 0, &rec->base,
				 NULL, 0, err);
}

int handle_create_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__CreateImageRequest *r = (const Podd__CreateImageRequest *)req->msg;
	struct state_ctx *ctx = srv->data;
	cleanup_image_record Podd__ImageRecord *rec = NULL;

	if (state_require_open(ctx, err) < 0 || images_create(&ctx->db, r->record, &rec, err) < 0)
		return -1;
	return reply_image(srv, req, rec, err);
}

int handle_lookup_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__LookupImageRequest *r = (const Podd__LookupImageRequest *)req->msg;
	struct state_ctx *ctx = srv->data;
	cleanup_image_record Podd__ImageRecord *rec = NULL;
	cleanup_txn MDB_txn *txn = NULL;
	char id[PODD_ID_LEN + 1];
	int rc;

	if (state_require_open(ctx, err) < 0)
		return -1;
	rc = mdb_txn_begin(ctx->db.env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return db_error(err, rc, "begin");
	if (images_resolve(txn, &ctx->db, r->name_or_id, id, err) < 0 ||
	    images_get(txn, &ctx->db, id, &rec, err) < 0)
		return -1;
	return reply_image(srv, req, rec, err);
}

struct list_reply {
	struct podd_server *srv;
	const struct podd_request *req;
};

static int send_image_chunk(void *arg, ProtobufCMessage **items, size_t n, bool more,
			    podd_error_t *err)
{
	struct list_reply *lr = arg;
	Podd__ImageList list = PODD__IMAGE_LIST__INIT;
	list.images = (Podd__ImageRecord **)items;
	list.n_images = n;
	return podd_server_reply(lr->srv, lr->req, PODD__STATE_TYPE__STATE_TYPE_IMAGE_LIST,
				 more ? PODD_FRAME_MORE : 0, &list.base, NULL, 0, err);
}

int handle_list_images(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err)
{
	struct state_ctx *ctx = srv->data;
	struct list_reply lr = { srv, req };

	if (state_require_open(ctx, err) < 0)
		return -1;
	return images_list(&ctx->db, IMAGE_LIST_CHUNK_BYTES, send_image_chunk, &lr, err);
}

int handle_remove_image(struct podd_server *srv, const struct podd_request *req,
			podd_error_t *err)
{
	const Podd__RemoveImageRequest *r = (const Podd__RemoveImageRequest *)req->msg;
	struct state_ctx *ctx = srv->data;
	cleanup_image_record Podd__ImageRecord *rec = NULL;

	if (state_require_open(ctx, err) < 0 ||
	    images_remove(&ctx->db, r->name_or_id, r->force, &rec, err) < 0)
		return -1;
	return reply_image(srv, req, rec, err);
}

int handle_tag_image(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__TagImageRequest *r = (const Podd__TagImageRequest *)req->msg;
	struct state_ctx *ctx = srv->data;
	cleanup_image_record Podd__ImageRecord *rec = NULL;

	if (state_require_open(ctx, err) < 0 ||
	    images_tag(&ctx->db, r->name_or_id, r->name, &rec, err) < 0)
		return -1;
	return reply_image(srv, req, rec, err);
}

int handle_untag_image(struct podd_server *srv, const struct podd_request *req,
		       podd_error_t *err)
{
	const Podd__UntagImageRequest *r = (const Podd__UntagImageRequest *)req->msg;
	struct state_ctx *ctx = srv->data;
	cleanup_image_record Podd__ImageRecord *rec = NULL;

	if (state_require_open(ctx, err) < 0 ||
	    images_untag(&ctx->db, r->name_or_id, r->name, &rec, err) < 0)
		return -1;
	return reply_image(srv, req, rec, err);
}
