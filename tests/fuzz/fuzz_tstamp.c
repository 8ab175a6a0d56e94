/* SPDX-License-Identifier: MIT */
/*
 * tstamp_parse on any bytes, and the round trip through tstamp_iso:
 * whatever parses (inside years 0000..9999) is written back by
 * tstamp_iso as text that parses to the same second; and the first
 * eight bytes, as a second in that range, survive iso then parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tstamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIRST (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define LAST 253402300799LL	/* 9999-12-31T23:59:59Z */

static void
roundtrip(int64_t secs, int ms)
{
	char iso[25];
	int64_t back;
	int n = tstamp_iso(secs, ms, iso);

	if (secs < FIRST || secs > LAST) {
		if (n != -1)
			abort();
		return;
	}
	if (n != 24 || tstamp_parse(iso, (size_t)n, &back) < 0 ||
	    back != secs)
		abort();
	/* the same second in the run-folder and event forms */
	iso[10] = ' ';
	if (tstamp_parse(iso, 23, &back) < 0 || back != secs)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	int64_t secs;
	uint64_t u = 0;

	memcpy(copy, data, size);
	if (tstamp_parse(copy, size, &secs) == 0) {
		/* 9999-12-31T23:59:59-23:59 is past LAST: iso refuses */
		if (secs < FIRST - 86400 || secs > LAST + 86400)
			abort();
		roundtrip(secs, size ? data[0] % 1000 : 0);
	}
	free(copy);
	if (size >= 8) {
		memcpy(&u, data, 8);
		roundtrip(FIRST + (int64_t)(u % (uint64_t)(LAST - FIRST + 1)),
			  (int)(u % 1000));
		roundtrip((int64_t)u, 0);
	}
	return 0;
}
