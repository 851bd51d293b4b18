/* podctl commit: a container's overlay upper dir made a new layer on top
 * of its image (commit.h).
 *
 * The upper dir is container-written, so as hostile as a layer: it is
 * opened beneath the store with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
 * walked one directory descriptor at a time (names from getdents, sorted
 * by byte order as podman's tar walks them, every
 * entry looked at with AT_SYMLINK_NOFOLLOW, files opened O_NOFOLLOW |
 * O_NONBLOCK and only when regular), at most COMMIT_MAX_DEPTH deep and
 * COMMIT_MAX_ENTRIES entries. Symlinks are archived as symlinks, never
 * followed. Overlay's own markers become OCI's: a char 0/0 whiteout is a
 * ".wh.<name>" entry, a dir with user.overlay.opaque=y gets a
 * ".wh..wh..opq" entry; user.overlay.* attributes are never archived. The
 * tar goes straight into a blob writer (sha256 on the way: uncompressed,
 * its digest is its diff_id), then a config (the image's, with the new
 * diff_id, a history entry, the container's settings and then podman's
 * --change instructions applied, lib/image_change.c) and an OCI or docker
 * schema 2 manifest (the image's layers and the new one) are stored, and
 * store_image_from_manifest makes the image as for a load.
 *
 * --squash walks a stack instead: the upper dir, then the image's unpacked
 * layers (layers/<chain id>/diff) top down, each opened the same way and
 * every name looked up top down, the first layer that has it deciding (as
 * overlay merges them): a whiteout there hides it, a directory merges with
 * the directories of that name below it until one is opaque or a layer has
 * something else there. No marker is written: the one layer is the whole
 * root, and the config's diff_ids and history are the new layer's alone. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "rfc3339.h"
#include "commit.h"
#include "image_archive.h"
#include "image_change.h"
#include "manifest.h"
#include "store.h"
#include "validate.h"
#include "util.h"

#define COMMIT_MAX_DEPTH 128
#define COMMIT_MAX_ENTRIES 1000000
#define COMMIT_CHUNK (64 * 1024)
#define XATTR_BUF 65536

struct commit_walk {
	struct archive *a;
	struct blob_writer *w;
	/* Files with several names: the first name archived carries the
	 * data, the others are hardlink entries to it (as podman writes),
	 * found by (dev, ino) as libarchive's link resolver does for tar. */
	struct archive_entry_linkresolver *links;
	/* --squash: the walk is of a stack of directories (the upper dir,
	 * then the image's layers top down) merged as overlay merges them:
	 * whiteouts hide, opaque dirs stop the merge, no marker is written. */
	bool squash;
	uint64_t size;
	size_t entries;
	podd_error_t *err;
	char buf[COMMIT_CHUNK];
};

static la_ssize_t tar_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct commit_walk *cw = data;
	(void)a;
	if (blob_writer_write(cw->w, buf, len, cw->err) < 0)
		return -1;
	cw->size += len;
	return (la_ssize_t)len;
}

static int tar_error(struct commit_walk *cw, const char *path)
{
	if (*cw->err)
		return podd_error_wrap(cw->err, "commit: %s", path);
	return podd_error(cw->err, PODD_E_INTERNAL, "commit: %s: %s", path,
			  archive_error_string(cw->a) ? archive_error_string(cw->a) : "?");
}

static int write_header(struct commit_walk *cw, struct archive_entry *e, const char *path)
{
	if (++cw->entries > COMMIT_MAX_ENTRIES)
		return podd_error(cw->err, PODD_E_INVALID_ARGUMENT,
				  "commit: more than %d entries", COMMIT_MAX_ENTRIES);
	if (archive_write_header(cw->a, e) != ARCHIVE_OK)
		return tar_error(cw, path);
	return 0;
}

/* An empty regular file named `path`: an OCI whiteout or opaque marker. */
static int write_marker(struct commit_walk *cw, const char *path)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	r = write_header(cw, e, path);
	archive_entry_free(e);
	return r;
}

