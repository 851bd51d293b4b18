#ifndef PODD_STATE_POLICY_H
#define PODD_STATE_POLICY_H
#include "sandbox.h"
struct podd_sandbox_policy podd_state_policy(const char *const *dirs);
#endif
