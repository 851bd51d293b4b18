/* Writes the seed corpus of every fuzz target: well-formed messages as podctl
 * and the helpers send them, packed by protobuf-c, one file each.
 *
 *   fuzz_gen_seeds tests/fuzz/corpus
 *
 * regenerates tests/fuzz/corpus/<target>/ (run it after a .proto change).
 * The output is deterministic. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec.pb-c.h"
#include "image.pb-c.h"
#include "fuzz_replies.h"
#include "launcher.pb-c.h"
#include "wire.h"

static const char *outdir;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_gen_seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_file(const char *target, const char *name, const void *a, size_t alen,
		       const void *b, size_t blen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (f == NULL)
		die(path);
	if ((alen && fwrite(a, alen, 1, f) != 1) || (blen && fwrite(b, blen, 1, f) != 1))
		die(path);
	if (fclose(f) != 0)
		die(path);
}

static uint8_t *pack(const void *msg, size_t *len)
{
	const ProtobufCMessage *m = msg;
	uint8_t *buf;

	*len = protobuf_c_message_get_packed_size(m);
	buf = malloc(*len ? *len : 1);
	if (buf == NULL)
		die("malloc");
	protobuf_c_message_pack(m, buf);
	return buf;
}

/* A payload seed for fuzz_decode_<target>. */
static void seed(const char *target, const char *name, const void *msg)
{
	size_t len;
	uint8_t *buf = pack(msg, &len);
	char dir[256];

	snprintf(dir, sizeof(dir), "decode_%s", target);
	write_file(dir, name, NULL, 0, buf, len);
	free(buf);
}

/* A reply seed for fuzz_decode_replies: the descriptor's index, then the
 * payload. */
static void seed_reply(const char *name, const void *msg)
{
	const ProtobufCMessage *m = msg;
	size_t len;
	uint8_t *buf = pack(msg, &len);
	uint8_t sel = 0;

	while (sel < FUZZ_NREPLIES && fuzz_replies[sel] != m->descriptor)
		sel++;
	if (sel == FUZZ_NREPLIES) {
		fprintf(stderr, "fuzz_gen_seeds: %s is not a reply\n", m->descriptor->name);
		exit(1);
	}
	write_file("decode_replies", name, &sel, 1, buf, len);
	free(buf);
}

/* A whole record for fuzz_frame, and for fuzz_frame_fds with `nfds`
 * descriptors attached. */
static void seed_frame(const char *name, uint32_t type, uint16_t flags, uint16_t nfds,
		       const void *msg)
{
	struct podd_frame_header hdr = {
		.magic = PODD_FRAME_MAGIC, .type = type, .request_id = 7, .nfds = nfds,
		.flags = flags,
	};
	uint8_t rec[1024], ctl = (uint8_t)nfds;
	size_t len = 0;
	uint8_t *buf = msg ? pack(msg, &len) : NULL;

	if (sizeof(hdr) + len > sizeof(rec))
		exit(2);
	hdr.length = (uint32_t)len;
	memcpy(rec, &hdr, sizeof(hdr));
	if (len)
		memcpy(rec + sizeof(hdr), buf, len);
	if (nfds == 0)
		write_file("frame", name, rec, sizeof(hdr) + len, NULL, 0);
	write_file("frame_fds", name, &ctl, 1, rec, sizeof(hdr) + len);
	free(buf);
}

static const char id64[] =
	"4f2a9c1e7b3d5a6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
