/* Hostile frames against every helper, each case in a fresh helper process:
 * the helper must drop the peer (close its end) without crashing or hanging,
 * and podd-state's database must not change.
 * Usage: podd-harness BINDIR PODCTL [SEED] */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.pb-c.h"
#include "exec.pb-c.h"
#include "image.pb-c.h"
#include "state.pb-c.h"
#include "wire.h"

#define MAGIC PODD_FRAME_MAGIC
#define MUTATIONS 150

static int passed, failed;
static bool greet_failed; /* a GREETED case could not even shake hands */
static char root[4096], runroot[4096], dbdir[4200];
static unsigned char db_before[32];

static void result(bool ok, const char *helper, const char *what, const char *why)
{
	if (ok) {
		passed++;
		printf("ok - %s: %s\n", helper, what);
	} else {
		failed++;
		printf("not ok - %s: %s (%s)\n", helper, what, why);
	}
}

typedef void (*case_fn)(struct helper *h, const struct target *t);

static void garbage_first(struct helper *h, const struct target *t)
{
	(void)t;
	send_raw(h->sock, "\x01\x02\x03 not a frame at all, just bytes \xff\xfe", 38, NULL, 0);
}

static void request_before_hello(struct helper *h, const struct target *t)
{
	send_frame(h->sock, MAGIC, t->request_type, 1, 0, 0, 0, NULL, 0, NULL, 0);
}

static void wrong_version(struct helper *h, const struct target *t)
{
	send_hello(h->sock, t->channel, 999);
}

static void wrong_channel(struct helper *h, const struct target *t)
{
	send_hello(h->sock, strcmp(t->channel, "state") ? "state" : "exec", 1);
}

static void truncated_header(struct helper *h, const struct target *t)
{
	(void)t;
	send_raw(h->sock, "PDD1\x01\x00\x00\x00\x01\x00", 10, NULL, 0);
}

static void oversized_length(struct helper *h, const struct target *t)
{
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_HELLO, 1, 0x7fffffff, 0, 0,
		   "x", 1, NULL, 0);
	(void)t;
}

static void length_mismatch(struct helper *h, const struct target *t)
{
	(void)t;
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_HELLO, 1, 100, 0, 0,
		   "\x08\x01", 2, NULL, 0);
}

static void bad_magic(struct helper *h, const struct target *t)
{
	(void)t;
	send_frame(h->sock, 0x12345678, PODD__COMMON_TYPE__COMMON_TYPE_HELLO, 1, 0, 0, 0, NULL, 0,
		   NULL, 0);
}

static void zero_length_record(struct helper *h, const struct target *t)
{
	(void)t;
	send_raw(h->sock, "", 0, NULL, 0);
}

/* The rest first complete the handshake. */
#define GREETED(h, t)                                        \
	do {                                                 \
		if (!handshake((h)->sock, (t)->channel)) {   \
			greet_failed = true;                 \
			return;                              \
		}                                            \
	} while (0)

static void unknown_type(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, 9999, 2, 0, 0, 0, NULL, 0, NULL, 0);
}

static void foreign_type(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, t->foreign_type, 2, 0, 0, 0, NULL, 0, NULL, 0);
}

static void second_hello(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_hello(h->sock, t->channel, PODD_PROTOCOL_VERSION);
}

static void malformed_payload(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	/* a length-delimited field running past the end */
	send_frame(h->sock, MAGIC, t->request_type, 2, 4, 0, 0, "\x0a\x7f\x41\x42", 4, NULL, 0);
}

static void unknown_field(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 2, 0, 0, "\x78\x01", 2,
		   NULL, 0);
}

static void invalid_utf8(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 4, 0, 0,
		   "\x0a\x02\xc3\x28", 4, NULL, 0);
}

static void undeclared_fd(struct helper *h, const struct target *t)
{
	int fd = 0;
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 0, 0, 0, NULL, 0, &fd, 1);
}

static void missing_fd(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 0, 1, 0, NULL, 0, NULL, 0);
}

static void too_many_fds(struct helper *h, const struct target *t)
{
	int fds[5] = { 0, 0, 0, 0, 0 };
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 0, 5, 0, NULL, 0, fds, 5);
}

static void reserved_flags(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 0, 0, 0x80, NULL, 0,
		   NULL, 0);
}

static void streamed_request(struct helper *h, const struct target *t)
{
	GREETED(h, t);
	send_frame(h->sock, MAGIC, PODD__COMMON_TYPE__COMMON_TYPE_PING, 2, 0, 0, PODD_FRAME_MORE,
		   NULL, 0, NULL, 0);
}

