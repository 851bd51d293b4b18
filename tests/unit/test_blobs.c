/* podd-image's content-addressed blob store (podd-image/blobs.c): what a
 * registry or an archive sends is stored only under the sha256 of what
 * arrived; a mismatch, a short or long blob, an abort leave nothing; a
 * hostile digest string or a planted symlink reach nothing outside. Each
 * test runs in its own store in a fresh mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blobs.h"
#include "cleanup.h"
#include "files.h"

/* Known answers (FIPS 180-2), so the store's hash is checked against
 * something other than itself. */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA256_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

#include "store_fixture.h"

static struct digest digest_of(const char *s)
{
	struct digest d;
	podd_error_t err = NULL;
	assert_int_equal(digest_parse(s, &d, &err), 0);
	assert_null(err);
	return d;
}

/* sha256 of a buffer, hex, by OpenSSL's one-shot call. */
static void sha256_hex(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(buf, len, raw, &n, EVP_sha256(), NULL), 1);
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", raw[i]);
}

/* Entries (not . or ..) in a store subdirectory; a missing one has none. */
static int count_entries(struct store *s, const char *sub)
{
	char path[128];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", s->dir, sub);
	d = opendir(path);
	if (d == NULL) {
		assert_int_equal(errno, ENOENT);
		return 0;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void assert_nothing_stored(struct store *s)
{
	assert_int_equal(count_entries(s, "blobs/sha256"), 0);
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);
}

static void assert_error(podd_error_t *err, int code, const char *msg)
{
	assert_non_null(*err);
	assert_int_equal((*err)->code, code);
	if (strstr((*err)->msg, msg) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", (*err)->msg, msg);
	podd_error_free(err);
}

/* Writes `len` bytes of `data` in chunks of `chunk` and commits. */
static int store_blob(struct store *s, const struct digest *expected, uint64_t expected_size,
		      const char *data, size_t len, size_t chunk, struct digest *got,
		      podd_error_t *err)
{
	struct blob_writer w = { 0 };
	if (blob_writer_open(s->fd, expected, expected_size, 1 << 20, &w, err) < 0)
		return -1;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (blob_writer_write(&w, data + off, n, err) < 0)
			return -1;
	}
	return blob_writer_commit(&w, got, NULL, err);
}

static void test_chunked_blob_is_stored_under_its_digest(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_448), got;
	podd_error_t err = NULL;
	char buf[128];
	struct stat st;
	cleanup_close int fd = -1;
	ssize_t n;

	assert_int_equal(store_blob(s, &d, strlen(MSG_448), MSG_448, strlen(MSG_448), 5, &got,
				    &err),
			 0);
	assert_null(err);
	assert_string_equal(got.hex, SHA256_448);

	/* The file is where an OCI layout puts it, a regular file. */
	assert_int_equal(fstatat(s->fd, "blobs/sha256/" SHA256_448, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, strlen(MSG_448));
	assert_int_equal(count_entries(s, "blobs/sha256"), 1);
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);

	fd = blob_open(s->fd, &d, &err);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, strlen(MSG_448));
	assert_memory_equal(buf, MSG_448, strlen(MSG_448));
	assert_int_equal(blob_verify(s->fd, &d, &err), 0);
	assert_null(err);
}

static void test_computed_digest_names_the_blob(void **state)
{
	struct store *s = *state;
	struct digest got;
	podd_error_t err = NULL;

	/* No expected digest or size: the store computes it (an import). */
	assert_int_equal(store_blob(s, NULL, UINT64_MAX, "abc", 3, 1, &got, &err), 0);
	assert_string_equal(got.hex, SHA256_ABC);
	assert_int_equal(blob_verify(s->fd, &got, &err), 0);
	assert_null(err);
}

static void test_digest_mismatch_is_an_error_and_stores_nothing(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC), got = { { 0 } };
	podd_error_t err = NULL;
	char actual[DIGEST_HEX_LEN + 1], msg[256];

	sha256_hex("abd", 3, actual);
	snprintf(msg, sizeof(msg), "blob sha256:%s: digest mismatch (got sha256:%s)", SHA256_ABC,
		 actual);
	assert_int_equal(store_blob(s, &d, 3, "abd", 3, 2, &got, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "digest mismatch");
	assert_nothing_stored(s);
	assert_int_equal(blob_open(s->fd, &d, &err), -1);
	assert_error(&err, PODD_E_NO_SUCH_OBJECT, "not found");
}

