/* A fingerprint of the whole LMDB environment: every named database, every
 * key and value, in order. Equal fingerprints mean nothing changed. */
#include "harness.h"

#include <lmdb.h>
#include <openssl/evp.h>
#include <string.h>

static int hash_dbi(MDB_txn *txn, MDB_dbi dbi, EVP_MD_CTX *md)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (mdb_cursor_open(txn, dbi, &cur) != 0)
		return -1;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		EVP_DigestUpdate(md, &k.mv_size, sizeof(k.mv_size));
		EVP_DigestUpdate(md, k.mv_data, k.mv_size);
		EVP_DigestUpdate(md, &v.mv_size, sizeof(v.mv_size));
		EVP_DigestUpdate(md, v.mv_data, v.mv_size);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : -1;
}

int db_hash(const char *dbdir, unsigned char out[32])
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi main_dbi;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 32;
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 32) != 0 ||
	    mdb_env_open(env, dbdir, MDB_RDONLY, 0600) != 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0 || mdb_dbi_open(txn, NULL, 0, &main_dbi) != 0 ||
	    mdb_cursor_open(txn, main_dbi, &cur) != 0)
		goto out;
	/* The main database lists the named ones; hash each of them. */
	for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char name[128];
		MDB_dbi dbi;
		if (k.mv_size >= sizeof(name))
			goto out;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		EVP_DigestUpdate(md, name, k.mv_size);
		if (mdb_dbi_open(txn, name, 0, &dbi) != 0 || hash_dbi(txn, dbi, md) < 0)
			goto out;
	}
	rc = EVP_DigestFinal_ex(md, out, &len) == 1 ? 0 : -1;
out:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	EVP_MD_CTX_free(md);
	return rc;
}
