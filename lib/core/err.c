/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static const char *prog = "?";

void
err_setprog(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	prog = slash ? slash + 1 : argv0;
}

const char *
err_prog(void)
{
	return prog;
}

/* errnum < 0: never append strerror */
static void
verr(int errnum, const char *fmt, va_list ap)
{
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (errnum >= 0 && n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(errnum));
	fputc('\n', stderr);
}

void
die(int status, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	verr(e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
diex(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(-1, fmt, ap);
	va_end(ap);
	exit(status);
}

void
warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	verr(e, fmt, ap);
	va_end(ap);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(-1, fmt, ap);
	va_end(ap);
}
