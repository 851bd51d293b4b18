/* podctl login and logout: credentials in podman's auth file, or in the
 * credential helper its "credHelpers" names for the registry
 * (cred_helper.h). login asks podd-image-registry to check them against
 * the registry (LoginRequest) before it saves them; the auth file is
 * opened (and created), and a helper's `store` prepared, before podctl's
 * sandbox closes, and written or called afterwards. logout needs no
 * podd helper. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "cleanup.h"
#include "cred_helper.h"
#include "image.pb-c.h"
#include "podctl.h"
#include "reference.h"
#include "registries.h"

#define PASSWORD_MAX 4096

/* "https://host/path" or "host/path" -> "host" (podman accepts both). */
static const char *registry_key(const char *arg, char *out, size_t n)
{
	const char *s = arg;
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	snprintf(out, n, "%s", s);
	out[strcspn(out, "/")] = '\0';
	if (strcmp(out, "index.docker.io") == 0 || strcmp(out, "registry-1.docker.io") == 0)
		snprintf(out, n, "docker.io");
	return out;
}

static int read_line(FILE *in, char *buf, size_t n)
{
	if (fgets(buf, (int)n, in) == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int cmd_login(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, 'S' },
		{ "tls-verify", optional_argument, NULL, 't' },
		{ "authfile", required_argument, NULL, 'a' },
		{ "cert-dir", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user = NULL, *password = NULL, *authfile = NULL, *cert_dir = NULL;
	__attribute__((cleanup(registry_certs_free))) struct registry_certs certs = { 0 };
	Podd__RegistryTls tls;
	bool password_stdin = false;
	int tls_verify = -1, c;
	char userbuf[PASSWORD_MAX], passbuf[PASSWORD_MAX], key[PODD_IMAGE_REPO_MAX + 1],
		path[4096];
	struct auth_file af = { .fd = -1 };
	struct registries_conf conf;
	struct cred_helper_call store = { .pid = -1, .in = -1, .out = -1 };
	const char *helper = NULL;
	podd_error_t err = NULL;
	struct engine e = { 0 };
	cleanup_message ProtobufCMessage *ok = NULL;
	Podd__LoginRequest req = PODD__LOGIN_REQUEST__INIT;
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "u:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'p':
			password = optarg;
			break;
		case 'S':
			password_stdin = true;
			break;
		case 't':
			if (optarg == NULL || strcmp(optarg, "true") == 0) {
				tls_verify = 1;
			} else if (strcmp(optarg, "false") == 0) {
				tls_verify = 0;
			} else {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"--tls-verify\"\n",
					optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'a':
			authfile = optarg;
			break;
		case 'C':
			cert_dir = optarg;
			break;
		case 'h':
			printf("Usage: podctl login [-u USER] [-p PASS | --password-stdin] "
			       "[--tls-verify=BOOL] [--authfile FILE] [--cert-dir DIR] REGISTRY\n\n"
			       "Log in to a container registry.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: login accepts only one registry to login to\n");
		return EXIT_ENGINE;
	}
	if (password && password_stdin) {
		fprintf(stderr, "Error: --password and --password-stdin are mutually exclusive\n");
		return EXIT_ENGINE;
	}
	registry_key(argv[optind], key, sizeof(key));
	if (user == NULL) {
		if (password_stdin) {
			fprintf(stderr, "Error: --password-stdin requires --username\n");
			return EXIT_ENGINE;
		}
		fprintf(stderr, "Username: ");
		if (read_line(stdin, userbuf, sizeof(userbuf)) < 0 || userbuf[0] == '\0') {
			fprintf(stderr, "Error: username can't be empty\n");
			return EXIT_ENGINE;
		}
		user = userbuf;
	}
	if (password_stdin) {
		if (read_line(stdin, passbuf, sizeof(passbuf)) < 0) {
			fprintf(stderr, "Error: reading the password from stdin\n");
			return EXIT_ENGINE;
		}
		password = passbuf;
	} else if (password == NULL) {
		char *p = isatty(STDIN_FILENO) ? getpass("Password: ") : NULL;
		if (p == NULL) {
			fprintf(stderr, "Error: password required (-p or --password-stdin)\n");
			return EXIT_ENGINE;
		}
		snprintf(passbuf, sizeof(passbuf), "%s", p);
		explicit_bzero(p, strlen(p));
		password = passbuf;
	}
	if (password[0] == '\0') {
		fprintf(stderr, "Error: password can't be empty\n");
		return EXIT_ENGINE;
	}
	if (registries_conf_load(&conf, &err) < 0)
		return report_error(&err);
	if (tls_verify < 0)
		tls_verify = !registries_conf_insecure(&conf, key);
	/* A blocked registry gets no credentials: podman's words. */
	if (registries_conf_check_blocked(&conf, key, &err) < 0) {
		registries_conf_free(&conf);
		podd_error_wrap(&err, "authenticating creds for \"%s\": creating new docker client",
				key);
		return report_error(&err);
	}
	registries_conf_free(&conf);
	if (registry_certs_read(cert_dir, key, &certs, &err) < 0)
		return report_error(&err);

	auth_file_path(authfile, path, sizeof(path));
	if (auth_file_open(path, true, &af, &err) < 0 ||
	    auth_file_cred_helper(&af, key, &helper, &err) < 0) {
		auth_file_close(&af);
		return report_error(&err);
	}
	/* A helper stores the credentials instead of the file; podctl
	 * executes nothing once sandboxed, so its call is set up now. */
	if (helper && cred_helper_prepare(helper, "store", &store, &err) < 0) {
		auth_file_close(&af);
		return report_error(&err);
	}
	if (engine_start(&e, g, NEED_REGISTRY, &err) < 0)
		goto fail;
	req.registry = key;
	req.tls_verify = tls_verify == 1;
	req.tls = registry_certs_msg(&certs, &tls);
	creds.username = (char *)user;
	creds.password = (char *)password;
	req.credentials = &creds;
	if (podd_client_call(&e.helpers[HELPER_REGISTRY].peer, PODD__IMAGE_TYPE__IMAGE_TYPE_LOGIN,
			     &req.base, PODD__COMMON_TYPE__COMMON_TYPE_OK, &podd__ok__descriptor,
			     &ok, &err) < 0) {
		engine_helper_failed(&e, HELPER_REGISTRY, &err);
		podd_error_wrap(&err, "logging into \"%s\"", key);
		goto fail;
	}
	if (helper) {
		cleanup_free char *input = cred_helper_store_input(key, user, password);
		cleanup_free char *out = NULL;
		if (input == NULL) {
			podd_error_sys(&err, ENOMEM, "login");
			goto fail;
		}
		int rc = cred_helper_finish(&store, input, "storing", &out, &err);
		explicit_bzero(input, strlen(input));
		if (rc != 0) {
			if (rc > 0)
				podd_error(&err, PODD_E_RUNTIME,
					   "error storing credentials - err: %s", helper);
			podd_error_wrap(&err, "logging into \"%s\"", key);
			goto fail;
		}
	} else if (auth_file_set(&af, key, user, password, &err) < 0 ||
		   auth_file_save(&af, &err) < 0) {
		goto fail;
	}
	explicit_bzero(passbuf, sizeof(passbuf));
	engine_stop(&e);
	auth_file_close(&af);
	printf("Login Succeeded!\n");
	return 0;
fail:
	explicit_bzero(passbuf, sizeof(passbuf));
	cred_helper_abort(&store);
	engine_stop(&e);
	auth_file_close(&af);
	return report_error(&err);
}

int cmd_logout(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "authfile", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *authfile = NULL;
	bool all = false;
	char key[PODD_IMAGE_REPO_MAX + 1], path[4096];
	struct auth_file af = { .fd = -1 };
	podd_error_t err = NULL;
	int c, removed;
	(void)g;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'a':
			all = true;
			break;
		case 'F':
			authfile = optarg;
			break;
		case 'h':
			printf("Usage: podctl logout [--authfile FILE] [-a | REGISTRY]\n\n"
			       "Log out of a container registry.\n");
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if ((all && argc - optind != 0) || (!all && argc - optind != 1)) {
		fprintf(stderr, all ? "Error: --all takes no registry\n"
				    : "Error: registry must be given\n");
		return EXIT_ENGINE;
	}
	auth_file_path(authfile, path, sizeof(path));
	if (auth_file_open(path, false, &af, &err) < 0) {
		auth_file_close(&af);
		if (err->sys_errno == ENOENT && !all) {
			podd_error_free(&err);
			fprintf(stderr, "Error: not logged into %s\n",
				registry_key(argv[optind], key, sizeof(key)));
			return EXIT_ENGINE;
		}
		if (err->sys_errno == ENOENT) {
			podd_error_free(&err);
			printf("Removed login credentials for all registries\n");
			return 0;
		}
		return report_error(&err);
	}
	if (!all) {
		const char *helper;
		registry_key(argv[optind], key, sizeof(key));
		c = auth_file_cred_helper(&af, key, &helper, &err);
		if (c > 0) {
			/* The helper holds them; the file is left alone. */
			c = cred_helper_erase(helper, key, &err);
			auth_file_close(&af);
			if (c < 0)
				return report_error(&err);
			if (c > 0) {
				fprintf(stderr, "Error: not logged into %s\n", key);
				return EXIT_ENGINE;
			}
			printf("Removed login credentials for %s\n", key);
			return 0;
		}
		if (c < 0) {
			auth_file_close(&af);
			return report_error(&err);
		}
	} else if (auth_file_erase_helpers(&af, &err) < 0) {
		auth_file_close(&af);
		return report_error(&err);
	}
	removed = auth_file_remove(&af, all ? NULL : key);
	if (!all && removed == 0) {
		auth_file_close(&af);
		fprintf(stderr, "Error: not logged into %s\n", key);
		return EXIT_ENGINE;
	}
	if (auth_file_save(&af, &err) < 0) {
		auth_file_close(&af);
		return report_error(&err);
	}
	auth_file_close(&af);
	if (all)
		printf("Removed login credentials for all registries\n");
	else
		printf("Removed login credentials for %s\n", key);
	return 0;
}
