/* podctl top: the processes of a running container.
 *
 * Only the launcher may read /proc of other processes (the worker's
 * Landlock domain holds its own directories and nothing else), so the
 * launcher does the reading and nothing more: it takes a container id,
 * finds the processes in the cgroup the id names, copies raw values out of
 * /proc/PID/{cgroup,stat,status,cmdline}, and the raw bytes of the
 * container's /etc/passwd and /etc/group. It parses no container-controlled
 * text beyond /proc's own fixed layout; names, durations and columns are
 * worked out by podctl, which is sandboxed. The worker checks the records
 * and forwards them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "exec.h"
#include "exec.pb-c.h"
#include "launcher.h"
#include "launcher_ops.h"
#include "validate.h"
#include "worker.h"

/* Bounds on what a container can make the launcher read and send. */
#define TOP_MAX_PROCESSES 4096
#define TOP_PROCS_FILE_MAX (TOP_MAX_PROCESSES * 12)
#define TOP_PROC_FILE_MAX 4096 /* stat, status, cgroup */
#define TOP_CMDLINE_MAX 4096
#define TOP_STATUS_MAX (1024 * 1024) /* 65536 groups fit */
#define TOP_ETC_FILE_MAX ROOTFS_ETC_FILE_MAX
#define TOP_CHUNK_BYTES (96u * 1024u)

/* Where runc's cgroupfs driver puts cgroupsPath /podd/podd-<id>
 * (bundle.c): any one hierarchy lists every process, so the first that
 * has the cgroup answers. v1 and hybrid hosts, then a pure v2 host. */
static const char *const cgroup_roots[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
					    "/sys/fs/cgroup", NULL };

/* Read at most size - 1 bytes of a file relative to dirfd; NUL-terminated.
 * Returns the length, or -1 with errno. */
static ssize_t read_at(int dirfd, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The pids in the container's cgroup, from a path built from the id alone:
 * cgroupfs is the kernel's, and the container cannot write it (runc mounts
 * it read-only inside), so the list is the kernel's word. */
static int cgroup_pids(const char *id, int *pids, size_t *npids, podd_error_t *err)
{
	cleanup_free char *buf = malloc(TOP_PROCS_FILE_MAX + 1);
	char path[256];
	ssize_t len = -1;
	char *p, *end;

	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	for (size_t i = 0; cgroup_roots[i] && len < 0; i++) {
		snprintf(path, sizeof(path), "%s/podd/podd-%s", cgroup_roots[i], id);
		cleanup_close int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dir >= 0)
			len = read_at(dir, "cgroup.procs", buf, TOP_PROCS_FILE_MAX + 1);
	}
	if (len < 0)
		return podd_error(err, PODD_E_STATE_IMPROPER,
				  "container %.12s has no cgroup: top can only be used on running "
				  "containers",
				  id);
	if (len == TOP_PROCS_FILE_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "container %.12s has more than %d processes", id,
				  TOP_MAX_PROCESSES);
	*npids = 0;
	for (p = buf; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p || v <= 0 || v > INT32_MAX || (*end != '\n' && *end != '\0'))
			return podd_error(err, PODD_E_INTERNAL, "unreadable %s/cgroup.procs", path);
		if (*end == '\n')
			end++;
		if (*npids == TOP_MAX_PROCESSES)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "container %.12s has more than %d processes", id,
					  TOP_MAX_PROCESSES);
		pids[(*npids)++] = (int)v;
	}
	return 0;
}

/* The last number of a "Key:\tA\tB..." line of /proc/PID/status (NSpid's
 * last is the pid in the innermost namespace). `nth` >= 0 picks one. */
