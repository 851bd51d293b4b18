/* --detach-keys: the key sequence that detaches an attached terminal
 * (detach_keys.c; pure, unit-tested). */
#ifndef PODCTL_DETACH_KEYS_H
#define PODCTL_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DETACH_KEYS_MAX 16

struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t n;       /* 0: detaching is off (--detach-keys "") */
	size_t matched; /* how much of seq the input has matched so far */
};

/* podman's format: comma-separated keys, each a single character or
 * ctrl-<value>, <value> one of a-z @ [ \ ] ^ _ ("ctrl-p,ctrl-q", the
 * default, is 0x10 0x11). "" turns detaching off. */
int detach_keys_parse(const char *s, struct detach_keys *out, podd_error_t *err);
void detach_keys_default(struct detach_keys *out);

/* Feed n bytes of terminal input. What is to go to the container lands in
 * out (room for n + DETACH_KEYS_MAX bytes), *out_n its length: a partial
 * match is held back until the next byte shows whether the sequence goes
 * on, and is passed on when it does not. Returns true when the sequence
 * is complete: the caller detaches, and the bytes after it are dropped. */
bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n);

#endif
