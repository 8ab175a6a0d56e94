/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "err.h"
#include "filter.h"
#include "fshut.h"
#include "lineio.h"

int
filter_run(int argc, char **argv, int cr, size_t maxline, lineio_fn fn,
	   FILE *xf, const char *xfile)
{
	int status;

	setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	status = lineio_loop(argc, argv, cr, maxline, fn);
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (fshut(stdout, "stdout"))
		status = EXIT_PARTIAL;
	return status;
}
