/* podd-exec worker's sandbox (docs/SECURITY.md); its launcher's is in
 * lib/launcher.c. */
#include "policy.h"

/* Beyond the base list: reaping its launcher at exit. The worker only
 * relays requests to the launcher so far. */
static const char *const worker_syscalls[] = { "wait4", NULL };

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
