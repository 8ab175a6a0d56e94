/* SPDX-License-Identifier: MIT */
/*
 * A filter's run once its options are read, as sbase's cut ends:
 *
 *	xf = opt_file(NULL, xfile, "w");	(-x, or NULL)
 *	status = filter_run(argc, argv, 1, maxline, oneline, xf, xfile);
 *
 * stdout is fully buffered; each line of the operands (or stdin) goes to
 * fn, as lineio_loop hands it; then the rejects file xf (named xfile;
 * NULL: none) and stdout are closed, a failure of either reported as
 * "prog: name: write error: reason".  Returns EXIT_OK, or EXIT_PARTIAL
 * when an input or a close failed.  xf is closed, in every case.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stdio.h>

#include "lineio.h"

int filter_run(int argc, char **argv, int cr, size_t maxline, lineio_fn fn,
	       FILE *xf, const char *xfile);

#endif
