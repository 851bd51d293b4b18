/* An OCI runtime's error message, read as podman 4.3 reads it
 * (getOCIRuntimeError): podd-exec picks the line to show, podctl the exit
 * code. */
#ifndef PODD_RUNTIME_ERROR_H
#define PODD_RUNTIME_ERROR_H

enum podd_runtime_error {
	PODD_RUNTIME_ERROR_OTHER,
	PODD_RUNTIME_ERROR_PERMISSION, /* podman's 126 */
	PODD_RUNTIME_ERROR_NOT_FOUND,  /* podman's 127 */
};

/* podman's tests, in its order and without regard to case: "permission
 * denied" or "operation not permitted", then "executable file not found"
 * or "no such file or directory", anywhere in `msg`. */
enum podd_runtime_error podd_runtime_error_kind(const char *msg);

/* Cut a runtime's multi-line message down to the line podman would show:
 * the first line with a permission phrase, else the first with a
 * not-found phrase, else the whole message, its line breaks made spaces
 * (one line for podctl's "Error: "). Trailing line breaks go. */
void podd_runtime_error_line(char *msg);

#endif
