/* containers-policy.json(5) read and evaluated as podman 4.3 (containers/
 * image v5.23, signature/policy_*.go) does, for what podd can evaluate;
 * see signature_policy.h. The parse is as strict as c/image's: unknown
 * keys, duplicate keys, unknown requirement types, empty requirement
 * lists and invalid scopes of the transports podd loads from make the
 * whole file invalid. */
#include "signature_policy.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "json_strict.h"

/* ---- parsing ---------------------------------------------------------- */

static int invalid(podd_error_t *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int invalid(podd_error_t *err, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid policy in \"%s\": %s", path, msg);
}

/* The file as strict JSON (json_strict.c), its errors as the policy's. */
static json_object *parse_json(const char *text, const char *path, podd_error_t *err)
{
	podd_error_t e = NULL;
	json_object *root = json_strict_parse(text, &e);

	if (root == NULL) {
		invalid(err, path, "%s", e->msg);
		podd_error_free(&e);
	}
	return root;
}

/* Every key of `o` among `allowed` (NULL-terminated). */
static int check_keys(json_object *o, const char *const *allowed, const char *path,
		      podd_error_t *err)
{
	json_object_object_foreach(o, k, v)
	{
		size_t i;
		(void)v;
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (allowed[i] == NULL)
			return invalid(err, path, "Unknown key \"%s\"", k);
	}
	return 0;
}

static int want_type(json_object *o, const char *key, json_type t, const char *what,
		     const char *path, podd_error_t *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, t))
		return invalid(err, path, "\"%s\": %s expected", key, what);
	return 0;
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* signedIdentity, baseLayerIdentity (policy_reference_match.go). */
static int check_reference_match(json_object *m, const char *path, podd_error_t *err)
{
	static const char *const only_type[] = { "type", NULL };
	static const char *const exact_ref[] = { "type", "dockerReference", NULL };
	static const char *const exact_repo[] = { "type", "dockerRepository", NULL };
	static const char *const remap[] = { "type", "prefix", "signedPrefix", NULL };
	const char *type;

	if (!json_object_is_type(m, json_type_object))
		return invalid(err, path, "JSON object expected for a policy reference match");
	type = str(m, "type");
	if (type == NULL)
		type = "";
	if (strcmp(type, "matchExact") == 0 || strcmp(type, "matchRepoDigestOrExact") == 0 ||
	    strcmp(type, "matchRepository") == 0)
		return check_keys(m, only_type, path, err);
	if (strcmp(type, "exactReference") == 0)
		return check_keys(m, exact_ref, path, err) < 0 ||
				       want_type(m, "dockerReference", json_type_string, "string",
						 path, err) < 0
			       ? -1
			       : 0;
	if (strcmp(type, "exactRepository") == 0)
		return check_keys(m, exact_repo, path, err) < 0 ||
				       want_type(m, "dockerRepository", json_type_string, "string",
						 path, err) < 0
			       ? -1
			       : 0;
	if (strcmp(type, "remapIdentity") == 0)
		return check_keys(m, remap, path, err);
	return invalid(err, path, "Unknown policy reference match type \"%s\"", type);
}

static int check_signed_by(json_object *r, const char *path, podd_error_t *err)
{
	static const char *const keys[] = { "type",    "keyType",        "keyPath", "keyPaths",
					    "keyData", "signedIdentity", NULL };
	static const char *const key_types[] = { "GPGKeys", "signedByGPGKeys", "X509Certificates",
						 "signedByX509CAs", NULL };
	const char *kt;
	int sources = has(r, "keyPath") + has(r, "keyPaths") + has(r, "keyData");
	json_object *si;
	size_t i;

	if (check_keys(r, keys, path, err) < 0 ||
	    want_type(r, "keyPath", json_type_string, "string", path, err) < 0 ||
	    want_type(r, "keyPaths", json_type_array, "array", path, err) < 0 ||
	    want_type(r, "keyData", json_type_string, "string", path, err) < 0)
		return -1;
	kt = str(r, "keyType");
	for (i = 0; kt && key_types[i] && strcmp(key_types[i], kt) != 0; i++)
		;
	if (kt == NULL || key_types[i] == NULL)
		return invalid(err, path, "Unrecognized keyType value \"%s\"", kt ? kt : "");
	if (sources == 0)
		return invalid(err, path, "Exactly one of keyPath, keyPaths and keyData must be "
					  "specified, none of them present");
	if (sources > 1)
		return invalid(err, path, "Exactly one of keyPath, keyPaths and keyData must be "
					  "specified, more than one present");
	if (json_object_object_get_ex(r, "signedIdentity", &si))
		return check_reference_match(si, path, err);
	return 0;
}