static bool status_field(const char *status, const char *key, int nth, long long *out)
{
	size_t klen = strlen(key);
	const char *line = status;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *p = line + klen + 1;
			char *end;
			bool found = false;
			for (int i = 0;; i++) {
				long long v = strtoll(p, &end, 10);
				if (end == p)
					break;
				if (nth < 0 || i == nth) {
					*out = v;
					found = true;
					if (nth >= 0)
						break;
				}
				p = end;
			}
			return found;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/* /proc/PID/stat: "pid (comm) S ppid pgrp session tty_nr ...". comm is
 * the process's own choice and may hold spaces and ')': it ends at the
 * last ')'. */
static int parse_stat(char *stat, Podd__ProcessInfo *info, char *comm, size_t commsize,
		      char *state)
{
	char *open = strchr(stat, '('), *close = strrchr(stat, ')');
	unsigned long long utime, stime, start, vsize;
	int ppid, tty, nice;
	size_t n;

	if (open == NULL || close == NULL || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= commsize)
		n = commsize - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	if (sscanf(close + 1,
		   " %c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %d %*d %*d "
		   "%llu %llu",
		   state, &ppid, &tty, &utime, &stime, &nice, &start, &vsize) != 8)
		return -1;
	if (!(*state >= 'A' && *state <= 'Z') && !(*state >= 'a' && *state <= 'z'))
		*state = '?';
	info->ppid = ppid;
	info->tty_nr = (uint32_t)tty;
	info->cpu_ticks = utime + stime;
	info->nice = nice;
	info->start_ticks = start;
	info->vsz_kib = vsize / 1024;
	return 0;
}

static void status_line(const char *line, Podd__ProcessInfo *info)
{
	long long v;

	if (status_field(line, "NSpid", -1, &v))
		info->ns_pid = (int32_t)v;
	else if (status_field(line, "NSpgid", -1, &v))
		info->ns_pgid = (int32_t)v;
	else if (status_field(line, "Uid", 0, &v)) {
		info->ruid = (uint32_t)v;
		if (status_field(line, "Uid", 1, &v))
			info->euid = (uint32_t)v;
	} else if (status_field(line, "Gid", 0, &v)) {
		info->rgid = (uint32_t)v;
		if (status_field(line, "Gid", 1, &v))
			info->egid = (uint32_t)v;
	}
}

/* /proc/PID/status, line by line. It is not read whole: a process that
 * set thousands of supplementary groups has a Groups line of many KiB
 * before NSpid, and cutting the file there would hide its pid. A line
 * longer than the buffer (only Groups can be) is skipped; at most
 * TOP_STATUS_MAX bytes are read. Returns -1 when the process is gone. */
static int read_status(int procfd, Podd__ProcessInfo *info)
{
	cleanup_close int fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[TOP_PROC_FILE_MAX];
	size_t len = 0, total = 0;
	bool skipping = false;

	if (fd < 0)
		return -1;
	while (total < TOP_STATUS_MAX) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *line = buf, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		total += (size_t)n;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf))) != NULL) {
			*nl = '\0';
			if (!skipping)
				status_line(line, info);
			skipping = false;
			line = nl + 1;
		}
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		if (len == sizeof(buf) - 1) {
			skipping = true;
			len = 0;
		}
	}
	return 0;
}

struct proc_entry {
	Podd__ProcessInfo info;
	char comm[64];
	char state[2];
	char *cmdline;
};

/* One process, read through a descriptor of its /proc directory: the
 * descriptor pins that process, so a pid reused by another process after
 * the cgroup was read fails the cgroup check below instead of being
 * reported. Returns 1 for a process of this container, 0 for one that is
 * gone or not ours, -1 on error. */
