/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "fshut.h"
#include "opt.h"

const struct option opt_help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
opt_parse(int argc, char **argv, const char *shorts,
	  const struct option *longs, void (*fn)(int c, char *arg))
{
	int c;

	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1)
		fn(c, optarg);
	return optind;
}

void
opt_usage(int status, const char *synopsis, const char *help)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s %s\n", err_prog(), synopsis);
	if (!status && help)
		fputs(help, f);
	if (!status && fshut(stdout, "stdout"))
		exit(EXIT_PARTIAL);
	exit(status);
}

static long long
parse(const char *opt, const char *s, long long min, long long max,
      int sized)
{
	long long v, unit = 1;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (sized && end != s) {
		switch (*end) {
		case 'K': case 'k': unit = 1LL << 10; end++; break;
		case 'M': case 'm': unit = 1LL << 20; end++; break;
		case 'G': case 'g': unit = 1LL << 30; end++; break;
		}
		if (v > max / unit)
			errno = ERANGE;
		v *= unit;
	}
	if (end == s || *end || errno || v < min || v > max || *s == '+' ||
	    *s == ' ')
		diex(EXIT_USAGE, "%s: %s: not a %s from %lld to %lld", opt, s,
		     sized ? "size in bytes" : "number", min, max);
	return v;
}

long long
opt_num(const char *opt, const char *s, long long min, long long max)
{
	return parse(opt, s, min, max, 0);
}

long long
opt_size(const char *opt, const char *s, long long min, long long max)
{
	return parse(opt, s, min, max, 1);
}

double
opt_real(const char *opt, const char *s, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0) || v > max)
		diex(EXIT_USAGE, "%s: %s: not %s", opt, s, what);
	return v;
}

FILE *
opt_file(const char *what, const char *path, const char *mode)
{
	FILE *f;

	if (!path || (f = fopen(path, mode)))
		return path ? f : NULL;
	if (what)
		die(EXIT_USAGE, "%s: %s:", what, path);
	die(EXIT_USAGE, "%s:", path);
}
