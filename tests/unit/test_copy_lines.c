/* podctl's copy lines (podctl/copy_lines.c) from a CopyEvent stream as a
 * hostile podd-image could send it, over a real socketpair with real
 * frames: the lines podman prints, in order, and every malformed stream
 * refused as a protocol error before its text reaches stderr. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "copy_lines.h"
#include "message.h"
#include "wire.h"

#define D1 "sha256:3185198d4f664e8b59bb2e2bd5752c96bae8e4bc526b2e6168650c0e0896f061"
#define D2 "sha256:f6c8da1cce8bc02c5080a0ea9fb1872ec6f02986fd6e29513d634846f2ef68d0"
#define ID2 "f6c8da1cce8bc02c5080a0ea9fb1872ec6f02986fd6e29513d634846f2ef68d0"

struct fixture {
	int sv[2];
	int saved_stderr;
	FILE *captured;
	struct podd_peer peer;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sv), 0);
	f->peer.sock = f->sv[0];
	f->peer.name = "podd-image";
	/* stderr into a file, to read the lines back. */
	fflush(stderr);
	f->saved_stderr = dup(STDERR_FILENO);
	f->captured = tmpfile();
	assert_non_null(f->captured);
	assert_true(dup2(fileno(f->captured), STDERR_FILENO) >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fflush(stderr);
	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	fclose(f->captured);
	close(f->sv[0]);
	close(f->sv[1]);
	free(f);
	return 0;
}

/* What podctl printed on stderr so far. */
static char *stderr_text(struct fixture *f)
{
	static char buf[4096];
	size_t n;
	fflush(stderr);
	rewind(f->captured);
	n = fread(buf, 1, sizeof(buf) - 1, f->captured);
	buf[n] = '\0';
	return buf;
}

/* One frame of the answer to request 1 (podctl's first), queued before
 * podctl asks: the socket keeps it. */
static void send_event(struct fixture *f, Podd__CopyEvent__Kind kind, const char *digest,
		       bool present, Podd__LoadedImages *loaded, bool more)
{
	Podd__CopyEvent ev = PODD__COPY_EVENT__INIT;
	podd_error_t err = NULL;
	ev.kind = kind;
	ev.digest = (char *)(digest ? digest : "");
	ev.present = present;
	ev.loaded = loaded;
	assert_int_equal(podd_message_send(f->sv[1], PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT, 1,
					   more ? PODD_FRAME_MORE : 0, &ev.base, NULL, 0, &err),
			 0);
}

static int call(struct fixture *f, struct copy_lines *cl, podd_error_t *err)
{
	Podd__LoadRequest req = PODD__LOAD_REQUEST__INIT;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int r;
	assert_true(fd >= 0);
	r = copy_lines_call(&f->peer, PODD__IMAGE_TYPE__IMAGE_TYPE_LOAD, &req.base, fd, cl, err);
	close(fd);
	return r;
}

static void expect_protocol_error(struct fixture *f, struct copy_lines *cl)
{
	podd_error_t err = NULL;
	assert_int_equal(call(f, cl, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	assert_null(cl->loaded);
	podd_error_free(&err);
}

static void test_a_load_prints_podmans_lines_in_order(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };
	char *names[] = { "localhost/busybox:latest" };
	Podd__ImageRecord rec = PODD__IMAGE_RECORD__INIT, *recs[] = { &rec };
	Podd__LoadedImages loaded = PODD__LOADED_IMAGES__INIT;
	podd_error_t err = NULL;

	rec.id = ID2;
	rec.names = names;
	rec.n_names = 1;
	loaded.images = recs;
	loaded.n_images = 1;
	send_event(f, PODD__COPY_EVENT__KIND__KIND_IMAGE, NULL, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_BLOB, D1, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_CONFIG, D2, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_MANIFEST, NULL, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, &loaded, false);
	assert_int_equal(call(f, &cl, &err), 0);
	assert_string_equal(stderr_text(f), "Getting image source signatures\n"
					    "Copying blob " D1 "\n"
					    "Copying config " D2 "\n"
					    "Writing manifest to image destination\n"
					    "Storing signatures\n");
	assert_non_null(cl.loaded);
	assert_int_equal(cl.loaded->n_images, 1);
	assert_string_equal(cl.loaded->images[0]->names[0], "localhost/busybox:latest");
	copy_lines_clear(&cl);
}

static void test_a_terminal_gets_the_lines_bars_leave(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true, .tty = true };
	podd_error_t err = NULL;

	send_event(f, PODD__COPY_EVENT__KIND__KIND_BLOB, D1, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_BLOB, D2, true, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_CONFIG, D2, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, NULL, false);
	assert_int_equal(call(f, &cl, &err), 0);
	assert_string_equal(stderr_text(f), "Copying blob 3185198d4f66 done\n"
					    "Copying blob f6c8da1cce8b skipped: already exists\n"
					    "Copying config f6c8da1cce done\n");
	assert_null(cl.loaded);
}

static void test_a_malformed_digest_never_reaches_stderr(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_BLOB, "sha256:\033[2Jgotcha", false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, NULL, false);
	expect_protocol_error(f, &cl);
	assert_string_equal(stderr_text(f), "");
}

static void test_a_short_or_uppercase_digest_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_CONFIG,
		   "sha256:F6C8DA1CCE8BC02C5080A0EA9FB1872EC6F02986FD6E29513D634846F2EF68D0", false,
		   NULL, true);
	expect_protocol_error(f, &cl);
	assert_string_equal(stderr_text(f), "");
}

static void test_text_where_none_belongs_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_IMAGE, "hello\033]0;title\007", false, NULL,
		   true);
	expect_protocol_error(f, &cl);
	assert_string_equal(stderr_text(f), "");
}

static void test_events_not_asked_for_are_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = false };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_IMAGE, NULL, false, NULL, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, NULL, false);
	expect_protocol_error(f, &cl);
	assert_string_equal(stderr_text(f), "");
}

static void test_an_unknown_kind_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, (Podd__CopyEvent__Kind)99, NULL, false, NULL, true);
	expect_protocol_error(f, &cl);
}

static void test_a_stream_without_its_end_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_IMAGE, NULL, false, NULL, false);
	expect_protocol_error(f, &cl);
}

static void test_anything_after_the_end_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };
	Podd__LoadedImages loaded = PODD__LOADED_IMAGES__INIT;

	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, &loaded, true);
	send_event(f, PODD__COPY_EVENT__KIND__KIND_DONE, NULL, false, &loaded, false);
	expect_protocol_error(f, &cl);
}

static void test_present_on_anything_but_a_blob_is_refused(void **state)
{
	struct fixture *f = *state;
	struct copy_lines cl = { .progress = true };

	send_event(f, PODD__COPY_EVENT__KIND__KIND_CONFIG, D2, true, NULL, true);
	expect_protocol_error(f, &cl);
	assert_string_equal(stderr_text(f), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_a_load_prints_podmans_lines_in_order),
		T(test_a_terminal_gets_the_lines_bars_leave),
		T(test_a_malformed_digest_never_reaches_stderr),
		T(test_a_short_or_uppercase_digest_is_refused),
		T(test_text_where_none_belongs_is_refused),
		T(test_events_not_asked_for_are_refused),
		T(test_an_unknown_kind_is_refused),
		T(test_a_stream_without_its_end_is_refused),
		T(test_anything_after_the_end_is_refused),
		T(test_present_on_anything_but_a_blob_is_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