static void test_more_than_expected_size_fails_the_write(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC);
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;

	assert_int_equal(blob_writer_open(s->fd, &d, 3, 1 << 20, &w, &err), 0);
	assert_int_equal(blob_writer_write(&w, "ab", 2, &err), 0);
	assert_int_equal(blob_writer_write(&w, "cd", 2, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "more data than its size of 3 bytes");
	assert_nothing_stored(s);
	/* The writer is finished: nothing more goes in, nothing commits. */
	assert_int_equal(blob_writer_write(&w, "c", 1, &err), -1);
	podd_error_free(&err);
	assert_int_equal(blob_writer_commit(&w, NULL, NULL, &err), -1);
	podd_error_free(&err);
	assert_nothing_stored(s);
}

static void test_more_than_max_size_fails_the_write(void **state)
{
	struct store *s = *state;
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;

	assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 4, &w, &err), 0);
	assert_int_equal(blob_writer_write(&w, "abcd", 4, &err), 0);
	assert_int_equal(blob_writer_write(&w, "e", 1, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "over the limit of 4 bytes");
	assert_nothing_stored(s);

	/* An announced size over the limit is refused before any data. */
	assert_int_equal(blob_writer_open(s->fd, NULL, 5, 4, &w, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "size 5 is over the limit of 4 bytes");
	assert_nothing_stored(s);
}

static void test_truncated_blob_fails_the_commit(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC);
	podd_error_t err = NULL;

	/* The right bytes, but the registry announced 5: short is wrong. */
	assert_int_equal(store_blob(s, &d, 5, "abc", 3, 3, NULL, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, "truncated: 3 of 5 bytes");
	assert_nothing_stored(s);
}

static void test_abort_and_cleanup_leave_no_temporary(void **state)
{
	struct store *s = *state;
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;

	blob_writer_abort(&w); /* never opened: nothing to do */
	assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 1 << 20, &w, &err), 0);
	assert_int_equal(blob_writer_write(&w, "abc", 3, &err), 0);
	assert_int_equal(count_entries(s, "blobs/tmp"), 1);
	blob_writer_abort(&w);
	assert_nothing_stored(s);
	blob_writer_abort(&w); /* twice is fine */

	{
		cleanup_blob_writer struct blob_writer scoped = { 0 };
		assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 1 << 20, &scoped, &err),
				 0);
		assert_int_equal(blob_writer_write(&scoped, "abc", 3, &err), 0);
		assert_int_equal(count_entries(s, "blobs/tmp"), 1);
	} /* an early return in a caller leaves the scope the same way */
	assert_nothing_stored(s);
}

static void test_same_blob_twice_is_one_file(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC);
	podd_error_t err = NULL;

	assert_int_equal(store_blob(s, &d, 3, "abc", 3, 3, NULL, &err), 0);
	assert_int_equal(store_blob(s, &d, 3, "abc", 3, 1, NULL, &err), 0);
	assert_null(err);
	assert_int_equal(count_entries(s, "blobs/sha256"), 1);
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);
	assert_int_equal(blob_verify(s->fd, &d, &err), 0);
}

/* Two podd-image processes pulling the same layer at once (two podctl
 * pulls): both must succeed, and one file results. */
