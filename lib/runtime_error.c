#include "runtime_error.h"

#include <string.h>

static enum podd_runtime_error kind_of(const char *s, size_t n)
{
	static const struct {
		const char *text;
		enum podd_runtime_error kind;
	} tests[] = {
		{ "permission denied", PODD_RUNTIME_ERROR_PERMISSION },
		{ "operation not permitted", PODD_RUNTIME_ERROR_PERMISSION },
		{ "executable file not found", PODD_RUNTIME_ERROR_NOT_FOUND },
		{ "no such file or directory", PODD_RUNTIME_ERROR_NOT_FOUND },
	};

	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		size_t len = strlen(tests[t].text);
		for (size_t i = 0; i + len <= n; i++)
			if (strncasecmp(s + i, tests[t].text, len) == 0)
				return tests[t].kind;
	}
	return PODD_RUNTIME_ERROR_OTHER;
}

enum podd_runtime_error podd_runtime_error_kind(const char *msg)
{
	return kind_of(msg, strlen(msg));
}

void podd_runtime_error_line(char *msg)
{
	/* podman looks through the whole message for each kind in turn. */
	static const enum podd_runtime_error order[] = { PODD_RUNTIME_ERROR_PERMISSION,
							 PODD_RUNTIME_ERROR_NOT_FOUND };
	size_t n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (char *line = msg; *line;) {
			size_t len = strcspn(line, "\n");
			if (kind_of(line, len) == order[k]) {
				memmove(msg, line, len);
				msg[len] = '\0';
				return;
			}
			line += len + (line[len] == '\n');
		}
	}
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}
