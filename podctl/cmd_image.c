/* podctl image SUBCOMMAND: podman's image group. Each subcommand is the
 * top-level command of the same job (image ls = images, image rm = rmi). */
#include <stdio.h>
#include <string.h>

#include "images.h"

struct subcommand {
	const char *name;
	int (*run)(const struct global_opts *g, int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "list", cmd_images },
	{ "load", cmd_load },
	{ "ls", cmd_images },
};

int cmd_image(const struct global_opts *g, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "Usage: podctl image SUBCOMMAND\n\nManage images:");
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			fprintf(out, " %s", subcommands[i].name);
		fprintf(out, "\n");
		if (argc < 2) {
			fprintf(stderr, "Error: missing command 'podctl image COMMAND'\n");
			return EXIT_ENGINE;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(g, argc - 1, argv + 1);
	fprintf(stderr, "Error: unrecognized command `podctl image %s`\n", argv[1]);
	return EXIT_ENGINE;
}
