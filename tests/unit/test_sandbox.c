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
#include <netdb.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "blobs.h"
#include "image_archive.h"
#include "store.h"
#include <openssl/evp.h>
#include "cleanup.h"
#include "extract.h"
#include "filters.h"
#include "launcher.h"
#include "exec.h"
#include "sandbox.h"
#include "state.h"

struct podd_sandbox_policy podd_state_policy(const char *const *dirs);
struct podd_sandbox_policy podd_image_policy(const char *const *dirs);
struct podd_sandbox_policy podd_image_registry_policy(const char *const *dirs);
struct podd_sandbox_policy podd_exec_policy(const char *const *dirs);
struct podd_sandbox_policy podd_export_policy(const char *const *dirs);
struct podd_sandbox_policy podd_net_policy(const char *const *dirs);
struct podd_sandbox_policy podctl_policy(void);

enum outcome { ALLOWED, KILLED, DENIED_EPERM, DENIED_EACCES };

static const char *outcome_name(int o)
{
	static const char *const names[] = { "allowed", "killed by seccomp", "EPERM", "EACCES" };
	return o >= 0 && o <= DENIED_EACCES ? names[o] : "other";
}

static char dir[] = "/tmp/podd-sandbox-XXXXXX";
static int listener_port; /* a TCP listener on 127.0.0.1 for connect-inet */
static int udp_listener = -1, udp_port; /* a UDP socket on 127.0.0.1 for udp-exchange */

