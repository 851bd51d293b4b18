/* RFC 3339 times (rfc3339.h). */
#include "rfc3339.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char *podd_rfc3339(int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char date[64], *out = NULL;

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09lldZ", date, (long long)(ns % 1000000000LL)) < 0)
		return NULL;
	return out;
}

char *podd_rfc3339_nano(int64_t ns)
{
	char *s = podd_rfc3339(ns), *dot, *z;

	if (s == NULL || (dot = strchr(s, '.')) == NULL || (z = strchr(dot, 'Z')) == NULL)
		return s;
	while (z > dot + 1 && z[-1] == '0')
		z--;
	if (z == dot + 1)
		z = dot;
	memmove(z, "Z", 2);
	return s;
}
