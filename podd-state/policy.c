/* podd-state's sandbox (docs/SECURITY.md): no capabilities, seccomp
 * allowlist, Landlock to its static and tmp dirs. */
#include "policy.h"

/* Beyond the base list: LMDB (file I/O, fsync, fcntl record locks for its
 * reader table, fstatfs and uname probes at open), the per-object lock
 * files (flock, unlink), and the reboot refresh (the alive file written
 * through a temporary: fchmod, rename; an autoremoved container's files
 * removed: getdents64, unlinkat). */
static const char *const state_syscalls[] = {
	"openat", "pread64", "pwrite64", "fsync", "fdatasync", "msync", "ftruncate",
	"flock", "unlink", "unlinkat", "stat", "getdents64", "umask", "fstatfs", "uname",
	"fchmod", "rename", NULL,
};

struct podd_sandbox_policy podd_state_policy(const char *const *dirs)
{
	return (struct podd_sandbox_policy){
		.process = "podd-state",
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = state_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
	};
}