/* security.capability and user.*, but not overlay's own. */
static void add_xattrs(struct archive_entry *e, int fd)
{
	char names[XATTR_BUF], value[XATTR_BUF];
	ssize_t len = flistxattr(fd, names, sizeof(names));

	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *n = names + off;
		ssize_t v;
		if (strcmp(n, "security.capability") != 0 &&
		    (strncmp(n, "user.", 5) != 0 || strncmp(n, "user.overlay.", 13) == 0))
			continue;
		v = fgetxattr(fd, n, value, sizeof(value));
		if (v >= 0)
			archive_entry_xattr_add_entry(e, n, value, (size_t)v);
	}
}

static bool opaque(int dirfd)
{
	char v[4];
	return fgetxattr(dirfd, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

static int walk(struct commit_walk *cw, const int *dirs, size_t ndirs, const char *prefix,
		int depth);

/* At most the size the header gave (a running container may grow the
 * file meanwhile; a shrunk one is padded by libarchive). */
static int copy_data(struct commit_walk *cw, int fd, const char *path, uint64_t size)
{
	while (size > 0) {
		size_t want = size < sizeof(cw->buf) ? (size_t)size : sizeof(cw->buf);
		ssize_t n = read(fd, cw->buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(cw->err, errno, "commit: read %s", path);
		if (n == 0)
			return 0;
		if (archive_write_data(cw->a, cw->buf, (size_t)n) != n)
			return tar_error(cw, path);
		size -= (uint64_t)n;
	}
	return 0;
}

static bool whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* --squash: the directories beneath `dirs[top]` (the dir `name` there,
 * open as `fd`) that merge with it: the same name further down, while it is
 * a directory and until one is opaque (a whiteout or anything else stops
 * the merge, as in overlay). Appended to subs[] (*nsubs, at most ndirs),
 * each opened without following a link; the caller closes them. */
static int lower_dirs(struct commit_walk *cw, const int *dirs, size_t ndirs, size_t top, int fd,
		      const char *name, const char *path, int *subs, size_t *nsubs)
{
	if (opaque(fd))
		return 0;
	for (size_t j = top + 1; j < ndirs; j++) {
		struct stat st;
		int sub;
		if (fstatat(dirs[j], name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return podd_error_sys(cw->err, errno, "commit: stat %s", path);
		}
		if (!S_ISDIR(st.st_mode))
			return 0;
		sub = openat(dirs[j], name,
			     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY);
		if (sub < 0)
			return podd_error_sys(cw->err, errno, "commit: open %s", path);
		subs[(*nsubs)++] = sub;
		if (opaque(sub))
			return 0;
	}
	return 0;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

/* A directory of the walk and what it contains: its own header from the
 * topmost directory of that name, then (with --squash) the lower ones it
 * merges with, all walked as one. */
static int dir_entry(struct commit_walk *cw, const int *dirs, size_t ndirs, size_t top, int fd,
		     struct archive_entry *e, const char *name, const char *path, int depth)
{
	cleanup_free char *sub = NULL;
	cleanup_free int *subs = NULL;
	size_t nsubs = 0;
	int r;

	archive_entry_set_size(e, 0);
	if (write_header(cw, e, path) < 0)
		return -1;
	if (asprintf(&sub, "%s/", path) < 0)
		return podd_error_sys(cw->err, ENOMEM, "commit");
	if (!cw->squash && opaque(fd)) {
		cleanup_free char *opq = NULL;
		if (asprintf(&opq, "%s.wh..wh..opq", sub) < 0)
			return podd_error_sys(cw->err, ENOMEM, "commit");
		if (write_marker(cw, opq) < 0)
			return -1;
	}
	subs = calloc(ndirs - top, sizeof(*subs));
	if (subs == NULL)
		return podd_error_sys(cw->err, ENOMEM, "commit");
	subs[nsubs++] = fd;
	if (cw->squash && lower_dirs(cw, dirs, ndirs, top, fd, name, path, subs, &nsubs) < 0) {
		close_all(subs + 1, nsubs - 1);
		return -1;
	}
	r = walk(cw, subs, nsubs, sub, depth + 1);
	close_all(subs + 1, nsubs - 1);
	return r;
}

/* One name of a directory of the walk: looked up top down in `dirs`, the
 * first that has it decides (with --squash a whiteout there hides it). */
static int one_entry(struct commit_walk *cw, const int *dirs, size_t ndirs, const char *name,
		     const char *prefix, int depth)
{
	cleanup_free char *path = NULL;
	struct archive_entry *e = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	size_t top = 0;
	int r = -1, dirfd;

	if (asprintf(&path, "%s%s", prefix, name) < 0)
		return podd_error_sys(cw->err, ENOMEM, "commit");
	for (;; top++) {
		if (fstatat(dirs[top], name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			break;
		if (errno != ENOENT || top + 1 == ndirs)
			return podd_error_sys(cw->err, errno, "commit: stat %s", path);
	}
	dirfd = dirs[top];
	if (whiteout(&st)) {
		cleanup_free char *wh = NULL;
		if (cw->squash)
			return 0;
		if (asprintf(&wh, "%s.wh.%s", prefix, name) < 0)
			return podd_error_sys(cw->err, ENOMEM, "commit");
		return write_marker(cw, wh);
	}
	if (S_ISSOCK(st.st_mode))
		return 0; /* as podman's tar: sockets are not archived */
	e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, path);
	archive_entry_set_uname(e, "");
	archive_entry_set_gname(e, "");
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
				    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0) {
			podd_error_sys(cw->err, errno, "commit: open %s", path);
			goto out;
		}
		/* Swapped for another kind since the stat: refuse. */
		struct stat again;
		if (fstat(fd, &again) < 0 || (again.st_mode & S_IFMT) != (st.st_mode & S_IFMT)) {
			podd_error(cw->err, PODD_E_INVALID_ARGUMENT, "commit: %s changed", path);
			goto out;
		}
		add_xattrs(e, fd);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			podd_error_sys(cw->err, errno, "commit: readlink %s", path);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
		archive_entry_set_size(e, 0);
	} else {
		archive_entry_set_size(e, 0);
	}
	if (S_ISDIR(st.st_mode)) {
		r = dir_entry(cw, dirs, ndirs, top, fd, e, name, path, depth);
		goto out;
	}
	{
		struct archive_entry *spare = NULL; /* always NULL for tar */
		archive_entry_linkify(cw->links, &e, &spare);
	}
	if (write_header(cw, e, path) < 0)
		goto out;
	/* A hardlink entry (a later name of a file already archived) has no
	 * data of its own. */
	r = S_ISREG(st.st_mode) && archive_entry_hardlink(e) == NULL
		    ? copy_data(cw, fd, path, (uint64_t)st.st_size)
		    : 0;
out:
	archive_entry_free(e);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The names in directory `dir` appended to *names (*n of *cap). */
static int read_names(struct commit_walk *cw, int dir, const char *prefix, char ***names,
		      size_t *n, size_t *cap)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return podd_error_sys(cw->err, errno, "commit: read %s", prefix[0] ? prefix : "/");
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (cw->entries + *n >= COMMIT_MAX_ENTRIES) {
			r = podd_error(cw->err, PODD_E_INVALID_ARGUMENT,
				       "commit: more than %d entries", COMMIT_MAX_ENTRIES);
			break;
		}
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 32;
			char **nv = realloc(*names, ncap * sizeof(*nv));
			if (nv == NULL) {
				r = podd_error_sys(cw->err, ENOMEM, "commit");
				break;
			}
			*names = nv;
			*cap = ncap;
		}
		(*names)[*n] = strdup(de->d_name);
		if ((*names)[*n] == NULL) {
			r = podd_error_sys(cw->err, ENOMEM, "commit");
			break;
		}
		(*n)++;
	}
	closedir(d);
	return r;
}

/* A directory's entries (of every directory in `dirs`, merged: each name
 * once) in byte order of their names, as podman's tar walks them (Go's
 * filepath.Walk): the layer is the same whatever order the file system
 * lists them in. The count is bounded by the walk's COMMIT_MAX_ENTRIES. */
static int walk(struct commit_walk *cw, const int *dirs, size_t ndirs, const char *prefix,
		int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0, kept = 0;
	int r = 0;

	if (depth > COMMIT_MAX_DEPTH)
		return podd_error(cw->err, PODD_E_INVALID_ARGUMENT,
				  "commit: deeper than %d levels", COMMIT_MAX_DEPTH);
	for (size_t i = 0; r == 0 && i < ndirs; i++)
		r = read_names(cw, dirs[i], prefix, &names, &n, &cap);
	if (r == 0 && n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	/* Duplicates (one name in several layers) are next to each other. */
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (kept > 0 && strcmp(names[kept - 1], names[i]) == 0) {
			free(names[i]);
			continue;
		}
		names[kept++] = names[i];
	}
	if (r == 0)
		n = kept;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = one_entry(cw, dirs, ndirs, names[i], prefix, depth);
	names_free(names, n);
	return r;
}

static void linkresolver_freep(struct archive_entry_linkresolver **l)
{
	if (*l)
		archive_entry_linkresolver_free(*l);
	*l = NULL;
}

/* The upper dir (dirs[0], ndirs 1), or with squash the merged stack of
 * it and the image's layers top down, as an uncompressed tar blob: its
 * digest is its diff_id. */
static int put_layer(int storefd, const int *dirs, size_t ndirs, bool squash,
		     struct digest *diff_id, uint64_t *size, podd_error_t *err)
{
	cleanup_archive_write struct archive *a = archive_write_new();
	cleanup_blob_writer struct blob_writer w = { 0 };
	cleanup_free struct commit_walk *cw = calloc(1, sizeof(*cw));
	__attribute__((cleanup(linkresolver_freep))) struct archive_entry_linkresolver *links =
		archive_entry_linkresolver_new();

	if (a == NULL || cw == NULL || links == NULL)
		return podd_error_sys(err, ENOMEM, "commit");
	cw->a = a;
	cw->links = links;
	cw->w = &w;
	cw->err = err;
	cw->squash = squash;
	if (blob_writer_open(storefd, NULL, UINT64_MAX, META_MAX_LAYER_SIZE, &w, err) < 0)
		return -1;
	/* pax only where ustar cannot say it (long names, xattrs), as podman
	 * writes layers. */
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 10240) != ARCHIVE_OK ||
	    archive_write_open2(a, cw, NULL, tar_write, NULL, NULL) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "commit: tar writer: %s",
				  archive_error_string(a) ? archive_error_string(a) : "?");
	archive_entry_linkresolver_set_strategy(links, archive_format(a));
	/* On failure the archive is marked failed, so that freeing it (after
	 * cw and w, by the cleanup order) writes no end of archive through
	 * them. */
	if (walk(cw, dirs, ndirs, "", 0) < 0) {
		archive_write_fail(a);
		return -1;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		archive_write_fail(a);
		return tar_error(cw, "end of archive");
	}
	if (blob_writer_commit(&w, diff_id, NULL, err) < 0)
		return -1;
	*size = cw->size;
	return 0;
}

