/* podctl's own sandbox (its policy is in policy.c), applied right after
 * its helpers are spawned. */
#include <time.h>

#include "podctl.h"
#include "sandbox.h"

int podctl_sandbox(podd_error_t *err)
{
	struct podd_sandbox_policy policy = podctl_policy();
	/* Time formatting reads /etc/localtime on first use; read it now. */
	tzset();
	return podd_sandbox_apply(&policy, err);
}
