/* treemem: peak memory of a command and of every process it starts.
 *
 *   treemem [-v] CMD [ARG...]
 *
 * Runs CMD (fork, execvp, stdout to /dev/null) as a child subreaper under
 * ptrace with PTRACE_O_TRACEFORK/VFORK/CLONE, so every descendant (podctl's
 * helpers, conmon and runc, podman's threads and children) is traced from
 * its first instruction, and PTRACE_O_TRACEEXIT, so each task stops on its
 * way out while its memory is still mapped. There treemem reads VmHWM (the
 * peak resident set of the process's address space) from /proc/PID/status,
 * keeps the largest value per process image, and waits until every
 * descendant is gone. Prints one line on stdout:
 *
 *   SUM_KIB MAX_KIB NPROCS
 *
 * SUM is the sum of each process's own peak: an upper bound of the tree's
 * peak at any one moment, since processes do not all peak together and
 * pages they share (libc, the binary) count once per process. MAX is the
 * largest single process. Exit status: CMD's.
 *
 * With -v, one line per process image on stderr, in the order treemem saw
 * them start (fork, or exec after a peak of their own):
 *
 *   treemem: pid PID NAME: peak KIB KiB, tree ROOT/.../PARENT/NAME
 *
 * where NAME is the command name (comm) and the tree is the chain of names
 * from CMD down to the process, following who forked whom (not the
 * current parent: conmon double-forks and is reparented to treemem, the
 * subreaper, but its tree still starts with the process that forked it).
 * Names are comm with '/' and blanks replaced by '_'. A process image ends
 * at exec: a multi-threaded process that execs (runc init becoming the
 * container's command) has its threads exit first, so its peak before the
 * exec is recorded under its old name and the new image gets a line of its
 * own, as its child in the tree. Scripts group the lines by tree (bench.sh
 * splits podctl and its helpers from conmon, runc and the container).
 *
 * Why not wait4's ru_maxrss: a process reaped by its own parent (podctl
 * reaps its helpers) never reaches treemem's wait4, and the ru_maxrss
 * treemem gets for podctl is the maximum over podctl and the children it
 * reaped, not their sum. Not counted: the peak of a single-threaded forked
 * copy before it execs (its pages are its parent's, shared copy-on-write;
 * no thread of it exits before the exec to show it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* One process image: a process from its fork (or its exec, see above) to
 * its exit (or its next exec). */
struct proc {
	pid_t tgid;
	long hwm_kib;  /* -1 until a task of it stops on exit */
	long parent;   /* index of the image that forked it, or -1 */
	bool dead;     /* exited or exec'd: a later image of this pid is new */
	bool named;    /* name read from the leader (else from a thread) */
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

/* Reads NAME (sanitised), Tgid and VmHWM (-1 if none) of task PID.
 * Returns -1 if the task is gone. */
static int read_status(pid_t pid, char name[32], pid_t *tgid, long *hwm)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	snprintf(name, 32, "?");
	*tgid = pid;
	*hwm = -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:", 5))
			sscanf(line + 5, " %31[^\n]", name);
		else if (!strncmp(line, "Tgid:", 5))
			*tgid = (pid_t)atol(line + 5);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = atol(line + 6);
	}
	fclose(f);
	for (char *c = name; *c; c++)
		if (*c == '/' || *c == ' ' || *c == '\t')
			*c = '_';
	return 0;
}

/* The live image of process TGID, or -1. */
static long find(pid_t tgid)
{
	for (size_t i = nprocs; i-- > 0;)
		if (procs[i].tgid == tgid && !procs[i].dead)
			return (long)i;
	return -1;
}

static long add(pid_t tgid, long parent, const char *name)
{
	if (nprocs == cap) {
		cap = cap ? 2 * cap : 16;
		procs = realloc(procs, cap * sizeof(*procs));
		if (!procs) {
			perror("treemem: realloc");
			exit(125);
		}
	}
	procs[nprocs] = (struct proc){ .tgid = tgid, .hwm_kib = -1, .parent = parent };
	snprintf(procs[nprocs].name, sizeof(procs[nprocs].name), "%s", name);
	return (long)nprocs++;
}

