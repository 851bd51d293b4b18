/* Strict decoding: what protobuf-c would accept but podd refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "common.pb-c.h"
#include "message.h"
#include "state.pb-c.h"

static struct podd_frame frame_of(uint8_t *buf, size_t len)
{
	struct podd_frame f = { 0 };
	f.payload = buf;
	f.length = len;
	return f;
}

static void test_valid_lookup_decodes(void **state)
{
	Podd__LookupRequest req = PODD__LOOKUP_REQUEST__INIT;
	uint8_t buf[64];
	podd_error_t err = NULL;
	(void)state;
	req.name_or_id = "web";
	size_t n = podd__lookup_request__pack(&req, buf);
	struct podd_frame f = frame_of(buf, n);
	ProtobufCMessage *m = podd_message_unpack(&podd__lookup_request__descriptor, &f, &err);
	assert_non_null(m);
	assert_string_equal(((Podd__LookupRequest *)m)->name_or_id, "web");
	protobuf_c_message_free_unpacked(m, NULL);
}

static void test_embedded_nul_in_string_is_rejected(void **state)
{
	/* field 1 (name_or_id), wire type 2, length 5: "we\0b1" */
	uint8_t buf[] = { 0x0a, 5, 'w', 'e', 0, 'b', '1' };
	struct podd_frame f = frame_of(buf, sizeof(buf));
	podd_error_t err = NULL;
	(void)state;
	assert_null(podd_message_unpack(&podd__lookup_request__descriptor, &f, &err));
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	podd_error_free(&err);
}

static void test_invalid_utf8_is_rejected(void **state)
{
	uint8_t buf[] = { 0x0a, 3, 'a', 0xc3, 0x28 };
	struct podd_frame f = frame_of(buf, sizeof(buf));
	podd_error_t err = NULL;
	(void)state;
	assert_null(podd_message_unpack(&podd__lookup_request__descriptor, &f, &err));
	assert_non_null(strstr(err->msg, "UTF-8"));
	podd_error_free(&err);
}

static void test_truncated_message_is_rejected(void **state)
{
	uint8_t buf[] = { 0x0a, 10, 'a', 'b' };
	struct podd_frame f = frame_of(buf, sizeof(buf));
	podd_error_t err = NULL;
	(void)state;
	assert_null(podd_message_unpack(&podd__lookup_request__descriptor, &f, &err));
	podd_error_free(&err);
}

static void test_repeated_singular_field_is_rejected(void **state)
{
	/* name_or_id twice: protobuf keeps the last, podd refuses the form. */
	uint8_t buf[] = { 0x0a, 1, 'a', 0x0a, 1, 'b' };
	struct podd_frame f = frame_of(buf, sizeof(buf));
	podd_error_t err = NULL;
	(void)state;
	assert_null(podd_message_unpack(&podd__lookup_request__descriptor, &f, &err));
	podd_error_free(&err);
}

/* Expect `buf` to be refused as a `desc` with a protocol error. */
static void assert_refused(const ProtobufCMessageDescriptor *desc, uint8_t *buf, size_t len)
{
	struct podd_frame f = frame_of(buf, len);
	podd_error_t err = NULL;
	ProtobufCMessage *m = podd_message_unpack(desc, &f, &err);
	if (m != NULL)
		protobuf_c_message_free_unpacked(m, NULL);
	assert_null(m);
	assert_non_null(err);
	assert_int_equal(err->code, PODD_E_PROTOCOL);
	podd_error_free(&err);
}

/* Found by fuzz_decode_lookup_request: field 6 (varint) is unknown to
 * LookupRequest; protobuf-c keeps it and would re-pack it verbatim. */
static void test_unknown_field_is_rejected(void **state)
{
	uint8_t buf[] = { 0x30, 0x2f };
	(void)state;
	assert_refused(&podd__lookup_request__descriptor, buf, sizeof(buf));
}

/* Found by fuzz_decode_error: code as a 5-byte negative varint, then a
 * string "ok\0ABCD". The decoder keeps "ok" and the sign-extended re-pack
 * of the code grows by 5 bytes: the sizes agree, the bytes do not. */
static void test_embedded_nul_hidden_by_varint_growth_is_rejected(void **state)
{
	uint8_t buf[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x07,
			  'o',  'k',  0x00, 'A',  'B',  'C',  'D' };
	(void)state;
	assert_refused(&podd__error__descriptor, buf, sizeof(buf));
}

/* Found by fuzz_decode_error: code given twice, message given twice. */
static void test_duplicate_fields_hidden_by_varint_growth_are_rejected(void **state)
{
	uint8_t buf[] = { 0x08, 0x01, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f,
			  0x12, 0x01, 'a',  0x12, 0x01, 'b' };
	(void)state;
	assert_refused(&podd__error__descriptor, buf, sizeof(buf));
}

/* Found by fuzz_decode_hello_reply: two versions, one negative. */
static void test_hello_reply_duplicate_is_rejected(void **state)
{
	uint8_t buf[] = { 0x08, 0x01, 0x12, 0x0a, 'p',  'o',  'd',  '-',  's',  't',  'a',
			  't',  'e',  0x1a, 0x20, 0xff, 0x1a, 0x20, 0xff, 0xff, 0xff, 0xff,
			  0xff, 0xff, 0x01 };
	(void)state;
	assert_refused(&podd__hello_reply__descriptor, buf, sizeof(buf));
}

