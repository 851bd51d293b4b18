/* podman's --change instructions applied to an image config (image_change.h).
 * Podman 4.3's rules, as measured against it: the instruction is split
 * from its value at the first space (or, with none, the first '='), the
 * value trimmed; the messages are podman's. */
#include "image_change.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"

#define SHOWN_MAX 256

/* The change as it may appear in a message: printable ASCII, bounded. */
static void shown_copy(const char *in, char *out, size_t size)
{
	size_t i = 0;
	for (; *in && i + 4 < size; in++)
		out[i++] = isprint((unsigned char)*in) ? *in : '?';
	if (*in && i + 4 >= size)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A JSON array of strings, or NULL. */
static json_object *string_array(const char *v)
{
	json_object *a;
	if (v[0] != '[')
		return NULL;
	a = json_tokener_parse(v);
	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string)) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

/* CMD and ENTRYPOINT: a JSON array of strings (exec form), else a command
 * line for /bin/sh -c (shell form), as podman takes them. */
static json_object *command_value(const char *v)
{
	json_object *a = string_array(v);
	if (a)
		return a;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("/bin/sh"));
	json_object_array_add(a, json_object_new_string("-c"));
	json_object_array_add(a, json_object_new_string(v));
	return a;
}

/* Go's numbering, as podman reports it: RTMIN is 34, RTMAX 64. */
static int signal_number(const char *s)
{
	char *end;
	long n;

	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		n = strtol(s, &end, 10);
		return errno == 0 && *end == '\0' && n >= 1 && n <= 64 ? (int)n : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool max = toupper((unsigned char)s[3]) == 'A';
		n = 0;
		if (s[5] != '\0') {
			if ((max ? s[5] != '-' : s[5] != '+') || !isdigit((unsigned char)s[6]))
				return -1;
			errno = 0;
			n = strtol(s + 6, &end, 10);
			if (errno || *end || n > 30)
				return -1;
		}
		return max ? 64 - (int)n : 34 + (int)n;
	}
	for (int i = 1; i < NSIG && i < 32; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(abbrev, s) == 0)
			return i;
	}
	return -1;
}

static json_object *member(json_object *cfg, const char *key, json_type type)
{
	json_object *o;
	if (json_object_object_get_ex(cfg, key, &o) && json_object_is_type(o, type))
		return o;
	o = type == json_type_array ? json_object_new_array() : json_object_new_object();
	json_object_object_add(cfg, key, o);
	return o;
}

/* ENV K=V: a later ENV of the same key replaces the earlier one. */
int image_config_env_set(json_object *cfg, const char *v, podd_error_t *err)
{
	size_t k = strcspn(v, "=");
	cleanup_free char *entry = NULL;
	json_object *env;

	if (asprintf(&entry, "%.*s=%s", (int)k, v, v[k] ? v + k + 1 : "") < 0)
		return podd_error_sys(err, ENOMEM, "change");
	env = member(cfg, "Env", json_type_array);
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && strncmp(e, entry, k + 1) == 0) {
			json_object_array_put_idx(env, i, json_object_new_string(entry));
			return 0;
		}
	}
	json_object_array_add(env, json_object_new_string(entry));
	return 0;
}

/* EXPOSE PORT[/PROTO]: the key of ExposedPorts, "80/tcp". */
static int expose_key(const char *v, char *out, size_t size, const char **why)
{
	char port[16], proto[8] = "tcp";
	size_t plen = strcspn(v, "/");
	char *end;
	long n;

	if (plen >= sizeof(port)) {
		*why = "EXPOSE port must be a valid port number";
		return -1;
	}
	memcpy(port, v, plen);
	port[plen] = '\0';
	if (v[plen] == '/') {
		const char *p = v + plen + 1;
		if (strcasecmp(p, "tcp") != 0 && strcasecmp(p, "udp") != 0) {
			*why = "EXPOSE protocol must be TCP or UDP";
			return -1;
		}
		for (size_t i = 0; i < 3; i++)
			proto[i] = (char)tolower((unsigned char)p[i]);
	}
	errno = 0;
	n = strtol(port, &end, 10);
	if (port[0] == '\0' || *end != '\0' || errno || !(isdigit((unsigned char)port[0]) ||
							     port[0] == '-' || port[0] == '+')) {
		*why = NULL; /* the caller says strconv's words */
		return -1;
	}
	if (n < 1 || n > 65535) {
		*why = "EXPOSE port must be a valid port number";
		return -1;
	}
	snprintf(out, size, "%ld/%s", n, proto);
	return 0;
}

