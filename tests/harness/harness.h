/* The hostile-message harness: frames no honest peer sends, against every
 * helper, each in a fresh process. */
#ifndef PODD_HARNESS_H
#define PODD_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct target {
	const char *binary;   /* "podd-state" */
	const char *channel;  /* its Hello.channel */
	const char *bindir;
	uint32_t request_type;      /* one request it serves */
	uint32_t foreign_type;      /* a type only another channel knows */
};

struct helper {
	pid_t pid;
	int sock;
};

int helper_spawn(struct helper *h, const struct target *t, const char *root, const char *runroot);
int helper_finish(struct helper *h);
bool helper_dropped(struct helper *h);

/* frames.c */
int send_raw(int sock, const void *buf, size_t len, const int *fds, size_t nfds);
int send_frame(int sock, uint32_t magic, uint32_t type, uint32_t id, uint32_t length,
	       uint16_t nfds_hdr, uint16_t flags, const void *payload, size_t paylen,
	       const int *fds, size_t nfds);
int send_hello(int sock, const char *channel, uint32_t version);
/* Send Hello and read the reply; false if the helper did not answer it. */
bool handshake(int sock, const char *channel);

/* dbhash.c: SHA-256 over every key and value of every database. */
int db_hash(const char *dbdir, unsigned char out[32]);

#endif
