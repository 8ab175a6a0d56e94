/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "buf.h"
#include "ddb.h"
#include "err.h"
#include "lineio.h"
#include "fnv.h"
#include "fshut.h"
#include "http.h"
#include "jsonw.h"
#include "keyset.h"
#include "rate.h"
#include "ring.h"
#include "sigv4.h"
#include "tstamp.h"
#include "xalloc.h"

#define MAXBIND 32
#define MAXJOBS 1024
#define MAXSHARDS 8
#define QUEUE 512		/* items waiting for a shard */
#define MAXLINE (8u << 20)	/* no item's JSON is longer (400 KB items) */
#define SHOWN 20		/* rejects told on stderr without -x */
#define DRAIN_S 30		/* after a signal, writes out get this long */
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
	{ "endpoint-url", required_argument, NULL, 'e' },
	{ "region", required_argument, NULL, 'r' },
	{ "profile", required_argument, NULL, 'p' },
	{ "table", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *table, *xfile, *cexpr;
static int bflag, vflag, manifest, typed, create, ondemand;
static long jobs = 16;
static double ratemax;
static struct aws_conf_opts ao = { .service = "dynamodb" };
static const char *bindname[MAXBIND], *bindattr[MAXBIND];
static size_t nbind;

/* the attributes each item is searched for: key, then bound values */
static const char *names[3 + MAXBIND];
static size_t nnames, nkeys, nneed;	/* nneed: every item has them */
static struct ddb_table tab;
static struct buf prefix = BUF_INIT, condtail = BUF_INIT;

/*
 * The main thread reads and converts; each item then goes to one of the
 * shards, by its key, so all the writes of one key go through one shard
 * in the order read.  A shard is a thread with its own requests in
 * flight (its share of -j) on its own libcurl multi handle.
 */
struct item {
	struct buf line;	/* as read, for the rejects */
	const char *input;
	unsigned long long lineno;
	struct buf json;	/* the Item map */
	struct ddb_span at[3 + MAXBIND];
	struct buf key;		/* ddb_key text, when haskey */
	int haskey;
	int pending;		/* in the batch being filled */
	struct item *next;	/* the main thread's free list */
};

struct shard;

struct req {
	struct ddb_req q;	/* first: on_done's http_req is the req */
	struct shard *s;
	struct item *it[DDB_BATCH_MAX];
	int n;
	int split;		/* -1: a batch; else the item put alone */
	unsigned epoch;
	int inuse;
	struct req *next;	/* free list */
};

struct shard {
	pthread_t thread;
	struct http *h;
	struct ddb *d;
	struct ddb_conv *uconv;	/* reads UnprocessedItems */
	struct keyset *inflight;
	struct rate rl;
	struct req *reqs, *freereqs;
	int nreqs, busy;
	struct item *blocked;
	struct item *pend[DDB_BATCH_MAX];
	int npend;
	size_t pendbytes;
	struct ring in;		/* items from the main thread */
	struct ring back;	/* used items, back to it */
	int wake[2];		/* a pipe: the main thread wakes us */
	atomic_int sleeping;
	atomic_int done;	/* the thread has ended */
	int inwait;
	_Atomic unsigned long long written, present, rejected;
	struct ddb_error derr;
	struct buf msg, tmp, bad;
};

static struct shard *shards;
static int nshards;
static struct aws_auth *auth;
static pthread_mutex_t signlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t xlock = PTHREAD_MUTEX_INITIALIZER;
static FILE *xf;
static unsigned long long nshown;

/* set by the handler, read by every thread: atomics, lock-free */
static atomic_int gotsig, nsigs;
static atomic_int ineof;	/* the main thread has sent every item */
static atomic_int fatal;	/* a remote refusal: stop */
static atomic_int abandon;	/* past the deadline after a signal */
static unsigned long long nread, nbadlines;

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

/* --- rejects: from any thread --- */

static void
reject(struct buf *bad, struct item *it, const char *why)
{
	struct timespec ts;
	char iso[25];

	pthread_mutex_lock(&xlock);
	if (!xf) {
		if (++nshown <= SHOWN)
			warnx("%s:%llu: %s", it->input, it->lineno, why);
		pthread_mutex_unlock(&xlock);
		return;
	}
	pthread_mutex_unlock(&xlock);
	clock_gettime(CLOCK_REALTIME, &ts);
	tstamp_iso(ts.tv_sec, (int)(ts.tv_nsec / 1000000), iso);
	buf_reset(bad);
	buf_adds(bad, "{\"line\":");
	jsonw_str(bad, it->line.p, it->line.len);
	buf_adds(bad, ",\"errors\":[{\"level\":\"error\",\"message\":");
	jsonw_str(bad, why, strlen(why));
	buf_adds(bad, "}],\"failure_tstamp\":\"");
	buf_adds(bad, iso);
	buf_adds(bad, "\"}\n");
	pthread_mutex_lock(&xlock);
	if (fwrite(bad->p, 1, bad->len, xf) != bad->len)
		fcheck(xf, xfile);
	pthread_mutex_unlock(&xlock);
}

static void
sreject(struct shard *s, struct item *it, const char *why)
{
	atomic_fetch_add(&s->rejected, 1);
	reject(&s->bad, it, why);
}

static const char *
errtext(struct shard *s)
{
	return ddb_strerror(&s->derr, &s->msg);
}

/* --- a shard: its requests --- */

static void ondone(struct http_req *r);

/* A shard is done with an item: the key is free, the item goes back. */
static void
dropitem(struct shard *s, struct item *it)
{
	if (it->haskey &&
	    keyset_get(s->inflight, it->key.p, it->key.len) == it)
		keyset_del(s->inflight, it->key.p, it->key.len);
	if (ring_push(&s->back, it) < 0) {
		buf_free(&it->line);
		buf_free(&it->json);
		buf_free(&it->key);
		free(it);
	}
}

static int
cansend(struct shard *s)
{
	return s->freereqs && !atomic_load(&fatal) &&
	       rate_room(&s->rl, s->busy) &&
	       (!ratemax || rate_delay(&s->rl, now_ns()) == 0);
}

static struct req *
getreq(struct shard *s, const char *op)
{
	struct req *q = s->freereqs;

	s->freereqs = q->next;
	q->inuse = 1;
	s->busy++;
	ddb_req_init(&q->q, s->d, op, ondone, q);
	buf_reset(&q->q.body);
	q->n = 0;
	q->split = -1;
	return q;
}

static void
putreq(struct shard *s, struct req *q)
{
	q->inuse = 0;
	q->next = s->freereqs;
	s->freereqs = q;
	s->busy--;
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
		if (nbind)
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
sendput(struct shard *s, struct item *it)
{
	struct req *q = getreq(s, "PutItem");

	q->it[0] = it;
	q->n = 1;
	q->split = 0;
	putbody(q, it);
	q->epoch = rate_take(&s->rl, 1);
	http_start(s->h, &q->q.http);
}

/* Sends the batch being filled, if it may go now. */
static int
sendbatch(struct shard *s)
{
	struct req *q;
	int i;

	if (!s->npend || !cansend(s))
		return 0;
	q = getreq(s, "BatchWriteItem");
	for (i = 0; i < s->npend; i++) {
		s->pend[i]->pending = 0;
		q->it[i] = s->pend[i];
	}
	q->n = s->npend;
	s->npend = 0;
	s->pendbytes = 0;
	batchbody(q);
	q->epoch = rate_take(&s->rl, q->n);
	http_start(s->h, &q->q.http);
	return 1;
}

/* Takes it on (sent, or in the batch being filled), or returns 0 when it
 * must wait: for the write of its key to end, or for room. */
static int
admit(struct shard *s, struct item *it)
{
	struct item *other;

	if (it->haskey &&
	    (other = keyset_get(s->inflight, it->key.p, it->key.len))) {
		if (other->pending)
			sendbatch(s);
		return 0;
	}
	if (!bflag) {
		if (!cansend(s))
			return 0;
		if (it->haskey)
			keyset_put(s->inflight, it->key.p, it->key.len, it);
		sendput(s, it);
		return 1;
	}
	if ((s->npend == DDB_BATCH_MAX ||
	     s->pendbytes + it->json.len + 64 > DDB_BATCH_BYTES) &&
	    !sendbatch(s))
		return 0;
	it->pending = 1;
	s->pend[s->npend++] = it;
	s->pendbytes += it->json.len + 32;
	if (it->haskey)
		keyset_put(s->inflight, it->key.p, it->key.len, it);
	if (s->npend == DDB_BATCH_MAX)
		sendbatch(s);
	return 1;
}

static void
setfatal(struct shard *s)
{
	int was = 0;

	if (atomic_compare_exchange_strong(&fatal, &was, 1))
		warnx("table %s: %s", table, errtext(s));
}

/* Another attempt of q after its backoff; 0 when it has had them all. */
static int
retry(struct shard *s, struct req *q)
{
	if (atomic_load(&abandon) || atomic_load(&fatal))
		return 0;
	if (http_retry(s->h, &q->q.http) < 0)
		return 0;
	q->epoch = rate_take(&s->rl, q->n);
	return 1;
}

static void
gaveup(struct shard *s, struct req *q, struct item *it)
{
	buf_reset(&s->tmp);
	buf_printf(&s->tmp, "%s (gave up after %d attempt%s)", errtext(s),
		   q->q.http.attempt, q->q.http.attempt == 1 ? "" : "s");
	sreject(s, it, s->tmp.p);
}

/* Puts item i of q alone (a batch split apart goes item by item). */
static void
putalone(struct shard *s, struct req *q, int i)
{
	q->split = i;
	ddb_req_init(&q->q, s->d, "PutItem", ondone, q);
	putbody(q, q->it[i]);
	http_start(s->h, &q->q.http);
}

/* The item put alone is done: on to the next, or q is free. */
static void
nextput(struct shard *s, struct req *q)
{
	dropitem(s, q->it[q->split]);
	q->it[q->split] = NULL;
	if (q->split + 1 < q->n)
		putalone(s, q, q->split + 1);
	else
		putreq(s, q);
}

static void
putdone(struct shard *s, struct req *q, enum ddb_class cls)
{
	struct item *it = q->it[q->split];

	switch (cls) {
	case DDB_DONE:
		atomic_fetch_add(&s->written, 1);
		rate_ok(&s->rl, 1);
		break;
	case DDB_CONDITION:
		if (!cexpr) {
			sreject(s, it, errtext(s));
			break;
		}
		atomic_fetch_add(&s->present, 1);
		rate_ok(&s->rl, 1);
		break;
	case DDB_THROTTLED:
		rate_throttled(&s->rl, q->epoch);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(s, q))
			return;
		gaveup(s, q, it);
		break;
	case DDB_REFUSED:
		sreject(s, it, errtext(s));
		break;
	case DDB_NOTFOUND:
	case DDB_FATAL:
		setfatal(s);
		sreject(s, it, errtext(s));
		break;
	}
	nextput(s, q);
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
batchok(struct shard *s, struct req *q)
{
	struct unproc u;
	int i, k, count;

	memset(&u, 0, sizeof u);
	u.q = q;
	count = ddb_unprocessed(s->uconv, nkeys, table, q->q.http.resp.p,
				q->q.http.resp.len, unprocessed, &u);
	if (count != u.matched)	/* not understood: all of it again */
		memset(u.left, 1, sizeof u.left);
	for (i = k = 0; i < q->n; i++) {
		if (u.left[i]) {
			q->it[k++] = q->it[i];
			continue;
		}
		atomic_fetch_add(&s->written, 1);
		dropitem(s, q->it[i]);
	}
	rate_ok(&s->rl, q->n - k);
	if (!k) {
		putreq(s, q);
		return;
	}
	/* UnprocessedItems: the table is throttled */
	rate_throttled(&s->rl, q->epoch);
	if (k < q->n)
		q->q.http.attempt = 1;	/* progress: back off anew */
	q->n = k;
	batchbody(q);
	if (retry(s, q))
		return;
	s->derr.type[0] = '\0';
	buf_reset(&s->derr.msg);
	buf_adds(&s->derr.msg, "still in BatchWriteItem's UnprocessedItems");
	for (i = 0; i < q->n; i++) {
		gaveup(s, q, q->it[i]);
		dropitem(s, q->it[i]);
	}
	putreq(s, q);
}

static void
batchdone(struct shard *s, struct req *q, enum ddb_class cls)
{
	int i;

	switch (cls) {
	case DDB_DONE:
		batchok(s, q);
		return;
	case DDB_THROTTLED:
		rate_throttled(&s->rl, q->epoch);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(s, q))
			return;
		for (i = 0; i < q->n; i++)
			gaveup(s, q, q->it[i]);
		break;
	case DDB_CONDITION:
	case DDB_REFUSED:
		/* one item spoils the batch: put each alone to know which */
		putalone(s, q, 0);
		return;
	case DDB_NOTFOUND:
	case DDB_FATAL:
		setfatal(s);
		for (i = 0; i < q->n; i++)
			sreject(s, q->it[i], errtext(s));
		break;
	}
	for (i = 0; i < q->n; i++)
		dropitem(s, q->it[i]);
	putreq(s, q);
}

static void
ondone(struct http_req *r)
{
	struct req *q = r->ctx;
	struct shard *s = q->s;
	enum ddb_class cls = ddb_classify(r, &s->derr);

	if (q->split < 0)
		batchdone(s, q, cls);
	else
		putdone(s, q, cls);
}

/* --- a shard: its loop --- */

static int
canpop(struct shard *s)
{
	if (s->blocked || gotsig)
		return 0;
	if (bflag)
		return s->npend < DDB_BATCH_MAX;
	return cansend(s);
}

static void
fill(struct shard *s)
{
	struct item *it;

	s->inwait = 0;
	for (;;) {
		if (s->blocked) {
			if (!admit(s, s->blocked))
				break;
			s->blocked = NULL;
			continue;
		}
		if (!canpop(s))
			break;
		if (!(it = ring_pop(&s->in))) {
			s->inwait = 1;
			break;
		}
		if (!admit(s, it))
			s->blocked = it;
	}
	if (s->npend == DDB_BATCH_MAX || (s->npend && s->inwait))
		sendbatch(s);
}

/* A fatal error or a signal: what is read and not yet sent is not
 * written, and each says so. */
static void
dropunsent(struct shard *s)
{
	struct item *it;

	buf_reset(&s->tmp);
	if (!atomic_load(&fatal))
		buf_adds(&s->tmp, "interrupted: not sent");
	else
		buf_adds(&s->tmp, "not written: stopped by an error that "
			 "stops every write");
	while (s->npend > 0) {
		it = s->pend[--s->npend];
		sreject(s, it, s->tmp.p);
		dropitem(s, it);
	}
	if (s->blocked) {
		sreject(s, s->blocked, s->tmp.p);
		dropitem(s, s->blocked);
		s->blocked = NULL;
	}
	while ((it = ring_pop(&s->in))) {
		sreject(s, it, s->tmp.p);
		dropitem(s, it);
	}
}

/* Past the deadline after a signal: what is still out is reported. */
static void
giveup(struct shard *s)
{
	const char *why = "interrupted: the write was not confirmed";
	struct item *it;
	int i, j;

	for (i = 0; i < s->npend; i++)
		sreject(s, s->pend[i], why);
	s->npend = 0;
	if (s->blocked)
		sreject(s, s->blocked, why);
	s->blocked = NULL;
	while ((it = ring_pop(&s->in)))
		sreject(s, it, why);
	for (i = 0; i < s->nreqs; i++) {
		struct req *q = &s->reqs[i];

		if (!q->inuse)
			continue;
		for (j = q->split < 0 ? 0 : q->split; j < q->n; j++)
			if (q->it[j])
				sreject(s, q->it[j], why);
	}
}

static void
shardloop(struct shard *s)
{
	struct curl_waitfd wfd;
	char drain[64];
	int64_t wait;

	for (;;) {
		if (atomic_load(&abandon)) {
			giveup(s);
			return;
		}
		if (atomic_load(&fatal) || gotsig)
			dropunsent(s);
		fill(s);
		if (!s->busy && !s->npend && !s->blocked &&
		    (atomic_load(&fatal) || gotsig ||
		     (atomic_load(&ineof) && !ring_len(&s->in))))
			return;
		wait = 100;
		if (ratemax && rate_room(&s->rl, s->busy) && s->freereqs) {
			int64_t ns = rate_delay(&s->rl, now_ns());

			if (ns > 0 && ns / 1000000 < wait)
				wait = ns / 1000000 + 1;
		}
		if (s->inwait && canpop(s) && !atomic_load(&ineof)) {
			/* tell the main thread before the last look */
			atomic_store(&s->sleeping, 1);
			if (ring_len(&s->in)) {
				atomic_store(&s->sleeping, 0);
				continue;
			}
			wfd.fd = s->wake[0];
			wfd.events = CURL_WAIT_POLLIN;
			wfd.revents = 0;
			http_run_fds(s->h, (long)wait, &wfd, 1);
			atomic_store(&s->sleeping, 0);
			if (wfd.revents)
				while (read(s->wake[0], drain, sizeof drain) ==
				       (ssize_t)sizeof drain)
					;
		} else {
			http_run(s->h, (long)wait);
		}
	}
}

static void *
shardmain(void *arg)
{
	struct shard *s = arg;

	shardloop(s);
	atomic_store(&s->done, 1);
	return NULL;
}

/* --- the main thread: reading, converting, handing out --- */

static struct item *freeitems;

static struct item *
newitem(const char *line, size_t n, const struct lineio *in)
{
	struct item *it = freeitems;
	int i;

	if (it)
		freeitems = it->next;
	for (i = 0; i < nshards && !it; i++)
		it = ring_pop(&shards[i].back);
	if (!it)
		it = xcalloc(1, sizeof *it);
	buf_reset(&it->line);
	buf_add(&it->line, line, n);
	buf_reset(&it->json);
	buf_reset(&it->key);
	it->input = in->name;
	it->lineno = in->lineno;
	it->haskey = 0;
	it->pending = 0;
	return it;
}

/* --manifest: eventId and fingerprint strings, etlTime and ttl (when
 * there) numbers, as the Shred step writes and compares them. */
static int
manifesttype(const struct item *it, size_t i, struct buf *msg)
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
convert(struct ddb_conv *conv, struct item *it, struct buf *msg)
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
	it->haskey = ddb_key(&it->key, it->json.p, it->at, nkeys) == 0;
	return 0;
}

