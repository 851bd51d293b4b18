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

/* The export child walks a container's rootfs with libarchive and writes
 * the tar to the descriptor it was given. Reading only: no file creation
 * calls beyond openat (Landlock holds it beneath the rootfs clone, which
 * is mounted read-only), no sockets, no exec. */
static const char *const export_syscalls[] = {
	/* walking the tree: directories, metadata, symlink targets */
	"openat", "getdents64", "fchdir", "readlinkat", "readlink", "lstat", "stat",
	"fstatfs", "statfs", "fadvise64", "pread64", "dup", "dup3",
	/* extended attributes (security.capability and the like) */
	"llistxattr", "lgetxattr", "flistxattr", "fgetxattr", "listxattr", "getxattr",
	NULL,
};

struct podd_sandbox_policy podd_export_policy(const char *const *dirs)
{
	static const cap_value_t keep[] = { CAP_DAC_READ_SEARCH };
	return (struct podd_sandbox_policy){
		.process = "podd-export",
		/* read and search files whatever their owner and mode */
		.keep_caps = keep,
		.nkeep_caps = 1,
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = export_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
	};
}
