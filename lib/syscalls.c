/* The system call lists every seccomp policy starts from, and the
 * launchers' policy. Data only: the filters are compiled from these at
 * build time (gen_filters.c), and checked against a fresh compile by the
 * unit tests. */
#include "sandbox.h"

const char *const podd_sandbox_base_syscalls[] = {
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* the process's socket and standard streams */
	"read", "write", "readv", "writev", "recvmsg", "sendmsg", "recvfrom", "sendto",
	"close", "fcntl", "lseek", "fstat", "newfstatat", "statx",
	/* signals, time, randomness, exit */
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "getrandom",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "futex",
	"sched_yield", "exit", "exit_group",
	NULL,
};

#ifdef PODD_SANITIZE
/* ASan/UBSan runtimes: alternate signal stack, and what a report reads
 * (/proc/self/maps, symbolizer). Only in sanitizer builds. */
const char *const podd_sandbox_sanitizer_syscalls[] = {
	"sigaltstack", "prctl", "openat", "readlink", "getpid", "sched_getaffinity",
	"pread64", "getdents64", "uname", NULL,
};
#endif

/* Host-level calls no container engine process has business making. runc,
 * conmon and the CNI plugins inherit this filter and need none of them. */
const char *const podd_sandbox_host_syscalls[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "clock_settime", "clock_adjtime", "settimeofday",
	"adjtimex", "iopl", "ioperm", "acct", "syslog", "open_by_handle_at",
	"lookup_dcookie", "uselib", "vhangup", "nfsservctl", "quotactl", "quotactl_fd",
	NULL,
};

/* A TCP client (policy inet_client; socket(2) itself is allowed for
 * AF_INET/AF_INET6 only, by argument): libcurl's connect, its socket
 * options and readiness polling; glibc's DNS stub resolver (UDP: connect,
 * sendmmsg, recvfrom). */
const char *const podd_sandbox_inet_client_syscalls[] = {
	"connect", "getsockopt", "setsockopt", "getsockname", "getpeername", "poll", "ppoll",
	"sendmmsg", "shutdown",
	/* res_init takes the host name (uname) for its search domain */
	"uname",
	/* libcurl's multi handle wakes itself through a socketpair: an
	 * anonymous connected pair, reaching nothing outside the process. */
	"socketpair", NULL,
};

/* glibc probes these and falls back when told ENOSYS. */
const char *const podd_sandbox_enosys_syscalls[] = { "clone3", "faccessat2", "rseq", NULL };

struct podd_sandbox_policy podd_launcher_policy(void)
{
	return (struct podd_sandbox_policy){
		.process = "launcher",
		/* Keeps every capability: runc, conmon and CNI plugins need
		 * mount, netns, cgroup and ownership rights. No no_new_privs
		 * (setuid newuidmap) and no Landlock (it blocks mount(2)). */
		.keep_all_caps = true,
		.seccomp = PODD_SECCOMP_DENYLIST,
		.landlock = false,
	};
}
