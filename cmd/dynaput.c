/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "awsauth.h"
#include "awsconf.h"
#include "buf.h"
#include "ddb.h"
#include "err.h"
#include "fdlines.h"
#include "fshut.h"
#include "http.h"
#include "jsonw.h"
#include "keyset.h"
#include "rate.h"
#include "sigv4.h"
#include "tstamp.h"
#include "xalloc.h"

#define MAXBIND 32
#define MAXJOBS 1024
#define SHOWN 20		/* rejects told on stderr without -x */
#define DRAIN_S 30		/* after a signal, in-flight writes get this */
#define ATTEMPTS 11		/* the SDKs' 10 retries for DynamoDB */
#define BASE_MS 25
#define CAP_MS 20000
#define CREATE_WAIT_S 600

#define MANIFEST_COND "(attribute_not_exists(eventId) AND " \
	"attribute_not_exists(fingerprint)) OR etlTime = :tst"

enum { O_MANIFEST = 256, O_TYPED, O_CREATE, O_ONDEMAND, O_RATE, O_CABUNDLE };

static const struct option longopts[] = {
	{ "manifest", no_argument, NULL, O_MANIFEST },
	{ "typed", no_argument, NULL, O_TYPED },
	{ "create", no_argument, NULL, O_CREATE },
	{ "on-demand", no_argument, NULL, O_ONDEMAND },
	{ "rate", required_argument, NULL, O_RATE },
	{ "ca-bundle", required_argument, NULL, O_CABUNDLE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *table, *xfile, *cexpr;
static int bflag, vflag, manifest, typed, create, ondemand;
static long jobs = 16;
static double ratemax;
static struct awsconf_opts ao = { .service = "dynamodb" };
static const char *bindname[MAXBIND], *bindattr[MAXBIND];
static size_t nbind;

/* the attributes each item is searched for: key, then bound values */
static const char *names[2 + MAXBIND];
static size_t nnames, nkeys;
static struct ddb_table tab;

struct item {
	struct buf line;	/* as read, for the rejects */
	const char *input;
	unsigned long long lineno;
	struct buf json;	/* the Item map */
	struct ddb_span at[2 + MAXBIND];
	struct buf key;		/* ddb_key text, when haskey */
	int haskey;
	int pending;		/* in the batch being filled */
	struct item *next;	/* free list */
};

struct req {
	struct ddb_req q;	/* first: on_done's http_req is the req */
	struct item *it[DDB_BATCH_MAX];
	int n;
	int split;		/* -1: a batch; else the item put alone */
	unsigned epoch;
	int inuse;
	struct req *next;	/* free list */
};

static struct http *h;
static struct ddb *d;
static struct awsauth *auth;
static struct ddb_conv *conv, *uconv;
static struct keyset *inflight;
static struct rate rl;
static struct fdlines in;
static struct item *freeitems, *blocked;
static struct req *reqs, *freereqs;
static int busy;
static struct item *pend[DDB_BATCH_MAX];
static int npend;
static size_t pendbytes;

static FILE *xf;
static int ineof, inwait, stopping, fatal;
static volatile sig_atomic_t gotsig, nsigs;
static int64_t deadline;
static unsigned long long nread, nwritten, npresent, nrejected;
static struct buf prefix = BUF_INIT, condtail = BUF_INIT;
static struct buf msg = BUF_INIT, tmp = BUF_INIT, bad = BUF_INIT;
static struct ddb_error derr = DDB_ERROR_INIT;
static int progress;
static int64_t lastshow, started;
static unsigned long long lastdone;

static void
usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s -t table [-bv] [-j N] [-r region] [-p profile] "
		"[-e endpoint] [-c expr] [-V :name=attribute] [-x rejects] "
		"[--manifest] [--typed] [--create] [--on-demand] [--rate N] "
		"[--ca-bundle file] [file ...]\n", err_prog());
	if (!status && fshut(stdout, "stdout"))
		exit(EXIT_PARTIAL);
	exit(status);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
onsig(int sig)
{
	gotsig = sig;
	nsigs++;
}

/* --- rejects --- */

static void
reject(struct item *it, const char *why)
{
	struct timespec ts;
	char iso[25];

	nrejected++;
	if (!xf) {
		if (nrejected <= SHOWN)
			warnx("%s:%llu: %s", it->input, it->lineno, why);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	tstamp_iso(ts.tv_sec, (int)(ts.tv_nsec / 1000000), iso);
	buf_reset(&bad);
	buf_adds(&bad, "{\"line\":");
	jsonw_str(&bad, it->line.p, it->line.len);
	buf_adds(&bad, ",\"errors\":[{\"level\":\"error\",\"message\":");
	jsonw_str(&bad, why, strlen(why));
	buf_adds(&bad, "}],\"failure_tstamp\":\"");
	buf_adds(&bad, iso);
	buf_adds(&bad, "\"}\n");
	if (fwrite(bad.p, 1, bad.len, xf) != bad.len)
		fcheck(xf, xfile);
}

static const char *
errtext(void)
{
	return ddb_strerror(&derr, &msg);
}

/* --- items --- */

static struct item *
newitem(const char *line, size_t n)
{
	struct item *it = freeitems;

	if (it)
		freeitems = it->next;
	else
		it = xcalloc(1, sizeof *it);
	buf_reset(&it->line);
	buf_add(&it->line, line, n);
	buf_reset(&it->json);
	buf_reset(&it->key);
	it->input = in.name;
	it->lineno = in.lineno;
	it->haskey = 0;
	it->pending = 0;
	return it;
}

/* An item has been written, found present or rejected: it lets go of
 * its key. */
static void
dropitem(struct item *it)
{
	if (it->haskey && keyset_get(inflight, it->key.p, it->key.len) == it)
		keyset_del(inflight, it->key.p, it->key.len);
	it->next = freeitems;
	freeitems = it;
}

static int
convert(struct item *it)
{
	size_t i;

	if (ddb_conv_item(conv, it->line.p, it->line.len, &it->json, it->at,
			  &msg) < 0)
		return -1;
	if (manifest)
		for (i = 0; i < nnames; i++)
			if (!it->at[i].len) {
				buf_reset(&msg);
				buf_printf(&msg, "--manifest: the item has no "
					   "%s", names[i]);
				return -1;
			}
	for (i = nkeys; i < nnames; i++)
		if (!it->at[i].len) {
			buf_reset(&msg);
			buf_printf(&msg, "the item has no %s (for %s)",
				   names[i], bindname[i - nkeys]);
			return -1;
		}
	it->haskey = ddb_key(&it->key, it->json.p, it->at, nkeys) == 0;
	return 0;
}

/* --- requests --- */

static void ondone(struct http_req *r);

static int
cansend(void)
{
	return freereqs && !fatal && rate_room(&rl, busy) &&
	       rate_delay(&rl, now_ns()) == 0;
}

static struct req *
getreq(const char *op)
{
	struct req *q = freereqs;

	freereqs = q->next;
	q->inuse = 1;
	busy++;
	ddb_req_init(&q->q, d, op, ondone, q);
	buf_reset(&q->q.body);
	q->n = 0;
	q->split = -1;
	return q;
}

static void
putreq(struct req *q)
{
	q->inuse = 0;
	q->next = freereqs;
	freereqs = q;
	busy--;
}

static void
putbody(struct req *q, struct item *it)
{
	struct buf *b = &q->q.body;
	size_t i;

	buf_reset(b);
	buf_add(b, prefix.p, prefix.len);
	buf_add(b, it->json.p, it->json.len);
	if (cexpr) {
		buf_add(b, condtail.p, condtail.len);
		for (i = 0; i < nbind; i++) {
			if (i)
				buf_addc(b, ',');
			jsonw_str(b, bindname[i], strlen(bindname[i]));
			buf_addc(b, ':');
			buf_add(b, it->json.p + it->at[nkeys + i].off,
				it->at[nkeys + i].len);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
}

static void
batchbody(struct req *q)
{
	struct buf *b = &q->q.body;
	int i;

	buf_reset(b);
	buf_adds(b, "{\"RequestItems\":{");
	jsonw_str(b, table, strlen(table));
	buf_add(b, ":[", 2);
	for (i = 0; i < q->n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"PutRequest\":{\"Item\":");
		buf_add(b, q->it[i]->json.p, q->it[i]->json.len);
		buf_add(b, "}}", 2);
	}
	buf_add(b, "]}}", 3);
}

static void
sendput(struct item *it)
{
	struct req *q = getreq("PutItem");

	q->it[0] = it;
	q->n = 1;
	q->split = 0;
	putbody(q, it);
	q->epoch = rate_take(&rl, 1);
	http_start(h, &q->q.http);
}

/* Sends the batch being filled, if it may go now. */
static int
sendbatch(void)
{
	struct req *q;
	int i;

	if (!npend || !cansend())
		return 0;
	q = getreq("BatchWriteItem");
	for (i = 0; i < npend; i++) {
		pend[i]->pending = 0;
		q->it[i] = pend[i];
	}
	q->n = npend;
	npend = 0;
	pendbytes = 0;
	batchbody(q);
	q->epoch = rate_take(&rl, q->n);
	http_start(h, &q->q.http);
	return 1;
}

/* Takes it on (sent, or in the batch being filled), or returns 0 when it
 * must wait: for its key's write to end, or for room. */
static int
admit(struct item *it)
{
	struct item *other;

	if (it->haskey &&
	    (other = keyset_get(inflight, it->key.p, it->key.len))) {
		if (other->pending)
			sendbatch();
		return 0;
	}
	if (!bflag) {
		if (!cansend())
			return 0;
		if (it->haskey)
			keyset_put(inflight, it->key.p, it->key.len, it);
		sendput(it);
		return 1;
	}
	if ((npend == DDB_BATCH_MAX ||
	     pendbytes + it->json.len + 64 > DDB_BATCH_BYTES) && !sendbatch())
		return 0;
	it->pending = 1;
	pend[npend++] = it;
	pendbytes += it->json.len + 32;
	if (it->haskey)
		keyset_put(inflight, it->key.p, it->key.len, it);
	if (npend == DDB_BATCH_MAX)
		sendbatch();
	return 1;
}

static void
setfatal(const char *why)
{
	if (fatal)
		return;
	fatal = 1;
	stopping = 1;
	warnx("table %s: %s", table, why);
}

/* Another attempt of q after its backoff; 0 when it has had them all. */
static int
retry(struct req *q)
{
	if (gotsig && nsigs > 1)
		return 0;
	if (http_retry(h, &q->q.http) < 0)
		return 0;
	q->epoch = rate_take(&rl, q->n);
	return 1;
}

static void
gaveup(struct item *it)
{
	buf_reset(&tmp);
	buf_printf(&tmp, "%s (gave up after %d attempts)", errtext(),
		   ATTEMPTS);
	reject(it, tmp.p);
}

/* Puts item i of q alone (a batch split apart goes item by item). */
static void
putalone(struct req *q, int i)
{
	q->split = i;
	ddb_req_init(&q->q, d, "PutItem", ondone, q);
	putbody(q, q->it[i]);
	http_start(h, &q->q.http);
}

/* The item put alone is done: on to the next, or q is free. */
static void
nextput(struct req *q)
{
	dropitem(q->it[q->split]);
	q->it[q->split] = NULL;
	if (q->split + 1 < q->n)
		putalone(q, q->split + 1);
	else
		putreq(q);
}

static void
putdone(struct req *q, enum ddb_class cls)
{
	struct item *it = q->it[q->split];

	switch (cls) {
	case DDB_DONE:
		nwritten++;
		rate_ok(&rl, 1);
		break;
	case DDB_CONDITION:
		if (!cexpr) {
			reject(it, errtext());
			break;
		}
		npresent++;
		rate_ok(&rl, 1);
		break;
	case DDB_THROTTLED:
		rate_throttled(&rl, q->epoch);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(q))
			return;
		gaveup(it);
		break;
	case DDB_REFUSED:
		reject(it, errtext());
		break;
	case DDB_NOTFOUND:
	case DDB_FATAL:
		setfatal(errtext());
		reject(it, errtext());
		break;
	}
	nextput(q);
}

struct unproc {
	struct req *q;
	unsigned char left[DDB_BATCH_MAX];
	int matched;
};

static void
unprocessed(void *ctx, const char *key, size_t len)
{
	struct unproc *u = ctx;
	int i;

	for (i = 0; i < u->q->n; i++)
		if (!u->left[i] && u->q->it[i]->haskey &&
		    u->q->it[i]->key.len == len &&
		    !memcmp(u->q->it[i]->key.p, key, len)) {
			u->left[i] = 1;
			u->matched++;
			return;
		}
}

static void
batchok(struct req *q)
{
	struct unproc u;
	int i, k, count;

	memset(&u, 0, sizeof u);
	u.q = q;
	count = ddb_unprocessed(uconv, nkeys, table, q->q.http.resp.p,
				q->q.http.resp.len, unprocessed, &u);
	if (count != u.matched)	/* not understood: all of it again */
		memset(u.left, 1, sizeof u.left);
	for (i = k = 0; i < q->n; i++) {
		if (u.left[i]) {
			q->it[k++] = q->it[i];
			continue;
		}
		nwritten++;
		dropitem(q->it[i]);
	}
	rate_ok(&rl, q->n - k);
	if (!k) {
		putreq(q);
		return;
	}
	/* UnprocessedItems: the table is throttled */
	rate_throttled(&rl, q->epoch);
	if (k < q->n)
		q->q.http.attempt = 1;	/* progress: back off from the start */
	q->n = k;
	batchbody(q);
	if (retry(q))
		return;
	buf_reset(&derr.msg);
	derr.type[0] = '\0';
	buf_adds(&derr.msg, "BatchWriteItem: still in UnprocessedItems");
	for (i = 0; i < q->n; i++) {
		gaveup(q->it[i]);
		dropitem(q->it[i]);
	}
	putreq(q);
}

static void
batchdone(struct req *q, enum ddb_class cls)
{
	int i;

	switch (cls) {
	case DDB_DONE:
		batchok(q);
		return;
	case DDB_THROTTLED:
		rate_throttled(&rl, q->epoch);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(q))
			return;
		for (i = 0; i < q->n; i++)
			gaveup(q->it[i]);
		break;
	case DDB_CONDITION:
	case DDB_REFUSED:
		/* one item spoils the batch: put each alone to know which */
		putalone(q, 0);
		return;
	case DDB_NOTFOUND:
	case DDB_FATAL:
		setfatal(errtext());
		for (i = 0; i < q->n; i++)
			reject(q->it[i], errtext());
		break;
	}
	for (i = 0; i < q->n; i++)
		dropitem(q->it[i]);
	putreq(q);
}

static void
ondone(struct http_req *r)
{
	struct req *q = r->ctx;
	enum ddb_class cls = ddb_classify(r, &derr);

	if (q->split < 0)
		batchdone(q, cls);
	else
		putdone(q, cls);
}

/* --- the loop --- */

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int
canread(void)
{
	if (stopping || ineof || blocked)
		return 0;
	if (bflag)
		return npend < DDB_BATCH_MAX;
	return cansend();
}

static void
fill(void)
{
	struct item *it;
	char *line;
	ssize_t n;

	inwait = 0;
	for (;;) {
		if (blocked) {
			if (!admit(blocked))
				break;
			blocked = NULL;
			continue;
		}
		if (!canread())
			break;
		n = fdlines_next(&in, &line);
		if (n == FDLINES_AGAIN) {
			inwait = 1;
			break;
		}
		if (n == FDLINES_END) {
			ineof = 1;
			break;
		}
		if (blank(line, (size_t)n))
			continue;
		nread++;
		it = newitem(line, (size_t)n);
		if (convert(it) < 0) {
			reject(it, msg.p);
			dropitem(it);
			continue;
		}
		if (!admit(it))
			blocked = it;
	}
	if (npend == DDB_BATCH_MAX || (npend && (ineof || inwait || stopping)))
		sendbatch();
}

/* A fatal error: what is read and not yet sent is not written. */
static void
dropunsent(void)
{
	buf_reset(&tmp);
	buf_printf(&tmp, "not written: stopped after %s", errtext());
	while (npend > 0) {
		reject(pend[--npend], tmp.p);
		dropitem(pend[npend]);
	}
	if (blocked) {
		reject(blocked, tmp.p);
		dropitem(blocked);
		blocked = NULL;
	}
}

/* Past the deadline after a signal: what is still out is reported. */
static void
abandon(void)
{
	const char *why = "interrupted: the write was not confirmed";
	int i, j;

	for (i = 0; i < npend; i++)
		reject(pend[i], why);
	npend = 0;
	if (blocked)
		reject(blocked, why);
	blocked = NULL;
	for (i = 0; i < jobs; i++) {
		struct req *q = &reqs[i];

		if (!q->inuse)
			continue;
		for (j = q->split < 0 ? 0 : q->split; j < q->n; j++)
			if (q->it[j])
				reject(q->it[j], why);
	}
}

static void
show(int64_t now, int last)
{
	unsigned long long done = nwritten + npresent;
	double dt = (double)(now - lastshow) / 1e9;

	if (!progress)
		return;
	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - lastshow < 1000000000)
		return;
	fprintf(stderr, "\r%s: %llu read, %llu written, %llu already present, "
		"%llu rejected, %llu retries, %.0f items/s\033[K", err_prog(),
		nread, nwritten, npresent, nrejected,
		(unsigned long long)http_retries(h),
		lastshow ? (double)(done - lastdone) / dt : 0.0);
	lastshow = now;
	lastdone = done;
}