static int check_sigstore_signed(json_object *r, const char *path, podd_error_t *err)
{
	static const char *const keys[] = { "type",
					    "keyPath",
					    "keyData",
					    "fulcio",
					    "rekorPublicKeyPath",
					    "rekorPublicKeyData",
					    "signedIdentity",
					    NULL };
	json_object *si;
	int sources = has(r, "keyPath") + has(r, "keyData") + has(r, "fulcio");

	if (check_keys(r, keys, path, err) < 0 ||
	    want_type(r, "keyPath", json_type_string, "string", path, err) < 0 ||
	    want_type(r, "keyData", json_type_string, "string", path, err) < 0 ||
	    want_type(r, "fulcio", json_type_object, "object", path, err) < 0)
		return -1;
	if (sources == 0)
		return invalid(err, path, "At least one of keyPath and keyData must be specified");
	if (sources > 1)
		return invalid(err, path, "Exactly one of keyPath, keyData and fulcio must be "
					  "specified");
	if (json_object_object_get_ex(r, "signedIdentity", &si))
		return check_reference_match(si, path, err);
	return 0;
}

static int check_requirements(json_object *list, const char *path, podd_error_t *err)
{
	static const char *const only_type[] = { "type", NULL };
	static const char *const base_layer[] = { "type", "baseLayerIdentity", NULL };

	if (!json_object_is_type(list, json_type_array))
		return invalid(err, path, "a list of policy requirements expected");
	if (json_object_array_length(list) == 0)
		return invalid(err, path,
			       "List of verification policy requirements must not be empty");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *r = json_object_array_get_idx(list, i), *v;
		const char *type;
		if (!json_object_is_type(r, json_type_object))
			return invalid(err, path, "JSON object expected for a policy requirement");
		if (json_object_object_get_ex(r, "type", &v) &&
		    !json_object_is_type(v, json_type_string))
			return invalid(err, path, "\"type\": string expected");
		type = str(r, "type");
		if (type == NULL)
			type = "";
		if (strcmp(type, "insecureAcceptAnything") == 0 || strcmp(type, "reject") == 0) {
			if (check_keys(r, only_type, path, err) < 0)
				return -1;
		} else if (strcmp(type, "signedBy") == 0) {
			if (check_signed_by(r, path, err) < 0)
				return -1;
		} else if (strcmp(type, "sigstoreSigned") == 0) {
			if (check_sigstore_signed(r, path, err) < 0)
				return -1;
		} else if (strcmp(type, "signedBaseLayer") == 0) {
			if (check_keys(r, base_layer, path, err) < 0)
				return -1;
			if (!json_object_object_get_ex(r, "baseLayerIdentity", &v))
				return invalid(err, path, "Key \"baseLayerIdentity\" missing in a "
							  "JSON object");
			if (check_reference_match(v, path, err) < 0)
				return -1;
		} else {
			return invalid(err, path, "Unknown policy requirement type \"%s\"", type);
		}
	}
	return 0;
}

