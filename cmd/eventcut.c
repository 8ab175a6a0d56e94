/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "badrow.h"
#include "buf.h"
#include "enriched.h"
#include "err.h"
#include "filter.h"
#include "fshut.h"
#include "jsonw.h"
#include "lineio.h"
#include "opt.h"
#include "summary.h"
#include "tstamp.h"
#include "tsv.h"

#define MAXDAYS 3650000L
#define MAXSEL 1024
#define MAXLINE (16L << 20)	/* far above any enriched event */
#define KEPT (64 << 10)		/* of a longer line, in its bad row */
#define SYNOPSIS "[-Tv] [-b base] [-f fields] [-L maxline] [-S summary] " \
	"[-t days] [-x rejects] [file ...]"

/* in the order of the ENRICHED_BAD_* bits, then eventcut's own */
enum { R_FIELDS, R_EVENT_ID, R_FINGERPRINT, R_ETL_TSTAMP, R_LENGTH,
       NREASONS };
static const char *const reasons[NREASONS] = {
	"fields", "event_id", "event_fingerprint", "etl_tstamp", "length",
};

static int Tflag, vflag;
static long tdays = 180;
static long maxline = MAXLINE;
static const char *sfile;
static int64_t now;
static int bflag;		/* -b: ttl counts from tbase, not etl_tstamp */
static int64_t tbase;
static const char *xfile;
static FILE *xf;
static int sel[MAXSEL];
static size_t nsel;
static size_t maxsel;		/* fields a line needs for -f */

static unsigned long long nlines, nitems, nrejects, nreason[NREASONS];
static unsigned long long nexpired;	/* items whose ttl is past */
static struct buf out = BUF_INIT, bad = BUF_INIT;

static const char help[] =
	"  -b base     count the ttl lifespan from base (now, a date or "
	"epoch seconds)\n"
	"  -f fields   write these enriched fields (names, numbers, ranges)\n"
	"  -L maxline  reject lines longer than this (default 16M)\n"
	"  -S summary  write the counts to this file as JSON at the end\n"
	"  -T          with -f: tab-separated, not JSON\n"
	"  -t days     the items' lifespan (default 180, 0: no ttl)\n"
	"  -v          counts on stderr at the end\n"
	"  -x rejects  write rejected lines there as Snowplow bad rows\n";

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

