/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "aws_opts.h"
#include "badrow.h"
#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "ddb_get.h"
#include "ddb_table.h"
#include "ddb_writer.h"
#include "err.h"
#include "fshut.h"
#include "http.h"
#include "jsonw.h"
#include "lineio.h"
#include "opt.h"
#include "summary.h"
#include "tstamp.h"
#include "xalloc.h"

#define MAXBIND 32
#define MAXJOBS 1024
#define JOBS 512		/* the ceiling: 40,000 writes a second at
				 * 12 ms each (Little's law) */
#define GETJOBS 16		/* --get: lookups of 100 keys in flight */
#define MAXLINE (8u << 20)	/* no item's JSON is longer (400 KB items) */
#define SHOWN 20		/* rejects told on stderr without -x */
#define DRAIN_S 30		/* after a signal, writes out get this long */
#define ATTEMPTS 11		/* the SDKs' 10 retries for DynamoDB */
#define BASE_MS 25
#define CAP_MS 20000
#define CREATE_WAIT_S 600

#define MANIFEST_COND "(attribute_not_exists(eventId) AND " \
	"attribute_not_exists(fingerprint)) OR etlTime = :tst"
/* written in any order, the earliest etlTime wins; what a live
 * pipeline wrote after :newest is never touched */
#define ANYORDER_COND "attribute_not_exists(eventId) OR " \
	"(etlTime >= :tst AND etlTime <= :newest)"

#define SYNOPSIS "-t table [-bv] [-j N] [-c expr] [-S summary] " \
	"[-N #name=attribute] [-V :name=attribute] [-x rejects] " \
	"[--manifest] [--newest time] [--typed] [--create] [--on-demand] " \
	"[--rate N] " AWS_OPTS_SYNOPSIS " [file ...]\n" \
	"       dynaput -t table --get [-v] [-j N] [-S summary] " \
	"[-x rejects] [--manifest] [--typed] [--rate N] " AWS_OPTS_SYNOPSIS \
	" [file ...]\n" \
	"       dynaput -t table --describe [-v] [--manifest] [--create] " \
	"[--on-demand] " AWS_OPTS_SYNOPSIS

static const char help[] =
	"  -t, --table table       the table to write to\n"
	"  -b                      write with BatchWriteItem, 25 items a "
	"request\n"
	"  -j N                    requests in flight at most (1 to 1024, "
	"default 512)\n"
	"  -c expr                 write each item on this condition\n"
	"  -S summary              write the counts to this file as JSON at "
	"the end\n"
	"  -N #name=attribute      in -c, #name names this attribute\n"
	"  -V :name=attribute      in -c, :name is the item's attribute\n"
	"  -v                      name the table; counts on a terminal\n"
	"  -x rejects              write rejected lines there as Snowplow bad "
	"rows\n"
	"  --manifest              the event manifest's conditional write\n"
	"  --newest time           with --manifest: any order, the earliest "
	"etlTime wins, none after time is touched\n"
	"  --typed                 the lines are DynamoDB JSON\n"
	"  --create                make the manifest's table when it is "
	"missing\n"
	"  --on-demand             with --create: billed per request\n"
	"  --rate N                write (or look up) at most N items a "
	"second\n"
	"  --get                   look the lines' keys up: the items found "
	"on stdout\n"
	"  --describe              the table's key and status, and whether it "
	"is empty, as JSON\n"
	AWS_OPTS_HELP;

enum { O_MANIFEST = 256, O_TYPED, O_CREATE, O_ONDEMAND, O_RATE,
       O_NEWEST, O_GET, O_DESCRIBE };

static const struct option longopts[] = {
	{ "manifest", no_argument, NULL, O_MANIFEST },
	{ "newest", required_argument, NULL, O_NEWEST },
	{ "typed", no_argument, NULL, O_TYPED },
	{ "create", no_argument, NULL, O_CREATE },
	{ "on-demand", no_argument, NULL, O_ONDEMAND },
	{ "rate", required_argument, NULL, O_RATE },
	{ "get", no_argument, NULL, O_GET },
	{ "describe", no_argument, NULL, O_DESCRIBE },
	{ "table", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	AWS_OPTS_LONG,
	{ NULL, 0, NULL, 0 },
};

static const char *table, *xfile, *sfile, *cexpr;
static int bflag, vflag, manifest, typed, create, ondemand;
static int getmode, describe;	/* --get, --describe */
static long jobs;		/* -j; 0: JOBS for writes, GETJOBS for --get */
static double ratemax;
static struct aws_conf_opts ao = { .service = "dynamodb" };
static const char *bindname[MAXBIND], *bindattr[MAXBIND];
static size_t nbind;
static const char *phname[MAXBIND], *phattr[MAXBIND];	/* -N */
static size_t nph;
static const char *newest;	/* --newest, as epoch seconds */

/* the attributes each item is searched for: key, then bound values */
static const char *names[3 + MAXBIND];
static size_t nnames, nkeys, nneed;	/* nneed: every item has them */
static struct ddb_table tab;
static struct ddb_put put;
static struct aws_auth *auth;
static struct ddb_writer *writer;

static pthread_mutex_t xlock = PTHREAD_MUTEX_INITIALIZER;
static FILE *xf;
static struct buf bad = BUF_INIT;
static unsigned long long nshown;

static volatile sig_atomic_t gotsig, nsigs;
static unsigned long long nread, nbadlines;
static unsigned long long nleft;	/* read after a stop, never sent */
static int failshown;
static int showing;		/* counts on the terminal */
static FILE *tf;		/* DYNAPUT_TRACE */
static const char *tfile;

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

static void
onsig(int sig)
{
	gotsig = sig;
	nsigs++;
}

/* From any thread: a line that is not written (or looked up), and why. */
static void
rejectline(const char *input, unsigned long long lineno,
	   const struct buf *line, const char *why)
{
	pthread_mutex_lock(&xlock);
	if (!xf) {
		if (++nshown <= SHOWN)
			warnx("%s:%llu: %s", input, lineno, why);
	} else {
		badrow_begin(&bad, line->p, line->len);
		badrow_error(&bad, why, strlen(why));
		badrow_end(&bad, badrow_now());
		if (fwrite(bad.p, 1, bad.len, xf) != bad.len)
			fcheck(xf, xfile);
	}
	pthread_mutex_unlock(&xlock);
}

static void
reject(void *ctx, const struct ddb_item *it, const char *why)
{
	(void)ctx;
	rejectline(it->input, it->lineno, &it->line, why);
}

static void
httpopts(struct http_opts *ho)
{
	struct buf err = BUF_INIT;

	memset(ho, 0, sizeof *ho);
	ho->conns = 1;
	ho->ca_bundle = aws_auth_conf(auth)->ca_bundle;
	ho->region = aws_auth_conf(auth)->region;
	ho->max_attempts = ATTEMPTS;
	ho->base_ms = BASE_MS;
	ho->cap_ms = CAP_MS;
	ho->seed = (uint64_t)clock_ns() ^ ((uint64_t)getpid() << 32);
	ho->user_agent = "dynaput";
	if (http_opts_env(ho, getenv, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
}

static void
ddbopts(struct ddb_opts *o)
{
	memset(o, 0, sizeof *o);
	o->auth = auth;
	o->stop = &nsigs;
}

static void
tablefail(const struct ddb_error *e, const struct buf *err)
{
	if (e->cls == DDB_STOPPED)
		exit(gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM);
	diex(e->cls == DDB_REFUSED && !strcmp(e->type, "ValidationException") ?
	     EXIT_USAGE : EXIT_REMOTE, "%s", err->p);
}

static const char *
typename(char t)
{
	return t == 'S' ? "a string" : t == 'N' ? "a number" :
	       t == 'B' ? "binary" : "of no type given";
}

static void
manifestkey(void)
{
	struct buf b = BUF_INIT;
	int hash = tab.hash_type != 'S';

	if (strcmp(tab.hash, "eventId") || strcmp(tab.range, "fingerprint"))
		diex(EXIT_USAGE, "table %s: its key is %s, --manifest needs "
		     "(eventId HASH, fingerprint RANGE)", table,
		     ddb_table_key(&tab, &b));
	if (hash || tab.range_type != 'S')
		diex(EXIT_USAGE, "table %s: its key %s is %s (%c), --manifest "
		     "needs strings (S), as the Shred step writes them", table,
		     hash ? "eventId" : "fingerprint",
		     typename(hash ? tab.hash_type : tab.range_type),
		     hash ? tab.hash_type : tab.range_type);
	buf_free(&b);
}

static void
opentable(void)
{
	struct ddb_create c = {
		"eventId", "fingerprint", 'S', 'S', ondemand, 100, 100,
	};
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct ddb_error e = DDB_ERROR_INIT;
	struct http_opts ho;
	struct ddb_opts o;
	struct http *h;
	struct ddb *d;
	int made = 0;

	httpopts(&ho);
	ddbopts(&o);
	h = http_new(&ho);
	if (!(d = ddb_new(h, &o, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	if (ddb_table_describe(d, table, &tab, &e, &err) < 0) {
		if (e.cls != DDB_NOTFOUND || !create)
			tablefail(&e, &err);
		buf_reset(&err);
		if ((made = ddb_table_create(d, table, &c, &e, &err)) < 0)
			tablefail(&e, &err);
		if (made)
			warnx("table %s: created", table);
	}
	if (ddb_table_wait(d, table, &tab, CREATE_WAIT_S, &e, &err) < 0)
		tablefail(&e, &err);
	if (made && ddb_table_ttl(d, table, "ttl", &e, &err) < 0)
		warnx("warning: %s", err.p);
	if (manifest)
		manifestkey();
	if (vflag)
		warnx("table %s %s at %s, credentials from %s", table,
		      ddb_table_key(&tab, &b), ddb_url(d),
		      aws_auth_source(auth));
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
	buf_free(&b);
}

static void
setnames(void)
{
	size_t i;

	names[nnames++] = tab.hash;
	if (tab.range[0])
		names[nnames++] = tab.range;
	nkeys = nnames;
	for (i = 0; i < nbind; i++)
		names[nnames++] = bindattr[i];
	nneed = nnames;
	if (manifest)
		names[nnames++] = "ttl";
	ddb_put_init(&put, table, cexpr, bindname, nbind);
	for (i = 0; i < nph; i++)
		ddb_put_name(&put, phname[i], phattr[i]);
	if (newest) {
		struct buf v = BUF_INIT;

		buf_printf(&v, "{\"N\":\"%s\"}", newest);
		ddb_put_const(&put, ":newest", v.p);
		buf_free(&v);
	}
}

static void
startwriter(void)
{
	struct ddb_writer_opts o;
	struct http_opts ho;
	struct ddb_opts d;
	struct buf err = BUF_INIT;

	httpopts(&ho);
	ddbopts(&d);
	memset(&o, 0, sizeof o);
	o.table = table;
	o.ddb = &d;
	o.http = &ho;
	o.put = &put;
	o.batch = bflag;
	o.keys = names;
	o.nkeys = nkeys;
	o.nattrs = nnames;
	o.jobs = (int)(jobs ? jobs : JOBS);
	o.rate = ratemax;
	o.drain_s = DRAIN_S;
	o.stop = &nsigs;
	o.reject = reject;
	if (!(writer = ddb_writer_new(&o, &err)))
		diex(EXIT_PARTIAL, "%s", err.p);
	if (vflag && ddb_writer_conns(writer) < o.jobs)
		warnx("-j %d: %d connections at once (ulimit -n %ld)", o.jobs,
		      ddb_writer_conns(writer), http_nofile());
	buf_free(&err);
}

/* --manifest: eventId and fingerprint strings, etlTime and ttl (when
 * there) numbers, as the Shred step writes and compares them. */
static int
manifesttype(const struct ddb_item *it, size_t i, struct buf *msg)
{
	const char *want = i < nkeys ? "S" : "N";
	const char *v = it->json.p + it->at[i].off;

	if (!it->at[i].len && i >= nneed)
		return 0;
	buf_reset(msg);
	if (!it->at[i].len)
		buf_printf(msg, "--manifest: the item has no %s", names[i]);
	else if (it->at[i].len < 6 || v[2] != want[0] || v[3] != '"')
		buf_printf(msg, "--manifest: %s must be a %s, as the Shred "
			   "step writes it", names[i],
			   *want == 'S' ? "string" : "number");
	else
		return 0;
	return -1;
}

static int
convert(struct ddb_conv *conv, struct ddb_item *it, struct buf *msg)
{
	size_t i;

	if (ddb_conv_item(conv, it->line.p, it->line.len, &it->json, it->at,
			  msg) < 0)
		return -1;
	if (manifest)
		for (i = 0; i < nnames; i++)
			if (manifesttype(it, i, msg) < 0)
				return -1;
	for (i = nkeys; i < nneed; i++)
		if (!it->at[i].len) {
			buf_reset(msg);
			buf_printf(msg, "the item has no %s (for %s)",
				   names[i], bindname[i - nkeys]);
			return -1;
		}
	return 0;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void
failed(void)
{
	const char *why = ddb_writer_failed(writer);

	if (why && !failshown++)
		warnx("%s", why);
}

/* Once a second: the counts on the terminal, a line in the trace. */
static void
progress(int64_t now, int last)
{
	static int64_t lastshow;
	static unsigned long long lastdone, lastthr;
	struct ddb_writer_counts c;
	unsigned long long done;
	double s;

	if (last) {
		if (showing)
			fputs("\r\033[K", stderr);
		return;
	}
	if ((!showing && !tf) || now - lastshow < 1000000000)
		return;
	ddb_writer_counts(writer, &c);
	done = c.written + c.present;
	s = lastshow ? (double)(now - lastshow) / 1e9 : 0;
	if (showing)
		fprintf(stderr, "\r%s: %llu read, %llu written, %llu already "
			"present, %llu rejected, %.0f items/s, %d in flight "
			"at most\033[K", err_prog(), nread, c.written,
			c.present, c.rejected + nbadlines,
			s ? (double)(done - lastdone) / s : 0.0, c.window);
	if (tf && s && fprintf(tf, "%.3f\t%.0f\t%.0f\t%d\t%.2f\n",
			       clock_wall(),
			       (double)(done - lastdone) / s,
			       (double)(c.throttled - lastthr) / s, c.window,
			       (double)c.latency_us / 1000) < 0)
		fcheck(tf, tfile);
	lastshow = now;
	lastdone = done;
	lastthr = c.throttled;
}

/*
 * Stopped (a signal, or an error that stops every write): the lines
 * already in the pipe are read for a second at most and set aside as
 * not sent, so that what came in is accounted for.
 */
static void
leftover(struct lineio *in, const char *why)
{
	int64_t end = clock_ns() + 1000000000LL;
	struct buf line = BUF_INIT;
	char *p;
	ssize_t n;

	while (clock_ns() < end) {
		n = lineio_trynext(in, &p);
		if (n == LINEIO_END)
			break;
		if (n == LINEIO_AGAIN) {
			struct pollfd pfd = { lineio_fd(in), POLLIN, 0 };

			poll(&pfd, 1, 100);
			continue;
		}
		if (blank(p, (size_t)n))
			continue;
		nread++;
		nleft++;
		nbadlines++;
		buf_reset(&line);
		buf_add(&line, p, (size_t)n);
		rejectline(in->name, in->lineno, &line, why);
	}
	buf_free(&line);
}

static void
readall(struct lineio *in, struct ddb_conv *conv)
{
	struct buf msg = BUF_INIT;
	struct ddb_item *it;
	char *line;
	ssize_t n;

	while (!nsigs && !ddb_writer_failed(writer)) {
		progress(clock_ns(), 0);
		n = lineio_trynext(in, &line);
		if (n == LINEIO_END)
			break;
		if (n == LINEIO_AGAIN) {
			struct pollfd pfd = { lineio_fd(in), POLLIN, 0 };

			poll(&pfd, 1, showing || tf ? 200 : 1000);
			continue;
		}
		if (blank(line, (size_t)n))
			continue;
		nread++;
		it = ddb_writer_item(writer);
		buf_add(&it->line, line, (size_t)n);
		it->input = in->name;
		it->lineno = in->lineno;
		if (in->cut) {
			buf_reset(&msg);
			buf_printf(&msg, "a line of more than %u bytes (kept "
				   "cut to them): no DynamoDB item is that "
				   "long", MAXLINE);
		}
		if (in->cut || convert(conv, it, &msg) < 0) {
			nbadlines++;
			reject(NULL, it, msg.p);
			ddb_writer_unused(writer, it);
		} else if (ddb_writer_put(writer, it) < 0) {
			break;
		}
	}
	if (nsigs || ddb_writer_failed(writer))
		leftover(in, nsigs ? "interrupted: not sent" : "not written: "
			 "stopped by an error that stops every write");
	failed();
	buf_free(&msg);
}

static void
summarize(const struct ddb_writer_counts *c)
{
	struct summary sm;

	summary_init(&sm);
	summary_count(&sm, "read", nread);
	summary_count(&sm, "written", c->written);
	summary_count(&sm, "present", c->present);
	summary_count(&sm, "rejected", c->rejected + nbadlines);
	summary_count(&sm, "unsent", c->unsent + nleft);
	summary_count(&sm, "retries", c->retries);
	summary_count(&sm, "throttled", c->throttled);
	if (summary_write(&sm, sfile) < 0)
		exit(EXIT_PARTIAL);
	summary_free(&sm);
}

static int
finish(int status)
{
	struct ddb_writer_counts c;

	progress(0, 1);
	failed();
	ddb_writer_counts(writer, &c);
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (tf && fshut(tf, tfile))
		status = EXIT_PARTIAL;
	if (c.rejected + nbadlines)
		status = EXIT_PARTIAL;
	if (!xf && nshown > SHOWN)
		warnx("%llu more rejected lines not shown (-x FILE keeps them)",
		      nshown - SHOWN);
	fprintf(stderr, "%s: %llu read, %llu written, %llu already present, "
		"%llu rejected, %llu retries\n", err_prog(), nread, c.written,
		c.present, c.rejected + nbadlines, c.retries);
	if (sfile)
		summarize(&c);
	if (ddb_writer_failed(writer))
		status = EXIT_REMOTE;
	if (gotsig)
		status = gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	return status;
}

static void
addbind(const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (spec[0] != ':' || !eq || eq == spec + 1 || !eq[1])
		diex(EXIT_USAGE, "-V %s: not :name=attribute", spec);
	if (nbind == MAXBIND)
		diex(EXIT_USAGE, "-V: more than %d values", MAXBIND);
	bindname[nbind] = xstrndup(spec, (size_t)(eq - spec));
	bindattr[nbind++] = eq + 1;
}

static void
addname(const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (spec[0] != '#' || !eq || eq == spec + 1 || !eq[1])
		diex(EXIT_USAGE, "-N %s: not #name=attribute", spec);
	if (nph == MAXBIND)
		diex(EXIT_USAGE, "-N: more than %d names", MAXBIND);
	phname[nph] = xstrndup(spec, (size_t)(eq - spec));
	phattr[nph++] = eq + 1;
}

/* --newest: epoch seconds, or a timestamp */
static const char *
newesttime(const char *s)
{
	static char num[24];
	int64_t t;

	if (tstamp_parse(s, strlen(s), &t) < 0)
		t = opt_num("--newest", s, 0, 253402300799LL);
	snprintf(num, sizeof num, "%lld", (long long)t);
	return num;
}

static double
rate(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0) || v > 1e9)
		diex(EXIT_USAGE, "--rate: %s: not a number of writes a second",
		     s);
	return v;
}

static void checkmode(void);

static void
check(void)
{
	if (!table || !*table)
		usage(EXIT_USAGE);
	if (getmode || describe) {
		checkmode();
		return;
	}
	if (cexpr && (manifest || bflag))
		diex(EXIT_USAGE, "-c: no condition with %s", manifest ?
		     "--manifest (it has its own)" : "-b (BatchWriteItem "
		     "has none)");
	if (manifest && bflag)
		diex(EXIT_USAGE, "-b: BatchWriteItem has no condition: "
		     "--manifest writes with PutItem");
	if (nbind && !cexpr)
		diex(EXIT_USAGE, "-V: values only go with a condition (-c)");
	if (nph && !cexpr)
		diex(EXIT_USAGE, "-N: names only go with a condition (-c)");
	if (newest && !manifest)
		diex(EXIT_USAGE, "--newest: only with --manifest");
	if (ondemand && !create)
		diex(EXIT_USAGE, "--on-demand: only with --create");
	if (manifest) {
		cexpr = newest ? ANYORDER_COND : MANIFEST_COND;
		bindname[0] = ":tst";
		bindattr[0] = "etlTime";
		nbind = 1;
	}
}

static void
options(int argc, char *argv[])
{
	int c;

	while ((c = getopt_long(argc, argv, "bc:hj:N:S:t:V:vx:" AWS_OPTS_SHORT,
				longopts, NULL)) != -1) {
		if (aws_opts_take(&ao, c, optarg))
			continue;
		switch (c) {
		case 'b': bflag = 1; break;
		case 'c': cexpr = optarg; break;
		case 'h': usage(EXIT_OK); break;
		case 'j': jobs = (long)opt_num("-j", optarg, 1, MAXJOBS); break;
		case 'S': sfile = optarg; break;
		case 't': table = optarg; break;
		case 'N': addname(optarg); break;
		case 'V': addbind(optarg); break;
		case 'v': vflag = 1; break;
		case 'x': xfile = optarg; break;
		case O_MANIFEST: manifest = 1; break;
		case O_TYPED: typed = 1; break;
		case O_CREATE: create = 1; break;
		case O_ONDEMAND: ondemand = 1; break;
		case O_RATE: ratemax = rate(optarg); break;
		case O_NEWEST: newest = newesttime(optarg); break;
		case O_GET: getmode = 1; break;
		case O_DESCRIBE: describe = 1; break;
		default: usage(EXIT_USAGE);
		}
	}
	check();
}

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --- --get and --describe --- */

static void
checkmode(void)
{
	const char *m = getmode ? "--get" : "--describe";

	if (getmode && describe)
		diex(EXIT_USAGE, "--get, --describe: one or the other");
	if (bflag || cexpr || nbind || nph || newest)
		diex(EXIT_USAGE, "%s: %s is for writes", m, bflag ? "-b" :
		     cexpr ? "-c" : nbind ? "-V" : nph ? "-N" : "--newest");
	if (getmode && create)
		diex(EXIT_USAGE, "--get: no --create: a new table holds no "
		     "item to look up");
	if (describe && (xfile || sfile || typed || ratemax))
		diex(EXIT_USAGE, "--describe: %s: it reads no line",
		     xfile ? "-x" : sfile ? "-S" : typed ? "--typed" :
		     "--rate");
	if (ondemand && !create)
		diex(EXIT_USAGE, "--on-demand: only with --create");
}

/* The table's key, and whether it holds any item, as one JSON object. */
static int
describemain(void)
{
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct ddb_error e = DDB_ERROR_INIT;
	struct http_opts ho;
	struct ddb_opts o;
	struct http *h;
	struct ddb *d;
	int empty;

	httpopts(&ho);
	ddbopts(&o);
	h = http_new(&ho);
	if (!(d = ddb_new(h, &o, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	if ((empty = ddb_table_empty(d, table, &e, &err)) < 0)
		tablefail(&e, &err);
	buf_adds(&b, "{\"table\":");
	jsonw_str(&b, table, strlen(table));
	buf_adds(&b, ",\"status\":");
	jsonw_str(&b, tab.status, strlen(tab.status));
	buf_adds(&b, ",\"hash\":");
	jsonw_str(&b, tab.hash, strlen(tab.hash));
	buf_printf(&b, ",\"hashType\":\"%c\"", tab.hash_type ? tab.hash_type :
		   '?');
	if (tab.range[0]) {
		buf_adds(&b, ",\"range\":");
		jsonw_str(&b, tab.range, strlen(tab.range));
		buf_printf(&b, ",\"rangeType\":\"%c\"", tab.range_type ?
			   tab.range_type : '?');
	}
	buf_printf(&b, ",\"empty\":%s}\n", empty ? "true" : "false");
	fwrite(b.p, 1, b.len, stdout);
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
	buf_free(&b);
	aws_auth_free(auth);
	return fshut(stdout, "stdout") ? EXIT_PARTIAL : EXIT_OK;
}

static struct ddb_getter *getter;
static const char *const manifestattrs[] = { "etlTime", "ttl" };

static void
gotfound(void *ctx, const struct ddb_get_item *it, const char *item,
	 size_t n)
{
	(void)ctx;
	(void)it;
	fwrite(item, 1, n, stdout);
	putchar('\n');
	fcheck(stdout, "stdout");
}

static void
gotmissing(void *ctx, const struct ddb_get_item *it)
{
	(void)ctx;
	(void)it;
}

static void
getreject(void *ctx, const struct ddb_get_item *it, const char *why)
{
	(void)ctx;
	rejectline(it->input, it->lineno, &it->line, why);
}

/* The key's values, of the table's types: what --get sends. */
static int
getkey(const struct ddb_get_item *it, struct buf *msg)
{
	char want;
	const char *v;
	size_t i;

	buf_reset(msg);
	for (i = 0; i < nkeys; i++) {
		want = i ? tab.range_type : tab.hash_type;
		v = it->json.p + it->at[i].off;
		if (!it->at[i].len)
			buf_printf(msg, "the item has no %s (of the key)",
				   names[i]);
		else if (want && (it->at[i].len < 6 || v[2] != want ||
				  v[3] != '"'))
			buf_printf(msg, "%s must be %s (%c), as the table's "
				   "key is", names[i], typename(want), want);
		else if (it->at[i].len == 8 && v[2] != 'N')
			buf_printf(msg, "%s: an empty value, which no key "
				   "has", names[i]);
		else
			continue;
		return -1;
	}
	return 0;
}

static void
getprogress(int64_t now, int last)
{
	static int64_t lastshow;
	static unsigned long long lastdone;
	struct ddb_get_counts c;
	unsigned long long done;

	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - lastshow < 1000000000)
		return;
	ddb_get_counts(getter, &c);
	done = c.found + c.missing;
	fprintf(stderr, "\r%s: %llu read, %llu found, %llu missing, "
		"%llu rejected, %.0f keys/s\033[K", err_prog(), nread, c.found,
		c.missing, c.rejected + nbadlines,
		lastshow ? (double)(done - lastdone) * 1e9 /
		(double)(now - lastshow) : 0.0);
	lastshow = now;
	lastdone = done;
}

static void
getall(struct lineio *in, struct ddb_conv *conv)
{
	struct buf msg = BUF_INIT;
	struct ddb_get_item *it;
	char *line;
	ssize_t n;

	while (!nsigs && !ddb_get_failed(getter)) {
		if (showing)
			getprogress(clock_ns(), 0);
		n = lineio_trynext(in, &line);
		if (n == LINEIO_END)
			break;
		if (n == LINEIO_AGAIN) {
			ddb_get_flush(getter);
			ddb_get_poll(getter, lineio_fd(in), showing ? 200 :
				     1000);
			continue;
		}
		if (blank(line, (size_t)n))
			continue;
		nread++;
		it = ddb_get_item(getter);
		buf_add(&it->line, line, (size_t)n);
		it->input = in->name;
		it->lineno = in->lineno;
		if (in->cut) {
			buf_reset(&msg);
			buf_printf(&msg, "a line of more than %u bytes (kept "
				   "cut to them): no DynamoDB item is that "
				   "long", MAXLINE);
		}
		if (in->cut || ddb_conv_item(conv, line, (size_t)n, &it->json,
					     it->at, &msg) < 0 ||
		    getkey(it, &msg) < 0) {
			nbadlines++;
			getreject(NULL, it, msg.p);
			ddb_get_unused(getter, it);
		} else if (ddb_get_put(getter, it) < 0) {
			break;
		}
	}
	buf_free(&msg);
}

static int
getfinish(int status)
{
	struct ddb_get_counts c;
	struct summary sm;
	const char *why = ddb_get_failed(getter);

	if (showing)
		getprogress(0, 1);
	if (why)
		warnx("%s", why);
	ddb_get_counts(getter, &c);
	if (fshut(stdout, "stdout"))
		status = EXIT_PARTIAL;
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (c.rejected + nbadlines)
		status = EXIT_PARTIAL;
	if (!xf && nshown > SHOWN)
		warnx("%llu more rejected lines not shown (-x FILE keeps them)",
		      nshown - SHOWN);
	fprintf(stderr, "%s: %llu read, %llu found, %llu missing, "
		"%llu rejected, %llu retries\n", err_prog(), nread, c.found,
		c.missing, c.rejected + nbadlines, c.retries);
	if (sfile) {
		summary_init(&sm);
		summary_count(&sm, "read", nread);
		summary_count(&sm, "found", c.found);
		summary_count(&sm, "missing", c.missing);
		summary_count(&sm, "rejected", c.rejected + nbadlines);
		summary_count(&sm, "retries", c.retries);
		summary_count(&sm, "throttled", c.throttled);
		if (summary_write(&sm, sfile) < 0)
			status = EXIT_PARTIAL;
		summary_free(&sm);
	}
	if (why)
		status = EXIT_REMOTE;
	if (gotsig)
		status = gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	return status;
}

/* --get: each line's key looked up, the items found on stdout. */
static int
getmain(int argc, char *argv[])
{
	struct ddb_get_opts o;
	struct http_opts ho;
	struct ddb_opts d;
	struct buf err = BUF_INIT;
	struct ddb_conv *conv;
	struct lineio in;
	int status;

	names[nnames++] = tab.hash;
	if (tab.range[0])
		names[nnames++] = tab.range;
	nkeys = nnames;
	conv = ddb_conv_new(typed, names, nkeys);
	httpopts(&ho);
	ddbopts(&d);
	memset(&o, 0, sizeof o);
	o.table = table;
	o.ddb = &d;
	o.http = &ho;
	o.keys = names;
	o.nkeys = nkeys;
	o.attrs = manifest ? manifestattrs : NULL;
	o.nattrs = manifest ? 2 : 0;
	o.consistent = 1;
	o.plain = !typed;
	o.jobs = (int)(jobs ? jobs : GETJOBS);
	o.rate = ratemax;
	o.stop = &nsigs;
	o.found = gotfound;
	o.missing = gotmissing;
	o.reject = getreject;
	if (!(getter = ddb_get_new(&o, &err)))
		diex(EXIT_PARTIAL, "%s", err.p);
	lineio_open(&in, argc, argv);
	in.maxline = MAXLINE;
	showing = vflag && isatty(2);
	getall(&in, conv);
	ddb_get_close(getter);
	while (!ddb_get_wait(getter, 50))
		if (showing)
			getprogress(clock_ns(), 0);
	status = getfinish(in.status);
	lineio_close(&in);
	ddb_get_free(getter);
	ddb_conv_free(conv);
	aws_auth_free(auth);
	buf_free(&bad);
	buf_free(&err);
	return status;
}

/* what aws_auth tells (a clock it corrected) */
static void
notice(const char *msg)
{
	warnx("%s", msg);
}

int
main(int argc, char *argv[])
{
	struct buf err = BUF_INIT;
	struct lineio in;
	struct ddb_conv *conv;
	int status = EXIT_USAGE;

	err_setprog(argv[0]);
	options(argc, argv);
	argc -= optind;
	argv += optind;
	if (!describe && argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	xf = opt_file(NULL, xfile, "w");
	if ((tfile = getenv("DYNAPUT_TRACE")) && *tfile) {
		tf = opt_file("DYNAPUT_TRACE", tfile, "a");
		fputs("# epoch\titems/s\tthrottled/s\twindow\t"
		      "latency_ms\n", tf);
	}
	signals();
	ao.stop = &gotsig;
	if (!(auth = aws_auth_new(&ao, 0, getenv, (int64_t)time(NULL), &err,
				 &status)))
		diex(gotsig ? (gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM) :
		     status, "%s", buf_str(&err));
	aws_auth_notice(auth, notice);
	opentable();
	if (describe)
		return describemain();
	if (getmode)
		return getmain(argc, argv);
	setnames();
	conv = ddb_conv_new(typed, names, nnames);
	showing = vflag && isatty(2);
	startwriter();
	lineio_open(&in, argc, argv);
	in.maxline = MAXLINE;
	readall(&in, conv);
	ddb_writer_close(writer);
	while (!ddb_writer_wait(writer, 50))
		progress(clock_ns(), 0);
	status = finish(in.status);
	lineio_close(&in);
	ddb_writer_free(writer);
	ddb_conv_free(conv);
	ddb_put_free(&put);
	aws_auth_free(auth);
	buf_free(&bad);
	buf_free(&err);
	return status;
}
