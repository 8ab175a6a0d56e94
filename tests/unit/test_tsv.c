/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "tsv.h"
#include "unit.h"

static const struct {
	const char *in;
	size_t nf;		/* fields in all */
	const char *f[5];	/* the first ones */
} cases[] = {
	{ "", 1, { "" } },
	{ "a", 1, { "a" } },
	{ "a\tb", 2, { "a", "b" } },
	{ "\t", 2, { "", "" } },
	{ "a\t\tc", 3, { "a", "", "c" } },
	{ "a\tb\t", 3, { "a", "b", "" } },
	{ "\t\t\t\t", 5, { "", "", "", "", "" } },
	{ "one two\tthree\n", 2, { "one two", "three\n" } },
	{ "1\t2\t3\t4\t5\t6\t7", 7, { "1", "2", "3", "4", "5" } },
};

int
main(void)
{
	struct span f[5];
	size_t i, k, nf;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *in = cases[i].in;

		nf = tsv_split(in, strlen(in), f, 5);
		CHECK(nf == cases[i].nf, "[%s]: %zu fields, want %zu", in, nf,
		      cases[i].nf);
		for (k = 0; k < nf && k < 5; k++)
			CHECK(f[k].n == strlen(cases[i].f[k]) &&
			      memcmp(f[k].p, cases[i].f[k], f[k].n) == 0,
			      "[%s] field %zu = [%.*s]", in, k, (int)f[k].n,
			      f[k].p);
	}
	/* a NUL is an ordinary byte; the length bounds the line */
	nf = tsv_split("a\0b\tc\td", 5, f, 5);
	CHECK(nf == 2 && f[0].n == 3 && f[1].n == 1, "NUL: %zu fields", nf);
	/* max 0 still counts */
	CHECK(tsv_split("a\tb\tc", 5, f, 0) == 3, "count with max 0");
	/* 131 fields */
	{
		char line[600];
		size_t n = 0;

		for (k = 0; k < 131; k++)
			n += (size_t)sprintf(line + n, k ? "\t%zu" : "%zu", k);
		nf = tsv_split(line, n, f, 3);
		CHECK(nf == 131 && f[2].n == 1 && f[2].p[0] == '2',
		      "131 fields: %zu", nf);
	}
	return unit_end("tsv");
}
