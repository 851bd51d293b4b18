/* podctl top CONTAINER [DESCRIPTOR...]: the processes of a running
 * container, in podman's (psgo's) columns.
 *
 * podd-exec's launcher reads /proc and the container's /etc/passwd and
 * /etc/group and sends raw values; everything a person reads is worked
 * out here, in the sandboxed podctl: user and group names from the
 * container's own files, durations, terminals, columns. The container
 * controls its command lines, comm names and /etc files, so every byte of
 * them is made printable before it reaches the terminal. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "lifecycle.h"
#include "top_format.h"

enum field {
	F_PCPU, F_GROUP, F_PPID, F_USER, F_ARGS, F_COMM, F_RGROUP, F_NICE, F_PID, F_PGID,
	F_ETIME, F_RUSER, F_TIME, F_TTY, F_VSZ, F_STATE, F_STIME, F_HPID, F_HUSER, F_HGROUP,
};

/* podman's descriptors (psgo), with the AIX % forms ps takes. */
static const struct descriptor {
	const char *name, *aix, *header;
	enum field field;
} descriptors[] = {
	{ "pcpu", "%C", "%CPU", F_PCPU },       { "group", "%G", "GROUP", F_GROUP },
	{ "ppid", "%P", "PPID", F_PPID },       { "user", "%U", "USER", F_USER },
	{ "args", "%a", "COMMAND", F_ARGS },    { "comm", "%c", "COMMAND", F_COMM },
	{ "rgroup", "%g", "RGROUP", F_RGROUP }, { "nice", "%n", "NI", F_NICE },
	{ "pid", "%p", "PID", F_PID },          { "pgid", "%r", "PGID", F_PGID },
	{ "etime", "%t", "ELAPSED", F_ETIME },  { "ruser", "%u", "RUSER", F_RUSER },
	{ "time", "%x", "TIME", F_TIME },       { "tty", "%y", "TTY", F_TTY },
	{ "vsz", "%z", "VSZ", F_VSZ },          { "state", NULL, "STATE", F_STATE },
	{ "stime", NULL, "STIME", F_STIME },    { "hpid", NULL, "HPID", F_HPID },
	{ "huser", NULL, "HUSER", F_HUSER },    { "hgroup", NULL, "HGROUP", F_HGROUP },
};

static const enum field default_fields[] = { F_USER, F_PID,  F_PPID, F_PCPU,
					     F_ETIME, F_TTY, F_TIME, F_ARGS };

#define TOP_MAX_FIELDS 64
#define TOP_MAX_PROCESSES 4096

struct proc {
	int32_t pid, ns_pid, ppid, ns_pgid, nice;
	uint32_t ruid, euid, rgid, egid, tty_nr;
	uint64_t cpu_ticks, start_ticks, vsz_kib;
	char state;
	char *comm; /* printable */
	char *args; /* printable, arguments joined by spaces */
};

struct top {
	struct proc *procs;
	size_t n;
	char *passwd, *group; /* NUL-terminated copies of the container's files */
};

static void top_free(struct top *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->procs[i].comm);
		free(t->procs[i].args);
	}
	free(t->procs);
	free(t->passwd);
	free(t->group);
}

static int collect(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__ProcessTable *t = (const Podd__ProcessTable *)m;
	struct top *top = data;
	struct proc *grown;

	if (t->passwd.len && top->passwd == NULL && (top->passwd = podd_bytes_strdup(&t->passwd)) == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	if (t->group.len && top->group == NULL && (top->group = podd_bytes_strdup(&t->group)) == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	if (t->n_processes == 0)
		return 0;
	if (top->n + t->n_processes > TOP_MAX_PROCESSES)
		return podd_error(err, PODD_E_PROTOCOL, "podd-exec sent too many processes");
	grown = realloc(top->procs, (top->n + t->n_processes) * sizeof(*grown));
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	top->procs = grown;
	for (size_t i = 0; i < t->n_processes; i++) {
		const Podd__ProcessInfo *p = t->processes[i];
		struct proc *q = &top->procs[top->n];
		size_t len = p->cmdline.len;

		*q = (struct proc){
			.pid = p->pid, .ns_pid = p->ns_pid, .ppid = p->ppid, .ns_pgid = p->ns_pgid,
			.nice = p->nice, .ruid = p->ruid, .euid = p->euid, .rgid = p->rgid,
			.egid = p->egid, .tty_nr = p->tty_nr, .cpu_ticks = p->cpu_ticks,
			.start_ticks = p->start_ticks, .vsz_kib = p->vsz_kib,
			.state = p->state[0] ? p->state[0] : '?',
		};
		q->comm = top_printable(p->comm.data, p->comm.len);
		/* psgo joins the NUL-separated arguments with spaces, the
		 * closing NUL included; a process without arguments shows
		 * its name in brackets, as ps does. */
		if (len > 0) {
			q->args = top_printable(p->cmdline.data, len);
		} else if (q->comm && asprintf(&q->args, "[%s]", q->comm) < 0) {
			q->args = NULL;
		}
		top->n++;
		if (q->comm == NULL || q->args == NULL)
			return podd_error_sys(err, ENOMEM, "top");
	}
	return 0;
}

struct clocks {
	int64_t boot_ns;      /* CLOCK_BOOTTIME now */
	int64_t boot_real_ns; /* CLOCK_REALTIME of boot */
	long hz;
};

/* psgo counts in whole seconds: a start time since boot and a CPU time
 * of ticks / HZ, truncated. Doing the same gives podman's figures. */
static int64_t whole_seconds_ns(uint64_t ticks, long hz)
{
	return (int64_t)(ticks / (uint64_t)hz) * 1000000000LL;
}

static int32_t ns_ppid(const struct top *t, const struct proc *p)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->procs[i].pid == p->ppid)
			return t->procs[i].ns_pid;
	return 0; /* the parent is outside the container: conmon */
}

