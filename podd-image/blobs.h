/* The content-addressed blob store (issue 4), beneath podd-image's store
 * directory (`<static>/storage`), laid out as an OCI image layout's blobs:
 *
 *   blobs/sha256/<64 hex>   one file per blob, named by its sha256
 *   blobs/tmp/<32 hex>      blobs being written, random names
 *
 * A blob is streamed into a temporary file while its sha256 is computed;
 * commit checks the digest and size and only then renames it into place.
 * A mismatch, a short or long blob, or an abort removes the temporary:
 * nothing is ever stored under a name its content does not match. Every
 * path is opened relative to the store's descriptor without following a
 * symlink. Errors follow lib/error.h. */
#ifndef PODD_IMAGE_BLOBS_H
#define PODD_IMAGE_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DIGEST_HEX_LEN 64 /* sha256 */

/* A parsed digest; only sha256 is supported. `hex` is 64 lowercase hex
 * digits, NUL-terminated; print it as "sha256:%s". */
struct digest {
	char hex[DIGEST_HEX_LEN + 1];
};

/* Parses `s`, registry input, as "sha256:" followed by exactly 64 lowercase
 * hex digits (the OCI digest grammar restricted to sha256, with the
 * encoding OCI requires for it). Another well-formed algorithm ("sha512:")
 * is "unsupported digest algorithm"; anything else is "invalid digest".
 * Both are PODD_E_INVALID_ARGUMENT. The input is never echoed back except
 * for a well-formed algorithm name. */
int digest_parse(const char *s, struct digest *out, podd_error_t *err);

/* A blob being written. Zero-initialise it (`= { 0 }`) so that
 * blob_writer_abort, and so cleanup_blob_writer, is safe on one never
 * opened. Not shared between threads. */
struct blob_writer {
	bool active;              /* a temporary file exists */
	bool have_expected;       /* `expected` was given */
	struct digest expected;
	uint64_t expected_size;   /* UINT64_MAX: unknown */
	uint64_t max_size;
	uint64_t written;
	int tmpdirfd;             /* blobs/tmp */
	int sha256dirfd;          /* blobs/sha256 */
	int fd;                   /* the temporary file */
	char tmpname[33];         /* its name in blobs/tmp */
	struct evp_md_ctx_st *md; /* OpenSSL's EVP_MD_CTX */
};

/* Starts a blob in `storefd`'s blobs/tmp (creating blobs/, blobs/sha256
 * and blobs/tmp as needed). `expected` may be NULL: the digest is then
 * computed and returned by commit. `expected_size` is UINT64_MAX when
 * unknown; `max_size` bounds the blob in any case (a registry's word on a
 * size is not to be trusted either). */
int blob_writer_open(int storefd, const struct digest *expected, uint64_t expected_size,
		     uint64_t max_size, struct blob_writer *w, podd_error_t *err);

/* Appends `len` bytes. Growing past `expected_size` or `max_size` is an
 * error before anything is written. On any error the writer is aborted
 * (its temporary removed); later calls fail. */
int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, podd_error_t *err);

/* Finishes the blob: checks its size against `expected_size` and its
 * digest against `expected`, fsyncs it and renames it to
 * blobs/sha256/<hex>. A blob already there (an earlier pull, or another
 * writer at the same moment) is success: its name proves its content. On
 * a mismatch nothing is stored. `got` (may be NULL) receives the digest
 * computed. `created` (may be NULL) says whether this writer's rename made
 * the blob: only then may a failed command remove it again (a blob found
 * there, even one another session wrote a moment before, is someone
 * else's). The writer is finished either way. */
int blob_writer_commit(struct blob_writer *w, struct digest *got, bool *created,
		       podd_error_t *err);

/* Discards the blob: closes and removes the temporary. Safe to call on a
 * zeroed, finished or already aborted writer. */
void blob_writer_abort(struct blob_writer *w);

#define cleanup_blob_writer __attribute__((cleanup(blob_writer_abort)))

/* Opens blobs/sha256/<hex> read-only. A symlink anywhere on the way, or a
 * file that is not a regular file, is refused; a missing blob is
 * PODD_E_NO_SUCH_OBJECT "blob sha256:...: not found". */
int blob_open(int storefd, const struct digest *d, podd_error_t *err);

/* Is the blob stored (blob_open succeeds)? Never a reason to take a blob
 * for one's own: blob_writer_commit's `created` says that. */
bool blob_present(int storefd, const struct digest *d);

/* Reads a stored blob again and checks its sha256 (fsck, tests). */
int blob_verify(int storefd, const struct digest *d, podd_error_t *err);

/* Removes a stored blob; a missing one is PODD_E_NO_SUCH_OBJECT. */
int blob_remove(int storefd, const struct digest *d, podd_error_t *err);

/* Removes the temporaries in blobs/tmp that no writer holds: those a
 * podd-image killed mid-write left behind (a live writer keeps flock on its
 * temporary; the kernel drops the lock when the process dies). Safe while
 * other writers run, in this process or others. `removed` counts them. */
int blob_store_clean_tmp(int storefd, unsigned *removed, podd_error_t *err);

#endif
