/* podd-image: the only process that parses registry data and layers, the
 * most hostile input the engine sees. It keeps the file-ownership
 * capabilities layer extraction needs, cannot mount or exec, and sees only
 * its store. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "image.pb-c.h"
#include "log.h"
#include "sandbox.h"

static int handle_ping(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ImagePing *ping = (const Podd__ImagePing *)req->msg;
	Podd__ImagePong pong = PODD__IMAGE_PONG__INIT;

	pong.token = ping->token;
	pong.worker_pid = (int32_t)getpid();
	return podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_PONG, 0, &pong.base, NULL, 0,
				 err);
}

static const struct podd_handler handlers[] = {
	{ PODD__IMAGE_TYPE__IMAGE_TYPE_PING, &podd__image_ping__descriptor, 0, handle_ping },
};

/* Layer extraction (issue 4) writes files as their owners in the layer
 * say: chown, owner-independent access, device nodes, file capabilities. */
static const cap_value_t image_caps[] = {
	CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE, CAP_MKNOD, CAP_SETFCAP,
};

/* Beyond the base list: the store's files. No mount, no execve. */
static const char *const image_syscalls[] = {
	"openat", "pread64", "pwrite64", "fsync", "fdatasync", "mkdirat", "unlinkat",
	"renameat2", "fchown", "fchownat", "fchmod", "fchmodat", "mknodat", "symlinkat", "linkat",
	"utimensat", "fsetxattr", "lsetxattr", "getdents64", "ftruncate", NULL,
};

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	char store[4096];

	podd_helper_init("podd-image", argc, argv, &args);
	snprintf(store, sizeof(store), "%s/storage", args.static_dir);
	if (podd_mkdir_p(store, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	const char *const dirs[] = { store, NULL };
	const struct podd_sandbox_policy policy = {
		.process = "podd-image",
		.keep_caps = image_caps,
		.nkeep_caps = sizeof(image_caps) / sizeof(image_caps[0]),
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = image_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
	};
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = "podd-image";
	srv.channel = "image";
	srv.handlers = handlers;
	srv.nhandlers = sizeof(handlers) / sizeof(handlers[0]);
	podd_helper_serve(&srv);
}