/* podd-exec's Export carries the output descriptor: without it, or with
 * one of the wrong kind, the request is a protocol violation. (Other
 * helpers do not know the type at all, which also drops the peer.) */
static void send_export(struct helper *h, const struct target *t, const int *fds, size_t nfds)
{
	Podd__ExportRequest req = PODD__EXPORT_REQUEST__INIT;
	uint8_t buf[256];
	size_t n;

	GREETED(h, t);
	req.id = "4f2a9c1e7b3d5a6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
	req.rootfs = "/tmp";
	n = podd__export_request__pack(&req, buf);
	send_frame(h->sock, MAGIC, PODD__EXEC_TYPE__EXEC_TYPE_EXPORT, 2, (uint32_t)n,
		   (uint16_t)nfds, 0, buf, n, fds, nfds);
}

static void export_without_fd(struct helper *h, const struct target *t)
{
	send_export(h, t, NULL, 0);
}

static void export_to_directory(struct helper *h, const struct target *t)
{
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	send_export(h, t, &dir, 1);
	close(dir);
}

static void export_to_readonly(struct helper *h, const struct target *t)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	send_export(h, t, &fd, 1);
	close(fd);
}

static const struct {
	const char *name;
	case_fn fn;
} cases[] = {
	{ "garbage before the handshake", garbage_first },
	{ "a request before the handshake", request_before_hello },
	{ "Hello with the wrong protocol version", wrong_version },
	{ "Hello for another channel", wrong_channel },
	{ "a truncated header", truncated_header },
	{ "a length over the maximum", oversized_length },
	{ "a length that does not match the record", length_mismatch },
	{ "a bad magic", bad_magic },
	{ "a zero-length record", zero_length_record },
	{ "an unknown message type", unknown_type },
	{ "another channel's request type", foreign_type },
	{ "a second Hello", second_hello },
	{ "a malformed payload", malformed_payload },
	{ "an unknown field", unknown_field },
	{ "invalid UTF-8 in a string", invalid_utf8 },
	{ "a descriptor the header does not announce", undeclared_fd },
	{ "an announced descriptor that never came", missing_fd },
	{ "five descriptors", too_many_fds },
	{ "reserved flag bits", reserved_flags },
	{ "a request with the MORE flag", streamed_request },
	{ "an Export without its output descriptor", export_without_fd },
	{ "an Export whose output is a directory", export_to_directory },
	{ "an Export whose output is not open for writing", export_to_readonly },
};

static bool db_unchanged(const struct target *t, char *why, size_t size)
{
	unsigned char now[32];
	if (strcmp(t->binary, "podd-state") != 0)
		return true;
	if (db_hash(dbdir, now) < 0) {
		snprintf(why, size, "the database no longer opens");
		return false;
	}
	if (memcmp(now, db_before, 32) != 0) {
		snprintf(why, size, "the database changed");
		return false;
	}
	return true;
}

static bool ended_cleanly(int status, char *why, size_t size)
{
	if (status == -1) {
		snprintf(why, size, "hung: killed after 10 s");
		return false;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "died by signal %d", WTERMSIG(status));
		return false;
	}
	/* 127: the binary never ran (spawn.c), which proves nothing. */
	if (WEXITSTATUS(status) == 127) {
		snprintf(why, size, "the helper binary did not run");
		return false;
	}
	return true;
}

static void run_case(const struct target *t, const char *name, case_fn fn)
{
	struct helper h = { .pid = -1, .sock = -1 };
	char why[128] = "";
	bool ok;

	if (helper_spawn(&h, t, root, runroot) < 0) {
		result(false, t->binary, name, "spawn failed");
		return;
	}
	greet_failed = false;
	fn(&h, t);
	ok = helper_dropped(&h);
	if (!ok)
		snprintf(why, sizeof(why), "kept the connection open");
	if (greet_failed) {
		ok = false;
		snprintf(why, sizeof(why), "no answer to a valid Hello");
	}
	ok = ended_cleanly(helper_finish(&h), why, sizeof(why)) && ok;
	ok = db_unchanged(t, why, sizeof(why)) && ok;
	result(ok, t->binary, name, why);
}

/* A valid Hello and a valid request, with random bytes changed: whatever
 * the helper makes of it, it must not crash, hang or change the DB. */
