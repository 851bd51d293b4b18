#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_process = "podd";
static enum podd_log_level log_level = PODD_LOG_WARN;

static const struct {
	const char *name;
	enum podd_log_level level;
} level_names[] = {
	{ "panic", PODD_LOG_ERROR }, { "fatal", PODD_LOG_ERROR }, { "error", PODD_LOG_ERROR },
	{ "warn", PODD_LOG_WARN },   { "info", PODD_LOG_INFO },   { "debug", PODD_LOG_DEBUG },
	{ "trace", PODD_LOG_DEBUG },
};

void podd_log_init(const char *process, enum podd_log_level level)
{
	log_process = process;
	log_level = level;
}

int podd_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i].name) == 0)
			return (int)level_names[i].level;
	return -1;
}

const char *podd_log_level_name(enum podd_log_level level)
{
	switch (level) {
	case PODD_LOG_ERROR:
		return "error";
	case PODD_LOG_WARN:
		return "warn";
	case PODD_LOG_INFO:
		return "info";
	case PODD_LOG_DEBUG:
		return "debug";
	default:
		return "warn";
	}
}

enum podd_log_level podd_log_level_get(void)
{
	return log_level;
}

void podd_log(enum podd_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s[%d]: %s: ", log_process, (int)getpid(),
		     podd_log_level_name(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	/* One write(2) per line: lines of concurrent processes do not mix. */
	(void)!write(STDERR_FILENO, line, strlen(line));
}
