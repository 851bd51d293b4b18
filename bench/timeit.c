/* timeit: run a command N times and report its wall time.
 *
 *   timeit [-n RUNS] [-w WARMUP] [-i FIRST] CMD [ARG...]
 *
 * Runs CMD WARMUP times untimed, then RUNS times timed, each as fork and
 * execvp (no shell), stdout to /dev/null, stderr inherited. An argument
 * containing "{i}" gets it replaced by the iteration number (FIRST, FIRST+1,
 * ..., warm-up runs included), for commands that need a unique name each
 * time. Prints one line on stdout, in milliseconds:
 *
 *   median mean min max
 *
 * The time of a run is from just before fork to the return of waitpid, so it
 * includes fork and exec of the command. Exits 1 (after printing nothing on
 * stdout) when any run fails to start or exits other than 0, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-i FIRST] CMD [ARG...]\n");
	exit(2);
}

static long parse_count(const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 1000000)
		usage();
	return v;
}

/* Returns ARG with every "{i}" replaced by N (a new string), or ARG. */
static char *substitute(char *arg, long n)
{
	char num[24], *out, *o;
	const char *p;
	size_t count = 0, len;

	for (p = arg; (p = strstr(p, "{i}")); p += 3)
		count++;
	if (!count)
		return arg;
	snprintf(num, sizeof(num), "%ld", n);
	len = strlen(arg) + count * strlen(num) + 1;
	out = o = malloc(len);
	if (!out) {
		perror("timeit: malloc");
		exit(1);
	}
	for (p = arg; *p;) {
		if (!strncmp(p, "{i}", 3)) {
			o = stpcpy(o, num);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Runs ARGV once with "{i}" = N; returns its wall time in ms, or -1. */
static double run_once(int argc, char **argv, long n)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	struct timespec t0, t1;
	int status;
	pid_t pid;

	if (!args) {
		perror("timeit: calloc");
		exit(1);
	}
	for (int i = 0; i < argc; i++)
		args[i] = substitute(argv[i], n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		exit(1);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0)
			_exit(126);
		execvp(args[0], args);
		fprintf(stderr, "timeit: exec %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("timeit: waitpid");
			exit(1);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < argc; i++)
		if (args[i] != argv[i])
			free(args[i]);
	free(args);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			fprintf(stderr, "timeit: run %ld: %s exited with %d\n", n, argv[0], WEXITSTATUS(status));
		else
			fprintf(stderr, "timeit: run %ld: %s killed by signal %d\n", n, argv[0], WTERMSIG(status));
		return -1;
	}
	return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	long runs = 10, warmup = 0, first = 0, n;
	double *ms, sum = 0, median;
	int opt;

	while ((opt = getopt(argc, argv, "+n:w:i:")) != -1) {
		switch (opt) {
		case 'n': runs = parse_count(optarg, 1); break;
		case 'w': warmup = parse_count(optarg, 0); break;
		case 'i': first = parse_count(optarg, 0); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	argc -= optind;
	argv += optind;

	n = first;
	for (long r = 0; r < warmup; r++, n++)
		if (run_once(argc, argv, n) < 0)
			return 1;
	ms = calloc((size_t)runs, sizeof(*ms));
	if (!ms) {
		perror("timeit: calloc");
		return 1;
	}
	for (long r = 0; r < runs; r++, n++) {
		ms[r] = run_once(argc, argv, n);
		if (ms[r] < 0)
			return 1;
		sum += ms[r];
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("%.3f %.3f %.3f %.3f\n", median, sum / (double)runs, ms[0], ms[runs - 1]);
	free(ms);
	return 0;
}
