/* libFuzzer target for podd_frame_recv().
 *
 * The input is written as one record into an AF_UNIX SOCK_SEQPACKET
 * socketpair and received on the other end, as every helper and podctl does.
 * A frame that is accepted must match what was sent, and its payload then
 * goes through podd_message_unpack() with every descriptor its type can
 * stand for on some channel (see lib/server.c and lib/client.c).
 *
 * Built with -DFUZZ_FRAME_FDS, the first input byte drives the ancillary
 * data and the rest is the record: bits 0-2 attach that many descriptors
 * (0-7, more than PODD_FRAME_MAX_FDS fit), bit 3 turns on SO_PASSCRED on the
 * receiving end, so that an SCM_CREDENTIALS message comes along. Either way
 * no descriptor received may stay open once the frame is released or
 * rejected (wire.h: "on any rejection every descriptor received is
 * closed"). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.pb-c.h"
#include "fuzz_common.h"
#include "image.pb-c.h"
#include "state.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ATTACH 7
/* Received descriptors land on the lowest free numbers above fd_base. */
#define FUZZ_FD_WINDOW 32

static int sv[2] = { -1, -1 };
static int devnull = -1;
static int fd_base = -1;

static const struct {
	uint32_t type;
	const ProtobufCMessageDescriptor *desc;
} decoders[] = {
	{ 1, &podd__hello__descriptor },
	{ 2, &podd__hello_reply__descriptor },
	{ 3, &podd__error__descriptor },
	{ 4, &podd__ok__descriptor },
	{ 5, &podd__ping__descriptor },
	{ 6, &podd__pong__descriptor },
	{ 16, &podd__open_request__descriptor },
	{ 17, &podd__db_info__descriptor },
	{ 18, &podd__create_container_request__descriptor },
	{ 19, &podd__container_record__descriptor },
	{ 20, &podd__lookup_request__descriptor },
	{ 21, &podd__list_request__descriptor },
	{ 22, &podd__container_list__descriptor },
	{ 23, &podd__remove_request__descriptor },
	{ 24, &podd__rename_request__descriptor },
	{ 25, &podd__lock_request__descriptor },
	{ 26, &podd__lock_request__descriptor },
	/* podd-image's registry requests share the numbers with state's */
	{ 24, &podd__pull_request__descriptor },
	{ 25, &podd__registry_event__descriptor },
	{ 26, &podd__push_request__descriptor },
	{ 27, &podd__login_request__descriptor },
	{ 28, &podd__store_image_request__descriptor },
	{ 29, &podd__pull_finish_request__descriptor },
	{ 30, &podd__unpack_stream_request__descriptor },
	{ 40, &podd__search_request__descriptor },
	{ 41, &podd__search_reply__descriptor },
	{ 48, &podd__copy_event__descriptor },
};

static void setup(void)
{
	int size = 1 << 20, probe;

	if (sv[0] >= 0)
		return;
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
		    "socketpair: %s", strerror(errno));
	/* Capped at net.core.wmem_max; records beyond it are skipped. */
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FUZZ_ASSERT(devnull >= 0, "/dev/null: %s", strerror(errno));
	probe = fcntl(devnull, F_DUPFD_CLOEXEC, 0);
	FUZZ_ASSERT(probe >= 0, "dup: %s", strerror(errno));
	fd_base = probe;
	close(probe);
}

