/* podctl's sandbox policy: no capabilities (bounding set emptied),
 * no_new_privs, no file access (Landlock), and a kill-on-anything-else
 * seccomp allowlist. What remains is talking to its helpers and writing to
 * its terminal. Compiled into a filter at build time (lib/gen_filters.c). */
#include "sandbox.h"

struct podd_sandbox_policy podctl_policy(void);

static const char *const podctl_syscalls[] = {
	"wait4",   /* reaping helpers at exit */
	"pread64", /* /proc/PID/status opened before the sandbox (system sandbox) */
	/* attach: relaying the terminal and conmon's attach socket */
	"poll", "ppoll", "shutdown",
	/* attach -t: raw mode and window size of its own terminal */
	"ioctl",
	/* login: the auth file, opened before the sandbox, rewritten in place
	 * once the registry accepted the credentials */
	"ftruncate", "fsync",
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
		/* pull: the pipe through which podd-image-registry hands a
		 * layer to podd-image as it downloads; podctl only passes its
		 * two ends on */
		.pipe_cloexec = true,
	};
}