/* Which shard writes a key: one key, one shard, so its writes stay in
 * input order. */
static int
shardof(const struct item *it)
{
	static unsigned rr;
	uint64_t h;

	if (!it->haskey)
		return (int)(rr++ % (unsigned)nshards);
	h = fnv1a(it->key.p, it->key.len);
	return (int)((h ^ (h >> 32)) % (uint64_t)nshards);
}

static void
wakeup(struct shard *s)
{
	/* the push before must be seen before sleeping is read */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&s->sleeping))
		while (write(s->wake[1], "", 1) < 0 && errno == EINTR)
			;
}

/* Hands it to its shard, waiting while that one is full; 0, or -1 when
 * writing has stopped. */
static int
handout(struct item *it)
{
	struct shard *s = &shards[shardof(it)];
	struct timespec pause = { 0, 100000 };

	while (ring_push(&s->in, it) < 0) {
		wakeup(s);
		if (gotsig || atomic_load(&fatal))
			return -1;
		nanosleep(&pause, NULL);
	}
	wakeup(s);
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

enum { WRITTEN, PRESENT, REJECTED };

static unsigned long long
count(int what)
{
	unsigned long long n = what == REJECTED ? nbadlines : 0;
	int i;

	for (i = 0; i < nshards; i++)
		n += atomic_load(what == WRITTEN ? &shards[i].written :
				 what == PRESENT ? &shards[i].present :
				 &shards[i].rejected);
	return n;
}

static void
progress(int64_t now, int last)
{
	static int64_t lastshow;
	static unsigned long long lastdone;
	unsigned long long done;

	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - lastshow < 1000000000)
		return;
	done = count(WRITTEN) + count(PRESENT);
	fprintf(stderr, "\r%s: %llu read, %llu written, %llu already present, "
		"%llu rejected, %.0f items/s\033[K", err_prog(), nread,
		count(WRITTEN), count(PRESENT), count(REJECTED),
		lastshow ? (double)(done - lastdone) * 1e9 /
		(double)(now - lastshow) : 0.0);
	lastshow = now;
	lastdone = done;
}

