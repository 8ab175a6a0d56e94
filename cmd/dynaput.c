/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "aws_http.h"
#include "aws_opts.h"
#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "ddb_engine.h"
#include "ddb_get.h"
#include "ddb_item.h"
#include "ddb_manifest.h"
#include "ddb_table.h"
#include "ddb_writer.h"
#include "err.h"
#include "fshut.h"
#include "http.h"
#include "lineio.h"
#include "opt.h"
#include "rejects.h"
#include "stopsig.h"
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
static struct ddb_engine *eng;	/* the writer, or --get's getter */
static struct ddb_feed feed;	/* and what it was fed */
static struct rejects rej;
static int showing;		/* counts on the terminal */
static FILE *tf;		/* DYNAPUT_TRACE */
static const char *tfile;

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

/* From any thread: a line that is not written (or looked up), and why. */
static void
reject(void *ctx, const struct ddb_item *it, const char *why)
{
	(void)ctx;
	rejects_add(&rej, it->input, it->lineno, it->line.p, it->line.len,
		    why);
}

static void
httpopts(struct http_opts *ho)
{
	struct buf err = BUF_INIT;

	*ho = (struct http_opts){ .conns = 1, .max_attempts = ATTEMPTS,
		.base_ms = BASE_MS, .cap_ms = CAP_MS, .user_agent = "dynaput" };
	if (aws_http_opts(ho, auth, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
}

/* A ddb of its own, for the table's calls. */
static struct ddb *
newddb(struct http **h)
{
	struct ddb_opts o = { .auth = auth, .stop = &stopsig_count };
	struct buf err = BUF_INIT;
	struct http_opts ho;
	struct ddb *d;

	httpopts(&ho);
	if (!(*h = http_new(&ho, &err)) || !(d = ddb_new(*h, &o, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	return d;
}

/* what aws_auth and ddb_table_open tell (a clock corrected, a table made) */
static void
notice(const char *msg)
{
	warnx("%s", msg);
}

static void
tablefail(const struct ddb_error *e, const struct buf *err)
{
	if (e->cls == DDB_STOPPED)
		exit(stopsig_status());
	diex(e->cls == DDB_REFUSED && !strcmp(e->type, "ValidationException") ?
	     EXIT_USAGE : EXIT_REMOTE, "%s", err->p);
}

static void
opentable(void)
{
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct ddb_error e = DDB_ERROR_INIT;
	struct ddb_create c;
	struct ddb_open o = { create ? &c : NULL, CREATE_WAIT_S, "ttl",
			      notice };
	struct http *h;
	struct ddb *d = newddb(&h);

	ddb_manifest_create(&c, ondemand);
	if (ddb_table_open(d, table, &o, &tab, &e, &err) < 0)
		tablefail(&e, &err);
	if (manifest && ddb_manifest_table(&tab, table, &b) < 0)
		diex(EXIT_USAGE, "%s", b.p);
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
	if (getmode)
		return;
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
gotfound(void *ctx, const struct ddb_item *it, const char *item, size_t n)
{
	(void)ctx;
	(void)it;
	fwrite(item, 1, n, stdout);
	putchar('\n');
	fcheck(stdout, "stdout");
}

/* The engine: the writer, or --get's getter (the items found on stdout). */
static void
startengine(void)
{
	static const char *const attrs[] = { "etlTime", "ttl" };
	struct ddb_opts d = { .auth = auth, .stop = &stopsig_count };
	struct buf err = BUF_INIT;
	struct http_opts ho;

	httpopts(&ho);
	if (getmode) {
		struct ddb_get_opts o = { .table = table, .ddb = &d,
			.http = &ho, .keys = names, .nkeys = nkeys,
			.attrs = manifest ? attrs : NULL,
			.nattrs = manifest ? 2 : 0, .consistent = 1,
			.plain = !typed, .jobs = (int)(jobs ? jobs : GETJOBS),
			.rate = ratemax, .stop = &stopsig_count,
			.found = gotfound, .reject = reject };

		if (!(eng = ddb_engine_new(NULL, &o, &err)))
			diex(EXIT_USAGE, "%s", err.p);
	} else {
		struct ddb_writer_opts o = { .table = table, .ddb = &d,
			.http = &ho, .put = &put, .batch = bflag, .keys = names,
			.nkeys = nkeys, .nattrs = nnames,
			.jobs = (int)(jobs ? jobs : JOBS), .rate = ratemax,
			.drain_s = DRAIN_S, .stop = &stopsig_count,
			.reject = reject };

		if (!(eng = ddb_engine_new(&o, NULL, &err)))
			diex(EXIT_USAGE, "%s", err.p);
		if (vflag && ddb_writer_conns(ddb_engine_writer(eng)) < o.jobs)
			warnx("-j %d: %d connections at once (ulimit -n %ld)",
			      o.jobs, ddb_writer_conns(ddb_engine_writer(eng)),
			      http_nofile());
	}
	buf_free(&err);
}

static int
convert(void *conv, struct ddb_item *it, struct buf *msg)
{
	size_t i;

	if (ddb_conv_item(conv, it->line.p, it->line.len, &it->json, it->at,
			  msg) < 0)
		return -1;
	if (getmode)
		return ddb_table_keycheck(&tab, names, it->json.p, it->at,
					  msg);
	if (manifest && ddb_manifest_item(it->json.p, it->at, msg) < 0)
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

static const char *
failed(void)
{
	return ddb_engine_failed(eng);
}

/* What stopped every write, told once, as soon as it is known. */
static void
showfailure(void)
{
	static int shown;

	if (failed() && !shown++)
		warnx("%s", failed());
}

static void
counts(struct ddb_engine_counts *c)
{
	ddb_engine_counts(eng, c);
	c->rejected += feed.nbad;
}

/* Once a second: the counts on the terminal, a line in the trace. */
static void
progress(int64_t now, int last)
{
	static int64_t lastshow;
	static unsigned long long lastdone, lastthr;
	struct ddb_engine_counts c;
	unsigned long long done;
	double s;

	if (last) {
		if (showing)
			fputs("\r\033[K", stderr);
		return;
	}
	if ((!showing && (!tf || getmode)) || now - lastshow < 1000000000)
		return;
	counts(&c);
	done = c.done + c.other;
	s = lastshow ? (double)(now - lastshow) / 1e9 : 0;
	if (showing && getmode)
		fprintf(stderr, "\r%s: %llu read, %llu found, %llu missing, "
			"%llu rejected, %.0f keys/s\033[K", err_prog(),
			feed.nread, c.done, c.other, c.rejected,
			s ? (double)(done - lastdone) / s : 0.0);
	else if (showing)
		fprintf(stderr, "\r%s: %llu read, %llu written, %llu already "
			"present, %llu rejected, %.0f items/s, %d in flight "
			"at most\033[K", err_prog(), feed.nread, c.done, c.other,
			c.rejected, s ? (double)(done - lastdone) / s : 0.0,
			c.window);
	if (tf && !getmode && s &&
	    fprintf(tf, "%.3f\t%.0f\t%.0f\t%d\t%.2f\n", clock_wall(),
		    (double)(done - lastdone) / s,
		    (double)(c.throttled - lastthr) / s, c.window,
		    (double)c.latency_us / 1000) < 0)
		fcheck(tf, tfile);
	lastshow = now;
	lastdone = done;
	lastthr = c.throttled;
}

/* the feed's tick */
static void
ticked(void *ctx)
{
	(void)ctx;
	progress(clock_ns(), 0);
}

static int
summarize(const struct ddb_engine_counts *c)
{
	struct summary sm;
	int st = 0;

	summary_init(&sm);
	summary_count(&sm, "read", feed.nread);
	summary_count(&sm, getmode ? "found" : "written", c->done);
	summary_count(&sm, getmode ? "missing" : "present", c->other);
	summary_count(&sm, "rejected", c->rejected);
	if (!getmode)
		summary_count(&sm, "unsent", c->unsent + feed.nleft);
	summary_count(&sm, "retries", c->retries);
	summary_count(&sm, "throttled", c->throttled);
	if (summary_write(&sm, sfile) < 0)
		st = EXIT_PARTIAL;
	summary_free(&sm);
	return st;
}

static int
finish(int status)
{
	struct ddb_engine_counts c;

	progress(0, 1);
	showfailure();
	counts(&c);
	if (getmode && fshut(stdout, "stdout"))
		status = EXIT_PARTIAL;
	if (rejects_end(&rej))
		status = EXIT_PARTIAL;
	if (tf && fshut(tf, tfile))
		status = EXIT_PARTIAL;
	if (c.rejected)
		status = EXIT_PARTIAL;
	fprintf(stderr, "%s: %llu read, %llu %s, %llu %s, %llu rejected, "
		"%llu retries\n", err_prog(), feed.nread, c.done,
		getmode ? "found" : "written", c.other,
		getmode ? "missing" : "already present", c.rejected, c.retries);
	if (sfile && summarize(&c))
		status = EXIT_PARTIAL;
	if (failed())
		status = EXIT_REMOTE;
	if (stopsig)
		status = stopsig_status();
	return status;
}

/* -V :name=attribute, -N #name=attribute */
static void
addpair(const char *spec, const char **name, const char **attr, size_t *n,
	char opt)
{
	const char *eq = strchr(spec, '=');

	if (spec[0] != (opt == 'V' ? ':' : '#') || !eq || eq == spec + 1 ||
	    !eq[1])
		diex(EXIT_USAGE, "-%c %s: not %cname=attribute", opt, spec,
		     opt == 'V' ? ':' : '#');
	if (*n == MAXBIND)
		diex(EXIT_USAGE, "-%c: more than %d %s", opt, MAXBIND,
		     opt == 'V' ? "values" : "names");
	name[*n] = xstrndup(spec, (size_t)(eq - spec));
	attr[(*n)++] = eq + 1;
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
		cexpr = newest ? DDB_MANIFEST_ANYORDER : DDB_MANIFEST_COND;
		bindname[0] = ":tst";
		bindattr[0] = "etlTime";
		nbind = 1;
	}
}

static void
option(int c, char *arg)
{
	if (aws_opts_take(&ao, c, arg))
		return;
	switch (c) {
	case 'b': bflag = 1; break;
	case 'c': cexpr = arg; break;
	case 'h': usage(EXIT_OK); break;
	case 'j': jobs = (long)opt_num("-j", arg, 1, MAXJOBS); break;
	case 'S': sfile = arg; break;
	case 't': table = arg; break;
	case 'N': addpair(arg, phname, phattr, &nph, 'N'); break;
	case 'V': addpair(arg, bindname, bindattr, &nbind, 'V'); break;
	case 'v': vflag = 1; break;
	case 'x': xfile = arg; break;
	case O_MANIFEST: manifest = 1; break;
	case O_TYPED: typed = 1; break;
	case O_CREATE: create = 1; break;
	case O_ONDEMAND: ondemand = 1; break;
	case O_RATE:
		ratemax = opt_real("--rate", arg, 1e9,
				   "a number of writes a second");
		break;
	case O_NEWEST: newest = newesttime(arg); break;
	case O_GET: getmode = 1; break;
	case O_DESCRIBE: describe = 1; break;
	default: usage(EXIT_USAGE);
	}
}

/* The table's key, and whether it holds any item, as one JSON object. */
static int
describemain(void)
{
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct ddb_error e = DDB_ERROR_INIT;
	struct http *h;
	struct ddb *d = newddb(&h);
	int empty;

	if ((empty = ddb_table_empty(d, table, &e, &err)) < 0)
		tablefail(&e, &err);
	ddb_table_json(&tab, table, empty, &b);
	fwrite(b.p, 1, b.len, stdout);
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
	buf_free(&b);
	aws_auth_free(auth);
	return fshut(stdout, "stdout") ? EXIT_PARTIAL : EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct buf err = BUF_INIT;
	struct lineio in;
	struct ddb_conv *conv;
	int i, status = EXIT_USAGE;

	err_setprog(argv[0]);
	i = opt_parse(argc, argv, "bc:hj:N:S:t:V:vx:" AWS_OPTS_SHORT,
		      longopts, option);
	check();
	argc -= i;
	argv += i;
	if (!describe && argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	rejects_init(&rej, opt_file(NULL, xfile, "w"), xfile, SHOWN);
	if ((tfile = getenv("DYNAPUT_TRACE")) && *tfile) {
		tf = opt_file("DYNAPUT_TRACE", tfile, "a");
		fputs("# epoch\titems/s\tthrottled/s\twindow\t"
		      "latency_ms\n", tf);
	}
	stopsig_catch(0);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot initialise");
	ao.stop = &stopsig;
	if (!(auth = aws_auth_new(&ao, 0, getenv, (int64_t)time(NULL), &err,
				 &status)))
		diex(stopsig ? stopsig_status() : status, "%s", buf_str(&err));
	aws_auth_notice(auth, notice);
	opentable();
	if (describe) {
		status = describemain();
		curl_global_cleanup();
		return status;
	}
	setnames();
	conv = ddb_conv_new(typed, names, getmode ? nkeys : nnames);
	showing = vflag && isatty(2);
	startengine();
	lineio_open(&in, argc, argv);
	in.maxline = MAXLINE;
	feed = (struct ddb_feed){ .in = &in, .convert = convert,
		.tick = ticked, .ctx = conv, .rej = &rej,
		.wait_ms = showing || (tf && !getmode) ? 200 : 1000,
		.stop = &stopsig_count };
	ddb_engine_feed(eng, &feed);
	showfailure();
	ddb_engine_close(eng);
	while (!ddb_engine_wait(eng, 50))
		ticked(NULL);
	status = finish(in.status);
	lineio_close(&in);
	ddb_engine_free(eng);
	ddb_conv_free(conv);
	if (!getmode)
		ddb_put_free(&put);
	aws_auth_free(auth);
	buf_free(&err);
	curl_global_cleanup();
	return status;
}
