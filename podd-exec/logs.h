/* k8s-file log lines (logs.c). */
#ifndef PODD_EXEC_LOGS_H
#define PODD_EXEC_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct log_entry {
	int64_t time_ns;
	bool stderr_stream;
	bool partial;      /* continued by the next line */
	const char *text;  /* points into the line */
	size_t text_len;
};

int log_parse_time(const char *s, size_t len, int64_t *ns);
/* `line` without its newline. */
int log_parse_line(const char *line, size_t len, struct log_entry *e);

#endif