static int
readall(struct lineio *in, struct ddb_conv *conv, int showing)
{
	struct buf msg = BUF_INIT, bad = BUF_INIT;
	struct item *it;
	char *line;
	ssize_t n;
	int rc = 0;

	while (!gotsig && !atomic_load(&fatal)) {
		if (showing)
			progress(now_ns(), 0);
		n = lineio_trynext(in, &line);
		if (n == LINEIO_END)
			break;
		if (n == LINEIO_AGAIN) {
			struct pollfd pfd = { lineio_fd(in), POLLIN, 0 };

			poll(&pfd, 1, showing ? 200 : 1000);
			continue;
		}
		if (blank(line, (size_t)n))
			continue;
		nread++;
		it = newitem(line, (size_t)n, in);
		if (in->cut) {
			buf_reset(&msg);
			buf_printf(&msg, "a line of more than %u bytes (kept "
				   "cut to them): no DynamoDB item is that "
				   "long", MAXLINE);
		}
		if (in->cut || convert(conv, it, &msg) < 0) {
			nbadlines++;
			reject(&bad, it, msg.p);
			it->next = freeitems;
			freeitems = it;
			continue;
		}
		if (handout(it) < 0) {
			nbadlines++;
			reject(&bad, it, gotsig ? "interrupted: not sent" :
			       "not written: stopped by an error that stops "
			       "every write");
			rc = -1;
			break;
		}
	}
	buf_free(&msg);
	buf_free(&bad);
	return rc;
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
	int rc;

	sigv4_sha256_hex(body, n, hash);
	pthread_mutex_lock(&signlock);
	rc = aws_auth_sign(ctx, "POST", host, path, NULL, 0, extra, 2, hash,
			  (int64_t)time(NULL), headers, err);
	pthread_mutex_unlock(&signlock);
	return rc;
}

