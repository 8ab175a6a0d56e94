/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "tstamp.h"
#include "unit.h"

#define BAD INT64_MIN

static const struct {
	const char *in;
	int64_t want;		/* BAD: must be refused */
} cases[] = {
	/* the populator's own test line */
	{ "2016-11-27 08:46:40.000", 1480236400 },
	{ "2016-11-27 08:46:40", 1480236400 },
	{ "2016-11-27 08:46:40.9", 1480236400 },
	{ "2016-11-27 08:46:40.999999999", 1480236400 },
	{ "2021-10-15 09:05:41.458800585", 1634288741 },
	{ "1970-01-01 00:00:00", 0 },
	{ "1969-12-31 23:59:59.5", -1 },
	{ "2038-01-19 03:14:08", 2147483648LL },
	{ "9999-12-31 23:59:59", 253402300799LL },
	{ "0000-01-01 00:00:00", -62167219200LL },
	/* leap years */
	{ "2016-02-29 00:00:00", 1456704000 },
	{ "2000-02-29 00:00:00", 951782400 },
	{ "2400-02-29", 13574563200LL },
	{ "1900-02-29 00:00:00", BAD },
	{ "2017-02-29 00:00:00", BAD },
	{ "2100-02-29", BAD },
	{ "2016-12-31 23:59:59", 1483228799 },
	/* the other forms */
	{ "2017-01-01", 1483228800 },
	{ "2017-01-01-12-30-15", 1483273815 },
	{ "2017-01-01T12:30:15Z", 1483273815 },
	{ "2017-01-01T12:30:15", 1483273815 },
	{ "2017-01-01T12:30:15.123456789Z", 1483273815 },
	{ "2017-01-01T13:30:15+01:00", 1483273815 },
	{ "2017-01-01T13:30:15+0100", 1483273815 },
	{ "2017-01-01T13:30:15+01", 1483273815 },
	{ "2017-01-01T11:00:15-01:30", 1483273815 },
	/* malformed */
	{ "", BAD },
	{ "2016", BAD },
	{ "2016-11", BAD },
	{ "2016-13-01 00:00:00", BAD },
	{ "2016-00-01 00:00:00", BAD },
	{ "2016-11-00 00:00:00", BAD },
	{ "2016-11-31 00:00:00", BAD },
	{ "2016-04-31", BAD },
	{ "2016-11-27 24:00:00", BAD },
	{ "2016-11-27 23:60:00", BAD },
	{ "2016-11-27 23:59:60", BAD },
	{ "2016-11-27 08:46:40.", BAD },
	{ "2016-11-27 08:46:40.1234567890", BAD },
	{ "2016-11-27 08:46:40.000 ", BAD },
	{ " 2016-11-27 08:46:40", BAD },
	{ "2016-11-27 08:46:40.000Z", BAD },
	{ "2016-11-27 08:46:40junk", BAD },
	{ "2016-11-27 8:46:40", BAD },
	{ "2016-11-27  08:46:40", BAD },
	{ "16-11-27 08:46:40", BAD },
	{ "-2006-10-15 09:06:35.493256951", BAD },
	{ "+2016-11-27 08:46:40", BAD },
	{ "2016/11/27 08:46:40", BAD },
	{ "2016-11-27x08:46:40", BAD },
	{ "2016-11-27 08-46-40", BAD },
	{ "2016-11-27-08:46:40", BAD },
	{ "2016-11-27-08-46", BAD },
	{ "2016-11-27-08-46-40-00", BAD },
	{ "2016-11-27T08:46:40ZZ", BAD },
	{ "2016-11-27T08:46:40+24:00", BAD },
	{ "2016-11-27T08:46:40+01:60", BAD },
	{ "2016-11-27T08:46:40+1", BAD },
	{ "2016-11-27T08:46", BAD },
	{ "29th May 2013 18:04:12", BAD },
	{ "2016-1a-27", BAD },
	{ "２０１６-11-27", BAD },
};

static void
iso(int64_t secs, int ms, const char *want)
{
	char out[25];
	int n = tstamp_iso(secs, ms, out);

	CHECK(n == (int)strlen(want) && strcmp(out, want) == 0,
	      "tstamp_iso(%lld) = %s, want %s", (long long)secs, out, want);
}

int
main(void)
{
	size_t i;
	int64_t got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = tstamp_parse(cases[i].in, strlen(cases[i].in), &got);

		if (cases[i].want == BAD)
			CHECK(r == -1, "[%s] accepted as %lld", cases[i].in,
			      (long long)got);
		else
			CHECK(r == 0 && got == cases[i].want,
			      "[%s]: r=%d got %lld want %lld", cases[i].in, r,
			      (long long)got, (long long)cases[i].want);
	}
	/* the length bounds the text: no NUL needed */
	CHECK(tstamp_parse("2017-01-01xyz", 10, &got) == 0 &&
	      got == 1483228800, "length not honoured");
	CHECK(tstamp_parse("2017-01-01 00:00:00", 12, &got) == -1,
	      "cut text accepted");

	iso(1480236400, 0, "2016-11-27T08:46:40.000Z");
	iso(0, 999, "1970-01-01T00:00:00.999Z");
	iso(-1, 5, "1969-12-31T23:59:59.005Z");
	iso(951782400, 0, "2000-02-29T00:00:00.000Z");
	iso(253402300799LL, 0, "9999-12-31T23:59:59.000Z");
	iso(-62167219200LL, 0, "0000-01-01T00:00:00.000Z");
	CHECK(tstamp_iso(253402300800LL, 0, (char[25]){ 0 }) == -1,
	      "year 10000 written");
	CHECK(tstamp_iso(-62167219201LL, 0, (char[25]){ 0 }) == -1,
	      "year -1 written");
	/* found by tests/fuzz/fuzz_tstamp: -secs overflowed */
	CHECK(tstamp_iso(INT64_MIN, 0, (char[25]){ 0 }) == -1,
	      "INT64_MIN written");
	CHECK(tstamp_iso(INT64_MAX, 0, (char[25]){ 0 }) == -1,
	      "INT64_MAX written");
	CHECK(tstamp_iso(INT64_MAX - 15, 0, (char[25]){ 0 }) == -1,
	      "INT64_MAX - 15 written");
	/* every day of 400 years round-trips through days and back */
	{
		int64_t d, bad = 0;
		char out[25];

		for (d = tstamp_days(1800, 1, 1); d < tstamp_days(2200, 1, 1);
		     d++) {
			int64_t back;

			tstamp_iso(d * 86400 + 3661, 0, out);
			if (tstamp_parse(out, 19, &back) < 0 ||
			    back != d * 86400 + 3661)
				bad++;
		}
		CHECK(bad == 0, "%lld days did not round-trip", (long long)bad);
	}
	return unit_end("tstamp");
}
