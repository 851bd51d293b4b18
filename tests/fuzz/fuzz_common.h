/* Checks shared by the libFuzzer targets.
 *
 * fuzz_decode() runs one payload through podd_message_unpack() exactly as
 * lib/server.c and lib/client.c do, and then holds the result to what
 * lib/message.h promises:
 *
 *  - failure returns NULL with *err set, code PODD_E_PROTOCOL; success
 *    leaves *err NULL;
 *  - an accepted message holds no string with an embedded NUL, no unknown
 *    field and no singular field given twice (fuzz_wire_forbidden() walks the
 *    raw encoding independently of protobuf-c to tell; see
 *    fuzz_allowed() below);
 *  - an accepted message packs to as many bytes as arrived, and its packed
 *    form is accepted again (the canonical form is a fixed point);
 *  - every string reachable from it is valid UTF-8 (checked again here, and
 *    read in full, so ASan sees any string that is not NUL-terminated).
 *
 * A broken promise aborts, which libFuzzer reports as a crash. */
#ifndef PODD_FUZZ_COMMON_H
#define PODD_FUZZ_COMMON_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "message.h"
#include "wire.h"

#define FUZZ_ASSERT(cond, ...)                                                        \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz: %s:%d: broken promise: ", __FILE__,    \
				__LINE__);                                            \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* PODD_FUZZ_ALLOW=unknown,duplicate,nul,roundtrip (any of them, or "all")
 * in the environment stops the targets from failing on an accepted message
 * that holds an unknown field, a singular field twice or a string with an
 * embedded NUL, or whose canonical form is rejected, so that they go on
 * looking for everything else while lib/message.c still lets such messages
 * through. With "all" only memory errors, undefined behaviour, leaks and the
 * error contract are checked. */
#define FUZZ_ALLOW_UNKNOWN 1u
#define FUZZ_ALLOW_DUPLICATE 2u
#define FUZZ_ALLOW_NUL 4u
#define FUZZ_ALLOW_ROUNDTRIP 8u

static inline bool fuzz_allowed(unsigned what)
{
	static int allow = -1;

	if (allow < 0) {
		const char *v = getenv("PODD_FUZZ_ALLOW");
		allow = 0;
		if (v && (strstr(v, "unknown") || strstr(v, "all")))
			allow |= FUZZ_ALLOW_UNKNOWN;
		if (v && (strstr(v, "duplicate") || strstr(v, "all")))
			allow |= FUZZ_ALLOW_DUPLICATE;
		if (v && (strstr(v, "nul") || strstr(v, "all")))
			allow |= FUZZ_ALLOW_NUL;
		if (v && (strstr(v, "roundtrip") || strstr(v, "all")))
			allow |= FUZZ_ALLOW_ROUNDTRIP;
	}
	return (unsigned)allow & what;
}

/* A varint as protobuf-c reads one: at most 10 bytes. */
static inline bool fuzz_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < 10 && *i < len; k++) {
		uint8_t b = p[(*i)++];
		v |= (uint64_t)(b & 0x7f) << (7 * k);
		if ((b & 0x80) == 0) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Walk the raw encoding of a message of type `d`. Returns 1 with *why set
 * when it holds something podd_message_unpack() promises to reject, 0 when
 * it holds nothing of the kind, and -1 when the walker cannot judge (an
 * encoding odd enough that it would have to second-guess protobuf-c). */
static inline int fuzz_wire_forbidden(const ProtobufCMessageDescriptor *d, const uint8_t *p,
				      size_t len, int depth, const char **why)
{
	unsigned char seen[64] = { 0 };
	size_t i = 0;

	if (depth > PODD_MESSAGE_MAX_DEPTH + 1 || d->n_fields > sizeof(seen))
		return -1;
	while (i < len) {
		const ProtobufCFieldDescriptor *f;
		size_t start = i;
		uint64_t key, v;
		int r;

		if (!fuzz_varint(p, len, &i, &key) || key > UINT32_MAX || i - start > 5)
			return -1;
		if ((key >> 3) == 0)
			return -1;
		f = protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3));
		if (f == NULL && !fuzz_allowed(FUZZ_ALLOW_UNKNOWN)) {
			*why = "an unknown field";
			return 1;
		}
		if (f && f->label != PROTOBUF_C_LABEL_REPEATED && seen[f - d->fields]++ &&
		    !fuzz_allowed(FUZZ_ALLOW_DUPLICATE)) {
			*why = "a singular field given twice";
			return 1;
		}
		switch (key & 7) {
		case PROTOBUF_C_WIRE_TYPE_VARINT:
			if (!fuzz_varint(p, len, &i, &v))
				return -1;
			break;
		case PROTOBUF_C_WIRE_TYPE_64BIT:
			if (len - i < 8)
				return -1;
			i += 8;
			break;
		case PROTOBUF_C_WIRE_TYPE_32BIT:
			if (len - i < 4)
				return -1;
			i += 4;
			break;
		case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
			if (!fuzz_varint(p, len, &i, &v) || v > len - i)
				return -1;
			if (f && f->type == PROTOBUF_C_TYPE_STRING && memchr(p + i, 0, (size_t)v) &&
			    !fuzz_allowed(FUZZ_ALLOW_NUL)) {
				*why = "a string with an embedded NUL";
				return 1;
			}
			if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				r = fuzz_wire_forbidden(f->descriptor, p + i, (size_t)v, depth + 1,
							why);
				if (r != 0)
					return r;
			}
			i += (size_t)v;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Read every string of an unpacked message in full (ASan checks the
 * terminator is inside the allocation) and check it is UTF-8 again. */
static inline void fuzz_touch_strings(const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	FUZZ_ASSERT(depth <= PODD_MESSAGE_MAX_DEPTH, "%s nested %d deep", d->short_name, depth);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;
		const void *const *items;
		size_t count = 1;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			memcpy(&count, (const char *)m + f->quantifier_offset, sizeof(count));
			memcpy(&items, base, sizeof(items));
		} else {
			items = (const void *const *)base;
		}
		for (size_t k = 0; k < count; k++) {
			const void *v = items[k];
			if (v == NULL)
				continue;
			if (f->type == PROTOBUF_C_TYPE_STRING)
				FUZZ_ASSERT(podd_utf8_valid(v, strlen(v)),
					    "%s.%s accepted but not UTF-8", d->short_name, f->name);
			else
				fuzz_touch_strings(v, depth + 1);
		}
	}
}

