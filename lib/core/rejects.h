/* SPDX-License-Identifier: MIT */
/*
 * Lines a program sets aside, from any thread: as Snowplow bad rows
 * (badrow.h) in a file (-x FILE), or else the first few told on stderr,
 * "prog: input:lineno: why", and at the end how many more were not.
 *
 *	struct rejects r;
 *	rejects_init(&r, xf, xfile, 20);
 *	rejects_add(&r, input, lineno, line, n, why);	(from any thread)
 *	status |= rejects_end(&r);
 */
#ifndef REJECTS_H
#define REJECTS_H

#include <pthread.h>
#include <stdio.h>

#include "buf.h"

struct rejects {
	FILE *xf;		/* NULL: stderr */
	const char *xfile;	/* its name, for a write error */
	unsigned long long show;	/* told on stderr at most */
	unsigned long long n;	/* added so far */
	/* private */
	pthread_mutex_t lock;
	struct buf row;
};

void rejects_init(struct rejects *r, FILE *xf, const char *xfile,
		  unsigned long long show);
/* A write error to xf ends the program (fcheck). */
void rejects_add(struct rejects *r, const char *input,
		 unsigned long long lineno, const char *line, size_t n,
		 const char *why);
/* Closes xf, or tells how many lines stderr was not told of ("N more
 * rejected lines not shown (-x FILE keeps them)").  Returns 0, or
 * EXIT_PARTIAL when xf failed to close. */
int rejects_end(struct rejects *r);

#endif
