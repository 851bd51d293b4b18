/* SearchRequest (podctl search): repositories at a registry, or a
 * repository's tags, as containers/image's SearchRegistry and
 * GetRepositoryTags find them. Everything the registry answers is hostile:
 * each page is bounded (PAGE_MAX bytes, PAGES_MAX pages), each name and
 * tag checked against the reference grammar (one that fails is left out),
 * each description cleaned of control characters and cut; at most
 * `limit` results are kept, and sent in chunks well under a frame. */
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "manifest.h"
#include "reference.h"
#include "registry.h"
#include "registry_handlers.h"
#include "validate.h"
#include "wire.h"

#define SEARCH_LIMIT_MAX 10000
#define PAGE_MAX (1u << 20)        /* one catalog, tags or v1 search page */
#define PAGES_MAX 1000             /* of a catalog or tags list */
#define DESCRIPTION_MAX 1024
#define CHUNK_RESULTS 64           /* 64 * (255 + 1024 + overhead) < a frame */
#define CHUNK_TAGS 512             /* 512 * (128 + overhead) < a frame */

struct found {
	Podd__SearchResult **results;
	size_t n_results;
	char **tags;
	size_t n_tags;
	size_t limit;
};

static void found_free(struct found *f)
{
	for (size_t i = 0; i < f->n_results; i++) {
		free(f->results[i]->name);
		free(f->results[i]->description);
		free(f->results[i]);
	}
	free(f->results);
	for (size_t i = 0; i < f->n_tags; i++)
		free(f->tags[i]);
	free(f->tags);
}

/* A repository path as a registry may name one: the reference grammar's
 * components, no tag, no digest. */
static bool repository_valid(const char *s)
{
	return strlen(s) <= PODD_IMAGE_REPO_MAX && !strchr(s, ':') && !strchr(s, '@') &&
	       podd_image_name_valid(s);
}

static bool tag_valid(const char *s)
{
	char probe[PODD_IMAGE_NAME_MAX + 1];
	if (s[0] == '\0' || strlen(s) > PODD_IMAGE_TAG_MAX)
		return false;
	snprintf(probe, sizeof(probe), "x:%s", s);
	return podd_image_name_valid(probe);
}

/* A description (valid UTF-8: json-c checked it) with newlines as spaces,
 * as podman shows it, any other C0 control, DEL and C1 control as '?',
 * cut at DESCRIPTION_MAX bytes on a character boundary. */
static char *description_clean(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out;

	if (n > DESCRIPTION_MAX) {
		n = DESCRIPTION_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			out[o++] = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '?';
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9f) {
			out[o++] = '?'; /* U+0080..U+009F: C1 controls (CSI is U+009B) */
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

static int add_result(struct found *f, const char *name, const char *description,
		      int64_t stars, bool official, bool automated, podd_error_t *err)
{
	Podd__SearchResult *r, **grown;

	grown = realloc(f->results, (f->n_results + 1) * sizeof(*grown));
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "search");
	f->results = grown;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return podd_error_sys(err, ENOMEM, "search");
	podd__search_result__init(r);
	r->name = strdup(name);
	r->description = description_clean(description ? description : "");
	if (r->name == NULL || r->description == NULL) {
		free(r->name);
		free(r->description);
		free(r);
		return podd_error_sys(err, ENOMEM, "search");
	}
	r->stars = stars < 0 ? 0 : stars > UINT32_MAX ? UINT32_MAX : (uint32_t)stars;
	r->official = official;
	r->automated = automated;
	f->results[f->n_results++] = r;
	return 0;
}

static json_object *parse_page(const char *body, size_t len)
{
	json_tokener *tk = json_tokener_new_ex(META_MAX_DEPTH);
	json_object *root = NULL;
	if (tk == NULL)
		return NULL;
	/* Descriptions reach a terminal: only valid UTF-8 is taken. */
	json_tokener_set_flags(tk, JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tk, body, (int)len);
	if (json_tokener_get_error(tk) != json_tokener_success) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tk);
	return root;
}

