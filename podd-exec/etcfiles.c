/* /etc/resolv.conf, /etc/hosts and /etc/hostname of a container, written
 * into its directory and bind-mounted (mounts.c), as podman does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"

struct buf {
	char *data;
	size_t len;
	FILE *f;
};

static void buf_close(struct buf *b)
{
	if (b->f)
		fclose(b->f);
	b->f = NULL;
}

static void buf_free(struct buf *b)
{
	buf_close(b);
	free(b->data);
}

static int write_buf(const struct exec_ctx *ctx, const char *id, const char *leaf,
		     struct buf *b, podd_error_t *err)
{
	char path[4200];
	buf_close(b);
	if (b->data == NULL)
		return podd_error_sys(err, ENOMEM, "write %s", leaf);
	if (exec_ctr_path(ctx, path, id, leaf) < 0)
		return podd_error(err, PODD_E_INTERNAL, "path too long");
	return write_file_atomic(path, b->data, b->len, 0644, err);
}

/* Does this host resolv.conf line start with `key` as a word? */
static bool is_key(const char *line, const char *key)
{
	size_t n = strlen(key);
	return strncmp(line, key, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

/* The host's resolv.conf with --dns, --dns-search, --dns-option replacing
 * its nameservers, search list and options. A search of "." means none.
 * Loopback nameservers are dropped (they are not reachable from the
 * container's network namespace), unless the container shares the host's. */
static int write_resolv(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec,
			podd_error_t *err)
{
	const Podd__ContainerConfig *c = rec->config;
	__attribute__((cleanup(buf_free))) struct buf b = { 0 };
	bool host_net = strcmp(c->network, "host") == 0;
	cleanup_free char *copy = strdup(ctx->host_resolv ? ctx->host_resolv : "");
	char *save = NULL;

	b.f = open_memstream(&b.data, &b.len);
	if (b.f == NULL || copy == NULL)
		return podd_error_sys(err, ENOMEM, "resolv.conf");
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (is_key(l, "nameserver")) {
			const char *addr = l + 11;
			while (*addr == ' ' || *addr == '\t')
				addr++;
			if (c->n_dns || (!host_net && (strncmp(addr, "127.", 4) == 0 ||
						       strcmp(addr, "::1") == 0)))
				continue;
		} else if ((is_key(l, "search") || is_key(l, "domain")) && c->n_dns_search) {
			continue;
		} else if (is_key(l, "options") && c->n_dns_option) {
			continue;
		}
		fprintf(b.f, "%s\n", l);
	}
	if (c->n_dns_search && strcmp(c->dns_search[0], ".") != 0) {
		fputs("search", b.f);
		for (size_t i = 0; i < c->n_dns_search; i++)
			if (strcmp(c->dns_search[i], ".") != 0)
				fprintf(b.f, " %s", c->dns_search[i]);
		fputc('\n', b.f);
	}
	for (size_t i = 0; i < c->n_dns; i++)
		fprintf(b.f, "nameserver %s\n", c->dns[i]);
	if (c->n_dns_option) {
		fputs("options", b.f);
		for (size_t i = 0; i < c->n_dns_option; i++)
			fprintf(b.f, " %s", c->dns_option[i]);
		fputc('\n', b.f);
	}
	return write_buf(ctx, rec->id, "resolv.conf", &b, err);
}

/* The host's /etc/hosts, then --add-host entries, then the container's
 * own name. */
static int write_hosts(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec,
		       const char *hostname, podd_error_t *err)
{
	const Podd__ContainerConfig *c = rec->config;
	__attribute__((cleanup(buf_free))) struct buf b = { 0 };

	b.f = open_memstream(&b.data, &b.len);
	if (b.f == NULL)
		return podd_error_sys(err, ENOMEM, "hosts");
	if (ctx->host_hosts && ctx->host_hosts[0]) {
		fputs(ctx->host_hosts, b.f);
		if (ctx->host_hosts[strlen(ctx->host_hosts) - 1] != '\n')
			fputc('\n', b.f);
	} else {
		fputs("127.0.0.1 localhost localhost.localdomain\n"
		      "::1 localhost localhost.localdomain\n", b.f);
	}
	for (size_t i = 0; i < c->n_add_host; i++) {
		const char *colon = strchr(c->add_host[i], ':');
		fprintf(b.f, "%s\t%.*s\n", colon + 1, (int)(colon - c->add_host[i]),
			c->add_host[i]);
	}
	fprintf(b.f, "127.0.1.1\t%s %s\n", hostname, rec->name);
	return write_buf(ctx, rec->id, "hosts", &b, err);
}

int etcfiles_write(const struct exec_ctx *ctx, const Podd__ContainerRecord *rec,
		   const char *hostname, podd_error_t *err)
{
	__attribute__((cleanup(buf_free))) struct buf b = { 0 };
	char path[4200];

	if (write_resolv(ctx, rec, err) < 0 || write_hosts(ctx, rec, hostname, err) < 0)
		return -1;
	b.f = open_memstream(&b.data, &b.len);
	if (b.f == NULL)
		return podd_error_sys(err, ENOMEM, "hostname");
	fprintf(b.f, "%s\n", hostname);
	if (write_buf(ctx, rec->id, "hostname", &b, err) < 0)
		return -1;
	/* podman's /run/.containerenv: tells software it runs in a container. */
	if (exec_ctr_path(ctx, path, rec->id, ".containerenv") < 0)
		return podd_error(err, PODD_E_INTERNAL, "path too long");
	char env[512];
	int n = snprintf(env, sizeof(env), "engine=\"podd-%s\"\nname=\"%s\"\nid=\"%s\"\n",
			 PODD_VERSION, rec->name, rec->id);
	return write_file_atomic(path, env, (size_t)n, 0644, err);
}
