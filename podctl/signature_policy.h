/* The signature policy (containers-policy.json(5)), as podman 4.3 reads
 * it: which images may be pulled or loaded. podctl reads and evaluates it
 * before its sandbox closes (it can open no file afterwards): for a pull
 * per candidate in pull_plan_make, for load before engine_start.
 *
 * podd evaluates `insecureAcceptAnything` and `reject`. It cannot verify
 * signatures (no GPG or sigstore library in the project), so `signedBy`,
 * `sigstoreSigned` and `signedBaseLayer` refuse the image with an error
 * naming the requirement and the scope, never accept it.
 * docs/ARCHITECTURE.md, "Registries", "Signature policy". */
#ifndef PODCTL_SIGNATURE_POLICY_H
#define PODCTL_SIGNATURE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "reference.h"

#define SIGNATURE_POLICY_MAX (1u << 20) /* bytes of policy.json */

struct json_object;
struct signature_policy {
	char path[4096];          /* the file read, as named */
	struct json_object *root; /* NULL: no default file, insecureAcceptAnything */
};

/* `flag` (--signature-policy) when not NULL: that file, which must exist.
 * Else $HOME/.config/containers/policy.json when it exists (root too, as
 * podman),
 * else /etc/containers/policy.json; podd treats a missing default file as
 * {"default":[{"type":"insecureAcceptAnything"}]} (podman refuses). A
 * malformed file is `invalid policy in "PATH": ...`, as podman says it. */
int signature_policy_load(const char *flag, struct signature_policy *p, podd_error_t *err);
/* The checks of signature_policy_load on `text`, named `path` in errors. */
int signature_policy_parse(const char *text, const char *path, struct signature_policy *p,
			   podd_error_t *err);
void signature_policy_free(struct signature_policy *p);

/* The scopes c/image looks up for a docker reference, most specific
 * first: "host/repo:tag" (or "@digest"), "host/repo", each namespace up
 * to "host", then the wildcards "*.rest-of-host" for each dot in the
 * host. Returns how many were written (at most `max`). */
#define SIGNATURE_POLICY_SCOPE_MAX 4096 /* PATH_MAX */
size_t signature_policy_docker_scopes(const struct podd_reference *ref,
				      char (*out)[SIGNATURE_POLICY_SCOPE_MAX], size_t max);
/* The same for a path-scoped transport (oci-archive): the absolute path,
 * then each parent directory, not "/". */
size_t signature_policy_path_scopes(const char *abs, char (*out)[SIGNATURE_POLICY_SCOPE_MAX],
				    size_t max);

/* Which requirements apply: transports[transport][the first of `scopes`
 * present], else transports[transport][""], else default. *scope is the
 * key matched, "" for the transport's default, NULL for the global one. */
struct json_object *signature_policy_requirements(const struct signature_policy *p,
						  const char *transport,
						  char (*scopes)[SIGNATURE_POLICY_SCOPE_MAX],
						  size_t n, const char **scope);

/* Evaluates the requirements for `scopes` of `transport`; `image` is the
 * image as podman names it in messages ("docker://host/repo:tag"). Accepted:
 * 0 with *refused NULL. Refused: 0 with *refused the message (caller
 * frees): podman's for `reject`, podd's for what it cannot verify. */
int signature_policy_evaluate(const struct signature_policy *p, const char *transport,
			      char (*scopes)[SIGNATURE_POLICY_SCOPE_MAX], size_t n,
			      const char *image, char **refused, podd_error_t *err);

/* For pull_plan_make, per candidate: the policy (loaded once for all of
 * them) evaluated for `ref` on the docker transport. */
int signature_policy_check_pull(const struct signature_policy *p,
				const struct podd_reference *ref, char **refused, podd_error_t *err);

/* A candidate refused in pull_plan_make, when its turn comes: podman's
 * "Trying to pull NAME..." line (not with -q), then the refusal. */
int signature_policy_refuse(const char *name, const char *refused, bool quiet,
			    podd_error_t *err);

/* For load: the policy for an archive given as `input` (NULL: stdin) and
 * opened as the regular file the kernel names `opened` (/proc/self/fd;
 * NULL for stdin or a pipe: only the transports' "" scopes and the default
 * apply), as an oci-archive and as a docker-archive; podctl cannot tell
 * which before podd-image reads it. The scopes come from `opened`, the
 * messages name `input`, as podman's do. Each *refused_* is NULL
 * (accepted) or the message to refuse with. */
int signature_policy_check_load(const char *flag, const char *input, const char *opened,
				char **refused_oci, char **refused_docker, podd_error_t *err);

/* For import: the "tarball" transport, which has no scope but "". */
int signature_policy_check_import(const char *flag, const char *input, char **refused,
				  podd_error_t *err);

/* For save (the source is the store: transport "containers-storage";
 * podman 4.3 applies the policy there too). Only its "" scope and the
 * default are matched; a policy with other containers-storage scopes
 * refuses. The decision does not depend on the image, so it is made
 * before the output file is opened; the refusal names the image with
 * signature_policy_name_image once it is looked up. */
int signature_policy_check_storage(const char *flag, char **refused, podd_error_t *err);
int signature_policy_name_image(const char *refused, const char *image, char **out,
				podd_error_t *err);

#endif
