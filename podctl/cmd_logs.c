/* podctl logs [-f] [-n] [--tail N] [-t] [--since T] [--until T] NAME|ID... */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "duration.h"
#include "lifecycle.h"
#include "rfc3339.h"

struct logs_out {
	bool timestamps;
	const char *prefix; /* several containers: each line's, or NULL */
	bool open_line[2];  /* the last line to stdout/stderr had no newline */
};

static int print_chunk(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__LogChunk *chunk = (const Podd__LogChunk *)m;
	struct logs_out *o = data;

	(void)err;
	for (size_t i = 0; i < chunk->n_lines; i++) {
		const Podd__LogLine *l = chunk->lines[i];
		int fd = l->stderr ? STDERR_FILENO : STDOUT_FILENO;
		if (o->prefix) {
			write_all(fd, o->prefix, strlen(o->prefix));
			write_all(fd, " ", 1);
		}
		if (o->timestamps) {
			cleanup_free char *t = podd_rfc3339(l->time_ns);
			if (t) {
				write_all(fd, t, strlen(t));
				write_all(fd, " ", 1);
			}
		}
		write_all(fd, l->text.data, l->text.len);
		if (!l->partial)
			write_all(fd, "\n", 1);
		o->open_line[l->stderr ? 1 : 0] = l->partial;
	}
	return 0;
}

/* RFC 3339 text made from `fmt`, parsed: 0 or -1. A time past what int64
 * nanoseconds hold ("9999-12-31" for "no end") is the nearest that fits. */
static int __attribute__((format(printf, 2, 3))) rfc3339_of(int64_t *ns, const char *fmt, ...)
{
	char buf[96];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	switch (podd_rfc3339_parse(buf, ns)) {
	case 0:
		return 0;
	case 1:
		*ns = strncmp(buf, "1970", 4) >= 0 ? INT64_MAX : INT64_MIN;
		return 0;
	default:
		return -1;
	}
}

/* Seconds as Go's strconv.ParseFloat reads them in decimal: a sign, a
 * fraction and an exponent allowed ("-5", "1e9"). */
static int float_seconds(const char *s, int64_t *ns)
{
	const char *p = s + (*s == '+' || *s == '-');
	size_t digits = strspn(p, "0123456789"), frac = 0;
	double v;
	char *end;

	p += digits;
	if (*p == '.') {
		frac = strspn(p + 1, "0123456789");
		p += 1 + frac;
	}
	if (digits + frac == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '+' || *p == '-';
		if (strspn(p, "0123456789") == 0)
			return -1;
		p += strspn(p, "0123456789");
	}
	if (*p != '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end) * 1e9;
	if (*end != '\0' || v != v)
		return -1;
	*ns = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : (int64_t)v;
	return 0;
}

/* --since/--until as podman's ParseInputTime reads them, in its order:
 * RFC 3339 (a `logs -t` timestamp); a date and time without a zone (UTC);
 * a date with a zone ("2006-01-02Z", "2006-01-02+02:00"); a date (UTC);
 * Unix seconds; a Go duration, back from now for --since and ahead of now
 * for --until, as podman takes it. */
static int parse_time(const char *s, bool since, int64_t *ns)
{
	struct timespec now;
	int64_t d, now_ns, t;
	size_t len = strlen(s);

	if (rfc3339_of(ns, "%s", s) == 0 || rfc3339_of(ns, "%sZ", s) == 0)
		return 0;
	if (len > 10 && strchr("Z+-", s[10]) != NULL &&
	    rfc3339_of(ns, "%.10sT00:00:00%s", s, s + 10) == 0)
		return 0;
	if (len == 10 && rfc3339_of(ns, "%sT00:00:00Z", s) == 0)
		return 0;
	if (podd_epoch_seconds_parse(s, ns) == 0 || float_seconds(s, ns) == 0)
		return 0;
	if (podd_go_duration_parse(s, &d) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	if (since ? __builtin_sub_overflow(now_ns, d, &t) : __builtin_add_overflow(now_ns, d, &t))
		t = (since ? d < 0 : d > 0) ? INT64_MAX : INT64_MIN;
	*ns = t;
	return 0;
}

int cmd_logs(const struct global_opts *g, int argc, char **argv)
{
	enum { OPT_TAIL = 256 };
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "names", no_argument, NULL, 'n' },
		{ "tail", required_argument, NULL, OPT_TAIL },
		{ "timestamps", no_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	Podd__LogsRequest req = PODD__LOGS_REQUEST__INIT;
	struct logs_out out = { 0 };
	bool names = false;
	podd_error_t err = NULL;
	struct engine e;
	char *end;
	int64_t t;
	int c, rc = 0;

	req.tail = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "fnt", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			req.follow = true;
			break;
		case 'n':
			names = true;
			break;
		case OPT_TAIL:
			req.tail = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end || req.tail < -1 || req.tail > 100000) {
				fprintf(stderr, "Error: invalid --tail \"%s\"\n", optarg);
				return EXIT_ENGINE;
			}
			break;
		case 't':
			out.timestamps = true;
			break;
		case 's':
		case 'u':
			if (parse_time(optarg, c == 's', &t) < 0) {
				fprintf(stderr,
					"Error: parsing --%s \"%s\": unable to interpret time value\n",
					c == 's' ? "since" : "until", optarg);
				return EXIT_ENGINE;
			}
			/* 0 means unset on the wire, and podd-exec takes no time
			 * before the epoch: --until there keeps nothing. */
			if (c == 's')
				req.since_ns = t > 0 ? t : 0;
			else
				req.until_ns = t > 0 ? t : 1;
			break;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind < 1) {
		fprintf(stderr, "Error: podctl logs requires at least one container name or ID\n");
		return EXIT_ENGINE;
	}
	/* podman follows several at once, interleaved; podctl streams one
	 * container at a time, which would never reach the second */
	if (req.follow && argc - optind > 1) {
		fprintf(stderr, "Error: logs -f of more than one container is not supported by "
				"podctl yet\n");
		return EXIT_ENGINE;
	}
	/* every name looked up first, as podman does */
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0 ||
	    state_lookup_all(&e, argv + optind, (size_t)(argc - optind), &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	for (int i = optind; i < argc && rc == 0; i++) {
		cleanup_record Podd__ContainerRecord *rec = NULL;
		char short_id[13];
		if (state_lookup(&e, argv[i], &rec, &err) < 0) {
			rc = report_error(&err);
			break;
		}
		/* several containers: each line starts with its short id, or
		 * with -n its name, as podman's */
		snprintf(short_id, sizeof(short_id), "%.12s", rec->id);
		out.prefix = argc - optind > 1 ? (names ? rec->name : short_id) : NULL;
		req.id = rec->id;
		/* Nothing more will come from a container that is not running. */
		req.follow = req.follow && ctr_is_active(rec);
		if (podd_client_call_stream(&e.helpers[HELPER_EXEC].peer,
					    PODD__EXEC_TYPE__EXEC_TYPE_LOGS, &req.base,
					    PODD__EXEC_TYPE__EXEC_TYPE_LOG_CHUNK,
					    &podd__log_chunk__descriptor, print_chunk, &out, &err) < 0)
			rc = report_error(&err);
		/* the next container's lines start on a line of their own */
		for (int k = 0; k < 2 && out.prefix && i + 1 < argc; k++)
			if (out.open_line[k]) {
				write_all(k ? STDERR_FILENO : STDOUT_FILENO, "\n", 1);
				out.open_line[k] = false;
			}
	}
	engine_stop(&e);
	return rc;
}
