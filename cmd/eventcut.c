/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "enriched.h"
#include "err.h"
#include "fshut.h"
#include "jsonw.h"
#include "lineio.h"
#include "tstamp.h"
#include "tsv.h"
#include "xalloc.h"

#define MAXDAYS 3650000L
#define MAXSEL 1024
#define MAXLINE (16L << 20)	/* far above any enriched event */
#define KEPT (64 << 10)		/* of a longer line, in its bad row */

/* in the order of the ENRICHED_BAD_* bits, then eventcut's own */
enum { R_FIELDS, R_EVENT_ID, R_FINGERPRINT, R_ETL_TSTAMP, R_LENGTH,
       NREASONS };
static const char *const reasons[NREASONS] = {
	"fields", "event_id", "event_fingerprint", "etl_tstamp", "length",
};

static int Tflag, vflag;
static long tdays = 180;
static int bflag;		/* -b: ttl counts from tbase, not etl_tstamp */
static int64_t tbase;
static const char *xfile;
static FILE *xf;
static int sel[MAXSEL];
static size_t nsel;
static size_t maxsel;		/* fields a line needs for -f */

static unsigned long long nlines, nitems, nrejects, nreason[NREASONS];
static struct buf out = BUF_INIT, bad = BUF_INIT, errs = BUF_INIT;
static int nerrs;

static void
usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s [-Tv] [-b base] [-f fields] [-t days] [-x rejects] "
		   "[file ...]\n", err_prog());
	if (!status && fshut(stdout, "stdout"))
		exit(EXIT_PARTIAL);
	exit(status);
}

static int
number(const char *s, size_t n, long max, long *v)
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
			   number(p, (size_t)(e - p), ENRICHED_NFIELDS, &a) == 0 &&
			   a >= 1) {
			addsel(a - 1);
		} else if (dash &&
			   number(p, (size_t)(dash - p), ENRICHED_NFIELDS, &a) == 0 &&
			   number(dash + 1, (size_t)(e - dash - 1),
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

/* Adds one {"level":"error","message":...} to the bad row being built. */
static void
adderr(int reason, const struct enriched_item *it)
{
	static struct buf msg = BUF_INIT;

	buf_reset(&msg);
	enriched_why(it, 1u << reason, &msg);
	if (nerrs++)
		buf_addc(&errs, ',');
	buf_adds(&errs, "{\"level\":\"error\",\"message\":");
	jsonw_str(&errs, msg.p, msg.len);
	buf_addc(&errs, '}');
	nreason[reason]++;
}

static void
reject(const char *line, size_t n)
{
	struct timespec ts;
	char iso[25];

	nrejects++;
	if (!xf)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	tstamp_iso(ts.tv_sec, (int)(ts.tv_nsec / 1000000), iso);
	buf_reset(&bad);
	buf_adds(&bad, "{\"line\":");
	jsonw_str(&bad, line, n);
	buf_adds(&bad, ",\"errors\":[");
	buf_add(&bad, errs.p, errs.len);
	buf_adds(&bad, "],\"failure_tstamp\":\"");
	buf_adds(&bad, iso);
	buf_adds(&bad, "\"}\n");
	if (fwrite(bad.p, 1, bad.len, xf) != bad.len)
		fcheck(xf, xfile);
}

/* A line longer than MAXLINE: a bad row with its first KEPT bytes. */
static void
toolong(const char *line, size_t n, unsigned long long whole)
{
	static struct buf msg = BUF_INIT;

	buf_reset(&msg);
	buf_printf(&msg, "line is %llu bytes, more than the %ld an enriched "
		   "event may have: its first %zu bytes are kept here", whole,
		   MAXLINE, n < KEPT ? n : (size_t)KEPT);
	buf_reset(&errs);
	buf_adds(&errs, "{\"level\":\"error\",\"message\":");
	jsonw_str(&errs, msg.p, msg.len);
	buf_addc(&errs, '}');
	nreason[R_LENGTH]++;
	reject(line, n < KEPT ? n : KEPT);
}

static void
item(const char *line, size_t n)
{
	struct enriched_item it;
	unsigned why;
	int i;

	if ((why = enriched_item(line, n, &it))) {
		buf_reset(&errs);
		nerrs = 0;
		for (i = 0; i < NREASONS; i++)
			if (why & 1u << i)
				adderr(i, &it);
		reject(line, n);
		return;
	}
	buf_reset(&out);
	buf_adds(&out, "{\"eventId\":\"");
	buf_add(&out, it.event_id.p, it.event_id.n);
	buf_adds(&out, "\",\"fingerprint\":");
	jsonw_str(&out, it.fingerprint.p, it.fingerprint.n);
	buf_adds(&out, ",\"etlTime\":");
	buf_addi64(&out, it.etl_time);
	if (tdays) {
		buf_adds(&out, ",\"ttl\":");
		buf_addi64(&out, (bflag ? tbase : it.etl_time) + tdays * 86400);
	}
	buf_add(&out, "}\n", 2);
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

		buf_reset(&errs);
		nerrs = 0;
		adderr(R_FIELDS, &it);
		reject(line, n);
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

int
main(int argc, char *argv[])
{
	struct lineio in;
	char *line;
	ssize_t n;
	int c, status;

	err_setprog(argv[0]);
	while ((c = getopt(argc, argv, "b:f:hTt:vx:")) != -1) {
		switch (c) {
		case 'b':
			parsebase(optarg);
			break;
		case 'f':
			parsesel(optarg);
			break;
		case 'h':
			usage(EXIT_OK);
			break;
		case 'T':
			Tflag = 1;
			break;
		case 't':
			if (number(optarg, strlen(optarg), MAXDAYS, &tdays) < 0)
				diex(EXIT_USAGE, "-t: %s: not a number of days "
				     "(0 to %ld)", optarg, MAXDAYS);
			break;
		case 'v':
			vflag = 1;
			break;
		case 'x':
			xfile = optarg;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (Tflag && !nsel)
		diex(EXIT_USAGE, "-T needs -f fields");
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	if (xfile && !(xf = fopen(xfile, "w")))
		die(EXIT_USAGE, "%s:", xfile);

	setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	lineio_open(&in, argc, argv);
	in.cr = 1;
	in.maxline = MAXLINE;
	while ((n = lineio_next(&in, &line)) >= 0) {
		nlines++;
		if (in.cut)
			toolong(line, (size_t)n, in.linelen);
		else if (nsel)
			fields(line, (size_t)n);
		else
			item(line, (size_t)n);
		if (ferror(stdout))
			fcheck(stdout, "stdout");
	}
	lineio_close(&in);
	status = in.status;
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (fshut(stdout, "stdout"))
		status = EXIT_PARTIAL;
	report();
	buf_free(&out);
	buf_free(&bad);
	buf_free(&errs);
	return status;
}