static struct podd_sandbox_policy policy_for(const char *process)
{
	static const char *dirs[2];
	dirs[0] = dir;
	dirs[1] = NULL;
	if (strcmp(process, "podd-state") == 0)
		return podd_state_policy(dirs);
	if (strcmp(process, "podd-image") == 0)
		return podd_image_policy(dirs);
	if (strcmp(process, "podd-image-registry") == 0)
		return podd_image_registry_policy(dirs);
	if (strcmp(process, "podd-exec") == 0)
		return podd_exec_policy(dirs);
	if (strcmp(process, "podd-export") == 0)
		return podd_export_policy(dirs);
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

/* podd-image's blob store, all of it, in the sandbox: OpenSSL's first use
 * included, as podd-image will make it (after sandboxing). Any system call
 * the store needs and the policy lacks kills the child. 20 + the step on
 * an error. */
static int try_blob_store(void)
{
	static const char abc_sha256[] =
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	struct blob_writer w = { 0 };
	struct digest d;
	unsigned removed;
	podd_error_t err = NULL;
	cleanup_close int storefd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (storefd < 0 || digest_parse(abc_sha256, &d, &err) < 0)
		return 20;
	/* Both image processes add blobs under the shared store lock. */
	cleanup_close int lock = store_lock(storefd, false, &err);
	if (lock < 0)
		return 25;
	if (blob_writer_open(storefd, &d, 3, 1024, &w, &err) < 0 ||
	    blob_writer_write(&w, "ab", 2, &err) < 0 || blob_writer_write(&w, "c", 1, &err) < 0 ||
	    blob_writer_commit(&w, NULL, NULL, &err) < 0)
		return 21;
	fd = blob_open(storefd, &d, &err);
	if (fd < 0 || blob_verify(storefd, &d, &err) < 0)
		return 22;
	if (blob_remove(storefd, &d, &err) < 0)
		return 23;
	if (blob_store_clean_tmp(storefd, &removed, &err) < 0)
		return 24;
	return ALLOWED;
}

/* A gzip layer with one entry of every kind extraction makes, written
 * before the sandbox closes (podd-image will read blobs it stored). */
static int write_layer(const char *path)
{
	static const struct {
		const char *path, *link;
		mode_t type;
		bool hard;
	} ents[] = {
		{ "dir/", NULL, AE_IFDIR, false },
		{ "dir/file", NULL, AE_IFREG, false },
		{ "dir/sym", "/etc/passwd", AE_IFLNK, false },
		{ "dir/hard", "dir/file", AE_IFREG, true },
		{ "dir/fifo", NULL, AE_IFIFO, false },
		{ "dir/.wh.gone", NULL, AE_IFREG, false },
		/* user.overlay.opaque on dir: no CAP_SYS_ADMIN needed */
		{ "dir/.wh..wh..opq", NULL, AE_IFREG, false },
	};
	struct archive *a = archive_write_new();
	int ok = archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
		 archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
		 archive_write_open_filename(a, path) == ARCHIVE_OK;

	for (size_t i = 0; ok && i < PODD_ARRAY_SIZE(ents); i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_filetype(e, ents[i].type);
		archive_entry_set_perm(e, 0755);
		archive_entry_set_uid(e, 1000);
		archive_entry_set_gid(e, 1000);
		if (ents[i].hard)
			archive_entry_set_hardlink(e, ents[i].link);
		else if (ents[i].link)
			archive_entry_set_symlink(e, ents[i].link);
		if (strcmp(ents[i].path, "dir/file") == 0) {
			archive_entry_set_size(e, 2);
			archive_entry_xattr_add_entry(e, "user.x", "v", 1);
		}
		ok = archive_write_header(a, e) == ARCHIVE_OK &&
		     (strcmp(ents[i].path, "dir/file") != 0 || archive_write_data(a, "hi", 2) == 2);
		archive_entry_free(e);
	}
	ok = ok && archive_write_close(a) == ARCHIVE_OK;
	archive_write_free(a);
	return ok ? 0 : -1;
}

/* For image-store-cycle, prepared before the sandbox closes: the layer's
 * diff_id and the file the archive is saved to and loaded from. */
static char cycle_diff_id[65];
static int cycle_archive_fd = -1;

static int prepare_image_cycle(void)
{
	char path[128];
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok;

	snprintf(path, sizeof(path), "%s/layer.tar.gz", dir);
	if (write_layer(path) < 0)
		return -1;
	ok = archive_read_support_filter_gzip(a) == ARCHIVE_OK &&
	     archive_read_support_format_raw(a) == ARCHIVE_OK &&
	     archive_read_open_filename(a, path, 65536) == ARCHIVE_OK &&
	     archive_read_next_header(a, &e) == ARCHIVE_OK &&
	     EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = ok ? archive_read_data_block(a, &buf, &len, &off) : ARCHIVE_FATAL;
		if (r != ARCHIVE_OK) {
			ok = ok && r == ARCHIVE_EOF;
			break;
		}
		EVP_DigestUpdate(md, buf, len);
	}
	ok = ok && EVP_DigestFinal_ex(md, raw, &n) == 1;
	for (unsigned i = 0; i < n; i++)
		snprintf(cycle_diff_id + 2 * i, 3, "%02x", raw[i]);
	archive_read_free(a);
	EVP_MD_CTX_free(md);
	snprintf(path, sizeof(path), "%s/store", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/saved.tar", dir);
	cycle_archive_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return ok && cycle_archive_fd >= 0 ? 0 : -1;
}

static int put_doc(int storefd, const char *doc, struct digest *d)
{
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;
	size_t len = strlen(doc);
	int r = blob_writer_open(storefd, NULL, len, 1 << 20, &w, &err) == 0 &&
			blob_writer_write(&w, doc, len, &err) == 0 &&
			blob_writer_commit(&w, d, NULL, &err) == 0
		? 0
		: -1;
	podd_error_free(&err);
	return r;
}

/* Every step of the image store, in podd-image's real sandbox: a layer
 * blob, config and manifest stored, the image made (diff_id hashed, layer
 * unpacked, renamed into place), saved as a docker-archive (the layer
 * decompressed into it), all of it collected, loaded back from the
 * archive, collected again. A call the policy lacks kills the child;
 * 30 + the step on an error. */
static int try_image_store_cycle(void)
{
	char path[128], cfg[512], man[1024];
	struct blob_writer w = { 0 };
	struct digest layer, config, manifest;
	Podd__ImageRecord *rec = NULL, **loaded = NULL;
	struct gc_keep none = { 0 };
	struct gc_stats st;
	podd_error_t err = NULL;
	char buf[65536];
	ssize_t n;
	size_t nloaded = 0, layer_size = 0;
	int storefd, layerfd, lock;

	snprintf(path, sizeof(path), "%s/store", dir);
	storefd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/layer.tar.gz", dir);
	layerfd = open(path, O_RDONLY | O_CLOEXEC);
	if (storefd < 0 || layerfd < 0 ||
	    blob_writer_open(storefd, NULL, UINT64_MAX, 1 << 30, &w, &err) < 0)
		return 30;
	while ((n = read(layerfd, buf, sizeof(buf))) > 0) {
		layer_size += (size_t)n;
		if (blob_writer_write(&w, buf, (size_t)n, &err) < 0)
			return 31;
	}
	if (blob_writer_commit(&w, &layer, NULL, &err) < 0)
		return 31;
	snprintf(cfg, sizeof(cfg),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
		 "\"layers\",\"diff_ids\":[\"sha256:%s\"]}}",
		 cycle_diff_id);
	if (put_doc(storefd, cfg, &config) < 0)
		return 32;
	snprintf(man, sizeof(man),
		 "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"%s\",\"digest\":"
		 "\"sha256:%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"application/"
		 "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 MEDIA_OCI_CONFIG, config.hex, strlen(cfg), layer.hex, layer_size);
	if (put_doc(storefd, man, &manifest) < 0)
		return 33;
	lock = store_lock(storefd, false, &err);
	if (lock < 0 || store_image_from_manifest(storefd, &manifest, NULL, &rec, &err) < 0)
		return 34;
	if (archive_save(storefd, cycle_archive_fd, false, &rec, 1, NULL, &err) < 0)
		return 35;
	close(lock);
	if (store_gc(storefd, &none, &st, &err) < 0 || st.layers_removed != 1)
		return 36;
	if (lseek(cycle_archive_fd, 0, SEEK_SET) != 0 ||
	    (lock = store_lock(storefd, false, &err)) < 0 ||
	    archive_load(storefd, cycle_archive_fd, NULL, NULL, NULL, &loaded, &nloaded,
			 &err) < 0 ||
	    nloaded != 1 || strcmp(loaded[0]->id, rec->id) != 0)
		return 37;
	close(lock);
	if (store_gc(storefd, &none, &st, &err) < 0 || st.layers_removed != 1)
		return 38;
	image_records_free(loaded, nloaded);
	podd__image_record__free_unpacked(rec, NULL);
	return ALLOWED;
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
	if (strcmp(call, "socket-unix") == 0)
		return result(socket(AF_UNIX, SOCK_STREAM, 0));
	if (strcmp(call, "socket-netlink") == 0)
		return result(socket(AF_NETLINK, SOCK_RAW, 0));
	if (strcmp(call, "connect-inet") == 0 || strcmp(call, "bind-inet") == 0) {
		/* A listener made before the sandbox closed stands for a
		 * registry; connect must reach it, bind must be refused. */
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return result(-1);
		if (call[0] == 'b')
			return result(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
		sa.sin_port = htons((uint16_t)listener_port);
		return result(connect(s, (struct sockaddr *)&sa, sizeof(sa)));
	}
	if (strcmp(call, "resolve-localhost") == 0) {
		/* getaddrinfo as the registry client calls it: /etc/hosts,
		 * nsswitch.conf, gai.conf. */
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
		int r = getaddrinfo("localhost", "5000", &hints, &ai);
		if (ai)
			freeaddrinfo(ai);
		return r == 0 ? ALLOWED : 40 + (r < 0 ? -r : r) % 20;
	}
	if (strcmp(call, "udp-exchange") == 0) {
		/* What glibc's DNS stub resolver does (connect, sendmmsg, poll,
		 * ioctl FIONREAD, recvfrom), against a UDP socket bound before
		 * the sandbox closed. */
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
					  .sin_port = htons((uint16_t)udp_port) };
		char q[] = "query", a[16];
		struct iovec iov = { .iov_base = q, .iov_len = sizeof(q) };
		struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
		struct pollfd pfd = { .fd = udp_listener, .events = POLLIN };
		int avail = 0, s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    sendmmsg(s, &mm, 1, MSG_NOSIGNAL) != 1 || poll(&pfd, 1, 5000) != 1 ||
		    ioctl(udp_listener, FIONREAD, &avail) < 0)
			return result(-1);
		return avail == (int)sizeof(q) &&
				       recvfrom(udp_listener, a, sizeof(a), 0, NULL, NULL) ==
					       (ssize_t)sizeof(q)
			       ? ALLOWED
			       : 50;
	}
	if (strcmp(call, "ioctl-other") == 0) {
		struct winsize ws;
		return result(ioctl(STDIN_FILENO, TIOCGWINSZ, &ws));
	}
	if (strcmp(call, "read-ca-bundle") == 0)
		return result(open("/etc/ssl/certs/ca-certificates.crt", O_RDONLY));
	if (strcmp(call, "write-etc-hosts") == 0)
		return result(open("/etc/hosts", O_WRONLY | O_APPEND));
	if (strcmp(call, "open-outside") == 0)
		return result(open("/etc/hostname", O_RDONLY));
	if (strcmp(call, "create-inside") == 0) {
		snprintf(path, sizeof(path), "%s/file", dir);
		return result(open(path, O_CREAT | O_WRONLY, 0600));
	}
	if (strcmp(call, "chown-inside") == 0)
		return result(fchownat(AT_FDCWD, dir, getuid(), getgid(), 0));
	if (strcmp(call, "mknod-fifo-inside") == 0) {
		snprintf(path, sizeof(path), "%s/fifo", dir);
		return result(mknodat(AT_FDCWD, path, S_IFIFO | 0600, 0));
	}
	if (strcmp(call, "extract-layer-inside") == 0) {
		/* The calls layer extraction makes, in podd-image's real
		 * sandbox: a missing one kills the child (SIGSYS). */
		struct extract_limits lim = extract_limits_default();
		podd_error_t err = NULL;
		cleanup_close int layer = -1, dest = -1;
		int r;
		snprintf(path, sizeof(path), "%s/layer.tar.gz", dir);
		layer = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%s/layer", dir);
		if (layer < 0 || mkdirat(AT_FDCWD, path, 0700) < 0)
			return result(-1);
		dest = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = layer_extract(layer, dest, &lim, NULL, &err);
		if (r == 0)
			r = layer_remove_tree(AT_FDCWD, path, &err);
		errno = err ? err->sys_errno : 0;
		return r == 0 ? ALLOWED : 10 + (errno & 0x7f);
	}
	if (strcmp(call, "kexec_load") == 0)
		return result(syscall(SYS_kexec_load, 0, 0, NULL, 0));
	if (strcmp(call, "init_module") == 0)
		return result(syscall(SYS_init_module, NULL, 0, ""));
	/* The i386 ABI (int 0x80): getpid (20) and reboot (88, wrong magic).
	 * Containers inherit the launcher's filter, so 32-bit programs in
	 * them must get through it, and its host-call refusals must hold
	 * there too. */
#ifdef __x86_64__
	if (strcmp(call, "i386-getpid") == 0 || strcmp(call, "i386-reboot") == 0) {
		long nr = call[5] == 'g' ? 20 : 88, r;
		__asm__ volatile("int $0x80"
				 : "=a"(r)
				 : "a"(nr), "b"(0), "c"(0), "d"(LINUX_REBOOT_CMD_CAD_OFF)
				 : "memory");
		if (r < 0 && r > -4096) {
			errno = (int)-r;
			return result(-1);
		}
		return result(r);
	}
#endif
	if (strcmp(call, "blob-store") == 0)
		return try_blob_store();
	if (strcmp(call, "pipe2-cloexec") == 0 || strcmp(call, "pipe2-notification") == 0) {
		int fds[2];
		/* O_NOTIFICATION_PIPE (O_EXCL): the kernel's watch queue. */
		return result(pipe2(fds, call[6] == 'c' ? O_CLOEXEC : O_EXCL));
	}
	if (strcmp(call, "image-store-cycle") == 0)
		return try_image_store_cycle();
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
		if (strcmp(call, "extract-layer-inside") == 0) {
			char layer[128];
			snprintf(layer, sizeof(layer), "%s/layer.tar.gz", dir);
			if (write_layer(layer) < 0)
				_exit(97);
		}
		if (strcmp(call, "image-store-cycle") == 0 && prepare_image_cycle() < 0)
			_exit(97);
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
	/* podd-image (load, save, import, commit, gc:
	 * what a hostile archive reaches) has no socket at all and reads
	 * nothing outside the store. */
	{ "podd-image", "socket-inet", KILLED },
	{ "podd-image", "socket-unix", KILLED },
	{ "podd-image", "read-ca-bundle", DENIED_EACCES },
	{ "podd-image-registry", "execve", KILLED },
	{ "podd-image-registry", "mount", KILLED },
	{ "podd-image-registry", "open-outside", DENIED_EACCES },
	/* podd-image-registry is a registry client: TCP/IP sockets and connect, and
	 * the resolver's UDP exchange and /etc/hosts, but no AF_UNIX or
	 * netlink socket, no ioctl but FIONREAD, no TCP bind (Landlock, ABI >= 4), and
	 * only read access to the CA certificates and resolver files. */
	{ "podd-image-registry", "socket-inet", ALLOWED },
	{ "podd-image-registry", "connect-inet", ALLOWED },
	/* AF_UNIX: EACCES, not death (glibc's nscd probe falls back). */
	{ "podd-image-registry", "socket-unix", DENIED_EACCES },
	{ "podd-image-registry", "socket-netlink", KILLED },
	{ "podd-image-registry", "read-ca-bundle", ALLOWED },
	{ "podd-image-registry", "resolve-localhost", ALLOWED },
	{ "podd-image-registry", "udp-exchange", ALLOWED },
	{ "podd-image-registry", "ioctl-other", KILLED },
	{ "podd-image-registry", "write-etc-hosts", DENIED_EACCES },
	/* bind(2) is not in the list at all; Landlock (ABI >= 4) refuses TCP
	 * bind as well, behind it. */
	{ "podd-image-registry", "bind-inet", KILLED },
	{ "podd-state", "socket-unix", KILLED },
	{ "podctl", "socket-inet", KILLED },
	/* podctl makes a pull's layer pipe, and only a plain one. */
	{ "podctl", "pipe2-cloexec", ALLOWED },
	{ "podctl", "pipe2-notification", KILLED },
	{ "podd-state", "pipe2-cloexec", KILLED },
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
	/* What the blob store (podd-image/blobs.c) calls is in its list. */
	{ "podd-image", "blob-store", ALLOWED },
	{ "podd-image", "extract-layer-inside", ALLOWED },
	/* ... and what the store, load, save and gc call (store.c, load.c,
	 * save.c). */
	{ "podd-image", "image-store-cycle", ALLOWED },
	{ "podd-image", "chown-inside", ALLOWED },
	/* podd-image-registry writes blobs, and nothing a layer's tree needs:
	 * no owner, no device node (and no capability to make them). */
	{ "podd-image-registry", "blob-store", ALLOWED },
	{ "podd-image-registry", "chown-inside", KILLED },
	{ "podd-image-registry", "mknod-fifo-inside", KILLED },
	/* The export child (podd-exec/export.c) only reads the rootfs it
	 * chrooted into: no exec, no mount, no network, nothing outside. */
	{ "podd-export", "execve", KILLED },
	{ "podd-export", "mount", KILLED },
	{ "podd-export", "ptrace", KILLED },
	{ "podd-export", "socket-inet", KILLED },
	{ "podd-export", "open-outside", DENIED_EACCES },
	{ "podd-export", "mknod-fifo-inside", KILLED },
	/* The launcher runs runc and CNI plugins: it may exec and mount, but
	 * host-level calls are refused. */
	{ "launcher", "execve", ALLOWED },
	{ "launcher", "mount", ALLOWED },
	{ "launcher", "kexec_load", DENIED_EPERM },
	{ "launcher", "init_module", DENIED_EPERM },
	{ "launcher", "reboot", DENIED_EPERM },
#ifdef __x86_64__
	{ "launcher", "i386-getpid", ALLOWED },
	{ "launcher", "i386-reboot", DENIED_EPERM },
	/* A worker runs no 32-bit code: any other ABI is killed. */
	{ "podd-state", "i386-getpid", KILLED },
#endif
};

static void test_each_policy_blocks_what_it_should(void **state)
{
	int failures = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	cleanup_close int lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)state;
	assert_true(lsock >= 0);
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsock, 8), 0);
	assert_int_equal(getsockname(lsock, (struct sockaddr *)&sa, &salen), 0);
	listener_port = ntohs(sa.sin_port);
	udp_listener = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_port = 0;
	salen = sizeof(sa);
	assert_true(udp_listener >= 0);
	assert_int_equal(bind(udp_listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(udp_listener, (struct sockaddr *)&sa, &salen), 0);
	udp_port = ntohs(sa.sin_port);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = run_sandboxed(cases[i].process, cases[i].call);
		bool ok = got == (int)cases[i].expect;
		printf("%s - %s %s: %s (expected %s)\n", ok ? "ok" : "not ok", cases[i].process,
		       cases[i].call, outcome_name(got), outcome_name(cases[i].expect));
		failures += !ok;
	}
	assert_int_equal(failures, 0);
}

