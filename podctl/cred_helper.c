/* Docker credential helpers (cred_helper.h).
 *
 * The child forked by cred_helper_prepare holds no more than its pipes: it
 * reads the whole input first (at most CRED_INPUT_MAX), and only when some
 * came does it put it in a fresh pipe as the helper's stdin and execute
 * `docker-credential-<name> <verb>` from PATH, as podman's client does.
 * The helper inherits podctl's environment and identity, as under podman:
 * it is the user's own program, named in the user's own auth file. Its
 * stderr is discarded; helpers answer, errors included, on stdout. */
#include "cred_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "term_safe.h"

#define CRED_INPUT_MAX (16u << 10)  /* below a pipe's buffer: one write */
#define CRED_OUTPUT_MAX (64u << 10)
/* docker-credential-helpers' ErrCredentialsNotFound, as helpers print it. */
#define NOT_FOUND "credentials not found in native keychain"

bool cred_helper_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CRED_HELPER_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
		       n &&
	       name[0] != '.';
}

static __attribute__((noreturn)) void child(int in, int out, const char *name, const char *verb)
{
	char input[CRED_INPUT_MAX], prog[CRED_HELPER_NAME_MAX + 32];
	size_t len = 0;
	int p[2], null;

	for (;;) {
		ssize_t n = read(in, input + len, sizeof(input) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(input))
			_exit(126);
	}
	if (len == 0)
		_exit(0); /* aborted: nothing runs */
	if (pipe(p) < 0 || write(p[1], input, len) != (ssize_t)len)
		_exit(126);
	close(p[1]);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (dup2(p[0], STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    (null >= 0 && dup2(null, STDERR_FILENO) < 0))
		_exit(126);
	closefrom(STDERR_FILENO + 1);
	signal(SIGPIPE, SIG_DFL);
	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	execlp(prog, prog, verb, (char *)NULL);
	dprintf(STDOUT_FILENO, "exec: \"%s\": %s", prog,
		errno == ENOENT ? "executable file not found in $PATH" : strerror(errno));
	_exit(127);
}

int cred_helper_prepare(const char *name, const char *verb, struct cred_helper_call *c,
			podd_error_t *err)
{
	int in[2], out[2];

	*c = (struct cred_helper_call){ .pid = -1, .in = -1, .out = -1 };
	if (!cred_helper_name_valid(name))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "credential helper \"%.80s\": not a helper name", name);
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (pipe2(in, O_CLOEXEC) < 0)
		return podd_error_sys(err, errno, "credential helper %s", name);
	if (pipe2(out, O_CLOEXEC) < 0) {
		int saved = errno;
		close(in[0]);
		close(in[1]);
		return podd_error_sys(err, saved, "credential helper %s", name);
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		int saved = errno;
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return podd_error_sys(err, saved, "credential helper %s: fork", name);
	}
	if (c->pid == 0) {
		close(in[1]);
		close(out[0]);
		child(in[0], out[1], name, verb);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	return 0;
}

static int write_input(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void cred_helper_abort(struct cred_helper_call *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->pid > 0)
		(void)reap(c->pid);
	*c = (struct cred_helper_call){ .pid = -1, .in = -1, .out = -1 };
}

int cred_helper_finish(struct cred_helper_call *c, const char *input, const char *what,
		       char **out, podd_error_t *err)
{
	cleanup_free char *buf = malloc(CRED_OUTPUT_MAX + 1);
	size_t len = 0;
	int status, rc;

	*out = NULL;
	if (buf == NULL) {
		cred_helper_abort(c);
		return podd_error_sys(err, ENOMEM, "credential helper");
	}
	if (strlen(input) == 0 || strlen(input) >= CRED_INPUT_MAX) {
		cred_helper_abort(c);
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "credential helper %s: input size",
				  c->name);
	}
	rc = write_input(c->in, input, strlen(input));
	close(c->in);
	c->in = -1;
	while (rc == 0 && len < CRED_OUTPUT_MAX) {
		ssize_t n = read(c->out, buf + len, CRED_OUTPUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	/* An answer this long is no answer: the helper goes, whatever it
	 * does with SIGPIPE, so that the wait below cannot hang. */
	if (len == CRED_OUTPUT_MAX)
		kill(c->pid, SIGKILL);
	/* Closed before the wait: a helper still writing gets EPIPE (or
	 * SIGPIPE) instead of blocking on a full pipe nobody reads. */
	close(c->out);
	c->out = -1;
	status = reap(c->pid);
	c->pid = -1;
	if (rc < 0 || len == CRED_OUTPUT_MAX) {
		explicit_bzero(buf, len);
		if (rc < 0)
			return podd_error_sys(err, EPIPE, "credential helper %s", c->name);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "credential helper %s: its answer exceeds %u bytes", c->name,
				  CRED_OUTPUT_MAX - 1);
	}
	if (status == 0) {
		*out = steal_pointer(&buf);
		return 0;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, NOT_FOUND) == 0) {
		explicit_bzero(buf, len);
		return 1;
	}
	/* podman's wording (docker-credential-helpers' client): Go's error
	 * for the exec, or the exit status, then what the helper said, made
	 * safe for a terminal. */
	cleanup_free char *said = term_safe(buf);
	explicit_bzero(buf, len);
	if (status == 127 && strncmp(said ? said : "", "exec: ", 6) == 0)
		return podd_error(err, PODD_E_RUNTIME, "error %s credentials - err: %s, out: ``",
				  what, said ? said : "");
	return podd_error(err, PODD_E_RUNTIME,
			  "error %s credentials - err: exit status %d, out: `%s`", what, status,
			  said ? said : "");
}

