/* Diagnostics on stderr, prefixed with the process name. Levels follow
 * podman's --log-level names. */
#ifndef PODD_LOG_H
#define PODD_LOG_H

enum podd_log_level {
	PODD_LOG_ERROR = 0,
	PODD_LOG_WARN,
	PODD_LOG_INFO,
	PODD_LOG_DEBUG,
};

void podd_log_init(const char *process, enum podd_log_level level);
/* Parse "error", "warn", "info", "debug" (also "fatal"/"panic" as error,
 * "trace" as debug). Returns -1 for anything else. */
int podd_log_level_parse(const char *name);
const char *podd_log_level_name(enum podd_log_level level);
enum podd_log_level podd_log_level_get(void);

void podd_log(enum podd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define podd_debug(...) podd_log(PODD_LOG_DEBUG, __VA_ARGS__)
#define podd_info(...) podd_log(PODD_LOG_INFO, __VA_ARGS__)
#define podd_warn(...) podd_log(PODD_LOG_WARN, __VA_ARGS__)
#define podd_err(...) podd_log(PODD_LOG_ERROR, __VA_ARGS__)

#endif
