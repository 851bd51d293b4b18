/* treemem: peak memory of a command and of every process it starts.
 *
 *   treemem [-v] CMD [ARG...]
 *
 * Runs CMD (fork, execvp, stdout to /dev/null) as a child subreaper under
 * ptrace with PTRACE_O_TRACEFORK/VFORK/CLONE, so every descendant (podctl's
 * helpers, podman's threads and children) is traced from its first
 * instruction, and PTRACE_O_TRACEEXIT, so each task stops on its way out
 * while its memory is still mapped. There treemem reads VmHWM (the peak
 * resident set of the process's address space) from /proc/PID/status, keeps
 * the largest value per process (thread group), and waits until every
 * descendant is gone. Prints one line on stdout:
 *
 *   SUM_KIB MAX_KIB NPROCS
 *
 * SUM is the sum of each process's own peak: an upper bound of the tree's
 * peak at any one moment, since processes do not all peak together and
 * pages they share (libc, the binary) count once per process. MAX is the
 * largest single process. With -v, one line per process on stderr (pid,
 * name, VmHWM). Exit status: CMD's.
 *
 * Why not wait4's ru_maxrss: a process reaped by its own parent (podctl
 * reaps its helpers) never reaches treemem's wait4, and the ru_maxrss
 * treemem gets for podctl is the maximum over podctl and the children it
 * reaped, not their sum. Not counted: the peak of a forked copy before it
 * execs (its pages are its parent's, shared copy-on-write).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

struct proc {
	pid_t tgid;
	long hwm_kib;
	char name[32];
};

static struct proc *procs;
static size_t nprocs, cap;

/* pids seen stopped at least once: a new tracee's first stop is the
 * SIGSTOP the kernel queues for it, which must not be delivered. */
static pid_t *seen;
static size_t nseen, seen_cap;

static int seen_before(pid_t pid)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i] == pid)
			return 1;
	if (nseen == seen_cap) {
		seen_cap = seen_cap ? 2 * seen_cap : 64;
		seen = realloc(seen, seen_cap * sizeof(*seen));
		if (!seen) {
			perror("treemem: realloc");
			exit(125);
		}
	}
	seen[nseen++] = pid;
	return 0;
}

static void forget(pid_t pid)
{
	for (size_t i = 0; i < nseen; i++) {
		if (seen[i] == pid) {
			seen[i] = seen[--nseen];
			return;
		}
	}
}

static void record(pid_t pid)
{
	char path[64], line[256], name[32] = "?";
	long hwm = -1;
	pid_t tgid = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:", 5))
			sscanf(line + 5, " %31s", name);
		else if (!strncmp(line, "Tgid:", 5))
			tgid = (pid_t)atol(line + 5);
		else if (!strncmp(line, "VmHWM:", 6))
			hwm = atol(line + 6);
	}
	fclose(f);
	if (hwm < 0)
		return; /* no address space left (or a kernel thread) */
	for (size_t i = 0; i < nprocs; i++) {
		if (procs[i].tgid == tgid) {
			if (hwm > procs[i].hwm_kib)
				procs[i].hwm_kib = hwm;
			return;
		}
	}
	if (nprocs == cap) {
		cap = cap ? 2 * cap : 16;
		procs = realloc(procs, cap * sizeof(*procs));
		if (!procs) {
			perror("treemem: realloc");
			exit(125);
		}
	}
	procs[nprocs].tgid = tgid;
	procs[nprocs].hwm_kib = hwm;
	snprintf(procs[nprocs].name, sizeof(procs[nprocs].name), "%s", name);
	nprocs++;
}

int main(int argc, char **argv)
{
	long opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;
	int verbose = 0, code = 125, status;
	long sum = 0, max = 0;
	pid_t child, pid;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: treemem [-v] CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("treemem: PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	child = fork();
	if (child < 0) {
		perror("treemem: fork");
		return 125;
	}
	if (child == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0)
			_exit(126);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
			perror("treemem: PTRACE_TRACEME");
			_exit(126);
		}
		raise(SIGSTOP);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "treemem: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}

	/* The child's first stop: set the options before it execs. */
	if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status)) {
		fprintf(stderr, "treemem: the child did not stop for tracing\n");
		return 125;
	}
	seen_before(child);
	if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)opts) < 0) {
		perror("treemem: PTRACE_SETOPTIONS");
		kill(child, SIGKILL);
		return 125;
	}
	ptrace(PTRACE_CONT, child, NULL, NULL);

	for (;;) {
		int sig, event;

		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				perror("treemem: waitpid");
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			forget(pid); /* the pid may be reused by a new tracee */
			if (pid == child)
				code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		sig = WSTOPSIG(status);
		event = status >> 16;
		if (event == PTRACE_EVENT_EXIT)
			record(pid);
		if (event) {
			/* fork, clone, exec, exit event stops: resume, no signal. */
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else if (!seen_before(pid) && sig == SIGSTOP) {
			/* A new tracee's initial stop. */
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else {
			/* A signal for the tracee: deliver it. */
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
		}
	}

	for (size_t i = 0; i < nprocs; i++) {
		sum += procs[i].hwm_kib;
		if (procs[i].hwm_kib > max)
			max = procs[i].hwm_kib;
		if (verbose)
			fprintf(stderr, "treemem: pid %d %s: peak %ld KiB\n", (int)procs[i].tgid,
				procs[i].name, procs[i].hwm_kib);
	}
	printf("%ld %ld %zu\n", sum, max, nprocs);
	return code;
}
