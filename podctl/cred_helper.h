/* Docker credential helpers (`docker-credential-NAME get|store|erase`), as
 * podman uses them for the registries an auth file's "credHelpers" names:
 * the helper reads the server (or a JSON document) on stdin and answers
 * on stdout. podctl executes nothing once sandboxed, so a call is
 * prepared before the sandbox (cred_helper_prepare forks a child that
 * waits for its input) and made now or later (cred_helper_finish). */
#ifndef PODCTL_CRED_HELPER_H
#define PODCTL_CRED_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define CRED_HELPER_NAME_MAX 64

/* [A-Za-z0-9._-]+, at most CRED_HELPER_NAME_MAX bytes: a name that only
 * becomes docker-credential-NAME looked up in PATH. */
bool cred_helper_name_valid(const char *name);

struct cred_helper_call {
	pid_t pid;
	int in;  /* the child's input, written by cred_helper_finish */
	int out; /* the helper's stdout */
	char name[CRED_HELPER_NAME_MAX + 1];
};

/* Forks the child for `docker-credential-<name> <verb>`. It executes the
 * helper only once its input arrives: an aborted call runs nothing. */
int cred_helper_prepare(const char *name, const char *verb, struct cred_helper_call *c,
			podd_error_t *err);
/* Sends `input`, reads the answer (at most 64 KiB) and reaps the child.
 * 0: the helper succeeded, *out its answer; 1: it said the credentials
 * are not there ("credentials not found in native keychain"); -1 with
 * *err otherwise. `what` names the action in messages, as podman's
 * ("getting", "storing", "erasing"). */
int cred_helper_finish(struct cred_helper_call *c, const char *input, const char *what,
		       char **out, podd_error_t *err);
/* EOF to the child, which exits without executing anything; reaped. */
void cred_helper_abort(struct cred_helper_call *c);

/* `get` for `server` (host[:port]) now: 0 with *user and *secret set
 * (free both), 1 when the helper has none, -1 with *err. */
int cred_helper_get(const char *name, const char *server, char **user, char **secret,
		    podd_error_t *err);
/* `erase` for `server` now: 0, 1 when the helper has none, -1. */
int cred_helper_erase(const char *name, const char *server, podd_error_t *err);
/* The input of `store`: {"ServerURL","Username","Secret"}; free it. */
char *cred_helper_store_input(const char *server, const char *user, const char *secret);

#endif
