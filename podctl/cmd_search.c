/* podctl search [--tls-verify=BOOL] [--authfile F] [--creds U:P]
 * [--cert-dir D] [--limit N] [--list-tags] [--no-trunc] [--compatible]
 * [--format json|TEMPLATE] [--filter ...] TERM, as podman 4.3 (libimage's
 * Search) does it: "REGISTRY/TERM" searches that registry, a term without
 * a slash every unqualified-search registry of registries.json in turn.
 * Each registry's settings (blocked, insecure), credentials and certs.d
 * are read before the sandbox; podd-image-registry asks the registry
 * (SearchRequest, podd-image/search.c); the results of the registries
 * that answered are shown, and the errors only when none did. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "certs.h"
#include "cleanup.h"
#include "term_safe.h"
#include "image.pb-c.h"
#include "podctl.h"
#include "reference.h"
#include "registries.h"
#include "search.h"
#include "validate.h"

#define SEARCH_MAX_QUERIES 25     /* libimage's default limit */
#define SEARCH_LIMIT_MAX 10000    /* SearchRequest's bound (proto/image.proto) */
#define DESCRIPTION_TRUNC 44      /* podman's cut of a description in a table */

/* --filter, as containers/common's ParseSearchFilter reads it. */
struct search_filter {
	int stars;
	int official, automated; /* -1: any, 0 / 1 */
};

struct search_opts {
	int tls_verify; /* -1: registries.json decides */
	const char *authfile, *creds, *cert_dir, *format;
	long limit;
	bool limit_set, list_tags, no_trunc, compatible;
	struct search_filter filter;
};

/* One registry to ask. */
struct target {
	char registry[PODD_IMAGE_REPO_MAX + 1];
	char term[PODD_IMAGE_REPO_MAX + 1];
	char name[2 * PODD_IMAGE_REPO_MAX + 2]; /* --list-tags: the repository's full name */
	char *blocked; /* "creating new docker client: registry X is blocked in PATH" */
	char *user, *password;
	bool tls_verify;
	struct registry_certs certs;
};

static void targets_free(struct target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].blocked);
		free(t[i].user);
		if (t[i].password)
			explicit_bzero(t[i].password, strlen(t[i].password));
		free(t[i].password);
		registry_certs_free(&t[i].certs);
	}
	free(t);
}

static int filter_parse(struct search_filter *f, char **args, size_t n, podd_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '=');
		size_t klen = eq ? (size_t)(eq - args[i]) : strlen(args[i]);
		if (klen == 5 && strncmp(args[i], "stars", 5) == 0) {
			char *end;
			long v;
			if (eq == NULL) {
				/* Go prints the whole list with %q. */
				char list[4096];
				size_t used = 0;
				for (size_t k = 0; k < n && used < sizeof(list) - 8; k++)
					used += (size_t)snprintf(list + used, sizeof(list) - used,
								 "%s\"%s\"", k ? " " : "",
								 args[k]);
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "invalid filter [%s], should be stars=<value>",
						  list);
			}
			errno = 0;
			v = strtol(eq + 1, &end, 10);
			if (eq[1] == '\0' || *end != '\0' || errno || v < -2147483647L ||
			    v > 2147483647L)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "incorrect value type for stars filter: "
						  "strconv.Atoi: parsing \"%s\": %s",
						  eq + 1,
						  errno == ERANGE ? "value out of range"
								  : "invalid syntax");
			f->stars = (int)v;
		} else if (klen == 12 && strncmp(args[i], "is-automated", 12) == 0) {
			f->automated = eq && strcmp(eq + 1, "false") == 0 ? 0 : 1;
		} else if (klen == 11 && strncmp(args[i], "is-official", 11) == 0) {
			f->official = eq && strcmp(eq + 1, "false") == 0 ? 0 : 1;
		} else {
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid filter type \"%s\"",
					  args[i]);
		}
	}
	return 0;
}

static bool filter_match(const struct search_filter *f, const Podd__SearchResult *r)
{
	if (f->stars > 0 && r->stars < (uint32_t)f->stars)
		return false;
	if (f->official >= 0 && r->official != (f->official == 1))
		return false;
	if (f->automated >= 0 && r->automated != (f->automated == 1))
		return false;
	return true;
}