/* Unpack `size` bytes as `desc` through the real path. Returns true when
 * podd_message_unpack() accepted them. `recheck` is false for the
 * re-unpack of an already accepted message (no further recursion). */
static inline bool fuzz_decode_checked(const ProtobufCMessageDescriptor *desc,
				       const uint8_t *data, size_t size, bool recheck)
{
	struct podd_frame frame;
	podd_error_t err = NULL;
	ProtobufCMessage *m;
	const char *why = NULL;
	uint8_t *copy = NULL;

	/* The payload as podd_frame_recv() hands it over: an allocation of
	 * exactly `length` bytes, NULL when empty. */
	memset(&frame, 0, sizeof(frame));
	if (size > 0) {
		copy = malloc(size);
		FUZZ_ASSERT(copy != NULL, "out of memory");
		memcpy(copy, data, size);
	}
	frame.length = size;
	frame.payload = copy;

	m = podd_message_unpack(desc, &frame, &err);
	if (m == NULL) {
		FUZZ_ASSERT(err != NULL, "%s rejected without an error", desc->short_name);
		FUZZ_ASSERT(err->code == PODD_E_PROTOCOL && err->msg != NULL,
			    "%s rejected with code %d, not PROTOCOL", desc->short_name,
			    err->code);
		podd_error_free(&err);
		free(copy);
		return false;
	}
	FUZZ_ASSERT(err == NULL, "%s accepted but *err set: %s", desc->short_name, err->msg);
	FUZZ_ASSERT(m->descriptor == desc, "%s unpacked as %s", desc->short_name,
		    m->descriptor->short_name);

	if (fuzz_wire_forbidden(desc, data, size, 0, &why) == 1)
		FUZZ_ASSERT(0, "%s of %zu bytes accepted although it holds %s",
			    desc->short_name, size, why);
	fuzz_touch_strings(m, 0);

	if (recheck) {
		size_t n = protobuf_c_message_get_packed_size(m);
		uint8_t *again = malloc(n ? n : 1);

		FUZZ_ASSERT(again != NULL, "out of memory");
		FUZZ_ASSERT(protobuf_c_message_pack(m, again) == n, "pack size mismatch");
		FUZZ_ASSERT(n == size, "%s accepted with %zu bytes but packs to %zu",
			    desc->short_name, size, n);
		FUZZ_ASSERT(fuzz_decode_checked(desc, again, n, false) ||
				    fuzz_allowed(FUZZ_ALLOW_ROUNDTRIP),
			    "%s: the canonical form of an accepted message is rejected",
			    desc->short_name);
		free(again);
	}

	protobuf_c_message_free_unpacked(m, NULL);
	free(copy);
	return true;
}

static inline bool fuzz_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
			       size_t size)
{
	return fuzz_decode_checked(desc, data, size, true);
}

#endif