static void
run(void)
{
	struct curl_waitfd wfd;
	int64_t now, wait;

	for (;;) {
		now = now_ns();
		if (gotsig && !stopping) {
			stopping = 1;
			deadline = now + (int64_t)DRAIN_S * 1000000000;
		}
		if (gotsig && (nsigs > 1 || now > deadline)) {
			abandon();
			return;
		}
		if (fatal)
			dropunsent();
		fill();
		if (!busy && !npend && !blocked && (ineof || stopping))
			return;
		wait = 100;
		if (!fatal && rate_room(&rl, busy) && freereqs &&
		    (blocked || npend || (!stopping && !ineof && !inwait))) {
			int64_t ns = rate_delay(&rl, now);

			if (ns > 0 && ns / 1000000 < wait)
				wait = ns / 1000000;
		}
		if (inwait && canread()) {
			wfd.fd = fdlines_fd(&in);
			wfd.events = CURL_WAIT_POLLIN;
			wfd.revents = 0;
			http_run_fds(h, (long)wait, &wfd, 1);
		} else {
			http_run(h, (long)wait);
		}
		show(now_ns(), 0);
	}
}

/* --- set-up --- */

static int
sign(void *ctx, const char *host, const char *path, const char *target,
     const char *body, size_t n, struct curl_slist **headers,
     struct buf *err)
{
	struct sigv4_header extra[2] = {
		{ "content-type", "application/x-amz-json-1.0" },
		{ "x-amz-target", target },
	};
	char hash[65];

