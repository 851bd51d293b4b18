/* A registry's certs.d directory, read as containers-certs.d(5) says and
 * podman does: `--cert-dir DIR`, or the first of
 * $HOME/.config/containers/certs.d/HOST (for every user, as containers/
 * image looks), /etc/containers/certs.d/HOST and /etc/docker/certs.d/HOST
 * that exists. In it, every *.crt is a CA certificate (PEM) trusted
 * besides the system's; a *.cert is a client certificate whose key is the
 * *.key of the same name. Read here, before podctl's sandbox closes; the
 * bytes go to podd-image-registry in RegistryTls. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certs.h"
#include "cleanup.h"

/* podd-image-registry's bound for each part (REGISTRY_TLS_MAX). */
#define CERTS_PART_MAX (64 * 1024)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Append file `name` of `dirfd` to *buf (a newline between PEM files). */
static int append_file(int dirfd, const char *dir, const char *name, char **buf, size_t *len,
		       podd_error_t *err)
{
	cleanup_close int fd = -1;
	struct stat st;
	char *grown;
	ssize_t n;

	/* Only a regular file is opened (a device named *.crt is not). */
	if (fstatat(dirfd, name, &st, 0) < 0)
		return podd_error_sys(err, errno, "certificates: %s/%s", dir, name);
	if (!S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "certificates: %s/%s is not a regular file", dir, name);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0)
		return podd_error_sys(err, errno, "certificates: %s/%s", dir, name);
	if (!S_ISREG(st.st_mode))
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "certificates: %s/%s is not a regular file", dir, name);
	if ((uint64_t)st.st_size + *len + 1 > CERTS_PART_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "certificates in %s: more than %d bytes", dir, CERTS_PART_MAX);
	grown = realloc(*buf, *len + (size_t)st.st_size + 2);
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "certificates");
	*buf = grown;
	n = read(fd, *buf + *len, (size_t)st.st_size + 1);
	if (n < 0)
		return podd_error_sys(err, errno, "certificates: read %s/%s", dir, name);
	if ((uint64_t)n != (uint64_t)st.st_size)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "certificates: %s/%s changed while read", dir, name);
	*len += (size_t)n;
	if (*len > 0 && (*buf)[*len - 1] != '\n')
		(*buf)[(*len)++] = '\n';
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dir(const char *dir, struct registry_certs *out, podd_error_t *err)
{
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	if (dirfd < 0) {
		if (errno == ENOENT)
			return 0; /* podman: no directory, no certificates */
		return podd_error_sys(err, errno, "certificates: %s", dir);
	}
	{
		int dupfd = dup(dirfd);
		d = dupfd < 0 ? NULL : fdopendir(dupfd);
		if (d == NULL) {
			int saved = errno;
			if (dupfd >= 0)
				close(dupfd);
			return podd_error_sys(err, saved, "certificates: %s", dir);
		}
	}
	while ((de = readdir(d)) != NULL) {
		if (!ends_with(de->d_name, ".crt") && !ends_with(de->d_name, ".cert") &&
		    !ends_with(de->d_name, ".key"))
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 16;
			char **g = c > 256 ? NULL : realloc(names, c * sizeof(*g));
			if (g == NULL) {
				podd_error(err, PODD_E_INVALID_ARGUMENT,
					   "certificates: more than 256 files in %s", dir);
				goto out;
			}
			names = g;
			cap = c;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			podd_error_sys(err, ENOMEM, "certificates");
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		size_t stem = strlen(f) - (ends_with(f, ".crt") ? 4 : ends_with(f, ".cert") ? 5 : 4);
		char pair[NAME_MAX + 8];
		struct stat st;

		if (ends_with(f, ".crt")) {
			if (append_file(dirfd, dir, f, &out->ca, &out->ca_len, err) < 0)
				goto out;
			continue;
		}
		snprintf(pair, sizeof(pair), "%.*s%s", (int)stem, f,
			 ends_with(f, ".cert") ? ".key" : ".cert");
		if (fstatat(dirfd, pair, &st, 0) < 0) {
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   ends_with(f, ".cert")
					   ? "missing key %s for client certificate %s. Note that CA "
					     "certificates should use the extension .crt"
					   : "missing client certificate %s for key %s",
				   pair, f);
			goto out;
		}
		if (ends_with(f, ".key"))
			continue; /* read with its certificate */
		if (out->cert) {
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "certificates: %s holds more than one client certificate; podd "
				   "takes one per registry",
				   dir);
			goto out;
		}
		if (append_file(dirfd, dir, f, &out->cert, &out->cert_len, err) < 0 ||
		    append_file(dirfd, dir, pair, &out->key, &out->key_len, err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int registry_certs_read(const char *cert_dir, const char *host, struct registry_certs *out,
			podd_error_t *err)
{
	char dirs[3][PATH_MAX];
	size_t n = 0;
	const char *home = getenv("HOME");

	*out = (struct registry_certs){ 0 };
	if (cert_dir)
		return read_dir(cert_dir, out, err) < 0 ? (registry_certs_free(out), -1) : 0;
	if (strchr(host, '/') || strcmp(host, "..") == 0 || strcmp(host, ".") == 0)
		return 0;
	if (home && home[0] == '/')
		snprintf(dirs[n++], PATH_MAX, "%s/.config/containers/certs.d/%s", home, host);
	snprintf(dirs[n++], PATH_MAX, "/etc/containers/certs.d/%s", host);
	snprintf(dirs[n++], PATH_MAX, "/etc/docker/certs.d/%s", host);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (read_dir(dirs[i], out, err) < 0) {
			registry_certs_free(out);
			return -1;
		}
		return 0;
	}
	return 0;
}

void registry_certs_free(struct registry_certs *c)
{
	free(c->ca);
	free(c->cert);
	if (c->key)
		explicit_bzero(c->key, c->key_len);
	free(c->key);
	*c = (struct registry_certs){ 0 };
}

Podd__RegistryTls *registry_certs_msg(const struct registry_certs *c, Podd__RegistryTls *m)
{
	if (c->ca_len == 0 && c->cert_len == 0)
		return NULL;
	podd__registry_tls__init(m);
	m->ca_certs = (ProtobufCBinaryData){ .len = c->ca_len, .data = (uint8_t *)c->ca };
	m->client_cert = (ProtobufCBinaryData){ .len = c->cert_len, .data = (uint8_t *)c->cert };
	m->client_key = (ProtobufCBinaryData){ .len = c->key_len, .data = (uint8_t *)c->key };
	return m;
}