/* The filters compiled in at build time are the policies as they stand:
 * each one compiled again now gives the same BPF, and every policy has
 * one. A policy changed without regenerating would fail here. */
static void test_compiled_filters_match_the_policies(void **state)
{
	static const char *const processes[] = { "podctl",	"podd-state", "podd-image",
						 "podd-image-registry", "podd-exec",
						 "podd-export", "podd-net", "launcher" };
	(void)state;
	assert_int_equal(podd_nfilters, PODD_ARRAY_SIZE(processes));
	for (size_t i = 0; i < PODD_ARRAY_SIZE(processes); i++) {
		struct podd_sandbox_policy p = policy_for(processes[i]);
		const struct podd_filter *f = NULL;
		podd_error_t err = NULL;
		void *bpf = NULL;
		size_t len = 0;

		for (size_t k = 0; k < podd_nfilters; k++)
			if (strcmp(podd_filters[k].process, processes[i]) == 0)
				f = &podd_filters[k];
		assert_non_null(f);
		assert_int_equal(podd_seccomp_build(&p, &bpf, &len, &err), 0);
		assert_int_equal(len, f->len * sizeof(struct sock_filter));
		assert_memory_equal(bpf, f->insns, len);
		free(bpf);
	}
}

/* A file made at each probe's path (beneath `dir`) under `p`, in a child
 * of its own: whether Landlock lets it as the probe says. Returns the
 * number of probes that came out otherwise. */