static int count_open_fds(void)
{
	int n = 0;

	for (int fd = fd_base; fd < fd_base + FUZZ_FD_WINDOW; fd++)
		if (fd != sv[0] && fd != sv[1] && fd != devnull && fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* Throw away whatever podd_frame_recv() left queued (it leaves a record
 * whose header it rejects on peeking; the server then drops the peer). The
 * kernel closes descriptors that nobody receives. */
static void drain(void)
{
	char b;

	while (recv(sv[1], &b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

static int send_record(const uint8_t *rec, size_t len, unsigned nattach)
{
	struct iovec iov = { .iov_base = (void *)rec, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * FUZZ_MAX_ATTACH)];
		struct cmsghdr align;
	} control;

	if (nattach > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nattach);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nattach);
		for (unsigned i = 0; i < nattach; i++)
			memcpy(CMSG_DATA(c) + i * sizeof(int), &devnull, sizeof(int));
	}
	return sendmsg(sv[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void check_frame(const struct podd_frame *frame, const uint8_t *rec, size_t len,
			unsigned nattach)
{
	struct podd_frame_header hdr;

	FUZZ_ASSERT(len >= sizeof(hdr), "a %zu-byte record accepted", len);
	memcpy(&hdr, rec, sizeof(hdr));
	FUZZ_ASSERT(hdr.magic == PODD_FRAME_MAGIC && hdr.reserved == 0 &&
			    (hdr.flags & ~PODD_FRAME_KNOWN_FLAGS) == 0,
		    "a malformed header accepted");
	FUZZ_ASSERT(frame->type == hdr.type && frame->request_id == hdr.request_id &&
			    frame->flags == hdr.flags,
		    "frame fields differ from the header sent");
	FUZZ_ASSERT(frame->length == hdr.length && len == sizeof(hdr) + hdr.length &&
			    frame->length <= PODD_FRAME_MAX_PAYLOAD,
		    "frame length %zu, header %u, record %zu", frame->length, hdr.length, len);
	FUZZ_ASSERT((frame->length == 0) == (frame->payload == NULL),
		    "payload %p for length %zu", (void *)frame->payload, frame->length);
	if (frame->length > 0)
		FUZZ_ASSERT(memcmp(frame->payload, rec + sizeof(hdr), frame->length) == 0,
			    "payload differs from what was sent");
	FUZZ_ASSERT(frame->nfds == hdr.nfds && frame->nfds == nattach &&
			    frame->nfds <= PODD_FRAME_MAX_FDS,
		    "frame carries %zu descriptors, header says %u, %u sent", frame->nfds,
		    hdr.nfds, nattach);
	for (size_t i = 0; i < frame->nfds; i++) {
		int fl = fcntl(frame->fds[i], F_GETFD);
		FUZZ_ASSERT(fl >= 0 && (fl & FD_CLOEXEC), "descriptor %d: flags %d",
			    frame->fds[i], fl);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct podd_frame frame;
	podd_error_t err = NULL;
	unsigned nattach = 0;
	int passcred = 0, before, r;

	setup();
#ifdef FUZZ_FRAME_FDS
	if (size < 1)
		return -1;
	nattach = data[0] & 7u;
	passcred = (data[0] >> 3) & 1;
	data++;
	size--;
#endif
	(void)setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &passcred, sizeof(passcred));
	if (send_record(data, size, nattach) < 0)
		return -1; /* over the socket's buffer: no peer can send it */

	before = count_open_fds();
	r = podd_frame_recv(sv[1], &frame, &err);
	if (r == 1) {
		FUZZ_ASSERT(err == NULL, "frame accepted with *err set: %s", err->msg);
		FUZZ_ASSERT(!passcred, "a frame with SCM_CREDENTIALS accepted");
		check_frame(&frame, data, size, nattach);
		for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
			if (decoders[i].type == frame.type)
				fuzz_decode(decoders[i].desc, frame.payload, frame.length);
		podd_frame_release(&frame);
		FUZZ_ASSERT(frame.payload == NULL && frame.nfds == 0, "release left state");
	} else if (r == 0) {
		/* Orderly EOF; a peer that is still there gets here only with
		 * an empty record. */
		FUZZ_ASSERT(err == NULL, "EOF with *err set: %s", err->msg);
		FUZZ_ASSERT(size == 0, "EOF reported for a %zu-byte record", size);
	} else {
		FUZZ_ASSERT(r == -1 && err != NULL, "podd_frame_recv returned %d, err %p", r,
			    (void *)err);
		FUZZ_ASSERT(err->code == PODD_E_PROTOCOL, "rejected with code %d: %s", err->code,
			    err->msg);
		FUZZ_ASSERT(frame.payload == NULL && frame.nfds == 0,
			    "a rejected frame holds a payload or descriptors");
		podd_error_free(&err);
	}
	drain();
	FUZZ_ASSERT(count_open_fds() == before, "descriptor leak: %d open before, %d after",
		    before, count_open_fds());
	return 0;
}
