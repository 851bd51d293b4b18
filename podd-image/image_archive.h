/* Image archives (issue 4): podman load's oci-archive and docker-archive
 * read into the store (load.c), and written from it (save.c); a root
 * filesystem tarball made a one-layer image (import.c). */
#ifndef PODD_IMAGE_IMAGE_ARCHIVE_H
#define PODD_IMAGE_IMAGE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.pb-c.h"
#include "copy_progress.h"
#include "error.h"
#include "extract.h"

/* Archives hold at most this many members (files, links, directories). */
#define ARCHIVE_MAX_MEMBERS 10000

/* Reads the archive on `fd` (oci-archive or docker-archive; plain, gzip or
 * zstd) into the store, under store_lock(shared) held by the caller: every
 * blob checked against its digest while written, then, once the archive's
 * end is read, every image made with store_image_from_manifest_progress,
 * in the archive's order, reporting its steps to `progress` (may be NULL).
 * Then the rest of a pipe or socket is read to its end and dropped.
 * *out is a NULL-terminated array of records, names filled from the
 * archive and completed (image_name_complete); free with
 * image_records_free. On failure what the load stored stays for podctl's
 * gc. */
struct load_refusals {
	const char *oci_archive, *docker_archive; /* NULL or "": accepted */
};
/* `refuse` (may be NULL): the signature policy's refusals, by format. */
int archive_load(int storefd, int fd, const struct extract_limits *lim,
		 const struct load_refusals *refuse, const struct copy_progress *progress,
		 Podd__ImageRecord ***out, size_t *n, podd_error_t *err);

/* Writes the images (records as podd-state keeps them; `names` are the
 * names written into the archive) to `out` as an oci-archive (`oci`) or a
 * docker-archive, as podman save does. Reads only the store. Reports to
 * `progress` (may be NULL), per image, COPY_STEP_BLOB with each layer's
 * diff_id as it is written (or found written already), then
 * COPY_STEP_CONFIG and COPY_STEP_MANIFEST. */
int archive_save(int storefd, int out, bool oci, Podd__ImageRecord *const *recs, size_t n,
		 const struct copy_progress *progress, podd_error_t *err);

/* A root filesystem tarball on `fd` (plain, gzip or zstd) made a one-layer
 * image, under store_lock(shared) held by the caller: `changes` are
 * podman's --change instructions (lib/image_change.h), `message` the
 * history comment, `created_ns` 0 for now. *out has no names; *raw is the
 * sha256 of the tarball as read (compressed or not), the blob podman's
 * import names in its "Copying blob" line. */
int archive_import(int storefd, int fd, char *const *changes, size_t nchanges,
		   const char *message, int64_t created_ns, const struct extract_limits *lim,
		   Podd__ImageRecord **out, struct digest *raw, podd_error_t *err);

void image_records_free(Podd__ImageRecord **v, size_t n);

/* "busybox" -> "localhost/busybox:latest", "docker.io/library/x" ->
 * "docker.io/library/x:latest"; the result must pass
 * podd_image_name_qualified. A reference with a digest is refused. */
int image_name_complete(const char *in, char **out, podd_error_t *err);

#endif
