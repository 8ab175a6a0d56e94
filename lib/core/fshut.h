/* SPDX-License-Identifier: MIT */
#ifndef FSHUT_H
#define FSHUT_H

#include <stdio.h>

/*
 * Flushes and closes f, reporting a failure as "prog: name: write
 * error: reason".  Returns 0, or EXIT_PARTIAL after an error.  A closed
 * pipe ends the program as SIGPIPE would, quietly: the reader has all it
 * wanted (this matters where SIGPIPE is ignored, as inside libcurl).
 */
int fshut(FILE *f, const char *name);
/* Ends the program at once when a write to f failed, so a full disk
 * stops a long run now rather than at the end.  Call it right after the
 * write: the message takes its reason from errno. */
void fcheck(FILE *f, const char *name);
/* Ends the program the way a default SIGPIPE does. */
_Noreturn void fshut_epipe(void);

#endif
