/* Strict decoding: what protobuf-c would accept but podd refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lookup_decodes),
		cmocka_unit_test(test_embedded_nul_in_string_is_rejected),
		cmocka_unit_test(test_invalid_utf8_is_rejected),
		cmocka_unit_test(test_truncated_message_is_rejected),
		cmocka_unit_test(test_repeated_singular_field_is_rejected),
		cmocka_unit_test(test_utf8_validator_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
