/* conmon's k8s-file log, parsed: each line is
 *   2026-11-22T10:00:00.123456789+01:00 stdout F text
 * with P instead of F for a partial line that the next one continues. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "logs.h"

/* RFC 3339 with nanoseconds and a numeric offset (or Z). */
int log_parse_time(const char *s, size_t len, int64_t *ns)
{
	struct tm tm = { 0 };
	char buf[64];
	const char *p;
	int64_t frac = 0, scale = 1000000000;
	int sign = 1, oh = 0, om = 0;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*ns = ((int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60)) * 1000000000LL + frac;
	return 0;
}

int log_parse_line(const char *line, size_t len, struct log_entry *e)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *sp3;

	if (sp1 == NULL)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
	if (sp2 == NULL)
		return -1;
	sp3 = memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line));
	if (log_parse_time(line, (size_t)(sp1 - line), &e->time_ns) < 0)
		return -1;
	if ((size_t)(sp2 - sp1 - 1) == 6 && memcmp(sp1 + 1, "stdout", 6) == 0)
		e->stderr_stream = false;
	else if ((size_t)(sp2 - sp1 - 1) == 6 && memcmp(sp1 + 1, "stderr", 6) == 0)
		e->stderr_stream = true;
	else
		return -1;
	/* "F" or "P", then a space and the text; an empty line has no text. */
	if (sp3 == NULL) {
		if (len - (size_t)(sp2 + 1 - line) != 1)
			return -1;
		e->partial = sp2[1] == 'P';
		e->text = line + len;
		e->text_len = 0;
		return sp2[1] == 'F' || sp2[1] == 'P' ? 0 : -1;
	}
	if (sp3 - sp2 != 2 || (sp2[1] != 'F' && sp2[1] != 'P'))
		return -1;
	e->partial = sp2[1] == 'P';
	e->text = sp3 + 1;
	e->text_len = len - (size_t)(sp3 + 1 - line);
	return 0;
}

/* ---- `podctl logs`: read, filter and stream the log ---- */

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec.pb-c.h"
#include "exits.h"
#include "validate.h"

#define CHUNK_BYTES (64 * 1024)
#define ENTRY_MAX (64 * 1024)   /* a joined line is cut into entries of this size */
#define TAIL_MAX 100000

struct entry {
	int64_t time_ns;
	bool is_stderr;
	bool partial; /* the log ended before the line did */
	char *text;
	size_t len;
};

struct streamer {
	struct podd_server *srv;
	const struct podd_request *req;
	const Podd__LogsRequest *r;
	/* the chunk being filled */
	Podd__LogLine *lines;
	Podd__LogLine **ptrs;
	size_t n, cap, bytes;
	/* tail ring */
	struct entry *ring;
	size_t ring_n, ring_start;
	/* the line being joined, a stream each: a stream's partial line is
	 * joined only with that stream's next */
	struct entry cur[2];
	bool have_cur[2];
	bool following; /* the tail was sent: later lines go out as they come */
	/* bytes read but not yet a whole line */
	char *buf;
	size_t have;
};

static void entry_free(struct entry *e)
{
	free(e->text);
	e->text = NULL;
	e->len = 0;
}

static int flush_chunk(struct streamer *s, bool more, podd_error_t *err)
{
	Podd__LogChunk chunk = PODD__LOG_CHUNK__INIT;
	int r;

	if (s->n == 0 && more)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		s->ptrs[i] = &s->lines[i];
	chunk.lines = s->ptrs;
	chunk.n_lines = s->n;
	r = podd_server_reply(s->srv, s->req, PODD__EXEC_TYPE__EXEC_TYPE_LOG_CHUNK,
			      more ? PODD_FRAME_MORE : 0, &chunk.base, NULL, 0, err);
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i].text.data);
	s->n = 0;
	s->bytes = 0;
	return r;
}

