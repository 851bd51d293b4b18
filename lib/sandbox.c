#include "sandbox.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "landlock.h"
#include "log.h"

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
static const char *const sanitizer_syscalls[] = {
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

/* glibc probes these and falls back when told ENOSYS. */
static const char *const enosys_syscalls[] = { "clone3", "faccessat2", "rseq", NULL };

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, podd_error_t *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r;
	if (nr == __NR_SCMP_ERROR)
		return podd_error(err, PODD_E_INTERNAL, "seccomp: unknown system call %s", name);
	r = seccomp_rule_add(ctx, action, nr, 0);
	if (r < 0 && r != -EEXIST)
		return podd_error_sys(err, -r, "seccomp: rule for %s", name);
	return 0;
}

int podd_seccomp_build(enum podd_seccomp_mode mode, const char *const *extra, void **bpf,
		       size_t *len, podd_error_t *err)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = NULL;
	cleanup_close int mfd = -1;
	cleanup_free void *buf = NULL;
	struct stat st;
	int r;

	ctx = seccomp_init(mode == PODD_SECCOMP_ALLOWLIST ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return podd_error(err, PODD_E_INTERNAL, "seccomp: init");
	/* A call through another ABI (x32, i386 int 0x80) would bypass the
	 * names resolved for the native one: kill it. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return podd_error_sys(err, -r, "seccomp: attributes");

	if (mode == PODD_SECCOMP_ALLOWLIST) {
		for (size_t i = 0; podd_sandbox_base_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, podd_sandbox_base_syscalls[i], err) < 0)
				return -1;
		for (size_t i = 0; extra && extra[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, extra[i], err) < 0)
				return -1;
#ifdef PODD_SANITIZE
		for (size_t i = 0; sanitizer_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, sanitizer_syscalls[i], err) < 0)
				return -1;
#endif
		for (size_t i = 0; enosys_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), enosys_syscalls[i], err) < 0)
				return -1;
	} else {
		for (size_t i = 0; podd_sandbox_host_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), podd_sandbox_host_syscalls[i],
				     err) < 0)
				return -1;
	}

	/* libseccomp 2.5 exports BPF only to a descriptor. */
	mfd = memfd_create("podd-seccomp", MFD_CLOEXEC);
	if (mfd < 0)
		return podd_error_sys(err, errno, "seccomp: memfd");
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return podd_error_sys(err, -r, "seccomp: export");
	if (fstat(mfd, &st) < 0)
		return podd_error_sys(err, errno, "seccomp: export");
	buf = malloc((size_t)st.st_size);
	if (buf == NULL)
		return podd_error_sys(err, ENOMEM, "seccomp: export");
	if (pread(mfd, buf, (size_t)st.st_size, 0) != st.st_size)
		return podd_error_sys(err, errno, "seccomp: read exported filter");
	*len = (size_t)st.st_size;
	*bpf = steal_pointer(&buf);
	return 0;
}

static int drop_capabilities(const struct podd_sandbox_policy *p, podd_error_t *err)
{
	cap_t caps = NULL;
	int last = (int)cap_max_bits() - 1;
	bool have_setpcap = false;
	cap_flag_value_t v = CAP_CLEAR;

	caps = cap_get_proc();
	if (caps && cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0)
		have_setpcap = v == CAP_SET;
	cap_free(caps);

	if (have_setpcap) {
		/* Nothing dropped from the bounding set comes back through an
		 * exec, and root's uid never regains capabilities. */
		for (int c = 0; c <= last; c++) {
			bool keep = false;
			for (size_t k = 0; k < p->nkeep_caps; k++)
				keep = keep || p->keep_caps[k] == c;
			if (!keep && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0)
				return podd_error_sys(err, errno, "drop capability %d from bounding set",
						      c);
		}
		if (p->seccomp == PODD_SECCOMP_ALLOWLIST &&
		    cap_set_secbits(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
				    SECBIT_NO_CAP_AMBIENT_RAISE |
				    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) < 0)
			return podd_error_sys(err, errno, "set securebits");
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		return podd_error_sys(err, errno, "clear ambient capabilities");

	caps = cap_init();
	if (caps == NULL)
		return podd_error_sys(err, errno, "capabilities");
	if (p->nkeep_caps > 0 &&
	    (cap_set_flag(caps, CAP_PERMITTED, (int)p->nkeep_caps, p->keep_caps, CAP_SET) < 0 ||
	     cap_set_flag(caps, CAP_EFFECTIVE, (int)p->nkeep_caps, p->keep_caps, CAP_SET) < 0)) {
		cap_free(caps);
		return podd_error_sys(err, errno, "capabilities");
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return podd_error_sys(err, e, "set capabilities");
	}
	cap_free(caps);
	return 0;
}

int podd_sandbox_apply(const struct podd_sandbox_policy *p, podd_error_t *err)
{
	cleanup_free void *bpf = NULL;
	size_t len = 0;
	struct sock_fprog prog;

	/* Build the filter first: libseccomp allocates, which the filter may
	 * not permit later. */
	if (podd_seccomp_build(p->seccomp, p->syscalls, &bpf, &len, err) < 0)
		return podd_error_wrap(err, "%s sandbox", p->process);

	if (!p->keep_all_caps && drop_capabilities(p, err) < 0)
		return podd_error_wrap(err, "%s sandbox", p->process);

	if (p->seccomp == PODD_SECCOMP_ALLOWLIST &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return podd_error_sys(err, errno, "%s sandbox: no_new_privs", p->process);

	if (p->landlock && podd_landlock_restrict(p->landlock_dirs, err) < 0)
		return podd_error_wrap(err, "%s sandbox", p->process);

	prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	prog.filter = bpf;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return podd_error_sys(err, errno, "%s sandbox: install seccomp filter", p->process);
	podd_debug("sandboxed: %zu capabilities kept, seccomp %s, landlock %s", p->nkeep_caps,
		   p->seccomp == PODD_SECCOMP_ALLOWLIST ? "allowlist" : "denylist",
		   p->landlock ? "on" : "off");
	return 0;
}