static const char *object_string(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static bool object_bool(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* GET /v1/search?q=TERM&n=LIMIT, anonymous, as containers/image asks it
 * first: 1 with results taken, 0 when the registry has no such API (any
 * failure: the catalog is tried next, as there). */
static int search_v1(struct registry *reg, const char *registry, const char *term,
		     struct found *f, podd_error_t *err)
{
	cleanup_free char *body = NULL, *next = NULL;
	char path[PODD_IMAGE_REPO_MAX * 3 + 64], *q = curl_easy_escape(NULL, term, 0);
	json_object *root, *results;
	podd_error_t e = NULL;
	size_t len;
	long status;
	int rc = 0;

	if (q == NULL)
		return podd_error_sys(err, ENOMEM, "search");
	snprintf(path, sizeof(path), "/v1/search?q=%s&n=%zu", q, f->limit);
	curl_free(q);
	if (registry_get_page(reg, path, PAGE_MAX, true, &status, &body, &len, &next, &e) < 0) {
		podd_debug("search %s: v1 search: %s", registry, e->msg);
		podd_error_free(&e);
		return 0;
	}
	root = parse_page(body, len);
	if (root == NULL || !json_object_object_get_ex(root, "results", &results) ||
	    !json_object_is_type(results, json_type_array)) {
		json_object_put(root);
		/* containers/image fails here too: the registry said it
		 * serves the API, and answered nonsense. */
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "couldn't search registry \"%s\": invalid v1 search answer",
				  registry);
	}
	for (size_t i = 0; i < json_object_array_length(results) && f->n_results < f->limit; i++) {
		json_object *r = json_object_array_get_idx(results, i), *stars;
		const char *name = r ? object_string(r, "name") : NULL;
		int64_t n = 0;
		if (name == NULL || !repository_valid(name)) {
			podd_debug("search %s: a v1 result without a valid name left out", registry);
			continue;
		}
		if (json_object_object_get_ex(r, "star_count", &stars) &&
		    json_object_is_type(stars, json_type_int))
			n = json_object_get_int64(stars);
		if (add_result(f, name, object_string(r, "description"), n,
			       object_bool(r, "is_official"), object_bool(r, "is_automated"),
			       err) < 0) {
			rc = -1;
			break;
		}
	}
	json_object_put(root);
	return rc < 0 ? -1 : 1;
}

/* Pages of `first` ("/v2/_catalog", "/v2/NAME/tags/list"): each page's
 * array `key` given to `take` until it says stop (1) or no Link follows. */
typedef int (*page_fn)(json_object *array, struct found *f, const char *term, podd_error_t *err);

static int crawl(struct registry *reg, const char *first, const char *key, page_fn take,
		 struct found *f, const char *term, long *status, podd_error_t *err)
{
	cleanup_free char *path = strdup(first);

	if (path == NULL)
		return podd_error_sys(err, ENOMEM, "search");
	for (int page = 0;; page++) {
		cleanup_free char *body = NULL;
		char *next = NULL;
		json_object *root, *array;
		size_t len;
		int rc;

		if (page == PAGES_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "the registry's answer has more than %d pages", PAGES_MAX);
		if (registry_get_page(reg, path, PAGE_MAX, false, status, &body, &len, &next,
				      err) < 0)
			return -1;
		root = parse_page(body, len);
		if (root == NULL || !json_object_object_get_ex(root, key, &array) ||
		    !(json_object_is_type(array, json_type_array) ||
		      json_object_is_type(array, json_type_null))) {
			json_object_put(root);
			free(next);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "the registry's answer is not a list of %s", key);
		}
		rc = json_object_is_type(array, json_type_array) ? take(array, f, term, err) : 0;
		json_object_put(root);
		if (rc != 0 || next == NULL) {
			free(next);
			return rc < 0 ? -1 : 0;
		}
		free(path);
		path = next;
	}
}

static int take_repositories(json_object *array, struct found *f, const char *term,
			     podd_error_t *err)
{
	for (size_t i = 0; i < json_object_array_length(array); i++) {
		json_object *v = json_object_array_get_idx(array, i);
		const char *name;
		if (f->n_results == f->limit)
			return 1;
		if (!v || !json_object_is_type(v, json_type_string))
			continue;
		name = json_object_get_string(v);
		if (!repository_valid(name)) {
			podd_debug("search: a catalog entry that is no repository name left out");
			continue;
		}
		if (strstr(name, term) && add_result(f, name, "", 0, false, false, err) < 0)
			return -1;
	}
	return f->n_results == f->limit ? 1 : 0;
}

static int take_tags(json_object *array, struct found *f, const char *term, podd_error_t *err)
{
	(void)term;
	for (size_t i = 0; i < json_object_array_length(array); i++) {
		json_object *v = json_object_array_get_idx(array, i);
		char **grown;
		if (f->n_tags == f->limit)
			return 1;
		if (!v || !json_object_is_type(v, json_type_string) ||
		    !tag_valid(json_object_get_string(v))) {
			podd_debug("search: a tags list entry that is no tag left out");
			continue;
		}
		grown = realloc(f->tags, (f->n_tags + 1) * sizeof(*grown));
		if (grown == NULL)
			return podd_error_sys(err, ENOMEM, "tags");
		f->tags = grown;
		f->tags[f->n_tags] = strdup(json_object_get_string(v));
		if (f->tags[f->n_tags] == NULL)
			return podd_error_sys(err, ENOMEM, "tags");
		f->n_tags++;
	}
	return f->n_tags == f->limit ? 1 : 0;
}

/* Go's http.StatusText for what a tags list answers. */
static const char *status_text(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "";
	}
}