/* Take ownership of e's text and queue it for sending. */
static int emit(struct streamer *s, struct entry *e, podd_error_t *err)
{
	if (s->bytes + e->len + 32 > CHUNK_BYTES && flush_chunk(s, true, err) < 0)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		Podd__LogLine *lines = realloc(s->lines, cap * sizeof(*lines));
		if (lines == NULL)
			return podd_error_sys(err, ENOMEM, "logs");
		s->lines = lines;
		Podd__LogLine **ptrs = realloc(s->ptrs, cap * sizeof(*ptrs));
		if (ptrs == NULL)
			return podd_error_sys(err, ENOMEM, "logs");
		s->ptrs = ptrs;
		s->cap = cap;
	}
	podd__log_line__init(&s->lines[s->n]);
	s->lines[s->n].time_ns = e->time_ns;
	s->lines[s->n].stderr = e->is_stderr;
	s->lines[s->n].partial = e->partial;
	s->lines[s->n].text.data = (uint8_t *)e->text;
	s->lines[s->n].text.len = e->len;
	e->text = NULL;
	s->n++;
	s->bytes += e->len + 32;
	return 0;
}

/* A whole entry: filtered by time, then kept in the tail ring or sent. */
static int finish_entry(struct streamer *s, struct entry *e, podd_error_t *err)
{
	const Podd__LogsRequest *r = s->r;

	if ((r->since_ns && e->time_ns < r->since_ns) || (r->until_ns && e->time_ns > r->until_ns)) {
		entry_free(e);
		return 0;
	}
	if (r->tail < 0 || s->following)
		return emit(s, e, err);
	if (r->tail == 0) {
		entry_free(e);
		return 0;
	}
	if (s->ring_n == (size_t)r->tail) {
		entry_free(&s->ring[s->ring_start]);
		s->ring[s->ring_start] = *e;
		s->ring_start = (s->ring_start + 1) % (size_t)r->tail;
	} else {
		s->ring[(s->ring_start + s->ring_n++) % (size_t)r->tail] = *e;
	}
	e->text = NULL;
	return 0;
}

static int add_line(struct streamer *s, const char *line, size_t len, podd_error_t *err)
{
	struct log_entry le;
	struct entry *cur;
	char *grown;
	int k;

	if (log_parse_line(line, len, &le) < 0)
		return 0; /* not ours to judge; podman skips such lines too */
	k = le.stderr_stream ? 1 : 0;
	cur = &s->cur[k];
	if (!s->have_cur[k]) {
		*cur = (struct entry){ .time_ns = le.time_ns, .is_stderr = le.stderr_stream };
		s->have_cur[k] = true;
	}
	if (cur->len + le.text_len > ENTRY_MAX) {
		/* a piece of a longer line: no newline after it */
		cur->partial = true;
		if (finish_entry(s, cur, err) < 0)
			return -1;
		*cur = (struct entry){ .time_ns = le.time_ns, .is_stderr = le.stderr_stream };
	}
	grown = realloc(cur->text, cur->len + le.text_len + 1);
	if (grown == NULL)
		return podd_error_sys(err, ENOMEM, "logs");
	memcpy(grown + cur->len, le.text, le.text_len);
	cur->text = grown;
	cur->len += le.text_len;
	if (le.partial)
		return 0;
	s->have_cur[k] = false;
	return finish_entry(s, cur, err);
}

/* The log is at its end (the container has exited, or no --follow): a
 * line it holds no end of goes out as it is, without a newline, as
 * podman prints it. */
static int finish_partial(struct streamer *s, podd_error_t *err)
{
	for (int k = 0; k < 2; k++) {
		if (!s->have_cur[k])
			continue;
		s->have_cur[k] = false;
		s->cur[k].partial = true;
		if (finish_entry(s, &s->cur[k], err) < 0)
			return -1;
	}
	return 0;
}

