/* Cleanup attributes for the two records every process passes around
 * (proto/common.proto): a container's and an image's, freed as protobuf-c
 * unpacked them. */
#ifndef PODD_RECORDS_H
#define PODD_RECORDS_H

#include "common.pb-c.h"

static inline void record_freep(Podd__ContainerRecord **r)
{
	if (*r)
		podd__container_record__free_unpacked(*r, NULL);
	*r = NULL;
}
#define cleanup_record __attribute__((cleanup(record_freep)))

static inline void image_record_freep(Podd__ImageRecord **r)
{
	if (*r)
		podd__image_record__free_unpacked(*r, NULL);
	*r = NULL;
}
#define cleanup_image_record __attribute__((cleanup(image_record_freep)))

#endif
