/* Layer extraction (issue 4): an OCI or docker image layer (tar; gzip,
 * zstd or uncompressed) unpacked into a directory of the store, with
 * nothing written outside it. docs/SECURITY.md, "Layer extraction", says
 * how. */
#ifndef PODD_IMAGE_EXTRACT_H
#define PODD_IMAGE_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "blobs.h"
#include "error.h"

/* Directories nest at most this deep in a layer: extraction refuses deeper
 * entries, so that layer_remove_tree's recursion (one descriptor per
 * level) is bounded by what extraction can have made. */
#define LAYER_MAX_DEPTH 256

/* Decompression bombs stop at these. */
struct archive;

struct extract_limits {
	uint64_t max_bytes;      /* file content written, whole layer */
	uint64_t max_file_bytes; /* one regular file */
	uint64_t max_entries;    /* tar entries, whiteouts and directories included */
	uint64_t max_path;       /* bytes of an entry's name or hardlink target */
	uint64_t max_dir_names;  /* bytes of directory names kept until the end, for their times */
	bool allow_devices;      /* character and block devices (whiteouts aside) */
};

struct extract_stats {
	uint64_t entries;        /* tar entries read */
	uint64_t bytes;          /* file content written */
	uint64_t whiteouts;      /* .wh.NAME made overlay whiteouts, opaque dirs included */
	uint64_t xattrs_skipped; /* xattrs outside the allowlist, or on a symlink/fifo/device */
};

/* 16 GiB per layer and per file, 1,000,000 entries, 4096-byte names,
 * 64 MiB of directory names, no devices. */
struct extract_limits extract_limits_default(void);
/* The most bytes an uncompressed layer stream may hold under `lim`: its
 * content, 1.5 KiB of headers an entry at most (a pax header and its
 * record), and the end marker and padding. What extraction and import
 * hold a tar stream to. */
uint64_t extract_tar_bytes_max(const struct extract_limits *lim);

/* A decompression bomb in the stream reader `a` has read so far: past
 * EXTRACT_BOMB_MIN_OUT bytes out of its decompressor, more than
 * EXTRACT_BOMB_RATIO bytes out for each byte in (PODD_E_INVALID_ARGUMENT).
 * Real archives and tarballs stay far below (their layers are compressed
 * already, or a rootfs compresses a few times); a small file that
 * inflates to a disk's worth does not. Called as a whole archive or
 * tarball is decompressed (load, import), where the layers' own limits
 * do not yet apply. */
#define EXTRACT_BOMB_MIN_OUT (1ULL << 30)
#define EXTRACT_BOMB_RATIO 1000
int extract_bomb_check(struct archive *a, podd_error_t *err);

/* Unpacks the layer read from archive_fd into dest_dirfd (a directory,
 * normally empty). On failure the directory holds what was written so far:
 * extraction does not clean up; the caller removes the layer directory
 * (layer_remove_tree) and stores nothing. `lim` NULL means
 * extract_limits_default(); `st` may be NULL. */
int layer_extract(int archive_fd, int dest_dirfd, const struct extract_limits *lim,
		  struct extract_stats *st, podd_error_t *err);

/* As layer_extract, and in the same pass the layer's diff_id: the sha256
 * of the whole uncompressed stream (what follows the tar's end marker
 * included) and, if `tar_bytes` is not NULL, its length. The stream is
 * bounded by the limits too (content plus headers). The caller compares
 * the diff_id with the one the image's config names, and on a mismatch
 * drops the directory as after any failure. */
int layer_extract_digest(int archive_fd, int dest_dirfd, const struct extract_limits *lim,
			 struct extract_stats *st, struct digest *diff_id, uint64_t *tar_bytes,
			 podd_error_t *err);

/* As layer_extract_digest, from the compressed layer as it streams in
 * through `fd` (a pipe), read to EOF: also the sha256 of those bytes and
 * their count, at most max_blob_bytes. The caller compares both with the
 * manifest's descriptor before it keeps the layer. */
int layer_extract_stream(int fd, uint64_t max_blob_bytes, int dest_dirfd,
			 const struct extract_limits *lim, struct extract_stats *st,
			 struct digest *diff_id, uint64_t *tar_bytes, struct digest *blob_digest,
			 uint64_t *blob_bytes, podd_error_t *err);

/* Removes `name` in parent_dirfd and everything beneath it, never following
 * a symlink; a missing name is not an error. Trees deeper than
 * LAYER_MAX_DEPTH are refused. */
int layer_remove_tree(int parent_dirfd, const char *name, podd_error_t *err);

#endif