static int
fieldnum(const char *s, size_t n, long max, long *v)
{
	char tmp[24], *end;

	if (n == 0 || n >= sizeof tmp || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtol(tmp, &end, 10);
	return *end || errno || *v > max ? -1 : 0;
}

/* -b now, -b 2026-11-25, -b 1764028800: when the lifespan starts */
static void
parsebase(const char *s)
{
	size_t n = strlen(s), i;

	bflag = 1;
	if (strcmp(s, "now") == 0) {
		tbase = (int64_t)time(NULL);
		return;
	}
	if (tstamp_parse(s, n, &tbase) == 0)
		return;
	for (i = 0; i < n && i < 12 && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (n == 0 || i != n)
		diex(EXIT_USAGE, "-b: %s: not now, a timestamp or epoch "
		     "seconds", s);
	tbase = strtoll(s, NULL, 10);
}

static void
addsel(long i)
{
	if (nsel == MAXSEL)
		diex(EXIT_USAGE, "-f: more than %d fields", MAXSEL);
	sel[nsel++] = (int)i;
	if ((size_t)i + 1 > maxsel)
		maxsel = (size_t)i + 1;
}

/* -f app_id,event_id,7,1-3: names, numbers from 1 as cut(1) has them,
 * and ranges of numbers */
static void
parsesel(const char *spec)
{
	const char *p = spec, *e, *dash;
	long a, b;
	int i;

	for (;;) {
		e = p + strcspn(p, ",");
		dash = memchr(p, '-', (size_t)(e - p));
		if ((i = enriched_index(p, (size_t)(e - p))) >= 0) {
			addsel(i);
		} else if (!dash &&
			   fieldnum(p, (size_t)(e - p), ENRICHED_NFIELDS, &a) == 0 &&
			   a >= 1) {
			addsel(a - 1);
		} else if (dash &&
			   fieldnum(p, (size_t)(dash - p), ENRICHED_NFIELDS, &a) == 0 &&
			   fieldnum(dash + 1, (size_t)(e - dash - 1),
				  ENRICHED_NFIELDS, &b) == 0 &&
			   a >= 1 && a <= b) {
			for (; a <= b; a++)
				addsel(a - 1);
		} else {
			diex(EXIT_USAGE, "-f: %.*s: not an enriched field "
			     "name, number (1-%d) or range",
			     (int)(e - p), p, ENRICHED_NFIELDS);
		}
		if (!*e)
			break;
		p = e + 1;
	}
}

static void
badbegin(const char *line, size_t n)
{
	nrejects++;
	if (xf)
		badrow_begin(&bad, line, n);
}

static void
baderror(int reason, const struct enriched_item *it)
{
	static struct buf msg = BUF_INIT;

	nreason[reason]++;
	if (!xf)
		return;
	buf_reset(&msg);
	enriched_why(it, 1u << reason, &msg);
	badrow_error(&bad, msg.p, msg.len);
}

static void
badend(void)
{
	if (!xf)
		return;
	badrow_end(&bad, badrow_now());
	if (fwrite(bad.p, 1, bad.len, xf) != bad.len)
		fcheck(xf, xfile);
}

/* A line longer than maxline: a bad row with its first KEPT bytes. */
static void
toolong(const char *line, size_t n, unsigned long long whole)
{
	static struct buf msg = BUF_INIT;

	badbegin(line, n < KEPT ? n : KEPT);
	nreason[R_LENGTH]++;
	if (!xf)
		return;
	buf_reset(&msg);
	buf_printf(&msg, "line is %llu bytes, more than the %ld an enriched "
		   "event may have: its first %zu bytes are kept here", whole,
		   maxline, n < KEPT ? n : (size_t)KEPT);
	badrow_error(&bad, msg.p, msg.len);
	badend();
}

static void
item(const char *line, size_t n)
{
	struct enriched_item it;
	unsigned why;
	int64_t ttl;
	int i;

	if ((why = enriched_item(line, n, &it))) {
		badbegin(line, n);
		for (i = 0; i < ENRICHED_NBAD; i++)
			if (why & 1u << i)
				baderror(i, &it);
		badend();
		return;
	}
	ttl = (bflag ? tbase : it.etl_time) + tdays * 86400;
	if (tdays && ttl <= now)
		nexpired++;
	buf_reset(&out);
	enriched_json(&out, &it, tdays != 0, ttl);
	fwrite(out.p, 1, out.len, stdout);
	nitems++;
}

static void
fields(const char *line, size_t n)
{
	struct span f[ENRICHED_NFIELDS];
	size_t nf, i, need;

	need = maxsel > ENRICHED_MINFIELDS ? maxsel : ENRICHED_MINFIELDS;
	nf = tsv_split(line, n, f, ENRICHED_NFIELDS);
	if (nf < need) {
		struct enriched_item it = { .nfields = nf };

		badbegin(line, n);
		baderror(R_FIELDS, &it);
		badend();
		return;
	}
	buf_reset(&out);
	if (!Tflag)
		buf_addc(&out, '{');
	for (i = 0; i < nsel; i++) {
		const struct span *s = &f[sel[i]];

		if (Tflag) {
			if (i)
				buf_addc(&out, '\t');
			buf_add(&out, s->p, s->n);
			continue;
		}
		if (i)
			buf_addc(&out, ',');
		jsonw_key(&out, enriched_name((size_t)sel[i]));
		if (s->n)
			jsonw_str(&out, s->p, s->n);
		else
			buf_add(&out, "null", 4);
	}
	buf_adds(&out, Tflag ? "\n" : "}\n");
	fwrite(out.p, 1, out.len, stdout);
	nitems++;
}

static void
summarize(void)
{
	struct summary sm;
	int i;

	summary_init(&sm);
	summary_count(&sm, "lines", nlines);
	summary_count(&sm, nsel ? "records" : "items", nitems);
	summary_count(&sm, "rejected", nrejects);
	for (i = 0; i < NREASONS; i++)
		summary_count(&sm, reasons[i], nreason[i]);
	if (!nsel)
		summary_count(&sm, "expired", nexpired);
	if (summary_write(&sm, sfile) < 0)
		exit(EXIT_PARTIAL);
	summary_free(&sm);
}

static void
report(void)
{
	int i;

	if (vflag) {
		fprintf(stderr, "%s: %llu lines, %llu %s, %llu rejected",
			err_prog(), nlines, nitems, nsel ? "records" : "items",
			nrejects);
		for (i = 0; i < NREASONS; i++)
			fprintf(stderr, "%s%s %llu", i ? ", " : " (",
				reasons[i], nreason[i]);
		fputs(")\n", stderr);
	} else if (nrejects && !xf) {
		fprintf(stderr, "%s: %llu of %llu lines rejected (-x FILE "
			"keeps them, -v counts them)\n", err_prog(), nrejects,
			nlines);
	}
}

static void
oneline(char *line, size_t n, const struct lineio *in)
{
	nlines++;
	if (in->cut)
		toolong(line, n, in->linelen);
	else if (nsel)
		fields(line, n);
	else
		item(line, n);
}

static void
option(int c, char *arg)
{
	switch (c) {
	case 'b': parsebase(arg); break;
	case 'f': parsesel(arg); break;
	case 'h': usage(EXIT_OK); break;
	case 'L':
		maxline = (long)opt_size("-L", arg, 1024, 1L << 30);
		break;
	case 'S': sfile = arg; break;
	case 'T': Tflag = 1; break;
	case 't':
		tdays = (long)opt_num("-t", arg, 0, MAXDAYS);
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
	i = opt_parse(argc, argv, "b:f:hL:S:Tt:vx:", opt_help_only, option);
	argc -= i;
	argv += i;
	if (Tflag && !nsel)
		diex(EXIT_USAGE, "-T needs -f fields");
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	xf = opt_file(NULL, xfile, "w");

	now = (int64_t)time(NULL);
	status = filter_run(argc, argv, 1, (size_t)maxline, oneline, xf,
			    xfile);
	report();
	if (sfile)
		summarize();
	buf_free(&out);
	buf_free(&bad);
	return status;
}
