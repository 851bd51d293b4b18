/* timeit RUNS CMD [ARG...]: run CMD RUNS times (fork, exec, wait; output to
 * /dev/null) and print the median wall time in ms. A "%d" in an argument
 * is replaced by the run number, for commands that need unique names. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[1]) : 0;
	double *ms;

	if (runs < 1) {
		fprintf(stderr, "usage: timeit RUNS CMD [ARG...]\n");
		return 2;
	}
	ms = calloc((size_t)runs, sizeof(*ms));
	for (int r = 0; r < runs; r++) {
		char *args[256], bufs[256][256];
		struct timespec t0, t1;
		int n = 0, status;
		pid_t pid;

		for (int i = 2; i < argc && n < 255; i++, n++) {
			if (strstr(argv[i], "%d")) {
				snprintf(bufs[n], sizeof(bufs[n]), argv[i], r);
				args[n] = bufs[n];
			} else {
				args[n] = argv[i];
			}
		}
		args[n] = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execvp(args[0], args);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[r] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp);
	printf("%.1f\n", ms[runs / 2]);
	return 0;
}
