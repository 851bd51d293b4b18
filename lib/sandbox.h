/* Process sandboxes: capabilities (libcap, bounding set included),
 * securebits, no_new_privs, Landlock and a seccomp filter. Each process
 * states its policy in its own policy.c; the filters are compiled from
 * those policies with libseccomp at build time (gen_filters.c, filters.h),
 * so no running process links libseccomp. docs/SECURITY.md tabulates the
 * policies. */
#ifndef PODD_SANDBOX_H
#define PODD_SANDBOX_H

#include <stdbool.h>
#include <sys/capability.h>

#include "error.h"

enum podd_seccomp_mode {
	/* Kill the process on any call not listed (workers, podctl). */
	PODD_SECCOMP_ALLOWLIST,
	/* Allow everything but host-level calls (launchers, which must exec
	 * runc, conmon, CNI plugins and setuid newuidmap): no no_new_privs. */
	PODD_SECCOMP_DENYLIST,
};

struct podd_sandbox_policy {
	const char *process;
	bool keep_all_caps;                /* launchers: leave capabilities as they are */
	const cap_value_t *keep_caps;      /* kept in permitted and effective */
	size_t nkeep_caps;
	enum podd_seccomp_mode seccomp;
	const char *const *syscalls;       /* allowlist: added to the base list */
	bool landlock;
	const char *const *landlock_dirs;  /* NULL-terminated; empty = no files */
	/* Read-only beneath these (files or directories; NULL-terminated, may
	 * be NULL; a path missing at sandbox time is skipped). */
	const char *const *landlock_ro_paths;
	/* A TCP client (podd-image's registry client): socket(2) for AF_INET
	 * and AF_INET6 only (AF_UNIX: EACCES, anything else kills) and
	 * ioctl(2) for FIONREAD only (checked on the arguments by seccomp), connect and the socket options a client
	 * sets; Landlock (ABI >= 4) then handles
	 * only TCP bind, which no rule allows, so the process can connect
	 * anywhere but never listen on a TCP port. */
	bool inet_client;
	/* pipe2(2) with exactly O_CLOEXEC (checked on the argument): an
	 * anonymous pipe and nothing else (O_NOTIFICATION_PIPE would reach
	 * the kernel's watch queues). podctl: a pull's layer pipe. */
	bool pipe_cloexec;
};

/* Apply the policy to the calling process, in this order: bounding set,
 * securebits, capability sets, no_new_privs (allowlist only), Landlock,
 * seccomp. Irreversible. */
int podd_sandbox_apply(const struct podd_sandbox_policy *policy, podd_error_t *err);

/* syscalls.c: calls every allowlisted process needs (memory, its socket,
 * exit...); those sanitizer runtimes need (PODD_SANITIZE builds); those
 * answered ENOSYS so that glibc falls back; those every launcher refuses
 * (EPERM). */
extern const char *const podd_sandbox_base_syscalls[];
extern const char *const podd_sandbox_sanitizer_syscalls[];
extern const char *const podd_sandbox_enosys_syscalls[];
extern const char *const podd_sandbox_host_syscalls[];

/* The launchers' policy: host-call denylist, capabilities untouched. */
struct podd_sandbox_policy podd_launcher_policy(void);

/* seccomp_build.c (libseccomp; the generator and tests only): the filter
 * of a policy as BPF in a newly allocated buffer. */
int podd_seccomp_build(const struct podd_sandbox_policy *p, void **bpf, size_t *len,
		       podd_error_t *err);

/* What inet_client adds to an allowlist besides socket(2) for AF_INET and
 * AF_INET6. */
extern const char *const podd_sandbox_inet_client_syscalls[];

#endif
