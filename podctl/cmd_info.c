/* podctl info [--format json|TEMPLATE] and podctl version. */
#include <getopt.h>
#include <json-c/json.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "filters.h"
#include "platform.h"
#include "podctl.h"

static json_object *info_json(const struct engine *e, const struct utsname *u)
{
	json_object *o = json_object_new_object(), *host = json_object_new_object(),
		    *store = json_object_new_object(), *dbc = json_object_new_object(),
		    *version = json_object_new_object(), *cs = json_object_new_object(),
		    *rt = json_object_new_object();
	const Podd__DbInfo *db = e->db_info;
	const Podd__DbConfig *c = db->config;
	json_object_object_add(host, "arch", json_object_new_string(podd_host_arch()));
	json_object_object_add(host, "kernel", json_object_new_string(u->release));
	json_object_object_add(host, "hostname", json_object_new_string(u->nodename));
	json_object_object_add(host, "os", json_object_new_string("linux"));
	json_object_object_add(host, "rootless", json_object_new_boolean(geteuid() != 0));
	json_object_object_add(host, "libseccompVersion", json_object_new_string(podd_filters_libseccomp));
	json_object_object_add(host, "lmdbVersion", json_object_new_string(db->lmdb_version));
	/* The runtime new containers get: --runtime, podd.conf's, or runc. */
	json_object_object_add(rt, "name",
			       json_object_new_string(e->opts.runtime ? e->opts.runtime : "runc"));
	json_object_object_add(host, "ociRuntime", rt);
	json_object_object_add(o, "host", host);

	json_object_object_add(cs, "number", json_object_new_int64((int64_t)db->containers));
	json_object_object_add(store, "containerStore", cs);
	json_object_object_add(store, "graphDriverName", json_object_new_string(c->graph_driver));
	json_object_object_add(store, "graphRoot", json_object_new_string(c->graph_root));
	json_object_object_add(store, "runRoot", json_object_new_string(c->run_root));
	json_object_object_add(store, "volumePath", json_object_new_string(c->volume_path));
	json_object_object_add(o, "store", store);

	json_object_object_add(dbc, "staticDir", json_object_new_string(c->static_dir));
	json_object_object_add(dbc, "tmpDir", json_object_new_string(c->tmp_dir));
	json_object_object_add(dbc, "graphRoot", json_object_new_string(c->graph_root));
	json_object_object_add(dbc, "runRoot", json_object_new_string(c->run_root));
	json_object_object_add(dbc, "graphDriver", json_object_new_string(c->graph_driver));
	json_object_object_add(dbc, "volumePath", json_object_new_string(c->volume_path));
	json_object_object_add(o, "dbConfig", dbc);

	json_object_object_add(version, "Version", json_object_new_string(PODD_VERSION));
	char osarch[32];
	snprintf(osarch, sizeof(osarch), "linux/%s", podd_host_arch());
	json_object_object_add(version, "OsArch", json_object_new_string(osarch));
	json_object_object_add(o, "version", version);
	return o;
}

/* podman prints info as YAML; this is the same tree, two spaces a level. */
static void print_yaml(json_object *o, int depth)
{
	json_object_object_foreach(o, key, val)
	{
		if (json_object_is_type(val, json_type_object)) {
			printf("%*s%s:\n", depth * 2, "", key);
			print_yaml(val, depth + 1);
		} else {
			printf("%*s%s: %s\n", depth * 2, "", key, json_object_get_string(val));
		}
	}
}

int cmd_info(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL;
	podd_error_t err = NULL;
	struct utsname u;
	struct engine e;
	json_object *o;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c != 'f') {
			fprintf(stderr, "Error: unknown flag: %s\n", argv[optind - 1]);
			return EXIT_ENGINE;
		}
		format = optarg;
	}
	uname(&u);
	if (engine_start(&e, g, NEED_STATE, &err) < 0) {
		engine_stop(&e);
		return report_error(&err);
	}
	o = info_json(&e, &u);
	if (format == NULL)
		print_yaml(o, 0);
	else if (format_is_json(format))
		print_json_indented(o, 2, true);
	else if (format_template_folded(format, o, &err) < 0)
		rc = report_error(&err);
	json_object_put(o);
	engine_stop(&e);
	return rc;
}

int cmd_version(const struct global_opts *g, int argc, char **argv)
{
	(void)g;
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Error: version takes no arguments\n");
		return EXIT_ENGINE;
	}
	printf("Version:      %s\nAPI Version:  %s\nProtocol:     %u\nOS/Arch:      linux/%s\n",
	       PODD_VERSION, PODD_VERSION, 1u, podd_host_arch());
	return 0;
}
