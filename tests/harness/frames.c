/* Building frames by hand, right or wrong. */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "common.pb-c.h"
#include "wire.h"

int send_raw(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		struct cmsghdr *c;
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int send_frame(int sock, uint32_t magic, uint32_t type, uint32_t id, uint32_t length,
	       uint16_t nfds_hdr, uint16_t flags, const void *payload, size_t paylen,
	       const int *fds, size_t nfds)
{
	static uint8_t buf[sizeof(struct podd_frame_header) + 200 * 1024];
	struct podd_frame_header h = { .magic = magic, .type = type, .request_id = id,
				       .length = length, .nfds = nfds_hdr, .flags = flags };
	if (paylen > sizeof(buf) - sizeof(h))
		paylen = sizeof(buf) - sizeof(h);
	memcpy(buf, &h, sizeof(h));
	if (paylen)
		memcpy(buf + sizeof(h), payload, paylen);
	return send_raw(sock, buf, sizeof(h) + paylen, fds, nfds);
}

int send_hello(int sock, const char *channel, uint32_t version)
{
	Podd__Hello hello = PODD__HELLO__INIT;
	uint8_t buf[256];
	size_t n;

	hello.protocol_version = version;
	hello.channel = (char *)channel;
	n = podd__hello__pack(&hello, buf);
	return send_frame(sock, PODD_FRAME_MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_HELLO, 1,
			  (uint32_t)n, 0, 0, buf, n, NULL, 0);
}

bool handshake(int sock, const char *channel)
{
	uint8_t buf[1024];
	struct podd_frame_header h;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n;

	if (send_hello(sock, channel, PODD_PROTOCOL_VERSION) < 0 || poll(&p, 1, 5000) <= 0)
		return false;
	n = recv(sock, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	return h.type == PODD__COMMON_TYPE__COMMON_TYPE_HELLO_REPLY;
}
