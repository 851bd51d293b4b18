/* podd-exec: the sandboxed worker parses requests; its privileged launcher,
 * forked before the sandbox closes, performs the few operations that need
 * privilege (runc and conmon are started by the launcher, issue 3). */
#include "policy.h"
#include "worker.h"

int main(int argc, char **argv)
{
	static const struct podd_worker worker = {
		.process = "podd-exec",
		.channel = "exec",
		.policy = podd_exec_policy,
		.grant_static_dir = true,
	};
	podd_worker_main(&worker, argc, argv);
}