static void test_concurrent_writers_of_one_blob_both_succeed(void **state)
{
	struct store *s = *state;
	enum { SIZE = 4 << 20, CHUNK = 4096 };
	cleanup_free char *data = malloc(SIZE);
	char hex[DIGEST_HEX_LEN + 1], spec[80];
	struct digest d;
	int go[2];
	pid_t pids[2];
	podd_error_t err = NULL;

	assert_non_null(data);
	for (size_t i = 0; i < SIZE; i++)
		data[i] = (char)(i * 7 + i / 4096);
	sha256_hex(data, SIZE, hex);
	snprintf(spec, sizeof(spec), "sha256:%s", hex);
	d = digest_of(spec);

	/* Both children wait on one pipe, so their writes overlap. */
	assert_int_equal(pipe(go), 0);
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct blob_writer w = { 0 };
			char c;
			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			if (blob_writer_open(s->fd, &d, SIZE, SIZE, &w, &err) < 0)
				_exit(1);
			for (size_t off = 0; off < SIZE; off += CHUNK)
				if (blob_writer_write(&w, data + off, CHUNK, &err) < 0)
					_exit(1);
			_exit(blob_writer_commit(&w, NULL, NULL, &err) < 0 ? 2 : 0);
		}
	}
	close(go[0]);
	close(go[1]); /* EOF: go */
	for (int i = 0; i < 2; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(count_entries(s, "blobs/sha256"), 1);
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);
	assert_int_equal(blob_verify(s->fd, &d, &err), 0);
	assert_null(err);
}

static void parse_fails(const char *s, const char *msg)
{
	struct digest d;
	podd_error_t err = NULL;
	assert_int_equal(digest_parse(s, &d, &err), -1);
	assert_error(&err, PODD_E_INVALID_ARGUMENT, msg);
}

static void test_digest_parse_refuses_hostile_strings(void **state)
{
	char nul[80], *p;
	(void)state;

	digest_of("sha256:" SHA256_ABC);
	parse_fails("", "invalid digest");
	parse_fails(NULL, "invalid digest");
	parse_fails("sha256:", "invalid digest");
	parse_fails(SHA256_ABC, "invalid digest");
	parse_fails("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		    "invalid digest");
	parse_fails("sha256:Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		    "invalid digest");
	parse_fails("SHA256:" SHA256_ABC, "invalid digest");
	/* 63 and 65 digits */
	parse_fails("sha256:a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		    "invalid digest");
	parse_fails("sha256:" SHA256_ABC "0", "invalid digest");
	parse_fails("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
		    "unsupported digest algorithm \"sha512\"");
	parse_fails("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
		    "unsupported digest algorithm \"sha256+b64u\"");
	parse_fails("sha256:../../etc", "invalid digest");
	parse_fails("sha256:../../../../../../../../../../../../../../../../../etc/shadow0000",
		    "invalid digest");
	parse_fails("sha256:" SHA256_ABC "\n", "invalid digest");
	parse_fails(" sha256:" SHA256_ABC, "invalid digest");
	parse_fails("sha256: " SHA256_ABC, "invalid digest");
	parse_fails("sha256:ba7816bf8f01cfea414140de5dae2223\nb00361a396177a9cb410ff61f20015a",
		    "invalid digest");
	/* A NUL inside: C sees 32 digits and the end; the rest never counts. */
	snprintf(nul, sizeof(nul), "sha256:%s", SHA256_ABC);
	p = nul + strlen("sha256:") + 32;
	*p = '\0';
	parse_fails(nul, "invalid digest");
	/* A hostile algorithm name is not echoed back. */
	parse_fails("sha\n512:" SHA256_ABC, "invalid digest");
}

/* A symlink planted where a blob belongs, pointing at a file with the
 * right content outside the store: following it would "verify". It is
 * refused. */
static void test_symlink_planted_as_blob_is_refused(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC), other = digest_of("sha256:" SHA256_448);
	podd_error_t err = NULL;
	char outside[128];
	cleanup_close int fd = -1;

	/* The store's directories exist after any write. */
	assert_int_equal(store_blob(s, &other, UINT64_MAX, MSG_448, strlen(MSG_448), 64, NULL,
				    &err),
			 0);
	snprintf(outside, sizeof(outside), "%s/outside", s->dir);
	fd = open(outside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(symlinkat(outside, s->fd, "blobs/sha256/" SHA256_ABC), 0);

	assert_int_equal(blob_open(s->fd, &d, &err), -1);
	assert_error(&err, PODD_E_NOT_PERMITTED, "symlink");
	assert_int_equal(blob_verify(s->fd, &d, &err), -1);
	assert_error(&err, PODD_E_NOT_PERMITTED, "symlink");
	/* A commit does not take the link for the blob either. */
	assert_int_equal(store_blob(s, &d, 3, "abc", 3, 3, NULL, &err), -1);
	assert_error(&err, PODD_E_INTERNAL, "other than a regular file");
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);
	/* Removing it removes the link, not its target. */
	assert_int_equal(blob_remove(s->fd, &d, &err), 0);
	assert_int_equal(faccessat(AT_FDCWD, outside, F_OK, 0), 0);
}

/* blobs/ itself a symlink to a directory outside: no write goes there. */
static void test_symlinked_store_directory_is_refused(void **state)
{
	struct store *s = *state;
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;
	char outside[128];

	snprintf(outside, sizeof(outside), "%s/elsewhere", s->dir);
	assert_int_equal(mkdir(outside, 0700), 0);
	assert_int_equal(symlinkat(outside, s->fd, "blobs"), 0);
	assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 1 << 20, &w, &err), -1);
	assert_error(&err, PODD_E_INTERNAL, "open blobs");
	assert_int_equal(count_entries(s, "elsewhere"), 0);
}

