/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "fshut.h"

void
fshut_epipe(void)
{
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE);
}

int
fshut(FILE *f, const char *name)
{
	int ret = 0;

	errno = 0;
	if (fflush(f) == EOF || ferror(f))
		ret = errno ? errno : EIO;
	if (fclose(f) == EOF && !ret)
		ret = errno ? errno : EIO;
	if (!ret)
		return 0;
	if (ret == EPIPE)
		fshut_epipe();
	errno = ret;
	warn("%s: write error:", name);
	return EXIT_PARTIAL;
}

void
fcheck(FILE *f, const char *name)
{
	int e = errno;		/* from the write that failed, just before */

	if (!ferror(f))
		return;
	if (!e)
		e = EIO;
	if (e == EPIPE)
		fshut_epipe();
	errno = e;
	die(EXIT_PARTIAL, "%s: write error:", name);
}
