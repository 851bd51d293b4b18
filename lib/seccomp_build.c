/* Compiling a seccomp policy to BPF with libseccomp. Only the build-time
 * generator (gen_filters.c) and the unit tests link this: the processes
 * themselves load the BPF compiled in, and never libseccomp. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "sandbox.h"

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

int podd_seccomp_build(const struct podd_sandbox_policy *p, void **bpf, size_t *len,
		       podd_error_t *err)
{
	const enum podd_seccomp_mode mode = p->seccomp;
	const char *const *extra = p->syscalls;
	const bool inet_client = p->inet_client;
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
		if (inet_client) {
			/* socket(2) for IPv4 and IPv6 only: no AF_UNIX (the
			 * host's daemons), AF_NETLINK or AF_PACKET. */
			static const int families[] = { AF_INET, AF_INET6 };
			for (size_t i = 0; i < PODD_ARRAY_SIZE(families); i++) {
				scmp_datum_t family = (scmp_datum_t)families[i];
				r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
						     SCMP_A0(SCMP_CMP_EQ, family));
				if (r < 0)
					return podd_error_sys(err, -r, "seccomp: rule for socket");
			}
			/* AF_UNIX is refused with EACCES rather than killed:
			 * glibc's getaddrinfo asks nscd over an AF_UNIX socket
			 * first (again every 100 lookups) and falls back to the
			 * files and DNS when it cannot. */
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
					     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)AF_UNIX));
			if (r < 0)
				return podd_error_sys(err, -r, "seccomp: rule for socket");
			/* ioctl(FIONREAD) only: glibc's DNS stub resolver sizes
			 * its UDP answer with it. */
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)FIONREAD));
			if (r < 0 && r != -EEXIST)
				return podd_error_sys(err, -r, "seccomp: rule for ioctl");
			for (const char *const *c = podd_sandbox_inet_client_syscalls; *c; c++)
				if (add_rule(ctx, SCMP_ACT_ALLOW, *c, err) < 0)
					return -1;
		}
		if (p->pipe_cloexec) {
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pipe2), 1,
					     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)O_CLOEXEC));
			if (r < 0)
				return podd_error_sys(err, -r, "seccomp: rule for pipe2");
		}
#ifdef PODD_SANITIZE
		for (size_t i = 0; podd_sandbox_sanitizer_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, podd_sandbox_sanitizer_syscalls[i],
				     err) < 0)
				return -1;
#endif
		for (size_t i = 0; podd_sandbox_enosys_syscalls[i]; i++)
			if (add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), podd_sandbox_enosys_syscalls[i],
				     err) < 0)
				return -1;
	} else {
#ifdef __x86_64__
		/* Containers inherit this filter: their 32-bit programs must
		 * run, and the host calls be refused through every ABI. */
		r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (r == 0 || r == -EEXIST)
			r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
		if (r < 0 && r != -EEXIST)
			return podd_error_sys(err, -r, "seccomp: architectures");
#endif
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

