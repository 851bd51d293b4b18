/* The content-addressed blob store (blobs.h): registry and archive data
 * lands here, so every name is checked content. sha256 is OpenSSL's
 * (libcrypto EVP), never our own. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blobs.h"
#include "cleanup.h"
#include "util_base.h"

#define DIGEST_PREFIX "sha256:"
/* The OCI grammar bounds neither; a name this long is no algorithm we
 * would print back. */
#define ALGORITHM_MAX 32
/* Reads and writes in this size: enough for the kernel and the hash to run
 * at full speed, small enough that a blob never sits in memory. */
#define BLOB_CHUNK (64 * 1024)

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* OCI image-spec descriptor.md: algorithm := component (separator
 * component)*, component := [a-z0-9]+, separator := [+._-]. */
static bool algorithm_valid(const char *s, size_t len)
{
	bool after_separator = true;
	if (len == 0 || len > ALGORITHM_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			after_separator = false;
		else if (strchr("+._-", c) && !after_separator)
			after_separator = true;
		else
			return false;
	}
	return !after_separator;
}

int digest_parse(const char *s, struct digest *out, podd_error_t *err)
{
	const char *colon;

	if (s == NULL || *s == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid digest: empty");
	colon = strchr(s, ':');
	if (colon && strncmp(s, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) != 0) {
		size_t alen = (size_t)(colon - s);
		if (algorithm_valid(s, alen))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "unsupported digest algorithm \"%.*s\": only sha256 is",
					  (int)alen, s);
	}
	if (colon == NULL || colon != s + sizeof(DIGEST_PREFIX) - 2 ||
	    strncmp(s, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) != 0)
		goto invalid;
	/* The registry's string is hostile: exactly 64 lowercase hex digits
	 * (a NUL, a newline, a '/' or a '.' among them fails here), so the
	 * name can only ever be one file in blobs/sha256. */
	s = colon + 1;
	for (size_t i = 0; i < DIGEST_HEX_LEN; i++)
		if (!is_lower_hex(s[i]))
			goto invalid;
	if (s[DIGEST_HEX_LEN] != '\0')
		goto invalid;
	memcpy(out->hex, s, DIGEST_HEX_LEN);
	out->hex[DIGEST_HEX_LEN] = '\0';
	return 0;
invalid:
	return podd_error(err, PODD_E_INVALID_ARGUMENT,
			  "invalid digest: not sha256: followed by 64 lowercase hex digits");
}

/* blobs/<sub>, created if missing. Directories are 0700: the store is
 * podd-image's (docs/SECURITY.md). Opened for reading, not O_PATH, so
 * that fsync can make a rename in it durable. */
