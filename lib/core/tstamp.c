/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "tstamp.h"

/* Howard Hinnant's days_from_civil: exact for every proleptic year. */
int64_t
tstamp_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Reads exactly w digits at s[*i]; returns the value or -1. */
static int
digits(const char *s, size_t n, size_t *i, int w)
{
	int v = 0;

	if (*i + (size_t)w > n)
		return -1;
	while (w--) {
		unsigned char c = (unsigned char)s[*i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
		(*i)++;
	}
	return v;
}

static int
expect(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

/* [Z|+HH:MM|-HH:MM|+HHMM|+HH] at s[*i]: sets *off in seconds east. */
static int
zone(const char *s, size_t n, size_t *i, int *off)
{
	int sign, hh, mm = 0;

	*off = 0;
	if (*i == n)
		return 0;
	if (s[*i] == 'Z') {
		(*i)++;
		return 0;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return -1;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if ((hh = digits(s, n, i, 2)) < 0 || hh > 23)
		return -1;
	if (*i < n) {
		if (s[*i] == ':')
			(*i)++;
		if ((mm = digits(s, n, i, 2)) < 0 || mm > 59)
			return -1;
	}
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int
tstamp_parse(const char *s, size_t n, int64_t *secs)
{
	size_t i = 0;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0, iso = 0;

	if ((y = digits(s, n, &i, 4)) < 0 || expect(s, n, &i, '-') < 0 ||
	    (mo = digits(s, n, &i, 2)) < 0 || expect(s, n, &i, '-') < 0 ||
	    (d = digits(s, n, &i, 2)) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
		return -1;
	if (i < n) {
		char sep = s[i++];

		if (sep == '-') {	/* YYYY-MM-DD-HH-MM-SS */
			if ((h = digits(s, n, &i, 2)) < 0 ||
			    expect(s, n, &i, '-') < 0 ||
			    (mi = digits(s, n, &i, 2)) < 0 ||
			    expect(s, n, &i, '-') < 0 ||
			    (sec = digits(s, n, &i, 2)) < 0)
				return -1;
		} else if (sep == ' ' || sep == 'T') {
			iso = sep == 'T';
			if ((h = digits(s, n, &i, 2)) < 0 ||
			    expect(s, n, &i, ':') < 0 ||
			    (mi = digits(s, n, &i, 2)) < 0 ||
			    expect(s, n, &i, ':') < 0 ||
			    (sec = digits(s, n, &i, 2)) < 0)
				return -1;
			if (i < n && s[i] == '.') {
				size_t f = ++i;

				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
				if (i == f || i - f > 9)
					return -1;
			}
			if (iso && zone(s, n, &i, &off) < 0)
				return -1;
		} else {
			return -1;
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
	}
	if (i != n)
		return -1;
	*secs = tstamp_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define FIRST (-62167219200LL)
#define LAST 253402300799LL

int
tstamp_iso(int64_t secs, int ms, char out[25])
{
	int64_t days, rem, z, era, doe, yoe, y, doy, mp;
	int d, m;

	/* first, so that no arithmetic below can overflow */
	if (secs < FIRST || secs > LAST)
		return -1;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	rem = secs - days * 86400;
	/* Hinnant's civil_from_days */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	if (y < 0 || y > 9999 || ms < 0 || ms > 999)
		return -1;
	return snprintf(out, 25, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			(int)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
			(int)(rem % 60), ms);
}
