#ifndef PODD_NET_POLICY_H
#define PODD_NET_POLICY_H
#include "sandbox.h"
struct podd_sandbox_policy podd_net_policy(const char *const *dirs);
#endif