/* The targets of `term`, their settings read now (podctl opens no file
 * once its helpers run). */
static int plan(const char *term, const struct search_opts *o, struct target **out, size_t *nout,
		podd_error_t *err)
{
	struct registries_conf conf;
	const char *slash = strchr(term, '/');
	struct target *t = NULL;
	size_t n = 0, want;
	char path[4096];
	int rc = -1;

	if (registries_conf_load(&conf, err) < 0)
		return -1;
	want = slash ? 1 : conf.n_search;
	t = calloc(want ? want : 1, sizeof(*t));
	if (t == NULL) {
		podd_error_sys(err, ENOMEM, "out of memory");
		goto out;
	}
	auth_file_path(o->authfile, path, sizeof(path));
	for (size_t i = 0; i < want; i++, n++) {
		struct target *g = &t[i];
		const char *reg = slash ? term : conf.search[i];
		size_t reglen = slash ? (size_t)(slash - term) : strlen(reg);
		const char *rest = slash ? slash + 1 : term;
		char repo[2 * PODD_IMAGE_REPO_MAX + 2];

		if (reglen > PODD_IMAGE_REPO_MAX || strlen(rest) > PODD_IMAGE_REPO_MAX) {
			podd_error(err, PODD_E_INVALID_ARGUMENT, "search term too long: %s", term);
			goto out;
		}
		memcpy(g->registry, reg, reglen);
		g->registry[reglen] = '\0';
		snprintf(g->term, sizeof(g->term), "%s", rest);
		if (o->list_tags) {
			/* containers/image's docker reference: a short name is
			 * docker.io's; the tag, if any, is not asked for. */
			struct podd_reference ref;
			podd_error_t e = NULL;
			char full[2 * PODD_IMAGE_REPO_MAX + 2];
			snprintf(full, sizeof(full), "%s/%s", g->registry, g->term);
			if (g->term[0] == '\0' || podd_reference_parse(full, &ref, &e) < 0 ||
			    (!ref.qualified && podd_reference_qualify("docker.io", full, &ref, &e) < 0)) {
				podd_error_free(&e);
				if (asprintf(&g->blocked, "reference \"%s\" must be a docker reference",
					     g->term) < 0)
					g->blocked = NULL;
				continue;
			}
			snprintf(g->registry, sizeof(g->registry), "%s", ref.domain);
			snprintf(g->term, sizeof(g->term), "%s", ref.repository);
			podd_reference_repo(&ref, g->name, sizeof(g->name));
		}
		snprintf(repo, sizeof(repo), "%s%s%s", g->registry, o->list_tags ? "/" : "",
			 o->list_tags ? g->term : "");
		if (registries_conf_check_blocked(&conf, repo, err) < 0) {
			if (asprintf(&g->blocked, "creating new docker client: %s", (*err)->msg) < 0)
				g->blocked = NULL;
			podd_error_free(err);
			continue;
		}
		g->tls_verify = o->tls_verify >= 0 ? o->tls_verify == 1
						   : !registries_conf_insecure(&conf, repo);
		if (o->creds) {
			if (creds_split(o->creds, &g->user, &g->password, err) < 0)
				goto out;
		} else if (auth_lookup(path, repo, &g->user, &g->password, err) < 0) {
			goto out;
		}
		if (registry_certs_read(o->cert_dir, g->registry, &g->certs, err) < 0)
			goto out;
	}
	*out = steal_pointer(&t);
	*nout = n;
	rc = 0;
out:
	registries_conf_free(&conf);
	if (t)
		targets_free(t, want); /* calloc'ed: the ones not reached are empty */
	return rc;
}

struct collect {
	const struct search_opts *o;
	const struct target *t;
	struct search_rows *rows;
	size_t got, limit;
};

static bool repository_valid(const char *s)
{
	return strlen(s) <= PODD_IMAGE_REPO_MAX && !strchr(s, ':') && !strchr(s, '@') &&
	       podd_image_name_valid(s);
}

/* Text a terminal may show as it is: what term_safe leaves unchanged
 * (UTF-8, no C0, DEL or C1 control, raw or encoded). */
static bool text_clean(const char *s)
{
	cleanup_free char *safe = term_safe(s);

	return safe != NULL && strcmp(safe, s) == 0;
}

