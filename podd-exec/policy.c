/* podd-exec worker's sandbox (docs/SECURITY.md); its launcher's is in
 * lib/launcher.c. */
#include "policy.h"

/* Beyond the base list, grouped by what needs them. Landlock keeps every
 * path call inside the static and tmp dirs. */
static const char *const worker_syscalls[] = {
	/* reaping its launcher at exit */
	"wait4",
	/* bundles, exit files and logs: create, write, read, rename, remove */
	"openat", "mkdir", "mkdirat", "unlink", "unlinkat", "rename", "renameat", "renameat2",
	"fchmod", "getdents64", "pread64", "ftruncate", "fsync", "stat", "lstat", "access",
	"faccessat", "readlink", "readlinkat",
	/* host limits the bundle's rlimits are clamped to */
	"prlimit64", "getrlimit",
	/* waiting for exits and following logs */
	"inotify_init1", "inotify_add_watch", "poll", "ppoll",
	/* conmon's attach socket: connect relative to the bundle directory */
	"socket", "connect", "fchdir", "chdir",
	NULL,
};

struct podd_sandbox_policy podd_exec_policy(const char *const *dirs)
{
	return (struct podd_sandbox_policy){
		.process = "podd-exec",
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = worker_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
	};
}
