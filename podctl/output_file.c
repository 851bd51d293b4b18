/* save -o FILE and export -o FILE: the archive is written to a temporary
 * file beside FILE and renamed over it only once the command succeeded, so
 * that a failed command leaves FILE as it was (absent, or its old content).
 *
 * podctl cannot rename or unlink once it is sandboxed (no file access, no
 * such calls), so a small child forked before the sandbox, the janitor,
 * holds the directory and the temporary name. It waits on a pipe: one
 * byte 'c' renames the file into place, anything else (EOF included: podctl
 * killed, or failed) unlinks it. It runs no code but that. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "output_file.h"
#include "wire.h"

static __attribute__((noreturn)) void janitor(int dirfd, const char *tmp, const char *base,
					      int cmd)
{
	char c = 0;
	ssize_t n;

	/* Ctrl-C goes to the whole foreground group: the janitor stays to
	 * clean up after podctl, whatever podctl does with the signal. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	do
		n = read(cmd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 && c == 'c' && renameat(dirfd, tmp, dirfd, base) == 0)
		_exit(0);
	(void)unlinkat(dirfd, tmp, 0);
	_exit(n == 1 && c == 'c' ? 1 : 0);
}

int output_file_open(const char *path, mode_t mode, struct output_file *of, podd_error_t *err)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	cleanup_close int dirfd = -1;
	int fd, pipefd[2];
	pid_t pid;

	*of = (struct output_file){ .fd = -1, .cmd = -1 };
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: not a file name", path);
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (strlen(base) + 16 > sizeof(tmp))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s: file name too long", path);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return podd_error_sys(err, errno, "open %s", dir);
	/* An existing FILE that is no regular file (a FIFO, a device, a
	 * symlink, which the user means to write through) is written in
	 * place, as before: there is nothing to rename over. */
	{
		struct stat st;
		if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
			fd = openat(dirfd, base, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
			if (fd < 0)
				return podd_error_sys(err, errno, "open %s", path);
			of->fd = fd;
			return 0;
		}
	}
	for (int tries = 0;; tries++) {
		unsigned r = (unsigned)getpid() * 2654435761u + (unsigned)tries * 40503u;
		snprintf(tmp, sizeof(tmp), ".%s.%08x.tmp", base, r);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
		if (fd >= 0)
			break;
		if (errno != EEXIST || tries == 16)
			return podd_error_sys(err, errno, "create a file in %s", dir);
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		close(fd);
		return podd_error_sys(err, saved, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		close(fd);
		close(pipefd[0]);
		close(pipefd[1]);
		return podd_error_sys(err, saved, "fork");
	}
	if (pid == 0) {
		close(pipefd[1]);
		close(fd);
		janitor(dirfd, tmp, base, pipefd[0]);
	}
	close(pipefd[0]);
	of->fd = fd;
	of->cmd = pipefd[1];
	of->janitor = pid;
	return 0;
}

static int finish(struct output_file *of, bool commit, podd_error_t *err)
{
	int status = 0, ret = 0;

	/* The content reaches the disk before its name does: after a crash
	 * FILE is the old one or the whole new one. */
	if (commit && of->cmd >= 0 && fsync(of->fd) < 0)
		ret = podd_error_sys(err, errno, "output file: fsync");
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->cmd < 0)
		return ret;
	if (ret == 0 && commit && write(of->cmd, "c", 1) != 1)
		ret = podd_error_sys(err, errno, "output file");
	close(of->cmd);
	of->cmd = -1;
	while (waitpid(of->janitor, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && commit && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		ret = podd_error(err, PODD_E_INTERNAL, "could not rename the output into place");
	return ret;
}

int output_target(const char *output, mode_t mode, const char *verb, const char *open_what,
		  const char *tty_msg, struct output_file *of, podd_error_t *err)
{
	int out;

	if (output && output[0] != '\0') {
		if (output_file_open(output, mode, of, err) < 0)
			return open_what ? podd_error_wrap(err, "%s %s", open_what, output) : -1;
		out = of->fd;
	} else {
		if (isatty(STDOUT_FILENO))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s", tty_msg);
		out = STDOUT_FILENO;
	}
	if (podd_fd_check_kind(out, PODD_FD_OUTPUT, err) < 0) {
		podd_error_free(err);
		output_file_abort(of);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "%s to %s: not a regular file, pipe, socket or /dev/null open for "
				  "writing",
				  verb, output && output[0] ? output : "stdout");
	}
	return out;
}

int output_file_commit(struct output_file *of, podd_error_t *err)
{
	return finish(of, true, err);
}

void output_file_abort(struct output_file *of)
{
	(void)finish(of, false, NULL);
}