static void cell(const struct top *t, const struct proc *p, enum field f,
		 const struct clocks *c, char *out, size_t size)
{
	int64_t elapsed = c->boot_ns - whole_seconds_ns(p->start_ticks, c->hz);
	int64_t cpu = whole_seconds_ns(p->cpu_ticks, c->hz);

	switch (f) {
	case F_USER:
		top_id_name(t->passwd, p->euid, out, size);
		break;
	case F_RUSER:
		top_id_name(t->passwd, p->ruid, out, size);
		break;
	case F_GROUP:
		top_id_name(t->group, p->egid, out, size);
		break;
	case F_RGROUP:
		top_id_name(t->group, p->rgid, out, size);
		break;
	case F_HUSER: /* no user namespaces yet: host ids are the container's */
		snprintf(out, size, "%u", p->euid);
		break;
	case F_HGROUP:
		snprintf(out, size, "%u", p->egid);
		break;
	case F_PID:
		snprintf(out, size, "%d", p->ns_pid);
		break;
	case F_HPID:
		snprintf(out, size, "%d", p->pid);
		break;
	case F_PPID:
		snprintf(out, size, "%d", ns_ppid(t, p));
		break;
	case F_PGID:
		snprintf(out, size, "%d", p->ns_pgid);
		break;
	case F_PCPU:
		snprintf(out, size, "%.3f",
			 elapsed > 0 ? (double)cpu / (double)elapsed * 100 : 0.0);
		break;
	case F_ETIME:
		top_go_duration(elapsed, out, size);
		break;
	case F_TIME:
		top_go_duration(cpu, out, size);
		break;
	case F_TTY:
		top_tty_name(p->tty_nr, out, size);
		break;
	case F_ARGS:
		snprintf(out, size, "%s", p->args);
		break;
	case F_COMM:
		snprintf(out, size, "%s", p->comm);
		break;
	case F_NICE:
		snprintf(out, size, "%d", p->nice);
		break;
	case F_VSZ:
		snprintf(out, size, "%" PRIu64, p->vsz_kib);
		break;
	case F_STATE:
		snprintf(out, size, "%c", p->state);
		break;
	case F_STIME: {
		time_t s = (time_t)((c->boot_real_ns + whole_seconds_ns(p->start_ticks, c->hz)) /
				    1000000000LL);
		struct tm tm;
		if (localtime_r(&s, &tm) == NULL ||
		    strftime(out, size, "%Y-%m-%d %H:%M:%S %z %Z", &tm) == 0)
			snprintf(out, size, "?");
		break;
	}
	default:
		snprintf(out, size, "?");
		break;
	}
}

/* By container pid. Not qsort(3): glibc's asks sysinfo(2) how much memory
 * the machine has once the array passes 1 KiB, which podctl's seccomp
 * allowlist refuses. cgroup.procs lists pids nearly in order, so an
 * insertion sort does little work. */