/* `r` (its four strings, any NULL when its allocation failed) added to
 * the rows, or freed. */
static int add_row(struct search_rows *rows, struct search_row *r, podd_error_t *err)
{
	struct search_row *grown = NULL;

	if (r->name && r->tag && r->index && r->description)
		grown = realloc(rows->v, (rows->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(r->index);
		free(r->name);
		free(r->description);
		free(r->tag);
		return podd_error_sys(err, ENOMEM, "search");
	}
	rows->v = grown;
	rows->v[rows->n++] = *r;
	return 0;
}

/* libimage's rows from what podd-image-registry found, each field checked
 * again here (it parsed a registry's answer). */
static int collect_chunk(const ProtobufCMessage *chunk, void *data, podd_error_t *err)
{
	const Podd__SearchReply *m = (const Podd__SearchReply *)chunk;
	struct collect *c = data;
	/* JSON keeps whole descriptions, as podman's does. */
	bool json = format_is_json(c->o->format);

	if (c->got + m->n_results + m->n_tags > c->limit)
		return podd_error(err, PODD_E_PROTOCOL,
				  "podd-image-registry: more results than asked for");
	c->got += m->n_results + m->n_tags;
	for (size_t i = 0; i < m->n_tags; i++) {
		struct search_row r = { 0 };
		char probe[PODD_IMAGE_NAME_MAX + 1];
		snprintf(probe, sizeof(probe), "x:%s", m->tags[i]);
		if (strlen(m->tags[i]) > PODD_IMAGE_TAG_MAX || !podd_image_name_valid(probe))
			return podd_error(err, PODD_E_PROTOCOL, "podd-image-registry: invalid tag");
		r.name = strdup(c->t->name);
		r.tag = strdup(m->tags[i]);
		r.index = strdup("");
		r.description = strdup("");
		if (add_row(c->rows, &r, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < m->n_results; i++) {
		const Podd__SearchResult *res = m->results[i];
		struct search_row r = { 0 };
		size_t dlen;
		if (res == NULL || !repository_valid(res->name) || !text_clean(res->description) ||
		    strlen(res->description) > 1024)
			return podd_error(err, PODD_E_PROTOCOL,
					  "podd-image-registry: invalid search result");
		if (!filter_match(&c->o->filter, res))
			continue;
		/* libimage: docker.io's one-component names are library's. */
		bool library = strcmp(c->t->registry, "docker.io") == 0 && !strchr(res->name, '/');
		if (asprintf(&r.name, "%s/%s%s", c->t->registry, library ? "library/" : "",
			     res->name) < 0)
			r.name = NULL;
		dlen = strlen(res->description);
		if (dlen > DESCRIPTION_TRUNC && !c->o->no_trunc && !json) {
			/* podman: the first 44 bytes, trimmed, then "..." (here
			 * cut on a character boundary). */
			const char *d = res->description;
			size_t cut = DESCRIPTION_TRUNC;
			while (cut > 0 && ((unsigned char)d[cut] & 0xc0) == 0x80)
				cut--;
			while (cut > 0 && isspace((unsigned char)*d)) {
				d++;
				cut--;
			}
			while (cut > 0 && isspace((unsigned char)d[cut - 1]))
				cut--;
			if (asprintf(&r.description, "%.*s...", (int)cut, d) < 0)
				r.description = NULL;
		} else {
			r.description = strdup(res->description);
		}
		r.index = strdup(c->t->registry);
		r.tag = strdup("");
		r.stars = res->stars;
		r.official = res->official;
		r.automated = res->automated;
		if (add_row(c->rows, &r, err) < 0)
			return -1;
	}
	return 0;
}

static int search_one(struct engine *e, const struct search_opts *o, const struct target *t,
		      size_t limit, struct search_rows *rows, podd_error_t *err)
{
	Podd__SearchRequest req = PODD__SEARCH_REQUEST__INIT;
	Podd__RegistryCredentials creds = PODD__REGISTRY_CREDENTIALS__INIT;
	Podd__RegistryTls tls;
	struct collect c = { .o = o, .t = t, .rows = rows, .limit = limit };

	if (t->blocked)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "%s", t->blocked);
	req.registry = (char *)t->registry;
	req.term = (char *)t->term;
	req.list_tags = o->list_tags;
	req.limit = (uint32_t)limit;
	req.tls_verify = t->tls_verify;
	req.tls = registry_certs_msg(&t->certs, &tls);
	if (t->user) {
		creds.username = t->user;
		creds.password = t->password;
		req.credentials = &creds;
	}
	if (podd_client_call_stream(&e->helpers[HELPER_REGISTRY].peer,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH, &req.base,
				    PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH_REPLY,
				    &podd__search_reply__descriptor, collect_chunk, &c, err) < 0)
		return engine_helper_failed(e, HELPER_REGISTRY, err);
	return 0;
}

static void usage(void)
{
	printf("Usage: podctl search [options] TERM\n\n"
	       "Search registries for image.\n\n"
	       "Options:\n"
	       "      --authfile FILE     path of the authentication file (REGISTRY_AUTH_FILE)\n"
	       "      --cert-dir DIR      certificates for the registry (certs.d otherwise)\n"
	       "      --compatible        list stars, official and automated columns\n"
	       "      --creds USER[:PASS] credentials for the registry\n"
	       "  -f, --filter FILTER     stars=N, is-official[=BOOL], is-automated[=BOOL]\n"
	       "      --format FORMAT     json or a Go template\n"
	       "      --limit N           limit the number of results (default 25)\n"
	       "      --list-tags         list the tags of the repository\n"
	       "      --no-trunc          do not truncate descriptions\n"
	       "      --tls-verify[=BOOL] require HTTPS and verify certificates\n");
}

int cmd_search(const struct global_opts *g, int argc, char **argv)
{
	enum { OPT_AUTHFILE = 256, OPT_CERT_DIR, OPT_COMPATIBLE, OPT_CREDS, OPT_FORMAT, OPT_LIMIT,
	       OPT_LIST_TAGS, OPT_NO_TRUNC, OPT_TLS_VERIFY };
	static const struct option opts[] = {
		{ "authfile", required_argument, NULL, OPT_AUTHFILE },
		{ "cert-dir", required_argument, NULL, OPT_CERT_DIR },
		{ "compatible", no_argument, NULL, OPT_COMPATIBLE },
		{ "creds", required_argument, NULL, OPT_CREDS },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "list-tags", no_argument, NULL, OPT_LIST_TAGS },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct search_opts o = { .tls_verify = -1, .filter = { .official = -1, .automated = -1 } };
	cleanup_free char **filters = NULL;
	struct search_rows rows = { 0 };
	struct target *targets = NULL;
	size_t nfilters = 0, ntargets = 0, limit, nerrors = 0;
	cleanup_free char *errors = NULL;
	podd_error_t err = NULL;
	struct engine e = { 0 };
	enum search_output out;
	int c, rc = EXIT_ENGINE;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AUTHFILE:
			o.authfile = optarg;
			break;
		case OPT_CERT_DIR:
			o.cert_dir = optarg;
			break;
		case OPT_COMPATIBLE:
			o.compatible = true;
			break;
		case OPT_CREDS:
			o.creds = optarg;
			break;
		case 'f': {
			char **grown = realloc(filters, (nfilters + 1) * sizeof(*grown));
			if (grown == NULL) {
				fprintf(stderr, "Error: out of memory\n");
				return EXIT_ENGINE;
			}
			filters = grown;
			filters[nfilters++] = optarg;
			break;
		}
		case OPT_FORMAT:
			o.format = optarg;
			break;
		case OPT_LIMIT: {
			char *end;
			errno = 0;
			o.limit = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || errno) {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"--limit\" flag: "
					"strconv.ParseInt: parsing \"%s\": %s\n"
					"See 'podctl search --help'\n",
					optarg, optarg,
					errno == ERANGE ? "value out of range" : "invalid syntax");
				return EXIT_ENGINE;
			}
			o.limit_set = true;
			break;
		}
		case OPT_LIST_TAGS:
			o.list_tags = true;
			break;
		case OPT_NO_TRUNC:
			o.no_trunc = true;
			break;
		case OPT_TLS_VERIFY:
			if (optarg == NULL || strcmp(optarg, "true") == 0) {
				o.tls_verify = 1;
			} else if (strcmp(optarg, "false") == 0) {
				o.tls_verify = 0;
			} else {
				fprintf(stderr,
					"Error: invalid argument \"%s\" for \"--tls-verify\" flag: "
					"strconv.ParseBool: parsing \"%s\": invalid syntax\n",
					optarg, optarg);
				return EXIT_ENGINE;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: accepts 1 arg(s), received %d\n", argc - optind);
		return EXIT_ENGINE;
	}
	if (filter_parse(&o.filter, filters, nfilters, &err) < 0)
		return report_error(&err);
	/* podman: an auth file named (--authfile, else REGISTRY_AUTH_FILE)
	 * must exist. */
	if (o.authfile || getenv("REGISTRY_AUTH_FILE")) {
		const char *named = o.authfile ? o.authfile : getenv("REGISTRY_AUTH_FILE");
		struct stat st;
		if (named[0] && stat(named, &st) < 0) {
			char why[128];
			snprintf(why, sizeof(why), "%s", strerror(errno));
			why[0] = (char)tolower((unsigned char)why[0]); /* Go's spelling */
			podd_error(&err, PODD_E_INVALID_ARGUMENT, "stat %s: %s", named, why);
			return report_error(&err);
		}
	}
	/* libimage: 25 unless --limit says more (or less); a limit below 1
	 * shows nothing, and past SEARCH_LIMIT_MAX podd shows no more. */
	limit = !o.limit_set || o.limit == 0 ? SEARCH_MAX_QUERIES
	      : o.limit < 0		     ? 0
	      : o.limit > SEARCH_LIMIT_MAX   ? SEARCH_LIMIT_MAX
					     : (size_t)o.limit;
	if (plan(argv[optind], &o, &targets, &ntargets, &err) < 0)
		return report_error(&err);
	if (ntargets == 0 || limit == 0) {
		targets_free(targets, ntargets);
		return 0;
	}
	if (engine_start(&e, g, NEED_REGISTRY, &err) < 0) {
		targets_free(targets, ntargets);
		return report_error(&err);
	}
	for (size_t i = 0; i < ntargets; i++) {
		char *joined = NULL;
		size_t before = rows.n;
		if (search_one(&e, &o, &targets[i], limit, &rows, &err) == 0)
			continue;
		/* A registry that failed midway shows nothing. */
		for (size_t k = before; k < rows.n; k++) {
			free(rows.v[k].index);
			free(rows.v[k].name);
			free(rows.v[k].description);
			free(rows.v[k].tag);
		}
		rows.n = before;
		if (err->code == PODD_E_PROTOCOL) {
			engine_stop(&e);
			targets_free(targets, ntargets);
			search_rows_free(&rows);
			return report_error(&err);
		}
		if (asprintf(&joined, "%s\t* %s\n", errors ? errors : "", err->msg) < 0)
			joined = NULL;
		free(errors);
		errors = joined;
		nerrors++;
		podd_error_free(&err);
	}
	engine_stop(&e);
	targets_free(targets, ntargets);
	/* libimage: one registry that answered is enough. */
	if (rows.n == 0 && nerrors > 0) {
		fflush(stdout);
		fprintf(stderr, "Error: %zu error%s occurred:\n%s\n\n", nerrors,
			nerrors == 1 ? "" : "s", errors ? errors : "");
		return EXIT_ENGINE;
	}
	if (rows.n == 0)
		return 0;
	if (o.list_tags)
		out = format_is_json(o.format) ? SEARCH_OUTPUT_TAGS_JSON
								 : SEARCH_OUTPUT_TAGS;
	else if (format_is_json(o.format))
		out = SEARCH_OUTPUT_JSON;
	else if (o.format && strcmp(o.format, "table") != 0)
		out = SEARCH_OUTPUT_TEMPLATE;
	else
		out = SEARCH_OUTPUT_TABLE;
	if (o.list_tags && nfilters > 0) {
		podd_error(&err, PODD_E_INVALID_ARGUMENT,
			   "filters are not applicable to list tags result");
		rc = report_error(&err);
	} else if (search_print(&rows, out, o.compatible, o.format, &err) < 0) {
		rc = report_error(&err);
	} else {
		rc = 0;
	}
	search_rows_free(&rows);
	return rc;
}
