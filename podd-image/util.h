/* Small helpers every podd-image module shares: util_base.h's (opening
 * beneath the store, hex, sha256, cleanup wrappers) and cleanup wrappers
 * (lib/cleanup.h's style) for libarchive's handles. */
#ifndef PODD_IMAGE_UTIL_H
#define PODD_IMAGE_UTIL_H

#include <archive.h>
#include <archive_entry.h>

#include "util_base.h"

static inline void archive_read_freep(struct archive **p)
{
	if (*p)
		archive_read_free(*p);
	*p = NULL;
}
#define cleanup_archive_read __attribute__((cleanup(archive_read_freep)))

static inline void archive_write_freep(struct archive **p)
{
	if (*p)
		archive_write_free(*p);
	*p = NULL;
}
#define cleanup_archive_write __attribute__((cleanup(archive_write_freep)))

#endif
