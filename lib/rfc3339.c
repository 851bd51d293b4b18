/* RFC 3339 times (rfc3339.h). */
#include "rfc3339.h"

#include <stdint.h>
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

/* Two digits at s, 0..max; -1 when not. */
static int two_digits(const char *s, int max)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	int v = (s[0] - '0') * 10 + (s[1] - '0');
	return v <= max ? v : -1;
}

/* Strict by hand: strptime skips blanks and takes short fields, and reads
 * no fraction. */
int podd_rfc3339_parse(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm = { 0 };
	int year, mon, day, hh, mm, ss, off = 0;
	int64_t frac = 0, secs;
	const char *p;

	if (strlen(s) < 20)
		return -1;
	if (two_digits(s, 99) < 0 || two_digits(s + 2, 99) < 0 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	year = two_digits(s, 99) * 100 + two_digits(s + 2, 99);
	mon = two_digits(s + 5, 12);
	day = two_digits(s + 8, 31);
	hh = two_digits(s + 11, 23);
	mm = two_digits(s + 14, 59);
	ss = two_digits(s + 17, 60); /* a leap second */
	if (mon < 1 || day < 1 || hh < 0 || mm < 0 || ss < 0 || day > mdays[mon - 1])
		return -1;
	if (mon == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return -1;
	p = s + 19;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		/* Exactly "+hh:mm": a string cut short must not be read past
		 * its end (fuzz_manifest found "+00"). */
		if (strlen(p) != 6 || p[3] != ':')
			return -1;
		oh = two_digits(p + 1, 23);
		om = two_digits(p + 4, 59);
		if (oh < 0 || om < 0)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	secs = (int64_t)timegm(&tm) - off;
	if (secs < INT64_MIN / 1000000000 + 1 || secs > INT64_MAX / 1000000000 - 1)
		return 1;
	*ns = secs * 1000000000 + frac;
	return 0;
}