static void mutations(const struct target *t, unsigned seed)
{
	uint8_t frame[256];
	struct podd_frame_header hdr = { .magic = MAGIC, .type = t->request_type, .request_id = 2 };
	Podd__LookupRequest lookup = PODD__LOOKUP_REQUEST__INIT;
	Podd__Ping ping = PODD__PING__INIT;
	size_t paylen;
	int bad = 0;
	char why[128] = "";

	srandom(seed);
	lookup.name_or_id = "c1";
	ping.token = "harness";
	if (strcmp(t->binary, "podd-state") == 0) {
		paylen = podd__lookup_request__pack(&lookup, frame + sizeof(hdr));
	} else {
		hdr.type = PODD__COMMON_TYPE__COMMON_TYPE_PING;
		paylen = podd__ping__pack(&ping, frame + sizeof(hdr));
	}
	hdr.length = (uint32_t)paylen;
	for (int i = 0; i < MUTATIONS && !bad; i++) {
		struct helper h = { .pid = -1, .sock = -1 };
		uint8_t copy[256];
		size_t len = sizeof(hdr) + paylen;
		int flips = 1 + (int)(random() % 4);

		memcpy(frame, &hdr, sizeof(hdr));
		memcpy(copy, frame, len);
		for (int f = 0; f < flips; f++)
			copy[random() % len] = (uint8_t)random();
		if (random() % 8 == 0)
			len = (size_t)random() % len;
		if (helper_spawn(&h, t, root, runroot) < 0) {
			bad = 1;
			snprintf(why, sizeof(why), "spawn failed");
			break;
		}
		if (handshake(h.sock, t->channel))
			send_raw(h.sock, copy, len, NULL, 0);
		if (!ended_cleanly(helper_finish(&h), why, sizeof(why)) ||
		    !db_unchanged(t, why, sizeof(why))) {
			bad = 1;
			fprintf(stderr, "mutation %d of seed %u broke %s\n", i, seed, t->binary);
		}
	}
	char what[96];
	snprintf(what, sizeof(what), "%d mutated requests (seed %u)", MUTATIONS, seed);
	result(!bad, t->binary, what, why);
}

static int populate(const char *podctl, const char *rootfs)
{
	char cmd[32768];
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/bin && for n in c1 c2 c3; do %s --root %s --runroot %s create "
		 "--name $n --rootfs %s /bin/true > /dev/null || exit 1; done",
		 rootfs, podctl, root, runroot, rootfs);
	return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/podd-harness.XXXXXX", rootfs[4200], cmd[4400];
	unsigned seed;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BINDIR PODCTL [SEED]\n", argv[0]);
		return 2;
	}
	seed = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : (unsigned)getpid();
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpl) == NULL)
		return 2;
	snprintf(root, sizeof(root), "%s/root", tmpl);
	snprintf(runroot, sizeof(runroot), "%s/run", tmpl);
	snprintf(dbdir, sizeof(dbdir), "%s/db", root);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpl);
	if (populate(argv[2], rootfs) < 0 || db_hash(dbdir, db_before) < 0) {
		fprintf(stderr, "harness: could not prepare a database in %s\n", tmpl);
		return 2;
	}
	printf("# seed %u\n", seed);

	const struct target targets[] = {
		/* state's numbers run to 35 (images); exec's TOP (40) is not one. */
		{ "podd-state", "state", argv[1], PODD__STATE_TYPE__STATE_TYPE_LOOKUP,
		  PODD__EXEC_TYPE__EXEC_TYPE_TOP },
		/* image's numbers run to 39 (16-23 local, 24-31 registry, 32-39
		 * commit); state's LOOKUP (20) would be its SAVE, exec's TOP (40)
		 * is no image type. */
		{ "podd-image", "image", argv[1], PODD__IMAGE_TYPE__IMAGE_TYPE_IMAGE_CONFIG,
		  PODD__EXEC_TYPE__EXEC_TYPE_TOP },
		/* One past exec's last request (33) is state's REMOVE_IMAGE:
		 * another channel's type. */
		{ "podd-exec", "exec", argv[1], PODD__EXEC_TYPE__EXEC_TYPE_WAIT,
		  PODD__EXEC_TYPE__EXEC_TYPE_EXEC_WAIT + 1 },
		{ "podd-net", "net", argv[1], PODD__COMMON_TYPE__COMMON_TYPE_PING,
		  PODD__STATE_TYPE__STATE_TYPE_LOOKUP },
	};
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		struct helper h = { .pid = -1, .sock = -1 };
		bool up = helper_spawn(&h, &targets[t], root, runroot) == 0 &&
			  handshake(h.sock, targets[t].channel);
		int st = helper_finish(&h);
		result(up && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, targets[t].binary,
		       "answers a valid Hello and exits 0 on EOF", "it did not");
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
			run_case(&targets[t], cases[c].name, cases[c].fn);
		mutations(&targets[t], seed + (unsigned)t);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", tmpl);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
