/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "tsv.h"

size_t
tsv_split(const char *line, size_t len, struct span *f, size_t max)
{
	const char *p = line, *end = line + len, *t;
	size_t k = 0;

	for (;;) {
		t = memchr(p, '\t', (size_t)(end - p));
		if (k < max) {
			f[k].p = p;
			f[k].n = (size_t)((t ? t : end) - p);
		}
		k++;
		if (!t)
			return k;
		p = t + 1;
	}
}
