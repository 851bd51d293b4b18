/* Human and machine output shared by ps, inspect and info. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "rfc3339.h"
#include "podctl.h"

/* docker/go-units HumanDuration, which podman prints. */
/* Docker's units.HumanDuration, which podman prints. */
char *format_duration(int64_t s)
{
	char *out = NULL;
	int64_t m = s / 60, h = (s + 1800) / 3600;
	int r;

	if (s < 1)
		r = asprintf(&out, "Less than a second");
	else if (s == 1)
		r = asprintf(&out, "1 second");
	else if (s < 60)
		r = asprintf(&out, "%lld seconds", (long long)s);
	else if (m == 1)
		r = asprintf(&out, "About a minute");
	else if (m < 60)
		r = asprintf(&out, "%lld minutes", (long long)m);
	else if (h == 1)
		r = asprintf(&out, "About an hour");
	else if (h < 48)
		r = asprintf(&out, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		r = asprintf(&out, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		r = asprintf(&out, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		r = asprintf(&out, "%lld months", (long long)(h / 24 / 30));
	else
		r = asprintf(&out, "%lld years", (long long)(h / 24 / 365));
	return r < 0 ? NULL : out;
}

char *format_human_duration(int64_t s)
{
	cleanup_free char *d = format_duration(s);
	char *out = NULL;
	if (d == NULL || asprintf(&out, "%s ago", d) < 0)
		return NULL;
	return out;
}

/* strftime(3) output for `ns`, in UTC and to the second. */
#define UTC_SECONDS(ns, fmt)                                              \
	({                                                                \
		time_t secs_ = (time_t)((ns) / 1000000000LL);             \
		struct tm tm_;                                            \
		char buf_[64];                                            \
		gmtime_r(&secs_, &tm_);                                   \
		strftime(buf_, sizeof(buf_), fmt, &tm_) ? strdup(buf_) : NULL; \
	})

char *format_go_time_seconds(int64_t ns)
{
	return UTC_SECONDS(ns, "%Y-%m-%d %H:%M:%S +0000 UTC");
}

char *format_rfc3339_seconds(int64_t ns)
{
	return UTC_SECONDS(ns, "%Y-%m-%dT%H:%M:%SZ");
}

char *format_go_time(int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char date[64], frac[16] = "", zone[16], *out = NULL;
	long long n = ns % 1000000000LL;

	localtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z %Z", &tm);
	/* Go's ".999999999": the fraction without its trailing zeros. */
	if (n != 0) {
		size_t len;
		snprintf(frac, sizeof(frac), ".%09lld", n);
		len = strlen(frac);
		while (frac[len - 1] == '0')
			frac[--len] = '\0';
	}
	if (asprintf(&out, "%s%s %s", date, frac, zone) < 0)
		return NULL;
	return out;
}

const char *container_status_word(Podd__ContainerState s)
{
	switch (s) {
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CONFIGURED:
	case PODD__CONTAINER_STATE__CONTAINER_STATE_CREATED:
		return "created";
	case PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING:
		return "running";
	case PODD__CONTAINER_STATE__CONTAINER_STATE_STOPPED:
		return "stopped";
	case PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED:
		return "paused";
	case PODD__CONTAINER_STATE__CONTAINER_STATE_EXITED:
		return "exited";
	case PODD__CONTAINER_STATE__CONTAINER_STATE_REMOVING:
		return "removing";
	default:
		return "unknown";
	}
}

static json_object *strv_json(char **v, size_t n)
{
	json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *time_json(int64_t ns)
{
	cleanup_free char *t = ns ? podd_rfc3339(ns) : strdup("0001-01-01T00:00:00Z");
	return json_object_new_string(t ? t : "");
}

static json_object *inspect_state(const Podd__ContainerRecord *rec)
{
	json_object *state = json_object_new_object();
	bool running = rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_RUNNING;
	bool paused = rec->state == PODD__CONTAINER_STATE__CONTAINER_STATE_PAUSED;

	json_object_object_add(state, "OciVersion", json_object_new_string("1.0.2"));
	json_object_object_add(state, "Status",
			       json_object_new_string(container_status_word(rec->state)));
	json_object_object_add(state, "Running", json_object_new_boolean(running));
	json_object_object_add(state, "Paused", json_object_new_boolean(paused));
	json_object_object_add(state, "Restarting", json_object_new_boolean(false));
	json_object_object_add(state, "OOMKilled", json_object_new_boolean(rec->oom_killed));
	json_object_object_add(state, "Dead", json_object_new_boolean(false));
	json_object_object_add(state, "Pid", json_object_new_int(running || paused ? rec->pid : 0));
	json_object_object_add(state, "ConmonPid",
			       json_object_new_int(running || paused ? rec->conmon_pid : 0));
	json_object_object_add(state, "ExitCode", json_object_new_int(rec->exit_code));
	json_object_object_add(state, "Error", json_object_new_string(""));
	json_object_object_add(state, "StartedAt", time_json(rec->started_ns));
	json_object_object_add(state, "FinishedAt", time_json(rec->finished_ns));
	return state;
}

static json_object *inspect_config(const Podd__ContainerRecord *rec)
{
	const Podd__ContainerConfig *c = rec->config;
	json_object *config = json_object_new_object();
	char short_id[13];

	/* podman's default hostname: the short id. */
	snprintf(short_id, sizeof(short_id), "%.12s", rec->id);
	json_object_object_add(config, "Hostname",
			       json_object_new_string(c->hostname[0] ? c->hostname : short_id));
	json_object_object_add(config, "User", json_object_new_string(c->user));
	json_object_object_add(config, "Env", strv_json(c->env, c->n_env));
	json_object_object_add(config, "Cmd", strv_json(c->cmd, c->n_cmd));
	json_object_object_add(config, "Entrypoint", strv_json(c->entrypoint, c->n_entrypoint));
	json_object_object_add(config, "Image", json_object_new_string(rec->image));
	json_object_object_add(config, "WorkingDir",
			       json_object_new_string(c->workdir[0] ? c->workdir : "/"));
	json_object_object_add(config, "Tty", json_object_new_boolean(c->tty));
	json_object_object_add(config, "OpenStdin", json_object_new_boolean(c->interactive));
	json_object_object_add(config, "StopSignal", json_object_new_int(c->stop_signal ? c->stop_signal : 15));
	json_object_object_add(config, "StopTimeout",
			       json_object_new_int(c->has_stop_timeout ? c->stop_timeout : 10));
	/* podd takes no --label or --annotation yet: podman's none */
	json_object_object_add(config, "Labels", NULL);
	json_object_object_add(config, "Annotations", json_object_new_object());
	return config;
}

/* podman's NetworkSettings for a container on no network of its own
 * (--network none or host, all podd has before podd-net): every field
 * empty. */
static json_object *inspect_network(void)
{
	static const char *const strings[] = { "EndpointID", "Gateway", "IPAddress",
					       "IPv6Gateway", "GlobalIPv6Address", "MacAddress",
					       "Bridge", "SandboxID", NULL };
	json_object *n = json_object_new_object();

	for (const char *const *k = strings; *k; k++)
		json_object_object_add(n, *k, json_object_new_string(""));
	json_object_object_add(n, "IPPrefixLen", json_object_new_int(0));
	json_object_object_add(n, "GlobalIPv6PrefixLen", json_object_new_int(0));
	json_object_object_add(n, "HairpinMode", json_object_new_boolean(false));
	json_object_object_add(n, "Ports", json_object_new_object());
	json_object_object_add(n, "SandboxKey", json_object_new_string(""));
	return n;
}

json_object *container_inspect_json(const Podd__ContainerRecord *rec)
{
	const Podd__ContainerConfig *c = rec->config;
	json_object *o = json_object_new_object(), *host = json_object_new_object();
	cleanup_free char *created = podd_rfc3339(rec->created_ns);
	char **argv0 = c->n_entrypoint ? c->entrypoint : c->cmd;
	size_t n0 = c->n_entrypoint ? c->n_entrypoint : c->n_cmd;

	json_object_object_add(o, "Id", json_object_new_string(rec->id));
	json_object_object_add(o, "Created", json_object_new_string(created ? created : ""));
	json_object_object_add(o, "Path", json_object_new_string(n0 ? argv0[0] : ""));
	if (c->n_entrypoint) {
		json_object *args = strv_json(c->entrypoint + 1, c->n_entrypoint - 1);
		for (size_t i = 0; i < c->n_cmd; i++)
			json_object_array_add(args, json_object_new_string(c->cmd[i]));
		json_object_object_add(o, "Args", args);
	} else {
		json_object_object_add(o, "Args", strv_json(c->cmd + (n0 ? 1 : 0), n0 ? n0 - 1 : 0));
	}
	json_object_object_add(o, "State", inspect_state(rec));
	json_object_object_add(o, "ExecIDs", strv_json(rec->exec_ids, rec->n_exec_ids));
	/* podman: Image is the image's id, ImageName the name it was run by;
	 * a --rootfs container has neither and its Rootfs instead. */
	json_object_object_add(o, "Image", json_object_new_string(rec->image_id));
	json_object_object_add(o, "ImageName", json_object_new_string(rec->image));
	json_object_object_add(o, "Rootfs", json_object_new_string(c->rootfs));
	json_object_object_add(o, "Pod", json_object_new_string(rec->pod_id));
	json_object_object_add(o, "Name", json_object_new_string(rec->name));
	json_object_object_add(o, "OCIRuntime",
			       json_object_new_string(c->runtime[0] ? c->runtime : "runc"));
	json_object_object_add(o, "RestartCount", json_object_new_int(0));
	json_object_object_add(o, "IsInfra", json_object_new_boolean(false));
	/* no bind mounts or volumes in podd's containers yet */
	json_object_object_add(o, "Mounts", json_object_new_array());
	json_object_object_add(o, "Dependencies", json_object_new_array());
	json_object_object_add(o, "NetworkSettings", inspect_network());
	json_object_object_add(o, "Config", inspect_config(rec));
	json_object *restart = json_object_new_object();
	json_object_object_add(restart, "Name", json_object_new_string(""));
	json_object_object_add(restart, "MaximumRetryCount", json_object_new_int(0));
	json_object_object_add(host, "RestartPolicy", restart);
	json_object_object_add(host, "Binds", json_object_new_array());
	json_object_object_add(host, "AutoRemove", json_object_new_boolean(c->autoremove));
	json_object_object_add(host, "Privileged", json_object_new_boolean(c->privileged));
	json_object_object_add(host, "ReadonlyRootfs", json_object_new_boolean(c->read_only));
	json_object_object_add(host, "NetworkMode",
			       json_object_new_string(c->network[0] ? c->network : "none"));
	json_object_object_add(host, "CapAdd", strv_json(c->cap_add, c->n_cap_add));
	json_object_object_add(host, "CapDrop", strv_json(c->cap_drop, c->n_cap_drop));
	json_object_object_add(host, "Memory", json_object_new_int64(c->memory));
	json_object_object_add(host, "PidsLimit", json_object_new_int64(c->pids_limit));
	json_object_object_add(host, "ShmSize",
			       json_object_new_int64(c->shm_size ? c->shm_size : 65536000));
	json_object_object_add(o, "HostConfig", host);
	return o;
}

void print_columns(const char *const *headers, size_t ncols, char **const *rows, size_t nrows)
{
	size_t width[16];

	if (ncols == 0 || ncols > PODD_ARRAY_SIZE(width))
		return;
	for (size_t c = 0; c < ncols; c++) {
		width[c] = headers ? strlen(headers[c]) : 0;
		for (size_t r = 0; r < nrows; r++)
			if (rows[r] && rows[r][c] && strlen(rows[r][c]) > width[c])
				width[c] = strlen(rows[r][c]);
		width[c] = width[c] + 2 < 12 ? 12 : width[c] + 2;
	}
	for (size_t r = headers ? 0 : 1; r <= nrows; r++) {
		if (r > 0 && rows[r - 1] == NULL)
			continue;
		for (size_t c = 0; c < ncols; c++) {
			const char *cell = r == 0 ? headers[c] : rows[r - 1][c];
			if (cell == NULL)
				cell = "";
			if (c + 1 == ncols)
				printf("%s\n", cell);
			else
				printf("%-*s", (int)width[c], cell);
		}
	}
}

/* JSON text as Go's encoder writes it with HTML escaping on: <, > and &
 * as \u003c, \u003e, \u0026 (outside strings JSON has none of them). */
static void put_json_text(const char *s, size_t n, bool escape_html)
{
	for (size_t i = 0; i < n; i++) {
		if (escape_html && s[i] == '<')
			fputs("\\u003c", stdout);
		else if (escape_html && s[i] == '>')
			fputs("\\u003e", stdout);
		else if (escape_html && s[i] == '&')
			fputs("\\u0026", stdout);
		else
			putchar(s[i]);
	}
}

void print_json_indented(struct json_object *obj, int width, bool escape_html)
{
	/* json-c indents by two spaces a level and puts a closer on its own
	 * line even when nothing came since its opener; lines are all
	 * structure at both ends (strings hold no raw newline). */
	const char *s = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	while (s && *s) {
		const char *nl = strchrnul(s, '\n');
		size_t lead = strspn(s, " ");

		printf("%*s", (int)(lead / 2) * width, "");
		put_json_text(s + lead, (size_t)(nl - s - lead), escape_html);
		if (*nl == '\n' && nl > s && (nl[-1] == '[' || nl[-1] == '{')) {
			const char *next = nl + 1 + strspn(nl + 1, " ");
			if (*next == (nl[-1] == '[' ? ']' : '}')) {
				/* "[]" or "{}", then the rest of the closer's line */
				s = next;
				nl = strchrnul(s, '\n');
				put_json_text(s, (size_t)(nl - s), escape_html);
			}
		}
		putchar('\n');
		s = *nl ? nl + 1 : nl;
	}
}

void print_json_go(struct json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s)
		put_json_text(s, strlen(s), true);
	putchar('\n');
}
