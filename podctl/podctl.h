/* podctl: the unprivileged command-line front end. */
#ifndef PODCTL_H
#define PODCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "error.h"
#include "state.pb-c.h"

/* Helpers a command needs; spawned together before podctl sandboxes. */
/* HELPER_REGISTRY is podd-image-registry, the registry client (pull's
 * fetch, push, login); HELPER_IMAGE, podd-image, has no network and unpacks
 * what it fetched. A pull needs both. */
enum helper_kind {
	HELPER_STATE,
	HELPER_IMAGE,
	HELPER_EXEC,
	HELPER_NET,
	HELPER_REGISTRY,
	HELPER_COUNT
};
#define NEED_STATE (1u << HELPER_STATE)
#define NEED_IMAGE (1u << HELPER_IMAGE)
#define NEED_EXEC (1u << HELPER_EXEC)
#define NEED_NET (1u << HELPER_NET)
#define NEED_REGISTRY (1u << HELPER_REGISTRY)
#define NEED_ALL (NEED_STATE | NEED_IMAGE | NEED_EXEC | NEED_NET | NEED_REGISTRY)
/* With NEED_IMAGE: podd-image's handshake waits for engine_ready (its
 * Hello may go first, engine_ready_send), after podctl's sandbox: a pull
 * queues its UnpackStreamRequest behind the Hello and reads the answer
 * when the stream ends, so that podd-image starts while the fetch does. */
#define NEED_IMAGE_LATE (1u << (HELPER_COUNT + 1))
/* Helper `k` parked: forked before podctl's sandbox, with its socket, but
 * not executed until engine_add asks (a byte on its park pipe; at
 * engine_stop the pipe closes and the child exits without exec). For
 * helpers a command may need only after an answer: podd-image and
 * podd-image-registry for create/run of an image, podd-exec for conmon's
 * exit command. podctl seals before it reads any answer, and helpers it
 * does not need cost a fork, not a start. */
#define NEED_PARKED(k) (1u << (HELPER_COUNT + 2 + (k)))

struct global_opts {
	const char *root;           /* --root: static dir */
	const char *runroot;        /* --runroot: tmp dir */
	const char *storage_driver; /* --storage-driver */
	const char *runtime;        /* --runtime: for containers created now */
	int log_level;
};

struct helper {
	struct podd_peer peer;
	bool running;
	bool hello_pending; /* spawned, handshake left to engine_ready */
	bool hello_sent;    /* ... its Hello sent (engine_ready_send), answer not read */
	uint32_t hello_id;
	int park_fd;        /* parked (NEED_PARKED): the pipe its exec waits on; else -1 */
	int status_fd; /* /proc/PID/status, opened before podctl sandboxes */
};

struct engine {
	struct global_opts opts;
	char static_dir[4096];
	char tmp_dir[4096];
	char graph_root[4200];
	char run_root[4200];
	char volume_path[4200];
	struct helper helpers[HELPER_COUNT];
	Podd__DbInfo *db_info;
	bool stdout_is_tty;
	bool sealed;   /* podctl's sandbox applied: no spawn, only parked helpers */
	uint32_t open_id; /* the OpenRequest, answered after the handshakes */
};

/* Exit codes, as podman uses them. */
#define EXIT_ENGINE 125
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

/* Spawn the helpers in `needs`, shake hands, open the state database and
 * sandbox podctl itself. `keep_paths` are files the command will still
 * open (none yet). */
int engine_start(struct engine *e, const struct global_opts *opts, unsigned needs,
		 podd_error_t *err);
void engine_stop(struct engine *e);
/* podd-image now (and podd-image-registry too if `registry`: a pull needs
 * both), from its park (NEED_PARKED) or, before the sandbox, spawned; a
 * no-op for one that runs. Its handshake follows (podd-image's only at
 * engine_ready when `registry`). */
