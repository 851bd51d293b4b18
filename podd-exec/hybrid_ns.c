/* podd-hybrid-ns RUNTIME [ARG...]: runs the OCI runtime RUNTIME with the
 * cgroup v2 mount of a hybrid host out of its sight.
 *
 * On a hybrid host (cgroup v1 hierarchies under a tmpfs /sys/fs/cgroup, a
 * v2 hierarchy at /sys/fs/cgroup/unified) whose v2 hierarchy has any
 * controller, crun 1.8 runs nothing: "cgroups in hybrid mode not
 * supported, drop all controllers from cgroupv2". Without the v2 mount it
 * sees a cgroup v1 host and puts the container in the v1 hierarchies, as
 * runc does there. Only a controller bound to v2 (hugetlb on the hosts we
 * met) goes unused, and podd sets no limit on one.
 *
 * The unmount happens in a mount namespace of this process's own, made a
 * slave of the host's first: the unmount never reaches the host, while the
 * host's later mounts (a container's root filesystem) still reach the
 * runtime. The namespace goes when the runtime, and the container it
 * made from it, have exited.
 *
 * podd-exec's launcher runs this program, directly and as conmon's
 * runtime (-r, with RUNTIME as the first --runtime-arg), only for crun on
 * such a host (launcher_ops.c). It runs with the launcher's rights: it
 * needs CAP_SYS_ADMIN for unshare(CLONE_NEWNS) and the mounts, and
 * anyone else who runs it gains nothing they could not do themselves. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define V2_MOUNT "/sys/fs/cgroup/unified"

/* One line on stderr, as a runtime's own errors read, and the exit code
 * of a runtime that failed. */
static int fail(const char *what, const char *arg, int errnum)
{
	fprintf(stderr, "podd-hybrid-ns: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
		strerror(errnum));
	return 1;
}

int main(int argc, char **argv)
{
	struct stat st;

	if (argc < 2 || argv[1][0] != '/')
		return fail("usage: podd-hybrid-ns /PATH/TO/RUNTIME [ARG...]", NULL, EINVAL);
	/* The same rule as the launcher's for any program it runs: a regular
	 * executable that only root can replace. */
	if (stat(argv[1], &st) < 0)
		return fail("runtime", argv[1], errno);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || st.st_uid != 0 ||
	    (st.st_mode & 0022))
		return fail("runtime not a root-owned executable:", argv[1], EPERM);
	if (unshare(CLONE_NEWNS) < 0)
		return fail("unshare the mount namespace", NULL, errno);
	/* Before anything is unmounted: a shared mount would carry the
	 * unmount back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return fail("make the mounts slaves of the host's", NULL, errno);
	/* EINVAL: no mount there (not a hybrid host after all); ENOENT: no
	 * such directory. Either way there is nothing to hide. */
	if (umount2(V2_MOUNT, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return fail("unmount", V2_MOUNT, errno);
	execv(argv[1], argv + 1);
	return fail("exec", argv[1], errno);
}
