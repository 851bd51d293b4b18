/* The mounts of a container's OCI config, as podman sets them up. Every
 * source is the kernel or a file this process wrote in the container's
 * own directory. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"

#define INIT_PATH "/usr/bin/catatonit"
#define DEFAULT_SHM_SIZE 65536000 /* podman's 64m */

static void add(json_object *arr, const char *dest, const char *type, const char *source,
		const char *const *options)
{
	json_object *m = json_object_new_object(), *o = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	for (; *options; options++)
		json_object_array_add(o, json_object_new_string(*options));
	json_object_object_add(m, "options", o);
	json_object_array_add(arr, m);
}

static void add_bind(json_object *arr, const struct exec_ctx *ctx, const char *id,
		     const char *leaf, const char *dest, bool ro)
{
	static const char *const rw[] = { "bind", "rprivate", NULL };
	static const char *const rdonly[] = { "bind", "rprivate", "ro", NULL };
	char src[4200];
	if (exec_ctr_path(ctx, src, id, leaf) == 0)
		add(arr, dest, "bind", src, ro ? rdonly : rw);
}

json_object *bundle_mounts(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec)
{
	static const char *const proc[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k",
					   NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5", NULL };
	static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys_ro[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rw[] = { "nosuid", "noexec", "nodev", "rw", NULL };
	static const char *const cgroup[] = { "rprivate", "nosuid", "noexec", "nodev",
					      "relatime", "ro", NULL };
	static const char *const tmp[] = { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup",
					   NULL };
	static const char *const init[] = { "bind", "rprivate", "ro", NULL };
	const Podd__ContainerConfig *c = rec->config;
	json_object *arr = json_object_new_array();
	char shm_size[64];
	const char *shm[] = { "nosuid", "noexec", "nodev", "mode=1777", shm_size, NULL };

	add(arr, "/proc", "proc", "proc", proc);
	add(arr, "/dev", "tmpfs", "tmpfs", dev);
	add(arr, "/dev/pts", "devpts", "devpts", pts);
	add(arr, "/dev/mqueue", "mqueue", "mqueue", mqueue);
	add(arr, "/sys", "sysfs", "sysfs", c->privileged ? sys_rw : sys_ro);
	add(arr, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
	snprintf(shm_size, sizeof(shm_size), "size=%lldk",
		 (long long)((c->shm_size ? c->shm_size : DEFAULT_SHM_SIZE) + 1023) / 1024);
	add(arr, "/dev/shm", "tmpfs", "shm", shm);
	add_bind(arr, ctx, rec->id, "resolv.conf", "/etc/resolv.conf", false);
	add_bind(arr, ctx, rec->id, "hosts", "/etc/hosts", false);
	add_bind(arr, ctx, rec->id, "hostname", "/etc/hostname", false);
	add_bind(arr, ctx, rec->id, ".containerenv", "/run/.containerenv", true);
	/* podman's read_only_tmpfs: a read-only root still gets writable
	 * scratch space. */
	if (c->read_only) {
		add(arr, "/tmp", "tmpfs", "tmpfs", tmp);
		add(arr, "/var/tmp", "tmpfs", "tmpfs", tmp);
		add(arr, "/run", "tmpfs", "tmpfs", tmp);
	}
	if (c->init)
		add(arr, "/run/podman-init", "bind", INIT_PATH, init);
	return arr;
}