static int read_process(const char *id, int pid, struct proc_entry *e, int *procfd,
			podd_error_t *err)
{
	char path[64], want[96], buf[TOP_PROC_FILE_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	*procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*procfd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : podd_error_sys(err, errno, "open %s", path);
	snprintf(want, sizeof(want), ":/podd/podd-%s\n", id);
	if (read_at(*procfd, "cgroup", buf, sizeof(buf)) < 0 || strstr(buf, want) == NULL)
		return 0;
	if (read_at(*procfd, "stat", buf, sizeof(buf)) < 0)
		return 0;
	if (parse_stat(buf, &e->info, e->comm, sizeof(e->comm), e->state) < 0)
		return podd_error(err, PODD_E_INTERNAL, "unreadable %s/stat", path);
	e->state[1] = '\0';
	if (read_status(*procfd, &e->info) < 0)
		return 0;
	e->info.pid = pid;
	if (e->info.ns_pid <= 0)
		return podd_error(err, PODD_E_INTERNAL, "%s/status has no NSpid", path);
	e->cmdline = malloc(TOP_CMDLINE_MAX + 1);
	if (e->cmdline == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	n = read_at(*procfd, "cmdline", e->cmdline, TOP_CMDLINE_MAX + 1);
	if (n < 0)
		return 0;
	e->info.state = e->state;
	e->info.comm.data = (uint8_t *)e->comm;
	e->info.comm.len = strlen(e->comm);
	e->info.cmdline.data = (uint8_t *)e->cmdline;
	e->info.cmdline.len = (size_t)n;
	return 1;
}

static int send_table(struct podd_server *srv, const struct podd_request *req,
		      Podd__ProcessTable *t, bool more, podd_error_t *err)
{
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_PROCESS_TABLE,
				 more ? PODD_FRAME_MORE : 0, &t->base, NULL, 0, err);
}

struct top_scan {
	struct proc_entry *entries;
	size_t n;
	int init_fd; /* /proc/<init> of the container, for its root */
};

static void top_scan_free(struct top_scan *s)
{
	for (size_t i = 0; s->entries && i < s->n; i++)
		free(s->entries[i].cmdline);
	free(s->entries);
	podd_closep(&s->init_fd);
}

static int scan(const char *id, struct top_scan *s, podd_error_t *err)
{
	cleanup_free int *pids = calloc(TOP_MAX_PROCESSES, sizeof(*pids));
	size_t npids = 0;

	if (pids == NULL || (s->entries = calloc(TOP_MAX_PROCESSES, sizeof(*s->entries))) == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	if (cgroup_pids(id, pids, &npids, err) < 0)
		return -1;
	for (size_t i = 0; i < npids; i++) {
		struct proc_entry *e = &s->entries[s->n];
		cleanup_close int procfd = -1;
		int r;

		*e = (struct proc_entry){ .info = PODD__PROCESS_INFO__INIT };
		r = read_process(id, pids[i], e, &procfd, err);
		if (r < 0) {
			free(e->cmdline);
			return -1;
		}
		if (r == 0) {
			free(e->cmdline);
			e->cmdline = NULL;
			continue;
		}
		if (e->info.ns_pid == 1 && s->init_fd < 0)
			s->init_fd = move_fd(&procfd);
		s->n++;
	}
	return 0;
}

/* Launcher operation ListProcesses {id}.
 * Checks: the id is 64 hex digits; every path is built from it and fixed
 * prefixes. Why safe: it reads only kernel-generated files (cgroupfs,
 * /proc) of processes the kernel places in this container's cgroup, with
 * bounded sizes and a bounded count, plus two files inside the container's
 * own root, opened so that nothing outside that root is reachable. It
 * writes nothing, runs nothing and interprets no container-controlled
 * bytes; those travel as opaque `bytes`. */
int op_list_processes(struct podd_server *srv, const struct podd_request *req,
		      podd_error_t *err)
{
	const Podd__ListProcesses *op = (const Podd__ListProcesses *)req->msg;
	__attribute__((cleanup(top_scan_free))) struct top_scan s = { .init_fd = -1 };
	cleanup_free char *passwd = NULL, *group = NULL;
	Podd__ProcessTable t = PODD__PROCESS_TABLE__INIT;
	cleanup_free Podd__ProcessInfo **items = NULL;
	size_t passwd_len = 0, group_len = 0, bytes = 0, first = 0;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "top: invalid container id");
	if (scan(op->id, &s, err) < 0)
		return -1;
	passwd = malloc(TOP_ETC_FILE_MAX);
	group = malloc(TOP_ETC_FILE_MAX);
	items = calloc(s.n + 1, sizeof(*items));
	if (passwd == NULL || group == NULL || items == NULL)
		return podd_error_sys(err, ENOMEM, "top");
	if (s.init_fd >= 0) {
		cleanup_close int rootfd =
			openat(s.init_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd >= 0) {
			rootfs_read_etc(rootfd, "passwd", passwd, TOP_ETC_FILE_MAX, &passwd_len);
			rootfs_read_etc(rootfd, "group", group, TOP_ETC_FILE_MAX, &group_len);
		}
	}
	/* First chunk: the two files; then the processes, cut so that every
	 * frame stays under the payload limit. */
	t.passwd.data = (uint8_t *)passwd;
	t.passwd.len = passwd_len;
	t.group.data = (uint8_t *)group;
	t.group.len = group_len;
	if (send_table(srv, req, &t, true, err) < 0)
		return -1;
	t = (Podd__ProcessTable)PODD__PROCESS_TABLE__INIT;
	for (size_t i = 0; i < s.n; i++) {
		size_t sz = protobuf_c_message_get_packed_size(&s.entries[i].info.base) + 8;
		if (bytes + sz > TOP_CHUNK_BYTES && i > first) {
			t.processes = items + first;
			t.n_processes = i - first;
			if (send_table(srv, req, &t, true, err) < 0)
				return -1;
			first = i;
			bytes = 0;
		}
		items[i] = &s.entries[i].info;
		bytes += sz;
	}
	t.processes = items + first;
	t.n_processes = s.n - first;
	return send_table(srv, req, &t, false, err);
}

/* Worker side: what podctl may rely on in each record. The launcher is
 * trusted more than podctl's peer, but a record is checked before it is
 * passed on all the same. */
static bool process_ok(const Podd__ProcessInfo *p)
{
	return p->pid > 0 && p->ns_pid > 0 && p->ppid >= 0 && strlen(p->state) == 1 &&
	       p->comm.len < 64 && p->cmdline.len <= TOP_CMDLINE_MAX;
}

struct forward {
	struct podd_server *srv;
	const struct podd_request *req;
};

static int forward_chunk(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__ProcessTable *t = (const Podd__ProcessTable *)m;
	struct forward *f = data;

	for (size_t i = 0; i < t->n_processes; i++)
		if (!process_ok(t->processes[i]))
			return podd_error(err, PODD_E_PROTOCOL, "launcher sent a malformed process");
	if (t->passwd.len > TOP_ETC_FILE_MAX || t->group.len > TOP_ETC_FILE_MAX)
		return podd_error(err, PODD_E_PROTOCOL, "launcher sent an oversized file");
	return podd_server_reply(f->srv, f->req, PODD__EXEC_TYPE__EXEC_TYPE_PROCESS_TABLE,
				 PODD_FRAME_MORE, m, NULL, 0, err);
}

/* Top: ContainerRef -> ProcessTable, streamed. Each chunk the launcher
 * sends is checked and passed on; an empty last chunk ends the stream. */
int handle_top(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ContainerRef *r = (const Podd__ContainerRef *)req->msg;
	Podd__ListProcesses op = PODD__LIST_PROCESSES__INIT;
	Podd__ProcessTable last = PODD__PROCESS_TABLE__INIT;
	struct forward f = { srv, req };

	if (!podd_id_valid(r->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid container id");
	op.id = r->id;
	if (podd_client_call_stream(&podd_worker_launcher()->peer,
				    PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_LIST_PROCESSES, &op.base,
				    PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_PROCESS_TABLE,
				    &podd__process_table__descriptor, forward_chunk, &f, err) < 0)
		return -1;
	return podd_server_reply(srv, req, PODD__EXEC_TYPE__EXEC_TYPE_PROCESS_TABLE, 0, &last.base,
				 NULL, 0, err);
}
