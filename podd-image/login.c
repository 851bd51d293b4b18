/* LoginRequest: are these credentials good at this registry? podctl saves
 * them in the auth file only after this says yes. */
#include <stdio.h>
#include <string.h>

#include "registry_handlers.h"
#include "reference.h"
#include "registry.h"

int handle_login(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__LoginRequest *m = (const Podd__LoginRequest *)req->msg;
	struct podd_reference ref;
	struct registry *reg = NULL;
	const char *user, *password;
	struct registry_tls tls;
	char probe[PODD_IMAGE_REPO_MAX + 8];

	/* "host[:port]" and nothing else: parsed as the domain of a name. */
	if (strlen(m->registry) > PODD_IMAGE_REPO_MAX || strchr(m->registry, '/'))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "login: invalid registry name");
	snprintf(probe, sizeof(probe), "%s/x", m->registry);
	if (podd_reference_parse(probe, &ref, err) < 0)
		return podd_error_wrap(err, "login: invalid registry name");
	if (!ref.qualified)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "login: invalid registry name");
	if (registry_credentials_check(m->credentials, &user, &password, err) < 0 ||
	    registry_tls_check(m->tls, &tls, err) < 0)
		return -1;
	if (user == NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "login: no user name");
	if (registry_open(ref.api_host, m->tls_verify, &tls, user, password, NULL, true, &reg,
			  err) < 0)
		return -1;
	registry_close(reg);
	return podd_server_reply_ok(srv, req, err);
}
