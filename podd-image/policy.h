#ifndef PODD_IMAGE_POLICY_H
#define PODD_IMAGE_POLICY_H
#include "sandbox.h"
struct podd_sandbox_policy podd_image_policy(const char *const *dirs);
struct podd_sandbox_policy podd_image_registry_policy(const char *const *dirs);
#endif