static int store_subdir(int storefd, const char *sub, podd_error_t *err)
{
	cleanup_close int blobsfd = -1;
	int fd;

	if (mkdirat(storefd, "blobs", 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "blob store: mkdir blobs");
	blobsfd = open_beneath(storefd, "blobs", O_RDONLY | O_DIRECTORY, 0);
	if (blobsfd < 0)
		return podd_error_sys(err, errno, "blob store: open blobs");
	if (mkdirat(blobsfd, sub, 0700) < 0 && errno != EEXIST)
		return podd_error_sys(err, errno, "blob store: mkdir blobs/%s", sub);
	fd = open_beneath(blobsfd, sub, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return podd_error_sys(err, errno, "blob store: open blobs/%s", sub);
	return fd;
}

static int sha256_begin(EVP_MD_CTX **out, podd_error_t *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return podd_error(err, PODD_E_INTERNAL, "sha256: OpenSSL cannot start a digest");
	}
	*out = md;
	return 0;
}

/* Context for messages: the digest when we know it. */
static const char *writer_label(const struct blob_writer *w, char *buf, size_t size)
{
	if (!w->have_expected)
		return "blob";
	snprintf(buf, size, "blob " DIGEST_PREFIX "%s", w->expected.hex);
	return buf;
}

void blob_writer_abort(struct blob_writer *w)
{
	int saved = errno;
	if (w == NULL || !w->active)
		return;
	podd_closep(&w->fd);
	if (w->tmpname[0] != '\0')
		unlinkat(w->tmpdirfd, w->tmpname, 0);
	w->tmpname[0] = '\0';
	podd_closep(&w->tmpdirfd);
	podd_closep(&w->sha256dirfd);
	EVP_MD_CTX_free(w->md);
	w->md = NULL;
	w->active = false;
	errno = saved;
}

int blob_writer_open(int storefd, const struct digest *expected, uint64_t expected_size,
		     uint64_t max_size, struct blob_writer *w, podd_error_t *err)
{
	unsigned char rnd[16];
	char label[96];

	*w = (struct blob_writer){ .fd = -1, .tmpdirfd = -1, .sha256dirfd = -1 };
	if (expected) {
		w->have_expected = true;
		w->expected = *expected;
	}
	w->expected_size = expected_size;
	w->max_size = max_size;
	if (expected_size != UINT64_MAX && expected_size > max_size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s: size %llu is over the limit of %llu bytes",
				  writer_label(w, label, sizeof(label)),
				  (unsigned long long)expected_size, (unsigned long long)max_size);

	/* From here on abort undoes whatever exists. */
	w->active = true;
	w->sha256dirfd = store_subdir(storefd, "sha256", err);
	if (w->sha256dirfd < 0)
		goto fail;
	w->tmpdirfd = store_subdir(storefd, "tmp", err);
	if (w->tmpdirfd < 0)
		goto fail;
	if (sha256_begin(&w->md, err) < 0)
		goto fail;

	/* A named temporary, not O_TMPFILE: linking an O_TMPFILE into place
	 * takes AT_EMPTY_PATH (CAP_DAC_READ_SEARCH, which podd-image does not
	 * keep) or a /proc/self/fd path (outside its Landlock domain). A
	 * random name keeps concurrent writers, in this process or another
	 * podd-image, apart; O_EXCL makes a collision an error, not a
	 * shared file. The writer holds flock on it until it is finished,
	 * which tells blob_store_clean_tmp a live temporary from one a
	 * killed process left. */
	for (int tries = 1;; tries++) {
		struct stat st;
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			podd_error_sys(err, errno, "blob store: getrandom");
			goto fail;
		}
		hex_encode(rnd, sizeof(rnd), w->tmpname);
		w->fd = openat(w->tmpdirfd, w->tmpname,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (w->fd < 0) {
			podd_error_sys(err, errno, "blob store: create blobs/tmp/%s", w->tmpname);
			w->tmpname[0] = '\0'; /* not ours to unlink */
			goto fail;
		}
		if (flock(w->fd, LOCK_EX) < 0 || fstat(w->fd, &st) < 0) {
			podd_error_sys(err, errno, "blob store: lock blobs/tmp/%s", w->tmpname);
			goto fail;
		}
		/* A cleaner may have taken the file for an orphan between
		 * our create and our lock, and unlinked it: start again. */
		if (st.st_nlink > 0)
			break;
		podd_closep(&w->fd);
		if (tries == 8) {
			podd_error(err, PODD_E_INTERNAL, "blob store: blobs/tmp/%s removed as "
				   "soon as created, 8 times", w->tmpname);
			w->tmpname[0] = '\0';
			goto fail;
		}
	}
	return 0;
fail:
	blob_writer_abort(w);
	return -1;
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, podd_error_t *err)
{
	const char *p = buf;
	uint64_t limit;
	char label[96];

	if (!w->active)
		return podd_error(err, PODD_E_INTERNAL, "blob store: write to a finished blob");
	/* Refused before a byte of it lands: a registry that sends more than
	 * it announced, or more than we allow, gets no further. */
	limit = w->expected_size < w->max_size ? w->expected_size : w->max_size;
	if (len > limit - w->written) {
		if (w->expected_size <= w->max_size)
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "%s: more data than its size of %llu bytes",
				   writer_label(w, label, sizeof(label)),
				   (unsigned long long)w->expected_size);
		else
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "%s: over the limit of %llu bytes",
				   writer_label(w, label, sizeof(label)),
				   (unsigned long long)w->max_size);
		goto fail;
	}
	if (EVP_DigestUpdate(w->md, buf, len) != 1) {
		podd_error(err, PODD_E_INTERNAL, "sha256: OpenSSL cannot update a digest");
		goto fail;
	}
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* 0 for a regular file would mean no progress: call it
			 * out of space rather than loop. */
			podd_error_sys(err, n < 0 ? errno : ENOSPC, "%s: write blobs/tmp/%s",
				       writer_label(w, label, sizeof(label)), w->tmpname);
			goto fail;
		}
		p += n;
		len -= (size_t)n;
		w->written += (uint64_t)n;
	}
	return 0;
fail:
	blob_writer_abort(w);
	return -1;
}

