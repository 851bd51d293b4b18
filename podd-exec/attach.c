/* Attaching to conmon: its attach socket (SOCK_SEQPACKET, in the bundle
 * directory with --full-attach) is connected here and the descriptor handed
 * to podctl, which then needs no file access at all. Terminal resizes go
 * to conmon's ctl fifo (the container's, or an exec session's) as
 * "1 HEIGHT WIDTH\n". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec.h"
#include "exec.pb-c.h"
#include "validate.h"

int exec_connect_attach(const char *dir, podd_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int sock = -1, dirfd = -1;
	int e = 0;

	/* sun_path holds 108 bytes; a long runroot would not fit, so connect
	 * relative to the bundle directory. */
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return podd_error_sys(err, errno, "open %s", dir);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return podd_error_sys(err, errno, "attach socket");
	if (fchdir(dirfd) < 0)
		return podd_error_sys(err, errno, "enter %s", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "attach");
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		e = errno;
	/* Nothing else uses the working directory; "/" is always there. */
	(void)!chdir("/");
	if (e)
		return podd_error_sys(err, e, "connect to the attach socket of the container");
	return move_fd(&sock);
}

int handle_attach(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;
	char dir[4200];
	cleanup_close int sock = -1;

	if (!podd_id_valid(r->id) || exec_ctr_path(ctx, dir, r->id, NULL) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	sock = exec_connect_attach(dir, err);
	if (sock < 0)
		return -1;
	Podd__Ok ok = PODD__OK__INIT;
	return podd_server_reply(srv, req, PODD__COMMON_TYPE__COMMON_TYPE_OK, 0, &ok.base, &sock, 1,
				 err);
}

int handle_resize(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__ResizeRequest *r = (const Podd__ResizeRequest *)req->msg;
	char path[4200], line[64];
	cleanup_close int fd = -1;
	int n;

	if (!podd_id_valid(r->id) || r->height > 65535 || r->width > 65535 ||
	    (r->session_id[0] ? exec_session_path(ctx, path, sizeof(path), r->id, r->session_id,
						  "ctl")
			      : exec_ctr_path(ctx, path, r->id, "ctl")) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid resize request");
	/* O_NONBLOCK: never hang on a fifo whose conmon has gone. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	n = snprintf(line, sizeof(line), "1 %u %u\n", r->height, r->width);
	if (write(fd, line, (size_t)n) != n)
		return podd_error_sys(err, errno, "resize");
	return podd_server_reply_ok(srv, req, err);
}
