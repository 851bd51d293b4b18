/* A pull's session in podd-image-registry, driven by hand against the real
 * binary, for test_registry.sh: after the fetch, the session holds the
 * store's shared lock until PullFinishRequest or EOF; podctl cannot be
 * stopped between those steps at will, this can.
 * Usage: pull_session PODD_IMAGE_REGISTRY ROOT REFERENCE eof|drop|keep|hold
 * Pulls REFERENCE (TLS unverified) into ROOT/storage, checks that the lock
 * is held, then closes the socket (eof) or sends PullFinishRequest with
 * keep false (drop) or true (keep), and waits for the process to exit.
 * hold: as drop, but first waits (up to 60 s) for ROOT/go to exist, so
 * that a test can run another pull of the same blobs meanwhile.
 * Exit 0 when every step went as said; the caller looks at the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "image.pb-c.h"

static int fail(const char *what, podd_error_t *err)
{
	fprintf(stderr, "pull_session: %s%s%s\n", what, err && *err ? ": " : "",
		err && *err ? (*err)->msg : "");
	return 1;
}

static int done_seen;

static int on_event(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__RegistryEvent *ev = (const Podd__RegistryEvent *)chunk;
	(void)data;
	(void)err;
	if (ev->kind == PODD__REGISTRY_EVENT__KIND__KIND_DONE)
		done_seen = ev->manifest_digest[0] && ev->top_digest[0];
	return 0;
}

/* Can another process take store.lock exclusive right now? */
static int lock_free(const char *root)
{
	char path[4200];
	int fd, r;

	snprintf(path, sizeof(path), "%s/storage/store.lock", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return r == 0;
}

int main(int argc, char **argv)
{
	struct podd_peer peer = { .name = "podd-image-registry", .next_id = 1 };
	Podd__PullRequest pull = PODD__PULL_REQUEST__INIT;
	Podd__PullFinishRequest fin = PODD__PULL_FINISH_REQUEST__INIT;
	ProtobufCMessage *ok = NULL;
	podd_error_t err = NULL;
	char runroot[4200];
	int sv[2], stream[2], status;
	uint32_t id;

	if (argc != 5 || (strcmp(argv[4], "eof") && strcmp(argv[4], "drop") &&
			  strcmp(argv[4], "keep") && strcmp(argv[4], "hold"))) {
		fprintf(stderr, "usage: %s PODD_IMAGE_REGISTRY ROOT REFERENCE eof|drop|keep|hold\n",
			argv[0]);
		return 2;
	}
	snprintf(runroot, sizeof(runroot), "%s/run", argv[2]);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair", NULL);
	peer.pid = fork();
	if (peer.pid < 0)
		return fail("fork", NULL);
	if (peer.pid == 0) {
		char *const av[] = { argv[1], "--root", argv[2], "--runroot", runroot,
				     "--log-level", "error", NULL };
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		close_range(4, ~0U, 0);
		execv(argv[1], av);
		_exit(127);
	}
	close(sv[1]);
	peer.sock = sv[0];
	if (podd_client_hello(&peer, "image", &err) < 0)
		return fail("hello", &err);
	pull.reference = argv[3];
	pull.tls_verify = false;
	/* The layer pipe with no reader: podd-image-registry's copy into it
	 * meets EPIPE at once, which must end the copy and not the pull. */
	if (pipe2(stream, O_CLOEXEC) < 0)
		return fail("pipe", NULL);
	close(stream[0]);
	if (podd_client_send_fds(&peer, PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, &pull.base, &stream[1],
				 1, &id, &err) < 0)
		return fail("pull", &err);
	close(stream[1]);
	if (podd_client_receive_stream(&peer, id, PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
				       &podd__registry_event__descriptor, on_event, NULL, &err) < 0)
		return fail("pull", &err);
	if (!done_seen)
		return fail("the pull's DONE lacks its digests", NULL);
	if (lock_free(argv[2]) != 0)
		return fail("the fetched pull does not hold store.lock", NULL);
	if (strcmp(argv[4], "hold") == 0) {
		char go[4200];
		snprintf(go, sizeof(go), "%s/go", argv[2]);
		for (int i = 0; i < 600 && access(go, F_OK) != 0; i++)
			usleep(100000);
		if (access(go, F_OK) != 0)
			return fail("hold: ROOT/go never came", NULL);
	}
	if (strcmp(argv[4], "eof") != 0) {
		fin.keep = strcmp(argv[4], "keep") == 0;
		if (podd_client_call(&peer, PODD__IMAGE_TYPE__IMAGE_TYPE_PULL_FINISH, &fin.base,
				     PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor, &ok,
				     &err) < 0)
			return fail("pull finish", &err);
		protobuf_c_message_free_unpacked(ok, NULL);
		if (lock_free(argv[2]) != 1)
			return fail("store.lock still held after PullFinishRequest", NULL);
	}
	close(peer.sock);
	if (waitpid(peer.pid, &status, 0) != peer.pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return fail("podd-image-registry did not exit 0", NULL);
	return 0;
}