	sigv4_sha256_hex(body, n, hash);
	return awsauth_sign(ctx, "POST", host, path, NULL, 0, extra, 2, hash,
			    (int64_t)time(NULL), headers, err);
}

static enum ddb_class
call(const char *op, const char *body, struct buf *resp)
{
	return ddb_call(d, op, body, strlen(body), resp, &derr);
}

static void
tablebody(struct buf *b)
{
	buf_reset(b);
	buf_adds(b, "{\"TableName\":");
	jsonw_str(b, table, strlen(table));
	buf_addc(b, '}');
}

static void
createtable(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"TableName\":");
	jsonw_str(&b, table, strlen(table));
	buf_adds(&b, ",\"AttributeDefinitions\":["
		 "{\"AttributeName\":\"eventId\",\"AttributeType\":\"S\"},"
		 "{\"AttributeName\":\"fingerprint\",\"AttributeType\":\"S\"}],"
		 "\"KeySchema\":["
		 "{\"AttributeName\":\"eventId\",\"KeyType\":\"HASH\"},"
		 "{\"AttributeName\":\"fingerprint\",\"KeyType\":\"RANGE\"}],");
	if (ondemand)
		buf_adds(&b, "\"BillingMode\":\"PAY_PER_REQUEST\"}");
	else
		buf_adds(&b, "\"ProvisionedThroughput\":"
			 "{\"ReadCapacityUnits\":100,"
			 "\"WriteCapacityUnits\":100}}");
	switch (call("CreateTable", b.p, &tmp)) {
	case DDB_DONE:
		warnx("table %s: created", table);
		break;
	case DDB_REFUSED:
		if (!strcmp(derr.type, "ResourceInUseException"))
			break;	/* made meanwhile by someone else */
		/* FALLTHROUGH */
	default:
		diex(EXIT_REMOTE, "table %s: CreateTable: %s", table,
		     errtext());
	}
	buf_free(&b);
}

