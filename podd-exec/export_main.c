/* podd-export ROOTFS: a container's root filesystem as a tar, written to
 * fd 3 (a descriptor podctl opened: its -o file or its stdout); an error
 * goes to fd 4 as one line. podd-exec's launcher runs it (export.c).
 *
 * The rootfs is container-controlled and may change under a running
 * container while it is walked, so the walk never happens with the
 * launcher's rights, and libarchive never enters podd-exec itself (it
 * would cost every podd-exec start its libraries). podd-export
 *   1. clones the rootfs as a detached mount with nodev, nosuid, noexec and
 *      read-only set (a device node the container made reads as nothing,
 *      and nothing can be written),
 *   2. chroots into that clone, so no symlink, ".." or rename race can
 *      reach a host file,
 *   3. sandboxes itself: every capability dropped but CAP_DAC_READ_SEARCH
 *      (to read files of any owner), no_new_privs, Landlock beneath the
 *      new root only, a seccomp allowlist (policy.c),
 *   4. walks the tree with libarchive without following symlinks, without
 *      crossing into other mounts and without looking up user or group
 *      names (that would read files), and writes ustar/pax to the
 *      descriptor.
 * The launcher waits for it and reports its error, if any. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "cleanup.h"
#include "launcher_ops.h"
#include "log.h"
#include "policy.h"
#include "sandbox.h"
#include "validate.h"

#define EXPORT_OUT_FD 3
#define EXPORT_ERR_FD 4

static void archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
	*a = NULL;
}

static void archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
	*a = NULL;
}

static void linkresolverp(struct archive_entry_linkresolver **r)
{
	if (*r)
		archive_entry_linkresolver_free(*r);
	*r = NULL;
}

static void entryp(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
	*e = NULL;
}

/* Messages name container files, whose names the container chose: no
 * control character of theirs reaches the user's terminal. */
static void make_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void warn_printable(struct archive *a)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", archive_error_string(a) ? archive_error_string(a) : "?");
	make_printable(msg);
	podd_warn("export: %s", msg);
}

/* libarchive says "Write error" and keeps the errno apart. */
static int tar_error(struct archive *tar, podd_error_t *err)
{
	if (archive_errno(tar) > 0)
		return podd_error_sys(err, archive_errno(tar), "write tar: %s",
				      archive_error_string(tar));
	return podd_error(err, PODD_E_INTERNAL, "write tar: %s", archive_error_string(tar));
}

/* A file the walk cannot read (it vanished under a running container, or
 * a FIFO took its place) is reported and left out; the header already
 * written is padded by libarchive to the size it announced. */
static int copy_data(struct archive *disk, struct archive *tar, podd_error_t *err)
{
	char buf[64 * 1024];
	la_ssize_t n;

	while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
		if (archive_write_data(tar, buf, (size_t)n) < 0)
			return tar_error(tar, err);
	if (n < 0)
		warn_printable(disk);
	return 0;
}

