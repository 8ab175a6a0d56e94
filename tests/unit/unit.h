/* SPDX-License-Identifier: MIT */
/*
 * A minimal harness for the lib/ unit tests: CHECK counts one case,
 * and unit_end prints "NAME: N passed, N failed" (tests/run sums these)
 * and gives the exit status.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

static int unit_pass, unit_fail;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		unit_pass++;						\
	} else {							\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__,		\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static inline int
unit_end(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