static void test_remove_then_open_is_not_found(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC);
	podd_error_t err = NULL;

	assert_int_equal(blob_remove(s->fd, &d, &err), -1);
	assert_error(&err, PODD_E_NO_SUCH_OBJECT, "blob sha256:" SHA256_ABC ": not found");
	assert_int_equal(store_blob(s, &d, 3, "abc", 3, 3, NULL, &err), 0);
	assert_int_equal(blob_remove(s->fd, &d, &err), 0);
	assert_int_equal(blob_open(s->fd, &d, &err), -1);
	assert_error(&err, PODD_E_NO_SUCH_OBJECT, "blob sha256:" SHA256_ABC ": not found");
	assert_nothing_stored(s);
}

/* A podd-image killed mid-pull leaves its temporary; the next clean
 * removes it, and only it: a live writer's (another pull, now) and names
 * the store never makes stay. */
static void test_orphaned_temporary_is_cleaned_live_one_kept(void **state)
{
	struct store *s = *state;
	struct digest d = digest_of("sha256:" SHA256_ABC);
	struct blob_writer live = { 0 };
	podd_error_t err = NULL;
	unsigned removed = 99;
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct blob_writer w = { 0 };
		if (blob_writer_open(s->fd, &d, 3, 3, &w, &err) == 0 &&
		    blob_writer_write(&w, "ab", 2, &err) == 0)
			raise(SIGKILL);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(count_entries(s, "blobs/tmp"), 1);

	assert_int_equal(blob_writer_open(s->fd, &d, 3, 3, &live, &err), 0);
	assert_int_equal(blob_writer_write(&live, "ab", 2, &err), 0);
	assert_int_equal(mkdirat(s->fd, "blobs/tmp/not-a-temporary", 0700), 0);
	assert_int_equal(count_entries(s, "blobs/tmp"), 3);

	assert_int_equal(blob_store_clean_tmp(s->fd, &removed, &err), 0);
	assert_null(err);
	assert_int_equal(removed, 1);
	assert_int_equal(count_entries(s, "blobs/tmp"), 2);

	/* The live writer never noticed. */
	assert_int_equal(blob_writer_write(&live, "c", 1, &err), 0);
	assert_int_equal(blob_writer_commit(&live, NULL, NULL, &err), 0);
	assert_int_equal(blob_verify(s->fd, &d, &err), 0);
	assert_int_equal(count_entries(s, "blobs/tmp"), 1);
	assert_int_equal(blob_store_clean_tmp(s->fd, &removed, &err), 0);
	assert_int_equal(removed, 0);
}

/* Peak resident memory of this process, in KiB. */
static long vm_hwm_kib(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	assert_true(kib > 0);
	return kib;
}