struct grant_probe {
	const char *path;
	bool allowed;
};

static int probe_grants(const char *who, const struct podd_sandbox_policy *p,
			const struct grant_probe *probes, size_t n)
{
	int failures = 0;

	for (size_t i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();
		if (pid == 0) {
			podd_error_t err = NULL;
			char path[256];
			if (podd_sandbox_apply(p, &err) < 0)
				_exit(98);
			snprintf(path, sizeof(path), "%s/%s", dir, probes[i].path);
			_exit(result(open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)));
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		int got = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		int want = probes[i].allowed ? ALLOWED : DENIED_EACCES;
		printf("%s - %s creates %s: %s\n", got == want ? "ok" : "not ok", who,
		       probes[i].path, outcome_name(got));
		failures += got != want;
	}
	return failures;
}

/* podd-exec's worker keeps only its own directories (exec_worker_dirs):
 * under its policy with exactly those grants, it can make files in them
 * but not in runc's state dir (<tmp>/runtime: a hook written into a
 * state.json would run as root at `runc delete`), the image roots, the
 * state database or the image store. */
static void test_exec_worker_keeps_only_its_dirs(void **state)
{
	static const char *const subdirs[] = {
		"s", "s/containers", "s/db", "s/storage", "t", "t/exits", "t/containers",
		"t/socket", "t/runtime", "t/storage",
	};
	static const struct grant_probe probes[] = {
		{ "t/exits/f", true },	     { "t/containers/f", true }, { "t/socket/f", true },
		{ "s/containers/f", true },  { "t/runtime/f", false },	 { "t/storage/f", false },
		{ "s/db/f", false },	     { "s/storage/f", false },	 { "t/f", false },
		{ "s/f", false },
	};
	static struct exec_ctx ctx;
	char s[128], t[128], path[256];
	podd_error_t err = NULL;
	(void)state;

	for (size_t i = 0; i < PODD_ARRAY_SIZE(subdirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(t, sizeof(t), "%s/t", dir);
	ctx.static_dir = s;
	ctx.tmp_dir = t;
	assert_int_equal(exec_worker_dirs(&ctx, &err), 0);
	struct podd_sandbox_policy p = podd_exec_policy(ctx.dir_list);
	assert_int_equal(probe_grants("podd-exec worker", &p, probes, PODD_ARRAY_SIZE(probes)), 0);
}

/* podd-state keeps only its own directories (state_dirs): the database,
 * its lock files, the alive file's and what a reboot refresh removes; not
 * runc's state dir, the image store, the containers' runtime files or the
 * static and tmp dirs themselves. */
static void test_state_keeps_only_its_dirs(void **state)
{
	static const struct grant_probe probes[] = {
		{ "ss/db/f", true },
		{ "st/locks/f", true },
		{ "st/boot/f", true },
		{ "ss/containers/f", true },
		{ "ss/storage/containers/f", true },
		{ "st/runtime/f", false },
		{ "st/exits/f", false },
		{ "st/containers/f", false },
		{ "ss/storage/f", false },
		{ "ss/f", false },
		{ "st/f", false },
	};
	static const char *const others[] = { "st/runtime", "st/exits", "st/containers" };
	static struct state_ctx ctx;
	char s[128], t[128], path[256];
	podd_error_t err = NULL;
	(void)state;

	snprintf(s, sizeof(s), "%s/ss", dir);
	snprintf(t, sizeof(t), "%s/st", dir);
	ctx.static_dir = s;
	ctx.tmp_dir = t;
	assert_int_equal(state_dirs(&ctx, &err), 0);
	assert_int_equal(state_dirs_make(&ctx, &err), 0);
	for (size_t i = 0; i < PODD_ARRAY_SIZE(others); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, others[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	struct podd_sandbox_policy p = podd_state_policy(ctx.dir_list);
	assert_int_equal(probe_grants("podd-state", &p, probes, PODD_ARRAY_SIZE(probes)), 0);
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
		cmocka_unit_test(test_compiled_filters_match_the_policies),
		cmocka_unit_test(test_exec_worker_keeps_only_its_dirs),
		cmocka_unit_test(test_state_keeps_only_its_dirs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
