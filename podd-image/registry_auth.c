/* The registry client's answers to WWW-Authenticate (registry_internal.h):
 * Basic sends our credentials, Bearer fetches a token from the challenge's
 * realm; the token request goes through registry_http.c like any other. */
#include "registry_internal.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "manifest.h"

static char *basic_header(const char *user, const char *password)
{
	size_t n = strlen(user) + 1 + strlen(password);
	cleanup_free char *plain = malloc(n + 1);
	cleanup_free unsigned char *b64 = malloc(4 * (n / 3 + 1) + 1);
	char *line = NULL;

	if (plain == NULL || b64 == NULL)
		return NULL;
	snprintf(plain, n + 1, "%s:%s", user, password);
	EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
	explicit_bzero(plain, n);
	if (asprintf(&line, "Authorization: Basic %s", b64) < 0)
		line = NULL;
	explicit_bzero(b64, strlen((char *)b64));
	return line;
}

char *registry_challenge_param(const char *ch, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = ch; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *eq = strchr(p, '=');
		if (eq == NULL)
			return NULL;
		bool match = (size_t)(eq - p) == kl && strncasecmp(p, key, kl) == 0;
		const char *v = eq + 1, *end;
		char *out, *o;
		if (*v == '"') {
			v++;
			for (end = v; *end && *end != '"'; end++)
				if (*end == '\\' && end[1])
					end++;
			if (!match) {
				p = *end ? end + 1 : end;
				continue;
			}
			out = o = malloc((size_t)(end - v) + 1);
			if (out == NULL)
				return NULL;
			for (const char *s = v; s < end; s++) {
				if (*s == '\\' && s + 1 < end)
					s++;
				*o++ = *s;
			}
			*o = '\0';
			return out;
		}
		end = v + strcspn(v, ", ");
		if (match)
			return strndup(v, (size_t)(end - v));
		p = end;
	}
	return NULL;
}

/* The Bearer flow: GET realm?service=...&scope=... (with Basic credentials
 * when we have some), {"token": ...} or {"access_token": ...}. `scope` is
 * space-separated, as a challenge lists them ("repository:a:pull,push
 * repository:b:pull", a push that mounts from b): one scope parameter
 * each, as the token specification asks. */
static int fetch_token(struct registry *r, const char *challenge, const char *scope,
		       podd_error_t *err)
{
	cleanup_free char *realm = registry_challenge_param(challenge, "realm");
	cleanup_free char *service = registry_challenge_param(challenge, "service");
	cleanup_free char *basic = NULL;
	char url[URL_MAX];
	struct membuf body = { .max = TOKEN_BODY_MAX };
	struct response resp = { 0 };
	struct request q = { .method = "GET", .url = url, .body_fd = -1, .out = &body,
			     .whole_timeout = true };
	json_object *root = NULL, *tok;
	json_tokener *tk;
	int rc = -1;

	if (realm == NULL || (strncasecmp(realm, "https://", 8) != 0 &&
			      strncasecmp(realm, "http://", 7) != 0) ||
	    strlen(realm) >= URL_MAX / 2)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "the registry's bearer challenge has no http(s) realm");
	snprintf(url, sizeof(url), "%s", realm);
	bool first = strchr(url, '?') == NULL;
	if (service && url_escape_append(url, sizeof(url), first ? "?service=" : "&service=",
					 service) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "token URL too long");
	first = first && !service;
	for (const char *sc = scope; sc && *sc;) {
		size_t n = strcspn(sc, " ");
		if (n > 0) {
			cleanup_free char *one = strndup(sc, n);
			if (one == NULL)
				return podd_error_sys(err, ENOMEM, "token URL");
			if (url_escape_append(url, sizeof(url), first ? "?scope=" : "&scope=",
					      one) < 0)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "token URL too long");
			first = false;
		}
		sc += n + strspn(sc + n, " ");
	}
	if (r->user) {
		basic = basic_header(r->user, r->password);
		if (basic == NULL)
			return podd_error_sys(err, ENOMEM, "credentials");
		q.authorization = basic;
	} else {
		q.no_authorization = true;
	}
	if (perform(r, &q, &resp, err) < 0)
		goto out;
	if (resp.status == 401 || resp.status == 403) {
		podd_error(err, PODD_E_NOT_PERMITTED, "invalid username/password");
		goto out;
	}
	if (resp.status != 200) {
		registry_error(&resp, status_code(resp.status), err);
		podd_error_wrap(err, "requesting bearer token");
		goto out;
	}
	tk = json_tokener_new_ex(META_MAX_DEPTH);
	if (tk) {
		root = json_tokener_parse_ex(tk, body.data ? body.data : "", (int)body.len);
		json_tokener_free(tk);
	}
	if (!root || !json_object_is_type(root, json_type_object) ||
	    !((json_object_object_get_ex(root, "token", &tok) &&
	       json_object_is_type(tok, json_type_string)) ||
	      (json_object_object_get_ex(root, "access_token", &tok) &&
	       json_object_is_type(tok, json_type_string)))) {
		podd_error(err, PODD_E_INVALID_ARGUMENT, "the token server's answer has no token");
		goto out;
	}
	for (const char *s = json_object_get_string(tok); *s; s++)
		if (!isgraph((unsigned char)*s)) {
			podd_error(err, PODD_E_INVALID_ARGUMENT,
				   "the token server's token is not printable");
			goto out;
		}
	free(r->authorization);
	if (asprintf(&r->authorization, "Authorization: Bearer %s",
		     json_object_get_string(tok)) < 0) {
		r->authorization = NULL;
		podd_error_sys(err, ENOMEM, "token");
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	if (body.data)
		explicit_bzero(body.data, body.len);
	membuf_free(&body);
	response_free(&resp);
	return rc;
}

/* Meets a 401's WWW-Authenticate: Bearer fetches a token (for the
 * challenge's scope when it names one, else ours), Basic sends our
 * credentials. 1: the next request carries something new; 0: nothing to
 * offer (Basic without credentials). */
int meet_challenge(struct registry *r, const char *challenge, podd_error_t *err)
{
	if (strncasecmp(challenge, "Bearer ", 7) == 0) {
		cleanup_free char *scope = registry_challenge_param(challenge + 7, "scope");
		if (fetch_token(r, challenge + 7, scope ? scope : r->scope, err) < 0)
			return podd_error_wrap(err, "authenticating to %s", r->host);
		return 1;
	}
	if (strncasecmp(challenge, "Basic", 5) == 0) {
		if (r->user == NULL)
			return 0;
		free(r->authorization);
		r->authorization = basic_header(r->user, r->password);
		if (r->authorization == NULL)
			return podd_error_sys(err, ENOMEM, "credentials");
		return 1;
	}
	return podd_error(err, PODD_E_INVALID_ARGUMENT,
			  "registry %s: unsupported authentication scheme", r->host);
}
