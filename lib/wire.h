/* Framing of podd messages on an AF_UNIX SOCK_SEQPACKET socket.
 *
 * One record = one frame: a fixed 24-byte header followed by `length` bytes
 * of protobuf payload, with exactly `nfds` descriptors attached as
 * SCM_RIGHTS. docs/PROTOCOL.md describes the format. */
#ifndef PODD_WIRE_H
#define PODD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PODD_PROTOCOL_VERSION 1u
#define PODD_FRAME_MAGIC 0x50444431u /* "PDD1" */

/* A SEQPACKET record tops out near net.core.wmem_default (~208 KiB here);
 * stay well below it and stream anything larger (PODD_FRAME_MORE). */
#define PODD_FRAME_MAX_PAYLOAD (128u * 1024u)
#define PODD_FRAME_MAX_FDS 4u

/* Set on every frame of a streamed answer but the last. */
#define PODD_FRAME_MORE 0x1u
#define PODD_FRAME_KNOWN_FLAGS (PODD_FRAME_MORE)

struct podd_frame_header {
	uint32_t magic;
	uint32_t type;
	uint32_t request_id;
	uint32_t length;
	uint16_t nfds;
	uint16_t flags;
	uint32_t reserved; /* must be zero */
} __attribute__((packed));

struct podd_frame {
	uint32_t type;
	uint32_t request_id;
	uint16_t flags;
	size_t length;
	uint8_t *payload; /* owned, NULL when length == 0 */
	size_t nfds;
	int fds[PODD_FRAME_MAX_FDS];
};

/* Send one frame. The descriptors stay owned by the caller. */
int podd_frame_send(int sock, uint32_t type, uint32_t request_id, uint16_t flags,
		    const void *payload, size_t length, const int *fds, size_t nfds,
		    podd_error_t *err);

/* Receive one frame. Returns 1 with *frame filled, 0 on orderly EOF (a
 * zero-length record reads the same as EOF on SEQPACKET and is treated as
 * one: the peer is dropped), or -1
 * with *err set; on any rejection every descriptor received is closed.
 * Rejected: short or oversized records, MSG_TRUNC/MSG_CTRUNC, a bad magic or
 * reserved field, unknown flags, a descriptor count other than announced,
 * any control message other than SCM_RIGHTS. */
int podd_frame_recv(int sock, struct podd_frame *frame, podd_error_t *err);

/* Free the payload and close every descriptor still held. */
void podd_frame_release(struct podd_frame *frame);

/* Take descriptor i out of the frame (the frame no longer closes it). */
int podd_frame_take_fd(struct podd_frame *frame, size_t i);

enum podd_fd_kind {
	PODD_FD_NETNS,   /* a network namespace (NS_GET_NSTYPE == CLONE_NEWNET) */
	PODD_FD_TTY,     /* a terminal */
	PODD_FD_SOCKET,
	PODD_FD_REGULAR,
	PODD_FD_DIRECTORY,
	PODD_FD_PIPE,
	/* Where a command writes its output (export): a regular file, pipe,
	 * socket or /dev/null, open for writing; never a terminal, a
	 * directory or another device. */
	PODD_FD_OUTPUT,
	/* What a command reads (load, import): a regular file, pipe or
	 * socket open for reading. */
	PODD_FD_INPUT,
};

/* Check that a received descriptor is of the kind the message says it is. */
int podd_fd_check_kind(int fd, enum podd_fd_kind kind, podd_error_t *err);

#endif
