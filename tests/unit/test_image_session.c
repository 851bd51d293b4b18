/* A podd-image session's store lock, against the real binary: the shared
 * lock a load leaves held until the session ends is let go only by a valid
 * GcRequest, never by one podd-image refuses.
 * Usage: test_image_session PODD_IMAGE ARCHIVE */
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
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "image.pb-c.h"
#include "pipe_child.h"

static const char *image_bin, *archive;

struct session {
	char root[64];
	struct podd_peer peer;
};

static int session_setup(void **state)
{
	struct session *s = calloc(1, sizeof(*s));
	char runroot[96];
	int sv[2];

	assert_non_null(s);
	snprintf(s->root, sizeof(s->root), "/tmp/podd-imgsess-XXXXXX");
	assert_non_null(mkdtemp(s->root));
	snprintf(runroot, sizeof(runroot), "%s/run", s->root);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	s->peer.pid = fork();
	assert_true(s->peer.pid >= 0);
	if (s->peer.pid == 0) {
		char *const argv[] = { (char *)image_bin, "--root", s->root, "--runroot", runroot,
				       "--log-level", "error", NULL };
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		close_range(4, ~0U, 0);
		execv(image_bin, argv);
		_exit(127);
	}
	close(sv[1]);
	s->peer.sock = sv[0];
	s->peer.name = "podd-image";
	s->peer.next_id = 1;
	*state = s;
	return 0;
}

static int session_teardown(void **state)
{
	struct session *s = *state;
	char cmd[128];
	int status;

	close(s->peer.sock);
	if (s->peer.pid > 0)
		waitpid(s->peer.pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->root);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", s->root);
	free(s);
	return 0;
}

/* Can another process take store.lock exclusive right now? */
static bool store_lock_free(const struct session *s)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "%s/storage/store.lock", s->root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	r = flock(fd, LOCK_EX | LOCK_NB);
	assert_true(r == 0 || errno == EWOULDBLOCK);
	close(fd);
	return r == 0;
}

static void test_a_refused_gc_keeps_the_sessions_store_lock(void **state)
{
	struct session *s = *state;
	Podd__LoadRequest load = PODD__LOAD_REQUEST__INIT;
	Podd__GcRequest gc = PODD__GC_REQUEST__INIT;
	ProtobufCMessage *m = NULL, *r = NULL;
	podd_error_t err = NULL;
	char *ids[1];
	int fd = open(archive, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(podd_client_hello(&s->peer, "image", &err), 0);
	assert_int_equal(podd_client_call_fds(&s->peer, PODD__IMAGE_TYPE__IMAGE_TYPE_LOAD,
					      &load.base, &fd, 1,
					      PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT,
					      &podd__copy_event__descriptor, &m, NULL, 0, &err),
			 0);
	close(fd);
	/* Without progress, the answer is the one KIND_DONE frame. */
	assert_int_equal(((Podd__CopyEvent *)m)->kind, PODD__COPY_EVENT__KIND__KIND_DONE);
	ids[0] = ((Podd__CopyEvent *)m)->loaded->images[0]->id;
	/* Loaded, not recorded yet: the session holds the store (no gc). */
	assert_false(store_lock_free(s));

	/* A begin carries no images: refused, and nothing changes. */
	gc.begin = true;
	gc.image_ids = ids;
	gc.n_image_ids = 1;
	assert_int_equal(podd_client_call(&s->peer, PODD__IMAGE_TYPE__IMAGE_TYPE_GC, &gc.base,
					  PODD__IMAGE_TYPE__IMAGE_TYPE_GC_REPLY,
					  &podd__gc_reply__descriptor, &r, &err),
			 -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "begin carries no images"));
	podd_error_free(&err);
	assert_false(store_lock_free(s));
	assert_null(r);
	protobuf_c_message_free_unpacked(m, NULL);
}

/* Entries of <root>/storage/layers named tmp-*. */
static int tmp_layers(const struct session *s)
{
	char path[128];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/storage/layers", s->root);
	dir = opendir(path);
	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL)
		n += strncmp(d->d_name, "tmp-", 4) == 0;
	closedir(dir);
	return n;
}

/* `len` bytes of buf streamed in through UnpackStreamRequest, answered Ok. */
static void unpack_stream(struct session *s, const char *buf, size_t len)
{
	Podd__UnpackStreamRequest req = PODD__UNPACK_STREAM_REQUEST__INIT;
	ProtobufCMessage *ok = NULL;
	podd_error_t err = NULL;
	pid_t pid;
	int status, fd = pipe_from_child(buf, len, &pid);

	assert_int_equal(podd_client_call_fds(&s->peer, PODD__IMAGE_TYPE__IMAGE_TYPE_UNPACK_STREAM,
					      &req.base, &fd, 1, PODD__COMMON_TYPE__COMMON_TYPE_OK,
					      &podd__ok__descriptor, &ok, NULL, 0, &err),
			 0);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	protobuf_c_message_free_unpacked(ok, NULL);
}

/* A layer streamed in waits in its temporary directory for an image that
 * never comes: the session's end removes it. What does not unpack is not
 * kept at all, and the answer is Ok either way. */
static void test_a_streamed_layer_goes_with_the_session(void **state)
{
	struct session *s = *state;
	static char tar[10240];
	podd_error_t err = NULL;
	int status;

	/* A ustar holding one file "a" with "hi\n", then its end marker. */
	memset(tar, 0, sizeof(tar));
	snprintf(tar, 100, "a");
	snprintf(tar + 100, 8, "0000644");
	snprintf(tar + 108, 8, "0000000");
	snprintf(tar + 116, 8, "0000000");
	snprintf(tar + 124, 12, "00000000003");
	snprintf(tar + 136, 12, "00000000000");
	tar[156] = '0';
	memcpy(tar + 257, "ustar", 6);
	memcpy(tar + 263, "00", 2);
	memset(tar + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)tar[i];
	snprintf(tar + 148, 8, "%06o", sum);
	memcpy(tar + 512, "hi\n", 3);

	assert_int_equal(podd_client_hello(&s->peer, "image", &err), 0);
	unpack_stream(s, "not a layer at all", 18);
	assert_int_equal(tmp_layers(s), 0);
	unpack_stream(s, tar, sizeof(tar));
	assert_int_equal(tmp_layers(s), 1);
	/* EOF: podd-image exits, and drops the layer on its way out. */
	shutdown(s->peer.sock, SHUT_WR);
	assert_int_equal(waitpid(s->peer.pid, &status, 0), s->peer.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s->peer.pid = -1;
	assert_int_equal(tmp_layers(s), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_refused_gc_keeps_the_sessions_store_lock,
						session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_a_streamed_layer_goes_with_the_session,
						session_setup, session_teardown),
	};
	if (argc != 3) {
		fprintf(stderr, "usage: %s PODD_IMAGE ARCHIVE\n", argv[0]);
		return 2;
	}
	image_bin = argv[1];
	archive = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
