/* podd-runtime-ns RUNTIME [ARG...]: runs crun (RUNTIME) in a mount
 * namespace of its own, made for it:
 *
 *  - The runtime's binary is bind-mounted read-only over itself and
 *    _LIBCONTAINER_CLONED_BINARY is set. crun (like runc) keeps a container
 *    process from writing the host's runtime binary through /proc/PID/exe
 *    (CVE-2019-5736) by executing itself again, at every start, from a
 *    read-only bind mount of its binary that it makes itself; it skips that
 *    when the binary it runs from is already on a read-only mount and the
 *    variable says so. The protection is the same, without the second exec
 *    and dynamic load (1-1.5 ms per command here, three commands per run).
 *
 *  - On a hybrid host (cgroup v1 hierarchies under a tmpfs /sys/fs/cgroup,
 *    a v2 hierarchy at /sys/fs/cgroup/unified) whose v2 hierarchy has a
 *    controller, /sys/fs/cgroup/unified is unmounted. crun 1.8 runs nothing
 *    there ("cgroups in hybrid mode not supported, drop all controllers
 *    from cgroupv2"); without the v2 mount it sees a cgroup v1 host and puts
 *    the container in the v1 hierarchies, as runc does there. Only a
 *    controller bound to v2 (hugetlb on the hosts we met) goes unused, and
 *    podd sets no limit on one. What runc does with v2 there, this program
 *    does for crun: `create` and `exec` move it into <v2>/podd/podd-<id>
 *    before crun runs, so the container's processes are there as runc's
 *    are, and `delete` removes that cgroup once crun has run (v2_join,
 *    delete_then_remove).
 *
 * The namespace is made a slave of the host's before anything changes in
 * it: no mount or unmount here reaches the host, while the host's later
 * mounts (a container's root filesystem) still reach the runtime. It goes
 * when the runtime, and the container it made from it, have exited.
 *
 * podd-exec's launcher runs this program in front of crun, directly and as
 * conmon's runtime (-r, with RUNTIME as the first --runtime-arg;
 * launcher_ops.c). It runs with the launcher's rights: it needs
 * CAP_SYS_ADMIN for unshare(CLONE_NEWNS) and the mounts, and anyone else
 * who runs it gains nothing they could not do themselves. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

#define V2_MOUNT "/sys/fs/cgroup/unified"

/* One line on stderr, as a runtime's own errors read, and the exit code
 * of a runtime that failed. */
static int fail(const char *what, const char *arg, int errnum)
{
	fprintf(stderr, "podd-runtime-ns: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
		strerror(errnum));
	return 1;
}

/* Would crun 1.8 refuse this host? A tmpfs at /sys/fs/cgroup, cgroup2 at
 * unified/ and a controller in its cgroup.controllers. */
