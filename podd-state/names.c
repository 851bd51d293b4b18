/* Names: one namespace shared by containers and pods, kept in the "names"
 * table (name -> NameRecord). Resolution order is podman's: full id, then
 * name, then unique id prefix. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "cleanup.h"
#include "validate.h"
#include "state.h"

static const char *const adjectives[] = {
	"admiring", "amazing", "awesome", "blissful", "bold", "brave", "busy", "charming",
	"clever", "compassionate", "confident", "cool", "dazzling", "determined", "eager",
	"ecstatic", "elastic", "elegant", "epic", "fervent", "festive", "focused", "friendly",
	"gallant", "gifted", "goofy", "gracious", "happy", "hopeful", "hungry", "inspiring",
	"intelligent", "jolly", "keen", "kind", "laughing", "loving", "lucid", "magical",
	"modest", "musing", "nice", "nifty", "nostalgic", "optimistic", "peaceful", "practical",
	"quirky", "quizzical", "relaxed", "reverent", "romantic", "serene", "sharp", "silly",
	"sleepy", "stoic", "sweet", "tender", "trusting", "upbeat", "vibrant", "vigilant",
	"wizardly", "wonderful", "youthful", "zealous", "zen",
};

static const char *const surnames[] = {
	"agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bell",
	"bhabha", "blackwell", "bohr", "booth", "borg", "brahmagupta", "brattain", "brown",
	"cannon", "cerf", "chandrasekhar", "clarke", "curie", "darwin", "davinci", "dijkstra",
	"easley", "einstein", "elion", "engelbart", "euclid", "euler", "fermat", "fermi",
	"feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking",
	"heisenberg", "hermann", "hodgkin", "hopper", "hypatia", "jang", "jennings", "kalam",
	"kepler", "knuth", "lalande", "lamarr", "leakey", "lovelace", "lumiere", "mahavira",
	"mayer", "mccarthy", "meitner", "mendel", "mirzakhani", "morse", "newton", "nobel",
	"noether", "pare", "pascal", "pasteur", "perlman", "pike", "poincare", "ptolemy",
	"raman", "ritchie", "rosalind", "sammet", "shannon", "shockley", "sinoussi", "stallman",
	"swartz", "tesla", "thompson", "torvalds", "turing", "varahamihira", "wescoff", "wiles",
	"williams", "wozniak", "wright", "yalow", "yonath",
};

#define NAME_TRIES 32

static int name_taken(MDB_txn *txn, struct state_db *db, const char *name, bool *taken,
		      podd_error_t *err)
{
	MDB_val key = { strlen(name), (void *)name }, val;
	int rc = mdb_get(txn, db->names, &key, &val);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_error(err, rc, "look up name %s", name);
	*taken = rc == 0;
	return 0;
}

int names_generate(MDB_txn *txn, struct state_db *db, char *out, size_t size, podd_error_t *err)
{
	for (int i = 0; i < NAME_TRIES; i++) {
		uint32_t r[2];
		bool taken = false;
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return podd_error_sys(err, errno, "random name");
		/* After half the tries the plain pairs are crowded: add digits,
		 * as docker's generator does. */
		if (i < NAME_TRIES / 2)
			snprintf(out, size, "%s_%s", adjectives[r[0] % PODD_ARRAY_SIZE(adjectives)],
				 surnames[r[1] % PODD_ARRAY_SIZE(surnames)]);
		else
			snprintf(out, size, "%s_%s%u", adjectives[r[0] % PODD_ARRAY_SIZE(adjectives)],
				 surnames[r[1] % PODD_ARRAY_SIZE(surnames)], (r[0] >> 8) % 1000);
		if (name_taken(txn, db, out, &taken, err) < 0)
			return -1;
		if (!taken)
			return 0;
	}
	return podd_error(err, PODD_E_INTERNAL, "no free random name after %d tries", NAME_TRIES);
}

static int resolve_name(MDB_txn *txn, struct state_db *db, const char *name, char id[65],
			bool *found, podd_error_t *err)
{
	MDB_val key = { strlen(name), (void *)name }, val;
	Podd__NameRecord *rec;
	int rc;

	*found = false;
	rc = mdb_get(txn, db->names, &key, &val);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_error(err, rc, "look up name %s", name);
	rec = podd__name_record__unpack(NULL, val.mv_size, val.mv_data);
	if (rec == NULL || !podd_id_valid(rec->id)) {
		if (rec)
			podd__name_record__free_unpacked(rec, NULL);
		return podd_error(err, PODD_E_INTERNAL, "state database: name %s is corrupt", name);
	}
	if (rec->kind == PODD__OBJECT_KIND__OBJECT_KIND_CONTAINER) {
		memcpy(id, rec->id, 65);
		*found = true;
	}
	podd__name_record__free_unpacked(rec, NULL);
	return 0;
}

