/* SPDX-License-Identifier: MIT */
/*
 * The command line, alike in every program: the usage text, and option
 * values that must be numbers.  These end the program on a usage error
 * (EXIT_USAGE), as a usage error ends it wherever it is found; nothing
 * else in lib/ picks an exit status.
 */
#ifndef OPT_H
#define OPT_H

#include <getopt.h>
#include <stdio.h>

/*
 * Prints "usage: PROG SYNOPSIS" and exits with status.  Status 0 (-h,
 * --help): on stdout, followed by help (one line per option, or NULL),
 * and a failed write is an error.  Otherwise on stderr, alone.
 */
_Noreturn void opt_usage(int status, const char *synopsis, const char *help);

/* The value s of option opt, a whole decimal number from min to max;
 * anything else ends the program: "prog: -j: 0: not a number from 1 to
 * 64". */
long long opt_num(const char *opt, const char *s, long long min,
    long long max);

/* The same for a size in bytes: a number with an optional K, M or G
 * (powers of 1024), such as 16M. */
long long opt_size(const char *opt, const char *s, long long min,
    long long max);

/*
 * The option loop of every program: getopt_long over argv with shorts
 * and longs, each option's character (or '?' for one unknown) and
 * argument to fn, in order.  Returns the index of the first operand.
 */
int opt_parse(int argc, char **argv, const char *shorts,
    const struct option *longs, void (*fn)(int c, char *arg));

/* The same for a real number above 0, at most max: "prog: --rate: x:
 * not WHAT" (what: "a number of writes a second"). */
double opt_real(const char *opt, const char *s, double max,
    const char *what);

/* The long options of a program whose one long option is --help
 * (getopt's 'h'). */
extern const struct option opt_help_only[];

/* The file an option names (path), opened with mode; NULL when path is
 * NULL (the option was not given).  A file that cannot be opened ends
 * the program: "prog: path: reason", or "prog: what: path: reason"
 * when what is not NULL (an environment variable's name). */
FILE *opt_file(const char *what, const char *path, const char *mode);

#endif