static int call_now(const char *name, const char *verb, const char *input, const char *what,
		    char **out, podd_error_t *err)
{
	struct cred_helper_call c;

	if (cred_helper_prepare(name, verb, &c, err) < 0)
		return -1;
	return cred_helper_finish(&c, input, what, out, err);
}

int cred_helper_get(const char *name, const char *server, char **user, char **secret,
		    podd_error_t *err)
{
	cleanup_free char *out = NULL;
	json_object *root, *u, *s;
	int rc = call_now(name, "get", server, "getting", &out, err);

	*user = *secret = NULL;
	if (rc != 0)
		return rc;
	root = json_tokener_parse(out);
	explicit_bzero(out, strlen(out));
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "Username", &u) ||
	    !json_object_is_type(u, json_type_string) ||
	    !json_object_object_get_ex(root, "Secret", &s) ||
	    !json_object_is_type(s, json_type_string)) {
		json_object_put(root);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "credential helper %s: its answer for %s is not "
				  "{\"Username\", \"Secret\"}",
				  name, server);
	}
	/* An identity token (a refresh token for OAuth2) is not a password:
	 * podd cannot use one. */
	if (strcmp(json_object_get_string(u), "<token>") == 0) {
		json_object_put(root);
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "credential helper %s: %s: identity tokens are not supported",
				  name, server);
	}
	*user = strdup(json_object_get_string(u));
	*secret = strdup(json_object_get_string(s));
	json_object_put(root);
	if (*user == NULL || *secret == NULL) {
		free(*user);
		free(*secret);
		*user = *secret = NULL;
		return podd_error_sys(err, ENOMEM, "credential helper");
	}
	return 0;
}

int cred_helper_erase(const char *name, const char *server, podd_error_t *err)
{
	cleanup_free char *out = NULL;

	return call_now(name, "erase", server, "erasing", &out, err);
}

char *cred_helper_store_input(const char *server, const char *user, const char *secret)
{
	json_object *o = json_object_new_object();
	char *s;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "ServerURL", json_object_new_string(server));
	json_object_object_add(o, "Username", json_object_new_string(user));
	json_object_object_add(o, "Secret", json_object_new_string(secret));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}