int names_resolve_container(MDB_txn *txn, struct state_db *db, const char *name_or_id,
			    char id[65], podd_error_t *err)
{
	size_t plen = strlen(name_or_id);
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	bool found;
	int rc;

	if (podd_id_valid(name_or_id)) {
		key.mv_size = plen;
		key.mv_data = (void *)name_or_id;
		rc = mdb_get(txn, db->containers, &key, &val);
		if (rc == 0) {
			memcpy(id, name_or_id, 65);
			return 0;
		}
		if (rc != MDB_NOTFOUND)
			return db_error(err, rc, "look up %s", name_or_id);
	}
	if (podd_name_valid(name_or_id)) {
		if (resolve_name(txn, db, name_or_id, id, &found, err) < 0)
			return -1;
		if (found)
			return 0;
	}
	if (podd_id_prefix_valid(name_or_id)) {
		rc = mdb_cursor_open(txn, db->containers, &cur);
		if (rc != 0)
			return db_error(err, rc, "cursor");
		key.mv_size = plen;
		key.mv_data = (void *)name_or_id;
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
		if (rc == 0 && key.mv_size == PODD_ID_LEN && memcmp(key.mv_data, name_or_id, plen) == 0) {
			memcpy(id, key.mv_data, PODD_ID_LEN);
			id[PODD_ID_LEN] = '\0';
			rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
			mdb_cursor_close(cur);
			if (rc == 0 && memcmp(key.mv_data, name_or_id, plen) == 0)
				return podd_error(err, PODD_E_AMBIGUOUS,
						  "more than one result for container ID prefix \"%s\": "
						  "ambiguous ID prefix",
						  name_or_id);
			return 0;
		}
		mdb_cursor_close(cur);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return db_error(err, rc, "look up %s", name_or_id);
	}
	return podd_error(err, PODD_E_NO_SUCH_CONTAINER,
			  "no container with name or ID \"%s\" found: no such container", name_or_id);
}

int names_put(MDB_txn *txn, struct state_db *db, const char *name, const char *id,
		    podd_error_t *err)
{
	Podd__NameRecord nr = PODD__NAME_RECORD__INIT;
	MDB_val key = { strlen(name), (void *)name }, val;
	int rc;

	nr.schema_version = STATE_SCHEMA_VERSION;
	nr.kind = PODD__OBJECT_KIND__OBJECT_KIND_CONTAINER;
	nr.id = (char *)id;
	val.mv_size = podd__name_record__get_packed_size(&nr);
	val.mv_data = NULL;
	rc = mdb_put(txn, db->names, &key, &val, MDB_NOOVERWRITE | MDB_RESERVE);
	if (rc == MDB_KEYEXIST) {
		Podd__NameRecord *other = podd__name_record__unpack(NULL, val.mv_size, val.mv_data);
		podd_error(err, PODD_E_NAME_IN_USE,
			   "the container name \"%s\" is already in use by %s. You have to remove "
			   "that container to be able to reuse that name: that name is already in use",
			   name, other ? other->id : "another object");
		if (other)
			podd__name_record__free_unpacked(other, NULL);
		return -1;
	}
	if (rc != 0)
		return db_error(err, rc, "write name %s", name);
	podd__name_record__pack(&nr, val.mv_data);
	return 0;
}

int names_delete_if_ours(MDB_txn *txn, struct state_db *db, const char *name,
			       const char *id, podd_error_t *err)
{
	MDB_val key = { strlen(name), (void *)name }, val;
	Podd__NameRecord *nr;
	bool ours;
	int rc = mdb_get(txn, db->names, &key, &val);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_error(err, rc, "look up name %s", name);
	nr = podd__name_record__unpack(NULL, val.mv_size, val.mv_data);
	ours = nr == NULL || strcmp(nr->id, id) == 0;
	if (nr)
		podd__name_record__free_unpacked(nr, NULL);
	if (!ours)
		return 0;
	rc = mdb_del(txn, db->names, &key, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_error(err, rc, "delete name %s", name);
	return 0;
}