static int send_found(struct podd_server *srv, const struct podd_request *req,
		      const struct found *f, podd_error_t *err)
{
	size_t ri = 0, ti = 0;
	do {
		Podd__SearchReply reply = PODD__SEARCH_REPLY__INIT;
		reply.n_results = f->n_results - ri < CHUNK_RESULTS ? f->n_results - ri
								    : CHUNK_RESULTS;
		reply.results = f->results + ri;
		ri += reply.n_results;
		reply.n_tags = f->n_tags - ti < CHUNK_TAGS ? f->n_tags - ti : CHUNK_TAGS;
		reply.tags = f->tags + ti;
		ti += reply.n_tags;
		bool last = ri == f->n_results && ti == f->n_tags;
		if (podd_server_reply(srv, req, PODD__IMAGE_TYPE__IMAGE_TYPE_SEARCH_REPLY,
				      last ? 0 : PODD_FRAME_MORE, &reply.base, NULL, 0, err) < 0)
			return -1;
	} while (ri < f->n_results || ti < f->n_tags);
	return 0;
}

int handle_search(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const Podd__SearchRequest *m = (const Podd__SearchRequest *)req->msg;
	struct podd_reference ref;
	struct registry *reg = NULL;
	const char *user, *password;
	struct registry_tls tls;
	struct found f = { 0 };
	char probe[2 * PODD_IMAGE_REPO_MAX + 8], scope[PODD_IMAGE_REPO_MAX + 32];
	const char *host;
	int rc = -1;

	/* "host[:port]", parsed as the domain of a name. */
	if (strlen(m->registry) > PODD_IMAGE_REPO_MAX || strchr(m->registry, '/') ||
	    m->registry[0] == '\0')
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "search: invalid registry name");
	snprintf(probe, sizeof(probe), "%s/x", m->registry);
	if (podd_reference_parse(probe, &ref, err) < 0 || !ref.qualified) {
		podd_error_free(err);
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "search: invalid registry name");
	}
	if (m->limit == 0 || m->limit > SEARCH_LIMIT_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "search: a limit of 1 to %d",
				  SEARCH_LIMIT_MAX);
	f.limit = m->limit;
	if (m->list_tags) {
		/* The repository, as a name at this registry. */
		if (!repository_valid(m->term))
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "search: invalid repository name");
		snprintf(probe, sizeof(probe), "%s/%s", m->registry, m->term);
		if (podd_reference_parse(probe, &ref, err) < 0)
			return -1;
		snprintf(scope, sizeof(scope), "repository:%s:pull", ref.repository);
		host = ref.api_host;
	} else {
		/* A substring, nothing a URL or a message could be confused by. */
		if (strlen(m->term) > PODD_IMAGE_REPO_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "search: term too long");
		for (const char *c = m->term; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "search: the term is not printable ASCII");
		snprintf(scope, sizeof(scope), "registry:catalog:*");
		/* docker.io's search is at its v1 host, as containers/image
		 * asks it. */
		host = strcmp(ref.domain, "docker.io") == 0 ? "index.docker.io" : ref.domain;
	}
	if (registry_credentials_check(m->credentials, &user, &password, err) < 0 ||
	    registry_tls_check(m->tls, &tls, err) < 0)
		return -1;
	if (registry_open(host, m->tls_verify, &tls, user, password, scope, false, &reg, err) < 0) {
		if (m->list_tags)
			return podd_error_wrap(err, "getting repository tags");
		return podd_error_wrap(err, "couldn't search registry \"%s\"", m->registry);
	}
	if (m->list_tags) {
		char path[PODD_IMAGE_REPO_MAX + 32];
		snprintf(path, sizeof(path), "/v2/%s/tags/list", ref.repository);
		long status = 0;
		if (crawl(reg, path, "tags", take_tags, &f, "", &status, err) < 0) {
			/* containers/image's words for a status it did not want. */
			if (status == 401) {
				podd_error_wrap(err, "unable to retrieve auth token: invalid "
						     "username/password");
			} else if (status != 0 && status != 200) {
				podd_error_free(err);
				podd_error(err, status == 404 ? PODD_E_NO_SUCH_OBJECT : PODD_E_RUNTIME,
					   "fetching tags list: invalid status code from registry "
					   "%ld (%s)",
					   status, status_text(status));
			}
			podd_error_wrap(err, "getting repository tags");
			goto out;
		}
	} else {
		long status = 0;
		int v1 = m->term[0] ? search_v1(reg, m->registry, m->term, &f, err) : 0;
		if (v1 < 0)
			goto out;
		if (v1 == 0 && crawl(reg, "/v2/_catalog", "repositories", take_repositories, &f,
				     m->term, &status, err) < 0) {
			if (status == 401)
				podd_error_wrap(err, "unable to retrieve auth token: invalid "
						     "username/password");
			podd_error_wrap(err, "couldn't search registry \"%s\"", m->registry);
			goto out;
		}
	}
	rc = send_found(srv, req, &f, err);
out:
	registry_close(reg);
	found_free(&f);
	return rc;
}
