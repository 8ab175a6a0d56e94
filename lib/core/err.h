/* SPDX-License-Identifier: MIT */
/*
 * One error grammar and one exit-status table for every program.
 *
 * Messages are one line on stderr: "prog: context: reason".  A format
 * that ends in ':' gets ": strerror(errno)" appended (die, warn); the
 * x variants never append it.
 *
 * The convention of lib/: a function that can fail returns -1 (or NULL)
 * and appends one line saying why to the caller's struct buf; it neither
 * prints nor exits, and the exit status is chosen in cmd/.  The only
 * exceptions end the program on what no caller could go on from:
 *   - an allocation that fails: in the x* allocators and struct buf (out
 *     of memory, or a size past what they can hold), or in libcurl,
 *     libcrypto or libexpat (out of memory, or the library failing to
 *     initialise);
 *   - opt.h (a usage error);
 *   - fcheck and fshut (stdout is gone).
 * (A forked child that cannot exec ends with _exit: a status for the
 * parent to read, not the program's.)
 */
#ifndef ERR_H
#define ERR_H

#include <stdarg.h>

/* The exit status table of every program and man page. */
enum {
	EXIT_OK = 0,		/* all done */
	EXIT_PARTIAL = 1,	/* some records or objects failed, each reported */
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_REMOTE = 3,	/* the remote refused us: auth, missing table */
	EXIT_SIGINT = 130,	/* interrupted by SIGINT */
	EXIT_SIGTERM = 143,	/* stopped by SIGTERM */
};

/* Sets the name messages start with to the last segment of argv0. */
void err_setprog(const char *argv0);
const char *err_prog(void);

_Noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void diex(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
