#ifndef PODD_EXEC_POLICY_H
#define PODD_EXEC_POLICY_H
#include "sandbox.h"
struct podd_sandbox_policy podd_exec_policy(const char *const *dirs);
#endif
