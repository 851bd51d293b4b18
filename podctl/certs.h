/* A registry's TLS material from certs.d (certs.c). */
#ifndef PODCTL_CERTS_H
#define PODCTL_CERTS_H

#include <stddef.h>

#include "error.h"
#include "image.pb-c.h"

struct registry_certs {
	char *ca;   /* the *.crt files, concatenated; NULL: none */
	size_t ca_len;
	char *cert, *key; /* one client certificate and its key; NULL: none */
	size_t cert_len, key_len;
};

/* Before the sandbox: `cert_dir` (--cert-dir), or the certs.d directory
 * of registry `host` ("host[:port]"); none there is no error. */
int registry_certs_read(const char *cert_dir, const char *host, struct registry_certs *out,
			podd_error_t *err);
void registry_certs_free(struct registry_certs *c);
/* The request's RegistryTls in `m`, pointing into c; NULL when c is empty. */
Podd__RegistryTls *registry_certs_msg(const struct registry_certs *c, Podd__RegistryTls *m);

#endif