/* An exec session's, which must differ from its container's. */
static const char session64[] =
	"9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		die(outdir);

	/* common.proto */
	Podd__Hello hello = PODD__HELLO__INIT;
	seed("hello", "empty", &hello);
	hello.protocol_version = PODD_PROTOCOL_VERSION;
	hello.channel = "state";
	seed("hello", "state", &hello);
	hello.channel = "launcher";
	seed("hello", "launcher", &hello);

	Podd__HelloReply reply = PODD__HELLO_REPLY__INIT;
	seed("hello_reply", "empty", &reply);
	reply.protocol_version = PODD_PROTOCOL_VERSION;
	reply.process = "podd-state";
	reply.version = "0.1.0";
	reply.pid = 4242;
	seed("hello_reply", "state", &reply);
	seed_reply("hello_reply", &reply);
	reply.pid = -1;
	seed("hello_reply", "negative_pid", &reply);

	Podd__Error error = PODD__ERROR__INIT;
	seed("error", "empty", &error);
	error.code = PODD__ERROR_CODE__ERROR_CODE_NO_SUCH_CONTAINER;
	error.message = "no such container: web";
	seed("error", "no_such_container", &error);
	seed_reply("error", &error);
	error.code = PODD__ERROR_CODE__ERROR_CODE_PROTOCOL;
	error.message = "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3";
	seed("error", "utf8", &error);

	/* state.proto requests */
	Podd__DbConfig cfg = PODD__DB_CONFIG__INIT;
	Podd__OpenRequest open = PODD__OPEN_REQUEST__INIT;
	seed("open_request", "empty", &open);
	open.config = &cfg;
	seed("open_request", "empty_config", &open);
	cfg.schema_version = 1;
	cfg.static_dir = "/var/lib/podd/static";
	cfg.tmp_dir = "/run/podd/tmp";
	cfg.graph_root = "/var/lib/podd/storage";
	cfg.run_root = "/run/podd";
	cfg.graph_driver = "overlay";
	cfg.volume_path = "/var/lib/podd/volumes";
	seed("open_request", "full", &open);

	char *cmd[] = { "/bin/sh", "-c", "echo hello" };
	char *env[] = { "PATH=/usr/bin:/bin", "TERM=xterm", "LANG=C.UTF-8" };
	Podd__CreateContainerRequest create = PODD__CREATE_CONTAINER_REQUEST__INIT;
	Podd__ContainerConfig config = PODD__CONTAINER_CONFIG__INIT;
	Podd__Ulimit nofile = PODD__ULIMIT__INIT, *ulimits[] = { &nofile };
	char *caps[] = { "CAP_NET_RAW" }, *dns[] = { "127.0.0.53" }, *hosts[] = { "db:10.0.0.2" };
	seed("create_container_request", "empty", &create);
	config.rootfs = "/var/lib/podd/rootfs/busybox";
	create.config = &config;
	seed("create_container_request", "rootfs_only", &create);
	create.name = "web";
	config.n_cmd = 3;
	config.cmd = cmd;
	config.n_env = 3;
	config.env = env;
	config.workdir = "/";
	config.user = "1000:1000";
	config.hostname = "web";
	config.n_cap_add = 1;
	config.cap_add = caps;
	config.n_dns = 1;
	config.dns = dns;
	config.n_add_host = 1;
	config.add_host = hosts;
	nofile.name = "nofile";
	nofile.soft = 1024;
	nofile.hard = 2048;
	config.n_ulimits = 1;
	config.ulimits = ulimits;
	config.memory = 64 << 20;
	config.tty = true;
	config.autoremove = true;
	seed("create_container_request", "full", &create);

	/* podd-exec's largest requests carry a whole record. */
	Podd__ContainerRecord running = PODD__CONTAINER_RECORD__INIT;
	running.schema_version = 1;
	running.id = (char *)id64;
	running.name = "web";
	running.config = &config;
	running.state = PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING;
	running.pid = 4242;
	Podd__CreateRequest ecreate = PODD__CREATE_REQUEST__INIT;
	seed("create_request", "empty", &ecreate);
	ecreate.record = &running;
	seed("create_request", "full", &ecreate);
	/* An image container: no rootfs, the image's id, name and layers. */
	static char *layers[] = { (char *)id64, (char *)id64 };
	Podd__ContainerConfig image_config = config;
	Podd__ContainerRecord from_image = running;
	image_config.rootfs = "";
	from_image.config = &image_config;
	from_image.image = "localhost/busybox:latest";
	from_image.image_id = (char *)id64;
	from_image.image_layers = layers;
	from_image.n_image_layers = 2;
	from_image.image_size = 2000000;
	ecreate.record = &from_image;
	ecreate.storage_driver = "vfs";
	seed("create_request", "image", &ecreate);
	Podd__CreateContainerRequest icreate = create;
	icreate.config = &image_config;
	icreate.image = "localhost/busybox:latest";
	icreate.image_id = (char *)id64;
	icreate.image_layers = layers;
	icreate.n_image_layers = 2;
	icreate.image_size = 2000000;
	seed("create_container_request", "image", &icreate);

	/* An image container's root: the launcher's mount, unmount, sizes. */
	Podd__MountRootfs mount = PODD__MOUNT_ROOTFS__INIT;
	seed("mount_rootfs", "empty", &mount);
	mount.id = (char *)id64;
	mount.chain_ids = layers;
	mount.n_chain_ids = 2;
	mount.driver = "overlay";
	seed("mount_rootfs", "full", &mount);
	Podd__UnmountRootfs unmount = PODD__UNMOUNT_ROOTFS__INIT;
	seed("unmount_rootfs", "empty", &unmount);
	unmount.id = (char *)id64;
	unmount.remove = true;
	seed("unmount_rootfs", "full", &unmount);
	Podd__SizesRequest sizes = PODD__SIZES_REQUEST__INIT;
	seed("sizes_request", "empty", &sizes);
	sizes.ids = layers;
	sizes.n_ids = 2;
	seed("sizes_request", "full", &sizes);
	Podd__ExecRequest exec = PODD__EXEC_REQUEST__INIT;
	seed("exec_request", "empty", &exec);
	exec.record = &running;
	exec.n_args = 3;
	exec.args = cmd;
	exec.session_id = (char *)session64;
	seed("exec_request", "command", &exec);
	exec.n_env = 1;
	exec.env = env;
	exec.workdir = "/tmp";
	exec.user = "1000:1000";
	exec.tty = exec.stdin = true;
	seed("exec_request", "full", &exec);

	/* The launcher's exec operation. */
	Podd__SpawnExec spawn = PODD__SPAWN_EXEC__INIT;
	seed("spawn_exec", "empty", &spawn);
	spawn.id = (char *)id64;
	spawn.session_id = (char *)id64;
	spawn.runtime = "runc";
	spawn.attach = spawn.terminal = true;
	seed("spawn_exec", "full", &spawn);
	Podd__ReadUserDb userdb = PODD__READ_USER_DB__INIT;
	seed("read_user_db", "empty", &userdb);
	userdb.id = (char *)id64;
	userdb.rootfs = "/var/lib/podd/rootfs/busybox";
	seed("read_user_db", "full", &userdb);

	Podd__LookupRequest lookup = PODD__LOOKUP_REQUEST__INIT;
	seed("lookup_request", "empty", &lookup);
	lookup.name_or_id = "web";
	seed("lookup_request", "name", &lookup);
	lookup.name_or_id = (char *)id64;
	seed("lookup_request", "id", &lookup);

	Podd__ListRequest list = PODD__LIST_REQUEST__INIT;
	seed("list_request", "empty", &list);
	list.all = 1;
	seed("list_request", "all", &list);

	Podd__RemoveRequest rm = PODD__REMOVE_REQUEST__INIT;
	seed("remove_request", "empty", &rm);
	rm.id = (char *)id64;
	seed("remove_request", "id", &rm);

	Podd__RenameRequest rename = PODD__RENAME_REQUEST__INIT;
	seed("rename_request", "empty", &rename);
	rename.name_or_id = "web";
	rename.new_name = "web-2";
	seed("rename_request", "full", &rename);

	Podd__LockRequest lock = PODD__LOCK_REQUEST__INIT;
	seed("lock_request", "empty", &lock);
	lock.id = (char *)id64;
	seed("lock_request", "id", &lock);

	/* Image requests (podd-state/images.c). */
	char *img_names[] = { "localhost/busybox:latest", "127.0.0.1:5000/podd/busybox:1.36" };
	char *img_digests[] = {
		"sha256:1111111111111111111111111111111111111111111111111111111111111111"
	};
	char *img_layers[] = {
		"sha256:2222222222222222222222222222222222222222222222222222222222222222",
		"sha256:3333333333333333333333333333333333333333333333333333333333333333",
	};
	char img_config[80];
	snprintf(img_config, sizeof(img_config), "sha256:%s", id64);
	Podd__ImageRecord image = PODD__IMAGE_RECORD__INIT;
	image.schema_version = 1;
	image.id = (char *)id64;
	image.names = img_names;
	image.n_names = 2;
	image.digests = img_digests;
	image.n_digests = 1;
	image.created_ns = 1700000000123456789;
	image.size = 4404224;
	image.layers = img_layers;
	image.n_layers = 2;
	image.config_digest = img_config;
	image.manifest_digest = img_digests[0];
	image.top_layer = (char *)id64;
	Podd__CreateImageRequest cimg = PODD__CREATE_IMAGE_REQUEST__INIT;
	seed("create_image_request", "empty", &cimg);
	cimg.record = &image;
	seed("create_image_request", "full", &cimg);

	Podd__LookupImageRequest limg = PODD__LOOKUP_IMAGE_REQUEST__INIT;
	seed("lookup_image_request", "empty", &limg);
	limg.name_or_id = "busybox";
	seed("lookup_image_request", "short_name", &limg);
	limg.name_or_id = img_config;
	seed("lookup_image_request", "sha256_id", &limg);

	Podd__ListImagesRequest lsimg = PODD__LIST_IMAGES_REQUEST__INIT;
	seed("list_images_request", "empty", &lsimg);

	Podd__RemoveImageRequest rmimg = PODD__REMOVE_IMAGE_REQUEST__INIT;
	seed("remove_image_request", "empty", &rmimg);
	rmimg.name_or_id = "localhost/busybox:latest";
	rmimg.force = 1;
	seed("remove_image_request", "force", &rmimg);

	Podd__TagImageRequest tag = PODD__TAG_IMAGE_REQUEST__INIT;
	seed("tag_image_request", "empty", &tag);
	tag.name_or_id = "busybox";
	tag.name = "registry.example.com:5000/team/busybox:v1";
	seed("tag_image_request", "full", &tag);

	Podd__UntagImageRequest untag = PODD__UNTAG_IMAGE_REQUEST__INIT;
	seed("untag_image_request", "empty", &untag);
	untag.name_or_id = (char *)id64;
	untag.name = "busybox:v1";
	seed("untag_image_request", "full", &untag);

	/* podd-image's requests (proto/image.proto; podd-image/handlers.c). */
	Podd__ImageConfigRequest icfg = PODD__IMAGE_CONFIG_REQUEST__INIT;
	seed("image_config_request", "empty", &icfg);
	icfg.id = (char *)id64;
	icfg.manifest_digest = img_digests[0];
	seed("image_config_request", "full", &icfg);
	Podd__LoadRequest load = PODD__LOAD_REQUEST__INIT;
	seed("load_request", "empty", &load);
	load.refuse_oci_archive = "Source image rejected: Running image oci-archive:/a.tar: is "
				  "rejected by policy.";
	load.progress = true;
	seed("load_request", "refused", &load);
	Podd__ImageRecord *save_imgs[] = { &image };
	Podd__SaveRequest save = PODD__SAVE_REQUEST__INIT;
	seed("save_request", "empty", &save);
	save.format = PODD__ARCHIVE_FORMAT__ARCHIVE_FORMAT_OCI;
	save.images = save_imgs;
	save.n_images = 1;
	save.progress = true;
	seed("save_request", "oci", &save);
	char *changes[] = { "CMD [\"/bin/sh\"]", "ENV PATH=/bin", "WORKDIR=/tmp" };
	Podd__ImportRequest imp = PODD__IMPORT_REQUEST__INIT;
	seed("import_request", "empty", &imp);
	imp.changes = changes;
	imp.n_changes = 3;
	imp.message = "imported";
	imp.created_ns = 1700000000123456789;
	seed("import_request", "full", &imp);
	Podd__CommitRequest com = PODD__COMMIT_REQUEST__INIT;
	seed("commit_request", "empty", &com);
	com.container_id = (char *)id64;
	com.image_id = (char *)id64;
	com.manifest_digest = "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	com.author = "tester";
	com.message = "a change";
	com.created_ns = 1700000000123456789;
	seed("commit_request", "full", &com);
	char *com_changes[] = { "CMD [\"/bin/sh\"]", "EXPOSE 80/udp", "VOLUME [\"/a\"]",
				"STOPSIGNAL RTMIN+1", "ONBUILD RUN true" };
	com.changes = com_changes;
	com.n_changes = 5;
	com.format = PODD__MANIFEST_FORMAT__MANIFEST_FORMAT_DOCKER;
	seed("commit_request", "changes", &com);
	char *com_env[] = { "PATH=/bin", "container=podd", "FOO=bar" };
	char *com_ep[] = { "/bin/sh" };
	char *com_cmd[] = { "-c", "echo $FOO" };
	Podd__CommitContainerConfig com_ctr = PODD__COMMIT_CONTAINER_CONFIG__INIT;
	com_ctr.env = com_env;
	com_ctr.n_env = 3;
	com_ctr.entrypoint = com_ep;
	com_ctr.n_entrypoint = 1;
	com_ctr.cmd = com_cmd;
	com_ctr.n_cmd = 2;
	com_ctr.user = "1:1";
	com_ctr.working_dir = "/tmp";
	com.container = &com_ctr;
	com.squash = true;
	seed("commit_request", "container_squash", &com);
	char *gc_ids[] = { (char *)id64 };
	Podd__GcRequest gc = PODD__GC_REQUEST__INIT;
	seed("gc_request", "empty", &gc);
	gc.image_ids = gc_ids;
	gc.n_image_ids = 1;
	gc.manifest_digests = img_digests;
	gc.n_manifest_digests = 1;
	seed("gc_request", "full", &gc);

	/* The common Ping every server answers. */
	Podd__Ping ping = PODD__PING__INIT;
	seed("ping", "empty", &ping);
	ping.token = "ping-1";
	seed("ping", "token", &ping);

	/* Replies podctl decodes. */
	Podd__Ok ok = PODD__OK__INIT;
	seed_reply("ok", &ok);
	Podd__DbInfo info = PODD__DB_INFO__INIT;
	info.config = &cfg;
	info.lmdb_version = "LMDB 0.9.24: (July 24, 2019)";
	info.containers = 3;
	seed_reply("db_info", &info);
	Podd__ContainerRecord rec = PODD__CONTAINER_RECORD__INIT, rec2 = PODD__CONTAINER_RECORD__INIT;
	rec.schema_version = 1;
	rec.id = (char *)id64;
	rec.name = "web";
	rec.created_ns = 1700000000123456789;
	rec.state = PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED;
	rec.config = &config;
	rec.pid = 4242;
	rec.conmon_pid = 4241;
	rec.started_ns = 1700000001000000000;
	seed_reply("container_record", &rec);
	rec2.schema_version = 1;
	rec2.id = "0000000000000000000000000000000000000000000000000000000000000001";
	rec2.name = "db";
	Podd__ContainerRecord *recs[] = { &rec, &rec2 };
	Podd__ContainerList clist = PODD__CONTAINER_LIST__INIT;
	clist.n_containers = 2;
	clist.containers = recs;
	seed_reply("container_list", &clist);
	Podd__Pong pong = PODD__PONG__INIT;
	pong.token = "ping-1";
	pong.pid = 100;
	pong.launcher_pid = 101;
	seed_reply("pong", &pong);
	uint8_t cmdline[] = "sleep\0001000";
	Podd__ProcessInfo proc = PODD__PROCESS_INFO__INIT, *procs[] = { &proc };
	proc.pid = 4242;
	proc.ns_pid = 1;
	proc.ppid = 4241;
	proc.ns_pgid = 1;
	proc.cpu_ticks = 12;
	proc.start_ticks = 123456;
	proc.vsz_kib = 2268;
	proc.state = "S";
	proc.comm.data = (uint8_t *)"sleep";
	proc.comm.len = 5;
	proc.cmdline.data = cmdline;
	proc.cmdline.len = sizeof(cmdline);
	Podd__ProcessTable table = PODD__PROCESS_TABLE__INIT;
	table.passwd.data = (uint8_t *)"root:x:0:0:root:/root:/bin/sh\n";
	table.passwd.len = 30;
	seed_reply("process_table_files", &table);
	Podd__ProcessTable table2 = PODD__PROCESS_TABLE__INIT;
	table2.n_processes = 1;
	table2.processes = procs;
	seed_reply("process_table", &table2);

	/* common.proto's ExportRequest (podd-exec and its launcher) */
	Podd__ExportRequest export = PODD__EXPORT_REQUEST__INIT;
	seed("export_request", "empty", &export);
	export.id = (char *)id64;
	export.rootfs = "/var/lib/podd/rootfs/busybox";
	seed("export_request", "full", &export);

	/* Registry requests (podd-image-registry: pull.c, push.c, login.c). */
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;
	creds.username = "podd";
	creds.password = "s3cret";
	Podd__PullRequest pull = PODD__PULL_REQUEST__INIT;
	seed("pull_request", "empty", &pull);
	pull.reference = "127.0.0.1:5000/podd/busybox:latest";
	pull.tls_verify = true;
	seed("pull_request", "tag", &pull);
	pull.reference = "127.0.0.1:5000/podd/busybox@sha256:"
			 "1111111111111111111111111111111111111111111111111111111111111111";
	pull.credentials = &creds;
	pull.architecture = "arm64";
	pull.os = "linux";
	pull.variant = "v8";
	seed("pull_request", "digest_creds_platform", &pull);
	/* A mirror and the rewritten location (registries.json). */
	Podd__PullSource mirror = PODD__PULL_SOURCE__INIT, primary = PODD__PULL_SOURCE__INIT;
	Podd__PullSource *sources[] = { &mirror, &primary };
	Podd__PullRequest pull_mirrors = PODD__PULL_REQUEST__INIT;
	mirror.reference = "127.0.0.1:5001/cache/busybox:latest";
	mirror.credentials = &creds;
	primary.reference = "127.0.0.1:5000/other/busybox:latest";
	primary.tls_verify = true;
	Podd__PullSource blocked = PODD__PULL_SOURCE__INIT;
	blocked.reference = "127.0.0.1:5002/blocked/busybox:latest";
	blocked.refused = "registry 127.0.0.1:5002 is blocked in /etc/podd/registries.json";
	Podd__PullSource *sources3[] = { &blocked, &mirror, &primary };
	pull_mirrors.reference = "example.test/busybox:latest";
	pull_mirrors.sources = sources;
	pull_mirrors.n_sources = 2;
	seed("pull_request", "mirror_sources", &pull_mirrors);
	pull_mirrors.sources = sources3;
	pull_mirrors.n_sources = 3;
	seed("pull_request", "mirror_refused", &pull_mirrors);
	Podd__PushRequest push = PODD__PUSH_REQUEST__INIT;
	seed("push_request", "empty", &push);
	push.image_id = (char *)id64;
	push.manifest_digest = img_digests[0];
	push.destination = "127.0.0.1:5000/podd/busybox:latest";
	push.credentials = &creds;
	seed("push_request", "full", &push);
	char *mount_from[] = { "podd/seed", "library/busybox", "podd/busybox" };
	push.mount_from = mount_from;
	push.n_mount_from = 3;
	seed("push_request", "mount_from", &push);
	Podd__LoginRequest login = PODD__LOGIN_REQUEST__INIT;
	seed("login_request", "empty", &login);
	login.registry = "127.0.0.1:5000";
	login.credentials = &creds;
	seed("login_request", "full", &login);
	Podd__RegistryEvent ev = PODD__REGISTRY_EVENT__INIT;
	ev.kind = PODD__REGISTRY_EVENT__KIND__KIND_MESSAGE;
	ev.message = "Copying blob sha256:2222222222222222222222222222222222222222222222222222222222222222";
	seed_reply("registry_event_message", &ev);
	ev.kind = PODD__REGISTRY_EVENT__KIND__KIND_DONE;
	ev.message = "";
	ev.manifest_digest = img_digests[0];
	ev.top_digest = img_digests[0];
	ev.name = "127.0.0.1:5000/podd/busybox:latest";
	seed_reply("registry_event_done", &ev);
	/* load's and save's streamed answer (podd-image/copy_events.c). */
	Podd__CopyEvent cev = PODD__COPY_EVENT__INIT;
	cev.kind = PODD__COPY_EVENT__KIND__KIND_BLOB;
	cev.digest = img_digests[0];
	seed_reply("copy_event_blob", &cev);
	Podd__ImageRecord *loaded_imgs[] = { &image };
	Podd__LoadedImages loaded = PODD__LOADED_IMAGES__INIT;
	loaded.images = loaded_imgs;
	loaded.n_images = 1;
	Podd__CopyEvent cdone = PODD__COPY_EVENT__INIT;
	cdone.kind = PODD__COPY_EVENT__KIND__KIND_DONE;
	cdone.loaded = &loaded;
	seed_reply("copy_event_done", &cdone);
	/* search (podd-image/search.c) and its answer. */
	Podd__SearchRequest search = PODD__SEARCH_REQUEST__INIT;
	seed("search_request", "empty", &search);
	search.registry = "127.0.0.1:5000";
	search.term = "busy";
	search.limit = 25;
	search.tls_verify = true;
	search.credentials = &creds;
	seed("search_request", "full", &search);
	search.term = "podd/busybox";
	search.list_tags = true;
	seed("search_request", "list_tags", &search);
	Podd__SearchResult sres = PODD__SEARCH_RESULT__INIT, *sresp[1] = { &sres };
	sres.name = "library/alpine";
	sres.description = "A minimal Docker image based on Alpine Linux";
	sres.stars = 9000;
	sres.official = true;
	Podd__SearchReply sreply = PODD__SEARCH_REPLY__INIT;
	sreply.results = sresp;
	sreply.n_results = 1;
	seed_reply("search_reply_results", &sreply);
	char *stags[] = { "latest", "v1" };
	Podd__SearchReply streply = PODD__SEARCH_REPLY__INIT;
	streply.tags = stags;
	streply.n_tags = 2;
	seed_reply("search_reply_tags", &streply);
	/* A pull's second half (podd-image/store_image.c) and its end
	 * (podd-image/pull.c). */
	Podd__StoreImageRequest simg = PODD__STORE_IMAGE_REQUEST__INIT;
	seed("store_image_request", "empty", &simg);
	simg.manifest_digest = img_digests[0];
	simg.top_digest = img_digests[0];
	simg.name = "127.0.0.1:5000/podd/busybox:latest";
	seed("store_image_request", "full", &simg);
	Podd__PullFinishRequest fin = PODD__PULL_FINISH_REQUEST__INIT;
	seed("pull_finish_request", "drop", &fin);
	fin.keep = true;
	seed("pull_finish_request", "keep", &fin);

	/* Whole frames. */
	seed_frame("hello", PODD__COMMON_TYPE__COMMON_TYPE_HELLO, 0, 0, &hello);
	seed_frame("hello_reply", PODD__COMMON_TYPE__COMMON_TYPE_HELLO_REPLY, 0, 0, &reply);
	seed_frame("error", PODD__COMMON_TYPE__COMMON_TYPE_ERROR, 0, 0, &error);
	seed_frame("ok", PODD__COMMON_TYPE__COMMON_TYPE_OK, 0, 0, NULL);
	seed_frame("open", PODD__STATE_TYPE__STATE_TYPE_OPEN, 0, 0, &open);
	seed_frame("create", PODD__STATE_TYPE__STATE_TYPE_CREATE_CONTAINER, 0, 0, &create);
	seed_frame("lookup", PODD__STATE_TYPE__STATE_TYPE_LOOKUP, 0, 0, &lookup);
	seed_frame("list", PODD__STATE_TYPE__STATE_TYPE_LIST_CONTAINERS, 0, 0, &list);
	seed_frame("container_list_more", PODD__STATE_TYPE__STATE_TYPE_CONTAINER_LIST,
		   PODD_FRAME_MORE, 0, &clist);
	seed_frame("remove", PODD__STATE_TYPE__STATE_TYPE_REMOVE_CONTAINER, 0, 0, &rm);
	seed_frame("rename", PODD__STATE_TYPE__STATE_TYPE_RENAME_CONTAINER, 0, 0, &rename);
	seed_frame("lock", PODD__STATE_TYPE__STATE_TYPE_LOCK, 0, 0, &lock);
	seed_frame("unlock", PODD__STATE_TYPE__STATE_TYPE_UNLOCK, 0, 0, &lock);
	seed_frame("create_image", PODD__STATE_TYPE__STATE_TYPE_CREATE_IMAGE, 0, 0, &cimg);
	seed_frame("lookup_image", PODD__STATE_TYPE__STATE_TYPE_LOOKUP_IMAGE, 0, 0, &limg);
	seed_frame("tag_image", PODD__STATE_TYPE__STATE_TYPE_TAG_IMAGE, 0, 0, &tag);
	seed_frame("pull", PODD__IMAGE_TYPE__IMAGE_TYPE_PULL, 0, 0, &pull);
	seed_frame("registry_event_more", PODD__IMAGE_TYPE__IMAGE_TYPE_REGISTRY_EVENT,
		   PODD_FRAME_MORE, 0, &ev);
	seed_frame("copy_event_more", PODD__IMAGE_TYPE__IMAGE_TYPE_COPY_EVENT, PODD_FRAME_MORE, 0,
		   &cev);
	seed_frame("store_image", PODD__IMAGE_TYPE__IMAGE_TYPE_STORE_IMAGE, 0, 0, &simg);
	seed_frame("pull_finish", PODD__IMAGE_TYPE__IMAGE_TYPE_PULL_FINISH, 0, 0, &fin);
	seed_frame("search", PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH, 0, 0, &search);
	seed_frame("search_reply_more", PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH_REPLY, PODD_FRAME_MORE,
		   0, &sreply);
	seed_frame("ping", PODD__COMMON_TYPE__COMMON_TYPE_PING, 0, 0, &ping);
	seed_frame("ping_1fd", 16, 0, 1, &ping);
	seed_frame("ping_4fds", 16, 0, 4, &ping);
	return 0;
}
