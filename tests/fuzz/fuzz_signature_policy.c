/* libFuzzer target for podctl's containers-policy.json parser and its
 * evaluation (podctl/signature_policy.c). The input is the policy text
 * (cut at its first NUL, as the file reader's string is). Beyond
 * ASan/UBSan/LSan the error contract is checked: -1 with *err set and no
 * policy kept, or 0 with *err NULL; and an accepted policy evaluates for a
 * docker reference, an archive path and the tarball transport to either
 * accepted or a refusal message, never an error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "signature_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scopes[600][SIGNATURE_POLICY_SCOPE_MAX];

static void evaluate(const struct signature_policy *p, const char *transport, size_t n)
{
	podd_error_t err = NULL;
	char *refused = NULL;
	int r = signature_policy_evaluate(p, transport, scopes, n, "IMG", &refused, &err);
	FUZZ_ASSERT(r == 0 && err == NULL, "evaluation failed: %s", err ? err->msg : "");
	FUZZ_ASSERT(refused == NULL || strlen(refused) > 0, "an empty refusal");
	free(refused);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signature_policy p;
	struct podd_reference ref;
	podd_error_t err = NULL;
	char *text = malloc(size + 1);
	int r;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = signature_policy_parse(text, "fuzz.json", &p, &err);
	free(text);
	FUZZ_ASSERT(r == 0 || r == -1, "return %d", r);
	if (r < 0) {
		FUZZ_ASSERT(err != NULL && err->msg != NULL, "failure without an error");
		FUZZ_ASSERT(p.root == NULL, "failure with a policy");
		podd_error_free(&err);
		return 0;
	}
	FUZZ_ASSERT(err == NULL && p.root != NULL, "success with an error or no policy");
	if (podd_reference_parse("a.b.example.com:5000/ns/img:1", &ref, &err) == 0)
		evaluate(&p, "docker", signature_policy_docker_scopes(&ref, scopes, 600));
	podd_error_free(&err);
	evaluate(&p, "oci-archive", signature_policy_path_scopes("/a/b/c.tar", scopes, 600));
	evaluate(&p, "docker-archive", 0);
	evaluate(&p, "tarball", 0);
	signature_policy_free(&p);
	return 0;
}
