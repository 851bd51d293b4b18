/* A stream for the unit tests that read from a pipe (a pull's layer
 * stream): a child writes a buffer into it and exits. */
#ifndef PODD_TEST_PIPE_CHILD_H
#define PODD_TEST_PIPE_CHILD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

/* A child writes `n` bytes of buf into a pipe and exits (killed by
 * SIGPIPE if the reader goes first); returns the read end, *pid the child
 * to reap. */
static int pipe_from_child(const char *buf, size_t n, pid_t *pid)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(fds[0]);
		while (n > 0) {
			ssize_t w = write(fds[1], buf, n);
			if (w <= 0)
				_exit(1);
			buf += w;
			n -= (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

#endif