int blob_writer_commit(struct blob_writer *w, struct digest *got, bool *created,
		       podd_error_t *err)
{
	struct digest computed;
	struct stat st;
	char label[96];
	int r;

	if (created)
		*created = false;
	if (!w->active)
		return podd_error(err, PODD_E_INTERNAL, "blob store: commit of a finished blob");
	writer_label(w, label, sizeof(label));
	if (w->expected_size != UINT64_MAX && w->written != w->expected_size) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: truncated: %llu of %llu bytes",
			   label, (unsigned long long)w->written,
			   (unsigned long long)w->expected_size);
		goto fail;
	}
	if (sha256_final(w->md, &computed, err) < 0)
		goto fail;
	if (w->have_expected && strcmp(computed.hex, w->expected.hex) != 0) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: digest mismatch (got " DIGEST_PREFIX "%s)",
			   label, computed.hex);
		goto fail;
	}
	/* The data reaches the disk before its name does, so a crash never
	 * leaves a named blob with missing content. */
	if (fsync(w->fd) < 0) {
		podd_error_sys(err, errno, "%s: fsync", label);
		goto fail;
	}
	/* w->fd stays open, and locked, until the rename is done: a cleaner
	 * must not take the temporary for an orphan meanwhile. */

	/* RENAME_NOREPLACE: a blob already in place (an earlier pull, or
	 * another writer that won the race) is left untouched, readers of it
	 * included; its name already proves its content, so ours is
	 * dropped. A filesystem without the flag (EINVAL) gets linkat, which
	 * never replaces either. */
	r = renameat2(w->tmpdirfd, w->tmpname, w->sha256dirfd, computed.hex, RENAME_NOREPLACE);
	if (r < 0 && errno == EINVAL)
		r = linkat(w->tmpdirfd, w->tmpname, w->sha256dirfd, computed.hex, 0);
	else if (r == 0)
		w->tmpname[0] = '\0'; /* moved: nothing left to remove */
	if (r < 0 && errno != EEXIST) {
		podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: rename into blobs/sha256",
			       computed.hex);
		goto fail;
	}
	if (r < 0) {
		/* Only a regular file is a blob; whatever else sits there
		 * would be refused by blob_open anyway, say so now. */
		if (fstatat(w->sha256dirfd, computed.hex, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode)) {
			podd_error(err, PODD_E_INTERNAL,
				   "blob " DIGEST_PREFIX "%s: blobs/sha256 holds something "
				   "other than a regular file under its name",
				   computed.hex);
			goto fail;
		}
	}
	/* And the name reaches the disk before we report the blob stored. */
	if (fsync(w->sha256dirfd) < 0) {
		podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: fsync blobs/sha256",
			       computed.hex);
		goto fail;
	}
	if (got)
		*got = computed;
	/* Ours is the blob only when our rename (or link) made the name:
	 * EEXIST means another writer's, which this one must never undo. */
	if (created)
		*created = r == 0;
	blob_writer_abort(w); /* removes the temporary left by linkat or EEXIST */
	return 0;
fail:
	blob_writer_abort(w);
	return -1;
}

int blob_open(int storefd, const struct digest *d, podd_error_t *err)
{
	char path[sizeof("blobs/sha256/") + DIGEST_HEX_LEN];
	struct stat st;
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "blobs/sha256/%s", d->hex);
	/* O_NONBLOCK: a FIFO in its place cannot block us before fstat
	 * refuses it. */
	fd = open_beneath(storefd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0 && errno == ENOENT)
		return podd_error(err, PODD_E_NO_SUCH_OBJECT, "blob " DIGEST_PREFIX "%s: not found",
				  d->hex);
	if (fd < 0 && errno == ELOOP)
		return podd_error(err, PODD_E_NOT_PERMITTED,
				  "blob " DIGEST_PREFIX "%s: a symlink in the store, refused", d->hex);
	if (fd < 0)
		return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: open", d->hex);
	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: stat", d->hex);
	if (!S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_NOT_PERMITTED,
				  "blob " DIGEST_PREFIX "%s: not a regular file, refused", d->hex);
	/* Readers block as usual from here on. */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: fcntl", d->hex);
	return move_fd(&fd);
}

bool blob_present(int storefd, const struct digest *d)
{
	podd_error_t e = NULL;
	int fd = blob_open(storefd, d, &e);
	if (fd < 0) {
		podd_error_free(&e);
		return false;
	}
	close(fd);
	return true;
}

