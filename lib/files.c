/* Small files in a helper's own directories (Landlock confines it there
 * anyway): written whole through a temporary and rename, read with a size
 * limit, and trees removed without following symlinks. podd-exec writes
 * bundles and reads exit files with them; podd-state keeps the alive file
 * and removes an autoremoved container's files at a reboot refresh. */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      podd_error_t *err)
{
	char tmp[4200];
	cleanup_close int fd = -1;
	const char *p = data;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return podd_error(err, PODD_E_INTERNAL, "path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return podd_error_sys(err, errno, "create %s", tmp);
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			unlink(tmp);
			return podd_error_sys(err, e, "write %s", tmp);
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return podd_error_sys(err, e, "install %s", path);
	}
	return 0;
}

int read_file_limited(const char *path, size_t max, char **out, podd_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", path);
	return read_fd_limited(fd, path, max, out, err);
}

int read_fd_limited(int fd, const char *path, size_t max, char **out, podd_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	buf = malloc(max + 1);
	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "read %s", path);
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(err, errno, "read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s is larger than %zu bytes",
					  path, max);
	}
	/* Every reader takes the text as a C string: a NUL inside would
	 * cut it short, and what follows would be read by no one. */
	if (memchr(buf, '\0', len) != NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: a NUL byte in a text file",
				  path);
	buf[len] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

bool program_trusted(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) &&
	       st.st_uid == 0 && !(st.st_mode & 0022);
}

static int remove_at(int parent, const char *name, int depth, int max_depth, podd_error_t *err)
{
	cleanup_close int fd = -1;
	DIR *d;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return podd_error_sys(err, errno, "remove %s", name);
	if (depth > max_depth)
		return podd_error(err, PODD_E_INTERNAL, "%s nests deeper than %d directories", name,
				  max_depth);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return podd_error_sys(err, errno, "open %s", name);
	d = fdopendir(fd);
	if (d == NULL)
		return podd_error_sys(err, errno, "open %s", name);
	fd = -1; /* owned by d now */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_at(dirfd(d), de->d_name, depth + 1, max_depth, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return podd_error_sys(err, errno, "remove %s", name);
	return 0;
}

int remove_tree(const char *path, podd_error_t *err)
{
	return remove_at(AT_FDCWD, path, 0, 16, err);
}

int remove_tree_at(int parent_dirfd, const char *name, int max_depth, podd_error_t *err)
{
	return remove_at(parent_dirfd, name, 0, max_depth, err);
}
