/* treemem CMD [ARG...]: run CMD as a child subreaper, reap every process of
 * its tree, and print the sum of their peak RSS (ru_maxrss of each, from
 * wait4) in KiB, then the largest single one. The sum is an upper bound of
 * the tree's peak: not every process peaks at the same moment. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long sum = 0, max = 0;
	int status, code = 0;
	struct rusage ru;
	pid_t child, pid;

	if (argc < 2) {
		fprintf(stderr, "usage: treemem CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return 2;
	child = fork();
	if (child == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	while ((pid = wait4(-1, &status, 0, &ru)) > 0 || errno == EINTR) {
		if (pid <= 0)
			continue;
		sum += ru.ru_maxrss;
		if (ru.ru_maxrss > max)
			max = ru.ru_maxrss;
		if (pid == child)
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	fprintf(stderr, "treemem: sum %ld KiB, max %ld KiB\n", sum, max);
	printf("%ld %ld\n", sum, max);
	return code;
}
