#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.pb-c.h"

/* Out of memory while reporting an error: keep a static record rather than
 * lose the failure. podd_error_free() knows not to free it. */
static char oom_msg[] = "out of memory while formatting an error";
static struct podd_error oom_error = { PODD_E_INTERNAL, ENOMEM, oom_msg };

__attribute__((format(printf, 4, 0))) static int set_error(podd_error_t *err, int code, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL;
	struct podd_error *e;

	if (err == NULL)
		return -1;
	podd_error_free(err);
	if (vasprintf(&msg, fmt, ap) < 0) {
		*err = &oom_error;
		return -1;
	}
	if (errnum != 0) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", msg, strerror(errnum)) < 0) {
			free(msg);
			*err = &oom_error;
			return -1;
		}
		free(msg);
		msg = full;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		free(msg);
		*err = &oom_error;
		return -1;
	}
	e->code = code;
	e->sys_errno = errnum;
	e->msg = msg;
	*err = e;
	return -1;
}

int podd_error(podd_error_t *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int podd_error_sys(podd_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(err, PODD_E_INTERNAL, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int podd_error_sys_code(podd_error_t *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(err, code, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int podd_error_wrap(podd_error_t *err, const char *fmt, ...)
{
	char *ctx = NULL, *full = NULL;
	va_list ap;

	if (err == NULL || *err == NULL || *err == &oom_error)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx == NULL)
		return -1;
	if (asprintf(&full, "%s: %s", ctx, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = full;
	}
	free(ctx);
	return -1;
}

void podd_error_free(podd_error_t *err)
{
	if (err == NULL || *err == NULL)
		return;
	if (*err != &oom_error) {
		free((*err)->msg);
		free(*err);
	}
	*err = NULL;
}
