/* podd-image's sandbox (docs/SECURITY.md). */
#include "policy.h"

/* Layer extraction (issue 4) writes files as their owners in the layer
 * say: chown, owner-independent access, device nodes, file capabilities,
 * and setgid bits on files whose group is not podd-image's (without
 * CAP_FSETID, chmod clears S_ISGID there: /var/mail 2775 root:mail would
 * come out 0775). */
static const cap_value_t image_caps[] = {
	CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP,
};

/* Beyond the base list: the store's files. No mount, no execve.
 * openat2: layer extraction reaches every directory of a layer with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (podd-image/extract.c); the
 * test_sandbox case extract-layer-inside runs a real extraction under this
 * list. */
static const char *const image_syscalls[] = {
	"openat", "openat2", "pread64", "pwrite64", "fsync", "fdatasync", "mkdirat", "unlinkat",
	"renameat2", "fchown", "fchownat", "fchmod", "fchmodat", "mknodat", "symlinkat", "linkat",
	"utimensat", "fsetxattr", "lsetxattr", "getdents64", "ftruncate",
	/* The blob store (blobs.c) opens beneath the store with openat2
	 * (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS); it also uses mkdirat,
	 * renameat2, linkat, unlinkat and fsync above, newfstatat from the
	 * base list. A blob writer holds flock on its temporary, which
	 * tells blob_store_clean_tmp a live one from a killed writer's. */
	"openat2", "flock",
	/* commit (commit.c) reads a container's upper dir: symlinks as
	 * links, the xattrs it archives. */
	"readlinkat", "flistxattr", "fgetxattr", NULL,
};

/* podd-image-registry's calls beyond the base list: the blob store's
 * (blobs.c: openat2 beneath the store, mkdirat, linkat or renameat2 into
 * place, unlinkat, fsync, flock on a writer's temporary and on
 * store.lock) and the registry client's reads. Nothing that sets an
 * owner, a mode, a device node, an xattr or a symlink: it writes blobs
 * (files it names by their sha256), never a layer's tree. */
static const char *const registry_syscalls[] = {
	"openat", "openat2", "pread64", "pwrite64", "fsync", "fdatasync", "mkdirat", "unlinkat",
	"renameat2", "linkat", "getdents64", "ftruncate", "flock", NULL,
};

/* What the registry client (registry*.c, libcurl + OpenSSL + glibc's
 * resolver) reads, read-only: the CA certificates (the bundle and the
 * hashed directory, whose entries link into /usr/share/ca-certificates)
 * and name resolution's files. Nothing else outside the store. */
static const char *const image_ro_paths[] = {
	"/etc/ssl/certs", "/usr/share/ca-certificates", "/usr/local/share/ca-certificates",
	"/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
	NULL,
};

/* load, save, import, commit, gc, the config of an image: the store and
 * nothing else, no socket at all. What a hostile archive or layer meets. */
struct podd_sandbox_policy podd_image_policy(const char *const *dirs)
{
	return (struct podd_sandbox_policy){
		.process = "podd-image",
		.keep_caps = image_caps,
		.nkeep_caps = sizeof(image_caps) / sizeof(image_caps[0]),
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = image_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
	};
}

/* podd-image-registry (pull's fetch, push, login): the store's blobs, a
 * registry client's reach, and no capability: it unpacks no layer, so it
 * needs none of image_caps (the store is its own user's). */
struct podd_sandbox_policy podd_image_registry_policy(const char *const *dirs)
{
	return (struct podd_sandbox_policy){
		.process = "podd-image-registry",
		.seccomp = PODD_SECCOMP_ALLOWLIST,
		.syscalls = registry_syscalls,
		.landlock = true,
		.landlock_dirs = dirs,
		.landlock_ro_paths = image_ro_paths,
		/* TCP connect to registries, never bind. */
		.inet_client = true,
	};
}
