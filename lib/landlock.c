#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

/* Filesystem rights, by the ABI that introduced them. */
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)      /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#define LL_FS_ABI1 ((1ULL << 13) - 1)

#define LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

int podd_landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_FS_ABI1;
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/* Read rights for a read-only path: a file takes file rights only. */
static uint64_t ro_rights(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return LL_FS_READ_FILE | LL_FS_READ_DIR;
	return LL_FS_READ_FILE;
}

int podd_landlock_restrict(const char *const *dirs, podd_error_t *err)
{
	return podd_landlock_restrict_ex(dirs, NULL, false, err);
}

int podd_landlock_restrict_ex(const char *const *dirs, const char *const *ro_paths,
			      bool tcp_connect, podd_error_t *err)
{
	struct ll_ruleset_attr attr = { 0 };
	cleanup_close int ruleset = -1;
	size_t attr_size;
	int abi = podd_landlock_abi();

	if (abi <= 0) {
		podd_warn("Landlock is not available on this kernel; filesystem confinement off");
		return 0;
	}
	attr.handled_access_fs = fs_rights(abi);
	attr_size = sizeof(uint64_t);
	if (abi >= 4) {
		/* With no port rule, a handled right is refused for every
		 * port. A TCP client (tcp_connect) connects to a registry on
		 * any port, so connect is left unhandled; bind never is. */
		attr.handled_access_net = LL_NET_BIND_TCP | (tcp_connect ? 0 : LL_NET_CONNECT_TCP);
		attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0)
		return podd_error_sys(err, errno, "landlock: create ruleset");

	for (size_t i = 0; dirs && dirs[i]; i++) {
		cleanup_close int dirfd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct ll_path_beneath_attr rule = { .allowed_access = attr.handled_access_fs };
		if (dirfd < 0)
			return podd_error_sys(err, errno, "landlock: open %s", dirs[i]);
		rule.parent_fd = dirfd;
		if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
			return podd_error_sys(err, errno, "landlock: allow %s", dirs[i]);
	}
	for (size_t i = 0; ro_paths && ro_paths[i]; i++) {
		cleanup_close int fd = open(ro_paths[i], O_PATH | O_CLOEXEC);
		struct ll_path_beneath_attr rule = { 0 };
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return podd_error_sys(err, errno, "landlock: open %s", ro_paths[i]);
		}
		rule.allowed_access = ro_rights(fd);
		rule.parent_fd = fd;
		if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
			return podd_error_sys(err, errno, "landlock: allow reading %s",
					      ro_paths[i]);
	}
	/* landlock_restrict_self needs no_new_privs (or CAP_SYS_ADMIN); the
	 * caller has set it, and it can only ever be set, never cleared. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return podd_error_sys(err, errno, "landlock: set no_new_privs");
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return podd_error_sys(err, errno, "landlock: restrict self");
	return 0;
}
