/* libFuzzer target for the protobuf decoders behind podd_message_unpack().
 *
 * Built once per request decoder with
 *   -DFUZZ_DESCRIPTOR=podd__lookup_request__descriptor
 * so that each decoder gets its own coverage map and corpus; the input is the
 * frame payload as it would arrive at the serving process.
 *
 * Built with -DFUZZ_SELECT instead, the first input byte picks one of the
 * reply decoders podctl and lib/client.c use (Error, HelloReply, the record
 * and Pong replies) and the rest is the payload: a compromised helper talks
 * to podctl through those. */
#include <stddef.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "exec.pb-c.h"
#include "image.pb-c.h"
#include "launcher.pb-c.h"
#include "fuzz_common.h"
#include "image.pb-c.h"
#include "state.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_SELECT)

#include "fuzz_replies.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > PODD_FRAME_MAX_PAYLOAD || data[0] >= FUZZ_NREPLIES)
		return -1; /* never a frame; keep it out of the corpus */
	fuzz_decode(fuzz_replies[data[0]], data + 1, size - 1);
	return 0;
}

#elif defined(FUZZ_DESCRIPTOR)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > PODD_FRAME_MAX_PAYLOAD)
		return -1; /* podd_frame_recv() never hands over more */
	fuzz_decode(&FUZZ_DESCRIPTOR, data, size);
	return 0;
}

#else
#error "build with -DFUZZ_DESCRIPTOR=podd__<message>__descriptor or -DFUZZ_SELECT"
#endif
