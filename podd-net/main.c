/* podd-net: the sandboxed worker parses requests; its privileged launcher,
 * forked before the sandbox closes, performs the few operations that need
 * privilege (CNI plugins and slirp4netns are started by the launcher). */
#include "policy.h"
#include "worker.h"

int main(int argc, char **argv)
{
	static const struct podd_worker worker = {
		.process = "podd-net",
		.channel = "net",
		.policy = podd_net_policy,
	};
	podd_worker_main(&worker, argc, argv);
}
