#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "common.pb-c.h"

#define PROTO PODD_E_PROTOCOL

int podd_frame_send(int sock, uint32_t type, uint32_t request_id, uint16_t flags,
		    const void *payload, size_t length, const int *fds, size_t nfds,
		    podd_error_t *err)
{
	struct podd_frame_header hdr = {
		.magic = PODD_FRAME_MAGIC,
		.type = type,
		.request_id = request_id,
		.length = (uint32_t)length,
		.nfds = (uint16_t)nfds,
		.flags = flags,
	};
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = length },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PODD_FRAME_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = length ? 2 : 1 };
	ssize_t n;

	if (length > PODD_FRAME_MAX_PAYLOAD)
		return podd_error(err, PROTO, "message of %zu bytes exceeds the frame maximum of %u",
				  length, PODD_FRAME_MAX_PAYLOAD);
	if (nfds > PODD_FRAME_MAX_FDS)
		return podd_error(err, PROTO, "%zu descriptors exceed the frame maximum of %u",
				  nfds, PODD_FRAME_MAX_FDS);
	if (nfds > 0) {
		struct cmsghdr *cmsg;
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return podd_error_sys(err, errno, "send message");
	if ((size_t)n != sizeof(hdr) + length)
		return podd_error(err, PROTO, "short send of a message (%zd bytes)", n);
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Collect every SCM_RIGHTS descriptor first, so that a rejection later can
 * close all of them (LXC's lxc_abstract_unix_recv_fds_iov does the same). */
static int collect_fds(struct msghdr *msg, int *fds, size_t *nfds, bool *foreign)
{
	*nfds = 0;
	*foreign = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			*foreign = true;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < PODD_FRAME_MAX_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	return 0;
}

int podd_frame_recv(int sock, struct podd_frame *frame, podd_error_t *err)
{
	struct podd_frame_header hdr;
	cleanup_free uint8_t *buf = NULL;
	union {
		char buf[CMSG_SPACE(sizeof(int) * PODD_FRAME_MAX_FDS)];
		struct cmsghdr align;
	} control;
	int fds[PODD_FRAME_MAX_FDS];
	size_t nfds = 0;
	bool foreign;
	ssize_t n;

	memset(frame, 0, sizeof(*frame));

	/* Peek at the header alone: the length is checked against the hard
	 * maximum before any buffer for the payload exists. */
	do
		n = recv(sock, &hdr, sizeof(hdr), MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return podd_error_sys(err, errno, "receive message");
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(hdr)) {
		/* Consume the runt so that it cannot be seen twice. */
		(void)recv(sock, &hdr, sizeof(hdr), MSG_CMSG_CLOEXEC);
		return podd_error(err, PROTO, "truncated message header (%zd bytes)", n);
	}
	if (hdr.magic != PODD_FRAME_MAGIC || hdr.reserved != 0 ||
	    hdr.length > PODD_FRAME_MAX_PAYLOAD || hdr.nfds > PODD_FRAME_MAX_FDS ||
	    (hdr.flags & ~PODD_FRAME_KNOWN_FLAGS) != 0)
		return podd_error(err, PROTO,
				  "malformed message header (magic %#x, length %u, fds %u, flags %#x)",
				  hdr.magic, hdr.length, hdr.nfds, hdr.flags);

	buf = malloc(sizeof(hdr) + hdr.length);
	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "receive message");

	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(hdr) + hdr.length };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return podd_error_sys(err, errno, "receive message");
	collect_fds(&msg, fds, &nfds, &foreign);
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		close_fds(fds, nfds);
		return podd_error(err, PROTO, "message or its descriptors were truncated");
	}
	if ((size_t)n != sizeof(hdr) + hdr.length) {
		close_fds(fds, nfds);
		return podd_error(err, PROTO, "message length %zd does not match its header (%zu)",
				  n, sizeof(hdr) + hdr.length);
	}
	/* The consumed record must be the one peeked at: a SEQPACKET record
	 * is read whole, so a difference means a second reader on the socket,
	 * and nothing from it is trusted. */
	if (memcmp(&hdr, buf, sizeof(hdr)) != 0) {
		close_fds(fds, nfds);
		return podd_error(err, PROTO, "message header changed between peek and read");
	}
	if (foreign || nfds != hdr.nfds) {
		close_fds(fds, nfds);
		return podd_error(err, PROTO, "message announced %u descriptors but carried %zu%s",
				  hdr.nfds, nfds, foreign ? " and a foreign control message" : "");
	}

	frame->type = hdr.type;
	frame->request_id = hdr.request_id;
	frame->flags = hdr.flags;
	frame->length = hdr.length;
	frame->nfds = nfds;
	memcpy(frame->fds, fds, sizeof(int) * nfds);
	if (hdr.length > 0) {
		memmove(buf, buf + sizeof(hdr), hdr.length);
		frame->payload = steal_pointer(&buf);
	}
	return 1;
}

void podd_frame_release(struct podd_frame *frame)
{
	free(frame->payload);
	frame->payload = NULL;
	close_fds(frame->fds, frame->nfds);
	frame->nfds = 0;
}

int podd_frame_take_fd(struct podd_frame *frame, size_t i)
{
	int fd;
	if (i >= frame->nfds)
		return -1;
	fd = frame->fds[i];
	frame->fds[i] = -1;
	return fd;
}

int podd_fd_check_kind(int fd, enum podd_fd_kind kind, podd_error_t *err)
{
	struct stat st;
	int t;

	if (fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "descriptor %d", fd);
	switch (kind) {
	case PODD_FD_NETNS:
		t = ioctl(fd, NS_GET_NSTYPE);
		if (t == CLONE_NEWNET)
			return 0;
		break;
	case PODD_FD_TTY:
		if (isatty(fd))
			return 0;
		break;
	case PODD_FD_SOCKET:
		if (S_ISSOCK(st.st_mode))
			return 0;
		break;
	case PODD_FD_REGULAR:
		if (S_ISREG(st.st_mode))
			return 0;
		break;
	case PODD_FD_DIRECTORY:
		if (S_ISDIR(st.st_mode))
			return 0;
		break;
	case PODD_FD_PIPE:
		if (S_ISFIFO(st.st_mode))
			return 0;
		break;
	case PODD_FD_OUTPUT:
		t = fcntl(fd, F_GETFL);
		if (t < 0 || ((t & O_ACCMODE) != O_WRONLY && (t & O_ACCMODE) != O_RDWR))
			break;
		if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
		    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
			return 0;
		break;
	case PODD_FD_INPUT:
		t = fcntl(fd, F_GETFL);
		if (t < 0 || ((t & O_ACCMODE) != O_RDONLY && (t & O_ACCMODE) != O_RDWR))
			break;
		if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
			return 0;
		break;
	default:
		break;
	}
	return podd_error(err, PROTO, "descriptor %d is not of the kind the message announced", fd);
}
