/* Framing: what crosses a socketpair, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire.h"

static int sv[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void send_raw(const void *buf, size_t len, const int *fds, size_t nfds)
{
	struct iovec iov = { (void *)buf, len };
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr a;
	} c;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		memset(&c, 0, sizeof(c));
		m.msg_control = c.b;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(h), fds, sizeof(int) * nfds);
	}
	assert_int_equal(sendmsg(sv[0], &m, 0), (ssize_t)len);
}

static void test_frame_round_trip_keeps_type_id_payload_and_fds(void **state)
{
	struct podd_frame f;
	podd_error_t err = NULL;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	(void)state;

	assert_int_equal(podd_frame_send(sv[0], 18, 7, 0, "abc", 3, &fd, 1, &err), 0);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), 1);
	assert_int_equal(f.type, 18);
	assert_int_equal(f.request_id, 7);
	assert_int_equal(f.length, 3);
	assert_memory_equal(f.payload, "abc", 3);
	assert_int_equal(f.nfds, 1);
	/* Received descriptors are close-on-exec (MSG_CMSG_CLOEXEC). */
	assert_true(fcntl(f.fds[0], F_GETFD) & FD_CLOEXEC);
	podd_frame_release(&f);
	close(fd);
}

static void test_eof_is_not_an_error(void **state)
{
	struct podd_frame f;
	podd_error_t err = NULL;
	(void)state;
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), 0);
	assert_null(err);
}

static void test_runt_header_is_rejected(void **state)
{
	struct podd_frame f;
	podd_error_t err = NULL;
	(void)state;
	send_raw("PDD", 3, NULL, 0);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	podd_error_free(&err);
}

static void test_oversized_length_is_rejected_before_allocation(void **state)
{
	struct podd_frame_header h = { .magic = PODD_FRAME_MAGIC, .type = 16,
				       .length = PODD_FRAME_MAX_PAYLOAD + 1 };
	struct podd_frame f;
	podd_error_t err = NULL;
	(void)state;
	send_raw(&h, sizeof(h), NULL, 0);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	assert_non_null(strstr(err->msg, "malformed message header"));
	podd_error_free(&err);
}

static void test_length_disagreeing_with_record_is_rejected(void **state)
{
	char buf[sizeof(struct podd_frame_header) + 8] = { 0 };
	struct podd_frame_header h = { .magic = PODD_FRAME_MAGIC, .type = 16, .length = 4 };
	struct podd_frame f;
	podd_error_t err = NULL;
	(void)state;
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(buf), NULL, 0); /* 8 payload bytes, 4 announced */
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	podd_error_free(&err);
}

static void test_unannounced_descriptor_is_rejected_and_closed(void **state)
{
	struct podd_frame_header h = { .magic = PODD_FRAME_MAGIC, .type = 16, .nfds = 0 };
	struct podd_frame f;
	podd_error_t err = NULL;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int before = fcntl(fd + 1, F_GETFD);
	(void)state;
	send_raw(&h, sizeof(h), &fd, 1);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	podd_error_free(&err);
	/* The received copy would have been the next free number: it must
	 * not be left open. */
	assert_int_equal(fcntl(fd + 1, F_GETFD) >= 0, before >= 0);
	close(fd);
}

static void test_bad_magic_and_reserved_are_rejected(void **state)
{
	struct podd_frame_header h = { .magic = 0x12345678, .type = 16 };
	struct podd_frame f;
	podd_error_t err = NULL;
	(void)state;
	send_raw(&h, sizeof(h), NULL, 0);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	podd_error_free(&err);
	/* The rejected record stays queued; the receiver drops the peer, so
	 * read it away here before the next case. */
	char sink[64];
	(void)!recv(sv[1], sink, sizeof(sink), 0);
	h.magic = PODD_FRAME_MAGIC;
	h.reserved = 1;
	send_raw(&h, sizeof(h), NULL, 0);
	assert_int_equal(podd_frame_recv(sv[1], &f, &err), -1);
	podd_error_free(&err);
}

static void test_send_refuses_oversized_payload(void **state)
{
	static char big[PODD_FRAME_MAX_PAYLOAD + 1];
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(podd_frame_send(sv[0], 16, 1, 0, big, sizeof(big), NULL, 0, &err), -1);
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	podd_error_free(&err);
}

static void test_fd_kind_check_tells_pipe_from_regular_file(void **state)
{
	int p[2];
	podd_error_t err = NULL;
	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(podd_fd_check_kind(p[0], PODD_FD_PIPE, &err), 0);
	assert_int_equal(podd_fd_check_kind(p[0], PODD_FD_REGULAR, &err), -1);
	podd_error_free(&err);
	assert_int_equal(podd_fd_check_kind(p[0], PODD_FD_NETNS, &err), -1);
	podd_error_free(&err);
	close(p[0]);
	close(p[1]);
}

/* export's output: something to write a tar to, and nothing else. */
static bool output_ok(int fd)
{
	podd_error_t err = NULL;
	int r = podd_fd_check_kind(fd, PODD_FD_OUTPUT, &err);
	podd_error_free(&err);
	close(fd);
	return r == 0;
}

static void test_fd_output_kind_takes_writable_files_pipes_sockets_and_dev_null(void **state)
{
	int p[2];
	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_false(output_ok(p[0])); /* the read end */
	assert_true(output_ok(p[1]));
	assert_true(output_ok(dup(sv[0])));
	assert_true(output_ok(open("/dev/null", O_WRONLY | O_CLOEXEC)));
	assert_false(output_ok(open("/dev/null", O_RDONLY | O_CLOEXEC)));
	assert_false(output_ok(open("/dev/zero", O_WRONLY | O_CLOEXEC)));
	assert_false(output_ok(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
	assert_true(output_ok(open("/tmp", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)));
	assert_false(output_ok(open("/etc/passwd", O_RDONLY | O_CLOEXEC)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frame_round_trip_keeps_type_id_payload_and_fds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runt_header_is_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_length_is_rejected_before_allocation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_disagreeing_with_record_is_rejected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unannounced_descriptor_is_rejected_and_closed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic_and_reserved_are_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_send_refuses_oversized_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_kind_check_tells_pipe_from_regular_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fd_output_kind_takes_writable_files_pipes_sockets_and_dev_null, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