static void
enablettl(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"TableName\":");
	jsonw_str(&b, table, strlen(table));
	buf_adds(&b, ",\"TimeToLiveSpecification\":"
		 "{\"AttributeName\":\"ttl\",\"Enabled\":true}}");
	if (call("UpdateTimeToLive", b.p, &tmp) != DDB_DONE)
		warnx("warning: table %s: TTL on ttl not enabled: %s", table,
		      errtext());
	buf_free(&b);
}

static void
describe(struct buf *b, struct buf *resp)
{
	if (call("DescribeTable", b->p, resp) != DDB_DONE)
		diex(EXIT_REMOTE, "table %s: %s", table, errtext());
	if (ddb_table_parse(resp->p, resp->len, &tab) < 0)
		diex(EXIT_REMOTE, "table %s: DescribeTable: an answer not "
		     "understood", table);
}

static void
opentable(void)
{
	struct buf b = BUF_INIT, resp = BUF_INIT;
	int made = 0, waited = 0;
	struct timespec pause = { 0, 200000000 };

	tablebody(&b);
	if (call("DescribeTable", b.p, &resp) == DDB_NOTFOUND && create) {
		createtable();
		made = 1;
	} else if (derr.cls != DDB_DONE) {
		diex(EXIT_REMOTE, "table %s: %s", table, errtext());
	}
	describe(&b, &resp);
	while (strcmp(tab.status, "ACTIVE") && strcmp(tab.status, "UPDATING")) {
		if (strcmp(tab.status, "CREATING") ||
		    waited++ > CREATE_WAIT_S * 5)
			diex(EXIT_REMOTE, "table %s: %s", table, tab.status);
		if (gotsig)
			exit(gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM);
		nanosleep(&pause, NULL);
		describe(&b, &resp);
	}
	if (made)
		enablettl();
	if (manifest && (strcmp(tab.hash, "eventId") ||
			 strcmp(tab.range, "fingerprint")))
		diex(EXIT_USAGE, "table %s: its key is (%s HASH%s%s%s), "
		     "--manifest needs (eventId HASH, fingerprint RANGE)",
		     table, tab.hash, tab.range[0] ? ", " : "", tab.range,
		     tab.range[0] ? " RANGE" : "");
	buf_free(&b);
	buf_free(&resp);
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
	conv = ddb_conv_new(typed, names, nnames);
	uconv = ddb_conv_new(1, names, nnames);

	buf_adds(&prefix, "{\"TableName\":");
	jsonw_str(&prefix, table, strlen(table));
	buf_adds(&prefix, ",\"Item\":");
	if (cexpr) {
		buf_adds(&condtail, ",\"ConditionExpression\":");
		jsonw_str(&condtail, cexpr, strlen(cexpr));
		buf_adds(&condtail, ",\"ExpressionAttributeValues\":{");
	}
}