static void sort_by_ns_pid(struct proc *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct proc v = p[i];
		size_t j = i;
		for (; j > 0 && p[j - 1].ns_pid > v.ns_pid; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

/* psgo's table: Go's tabwriter with cells at least 12 wide and 2 spaces
 * of padding; the last column is not padded. */
static int print_table(struct top *t, const enum field *fields, size_t nfields,
		       podd_error_t *err)
{
	struct timespec boot, real;
	struct clocks c;
	size_t widths[TOP_MAX_FIELDS];
	size_t rows = t->n + 1;
	cleanup_free char **cells = calloc(rows * nfields, sizeof(char *));
	char buf[4200];

	if (cells == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	c.boot_ns = boot.tv_sec * 1000000000LL + boot.tv_nsec;
	c.boot_real_ns = real.tv_sec * 1000000000LL + real.tv_nsec - c.boot_ns;
	c.hz = sysconf(_SC_CLK_TCK);
	if (c.hz <= 0)
		c.hz = 100;
	sort_by_ns_pid(t->procs, t->n);

	int rc = 0;
	for (size_t f = 0; f < nfields && rc == 0; f++) {
		for (size_t i = 0; i < PODD_ARRAY_SIZE(descriptors); i++)
			if (descriptors[i].field == fields[f])
				cells[f] = strdup(descriptors[i].header);
		widths[f] = 12;
		for (size_t r = 1; r < rows && rc == 0; r++) {
			cell(t, &t->procs[r - 1], fields[f], &c, buf, sizeof(buf));
			cells[r * nfields + f] = strdup(buf);
		}
		for (size_t r = 0; r < rows; r++) {
			if (cells[r * nfields + f] == NULL) {
				rc = podd_error_sys(err, ENOMEM, "top");
				break;
			}
			if (top_width(cells[r * nfields + f]) + 2 > widths[f])
				widths[f] = top_width(cells[r * nfields + f]) + 2;
		}
	}
	for (size_t r = 0; r < rows && rc == 0; r++) {
		for (size_t f = 0; f < nfields; f++) {
			const char *s = cells[r * nfields + f];
			if (f + 1 < nfields)
				printf("%s%*s", s, (int)(widths[f] - top_width(s)), "");
			else
				printf("%s\n", s);
		}
	}
	for (size_t i = 0; i < rows * nfields; i++)
		free(cells[i]);
	return rc;
}

/* Each argument may hold several descriptors, separated by commas or
 * spaces ("pid,user" works as in podman). */
static int parse_descriptors(int n, char **args, enum field *fields, size_t *nfields,
			     podd_error_t *err)
{
	*nfields = 0;
	for (int a = 0; a < n; a++) {
		cleanup_free char *copy = strdup(args[a]);
		char *save = NULL;
		if (copy == NULL)
			return podd_error_sys(err, ENOMEM, "top");
		for (char *d = strtok_r(copy, ", \t", &save); d; d = strtok_r(NULL, ", \t", &save)) {
			size_t i;
			for (i = 0; i < PODD_ARRAY_SIZE(descriptors); i++)
				if (strcmp(d, descriptors[i].name) == 0 ||
				    (descriptors[i].aix && strcmp(d, descriptors[i].aix) == 0))
					break;
			if (i == PODD_ARRAY_SIZE(descriptors))
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "'%.64s': unknown descriptor", d);
			if (*nfields == TOP_MAX_FIELDS)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "more than %d descriptors", TOP_MAX_FIELDS);
			fields[(*nfields)++] = descriptors[i].field;
		}
	}
	return 0;
}

/* Find the container, bring its state up to date (it may have exited with
 * nobody watching) and check that it runs. */
static int running_id(struct engine *e, const char *name, char id[65], podd_error_t *err)
{
	cleanup_record Podd__ContainerRecord *rec = NULL;

	if (ctr_lookup_locked(e, name, &rec, err) < 0 || ctr_sync(e, &rec, err) < 0)
		return -1;
	if (rec == NULL)
		return podd_error(err, PODD_E_NO_SUCH_CONTAINER,
				  "no container with name or ID \"%s\" found: no such container",
				  name);
	snprintf(id, 65, "%s", rec->id);
	if (ctr_unlock(e, id, err) < 0)
		return -1;
	if (rec->state != PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING)
		return podd_error(err, PODD_E_STATE_IMPROPER,
				  "top can only be used on running containers");
	return 0;
}

int cmd_top(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	__attribute__((cleanup(top_free))) struct top t = { 0 };
	Podd__ContainerRef ref = PODD__CONTAINER_REF__INIT;
	enum field fields[TOP_MAX_FIELDS];
	size_t nfields;
	podd_error_t err = NULL;
	struct engine e;
	char id[65];
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: podctl top CONTAINER [FORMAT-DESCRIPTORS...]\n\n"
			       "Display the running processes of a container.\n");
			return 0;
		}
		fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
		return EXIT_ENGINE;
	}
	if (optind >= argc) {
		fprintf(stderr, "Error: you must provide the name or ID of a running container\n");
		return EXIT_ENGINE;
	}
	if (argc - optind == 1) {
		memcpy(fields, default_fields, sizeof(default_fields));
		nfields = PODD_ARRAY_SIZE(default_fields);
	} else if (parse_descriptors(argc - optind - 1, argv + optind + 1, fields, &nfields,
				     &err) < 0) {
		return report_error(&err);
	}
	if (nfields == 0) {
		fprintf(stderr, "Error: no descriptors given\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0 ||
	    running_id(&e, argv[optind], id, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	ref.id = id;
	if (podd_client_call_stream(&e.helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_TOP,
				    &ref.base, PODD__EXEC_TYPE__EXEC_TYPE_PROCESS_TABLE,
				    &podd__process_table__descriptor, collect, &t, &err) < 0) {
		engine_helper_failed(&e, HELPER_EXEC, &err);
		rc = report_error(&err);
	} else if (print_table(&t, fields, nfields, &err) < 0) {
		rc = report_error(&err);
	}
	fflush(stdout);
	engine_stop(&e);
	return rc;
}
