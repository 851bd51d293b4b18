/* podd-net: the sandboxed worker parses requests; its privileged launcher,
 * forked before the sandbox closes, performs the few operations that need
 * privilege (CNI plugins and slirp4netns are started by the launcher). */
#include "policy.h"
#include "worker.h"

/* The worker only relays requests to its launcher so far: no file of
 * the engine's is its to touch (not runc's state in the tmp dir either). */
static const char *const *confine(void *data)
{
	static const char *const none[] = { NULL };
	(void)data;
	return none;
}

int main(int argc, char **argv)
{
	static const struct podd_worker worker = {
		.process = "podd-net",
		.channel = "net",
		.policy = podd_net_policy,
		.confine = confine,
	};
	podd_worker_main(&worker, argc, argv);
}