/* Task PID stops on exit: keep its address space's peak. */
static void record(pid_t pid)
{
	char name[32];
	pid_t tgid;
	long hwm, i;

	if (read_status(pid, name, &tgid, &hwm) < 0 || hwm < 0)
		return; /* gone, or no address space left (or a kernel thread) */
	i = find(tgid);
	if (i < 0)
		i = add(tgid, -1, name); /* exited before its fork event was seen */
	if (hwm > procs[i].hwm_kib)
		procs[i].hwm_kib = hwm;
	/* The leader's name wins; a process whose leader never stops on exit
	 * (it execs: runc init) is named by its threads. */
	if (pid == tgid || !procs[i].named) {
		snprintf(procs[i].name, sizeof(procs[i].name), "%s", name);
		procs[i].named = pid == tgid;
	}
}

/* Task PID forked, vforked or cloned task NEW: a new process image unless
 * NEW is a thread of PID's process. */
static void forked(pid_t pid, pid_t new)
{
	char name[32], new_name[32];
	pid_t tgid, new_tgid;
	long hwm, parent, i;

	if (read_status(pid, name, &tgid, &hwm) < 0)
		return;
	if (read_status(new, new_name, &new_tgid, &hwm) == 0 && new_tgid == tgid)
		return; /* a thread */
	parent = find(tgid);
	i = find(new);
	if (i >= 0) {
		/* It stopped on exit before its parent's fork event came in. */
		if (procs[i].parent < 0)
			procs[i].parent = parent;
		return;
	}
	/* A copy: add() may move procs, and with it the parent's name. */
	if (parent >= 0)
		snprintf(name, sizeof(name), "%s", procs[parent].name);
	add(new, parent, name);
}

/* Process PID exec'd: a new image, the child of the old one if that one
 * has a peak of its own (threads that exited before the exec), else the
 * same entry under its new name. */
static void execd(pid_t pid)
{
	char name[32];
	pid_t tgid;
	long hwm, i;

	if (read_status(pid, name, &tgid, &hwm) < 0)
		return;
	i = find(tgid);
	if (i >= 0 && procs[i].hwm_kib >= 0) {
		procs[i].dead = true;
		i = add(tgid, i, name);
	} else if (i < 0) {
		i = add(tgid, -1, name);
	}
	snprintf(procs[i].name, sizeof(procs[i].name), "%s", name);
}

/* Process PID (a thread group leader) is gone. */
static void reaped(pid_t pid)
{
	long i = find(pid);

	if (i >= 0)
		procs[i].dead = true;
}

static void print_tree(long i)
{
	if (procs[i].parent >= 0) {
		print_tree(procs[i].parent);
		fputc('/', stderr);
	}
	fputs(procs[i].name, stderr);
}

int main(int argc, char **argv)
{
	long opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;
	int verbose = 0, code = 125, status;
	long sum = 0, max = 0;
	size_t counted = 0;
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
	add(child, -1, "?");
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
			reaped(pid);
			if (pid == child)
				code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		sig = WSTOPSIG(status);
		event = status >> 16;
		if (event == PTRACE_EVENT_EXIT) {
			record(pid);
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			   event == PTRACE_EVENT_CLONE) {
			unsigned long new;

			if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &new) == 0)
				forked(pid, (pid_t)new);
		} else if (event == PTRACE_EVENT_EXEC) {
			execd(pid);
		}
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
		if (procs[i].hwm_kib < 0)
			continue; /* never stopped on exit with memory mapped */
		counted++;
		sum += procs[i].hwm_kib;
		if (procs[i].hwm_kib > max)
			max = procs[i].hwm_kib;
		if (verbose) {
			fprintf(stderr, "treemem: pid %d %s: peak %ld KiB, tree ", (int)procs[i].tgid,
				procs[i].name, procs[i].hwm_kib);
			print_tree((long)i);
			fputc('\n', stderr);
		}
	}
	printf("%ld %ld %zu\n", sum, max, counted);
	return code;
}
