/* What several commands share: error reporting and podd-state calls. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "config_check.h"
#include "log.h"
#include "podctl.h"
#include "validate.h"

int exit_code_for(int code)
{
	switch (code) {
	case PODD_E_CANNOT_INVOKE:
		return EXIT_CANNOT_INVOKE;
	case PODD_E_COMMAND_NOT_FOUND:
		return EXIT_NOT_FOUND;
	case PODD_E_NO_SUCH_CONTAINER:
	case PODD_E_NO_SUCH_OBJECT:
	case PODD_E_NAME_IN_USE:
	case PODD_E_AMBIGUOUS:
	case PODD_E_INVALID_ARGUMENT:
	case PODD_E_DB_CONFIG_MISMATCH:
	case PODD_E_PROTOCOL:
	case PODD_E_LOCKED:
	case PODD_E_NOT_PERMITTED:
	case PODD_E_INTERNAL:
	default:
		return EXIT_ENGINE;
	}
}

int report_error(podd_error_t *err)
{
	int code = *err ? (*err)->code : PODD_E_INTERNAL;
	fflush(stdout);
	fprintf(stderr, "Error: %s\n", *err ? (*err)->msg : "unknown error");
	podd_error_free(err);
	return exit_code_for(code);
}

int state_lookup(struct engine *e, const char *name_or_id, Podd__ContainerRecord **rec,
		 podd_error_t *err)
{
	Podd__LookupRequest req = PODD__LOOKUP_REQUEST__INIT;
	ProtobufCMessage *m = NULL;

	req.name_or_id = (char *)name_or_id;
	if (podd_client_call(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_LOOKUP, &req.base,
			     PODD__STATE_TYPE__STATE_TYPE_CONTAINER,
			     &podd__container_record__descriptor, &m, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	*rec = (Podd__ContainerRecord *)m;
	if (record_check(*rec, err) < 0) {
		podd__container_record__free_unpacked(*rec, NULL);
		*rec = NULL;
		return -1;
	}
	return 0;
}

struct ids_cb {
	bool (*keep)(const Podd__ContainerRecord *rec, void *data);
	void *data;
	struct id_list *out;
};

static int add_id(const Podd__ContainerRecord *rec, void *data, podd_error_t *err)
{
	struct ids_cb *cb = data;
	struct id_list *l = cb->out;

	if (cb->keep && !cb->keep(rec, cb->data))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **grown = realloc(l->ids, cap * sizeof(*grown));
		if (grown == NULL)
			return podd_error_sys(err, ENOMEM, "list");
		l->ids = grown;
		l->cap = cap;
	}
	l->ids[l->n] = strdup(rec->id);
	if (l->ids[l->n] == NULL)
		return podd_error_sys(err, ENOMEM, "list");
	l->n++;
	return 0;
}

int state_list_ids(struct engine *e, bool (*keep)(const Podd__ContainerRecord *rec, void *data),
		   void *data, struct id_list *out, podd_error_t *err)
{
	struct ids_cb cb = { keep, data, out };
	return state_list(e, true, add_id, &cb, err);
}

void id_list_free(struct id_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->ids[i]);
	free(l->ids);
	l->ids = NULL;
	l->n = l->cap = 0;
}

int state_lookup_all(struct engine *e, char *const *names, size_t n, podd_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		Podd__ContainerRecord *rec = NULL;
		if (state_lookup(e, names[i], &rec, err) < 0)
			return -1;
		podd__container_record__free_unpacked(rec, NULL);
	}
	return 0;
}

/* What podctl relies on in a record from podd-state before touching it. */
int record_check(const Podd__ContainerRecord *rec, podd_error_t *err)
{
	if (!podd_id_valid(rec->id) || rec->config == NULL)
		return podd_error(err, PODD_E_PROTOCOL, "podd-state sent a malformed record");
	if (podd_record_source_check(rec, err) < 0)
		return podd_error_wrap(err, "podd-state sent a malformed record");
	if (rec->n_exec_ids > PODD_EXEC_IDS_MAX)
		return podd_error(err, PODD_E_PROTOCOL, "podd-state sent a malformed record");
	for (size_t i = 0; i < rec->n_exec_ids; i++)
		if (!podd_id_valid(rec->exec_ids[i]))
			return podd_error(err, PODD_E_PROTOCOL,
					  "podd-state sent a malformed record");
	return 0;
}

struct list_cb {
	container_fn fn;
	void *data;
};

static int list_chunk(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__ContainerList *list = (const Podd__ContainerList *)m;
	struct list_cb *cb = data;
	for (size_t i = 0; i < list->n_containers; i++)
		if (record_check(list->containers[i], err) < 0 ||
		    cb->fn(list->containers[i], cb->data, err) < 0)
			return -1;
	return 0;
}

int state_list(struct engine *e, bool all, container_fn fn, void *data, podd_error_t *err)
{
	Podd__ListRequest req = PODD__LIST_REQUEST__INIT;
	struct list_cb cb = { fn, data };

	req.all = all;
	if (podd_client_call_stream(engine_state(e), PODD__STATE_TYPE__STATE_TYPE_LIST_CONTAINERS,
				    &req.base, PODD__STATE_TYPE__STATE_TYPE_CONTAINER_LIST,
				    &podd__container_list__descriptor, list_chunk, &cb, err) < 0)
		return engine_helper_failed(e, HELPER_STATE, err);
	return 0;
}

int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
