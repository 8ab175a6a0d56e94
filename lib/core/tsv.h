/* SPDX-License-Identifier: MIT */
/* Tab-separated fields, as Snowplow's enriched events have them: no
 * quoting, no escapes, an empty field is a null. */
#ifndef TSV_H
#define TSV_H

#include <stddef.h>

struct span {
	const char *p;
	size_t n;
};

/*
 * Splits line[0..len) at every tab.  Stores the first max fields in f and
 * returns how many fields the line has in all (one more than its tabs),
 * which may be more than max.  The spans point into line.
 */
size_t tsv_split(const char *line, size_t len, struct span *f, size_t max);

#endif