/* The scopes c/image accepts for the transports whose scopes it checks
 * (ValidatePolicyConfigurationScope); podman names an invalid one an
 * unknown key. docker accepts any; dir, oci and oci-archive an absolute,
 * clean path other than "/"; docker-archive and tarball none but "". Transports podd
 * does not know are taken without a check, as c/image does. */
static bool path_scope_valid(const char *s)
{
	size_t n = strlen(s);
	if (s[0] != '/' || n == 1 || s[n - 1] == '/' || strstr(s, "//") || strstr(s, "/./") ||
	    strstr(s, "/../"))
		return false;
	return !(n >= 2 && strcmp(s + n - 2, "/.") == 0) &&
	       !(n >= 3 && strcmp(s + n - 3, "/..") == 0);
}

static bool scope_valid(const char *transport, const char *scope)
{
	if (scope[0] == '\0')
		return true;
	if (strcmp(transport, "docker-archive") == 0 || strcmp(transport, "tarball") == 0)
		return false;
	if (strcmp(transport, "oci-archive") == 0 || strcmp(transport, "oci") == 0 ||
	    strcmp(transport, "dir") == 0)
		return path_scope_valid(scope);
	return true;
}

static int check_policy(json_object *root, const char *path, podd_error_t *err)
{
	static const char *const top[] = { "default", "transports", NULL };
	json_object *def, *transports;

	if (check_keys(root, top, path, err) < 0)
		return -1;
	if (!json_object_object_get_ex(root, "default", &def) || def == NULL)
		return invalid(err, path, "Default policy is missing");
	if (check_requirements(def, path, err) < 0)
		return -1;
	if (!json_object_object_get_ex(root, "transports", &transports) || transports == NULL)
		return 0;
	if (!json_object_is_type(transports, json_type_object))
		return invalid(err, path, "\"transports\": JSON object expected");
	json_object_object_foreach(transports, name, scopes)
	{
		if (!json_object_is_type(scopes, json_type_object))
			return invalid(err, path, "transport \"%s\": JSON object expected", name);
		json_object_object_foreach(scopes, scope, reqs)
		{
			if (!scope_valid(name, scope))
				return invalid(err, path, "Unknown key \"%s\"", scope);
			if (check_requirements(reqs, path, err) < 0)
				return -1;
		}
	}
	return 0;
}

int signature_policy_parse(const char *text, const char *path, struct signature_policy *p,
			   podd_error_t *err)
{
	json_object *root;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	root = parse_json(text, path, err);
	if (root == NULL)
		return -1;
	if (check_policy(root, path, err) < 0) {
		json_object_put(root);
		return -1;
	}
	p->root = root;
	return 0;
}

int signature_policy_load(const char *flag, struct signature_policy *p, podd_error_t *err)
{
	const char *home = getenv("HOME");
	char path[4096] = "/etc/containers/policy.json";
	cleanup_free char *text = NULL;

	memset(p, 0, sizeof(*p));
	if (flag && flag[0] == '\0')
		flag = NULL; /* --signature-policy "": the default, as podman */
	if (flag) {
		snprintf(path, sizeof(path), "%s", flag);
	} else if (home && home[0]) {
		/* podman 4.3 looks here for root too. */
		char user[4096];
		snprintf(user, sizeof(user), "%s/.config/containers/policy.json", home);
		if (access(user, F_OK) == 0)
			snprintf(path, sizeof(path), "%s", user);
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	if (read_file_limited(path, SIGNATURE_POLICY_MAX, &text, err) < 0) {
		int e = (*err)->sys_errno;
		/* No default file: a host without containers-common. A file
		 * named on the command line must be there, as with podman. */
		if (e == ENOENT && flag == NULL) {
			podd_error_free(err);
			return 0;
		}
		if (e == ENOENT) {
			podd_error_free(err);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "open %s: no such file or directory", path);
		}
		return podd_error_wrap(err, "signature policy");
	}
	return signature_policy_parse(text, path, p, err);
}

void signature_policy_free(struct signature_policy *p)
{
	json_object_put(p->root);
	p->root = NULL;
}