static long
number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		diex(EXIT_USAGE, "%s: %s: not a number from %ld to %ld", opt, s,
		     min, max);
	return v;
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
options(int argc, char *argv[])
{
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "bc:e:hj:p:r:t:V:vx:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'b': bflag = 1; break;
		case 'c': cexpr = optarg; break;
		case 'e': ao.endpoint = optarg; break;
		case 'h': usage(EXIT_OK); break;
		case 'j': jobs = number("-j", optarg, 1, MAXJOBS); break;
		case 'p': ao.profile = optarg; break;
		case 'r': ao.region = optarg; break;
		case 't': table = optarg; break;
		case 'V': addbind(optarg); break;
		case 'v': vflag = 1; break;
		case 'x': xfile = optarg; break;
		case O_MANIFEST: manifest = 1; break;
		case O_TYPED: typed = 1; break;
		case O_CREATE: create = 1; break;
		case O_ONDEMAND: ondemand = 1; break;
		case O_CABUNDLE: ao.ca_bundle = optarg; break;
		case O_RATE:
			errno = 0;
			ratemax = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(ratemax > 0) ||
			    ratemax > 1e9)
				diex(EXIT_USAGE, "--rate: %s: not a number of "
				     "writes a second", optarg);
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	if (!table || !*table)
		usage(EXIT_USAGE);
	if (cexpr && (manifest || bflag))
		diex(EXIT_USAGE, "-c: no condition with %s", manifest ?
		     "--manifest (it has its own)" : "-b (BatchWriteItem "
		     "has none)");
	if (manifest && bflag)
		diex(EXIT_USAGE, "-b: BatchWriteItem has no condition: "
		     "--manifest writes with PutItem");
	if (nbind && !cexpr)
		diex(EXIT_USAGE, "-V: values only go with a condition (-c)");
	if (ondemand && !create)
		diex(EXIT_USAGE, "--on-demand: only with --create");
	if (manifest) {
		cexpr = MANIFEST_COND;
		bindname[0] = ":tst";
		bindattr[0] = "etlTime";
		nbind = 1;
	}
}