static int put_json(int storefd, json_object *doc, struct digest *d, size_t *len,
		    podd_error_t *err)
{
	cleanup_blob_writer struct blob_writer w = { 0 };
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	*len = strlen(s);
	if (blob_writer_open(storefd, NULL, *len, META_MAX_BYTES, &w, err) < 0 ||
	    blob_writer_write(&w, s, *len, err) < 0 || blob_writer_commit(&w, d, NULL, err) < 0)
		return -1;
	return 0;
}

/* A layer's media type in the manifest format asked for; NULL where the
 * format has none (docker's schema 2 knows no zstd layer). */
static const char *layer_type(enum layer_compression c, bool docker)
{
	switch (c) {
	case LAYER_GZIP:
		return docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
			      : "application/vnd.oci.image.layer.v1.tar+gzip";
	case LAYER_ZSTD:
		return docker ? NULL : "application/vnd.oci.image.layer.v1.tar+zstd";
	case LAYER_TAR:
		return docker ? "application/vnd.docker.image.rootfs.diff.tar"
			      : "application/vnd.oci.image.layer.v1.tar";
	default:
		return NULL;
	}
}

static json_object *strv_json(char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* The container's settings, as podman's libpod commit writes them before
 * the changes: Entrypoint and Cmd always (none when empty), each Env entry
 * set as ENV sets it, User when set, WorkingDir. Its StopSignal is not
 * written (neither is podman's). */
static int apply_container(json_object *run, const struct commit_container *ct,
			   podd_error_t *err)
{
	for (size_t i = 0; i < ct->n_env; i++)
		if (image_config_env_set(run, ct->env[i], err) < 0)
			return -1;
	if (ct->n_entrypoint > 0)
		json_object_object_add(run, "Entrypoint",
				       strv_json(ct->entrypoint, ct->n_entrypoint));
	else
		json_object_object_del(run, "Entrypoint");
	if (ct->n_cmd > 0)
		json_object_object_add(run, "Cmd", strv_json(ct->cmd, ct->n_cmd));
	else
		json_object_object_del(run, "Cmd");
	if (ct->user[0] != '\0')
		json_object_object_add(run, "User", json_object_new_string(ct->user));
	if (ct->working_dir[0] != '\0')
		json_object_object_add(run, "WorkingDir", json_object_new_string(ct->working_dir));
	return 0;
}

/* The image's config with the new layer: diff_id appended (with squash the
 * only one), a history entry (with squash the only one, as podman's), the
 * new creation time and author, the container's settings and the changes.
 * The stored config was parsed strictly when the image was stored
 * (manifest.c); here it is only extended, and store_image_from_manifest
 * parses the result again. */
static int new_config(int storefd, const struct commit_args *c, const struct digest *diff_id,
		      json_object **out, podd_error_t *err)
{
	cleanup_free char *buf = NULL, *created = NULL, *diff = NULL;
	cleanup_json json_object *cfg = NULL;
	json_object *rootfs, *ids, *history, *h, *run = NULL;
	struct digest id;
	size_t len;

	memcpy(id.hex, c->image_id, DIGEST_HEX_LEN + 1);
	if (store_read_blob(storefd, &id, META_MAX_BYTES, &buf, &len, err) < 0)
		return podd_error_wrap(err, "image %.12s", c->image_id);
	cfg = json_tokener_parse(buf);
	if (cfg == NULL || !json_object_is_type(cfg, json_type_object) ||
	    !json_object_object_get_ex(cfg, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %.12s: config unusable",
				  c->image_id);
	/* "config" absent or null: made when there are changes to apply. */
	if (json_object_object_get_ex(cfg, "config", &run) && run != NULL &&
	    !json_object_is_type(run, json_type_object))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %.12s: config unusable",
				  c->image_id);
	if (run == NULL && (c->n_changes > 0 || c->container)) {
		run = json_object_new_object();
		json_object_object_add(cfg, "config", run);
	}
	if (c->container && apply_container(run, c->container, err) < 0)
		return -1;
	for (size_t i = 0; i < c->n_changes; i++)
		if (image_change_apply(run, c->changes[i], NULL, 0, err) < 0)
			return -1;
	created = podd_rfc3339(c->created_ns);
	if (created == NULL || asprintf(&diff, "sha256:%s", diff_id->hex) < 0)
		return podd_error_sys(err, ENOMEM, "commit");
	if (c->squash) {
		ids = json_object_new_array();
		json_object_object_add(rootfs, "diff_ids", ids);
		json_object_object_del(cfg, "history");
	}
	json_object_array_add(ids, json_object_new_string(diff));
	json_object_object_add(cfg, "created", json_object_new_string(created));
	if (c->author && c->author[0])
		json_object_object_add(cfg, "author", json_object_new_string(c->author));
	if (!json_object_object_get_ex(cfg, "history", &history) ||
	    !json_object_is_type(history, json_type_array)) {
		history = json_object_new_array();
		json_object_object_add(cfg, "history", history);
	}
	/* podman's entry: "/bin/sh" as what made the layer, and the image it
	 * came from as the comment; the message is the (docker) config's
	 * own comment. */
	h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string("/bin/sh"));
	if (c->author && c->author[0])
		json_object_object_add(h, "author", json_object_new_string(c->author));
	if (c->from && c->from[0]) {
		cleanup_free char *comment = NULL;
		if (asprintf(&comment, "FROM %s", c->from) < 0)
			return podd_error_sys(err, ENOMEM, "commit");
		json_object_object_add(h, "comment", json_object_new_string(comment));
	}
	json_object_array_add(history, h);
	if (c->docker && c->message && c->message[0])
		json_object_object_add(cfg, "comment", json_object_new_string(c->message));
	*out = steal_pointer(&cfg);
	return 0;
}

/* The image's manifest's layers (none with squash), in the media types of
 * the format asked for, and the new one. */
static json_object *new_manifest(const struct image_manifest *base, bool squash, bool docker,
				 const struct digest *cfg, size_t cfg_len, const struct digest *layer,
				 uint64_t layer_size)
{
	json_object *m = json_object_new_object(), *c = json_object_new_object(),
		    *layers = json_object_new_array();
	char d[DIGEST_HEX_LEN + 8];

	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(docker ? MEDIA_DOCKER_MANIFEST
										      : MEDIA_OCI_MANIFEST));
	snprintf(d, sizeof(d), "sha256:%s", cfg->hex);
	json_object_object_add(c, "mediaType", json_object_new_string(docker ? MEDIA_DOCKER_CONFIG
										      : MEDIA_OCI_CONFIG));
	json_object_object_add(c, "digest", json_object_new_string(d));
	json_object_object_add(c, "size", json_object_new_int64((int64_t)cfg_len));
	json_object_object_add(m, "config", c);
	for (size_t i = 0; !squash && i < base->n_layers; i++) {
		json_object *l = json_object_new_object();
		snprintf(d, sizeof(d), "sha256:%s", base->layers[i].desc.digest.hex);
		json_object_object_add(
			l, "mediaType",
			json_object_new_string(layer_type(base->layers[i].compression, docker)));
		json_object_object_add(l, "digest", json_object_new_string(d));
		json_object_object_add(l, "size",
				       json_object_new_int64((int64_t)base->layers[i].desc.size));
		json_object_array_add(layers, l);
	}
	json_object *l = json_object_new_object();
	snprintf(d, sizeof(d), "sha256:%s", layer->hex);
	json_object_object_add(l, "mediaType", json_object_new_string(layer_type(LAYER_TAR, docker)));
	json_object_object_add(l, "digest", json_object_new_string(d));
	json_object_object_add(l, "size", json_object_new_int64((int64_t)layer_size));
	json_object_array_add(layers, l);
	json_object_object_add(m, "layers", layers);
	return m;
}

