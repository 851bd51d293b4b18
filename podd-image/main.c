/* podd-image: the only process that parses registry data and layers, the
 * most hostile input the engine sees. It keeps the file-ownership
 * capabilities layer extraction needs, cannot mount or exec, and sees only
 * its store. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "log.h"
#include "policy.h"

int main(int argc, char **argv)
{
	struct podd_helper_args args;
	struct podd_server srv = { 0 };
	podd_error_t err = NULL;
	char store[4096];

	podd_helper_init("podd-image", argc, argv, &args);
	snprintf(store, sizeof(store), "%s/storage", args.static_dir);
	if (podd_mkdir_p(store, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	const char *const dirs[] = { store, NULL };
	const struct podd_sandbox_policy policy = podd_image_policy(dirs);
	if (podd_sandbox_apply(&policy, &err) < 0) {
		podd_err("%s", err->msg);
		return 1;
	}

	srv.process = "podd-image";
	srv.channel = "image";
	/* Only Hello and Ping so far; pulls come with issue 4. */
	podd_helper_serve(&srv);
}