int engine_add_image(struct engine *e, bool registry, podd_error_t *err);
/* Helper `k` now, as engine_add_image does. */
int engine_add(struct engine *e, enum helper_kind k, podd_error_t *err);
/* The handshake with helper `k` if it was left for later
 * (NEED_IMAGE_LATE); a no-op otherwise. Call before a helper's first
 * request where it may be pending. */
int engine_ready(struct engine *e, enum helper_kind k, podd_error_t *err);
/* engine_ready's first half: the Hello sent, its answer left to
 * engine_ready, so that requests may queue behind it while the helper
 * still starts (a pull's UnpackStreamRequest). */
int engine_ready_send(struct engine *e, enum helper_kind k, podd_error_t *err);
/* One helper done early (EOF, reaped): podd-image once a run has its
 * image's config, so that it does not stay for the container's life. */
void engine_stop_helper(struct engine *e, enum helper_kind k);
struct podd_peer *engine_state(struct engine *e);
/* A failure talking to a helper: add how the helper died, if it did. */
int engine_helper_failed(struct engine *e, enum helper_kind k, podd_error_t *err);

/* Resolve the defaults of --root/--runroot (rootless: XDG dirs). */
int engine_default_paths(struct global_opts *opts, podd_error_t *err);

int podctl_sandbox(podd_error_t *err);
struct podd_sandbox_policy;
struct podd_sandbox_policy podctl_policy(void);

/* Commands: argv[0] is the command name. Each returns an exit code. */
int cmd_create(const struct global_opts *g, int argc, char **argv);
int cmd_ps(const struct global_opts *g, int argc, char **argv);
int cmd_inspect(const struct global_opts *g, int argc, char **argv);
int cmd_rm(const struct global_opts *g, int argc, char **argv);
int cmd_rename(const struct global_opts *g, int argc, char **argv);
int cmd_container(const struct global_opts *g, int argc, char **argv);
int cmd_exists(const struct global_opts *g, int argc, char **argv);
int cmd_info(const struct global_opts *g, int argc, char **argv);
int cmd_version(const struct global_opts *g, int argc, char **argv);
int cmd_system(const struct global_opts *g, int argc, char **argv);
int cmd_run(const struct global_opts *g, int argc, char **argv);
int cmd_start(const struct global_opts *g, int argc, char **argv);
int cmd_stop(const struct global_opts *g, int argc, char **argv);
int cmd_kill(const struct global_opts *g, int argc, char **argv);
int cmd_restart(const struct global_opts *g, int argc, char **argv);
int cmd_wait(const struct global_opts *g, int argc, char **argv);
int cmd_cleanup(const struct global_opts *g, int argc, char **argv);
int cmd_exec(const struct global_opts *g, int argc, char **argv);
int cmd_attach(const struct global_opts *g, int argc, char **argv);
int cmd_logs(const struct global_opts *g, int argc, char **argv);
int cmd_pause(const struct global_opts *g, int argc, char **argv);
int cmd_unpause(const struct global_opts *g, int argc, char **argv);
int cmd_top(const struct global_opts *g, int argc, char **argv);
int cmd_export(const struct global_opts *g, int argc, char **argv);
int cmd_pull(const struct global_opts *g, int argc, char **argv);
int cmd_push(const struct global_opts *g, int argc, char **argv);
int cmd_login(const struct global_opts *g, int argc, char **argv);
int cmd_logout(const struct global_opts *g, int argc, char **argv);
int cmd_search(const struct global_opts *g, int argc, char **argv);

/* Print "Error: msg" and return the exit code for the error's code. */
int report_error(podd_error_t *err);
int exit_code_for(int code);

/* Calls to podd-state shared by several commands. */
int state_lookup(struct engine *e, const char *name_or_id, Podd__ContainerRecord **rec,
		 podd_error_t *err);
int record_check(const Podd__ContainerRecord *rec, podd_error_t *err);
/* The ids of the containers `keep` accepts (NULL: every one), from
 * podd-state's list of all; free with id_list_free. */
struct id_list {
	char **ids;
	size_t n, cap;
};
int state_list_ids(struct engine *e, bool (*keep)(const Podd__ContainerRecord *rec, void *data),
		   void *data, struct id_list *out, podd_error_t *err);