/* Walk "." (the chroot) and write every entry, named without the "./". */
static int write_tar(int out, podd_error_t *err)
{
	__attribute__((cleanup(archive_readp))) struct archive *disk = archive_read_disk_new();
	__attribute__((cleanup(archive_writep))) struct archive *tar = archive_write_new();
	__attribute__((cleanup(linkresolverp))) struct archive_entry_linkresolver *links =
		archive_entry_linkresolver_new();

	if (disk == NULL || tar == NULL || links == NULL)
		return podd_error_sys(err, ENOMEM, "export");
	/* Symlinks are archived as symlinks, never followed; other mounts
	 * are not entered (the clone has none, but say it); no ACLs or file
	 * flags (ioctls on container files). No name lookup is set up:
	 * uname and gname stay empty, as they must without /etc access. */
	if (archive_read_disk_set_symlink_physical(disk) != ARCHIVE_OK ||
	    archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS |
							 ARCHIVE_READDISK_NO_ACL |
							 ARCHIVE_READDISK_NO_FFLAGS) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(tar) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "export: libarchive setup");
	archive_entry_linkresolver_set_strategy(links, archive_format(tar));
	if (archive_write_open_fd(tar, out) != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "export: %s", archive_error_string(tar));
	if (archive_read_disk_open(disk, ".") != ARCHIVE_OK)
		return podd_error(err, PODD_E_INTERNAL, "export: %s", archive_error_string(disk));
	for (;;) {
		__attribute__((cleanup(entryp))) struct archive_entry *entry = archive_entry_new();
		struct archive_entry *sparse = NULL;
		cleanup_free char *name = NULL;
		const char *path;
		int r;

		if (entry == NULL)
			return podd_error_sys(err, ENOMEM, "export");
		r = archive_read_next_header2(disk, entry);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN)
			warn_printable(disk);
		else if (r != ARCHIVE_OK)
			return podd_error(err, PODD_E_INTERNAL, "export: %s",
					  archive_error_string(disk));
		archive_read_disk_descend(disk);
		path = archive_entry_pathname(entry);
		if (path == NULL || strcmp(path, ".") == 0)
			continue;
		name = strdup(strncmp(path, "./", 2) == 0 ? path + 2 : path);
		if (name == NULL)
			return podd_error_sys(err, ENOMEM, "export");
		archive_entry_set_pathname(entry, name);
		/* A second name of a hard-linked file becomes a link entry. */
		archive_entry_linkify(links, &entry, &sparse);
		if (entry == NULL)
			continue;
		r = archive_write_header(tar, entry);
		if (r == ARCHIVE_FATAL)
			return tar_error(tar, err);
		if (r < ARCHIVE_OK) { /* a socket: tar has no such entry */
			warn_printable(tar);
			continue;
		}
		if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == NULL &&
		    archive_entry_size(entry) > 0 && copy_data(disk, tar, err) < 0)
			return -1;
	}
	if (archive_write_close(tar) != ARCHIVE_OK)
		return tar_error(tar, err);
	return 0;
}

/* Steps 1 and 2: the rootfs is opened without following any symlink (podctl
 * stored it resolved), cloned as a detached mount with restrictive flags,
 * and entered. The clone is not recursive: mounts the host made beneath
 * the rootfs stay out. */
static int enter_rootfs(const char *rootfs, podd_error_t *err)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NOEXEC,
	};
	cleanup_close int dir = rootfs_open(rootfs, err);
	cleanup_close int tree = -1;

	if (dir < 0)
		return -1;
	tree = open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return podd_error_sys(err, errno, "clone rootfs %s", rootfs);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return podd_error_sys(err, errno, "make rootfs %s read-only", rootfs);
	if (fchdir(tree) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return podd_error_sys(err, errno, "enter rootfs %s", rootfs);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const root_only[] = { "/", NULL };
	const struct podd_sandbox_policy policy = podd_export_policy(root_only);
	podd_error_t err = NULL;

	podd_log_init("podd-export", PODD_LOG_WARN);
	/* A reader that goes away (`podctl export c | head`) is an error to
	 * report, not a signal to die of. */
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2 || fcntl(EXPORT_OUT_FD, F_GETFD) < 0 || fcntl(EXPORT_ERR_FD, F_GETFD) < 0) {
		fprintf(stderr, "usage: podd-export ROOTFS, with the tar's descriptor on fd 3 and "
				"an error pipe on fd 4 (podd-exec runs it)\n");
		return 2;
	}
	close_range(EXPORT_ERR_FD + 1, ~0U, 0);
	if (enter_rootfs(argv[1], &err) < 0 || podd_sandbox_apply(&policy, &err) < 0 ||
	    write_tar(EXPORT_OUT_FD, &err) < 0) {
		make_printable(err->msg);
		dprintf(EXPORT_ERR_FD, "%s", err->msg);
		return 1;
	}
	return 0;
}