static void
dial(void)
{
	struct http_opts ho;
	struct ddb_opts dopts;
	struct buf err = BUF_INIT, url = BUF_INIT;
	const struct awsconf *conf;
	int st = EXIT_USAGE;

	if (!(auth = awsauth_new(&ao, 0, getenv, (int64_t)time(NULL), &err,
				 &st)))
		diex(st, "%s", buf_str(&err));
	conf = awsauth_conf(auth);
	memset(&ho, 0, sizeof ho);
	ho.conns = (int)jobs;
	ho.ca_bundle = conf->ca_bundle;
	ho.max_attempts = ATTEMPTS;
	ho.base_ms = BASE_MS;
	ho.cap_ms = CAP_MS;
	ho.seed = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
	ho.user_agent = "dynaput";
	h = http_new(&ho);
	if (conf->endpoint)
		buf_adds(&url, conf->endpoint);
	else
		awsconf_default_endpoint(&url, "dynamodb", conf->region);
	memset(&dopts, 0, sizeof dopts);
	dopts.endpoint = url.p;
	dopts.region = conf->region;
	dopts.sign = sign;
	dopts.sign_ctx = auth;
	if (!(d = ddb_new(h, &dopts, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	buf_free(&err);
	buf_free(&url);
}

static void
setup(void)
{
	struct sigaction sa;
	long i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	reqs = xcalloc((size_t)jobs, sizeof *reqs);
	for (i = jobs - 1; i >= 0; i--) {
		reqs[i].next = freereqs;
		freereqs = &reqs[i];
	}
	inflight = keyset_new();
	rate_init(&rl, ratemax, (int)jobs, now_ns());
	progress = vflag && isatty(2);
	started = now_ns();
}

static int
finish(void)
{
	int status = in.status;

	show(0, 1);
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (nrejected)
		status = EXIT_PARTIAL;
	if (!xf && nrejected > SHOWN)
		warnx("%llu more rejected lines not shown (-x FILE keeps them)",
		      nrejected - SHOWN);
	fprintf(stderr, "%s: %llu read, %llu written, %llu already present, "
		"%llu rejected, %llu retries\n", err_prog(), nread, nwritten,
		npresent, nrejected, (unsigned long long)http_retries(h));
	if (fatal)
		status = EXIT_REMOTE;
	if (gotsig)
		status = gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	return status;
}

int
main(int argc, char *argv[])
{
	int status;

	err_setprog(argv[0]);
	options(argc, argv);
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	if (xfile && !(xf = fopen(xfile, "w")))
		die(EXIT_USAGE, "%s:", xfile);
	setup();
	dial();
	opentable();
	setnames();
	if (vflag)
		warnx("table %s (%s HASH%s%s%s) at %s, credentials from %s",
		      table, tab.hash, tab.range[0] ? ", " : "", tab.range,
		      tab.range[0] ? " RANGE" : "", ddb_url(d),
		      awsauth_source(auth));
	fdlines_open(&in, argc, argv);
	run();
	status = finish();
	if (!gotsig || !busy) {
		fdlines_close(&in);
		ddb_conv_free(conv);
		ddb_conv_free(uconv);
		keyset_free(inflight);
		ddb_free(d);
		http_free(h);
		awsauth_free(auth);
	}
	return status;
}