void id_list_free(struct id_list *l);
/* Every name names a container, looked up before a command acts on any,
 * as podman does: the first that does not is the error. */
int state_lookup_all(struct engine *e, char *const *names, size_t n, podd_error_t *err);
struct create_opts;
int container_create(struct engine *e, const struct create_opts *o, Podd__ContainerRecord **rec,
		     podd_error_t *err);
typedef int (*container_fn)(const Podd__ContainerRecord *rec, void *data, podd_error_t *err);
int state_list(struct engine *e, bool all, container_fn fn, void *data, podd_error_t *err);

/* write(2) until done or a real error (not EINTR). */
int write_all(int fd, const void *data, size_t n);

/* output.c */
char *format_duration(int64_t seconds);              /* "2 seconds" */
char *format_human_duration(int64_t seconds_ago);  /* "2 seconds ago" */
/* Go's time.Time String() in local time: 2026-11-22 10:00:00.123 +0000 UTC */
char *format_go_time(int64_t ns);
/* The same to the second: 2026-11-22 10:00:00 +0000 UTC */
char *format_go_time_seconds(int64_t ns);
/* Go's time.Format(time.RFC3339), UTC: 2026-11-22T10:00:00Z */
char *format_rfc3339_seconds(int64_t ns);
const char *container_status_word(Podd__ContainerState s); /* "created" ... */
struct json_object;
struct json_object *container_inspect_json(const Podd__ContainerRecord *rec);
/* --format templates (template.c). */
/* --format asks for JSON, as c/common's report.IsJSON reads it (podman
 * 4.3): "json", or a template of {{json .}} alone ({{ json . }},
 * {{json}}), with blanks around either. NULL is not. */
bool format_is_json(const char *format);
/* --format "table TEMPLATE": rows in columns under a heading
 * (format_table). Plain "table" is the command's own table. */
bool format_is_table(const char *format);
/* Go-template subset: {{.A.B}}, {{json .A}}, text around them; a written
 * \t or \n is a tab or a newline; a newline ends the record. */
int format_template(const char *tmpl, struct json_object *obj, podd_error_t *err);
/* The same where the JSON's keys are Go's field names in camelCase (info:
 * "host", "ociRuntime"): a field matches a key that differs only in case,
 * so that podman's {{.Host.OCIRuntime.Name}} finds it. */
int format_template_folded(const char *tmpl, struct json_object *obj, podd_error_t *err);
/* A field's header in a table's heading where the command's differs from
 * the field's name in capitals split at its words; a list ends with a
 * NULL field. */
struct format_header {
	const char *field, *header;
};
/* "table TEMPLATE" over `n` rows, as podman prints it: a heading (each
 * action's header), then each row; the cells, which the template's tabs
 * separate, laid out in columns (print_columns). */
int format_table(const char *format, struct json_object *const *objs, size_t n,
		 const struct format_header *headers, podd_error_t *err);
/* A table as podman's Go tabwriter lays it out: each column as wide as its
 * widest cell plus 2, at least 12, the last one unpadded. `rows`: nrows
 * arrays of ncols cells, NULL printed as ""; `headers` NULL: no heading
 * (--noheading). */
void print_columns(const char *const *headers, size_t ncols, char **const *rows, size_t nrows);
/* `obj` as Go's json.MarshalIndent writes it with `width` spaces a level:
 * empty arrays and objects as [] and {} (podman's inspect uses 5, images
 * --format json 4, ps and info 2); `escape_html`: <, > and & escaped as
 * Go's encoder does unless told not to (podman's inspect turns it off). */
void print_json_indented(struct json_object *obj, int width, bool escape_html);
/* `obj` on one line as Go's json.Marshal writes it: no spaces, and <, >
 * and & escaped as \u003c, \u003e, \u0026 (outside strings JSON has
 * none of them, so the whole text is escaped). */
void print_json_go(struct json_object *obj);

#endif
