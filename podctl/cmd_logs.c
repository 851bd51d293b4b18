/* podctl logs [-f] [--tail N] [-t] [--since T] [--until T] NAME|ID */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "rfc3339.h"
#include "lifecycle.h"

struct logs_out {
	bool timestamps;
};

static int print_chunk(const ProtobufCMessage *m, void *data, podd_error_t *err)
{
	const Podd__LogChunk *chunk = (const Podd__LogChunk *)m;
	const struct logs_out *o = data;

	(void)err;
	for (size_t i = 0; i < chunk->n_lines; i++) {
		const Podd__LogLine *l = chunk->lines[i];
		int fd = l->stderr ? STDERR_FILENO : STDOUT_FILENO;
		if (o->timestamps) {
			cleanup_free char *t = podd_rfc3339(l->time_ns);
			if (t) {
				write_all(fd, t, strlen(t));
				write_all(fd, " ", 1);
			}
		}
		write_all(fd, l->text.data, l->text.len);
		write_all(fd, "\n", 1);
	}
	return 0;
}

/* --since/--until: RFC 3339, a Unix time, or a duration back from now
 * (10s, 5m, 2h), as podman takes them. */
static int parse_time(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	char *end;
	double v = strtod(s, &end);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (end != s && (*end == 's' || *end == 'm' || *end == 'h') && end[1] == '\0') {
		double mult = *end == 's' ? 1 : *end == 'm' ? 60 : 3600;
		*ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec -
		      (int64_t)(v * mult * 1e9);
		return 0;
	}
	if (end != s && *end == '\0') {
		*ns = (int64_t)(v * 1e9);
		return 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || (*end != '\0' && *end != 'Z'))
		return -1;
	*ns = (int64_t)timegm(&tm) * 1000000000LL;
	return 0;
}

int cmd_logs(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 'n' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	Podd__LogsRequest req = PODD__LOGS_REQUEST__INIT;
	cleanup_record Podd__ContainerRecord *rec = NULL;
	struct logs_out out = { 0 };
	podd_error_t err = NULL;
	struct engine e;
	char *end;
	int c, rc = 0;

	req.tail = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "fn:t", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			req.follow = true;
			break;
		case 'n':
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
			if (parse_time(optarg, c == 's' ? &req.since_ns : &req.until_ns) < 0) {
				fprintf(stderr, "Error: invalid time \"%s\"\n", optarg);
				return EXIT_ENGINE;
			}
			break;
		default:
			fprintf(stderr, "Error: unknown flag or missing value: %s\n",
				argv[optind - 1]);
			return EXIT_ENGINE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Error: podctl logs requires exactly one container name or ID\n");
		return EXIT_ENGINE;
	}
	if (engine_start(&e, g, NEED_STATE | NEED_EXEC, &err) < 0 ||
	    state_lookup(&e, argv[optind], &rec, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	req.id = rec->id;
	/* Nothing more will come from a container that is not running. */
	if (!ctr_is_active(rec))
		req.follow = false;
	if (podd_client_call_stream(&e.helpers[HELPER_EXEC].peer, PODD__EXEC_TYPE__EXEC_TYPE_LOGS,
				    &req.base, PODD__EXEC_TYPE__EXEC_TYPE_LOG_CHUNK,
				    &podd__log_chunk__descriptor, print_chunk, &out, &err) < 0)
		rc = report_error(&err);
	engine_stop(&e);
	return rc;
}