/* Streaming, shown: a 64 MiB blob written 64 KiB at a time must not raise
 * the process's peak RSS (VmHWM) by more than 8 MiB. Writing "5" to
 * /proc/self/clear_refs resets the peak to the current RSS first, so that
 * an earlier test's peak cannot hide growth here. A store that gathered
 * the blob in memory (to hash it whole, say) grows by 64 MiB and fails. */
static void test_large_blob_streams_in_small_memory(void **state)
{
	struct store *s = *state;
	enum { CHUNK = 64 << 10, TOTAL = 64 << 20 };
	static char chunk[CHUNK];
	struct blob_writer w = { 0 };
	struct digest got;
	podd_error_t err = NULL;
	cleanup_close int refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	long before, after;

	for (size_t i = 0; i < CHUNK; i++)
		chunk[i] = (char)i;
	assert_true(refs >= 0);
	assert_int_equal(write(refs, "5", 1), 1);
	before = vm_hwm_kib();

	assert_int_equal(blob_writer_open(s->fd, NULL, TOTAL, TOTAL, &w, &err), 0);
	for (size_t off = 0; off < TOTAL; off += CHUNK) {
		chunk[0] = (char)(off / CHUNK); /* not one chunk 1024 times */
		assert_int_equal(blob_writer_write(&w, chunk, CHUNK, &err), 0);
	}
	assert_int_equal(blob_writer_commit(&w, &got, NULL, &err), 0);
	assert_int_equal(blob_verify(s->fd, &got, &err), 0);
	after = vm_hwm_kib();
	print_message("VmHWM %ld KiB before, %ld KiB after a 64 MiB blob\n", before, after);
	assert_true(after - before < 8 * 1024);
}

/* Two sessions write the same blob, both before either commits (both
 * saw it missing): only the one whose rename made it may undo it. */
static void test_only_the_writer_that_made_a_blob_is_told_it_created_it(void **state)
{
	struct store *s = *state;
	struct blob_writer a = { 0 }, b = { 0 }, c = { 0 };
	podd_error_t err = NULL;
	struct digest got;
	bool created_a = false, created_b = true, created_c = true;
	static const char data[] = "shared layer";

	assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 1 << 20, &a, &err), 0);
	assert_int_equal(blob_writer_open(s->fd, NULL, UINT64_MAX, 1 << 20, &b, &err), 0);
	assert_int_equal(blob_writer_write(&a, data, sizeof(data), &err), 0);
	assert_int_equal(blob_writer_write(&b, data, sizeof(data), &err), 0);
	assert_int_equal(blob_writer_commit(&a, &got, &created_a, &err), 0);
	assert_int_equal(blob_writer_commit(&b, NULL, &created_b, &err), 0);
	assert_true(created_a);
	assert_false(created_b);
	/* And a writer that finds it there from the start. */
	assert_int_equal(blob_writer_open(s->fd, &got, sizeof(data), 1 << 20, &c, &err), 0);
	assert_int_equal(blob_writer_write(&c, data, sizeof(data), &err), 0);
	assert_int_equal(blob_writer_commit(&c, NULL, &created_c, &err), 0);
	assert_false(created_c);
	assert_int_equal(count_entries(s, "blobs/sha256"), 1);
	assert_int_equal(count_entries(s, "blobs/tmp"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
		T(test_chunked_blob_is_stored_under_its_digest),
		T(test_only_the_writer_that_made_a_blob_is_told_it_created_it),
		T(test_computed_digest_names_the_blob),
		T(test_digest_mismatch_is_an_error_and_stores_nothing),
		T(test_more_than_expected_size_fails_the_write),
		T(test_more_than_max_size_fails_the_write),
		T(test_truncated_blob_fails_the_commit),
		T(test_abort_and_cleanup_leave_no_temporary),
		T(test_same_blob_twice_is_one_file),
		T(test_concurrent_writers_of_one_blob_both_succeed),
		cmocka_unit_test(test_digest_parse_refuses_hostile_strings),
		T(test_symlink_planted_as_blob_is_refused),
		T(test_symlinked_store_directory_is_refused),
		T(test_remove_then_open_is_not_found),
		T(test_orphaned_temporary_is_cleaned_live_one_kept),
		T(test_large_blob_streams_in_small_memory),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