static struct http *
newhttp(int conns)
{
	struct http_opts ho;
	struct buf err = BUF_INIT;

	memset(&ho, 0, sizeof ho);
	ho.conns = conns;
	ho.ca_bundle = aws_auth_conf(auth)->ca_bundle;
	ho.max_attempts = ATTEMPTS;
	ho.base_ms = BASE_MS;
	ho.cap_ms = CAP_MS;
	ho.seed = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32) ^
		  (uint64_t)conns;
	ho.user_agent = "dynaput";
	ho.region = aws_auth_conf(auth)->region;
	if (http_opts_env(&ho, getenv, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
	return http_new(&ho);
}

static struct ddb *
newddb(struct http *h)
{
	const struct aws_conf *conf = aws_auth_conf(auth);
	struct buf url = BUF_INIT, err = BUF_INIT;
	struct ddb_opts o;
	struct ddb *d;

	if (conf->endpoint)
		buf_adds(&url, conf->endpoint);
	else
		aws_conf_default_endpoint(&url, "dynamodb", conf->region);
	memset(&o, 0, sizeof o);
	o.endpoint = url.p;
	o.region = conf->region;
	o.sign = sign;
	o.sign_ctx = auth;
	if (!(d = ddb_new(h, &o, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	buf_free(&url);
	buf_free(&err);
	return d;
}

static enum ddb_class
call(struct ddb *d, const char *op, const char *body, struct buf *resp,
     struct ddb_error *e)
{
	return ddb_call(d, op, body, strlen(body), resp, e);
}

static void
createtable(struct ddb *d, struct ddb_error *e)
{
	struct buf b = BUF_INIT, resp = BUF_INIT, msg = BUF_INIT;

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
	switch (call(d, "CreateTable", b.p, &resp, e)) {
	case DDB_DONE:
		warnx("table %s: created", table);
		break;
	case DDB_REFUSED:
		if (!strcmp(e->type, "ResourceInUseException"))
			break;	/* made meanwhile by someone else */
		/* FALLTHROUGH */
	default:
		diex(EXIT_REMOTE, "table %s: CreateTable: %s", table,
		     ddb_strerror(e, &msg));
	}
	buf_free(&b);
	buf_free(&resp);
	buf_free(&msg);
}

static void
enablettl(struct ddb *d, struct ddb_error *e)
{
	struct buf b = BUF_INIT, resp = BUF_INIT, msg = BUF_INIT;

	buf_adds(&b, "{\"TableName\":");
	jsonw_str(&b, table, strlen(table));
	buf_adds(&b, ",\"TimeToLiveSpecification\":"
		 "{\"AttributeName\":\"ttl\",\"Enabled\":true}}");
	if (call(d, "UpdateTimeToLive", b.p, &resp, e) != DDB_DONE)
		warnx("warning: table %s: TTL on ttl not enabled: %s", table,
		      ddb_strerror(e, &msg));
	buf_free(&b);
	buf_free(&resp);
	buf_free(&msg);
}

static void
describe(struct ddb *d, struct buf *b, struct buf *resp, struct ddb_error *e)
{
	struct buf msg = BUF_INIT;

	if (call(d, "DescribeTable", b->p, resp, e) != DDB_DONE)
		diex(EXIT_REMOTE, "table %s: %s", table,
		     ddb_strerror(e, &msg));
	if (ddb_table_parse(resp->p, resp->len, &tab) < 0)
		diex(EXIT_REMOTE, "table %s: DescribeTable: an answer not "
		     "understood", table);
}

static void
opentable(void)
{
	struct buf b = BUF_INIT, resp = BUF_INIT, msg = BUF_INIT;
	struct ddb_error e = DDB_ERROR_INIT;
	struct timespec pause = { 0, 200000000 };
	struct http *h = newhttp(1);
	struct ddb *d = newddb(h);
	int made = 0, waited = 0;

	buf_adds(&b, "{\"TableName\":");
	jsonw_str(&b, table, strlen(table));
	buf_addc(&b, '}');
	if (call(d, "DescribeTable", b.p, &resp, &e) == DDB_NOTFOUND &&
	    create) {
		createtable(d, &e);
		made = 1;
	} else if (e.cls != DDB_DONE) {
		diex(EXIT_REMOTE, "table %s: %s", table,
		     ddb_strerror(&e, &msg));
	}
	describe(d, &b, &resp, &e);
	while (strcmp(tab.status, "ACTIVE") && strcmp(tab.status, "UPDATING")) {
		if (strcmp(tab.status, "CREATING") ||
		    waited++ > CREATE_WAIT_S * 5)
			diex(EXIT_REMOTE, "table %s: %s", table, tab.status);
		if (gotsig)
			exit(gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM);
		nanosleep(&pause, NULL);
		describe(d, &b, &resp, &e);
	}
	if (made)
		enablettl(d, &e);
	if (manifest && (strcmp(tab.hash, "eventId") ||
			 strcmp(tab.range, "fingerprint")))
		diex(EXIT_USAGE, "table %s: its key is (%s HASH%s%s%s), "
		     "--manifest needs (eventId HASH, fingerprint RANGE)",
		     table, tab.hash, tab.range[0] ? ", " : "", tab.range,
		     tab.range[0] ? " RANGE" : "");
	if (vflag)
		warnx("table %s (%s HASH%s%s%s) at %s, credentials from %s",
		      table, tab.hash, tab.range[0] ? ", " : "", tab.range,
		      tab.range[0] ? " RANGE" : "", ddb_url(d),
		      aws_auth_source(auth));
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&b);
	buf_free(&resp);
	buf_free(&msg);
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
	buf_adds(&prefix, "{\"TableName\":");
	jsonw_str(&prefix, table, strlen(table));
	buf_adds(&prefix, ",\"Item\":");
	if (cexpr) {
		buf_adds(&condtail, ",\"ConditionExpression\":");
		jsonw_str(&condtail, cexpr, strlen(cexpr));
		/* DynamoDB refuses an empty map */
		if (nbind)
			buf_adds(&condtail, ",\"ExpressionAttributeValues\":{");
	}
}

/* As many shards as CPUs, at most one per request in flight. */
static void
startshards(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, j;

	nshards = ncpu < 1 ? 1 : ncpu > MAXSHARDS ? MAXSHARDS : (int)ncpu;
	if (nshards > jobs)
		nshards = (int)jobs;
	shards = xcalloc((size_t)nshards, sizeof *shards);
	for (i = 0; i < nshards; i++) {
		struct shard *s = &shards[i];

		s->nreqs = (int)(jobs / nshards + (i < jobs % nshards));
		s->h = newhttp(s->nreqs);
		s->d = newddb(s->h);
		s->uconv = ddb_conv_new(1, names, nnames);
		s->inflight = keyset_new();
		rate_init(&s->rl, ratemax / nshards, s->nreqs, now_ns());
		s->reqs = xcalloc((size_t)s->nreqs, sizeof *s->reqs);
		for (j = s->nreqs - 1; j >= 0; j--) {
			s->reqs[j].s = s;
			s->reqs[j].next = s->freereqs;
			s->freereqs = &s->reqs[j];
		}
		ring_init(&s->in, QUEUE);
		ring_init(&s->back, QUEUE + (size_t)s->nreqs * DDB_BATCH_MAX +
			  2 * DDB_BATCH_MAX);
		if (pipe(s->wake) < 0 ||
		    fcntl(s->wake[0], F_SETFL, O_NONBLOCK) < 0 ||
		    fcntl(s->wake[1], F_SETFL, O_NONBLOCK) < 0)
			die(EXIT_PARTIAL, "pipe:");
	}
	for (i = 0; i < nshards; i++)
		if ((errno = pthread_create(&shards[i].thread, NULL, shardmain,
					    &shards[i])))
			die(EXIT_PARTIAL, "pthread_create:");
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

/* Waits for the shards; after a signal, DRAIN_S at most, or until a
 * second one. */
static void
joinall(int showing)
{
	struct timespec pause = { 0, 50000000 };
	int64_t deadline = 0;
	int i, done;

	for (;;) {
		done = 1;
		for (i = 0; i < nshards; i++)
			done &= atomic_load(&shards[i].done);
		if (done) {
			for (i = 0; i < nshards; i++)
				pthread_join(shards[i].thread, NULL);
			return;
		}
		if (gotsig && !deadline)
			deadline = now_ns() + (int64_t)DRAIN_S * 1000000000;
		if (gotsig && (nsigs > 1 || now_ns() > deadline))
			atomic_store(&abandon, 1);
		for (i = 0; i < nshards; i++)
			wakeup(&shards[i]);
		if (showing)
			progress(now_ns(), 0);
		nanosleep(&pause, NULL);
	}
}

/* Items a shard never took, as it stopped: none is lost unreported. */
static void
leftovers(void)
{
	struct buf bad = BUF_INIT;
	struct item *it;
	int i;

	for (i = 0; i < nshards; i++)
		while ((it = ring_pop(&shards[i].in))) {
			nbadlines++;
			reject(&bad, it, gotsig ? "interrupted: not sent" :
			       "not written: stopped by an error that stops "
			       "every write");
		}
	buf_free(&bad);
}

static int
finish(int status, int showing)
{
	uint64_t retries = 0;
	int i;

	if (showing)
		progress(0, 1);
	for (i = 0; i < nshards; i++)
		retries += http_retries(shards[i].h);
	if (xf && fshut(xf, xfile))
		status = EXIT_PARTIAL;
	if (count(REJECTED))
		status = EXIT_PARTIAL;
	if (!xf && nshown > SHOWN)
		warnx("%llu more rejected lines not shown (-x FILE keeps them)",
		      nshown - SHOWN);
	fprintf(stderr, "%s: %llu read, %llu written, %llu already present, "
		"%llu rejected, %llu retries\n", err_prog(), nread,
		count(WRITTEN), count(PRESENT), count(REJECTED),
		(unsigned long long)retries);
	if (atomic_load(&fatal))
		status = EXIT_REMOTE;
	if (gotsig)
		status = gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	return status;
}

int
main(int argc, char *argv[])
{
	struct buf err = BUF_INIT;
	struct lineio in;
	struct ddb_conv *conv;
	int status = EXIT_USAGE, showing, i, conns;

	err_setprog(argv[0]);
	options(argc, argv);
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);
	if (xfile && !(xf = fopen(xfile, "w")))
		die(EXIT_USAGE, "%s:", xfile);
	signals();
	if (!(auth = aws_auth_new(&ao, 0, getenv, (int64_t)time(NULL), &err,
				 &status)))
		diex(status, "%s", buf_str(&err));
	opentable();
	setnames();
	conv = ddb_conv_new(typed, names, nnames);
	showing = vflag && isatty(2);
	startshards();
	for (i = conns = 0; i < nshards; i++)
		conns += http_conns(shards[i].h);
	if (vflag && conns < jobs)
		warnx("-j %ld: %d connections at once (ulimit -n %ld)", jobs,
		      conns, http_nofile());
	lineio_open(&in, argc, argv);
	in.maxline = MAXLINE;
	readall(&in, conv, showing);
	atomic_store(&ineof, 1);
	for (i = 0; i < nshards; i++)
		wakeup(&shards[i]);
	joinall(showing);
	leftovers();
	status = finish(in.status, showing);
	lineio_close(&in);
	ddb_conv_free(conv);
	buf_free(&err);
	return status;
}
