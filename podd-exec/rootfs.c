/* A container's root filesystem as the launcher reads it: opened without
 * following symlinks on the way to it, and read beneath it only through
 * openat2(RESOLVE_IN_ROOT), so that the container's own symlinks resolve
 * inside it and never on the host. The launcher hands out raw bytes; the
 * sandboxed worker or podctl parse them. Linked into podd-exec and
 * podd-export. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "launcher_ops.h"
#include "validate.h"

int rootfs_open(const char *rootfs, podd_error_t *err)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (podd_validate_abs_path("rootfs", rootfs, err) < 0)
		return -1;
	if (strcmp(rootfs, "/") == 0)
		return podd_error(err, PODD_E_NOT_PERMITTED, "the host's root is no rootfs");
	fd = (int)syscall(SYS_openat2, AT_FDCWD, rootfs, &how, sizeof(how));
	if (fd < 0)
		return podd_error_sys(err, errno, "rootfs %s", rootfs);
	return fd;
}

/* RESOLVE_IN_ROOT resolves every symlink and ".." as if `rootfd` were "/",
 * so an absolute symlink to /etc/shadow lands on the container's own file,
 * never the host's; RESOLVE_NO_MAGICLINKS refuses /proc/self/... style
 * jumps. The file is first reached with O_PATH, which opens nothing: only
 * a regular file is then opened for reading, so a device node the
 * container put there is never opened by the launcher (opening some has
 * side effects) and a FIFO cannot block it. A file over the bound is cut
 * after its last whole line, so no entry arrives half-read. */
int rootfs_read_etc(int rootfd, const char *name, char *buf, size_t size, size_t *len)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char path[64];
	cleanup_close int at = -1, fd = -1;
	struct stat st;

	*len = 0;
	snprintf(path, sizeof(path), "etc/%s", name);
	at = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (at < 0 || fstat(at, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", at);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	while (*len < size) {
		ssize_t n = read(fd, buf + *len, size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	if (*len == size) {
		char *nl = memrchr(buf, '\n', size);
		*len = nl ? (size_t)(nl - buf) + 1 : 0;
	}
	return 0;
}