int image_change_apply(json_object *cfg, const char *change, char *ignored, size_t ignored_size,
		       podd_error_t *err)
{
	cleanup_free char *copy = strdup(change);
	char shown[SHOWN_MAX], insn[40], *v, *sep;
	const char *ins, *shown_v;

	if (copy == NULL)
		return podd_error_sys(err, ENOMEM, "change");
	shown_copy(change, shown, sizeof(shown));
	sep = strchr(copy, ' ');
	if (sep == NULL)
		sep = strchr(copy, '=');
	if (sep == NULL)
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "invalid change \"%s\" - must be formatted as KEY VALUE", shown);
	*sep = '\0';
	v = trim(sep + 1);
	ins = copy;
	for (char *p = copy; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	shown_copy(ins, insn, sizeof(insn));
	/* The value as shown: `shown` is `change` byte for byte (bounded). */
	shown_v = (size_t)(v - copy) <= strlen(shown) ? shown + (v - copy) : "";

	if (strcmp(ins, "CMD") == 0 || strcmp(ins, "ENTRYPOINT") == 0) {
		json_object_object_add(cfg, ins[0] == 'C' ? "Cmd" : "Entrypoint", command_value(v));
	} else if (strcmp(ins, "WORKDIR") == 0) {
		if (*v == '\0')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - must provide a non-empty WORKDIR",
					  shown);
		/* podman stores a relative one, which no runtime starts ("Cwd
		 * must be an absolute path"), and podd's run config refuses
		 * (lib/config_check.c): refused here, before anything is made. */
		if (*v != '/')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - WORKDIR must be an absolute path",
					  shown);
		json_object_object_add(cfg, "WorkingDir", json_object_new_string(v));
	} else if (strcmp(ins, "USER") == 0) {
		json_object_object_add(cfg, "User", json_object_new_string(v));
	} else if (strcmp(ins, "STOPSIGNAL") == 0) {
		char num[16];
		int s = signal_number(v);
		if (s < 0)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - KILLSIGNAL must be given a valid "
					  "signal: invalid signal: %.64s",
					  shown, shown_v);
		snprintf(num, sizeof(num), "%d", s);
		json_object_object_add(cfg, "StopSignal", json_object_new_string(num));
	} else if (strcmp(ins, "ENV") == 0) {
		return image_config_env_set(cfg, v, err);
	} else if (strcmp(ins, "LABEL") == 0) {
		size_t k = strcspn(v, "=");
		if (v[k] != '=')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - LABEL must be formatted key=value",
					  shown);
		v[k] = '\0';
		json_object_object_add(member(cfg, "Labels", json_type_object), v,
				       json_object_new_string(v + k + 1));
	} else if (strcmp(ins, "EXPOSE") == 0) {
		char key[32];
		const char *why = NULL;
		if (expose_key(v, key, sizeof(key), &why) < 0) {
			if (why)
				return podd_error(err, PODD_E_INVALID_ARGUMENT,
						  "invalid change \"%s\" - %s", shown, why);
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - EXPOSE port must be an integer: "
					  "strconv.Atoi: parsing \"%.*s\": invalid syntax",
					  shown, (int)strcspn(shown_v, "/"), shown_v);
		}
		json_object_object_add(member(cfg, "ExposedPorts", json_type_object), key,
				       json_object_new_object());
	} else if (strcmp(ins, "VOLUME") == 0) {
		json_object *paths = string_array(v), *vols;
		if (*v == '\0')
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid change \"%s\" - must be formatted as KEY VALUE",
					  shown);
		vols = member(cfg, "Volumes", json_type_object);
		if (paths == NULL) {
			json_object_object_add(vols, v, json_object_new_object());
			return 0;
		}
		for (size_t i = 0; i < json_object_array_length(paths); i++)
			json_object_object_add(
				vols, json_object_get_string(json_object_array_get_idx(paths, i)),
				json_object_new_object());
		json_object_put(paths);
	} else if (strcmp(ins, "ONBUILD") == 0) {
		if (ignored && ignored_size)
			shown_copy(v, ignored, ignored_size);
		return 1;
	} else {
		return podd_error(err, PODD_E_INVALID_ARGUMENT,
				  "invalid change \"%s\" - invalid instruction %s", shown, insn);
	}
	return 0;
}
