#ifndef PODD_EXEC_POLICY_H
#define PODD_EXEC_POLICY_H
#include "sandbox.h"
struct podd_sandbox_policy podd_exec_policy(const char *const *dirs);
/* The export child (export.c): reads a rootfs it has chrooted into; dirs
 * is that root. */
struct podd_sandbox_policy podd_export_policy(const char *const *dirs);
#endif
