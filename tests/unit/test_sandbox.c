/* bubblewrap's try-syscall, as a test: apply each process's real sandbox
 * policy in a child and try a call it must (or must not) be able to make.
 * Needs root (the policies drop capabilities from the bounding set). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher.h"
#include "sandbox.h"

struct podd_sandbox_policy podd_state_policy(const char *const *dirs);
struct podd_sandbox_policy podd_image_policy(const char *const *dirs);
struct podd_sandbox_policy podd_exec_policy(const char *const *dirs);
struct podd_sandbox_policy podd_net_policy(const char *const *dirs);
struct podd_sandbox_policy podctl_policy(void);

enum outcome { ALLOWED, KILLED, DENIED_EPERM, DENIED_EACCES };

static const char *outcome_name(int o)
{
	static const char *const names[] = { "allowed", "killed by seccomp", "EPERM", "EACCES" };
	return o >= 0 && o <= DENIED_EACCES ? names[o] : "other";
}

static char dir[] = "/tmp/podd-sandbox-XXXXXX";

static struct podd_sandbox_policy policy_for(const char *process)
{
	static const char *dirs[2];
	dirs[0] = dir;
	dirs[1] = NULL;
	if (strcmp(process, "podd-state") == 0)
		return podd_state_policy(dirs);
	if (strcmp(process, "podd-image") == 0)
		return podd_image_policy(dirs);
	if (strcmp(process, "podd-exec") == 0)
		return podd_exec_policy(dirs);
	if (strcmp(process, "podd-net") == 0)
		return podd_net_policy(dirs);
	if (strcmp(process, "launcher") == 0)
		return podd_launcher_policy();
	return podctl_policy();
}

static int result(long r)
{
	if (r >= 0)
		return ALLOWED;
	if (errno == EPERM)
		return DENIED_EPERM;
	if (errno == EACCES)
		return DENIED_EACCES;
	return 10 + (errno & 0x7f);
}

/* Runs in the sandboxed child; the exit status is the outcome. */
static int try_call(const char *call)
{
	char path[128];
	if (strcmp(call, "execve") == 0) {
		char *const argv[] = { "true", NULL };
		execve("/bin/true", argv, NULL);
		return result(-1);
	}
	if (strcmp(call, "mount") == 0) {
		snprintf(path, sizeof(path), "%s/mnt", dir);
		mkdir(path, 0700);
		long r = mount("none", path, "tmpfs", 0, NULL);
		int o = result(r);
		if (r == 0)
			umount(path);
		return o;
	}
	if (strcmp(call, "ptrace") == 0)
		return result(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	if (strcmp(call, "socket-inet") == 0)
		return result(socket(AF_INET, SOCK_STREAM, 0));
	if (strcmp(call, "open-outside") == 0)
		return result(open("/etc/hostname", O_RDONLY));
	if (strcmp(call, "create-inside") == 0) {
		snprintf(path, sizeof(path), "%s/file", dir);
		return result(open(path, O_CREAT | O_WRONLY, 0600));
	}
	if (strcmp(call, "mknod-fifo-inside") == 0) {
		snprintf(path, sizeof(path), "%s/fifo", dir);
		return result(mknodat(AT_FDCWD, path, S_IFIFO | 0600, 0));
	}
	if (strcmp(call, "kexec_load") == 0)
		return result(syscall(SYS_kexec_load, 0, 0, NULL, 0));
	if (strcmp(call, "init_module") == 0)
		return result(syscall(SYS_init_module, NULL, 0, ""));
	/* Wrong magic: harmless even if it got through (EINVAL). */
	if (strcmp(call, "reboot") == 0)
		return result(syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL));
	return 99;
}

static int run_sandboxed(const char *process, const char *call)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		podd_error_t err = NULL;
		struct podd_sandbox_policy p = policy_for(process);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, STDERR_FILENO); /* the policies log nothing, but stay quiet */
		if (podd_sandbox_apply(&p, &err) < 0)
			_exit(98);
		_exit(try_call(call));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		return KILLED;
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static const struct {
	const char *process, *call;
	enum outcome expect;
} cases[] = {
	/* No worker and no podctl can start a program or mount. */
	{ "podctl", "execve", KILLED },
	{ "podd-state", "execve", KILLED },
	{ "podd-image", "execve", KILLED },
	{ "podd-exec", "execve", KILLED },
	{ "podd-net", "execve", KILLED },
	{ "podd-state", "mount", KILLED },
	{ "podd-image", "mount", KILLED },
	{ "podd-exec", "mount", KILLED },
	{ "podd-state", "ptrace", KILLED },
	{ "podd-image", "socket-inet", KILLED },
	{ "podctl", "socket-inet", KILLED },
	{ "podd-state", "kexec_load", KILLED },
	/* podctl may not open files at all; podd-state only in its dirs. */
#ifdef PODD_SANITIZE
	/* Sanitizer builds allow openat (ASan reads /proc/self/maps); Landlock
	 * still refuses the file. */
	{ "podctl", "open-outside", DENIED_EACCES },
#else
	{ "podctl", "open-outside", KILLED },
#endif
	{ "podd-state", "open-outside", DENIED_EACCES },
	{ "podd-state", "create-inside", ALLOWED },
	{ "podd-image", "open-outside", DENIED_EACCES },
	{ "podd-image", "mknod-fifo-inside", ALLOWED },
	/* The launcher runs runc and CNI plugins: it may exec and mount, but
	 * host-level calls are refused. */
	{ "launcher", "execve", ALLOWED },
	{ "launcher", "mount", ALLOWED },
	{ "launcher", "kexec_load", DENIED_EPERM },
	{ "launcher", "init_module", DENIED_EPERM },
	{ "launcher", "reboot", DENIED_EPERM },
};

static void test_each_policy_blocks_what_it_should(void **state)
{
	int failures = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = run_sandboxed(cases[i].process, cases[i].call);
		bool ok = got == (int)cases[i].expect;
		printf("%s - %s %s: %s (expected %s)\n", ok ? "ok" : "not ok", cases[i].process,
		       cases[i].call, outcome_name(got), outcome_name(cases[i].expect));
		failures += !ok;
	}
	assert_int_equal(failures, 0);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_sandbox needs root\n");
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[96];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_policy_blocks_what_it_should),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