struct dir_stack {
	int fds[PODD_IMAGE_LAYERS_MAX + 1];
	size_t n;
};

static void dir_stack_close(struct dir_stack *s)
{
	close_all(s->fds, s->n);
	s->n = 0;
}

/* --squash: below the upper dir (s->fds[0] if there is one), the image's layers
 * top down, layers/<chain id>/diff by the chain ids of its config's
 * diff_ids, each opened beneath the store without following a link. */
static int squash_stack(int storefd, const struct image_manifest *base, const char *image_id,
			struct dir_stack *s, podd_error_t *err)
{
	cleanup_image_config struct image_config *cfg = NULL;
	cleanup_free struct digest *chain = NULL;
	cleanup_free char *buf = NULL;
	struct digest id;
	char path[DIGEST_HEX_LEN + 16];
	size_t len;

	memcpy(id.hex, image_id, DIGEST_HEX_LEN + 1);
	if (store_read_blob(storefd, &id, META_MAX_BYTES, &buf, &len, err) < 0 ||
	    image_config_parse(image_id, buf, len, &cfg, err) < 0 ||
	    image_config_check_layers(base, cfg, err) < 0)
		return podd_error_wrap(err, "image %.12s", image_id);
	if (cfg->n_diff_ids > PODD_IMAGE_LAYERS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "image %.12s: too many layers",
				  image_id);
	chain = calloc(cfg->n_diff_ids + 1, sizeof(*chain));
	if (chain == NULL)
		return podd_error_sys(err, ENOMEM, "commit");
	if (chain_ids_compute(cfg->diff_ids, cfg->n_diff_ids, chain, err) < 0)
		return -1;
	for (size_t i = cfg->n_diff_ids; i-- > 0;) {
		int fd;
		snprintf(path, sizeof(path), "layers/%s/diff", chain[i].hex);
		fd = open_beneath(storefd, path, O_PATH | O_DIRECTORY, 0);
		if (fd < 0)
			return podd_error_sys(err, errno, "image %.12s: layer %.12s", image_id,
					      chain[i].hex);
		s->fds[s->n++] = fd;
	}
	return 0;
}

