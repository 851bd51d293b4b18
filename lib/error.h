/* The podd error contract (docs/ARCHITECTURE.md, "Errors"):
 *
 *  - every fallible function takes `podd_error_t *err` as its last argument
 *    and returns a negative int (or NULL) on failure, with *err set;
 *  - *err is NULL on entry and stays NULL on success;
 *  - a caller that passes the failure up adds context with podd_error_wrap();
 *  - a caller that handles it calls podd_error_free() (or uses
 *    cleanup_error);
 *  - the code is an ERROR_CODE_* from proto/common.proto, so an error
 *    crosses a socket unchanged and podctl maps it to an exit code.
 */
#ifndef PODD_ERROR_H
#define PODD_ERROR_H

#include <stdarg.h>

#include "common.pb-c.h"

/* Short names for proto/common.proto's ErrorCode. */
#define PODD_E_INTERNAL PODD__ERROR_CODE__ERROR_CODE_INTERNAL
#define PODD_E_INVALID_ARGUMENT PODD__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT
#define PODD_E_NO_SUCH_CONTAINER PODD__ERROR_CODE__ERROR_CODE_NO_SUCH_CONTAINER
#define PODD_E_NAME_IN_USE PODD__ERROR_CODE__ERROR_CODE_NAME_IN_USE
#define PODD_E_AMBIGUOUS PODD__ERROR_CODE__ERROR_CODE_AMBIGUOUS
#define PODD_E_DB_CONFIG_MISMATCH PODD__ERROR_CODE__ERROR_CODE_DB_CONFIG_MISMATCH
#define PODD_E_PROTOCOL PODD__ERROR_CODE__ERROR_CODE_PROTOCOL
#define PODD_E_LOCKED PODD__ERROR_CODE__ERROR_CODE_LOCKED
#define PODD_E_NO_SUCH_OBJECT PODD__ERROR_CODE__ERROR_CODE_NO_SUCH_OBJECT
#define PODD_E_NOT_PERMITTED PODD__ERROR_CODE__ERROR_CODE_NOT_PERMITTED
#define PODD_E_RUNTIME PODD__ERROR_CODE__ERROR_CODE_RUNTIME
#define PODD_E_STATE_IMPROPER PODD__ERROR_CODE__ERROR_CODE_STATE_IMPROPER
#define PODD_E_CANNOT_INVOKE PODD__ERROR_CODE__ERROR_CODE_CANNOT_INVOKE
#define PODD_E_COMMAND_NOT_FOUND PODD__ERROR_CODE__ERROR_CODE_COMMAND_NOT_FOUND

struct podd_error {
	int code;      /* PODD_E_* */
	int sys_errno; /* errno at the failure, 0 if none */
	char *msg;     /* full message, context first: "a: b: cause" */
};
typedef struct podd_error *podd_error_t;

/* Set *err (code, no errno); returns -1 so `return podd_error(...)` reads. */
int podd_error(podd_error_t *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set *err with ": strerror(errnum)" appended; code INTERNAL unless given. */
int podd_error_sys(podd_error_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int podd_error_sys_code(podd_error_t *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix context to an existing error: "context: old message". */
int podd_error_wrap(podd_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void podd_error_free(podd_error_t *err);

static inline void podd_error_freep(podd_error_t *err)
{
	podd_error_free(err);
}
#define cleanup_error __attribute__((cleanup(podd_error_freep)))

#endif
