/* The helpers of util.h that need no libarchive: opening beneath the
 * store without following a symlink, hex encoding, sha256, and cleanup
 * wrappers for OpenSSL, json-c and directories. What podd-image-registry
 * links includes this, never util.h (which adds libarchive's). */
#ifndef PODD_IMAGE_UTIL_BASE_H
#define PODD_IMAGE_UTIL_BASE_H

#include <dirent.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <sys/types.h>

#include "blobs.h"
#include "error.h"

/* openat2 of `path` beneath `dirfd`, no symlink or magic link on the way
 * (O_CLOEXEC | O_NOFOLLOW added): the store is podd-image's alone, but a
 * link planted in it must still not take a read or a write elsewhere.
 * Retried while a rename races the lookup. Returns the descriptor, or -1
 * with errno set. */
int open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* `len` bytes as 2 * len lowercase hex digits and a NUL into `hex`. */
void hex_encode(const unsigned char *raw, size_t len, char *hex);

/* The sha256 a digest context finished with, or of a buffer, as a digest
 * (lowercase hex). */
int sha256_final(EVP_MD_CTX *md, struct digest *out, podd_error_t *err);
int sha256_buffer(const void *buf, size_t len, struct digest *out, podd_error_t *err);

static inline void md_freep(EVP_MD_CTX **p)
{
	EVP_MD_CTX_free(*p);
	*p = NULL;
}
#define cleanup_md __attribute__((cleanup(md_freep)))

static inline void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
	*o = NULL;
}
#define cleanup_json __attribute__((cleanup(json_putp)))

static inline void dir_closep(DIR **d)
{
	if (*d)
		closedir(*d);
	*d = NULL;
}
#define cleanup_dir __attribute__((cleanup(dir_closep)))

#endif
