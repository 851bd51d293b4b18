/* The overlay mount's data string, built from descriptors (overlay_opts.h).
 * Pure: no system calls, so that it is unit-tested on its own. */
#include "overlay_opts.h"

#include <stdio.h>
#include <string.h>

#include "config_check.h"
#include "validate.h"

int overlay_driver_parse(const char *s, enum storage_driver *out, podd_error_t *err)
{
	if (s == NULL || s[0] == '\0' || strcmp(s, "overlay") == 0)
		*out = STORAGE_OVERLAY;
	else if (strcmp(s, "vfs") == 0)
		*out = STORAGE_VFS;
	else
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "unsupported storage driver \"%.32s\": overlay or vfs", s);
	return 0;
}

int overlay_layers_check(char *const *chain_ids, size_t n, podd_error_t *err)
{
	if (n == 0 || n > PODD_IMAGE_LAYERS_MAX)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "an image root needs 1 to %d layers, not %zu",
				  PODD_IMAGE_LAYERS_MAX, n);
	for (size_t i = 0; i < n; i++)
		if (chain_ids[i] == NULL || !podd_id_valid(chain_ids[i]))
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid layer id");
	return 0;
}

/* lowerdir=/proc/self/fd/<top>:...:/proc/self/fd/<base>,upperdir=...,
 * workdir=...,userxattr. Descriptor paths keep each entry under 26 bytes
 * whatever the store's path, and name exactly the directories the
 * launcher opened and checked. */
int overlay_opts_build(const int *lower_fds, size_t n, int upper_fd, int work_fd, char *out,
		       size_t size, podd_error_t *err)
{
	size_t len = 0;
	int w;

	if (size > OVERLAY_OPTS_MAX)
		size = OVERLAY_OPTS_MAX;
	if (n == 0)
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "overlay: no lower layer");
#define APPEND(...)                                                                         \
	do {                                                                                \
		w = snprintf(out + len, size - len, __VA_ARGS__);                           \
		if (w < 0 || (size_t)w >= size - len)                                       \
			return podd_error(err, PODD_E_INVALID_ARGUMENT,                     \
					  "overlay: %zu layers do not fit in one page of "  \
					  "mount options",                                  \
					  n);                                               \
		len += (size_t)w;                                                           \
	} while (0)
	APPEND("lowerdir=");
	/* Overlay takes the topmost lower layer first; chain ids come base
	 * first. */
	for (size_t i = n; i-- > 0;) {
		if (lower_fds[i] < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT, "overlay: bad descriptor");
		APPEND("/proc/self/fd/%d%s", lower_fds[i], i > 0 ? ":" : "");
	}
	APPEND(",upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,userxattr", upper_fd,
	       work_fd);
#undef APPEND
	return 0;
}