static bool crun_refuses_host(void)
{
	char controllers[256];
	struct statfs fs;
	ssize_t n;
	int fd;

	if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type != TMPFS_MAGIC ||
	    statfs(V2_MOUNT, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		return false;
	fd = open(V2_MOUNT "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, controllers, sizeof(controllers) - 1);
	close(fd);
	if (n <= 0)
		return false;
	controllers[n] = '\0';
	return strspn(controllers, " \n") < (size_t)n;
}

/* The verb of a runtime command line as podd-exec builds it: RUNTIME
 * (--root DIR | --root=DIR) VERB [OPTION...] ID [SIGNAL]. */
static const char *verb_of(int argc, char **argv)
{
	int i = 2;

	if (i < argc && strcmp(argv[i], "--root") == 0)
		i += 2;
	else if (i < argc && strncmp(argv[i], "--root=", 7) == 0)
		i++;
	return i < argc ? argv[i] : "";
}

static bool podd_id(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* crun blind to v2 would leave a container in its caller's v2 cgroup: a
 * systemd host, which tracks processes there, would then stop the
 * container with the caller's unit or session, and hugetlb would be
 * charged to the caller. runc on the same host puts the container in
 * <v2>/podd/podd-<id> (the cgroupsPath of podd-exec's bundle.c); so does
 * this: `create` and `exec` move this process there before crun runs, and
 * what crun starts inherits it. Run before the v2 mount goes. */
static int v2_join(const char *id)
{
	char path[sizeof(V2_MOUNT) + 96];
	int fd;

	snprintf(path, sizeof(path), "%s/podd/podd-%s", V2_MOUNT, id);
	if ((mkdir(V2_MOUNT "/podd", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(path, 0755) < 0 && errno != EEXIST))
		return -1;
	strcat(path, "/cgroup.procs");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* "0": the writing process itself. */
	if (write(fd, "0", 1) != 1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* `delete`: crun runs as a child, and the container's v2 cgroup goes once
 * crun has killed what was left in it (delete --force of a created or
 * running container), as runc removes its cgroups after the kill.
 * `podd_dir` is <v2>/podd, opened before the v2 mount went. Processes
 * leave a cgroup as they exit, so the rmdir is tried again while the
 * last ones die, for up to a second. Returns crun's exit status. */
static int delete_then_remove(char **argv, int podd_dir, const char *id)
{
	char name[80];
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork", NULL, errno);
	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(fail("exec", argv[1], errno));
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail("wait for", argv[1], errno);
	snprintf(name, sizeof(name), "podd-%s", id);
	for (int i = 0; i < 100; i++) {
		if (unlinkat(podd_dir, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY) {
			fail("remove the v2 cgroup", name, errno);
			break;
		}
		usleep(10 * 1000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* The runtime's binary, read-only over itself. The remount keeps the
 * flags the mount beneath has (nosuid, nodev, noexec), as a bind remount
 * must where they are locked. */
static int bind_read_only(const char *path)
{
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
	struct statvfs vfs;

	if (mount(path, path, NULL, MS_BIND, NULL) < 0 || statvfs(path, &vfs) < 0)
		return -1;
	if (vfs.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (vfs.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (vfs.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	return mount(NULL, path, NULL, flags, NULL);
}

int main(int argc, char **argv)
{
	struct stat st;

	if (argc < 2 || argv[1][0] != '/') {
		fputs("usage: podd-runtime-ns /PATH/TO/RUNTIME [ARG...]\n", stderr);
		return 1;
	}
	/* The same rule as the launcher's for any program it runs: a regular
	 * executable that only root can replace. */
	if (stat(argv[1], &st) < 0)
		return fail("runtime", argv[1], errno);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || st.st_uid != 0 ||
	    (st.st_mode & 0022))
		return fail("runtime not a root-owned executable:", argv[1], EPERM);
	if (unshare(CLONE_NEWNS) < 0)
		return fail("unshare the mount namespace", NULL, errno);
	/* Before anything changes: a shared mount would carry each change
	 * back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return fail("make the mounts slaves of the host's", NULL, errno);
	if (bind_read_only(argv[1]) < 0)
		return fail("bind read-only:", argv[1], errno);
	if (setenv("_LIBCONTAINER_CLONED_BINARY", "1", 1) < 0)
		return fail("setenv", NULL, errno);
	if (crun_refuses_host()) {
		const char *verb = verb_of(argc, argv), *id = argv[argc - 1];
		cleanup_close int podd_dir = -1;

		if (podd_id(id) && (strcmp(verb, "create") == 0 || strcmp(verb, "exec") == 0) &&
		    v2_join(id) < 0)
			return fail("join the container's v2 cgroup:", id, errno);
		if (podd_id(id) && strcmp(verb, "delete") == 0)
			podd_dir = open(V2_MOUNT "/podd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (umount2(V2_MOUNT, MNT_DETACH) < 0)
			return fail("unmount", V2_MOUNT, errno);
		if (podd_dir >= 0)
			return delete_then_remove(argv, podd_dir, id);
	}
	execv(argv[1], argv + 1);
	return fail("exec", argv[1], errno);
}
