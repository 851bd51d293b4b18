/* What both image processes use from the store (store_meta.h): the lock,
 * chain ids, metadata blobs read into memory. No libarchive here:
 * podd-image-registry links this file and not store.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cleanup.h"
#include "helper.h"
#include "store_meta.h"
#include "util_base.h"

int store_lock(int storefd, bool exclusive, podd_error_t *err)
{
	cleanup_close int fd = open_beneath(storefd, "store.lock", O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return podd_error_sys(err, errno, "image store: open store.lock");
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return podd_error_sys(err, errno, "image store: lock store.lock");
	return move_fd(&fd);
}

int store_open(const char *static_dir, char *path, size_t size, podd_error_t *err)
{
	int fd;

	snprintf(path, size, "%s/storage", static_dir);
	if (podd_mkdir_p(path, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	return fd;
}

int store_lock_try(int storefd, podd_error_t *err)
{
	cleanup_close int fd = open_beneath(storefd, "store.lock", O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return podd_error_sys(err, errno, "image store: open store.lock");
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return -2;
		if (errno != EINTR)
			return podd_error_sys(err, errno, "image store: lock store.lock");
	}
	return move_fd(&fd);
}

int chain_id_next(const struct digest *parent, const struct digest *diff_id,
		  struct digest *out, podd_error_t *err)
{
	char text[2 * (DIGEST_HEX_LEN + 8) + 2];
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int n;

	if (parent == NULL) {
		*out = *diff_id;
		return 0;
	}
	n = snprintf(text, sizeof(text), "sha256:%s sha256:%s", parent->hex, diff_id->hex);
	if (EVP_Digest(text, (size_t)n, raw, &len, EVP_sha256(), NULL) != 1 ||
	    len != DIGEST_HEX_LEN / 2)
		return podd_error(err, PODD_E_INTERNAL, "chain id: OpenSSL cannot digest");
	hex_encode(raw, len, out->hex);
	return 0;
}

int chain_ids_compute(const struct digest *diff_ids, size_t n, struct digest *out,
		      podd_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (chain_id_next(i ? &out[i - 1] : NULL, &diff_ids[i], &out[i], err) < 0)
			return -1;
	return 0;
}

int store_read_blob(int storefd, const struct digest *d, size_t max, char **buf, size_t *len,
		    podd_error_t *err)
{
	cleanup_close int fd = blob_open(storefd, d, err);
	cleanup_free char *b = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "blob sha256:%s: stat", d->hex);
	if ((uint64_t)st.st_size > max)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "blob sha256:%s: %lld bytes, over the limit of %zu for metadata",
				  d->hex, (long long)st.st_size, max);
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL)
		return podd_error_sys(err, ENOMEM, "blob sha256:%s", d->hex);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return podd_error_sys(err, errno, "blob sha256:%s: read", d->hex);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	b[got] = '\0';
	*len = got;
	*buf = steal_pointer(&b);
	return 0;
}