int image_commit(int storefd, const struct commit_args *c, const struct extract_limits *lim,
		 Podd__ImageRecord **out, podd_error_t *err)
{
	__attribute__((cleanup(dir_stack_close))) struct dir_stack dirs = { .n = 0 };
	cleanup_image_manifest struct image_manifest *base = NULL;
	cleanup_json json_object *cfg = NULL, *manifest = NULL;
	cleanup_free char *mbuf = NULL;
	int upper;
	struct digest md, diff_id, cfg_d, man_d;
	char path[160], mname[DIGEST_HEX_LEN + 8];
	struct stat st;
	uint64_t size = 0;
	size_t mlen, cfg_len, man_len;

	if (!podd_id_valid(c->container_id) || !podd_id_valid(c->image_id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "commit: invalid id");
	if (digest_parse(c->manifest_digest, &md, err) < 0)
		return podd_error_wrap(err, "commit: image manifest");
	snprintf(path, sizeof(path), "containers/%s/vfs", c->container_id);
	if (fstatat(storefd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "commit: container %.12s runs from a vfs copy; commit needs the "
				  "overlay driver",
				  c->container_id);
	snprintf(path, sizeof(path), "containers/%s/upper", c->container_id);
	upper = open_beneath(storefd, path, O_PATH | O_DIRECTORY, 0);
	/* None yet: a container created and never started has changed
	 * nothing (podman commits it too): an empty layer, or with squash
	 * the image's layers alone. */
	if (upper < 0 && errno != ENOENT && podd_error_sys(err, errno, "%s", path) < 0)
		return podd_error_wrap(err, "commit: container %.12s has no changes dir",
				       c->container_id);
	if (upper >= 0)
		dirs.fds[dirs.n++] = upper;
	snprintf(mname, sizeof(mname), "sha256:%s", md.hex);
	if (store_read_blob(storefd, &md, META_MAX_BYTES, &mbuf, &mlen, err) < 0 ||
	    image_manifest_parse(mname, mbuf, mlen, &base, err) < 0)
		return podd_error_wrap(err, "commit: image %.12s", c->image_id);
	if (strcmp(base->config.digest.hex, c->image_id) != 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "commit: manifest %.19s is not image %.12s's", mname, c->image_id);
	if (c->n_changes > IMAGE_CHANGES_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "commit: more than %d changes",
				  IMAGE_CHANGES_MAX);
	{
		/* Checked on a scratch object before anything is written. */
		cleanup_json json_object *scratch = json_object_new_object();
		for (size_t i = 0; i < c->n_changes; i++)
			if (image_change_apply(scratch, c->changes[i], NULL, 0, err) < 0)
				return -1;
	}
	if (!c->squash && base->n_layers + 1 > PODD_IMAGE_LAYERS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "commit: image %.12s has %zu layers: one more would pass the %d "
				  "a container can run on",
				  c->image_id, base->n_layers, PODD_IMAGE_LAYERS_MAX);
	for (size_t i = 0; c->docker && !c->squash && i < base->n_layers; i++)
		if (layer_type(base->layers[i].compression, true) == NULL)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "commit: image %.12s has a zstd layer, which the docker "
					  "format cannot name: use --format oci",
					  c->image_id);
	/* The blobs written here stay on failure; gc takes what no image
	 * names (as for a failed load). */
	if (c->squash && squash_stack(storefd, base, c->image_id, &dirs, err) < 0)
		return podd_error_wrap(err, "commit %.12s", c->container_id);
	if (put_layer(storefd, dirs.fds, dirs.n, c->squash, &diff_id, &size, err) < 0 ||
	    new_config(storefd, c, &diff_id, &cfg, err) < 0 ||
	    put_json(storefd, cfg, &cfg_d, &cfg_len, err) < 0)
		return podd_error_wrap(err, "commit %.12s", c->container_id);
	manifest = new_manifest(base, c->squash, c->docker, &cfg_d, cfg_len, &diff_id, size);
	if (put_json(storefd, manifest, &man_d, &man_len, err) < 0 ||
	    store_image_from_manifest(storefd, &man_d, lim, out, err) < 0)
		return podd_error_wrap(err, "commit %.12s", c->container_id);
	return 0;
}
