/* podctl's own sandbox, applied right after its helpers are spawned: no
 * capabilities (bounding set emptied), no_new_privs, no file access
 * (Landlock), and a kill-on-anything-else seccomp allowlist. What remains
 * is talking to its helpers and writing to its terminal. */
#include <time.h>

#include "podctl.h"
#include "sandbox.h"

static const char *const podctl_syscalls[] = {
	"wait4",   /* reaping helpers at exit */
	"pread64", /* /proc/PID/status opened before the sandbox (system sandbox) */
	/* attach: relaying the terminal and conmon's attach socket */
	"poll", "ppoll", "shutdown",
	/* attach -t: raw mode and window size of its own terminal */
	"ioctl",
	NULL,
};

struct podd_sandbox_policy podctl_policy(void)
{
	static const char *const no_dirs[] = { NULL };
	return (struct podd_sandbox_policy){
		.process = "podctl",
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = podctl_syscalls,
		.landlock = true,
		.landlock_dirs = no_dirs,
	};
}

int podctl_sandbox(podd_error_t *err)
{
	struct podd_sandbox_policy policy = podctl_policy();
	/* Time formatting reads /etc/localtime on first use; read it now. */
	tzset();
	return podd_sandbox_apply(&policy, err);
}