int blob_verify(int storefd, const struct digest *d, podd_error_t *err)
{
	cleanup_close int fd = -1;
	cleanup_free unsigned char *buf = NULL;
	cleanup_md EVP_MD_CTX *md = NULL;
	struct digest computed;
	ssize_t n;

	fd = blob_open(storefd, d, err);
	if (fd < 0)
		return -1;
	/* On the heap: callers may run on small stacks. */
	buf = malloc(BLOB_CHUNK);
	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "blob " DIGEST_PREFIX "%s: verify", d->hex);
	if (sha256_begin(&md, err) < 0)
		return -1;
	while ((n = read(fd, buf, BLOB_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: read", d->hex);
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			return podd_error(err, PODD_E_INTERNAL,
					  "sha256: OpenSSL cannot update a digest");
	}
	if (sha256_final(md, &computed, err) < 0)
		return -1;
	if (strcmp(computed.hex, d->hex) != 0)
		return podd_error(err, PODD_E_INTERNAL,
				  "blob " DIGEST_PREFIX "%s: digest mismatch (got " DIGEST_PREFIX
				  "%s): the store is corrupt",
				  d->hex, computed.hex);
	return 0;
}

int blob_remove(int storefd, const struct digest *d, podd_error_t *err)
{
	cleanup_close int shadirfd = -1;

	shadirfd = open_beneath(storefd, "blobs/sha256", O_PATH | O_DIRECTORY, 0);
	if (shadirfd < 0 && errno == ENOENT)
		return podd_error(err, PODD_E_NO_SUCH_OBJECT, "blob " DIGEST_PREFIX "%s: not found",
				  d->hex);
	if (shadirfd < 0)
		return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: open blobs/sha256",
				      d->hex);
	/* unlinkat never follows: a symlink planted there goes, not its
	 * target. */
	if (unlinkat(shadirfd, d->hex, 0) < 0) {
		if (errno == ENOENT)
			return podd_error(err, PODD_E_NO_SUCH_OBJECT,
					  "blob " DIGEST_PREFIX "%s: not found", d->hex);
		return podd_error_sys(err, errno, "blob " DIGEST_PREFIX "%s: remove", d->hex);
	}
	return 0;
}

/* A temporary's name: 32 lowercase hex digits, as blob_writer_open makes. */
static bool tmpname_valid(const char *name)
{
	size_t i;
	for (i = 0; name[i]; i++)
		if (i >= 32 || !is_lower_hex(name[i]))
			return false;
	return i == 32;
}

int blob_store_clean_tmp(int storefd, unsigned *removed, podd_error_t *err)
{
	cleanup_dir DIR *dir = NULL;
	cleanup_close int tmpdirfd = -1;
	struct dirent *e;

	*removed = 0;
	tmpdirfd = open_beneath(storefd, "blobs/tmp", O_RDONLY | O_DIRECTORY, 0);
	if (tmpdirfd < 0 && errno == ENOENT)
		return 0;
	if (tmpdirfd < 0)
		return podd_error_sys(err, errno, "blob store: open blobs/tmp");
	dir = fdopendir(tmpdirfd);
	if (dir == NULL)
		return podd_error_sys(err, errno, "blob store: read blobs/tmp");
	tmpdirfd = -1; /* the DIR owns it now */
	while ((errno = 0, e = readdir(dir)) != NULL) {
		cleanup_close int fd = -1;
		struct stat st;

		/* Names we never make are not ours to remove. */
		if (!tmpname_valid(e->d_name))
			continue;
		fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue; /* its writer finished meanwhile */
		/* Unsure (no descriptor left, say) is not an orphan. */
		if (fd < 0 && errno != ELOOP)
			return podd_error_sys(err, errno, "blob store: open blobs/tmp/%s",
					      e->d_name);
		/* A live writer holds its lock; a dead one's went with it. A
		 * symlink (ELOOP) or anything but a regular file is no
		 * writer's. */
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK)
				continue;
			return podd_error_sys(err, errno, "blob store: lock blobs/tmp/%s",
					      e->d_name);
		}
		if (unlinkat(dirfd(dir), e->d_name, 0) == 0)
			(*removed)++;
		else if (errno != ENOENT) /* gone: renamed into place meanwhile */
			return podd_error_sys(err, errno, "blob store: remove blobs/tmp/%s",
					      e->d_name);
	}
	if (errno != 0)
		return podd_error_sys(err, errno, "blob store: read blobs/tmp");
	return 0;
}
