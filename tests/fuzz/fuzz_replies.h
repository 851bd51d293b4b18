/* The reply decoders podctl and lib/client.c run on what a helper sends;
 * fuzz_decode_replies picks one with its first input byte. */
#ifndef PODD_FUZZ_REPLIES_H
#define PODD_FUZZ_REPLIES_H

#include "common.pb-c.h"
#include "image.pb-c.h"
#include "state.pb-c.h"

static const ProtobufCMessageDescriptor *const fuzz_replies[] = {
	&podd__error__descriptor,
	&podd__hello_reply__descriptor,
	&podd__ok__descriptor,
	&podd__db_info__descriptor,
	&podd__container_record__descriptor,
	&podd__container_list__descriptor,
	&podd__pong__descriptor,
	&podd__process_table__descriptor, /* podctl top, from podd-exec */
	&podd__registry_event__descriptor, /* pull and push, from podd-image */
	&podd__search_reply__descriptor, /* search, from podd-image-registry */
	&podd__copy_event__descriptor, /* load and save, from podd-image */
};
#define FUZZ_NREPLIES (sizeof(fuzz_replies) / sizeof(fuzz_replies[0]))

#endif