/* Found by fuzz_decode_error: a field numbered 0 among unknown fields. */
static void test_field_zero_is_rejected(void **state)
{
	uint8_t buf[] = { 0x81, 0x00, 0x34, 0x00, 0x20, 0x00, 0x0d, 0x08, 0x90, 0xf0, 0xf0, 0x9f,
			  0x00, 0x0d, 0x08, 0x90, 0xf0, 0xf0, 0x9f, 0x9f, 0xff, 0xff, 0xff, 0x13 };
	(void)state;
	assert_refused(&podd__error__descriptor, buf, sizeof(buf));
}

/* proto3 never sends a default: an explicit zero is not canonical. */
static void test_explicit_default_is_rejected(void **state)
{
	uint8_t buf[] = { 0x08, 0x00 };
	(void)state;
	assert_refused(&podd__error__descriptor, buf, sizeof(buf));
}

/* Every canonical message is accepted: a full Error round-trips. */
static void test_canonical_error_round_trips(void **state)
{
	Podd__Error e = PODD__ERROR__INIT;
	uint8_t buf[64];
	podd_error_t err = NULL;
	(void)state;
	e.code = PODD__ERROR_CODE__ERROR_CODE_NAME_IN_USE;
	e.message = "name \"web\" is in use";
	size_t n = podd__error__pack(&e, buf);
	struct podd_frame f = frame_of(buf, n);
	ProtobufCMessage *m = podd_message_unpack(&podd__error__descriptor, &f, &err);
	assert_non_null(m);
	assert_null(err);
	assert_string_equal(((Podd__Error *)m)->message, e.message);
	protobuf_c_message_free_unpacked(m, NULL);
}

static void test_utf8_validator_rules(void **state)
{
	(void)state;
	assert_true(podd_utf8_valid("plain", 5));
	assert_true(podd_utf8_valid("\xc3\xa9t\xc3\xa9", 6));          /* été */
	assert_true(podd_utf8_valid("\xf0\x9f\x90\xb3", 4));           /* U+1F433 */
	assert_false(podd_utf8_valid("\xc0\xaf", 2));                  /* overlong / */
	assert_false(podd_utf8_valid("\xe0\x80\xaf", 3));              /* overlong / */
	assert_false(podd_utf8_valid("\xed\xa0\x80", 3));              /* surrogate */
	assert_false(podd_utf8_valid("\xf4\x90\x80\x80", 4));          /* > U+10FFFF */
	assert_false(podd_utf8_valid("\xe2\x82", 2));                  /* cut short */
	assert_false(podd_utf8_valid("\x80", 1));                      /* lone continuation */
}

/* An Error from a helper may quote container- or image-controlled names:
 * podctl gets it with control characters (C0, DEL, C1) shown as \xNN,
 * and other UTF-8 kept. */
static void test_error_message_controls_are_escaped(void **state)
{
	Podd__Error e = PODD__ERROR__INIT;
	Podd__Ping ping = PODD__PING__INIT;
	struct podd_peer peer = { .name = "podd-test" };
	ProtobufCMessage *reply = NULL;
	podd_error_t err = NULL;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	peer.sock = sv[0];
	e.code = PODD__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT;
	e.message = "layer: entry \"a\033[2J\177b\302\233c\303\251\": refused";
	/* Answer the request the call is about to send (ids start at 1). */
	assert_int_equal(podd_message_send(sv[1], PODD__COMMON_TYPE__COMMON_TYPE_ERROR, 1, 0,
					   &e.base, NULL, 0, &err),
			 0);
	assert_int_equal(podd_client_call(&peer, PODD__COMMON_TYPE__COMMON_TYPE_PING, &ping.base,
					  PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor,
					  &reply, &err),
			 -1);
	assert_non_null(err);
	assert_int_equal(err->code, PODD__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT);
	assert_string_equal(err->msg,
			    "layer: entry \"a\\x1b[2J\\x7fb\\x9bc\303\251\": refused");
	podd_error_free(&err);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lookup_decodes),
		cmocka_unit_test(test_embedded_nul_in_string_is_rejected),
		cmocka_unit_test(test_invalid_utf8_is_rejected),
		cmocka_unit_test(test_truncated_message_is_rejected),
		cmocka_unit_test(test_repeated_singular_field_is_rejected),
		cmocka_unit_test(test_unknown_field_is_rejected),
		cmocka_unit_test(test_embedded_nul_hidden_by_varint_growth_is_rejected),
		cmocka_unit_test(test_duplicate_fields_hidden_by_varint_growth_are_rejected),
		cmocka_unit_test(test_hello_reply_duplicate_is_rejected),
		cmocka_unit_test(test_field_zero_is_rejected),
		cmocka_unit_test(test_explicit_default_is_rejected),
		cmocka_unit_test(test_canonical_error_round_trips),
		cmocka_unit_test(test_utf8_validator_rules),
		cmocka_unit_test(test_error_message_controls_are_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
