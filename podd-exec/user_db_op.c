/* ReadUserDb: the launcher reads a rootfs's passwd and group files for the
 * worker, which resolves --user from them (userdb.c). */
#include <errno.h>
#include <stdlib.h>

#include "cleanup.h"
#include "client.h"
#include "launcher.h"
#include "launcher.pb-c.h"
#include "launcher_ops.h"
#include "validate.h"
#include "worker.h"

/* Launcher operation ReadUserDb {id, rootfs}. Checks: the id is 64 hex
 * digits; the rootfs is an absolute path other than "/", reached without
 * following a symlink. Why it is safe: it reads only <rootfs>/etc/passwd
 * and <rootfs>/etc/group, resolved inside the rootfs, bounded, and returns
 * their bytes for the worker to parse. A compromised worker could name
 * another directory and read that directory's etc/passwd and etc/group;
 * it can already do more by writing config.json (docs/SECURITY.md). */
int op_read_user_db(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__ReadUserDb *op = (const Podd__ReadUserDb *)req->msg;
	Podd__UserDb db = PODD__USER_DB__INIT;
	cleanup_free char *passwd = malloc(ROOTFS_ETC_FILE_MAX);
	cleanup_free char *group = malloc(ROOTFS_ETC_FILE_MAX);
	cleanup_close int rootfd = -1;
	size_t plen = 0, glen = 0;

	if (!podd_id_valid(op->id))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "user db: invalid container id");
	if (passwd == NULL || group == NULL)
		return podd_error_sys(err, ENOMEM, "user db");
	rootfd = rootfs_open(op->rootfs, err);
	if (rootfd < 0)
		return -1;
	/* A missing file is an empty database, as for the runtime. */
	rootfs_read_etc(rootfd, "passwd", passwd, ROOTFS_ETC_FILE_MAX, &plen);
	rootfs_read_etc(rootfd, "group", group, ROOTFS_ETC_FILE_MAX, &glen);
	db.passwd.data = (uint8_t *)passwd;
	db.passwd.len = plen;
	db.group.data = (uint8_t *)group;
	db.group.len = glen;
	return podd_server_reply(srv, req, PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_USER_DB, 0, &db.base,
				 NULL, 0, err);
}

int call_read_user_db(const char *id, const char *rootfs, Podd__UserDb **db, podd_error_t *err)
{
	Podd__ReadUserDb op = PODD__READ_USER_DB__INIT;
	ProtobufCMessage *m = NULL;

	op.id = (char *)id;
	op.rootfs = (char *)rootfs;
	if (podd_client_call(&podd_worker_launcher()->peer,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_READ_USER_DB, &op.base,
			     PODD__LAUNCHER_TYPE__LAUNCHER_TYPE_USER_DB, &podd__user_db__descriptor,
			     &m, err) < 0)
		return -1;
	*db = (Podd__UserDb *)m;
	if ((*db)->passwd.len > ROOTFS_ETC_FILE_MAX || (*db)->group.len > ROOTFS_ETC_FILE_MAX) {
		podd_message_freep(&m);
		*db = NULL;
		return podd_error(err, PODD_E_PROTOCOL, "the launcher sent an oversized user db");
	}
	return 0;
}