/* ---- scopes ----------------------------------------------------------- */

size_t signature_policy_docker_scopes(const struct podd_reference *ref,
				      char (*out)[SIGNATURE_POLICY_SCOPE_MAX], size_t max)
{
	char name[PODD_REFERENCE_MAX];
	const char *d;
	size_t n = 0;

	snprintf(name, sizeof(name), "%s/%s", ref->domain, ref->repository);
	/* The image itself: by digest when it has one (podman drops the
	 * tag of a tag@digest reference), else by tag. */
	if (n < max) {
		if (ref->digest[0])
			snprintf(out[n++], SIGNATURE_POLICY_SCOPE_MAX, "%s@%s", name, ref->digest);
		else
			snprintf(out[n++], SIGNATURE_POLICY_SCOPE_MAX, "%s:%s", name, ref->tag);
	}
	/* The repository, its namespaces, the host. */
	for (;;) {
		char *slash;
		if (n < max)
			snprintf(out[n++], SIGNATURE_POLICY_SCOPE_MAX, "%s", name);
		slash = strrchr(name, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	/* "*.example.com" and "*.com" for a.example.com[:port]: each dot of
	 * the host in turn, without the port (podman 4.3 matches "*.0.1"
	 * for 127.0.0.1:5000, and not "*.0.1:5000"; checked against it). */
	char host[SIGNATURE_POLICY_SCOPE_MAX];
	snprintf(host, sizeof(host), "%s", ref->domain);
	host[strcspn(host, ":")] = '\0';
	for (d = strchr(host, '.'); d && n < max; d = strchr(d + 1, '.'))
		snprintf(out[n++], SIGNATURE_POLICY_SCOPE_MAX, "*%s", d);
	return n;
}

size_t signature_policy_path_scopes(const char *abs, char (*out)[SIGNATURE_POLICY_SCOPE_MAX],
				    size_t max)
{
	char path[SIGNATURE_POLICY_SCOPE_MAX];
	size_t n = 0;

	if (strlen(abs) >= sizeof(path))
		return 0;
	memcpy(path, abs, strlen(abs) + 1);
	while (n < max && path[0] == '/' && path[1] != '\0') {
		snprintf(out[n++], SIGNATURE_POLICY_SCOPE_MAX, "%s", path);
		*strrchr(path, '/') = '\0';
	}
	return n;
}

json_object *signature_policy_requirements(const struct signature_policy *p,
					   const char *transport,
					   char (*scopes)[SIGNATURE_POLICY_SCOPE_MAX], size_t n,
					   const char **scope)
{
	json_object *transports, *t, *reqs = NULL;

	*scope = NULL;
	if (p->root == NULL)
		return NULL;
	if (json_object_object_get_ex(p->root, "transports", &transports) && transports &&
	    json_object_object_get_ex(transports, transport, &t)) {
		for (size_t i = 0; i < n; i++)
			if (json_object_object_get_ex(t, scopes[i], &reqs)) {
				*scope = scopes[i];
				return reqs;
			}
		if (json_object_object_get_ex(t, "", &reqs)) {
			*scope = "";
			return reqs;
		}
	}
	json_object_object_get_ex(p->root, "default", &reqs);
	return reqs;
}

int signature_policy_evaluate(const struct signature_policy *p, const char *transport,
			      char (*scopes)[SIGNATURE_POLICY_SCOPE_MAX], size_t n,
			      const char *image, char **refused, podd_error_t *err)
{
	const char *scope;
	json_object *reqs = signature_policy_requirements(p, transport, scopes, n, &scope);
	char where[SIGNATURE_POLICY_SCOPE_MAX + 4200];
	int r = 0;

	*refused = NULL;
	if (reqs == NULL) /* no policy file: insecureAcceptAnything */
		return 0;
	if (scope == NULL)
		snprintf(where, sizeof(where), "\"default\" in %s", p->path);
	else if (scope[0] == '\0')
		snprintf(where, sizeof(where), "transport \"%s\", scope \"\" in %s", transport,
			 p->path);
	else
		snprintf(where, sizeof(where), "transport \"%s\", scope \"%s\" in %s", transport,
			 scope, p->path);
	/* All must accept; the first that does not says why (c/image's
	 * IsRunningImageAllowed). */
	for (size_t i = 0; i < json_object_array_length(reqs) && r >= 0; i++) {
		const char *type = str(json_object_array_get_idx(reqs, i), "type");
		if (type && strcmp(type, "insecureAcceptAnything") == 0)
			continue;
		if (type && strcmp(type, "reject") == 0)
			r = asprintf(refused, "Source image rejected: Running image %s is rejected "
					      "by policy.",
				     image);
		else
			/* signedBy, sigstoreSigned, signedBaseLayer: podd has
			 * no GPG or sigstore verification, and an image it
			 * cannot verify is not one it may accept. */
			r = asprintf(refused, "Source image rejected: policy requirement \"%s\" "
					      "(%s) for %s: podd cannot verify signatures",
				     type ? type : "", where, image);
		if (r >= 0)
			return 0;
	}
	if (r < 0) {
		*refused = NULL;
		return podd_error_sys(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- the two callers -------------------------------------------------- */

/* The image as podman names it: "docker://" and the familiar form of the
 * reference (docker.io and library/ left out). */
static void docker_image_name(const struct podd_reference *ref, char *out, size_t n)
{
	const char *repo = ref->repository;
	bool hub = strcmp(ref->domain, "docker.io") == 0;
	if (hub && strncmp(repo, "library/", 8) == 0 && strchr(repo + 8, '/') == NULL)
		repo += 8;
	snprintf(out, n, "docker://%s%s%s%s%s", hub ? "" : ref->domain, hub ? "" : "/", repo,
		 ref->digest[0] ? "@" : ":", ref->digest[0] ? ref->digest : ref->tag);
}

int signature_policy_check_pull(const struct signature_policy *p,
				const struct podd_reference *ref, char **refused, podd_error_t *err)
{
	/* A scope per '/' of the name and per '.' of the host, and two. */
	const size_t max = 2 * PODD_IMAGE_REPO_MAX + 4;
	cleanup_free char(*scopes)[SIGNATURE_POLICY_SCOPE_MAX] = calloc(max, sizeof(*scopes));
	char image[PODD_REFERENCE_MAX + 16];
	size_t n;

	*refused = NULL;
	if (scopes == NULL)
		return podd_error_sys(err, ENOMEM, "out of memory");
	n = signature_policy_docker_scopes(ref, scopes, max);
	docker_image_name(ref, image, sizeof(image));
	return signature_policy_evaluate(p, "docker", scopes, n, image, refused, err);
}

int signature_policy_refuse(const char *name, const char *refused, bool quiet,
			    podd_error_t *err)
{
	if (!quiet) {
		fprintf(stderr, "Trying to pull %s...\n", name);
		fflush(stderr);
	}
	return podd_error(err, PODD_E_NOT_PERMITTED, "%s", refused);
}

int signature_policy_check_load(const char *flag, const char *input, const char *opened,
				char **refused_oci, char **refused_docker, podd_error_t *err)
{
	const size_t max = 64; /* parent directories looked up, deepest first */
	struct signature_policy p;
	cleanup_free char(*scopes)[SIGNATURE_POLICY_SCOPE_MAX] = NULL;
	char abs[PATH_MAX], image[PATH_MAX + 32];
	size_t n = 0;
	int rc;

	*refused_oci = *refused_docker = NULL;
	if (signature_policy_load(flag, &p, err) < 0)
		return -1;
	scopes = calloc(max, sizeof(*scopes));
	if (scopes == NULL) {
		signature_policy_free(&p);
		return podd_error_sys(err, ENOMEM, "out of memory");
	}
	/* oci-archive's scopes are the archive's path with symlinks
	 * resolved and its parents; docker-archive has only "". Stdin has
	 * no path (podman's is a temporary file's). */
	if (opened && realpath(opened, abs) == NULL) {
		int e = errno;
		signature_policy_free(&p);
		return podd_error_sys(err, e, "%s", input ? input : opened);
	}
	if (opened) {
		size_t depth = 0;
		for (const char *s = abs; *s; s++)
			depth += *s == '/';
		/* Every parent must be looked up: a policy's scope on one the
		 * list left out would be skipped. */
		if (depth > max) {
			signature_policy_free(&p);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "%s: more than %zu directories deep for the signature "
					  "policy's scopes",
					  input, max);
		}
		n = signature_policy_path_scopes(abs, scopes, max);
	}
	/* Messages name the file as given, as podman's do. */
	snprintf(image, sizeof(image), "oci-archive:%s:", input ? input : "/dev/stdin");
	rc = signature_policy_evaluate(&p, "oci-archive", scopes, n, image, refused_oci, err);
	snprintf(image, sizeof(image), "docker-archive:%s", input ? input : "/dev/stdin");
	if (rc == 0)
		rc = signature_policy_evaluate(&p, "docker-archive", scopes, 0, image,
					       refused_docker, err);
	if (rc < 0) {
		free(*refused_oci);
		*refused_oci = NULL;
	}
	signature_policy_free(&p);
	return rc;
}

int signature_policy_check_import(const char *flag, const char *input, char **refused,
				  podd_error_t *err)
{
	struct signature_policy p;
	char image[PATH_MAX + 16];
	int rc;

	*refused = NULL;
	if (signature_policy_load(flag, &p, err) < 0)
		return -1;
	/* tarball has no scope but "" (c/image ignores its scopes). */
	snprintf(image, sizeof(image), "tarball:%s", input ? input : "/dev/stdin");
	rc = signature_policy_evaluate(&p, "tarball", NULL, 0, image, refused, err);
	signature_policy_free(&p);
	return rc;
}

int signature_policy_check_storage(const char *flag, char **refused, podd_error_t *err)
{
	struct signature_policy p;
	json_object *transports, *t;
	int rc = 0;

	*refused = NULL;
	if (signature_policy_load(flag, &p, err) < 0)
		return -1;
	/* containers-storage's own scopes ("[driver@root+runroot]name", and
	 * the namespaces c/image derives from them) are not matched by podd:
	 * a policy that has any is refused rather than half applied. */
	if (p.root && json_object_object_get_ex(p.root, "transports", &transports) && transports &&
	    json_object_object_get_ex(transports, "containers-storage", &t)) {
		json_object_object_foreach(t, scope, reqs)
		{
			(void)reqs;
			if (scope[0] != '\0') {
				if (asprintf(refused, "Source image rejected: podd cannot match the "
						      "scope \"%s\" of transport "
						      "\"containers-storage\" in %s",
					     scope, p.path) < 0) {
					*refused = NULL;
					rc = podd_error_sys(err, ENOMEM, "out of memory");
				}
				signature_policy_free(&p);
				return rc;
			}
		}
	}
	/* The image is named once podctl has looked it up: a marker here,
	 * replaced by signature_policy_name_image. */
	rc = signature_policy_evaluate(&p, "containers-storage", NULL, 0, "\x01", refused, err);
	signature_policy_free(&p);
	return rc;
}

int signature_policy_name_image(const char *refused, const char *image, char **out,
				podd_error_t *err)
{
	const char *mark = strchr(refused, '\x01');
	int r = mark ? asprintf(out, "%.*s%s%s", (int)(mark - refused), refused, image, mark + 1)
		     : asprintf(out, "%s", refused);
	if (r < 0) {
		*out = NULL;
		return podd_error_sys(err, ENOMEM, "out of memory");
	}
	return 0;
}
