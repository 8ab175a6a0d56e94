/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "err.h"
#include "filter.h"
#include "fshut.h"
#include "keyset.h"
#include "lineio.h"
#include "opt.h"
#include "summary.h"
#include "tstamp.h"
#include "xalloc.h"

#define FORMATS "YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601"
#define RUNLEN 19		/* YYYY-MM-dd-HH-mm-ss */
#define MAXLINE (16L << 20)	/* far above any item or URL */
#define KEPT (64 << 10)		/* of a longer line, with -x */
#define SYNOPSIS "[-Rrv] [-s since] [-u until] [-k field] [-S summary] " \
	"[-x rejects] [file ...]"

static int kflag, Rflag, rflag, sflag, uflag, vflag;
static int64_t since, until;
static const char *sarg, *uarg;
static const char *key = "etlTime";
static const char *xfile, *sfile;
static FILE *xf;
static struct keyset *seen;	/* -R: the run folders written */

static unsigned long long nlines, nkept, noutside, nunread, nruns;

static const char help[] =
	"  -k field    the time is this JSON field (default etlTime)\n"
	"  -R          with -r: each run folder once, not its lines\n"
	"  -r          the time is the run=YYYY-MM-dd-HH-mm-ss folder named\n"
	"  -S summary  write the counts to this file as JSON at the end\n"
	"  -s since    keep lines at or after since\n"
	"  -u until    keep lines before until\n"
	"  -v          counts on stderr at the end\n"
	"  -x rejects  write lines without a readable time there\n";

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

static int64_t
when(int opt, const char *s)
{
	int64_t t;

	if (tstamp_parse(s, strlen(s), &t) < 0)
		diex(EXIT_USAGE, "-%c: %s: not a date (" FORMATS ")", opt, s);
	return t;
}

/* The first path segment run=YYYY-MM-dd-HH-mm-ss of line[0..n); *folder
 * is the length of the line up to the end of that segment. */
static int
runtime(const char *s, size_t n, int64_t *t, size_t *folder)
{
	const char *p = s, *e = s + n, *end;

	for (;;) {
		if (!(end = memchr(p, '/', (size_t)(e - p))))
			end = e;
		if (end - p == 4 + RUNLEN && memcmp(p, "run=", 4) == 0 &&
		    p[4 + 10] == '-' && tstamp_parse(p + 4, RUNLEN, t) == 0) {
			*folder = (size_t)(end - s);
			return 0;
		}
		if (end == e)
			return -1;
		p = end + 1;
	}
}

static int
digits(const char *s, size_t n, int64_t *t)
{
	int64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = v;
	return 0;
}

/* The time in the JSON object's field key: epoch seconds (an integer,
 * a real floored, or a string of digits) or a timestamp string. */
static int
jsontime(const char *s, size_t n, int64_t *t)
{
	json_t *o, *v;
	const char *str;
	double d;
	int ret = -1;

	if (!(o = json_loadb(s, n, 0, NULL)))
		return -1;
	if (!json_is_object(o) || !(v = json_object_get(o, key)))
		goto out;
	if (json_is_integer(v)) {
		*t = json_integer_value(v);
		ret = 0;
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d > -9e18 && d < 9e18) {
			*t = (int64_t)d;
			if ((double)*t > d)
				(*t)--;
			ret = 0;
		}
	} else if (json_is_string(v)) {
		str = json_string_value(v);
		n = json_string_length(v);
		if (tstamp_parse(str, n, t) == 0 || digits(str, n, t) == 0)
			ret = 0;
	}
out:
	json_decref(o);
	return ret;
}

static void
unreadable(const char *line, size_t n)
{
	nunread++;
	if (!xf)
		return;
	if (fwrite(line, 1, n, xf) != n || putc('\n', xf) == EOF)
		fcheck(xf, xfile);
}

static void
filter(const char *line, size_t n)
{
	size_t folder = 0;
	int64_t t;

	if ((rflag ? runtime(line, n, &t, &folder) :
	     jsontime(line, n, &t)) < 0) {
		unreadable(line, n);
		return;
	}
	if ((sflag && t < since) || (uflag && t >= until)) {
		noutside++;
		return;
	}
	nkept++;
	if (Rflag) {
		if (keyset_get(seen, line, folder))
			return;
		keyset_put(seen, xstrndup(line, folder), folder, seen);
		n = folder + 1;		/* with its slash */
		nruns++;
	}
	fwrite(line, 1, n, stdout);
	putc('\n', stdout);
}

static void
oneline(char *line, size_t n, const struct lineio *in)
{
	nlines++;
	if (in->cut)
		unreadable(line, n < KEPT ? n : KEPT);
	else
		filter(line, n);
}

static void
summarize(void)
{
	struct summary sm;

	summary_init(&sm);
	summary_count(&sm, "lines", nlines);
	summary_count(&sm, "kept", nkept);
	summary_count(&sm, "outside", noutside);
	summary_count(&sm, "unreadable", nunread);
	if (Rflag)
		summary_count(&sm, "runs", nruns);
	if (summary_write(&sm, sfile) < 0)
		exit(EXIT_PARTIAL);
	summary_free(&sm);
}

static void
report(void)
{
	if (vflag)
		fprintf(stderr, "%s: %llu lines, %llu kept, %llu outside the "
			"window, %llu without a readable time\n", err_prog(),
			nlines, nkept, noutside, nunread);
	else if (nunread && !xf)
		fprintf(stderr, "%s: %llu of %llu lines dropped without a "
			"readable time (-x FILE keeps them, -v counts them)\n",
			err_prog(), nunread, nlines);
}

static void
option(int c, char *arg)
{
	switch (c) {
	case 'h': usage(EXIT_OK); break;
	case 'k':
		key = arg;
		kflag = 1;
		break;
	case 'R': Rflag = 1; break;
	case 'r': rflag = 1; break;
	case 'S': sfile = arg; break;
	case 's':
		since = when(c, arg);
		sarg = arg;
		sflag = 1;
		break;
	case 'u':
		until = when(c, arg);
		uarg = arg;
		uflag = 1;
		break;
	case 'v': vflag = 1; break;
	case 'x': xfile = arg; break;
	default: usage(EXIT_USAGE);
	}
}

int
main(int argc, char *argv[])
{
	int i, status;

	err_setprog(argv[0]);
	i = opt_parse(argc, argv, "hk:RrS:s:u:vx:", opt_help_only, option);
	argc -= i;
	argv += i;
	if (!sflag && !uflag)
		diex(EXIT_USAGE, "-s since or -u until is needed");
	if (sflag && uflag && since >= until)
		diex(EXIT_USAGE, "-s %s is not before -u %s: nothing would "
		     "be kept", sarg, uarg);
	if (rflag && kflag)
		diex(EXIT_USAGE, "-r and -k exclude each other: -r reads "
		     "run= folders, -k names a JSON field");
	if (Rflag && !rflag)
		diex(EXIT_USAGE, "-R needs -r: it writes run folders");
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	xf = opt_file(NULL, xfile, "w");

	if (Rflag)
		seen = keyset_new();
	status = filter_run(argc, argv, 1, MAXLINE, oneline, xf, xfile);
	report();
	if (sfile)
		summarize();
	return status;
}
