#include "message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "common.pb-c.h"

#define PROTO PODD_E_PROTOCOL

int podd_message_send(int sock, uint32_t type, uint32_t request_id, uint16_t flags,
		      const ProtobufCMessage *msg, const int *fds, size_t nfds,
		      podd_error_t *err)
{
	uint8_t stackbuf[4096];
	cleanup_free uint8_t *heap = NULL;
	uint8_t *buf = stackbuf;
	size_t len = protobuf_c_message_get_packed_size(msg);

	if (len > PODD_FRAME_MAX_PAYLOAD)
		return podd_error(err, PROTO, "%s of %zu bytes exceeds the frame maximum",
				  msg->descriptor->short_name, len);
	if (len > sizeof(stackbuf)) {
		heap = malloc(len);
		if (heap == NULL)
			return podd_error_sys(err, ENOMEM, "pack %s", msg->descriptor->short_name);
		buf = heap;
	}
	protobuf_c_message_pack(msg, buf);
	return podd_frame_send(sock, type, request_id, flags, buf, len, fds, nfds, err);
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool podd_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false; /* sequence cut short */
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Every string valid UTF-8, no unknown field, nesting bounded: at every
 * level of the message. */
static int check_message(const ProtobufCMessage *m, int depth, podd_error_t *err)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (depth > PODD_MESSAGE_MAX_DEPTH)
		return podd_error(err, PROTO, "%s nests deeper than %d", d->short_name,
				  PODD_MESSAGE_MAX_DEPTH);
	if (m->n_unknown_fields != 0)
		return podd_error(err, PROTO, "%s carries an unknown field (number %u)",
				  d->short_name, m->unknown_fields[0].tag);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;
		size_t count = 1;
		const void *const *items;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			memcpy(&count, (const char *)m + f->quantifier_offset, sizeof(size_t));
			items = *(const void *const *const *)base;
		} else {
			items = (const void *const *)base;
		}
		for (size_t k = 0; k < count; k++) {
			const void *v = items ? items[k] : NULL;
			if (v == NULL)
				continue;
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				const char *s = v;
				if (!podd_utf8_valid(s, strlen(s)))
					return podd_error(err, PROTO, "%s.%s is not valid UTF-8",
							  d->short_name, f->name);
			} else if (check_message(v, depth + 1, err) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

/* Only the canonical encoding is accepted: what protobuf-c packs from the
 * decoded message must be the bytes that arrived. That rejects what the
 * decoder silently normalises: a string with an embedded NUL (kept only up
 * to the NUL), a singular field given twice (the last wins), defaults sent
 * explicitly, fields out of order, overlong varints. Size alone is not
 * enough: a shorter string and a longer varint can make up the same length. */
static int check_canonical(const ProtobufCMessage *m, const struct podd_frame *frame,
			   podd_error_t *err)
{
	uint8_t stackbuf[4096];
	cleanup_free uint8_t *heap = NULL;
	uint8_t *buf = stackbuf;
	size_t len = protobuf_c_message_get_packed_size(m);

	if (len == frame->length && len > sizeof(stackbuf)) {
		heap = malloc(len);
		if (heap == NULL)
			return podd_error_sys(err, ENOMEM, "check %s", m->descriptor->short_name);
		buf = heap;
	}
	if (len != frame->length ||
	    (len > 0 && (protobuf_c_message_pack(m, buf) != len ||
			 memcmp(buf, frame->payload, len) != 0)))
		return podd_error(err, PROTO,
				  "%s message is not in canonical form (an embedded NUL, a "
				  "repeated or out-of-order field, or a non-minimal encoding)",
				  m->descriptor->short_name);
	return 0;
}

ProtobufCMessage *podd_message_unpack(const ProtobufCMessageDescriptor *desc,
				      const struct podd_frame *frame, podd_error_t *err)
{
	cleanup_message ProtobufCMessage *m = NULL;

	m = protobuf_c_message_unpack(desc, NULL, frame->length, frame->payload);
	if (m == NULL) {
		podd_error(err, PROTO, "malformed %s message", desc->short_name);
		return NULL;
	}
	/* Unknown fields first: they would be re-packed verbatim. */
	if (check_message(m, 0, err) < 0 || check_canonical(m, frame, err) < 0)
		return NULL;
	return steal_pointer(&m);
}

char *podd_bytes_strdup(const ProtobufCBinaryData *b)
{
	char *s = malloc(b->len + 1);

	if (s == NULL)
		return NULL;
	if (b->len)
		memcpy(s, b->data, b->len);
	s[b->len] = '\0';
	return s;
}
