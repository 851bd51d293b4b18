/* Resolving --user (userdb.h). The files are container content: every
 * line is bounded, numbers are plain decimal within 32 bits, and a line
 * that does not parse is skipped, as libc's getpwent does. */
#include "userdb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define FIELDS_MAX 8 /* one more than passwd has, to see extra fields */
#define LINE_MAX_LEN 4096

/* Decimal digits only, below 2^32 - 1 (the kernel's invalid id). */
static bool parse_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Split one line (modified in place) into at most FIELDS_MAX fields; the
 * last one holds the rest. */
static size_t split(char *line, char *fields[FIELDS_MAX])
{
	size_t n = 0;
	char *p = line;

	while (n < FIELDS_MAX) {
		fields[n++] = p;
		p = strchr(p, ':');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

struct entry {
	char name[256];
	uint32_t id, gid;  /* gid: passwd only */
	char home[EXEC_USER_HOME_MAX];
	char members[LINE_MAX_LEN]; /* group only */
};

/* The next well-formed entry of a passwd (want 7 fields) or group (4)
 * file, advancing *pos; false at the end. */
static bool next_entry(const char **pos, bool is_passwd, struct entry *e)
{
	while (**pos) {
		const char *start = *pos, *nl = strchr(start, '\n');
		size_t len = nl ? (size_t)(nl - start) : strlen(start);
		char line[LINE_MAX_LEN], *f[FIELDS_MAX];
		size_t n;

		*pos = nl ? nl + 1 : start + len;
		if (len == 0 || len >= sizeof(line) || *start == '#')
			continue;
		memcpy(line, start, len);
		line[len] = '\0';
		n = split(line, f);
		if (n != (is_passwd ? 7u : 4u) || f[0][0] == '\0' || strlen(f[0]) >= sizeof(e->name) ||
		    !parse_id(f[2], &e->id))
			continue;
		snprintf(e->name, sizeof(e->name), "%s", f[0]);
		if (is_passwd) {
			if (!parse_id(f[3], &e->gid) || f[5][0] != '/' ||
			    strlen(f[5]) >= sizeof(e->home))
				continue;
			snprintf(e->home, sizeof(e->home), "%s", f[5]);
		} else {
			snprintf(e->members, sizeof(e->members), "%s", f[3]);
		}
		return true;
	}
	return false;
}

/* By name, or by number when `by_id`; the first match wins, as in libc. */
static bool find(const char *file, bool is_passwd, const char *name, bool by_id, uint32_t id,
		 struct entry *e)
{
	const char *pos = file ? file : "";
	while (next_entry(&pos, is_passwd, e))
		if (by_id ? e->id == id : strcmp(e->name, name) == 0)
			return true;
	return false;
}

static bool member_of(const char *members, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = members; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

static void add_gid(struct exec_user *u, uint32_t gid)
{
	for (size_t i = 0; i < u->ngids; i++)
		if (u->gids[i] == gid)
			return;
	if (u->ngids < EXEC_USER_GIDS_MAX)
		u->gids[u->ngids++] = gid;
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct exec_user *out,
		 podd_error_t *err)
{
	char user[256], *grp;
	struct entry pw, gr;
	bool found, user_numeric;
	uint32_t uid = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(spec) >= sizeof(user))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid user \"%.64s\"", spec);
	snprintf(user, sizeof(user), "%s", spec);
	grp = strchr(user, ':');
	if (grp)
		*grp++ = '\0';
	if (user[0] == '\0' || (grp && grp[0] == '\0'))
		return podd_error(err, PODD_E_INVALID_ARGUMENT, "invalid user \"%s\"", spec);
	user_numeric = parse_id(user, &uid);
	found = find(passwd, true, user, user_numeric, uid, &pw);
	if (!found && !user_numeric)
		return podd_error(err, PODD_E_CANNOT_INVOKE,
				  "unable to find user %s: no matching entries in passwd file", user);
	out->uid = found ? pw.id : uid;
	out->gid = found ? pw.gid : 0;
	snprintf(out->home, sizeof(out->home), "%s", found ? pw.home : "/");
	if (grp) {
		uint32_t gid;
		if (parse_id(grp, &gid)) {
			out->gid = gid;
		} else if (find(group, false, grp, false, 0, &gr)) {
			out->gid = gr.id;
		} else {
			return podd_error(err, PODD_E_CANNOT_INVOKE,
					  "unable to find group %s: no matching entries in group file",
					  grp);
		}
		add_gid(out, out->gid);
		return 0;
	}
	add_gid(out, out->gid);
	if (found) {
		const char *pos = group ? group : "";
		while (next_entry(&pos, false, &gr))
			if (member_of(gr.members, pw.name))
				add_gid(out, gr.id);
	}
	return 0;
}
