/* Pinning a checked bundle file (pin.h), in the launcher.
 *
 * Privileged: fsopen/fsmount of a tmpfs (not attached anywhere, so no
 * other process can reach it), open_tree/move_mount of one file of it
 * onto a name in a container's bundle dir, and umount2 of such a pin.
 * Why safe: the content is bytes the launcher has just checked; the
 * mount is read-only, nodev, nosuid, noexec; the target is a name
 * directly in a directory the launcher opened beneath its tmp dir
 * without following a link, and move_mount follows no symlink there; a
 * release only detaches a mount at a name beneath such a directory. */
#include "pin.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A private tmpfs holding one file, "f", with the bytes. */
static int private_copy(const void *buf, size_t len, podd_error_t *err)
{
	cleanup_close int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	cleanup_close int mnt = -1, f = -1;
	char size[32];

	if (fs < 0)
		return podd_error_sys(err, errno, "pin: fsopen tmpfs");
	snprintf(size, sizeof(size), "%zu", len + 4096);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return podd_error_sys(err, errno, "pin: create a tmpfs");
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			   MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return podd_error_sys(err, errno, "pin: fsmount");
	f = openat(mnt, "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (f < 0 || write_all(f, buf, len) < 0)
		return podd_error_sys(err, errno, "pin: write the checked copy");
	return move_fd(&mnt);
}

int pin_file(int dirfd, const char *name, const void *buf, size_t len, podd_error_t *err)
{
	cleanup_close int mnt = private_copy(buf, len, err);
	cleanup_close int tree = -1;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mnt < 0)
		return -1;
	tree = (int)syscall(SYS_open_tree, mnt, "f", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return podd_error_sys(err, errno, "pin: open_tree");
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return podd_error_sys(err, errno, "pin: make the copy read-only");
	if (syscall(SYS_move_mount, tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return podd_error_sys(err, errno, "pin: mount the checked %s", name);
	return 0;
}

int pin_self(int dirfd, const char *name, podd_error_t *err)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	cleanup_close int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	cleanup_close int tree = -1;
	struct stat st, dst, now;

	if (fd < 0)
		return podd_error_sys(err, errno, "pin: open %s", name);
	if (fstat(fd, &st) < 0 || fstat(dirfd, &dst) < 0)
		return podd_error_sys(err, errno, "pin: stat %s", name);
	/* Not a link, a FIFO, a device or a directory; not another name of
	 * a file elsewhere (a hard link into the store or another bundle). */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_dev != dst.st_dev)
		return podd_error(err, PODD_E_NOT_PERMITTED,
				  "%s is not a regular file of the bundle's own", name);
	tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       AT_EMPTY_PATH);
	if (tree < 0)
		return podd_error_sys(err, errno, "pin: open_tree %s", name);
	if (syscall(SYS_move_mount, tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return podd_error_sys(err, errno, "pin: mount %s", name);
	/* The name is now the checked file, whatever was put there meanwhile. */
	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0 || now.st_dev != st.st_dev ||
	    now.st_ino != st.st_ino) {
		pin_release(dirfd, name);
		return podd_error(err, PODD_E_NOT_PERMITTED, "%s changed while it was pinned", name);
	}
	return 0;
}

int pin_dir(int parentfd, const char *name, int dirfd, podd_error_t *err)
{
	cleanup_close int tree = -1;
	struct stat want, now;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS };
	cleanup_close int check = -1;

	if (fstat(dirfd, &want) < 0)
		return podd_error_sys(err, errno, "pin: stat %s", name);
	tree = (int)syscall(SYS_open_tree, dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						  AT_EMPTY_PATH);
	if (tree < 0)
		return podd_error_sys(err, errno, "pin: open_tree %s", name);
	/* move_mount follows no symlink at the target: a link put there is
	 * refused (ENOTDIR/ELOOP), never followed to a host path. */
	if (syscall(SYS_move_mount, tree, "", parentfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return podd_error_sys(err, errno, "pin: mount %s", name);
	/* The name now shows the directory that was checked, whatever the
	 * worker did to it meanwhile. */
	check = (int)syscall(SYS_openat2, parentfd, name, &how, sizeof(how));
	if (check < 0 || fstat(check, &now) < 0 || now.st_dev != want.st_dev ||
	    now.st_ino != want.st_ino) {
		pin_dir_release(move_fd(&tree));
		return podd_error(err, PODD_E_NOT_PERMITTED, "%s changed while it was pinned", name);
	}
	return move_fd(&tree);
}

void pin_dir_release(int mntfd)
{
	char path[64];

	if (mntfd < 0)
		return;
	/* The descriptor is that mount's root: this pin and the pins stacked
	 * inside it go, another spawn's pin of the same dir stays. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mntfd);
	umount2(path, MNT_DETACH);
	close(mntfd);
}

void pin_release(int dirfd, const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	/* One: a pin stacked on it is another spawn's (pins_release_under
	 * takes what a dead launcher left). */
	umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
}

/* mountinfo's octal escapes (\040 for a space) undone in place. */
static void unescape(char *s)
{
	char *out = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

void pins_release_under(const char *dir)
{
	size_t n = strlen(dir);

	/* Deepest last in mountinfo; a few passes take stacked ones too. */
	for (int pass = 0; pass < 4; pass++) {
		cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
		cleanup_free char *line = NULL;
		size_t cap = 0;
		bool any = false;

		if (f == NULL)
			return;
		while (getline(&line, &cap, f) > 0) {
			char point[4200];
			/* id parent major:minor root mount-point ... */
			if (sscanf(line, "%*s %*s %*s %*s %4199s", point) != 1)
				continue;
			unescape(point);
			if (strncmp(point, dir, n) == 0 &&
			    (point[n] == '\0' || (point[n] == '/' && point[n + 1] != '\0')) &&
			    umount2(point, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
				any = true;
		}
		if (!any)
			return;
	}
}
