/* podd-image's shared helpers (util.h). */
#include "util_base.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC | O_NOFOLLOW,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN); /* a rename raced the lookup */
	return fd;
}

void hex_encode(const unsigned char *raw, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[2 * len] = '\0';
}

int sha256_final(EVP_MD_CTX *md, struct digest *out, podd_error_t *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(md, raw, &len) != 1 || len != DIGEST_HEX_LEN / 2)
		return podd_error(err, PODD_E_INTERNAL, "sha256: OpenSSL cannot finish a digest");
	hex_encode(raw, len, out->hex);
	return 0;
}

int sha256_buffer(const void *buf, size_t len, struct digest *out, podd_error_t *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(buf, len, raw, &n, EVP_sha256(), NULL) != 1 || n != DIGEST_HEX_LEN / 2)
		return podd_error(err, PODD_E_INTERNAL, "sha256: OpenSSL cannot digest");
	hex_encode(raw, n, out->hex);
	return 0;
}