/* Read what is new in the log since `*off`; whole lines only. */
static int read_new(struct streamer *s, int fd, off_t *off, podd_error_t *err)
{
	char *buf = s->buf;
	size_t size = CHUNK_BYTES;

	for (;;) {
		ssize_t n = pread(fd, buf + s->have, size - s->have, *off);
		char *start = buf, *nl;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return podd_error_sys(err, errno, "read log");
		if (n == 0)
			return 0;
		*off += n;
		s->have += (size_t)n;
		while ((nl = memchr(start, '\n', s->have - (size_t)(start - buf))) != NULL) {
			if (add_line(s, start, (size_t)(nl - start), err) < 0)
				return -1;
			start = nl + 1;
		}
		s->have -= (size_t)(start - buf);
		memmove(buf, start, s->have);
		if (s->have == size) /* a line longer than the buffer: cut it */
			s->have = 0;
	}
}

static int send_tail(struct streamer *s, podd_error_t *err)
{
	for (size_t i = 0; i < s->ring_n; i++) {
		struct entry *e = &s->ring[(s->ring_start + i) % (size_t)s->r->tail];
		if (emit(s, e, err) < 0)
			return -1;
	}
	s->ring_n = 0;
	return 0;
}

static void streamer_free(struct streamer *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i].text.data);
	for (size_t i = 0; i < s->ring_n; i++)
		entry_free(&s->ring[(s->ring_start + i) % (size_t)s->r->tail]);
	entry_free(&s->cur[0]);
	entry_free(&s->cur[1]);
	free(s->lines);
	free(s->ptrs);
	free(s->ring);
	free(s->buf);
}

int handle_logs(struct podd_server *srv, const struct podd_request *req, podd_error_t *err)
{
	const struct exec_ctx *ctx = srv->data;
	const Podd__LogsRequest *r = (const Podd__LogsRequest *)req->msg;
	__attribute__((cleanup(streamer_free))) struct streamer s = { .srv = srv, .req = req, .r = r };
	char path[4200];
	struct exit_file exitf;
	cleanup_close int fd = -1, ino = -1;
	off_t off = 0;

	if (!podd_id_valid(r->id) || r->tail < -1 || r->tail > TAIL_MAX || r->since_ns < 0 ||
	    r->until_ns < 0 || exec_log_path(ctx, path, sizeof(path), r->id) < 0 ||
	    exit_file_container(ctx, r->id, &exitf, err) < 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid logs request");
	s.buf = malloc(CHUNK_BYTES);
	if (s.buf == NULL)
		return podd_error_sys(err, ENOMEM, "logs");
	if (r->tail > 0) {
		s.ring = calloc((size_t)r->tail, sizeof(*s.ring));
		if (s.ring == NULL)
			return podd_error_sys(err, ENOMEM, "logs");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno != ENOENT)
		return podd_error_sys(err, errno, "open log");
	if (fd >= 0 && read_new(&s, fd, &off, err) < 0)
		return -1;
	if ((!r->follow || fd < 0) && finish_partial(&s, err) < 0)
		return -1;
	if (send_tail(&s, err) < 0)
		return -1;
	s.following = true;
	if (!r->follow || fd < 0)
		return flush_chunk(&s, false, err);

	/* Follow until conmon writes the exit file, then drain. */
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY) < 0 ||
	    inotify_add_watch(ino, exitf.dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
		return podd_error_sys(err, errno, "watch log");
	for (;;) {
		struct exit_info info;
		struct pollfd p = { .fd = ino, .events = POLLIN };
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

		if (exit_read(&exitf, &info, err) < 0)
			return -1;
		if (read_new(&s, fd, &off, err) < 0)
			return -1;
		if (info.exited)
			break;
		if (flush_chunk(&s, true, err) < 0)
			return -1;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return podd_error_sys(err, errno, "follow log");
		while (read(ino, buf, sizeof(buf)) > 0)
			;
	}
	if (finish_partial(&s, err) < 0)
		return -1;
	return flush_chunk(&s, false, err);
}
