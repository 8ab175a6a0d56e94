/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "ddb_item.h"
#include "ddb_writer.h"
#include "fnv.h"
#include "http.h"
#include "keyset.h"
#include "rate.h"
#include "ring.h"
#include "xalloc.h"

#define MAXSHARDS 8
#define QUEUE 512		/* items waiting for a shard */
#define WIN0 16			/* the starting window, all shards */

#define NOT_SENT "interrupted: not sent"
#define NOT_WRITTEN "not written: stopped by an error that stops every " \
	"write"
#define NOT_CONFIRMED "interrupted: the write was not confirmed"

/*
 * Three lifetimes, as in curl's hiperfifo.c: the writer (the main
 * thread's side, and what every shard reads), a shard (one thread, its
 * http loop, its requests), a request (one PutItem or BatchWriteItem,
 * and its items).
 */
struct shard;

struct req {
	struct ddb_req q;	/* first: on_done's http_req is the req */
	struct shard *s;
	struct ddb_item *it[DDB_BATCH_MAX];
	int n;
	int alone;		/* -1: a batch; else the item put alone */
	unsigned epoch;
	int inuse;
	struct req *next;	/* the free list */
};

struct shard {
	struct ddb_writer *w;
	pthread_t thread;
	int started;
	struct http *h;
	struct ddb *d;
	struct ddb_conv *uconv;	/* reads UnprocessedItems */
	struct keyset *inflight;	/* keys being written: their item */
	struct rate rl;
	struct req *reqs, *freereqs;
	int nreqs, busy;
	struct ddb_item *blocked;	/* waits for its key, or for room */
	struct ddb_item *pend[DDB_BATCH_MAX];	/* the batch being filled */
	int npend;
	size_t pendbytes;
	struct ring in;		/* items from the main thread */
	struct ring back;	/* ended items, back to it */
	int wake[2];		/* a pipe: the main thread wakes us */
	atomic_int sleeping;
	atomic_int done;	/* the thread has ended */
	int inwait;		/* the ring ran dry */
	_Atomic unsigned long long written, present, rejected, unsent;
	_Atomic unsigned long long throttled;
	atomic_int win;		/* the window, for ddb_writer_counts */
	_Atomic long long lat_us;	/* the last round's latency */
	struct ddb_error derr;
	struct buf msg, tmp;
};

struct ddb_writer {
	struct ddb_writer_opts o;
	struct shard *shards;
	int nshards;
	struct ddb_item *freeitems;	/* the main thread's */
	unsigned rr;			/* shard of items without a key */
	unsigned long long nput;
	atomic_int ineof;		/* every item is handed out */
	atomic_int fatal;		/* stop: failmsg says why */
	atomic_int abandon;		/* past the drain after a stop */
	pthread_mutex_t lock;
	struct buf failmsg;
	int64_t deadline;
	int ended;
};

static const volatile sig_atomic_t nostop;

static int
stopped(const struct ddb_writer *w)
{
	return *w->o.stop || atomic_load(&w->fatal);
}

/* --- items: ending each one once --- */

static void
reject(struct shard *s, struct ddb_item *it, const char *why)
{
	atomic_fetch_add(&s->rejected, 1);
	s->w->o.reject(s->w->o.ctx, it, why);
}

/* An item the writer will not finish: never sent, or sent and not
 * confirmed (past the drain).  The one way such items are reported. */
static void
unfinished(struct shard *s, struct ddb_item *it, int sent)
{
	if (!sent)
		atomic_fetch_add(&s->unsent, 1);
	reject(s, it, sent ? NOT_CONFIRMED :
	       atomic_load(&s->w->fatal) ? NOT_WRITTEN : NOT_SENT);
}

/* A shard is done with it: its key is free, it goes back for reuse. */
static void
release(struct shard *s, struct ddb_item *it)
{
	if (it->haskey &&
	    keyset_get(s->inflight, it->key.p, it->key.len) == it)
		keyset_del(s->inflight, it->key.p, it->key.len);
	if (ring_push(&s->back, it) < 0)
		ddb_item_free(it);
}

static const char *
errtext(struct shard *s)
{
	return ddb_strerror(&s->derr, &s->msg);
}

/* Retries ran out: the item is rejected with the last error. */
static void
retries_out(struct shard *s, struct req *q, struct ddb_item *it)
{
	buf_reset(&s->tmp);
	buf_printf(&s->tmp, "%s (gave up after %d attempt%s)", errtext(s),
		   q->q.http.attempt, q->q.http.attempt == 1 ? "" : "s");
	reject(s, it, s->tmp.p);
}

/* An answer that stops every write. */
static void
fail(struct shard *s)
{
	struct ddb_writer *w = s->w;

	pthread_mutex_lock(&w->lock);
	if (!atomic_load(&w->fatal)) {
		buf_printf(&w->failmsg, "table %s: %s", w->o.table,
			   errtext(s));
		atomic_store(&w->fatal, 1);
	}
	pthread_mutex_unlock(&w->lock);
}

/* --- a shard's requests --- */

static void ondone(struct http_req *r);

static int
cansend(struct shard *s)
{
	/* no more than the connections the descriptors allow: one more
	 * would wait in http for a connection, unseen by the window */
	return s->freereqs && !atomic_load(&s->w->fatal) &&
	       rate_room(&s->rl, s->busy) && s->busy < http_conns(s->h) &&
	       (!s->w->o.rate || rate_delay(&s->rl, clock_ns()) == 0);
}

static struct req *
req_take(struct shard *s, const char *op)
{
	struct req *q = s->freereqs;

	s->freereqs = q->next;
	q->inuse = 1;
	s->busy++;
	ddb_req_init(&q->q, s->d, op, ondone, q);
	buf_reset(&q->q.body);
	q->n = 0;
	q->alone = -1;
	return q;
}

static void
req_done(struct shard *s, struct req *q)
{
	q->inuse = 0;
	q->next = s->freereqs;
	s->freereqs = q;
	s->busy--;
}

static void
putitem_body(struct shard *s, struct req *q, struct ddb_item *it)
{
	ddb_put_body(s->w->o.put, &q->q.body, it->json.p, it->json.len,
		     it->at + s->w->o.nkeys);
}

static void
batch_body(struct shard *s, struct req *q)
{
	int i;

	ddb_batch_begin(&q->q.body, s->w->o.table);
	for (i = 0; i < q->n; i++)
		ddb_batch_add(&q->q.body, q->it[i]->json.p,
			      q->it[i]->json.len);
	ddb_batch_end(&q->q.body);
}

static void
send_putitem(struct shard *s, struct ddb_item *it)
{
	struct req *q = req_take(s, "PutItem");

	q->it[0] = it;
	q->n = 1;
	q->alone = 0;
	putitem_body(s, q, it);
	q->epoch = rate_take(&s->rl, 1, s->busy - 1);
	http_start(s->h, &q->q.http);
}

/* Sends the batch being filled, if it may go now. */
static int
send_batch(struct shard *s)
{
	struct req *q;
	int i;

	if (!s->npend || !cansend(s))
		return 0;
	q = req_take(s, "BatchWriteItem");
	for (i = 0; i < s->npend; i++) {
		s->pend[i]->pending = 0;
		q->it[i] = s->pend[i];
	}
	q->n = s->npend;
	s->npend = 0;
	s->pendbytes = 0;
	batch_body(s, q);
	q->epoch = rate_take(&s->rl, q->n, s->busy - 1);
	http_start(s->h, &q->q.http);
	return 1;
}

/* Takes it on (sent, or in the batch being filled), or returns 0 when it
 * must wait: for the write of its key to end, or for room. */
static int
admit(struct shard *s, struct ddb_item *it)
{
	struct ddb_item *other;

	if (it->haskey &&
	    (other = keyset_get(s->inflight, it->key.p, it->key.len))) {
		if (other->pending)
			send_batch(s);
		return 0;
	}
	if (!s->w->o.batch) {
		if (!cansend(s))
			return 0;
		if (it->haskey)
			keyset_put(s->inflight, it->key.p, it->key.len, it);
		send_putitem(s, it);
		return 1;
	}
	if ((s->npend == DDB_BATCH_MAX ||
	     s->pendbytes + it->json.len + 64 > DDB_BATCH_BYTES) &&
	    !send_batch(s))
		return 0;
	it->pending = 1;
	s->pend[s->npend++] = it;
	s->pendbytes += it->json.len + 32;
	if (it->haskey)
		keyset_put(s->inflight, it->key.p, it->key.len, it);
	if (s->npend == DDB_BATCH_MAX)
		send_batch(s);
	return 1;
}

/* Another attempt of q after its backoff; 0 when it has had them all. */
static int
retry(struct shard *s, struct req *q)
{
	if (atomic_load(&s->w->abandon) || atomic_load(&s->w->fatal))
		return 0;
	if (http_retry(s->h, &q->q.http) < 0)
		return 0;
	q->epoch = rate_take(&s->rl, q->n, s->busy - 1);
	return 1;
}

static void
throttled(struct shard *s, struct req *q)
{
	atomic_fetch_add(&s->throttled, 1);
	rate_throttled(&s->rl, q->epoch, clock_ns());
	atomic_store(&s->win, rate_window(&s->rl));
}

/* An answer that was no throttle: what it took feeds the window. */
static void
answered(struct shard *s, struct req *q)
{
	int64_t us = q->q.http.wait_us;

	rate_ok(&s->rl, q->epoch, us < 0 ? -1 : us * 1000, clock_ns());
	atomic_store(&s->win, rate_window(&s->rl));
	atomic_store(&s->lat_us, (long long)(s->rl.lat / 1000));
}

/* Puts item i of q alone (a batch split apart goes item by item). */
static void
putitem_alone(struct shard *s, struct req *q, int i)
{
	q->alone = i;
	ddb_req_init(&q->q, s->d, "PutItem", ondone, q);
	putitem_body(s, q, q->it[i]);
	http_start(s->h, &q->q.http);
}

/* The item put alone has ended: on to the next, or q is free. */
static void
next_alone(struct shard *s, struct req *q)
{
	release(s, q->it[q->alone]);
	q->it[q->alone] = NULL;
	if (q->alone + 1 < q->n)
		putitem_alone(s, q, q->alone + 1);
	else
		req_done(s, q);
}

static void
putitem_done(struct shard *s, struct req *q, enum ddb_class cls)
{
	struct ddb_item *it = q->it[q->alone];

	switch (cls) {
	case DDB_DONE:
		atomic_fetch_add(&s->written, 1);
		answered(s, q);
		break;
	case DDB_CONDITION:
		if (!s->w->o.put->cond) {
			reject(s, it, errtext(s));
			break;
		}
		atomic_fetch_add(&s->present, 1);
		answered(s, q);
		break;
	case DDB_THROTTLED:
		throttled(s, q);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(s, q))
			return;
		retries_out(s, q, it);
		break;
	case DDB_REFUSED:
		reject(s, it, errtext(s));
		break;
	case DDB_NOTFOUND:
	case DDB_FATAL:
	case DDB_STOPPED:
		fail(s);
		reject(s, it, errtext(s));
		break;
	}
	next_alone(s, q);
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
batch_ok(struct shard *s, struct req *q)
{
	struct unproc u;
	int i, k, count;

	memset(&u, 0, sizeof u);
	u.q = q;
	count = ddb_unprocessed(s->uconv, s->w->o.nkeys, s->w->o.table,
				q->q.http.resp.p, q->q.http.resp.len,
				unprocessed, &u);
	if (count != u.matched)	/* not understood: all of it again */
		memset(u.left, 1, sizeof u.left);
	for (i = k = 0; i < q->n; i++) {
		if (u.left[i]) {
			q->it[k++] = q->it[i];
			continue;
		}
		atomic_fetch_add(&s->written, 1);
		release(s, q->it[i]);
	}
	if (!k) {
		answered(s, q);
		req_done(s, q);
		return;
	}
	/* UnprocessedItems: the table is throttled */
	throttled(s, q);
	if (k < q->n)
		q->q.http.attempt = 1;	/* progress: back off anew */
	q->n = k;
	batch_body(s, q);
	if (retry(s, q))
		return;
	s->derr.type[0] = '\0';
	buf_reset(&s->derr.msg);
	buf_adds(&s->derr.msg, "still in BatchWriteItem's UnprocessedItems");
	for (i = 0; i < q->n; i++) {
		retries_out(s, q, q->it[i]);
		release(s, q->it[i]);
	}
	req_done(s, q);
}

static void
batch_done(struct shard *s, struct req *q, enum ddb_class cls)
{
	int i;

	switch (cls) {
	case DDB_DONE:
		batch_ok(s, q);
		return;
	case DDB_THROTTLED:
		throttled(s, q);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(s, q))
			return;
		for (i = 0; i < q->n; i++)
			retries_out(s, q, q->it[i]);
		break;
	case DDB_CONDITION:
	case DDB_REFUSED:
		/* one item spoils the batch: put each alone to know which */
		putitem_alone(s, q, 0);
		return;
	case DDB_NOTFOUND:
	case DDB_FATAL:
	case DDB_STOPPED:
		fail(s);
		for (i = 0; i < q->n; i++)
			reject(s, q->it[i], errtext(s));
		break;
	}
	for (i = 0; i < q->n; i++)
		release(s, q->it[i]);
	req_done(s, q);
}

static void
ondone(struct http_req *r)
{
	struct req *q = r->ctx;
	struct shard *s = q->s;
	enum ddb_class cls = ddb_classify(r, &s->derr);

	if (q->alone < 0)
		batch_done(s, q, cls);
	else
		putitem_done(s, q, cls);
}

/* --- a shard's loop --- */

static int
canpop(struct shard *s)
{
	if (s->blocked || *s->w->o.stop)
		return 0;
	if (s->w->o.batch)
		return s->npend < DDB_BATCH_MAX;
	return cansend(s);
}

static void
fill(struct shard *s)
{
	struct ddb_item *it;

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
		send_batch(s);
}

/* Writing stopped: every item the shard holds and has not sent ends as
 * unsent; abandoning, so do the requests in flight. */
static void
drop_unsent(struct shard *s, int abandoning)
{
	struct ddb_item *it;
	int i, j;

	while (s->npend > 0) {
		it = s->pend[--s->npend];
		unfinished(s, it, 0);
		release(s, it);
	}
	if (s->blocked) {
		unfinished(s, s->blocked, 0);
		release(s, s->blocked);
		s->blocked = NULL;
	}
	while ((it = ring_pop(&s->in))) {
		unfinished(s, it, 0);
		release(s, it);
	}
	for (i = 0; abandoning && i < s->nreqs; i++) {
		struct req *q = &s->reqs[i];

		if (!q->inuse)
			continue;
		http_cancel(s->h, &q->q.http);
		for (j = q->alone < 0 ? 0 : q->alone; j < q->n; j++)
			if (q->it[j]) {
				unfinished(s, q->it[j], 1);
				release(s, q->it[j]);
			}
		req_done(s, q);
	}
}

/* How long the loop may wait, in ms. */
static long
waitms(struct shard *s)
{
	long wait = 100;
	int64_t ns;

	if (s->w->o.rate && rate_room(&s->rl, s->busy) && s->freereqs) {
		ns = rate_delay(&s->rl, clock_ns());
		if (ns > 0 && ns / 1000000 < wait)
			wait = (long)(ns / 1000000) + 1;
	}
	return wait;
}

/* Waits for the sockets or for the main thread's wake-up. */
static void
sleep_for_items(struct shard *s, long wait)
{
	struct curl_waitfd wfd = { s->wake[0], CURL_WAIT_POLLIN, 0 };
	char drain[64];

	http_run_fds(s->h, wait, &wfd, 1);
	if (wfd.revents)
		while (read(s->wake[0], drain, sizeof drain) ==
		       (ssize_t)sizeof drain)
			;
}

static void
shard_loop(struct shard *s)
{
	struct ddb_writer *w = s->w;

	for (;;) {
		if (atomic_load(&w->abandon)) {
			drop_unsent(s, 1);
			return;
		}
		if (stopped(w))
			drop_unsent(s, 0);
		fill(s);
		if (!s->busy && !s->npend && !s->blocked &&
		    (stopped(w) ||
		     (atomic_load(&w->ineof) && !ring_len(&s->in))))
			return;
		if (s->inwait && canpop(s) && !atomic_load(&w->ineof)) {
			/* tell the main thread before the last look */
			atomic_store(&s->sleeping, 1);
			if (ring_len(&s->in)) {
				atomic_store(&s->sleeping, 0);
				continue;
			}
			sleep_for_items(s, waitms(s));
			atomic_store(&s->sleeping, 0);
		} else {
			/* with the wake-up pipe among the fds: with nothing
			 * running (a --rate's wait) http_run would not wait */
			sleep_for_items(s, waitms(s));
		}
	}
}

static void *
shard_main(void *arg)
{
	struct shard *s = arg;

	shard_loop(s);
	atomic_store(&s->done, 1);
	return NULL;
}

/* --- the main thread's side --- */

static void
wakeup(struct shard *s)
{
	/* the push before must be seen before sleeping is read */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&s->sleeping))
		while (write(s->wake[1], "", 1) < 0 && errno == EINTR)
			;
}

static int
shard_init(struct ddb_writer *w, struct shard *s, int nreqs, struct buf *err)
{
	struct http_opts ho = *w->o.http;
	int j;

	s->w = w;
	s->nreqs = nreqs;
	ho.conns = nreqs;
	ho.seed ^= (uint64_t)(s - w->shards + 1) * 0x9E3779B97F4A7C15ULL;
	if (!(s->h = http_new(&ho, err)) ||
	    !(s->d = ddb_new(s->h, w->o.ddb, err)))
		return -1;
	s->uconv = ddb_conv_new(1, w->o.keys, w->o.nkeys);
	s->inflight = keyset_new();
	rate_init(&s->rl, w->o.rate / w->nshards,
		  (WIN0 + w->nshards - 1) / w->nshards, nreqs, clock_ns());
	atomic_store(&s->win, rate_window(&s->rl));
	s->reqs = xcalloc((size_t)nreqs, sizeof *s->reqs);
	for (j = nreqs - 1; j >= 0; j--) {
		s->reqs[j].s = s;
		s->reqs[j].next = s->freereqs;
		s->freereqs = &s->reqs[j];
	}
	ring_init(&s->in, QUEUE);
	ring_init(&s->back, QUEUE + (size_t)nreqs * DDB_BATCH_MAX +
		  2 * DDB_BATCH_MAX);
	if (pipe(s->wake) < 0 ||
	    fcntl(s->wake[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(s->wake[1], F_SETFL, O_NONBLOCK) < 0) {
		buf_printf(err, "pipe: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct ddb_writer *
ddb_writer_new(const struct ddb_writer_opts *o, struct buf *err)
{
	struct ddb_writer *w = xcalloc(1, sizeof *w);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, jobs = o->jobs < 1 ? 1 : o->jobs;

	w->o = *o;
	if (!w->o.stop)
		w->o.stop = &nostop;
	pthread_mutex_init(&w->lock, NULL);
	w->nshards = o->shards > 0 ? o->shards : ncpu < 1 ? 1 :
		     ncpu > MAXSHARDS ? MAXSHARDS : (int)ncpu;
	if (w->nshards > jobs)
		w->nshards = jobs;
	w->shards = xcalloc((size_t)w->nshards, sizeof *w->shards);
	/* ddb_writer_free closes the wake pipes of the shards that got one */
	for (i = 0; i < w->nshards; i++)
		w->shards[i].wake[0] = w->shards[i].wake[1] = -1;
	for (i = 0; i < w->nshards; i++)
		if (shard_init(w, &w->shards[i], jobs / w->nshards +
			       (i < jobs % w->nshards), err) < 0)
			goto fail;
	for (i = 0; i < w->nshards; i++) {
		if ((errno = pthread_create(&w->shards[i].thread, NULL,
					    shard_main, &w->shards[i]))) {
			buf_printf(err, "pthread_create: %s", strerror(errno));
			goto fail;
		}
		w->shards[i].started = 1;
	}
	return w;
fail:
	atomic_store(&w->ineof, 1);
	atomic_store(&w->abandon, 1);
	while (!ddb_writer_wait(w, 50))
		;
	ddb_writer_free(w);
	return NULL;
}

int
ddb_writer_conns(const struct ddb_writer *w)
{
	int i, n = 0;

	for (i = 0; i < w->nshards; i++)
		n += http_conns(w->shards[i].h);
	return n;
}

struct ddb_item *
ddb_writer_item(struct ddb_writer *w)
{
	struct ddb_item *it = w->freeitems;
	int i;

	if (it)
		w->freeitems = it->next;
	for (i = 0; i < w->nshards && !it; i++)
		it = ring_pop(&w->shards[i].back);
	if (!it)
		it = ddb_item_new(w->o.nattrs);
	ddb_item_reset(it);
	return it;
}

void
ddb_writer_unused(struct ddb_writer *w, struct ddb_item *it)
{
	it->next = w->freeitems;
	w->freeitems = it;
}

/* Which shard writes a key: one key, one shard, so its writes stay in
 * the order put. */
static struct shard *
shard_of(struct ddb_writer *w, const struct ddb_item *it)
{
	uint64_t h;

	if (!it->haskey)
		return &w->shards[w->rr++ % (unsigned)w->nshards];
	h = fnv1a(it->key.p, it->key.len);
	return &w->shards[(h ^ (h >> 32)) % (uint64_t)w->nshards];
}

int
ddb_writer_put(struct ddb_writer *w, struct ddb_item *it)
{
	struct timespec pause = { 0, 50000 };
	struct shard *s;

	w->nput++;
	it->haskey = ddb_key(&it->key, it->json.p, it->at, w->o.nkeys) == 0;
	s = shard_of(w, it);
	while (stopped(w) || ring_push(&s->in, it) < 0) {
		wakeup(s);
		if (stopped(w)) {
			unfinished(s, it, 0);
			ddb_writer_unused(w, it);
			return -1;
		}
		/* full: a shard slower than the input (a cap, throttling)
		 * is waited for longer and longer, up to 2 ms (QUEUE items
		 * last longer than that even at 100,000 a second) */
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 2000000)
			pause.tv_nsec *= 2;
	}
	wakeup(s);
	return 0;
}

void
ddb_writer_close(struct ddb_writer *w)
{
	int i;

	atomic_store(&w->ineof, 1);
	for (i = 0; i < w->nshards; i++)
		wakeup(&w->shards[i]);
}

int
ddb_writer_wait(struct ddb_writer *w, long ms)
{
	struct timespec pause = { 0, 10000000 };
	int64_t end = clock_ns() + (int64_t)ms * 1000000;
	struct ddb_item *it;
	int i, done;

	if (w->ended)
		return 1;
	for (;;) {
		done = 1;
		for (i = 0; i < w->nshards; i++)
			done &= !w->shards[i].started ||
				atomic_load(&w->shards[i].done);
		if (done)
			break;
		if (*w->o.stop && !w->deadline)
			w->deadline = clock_ns() +
				      (int64_t)w->o.drain_s * 1000000000;
		if (*w->o.stop && (*w->o.stop > 1 || clock_ns() > w->deadline))
			atomic_store(&w->abandon, 1);
		for (i = 0; i < w->nshards; i++)
			wakeup(&w->shards[i]);
		if (clock_ns() >= end)
			return 0;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < w->nshards; i++) {
		struct shard *s = &w->shards[i];

		if (s->started)
			pthread_join(s->thread, NULL);
		s->started = 0;
		/* put after the shard had stopped taking items */
		while ((it = ring_pop(&s->in))) {
			unfinished(s, it, 0);
			ddb_writer_unused(w, it);
		}
	}
	w->ended = 1;
	return 1;
}

void
ddb_writer_counts(const struct ddb_writer *w, struct ddb_writer_counts *c)
{
	long long lat;
	int i;

	memset(c, 0, sizeof *c);
	c->put = w->nput;
	for (i = 0; i < w->nshards; i++) {
		struct shard *s = &w->shards[i];

		c->written += atomic_load(&s->written);
		c->present += atomic_load(&s->present);
		c->rejected += atomic_load(&s->rejected);
		c->unsent += atomic_load(&s->unsent);
		c->throttled += atomic_load(&s->throttled);
		c->window += atomic_load(&s->win);
		lat = atomic_load(&s->lat_us);
		if (lat > c->latency_us)
			c->latency_us = lat;
		if (w->ended && s->h)
			c->retries += http_retries(s->h);
	}
}

const char *
ddb_writer_failed(const struct ddb_writer *w)
{
	return atomic_load(&((struct ddb_writer *)w)->fatal) ?
	       w->failmsg.p : NULL;
}

void
ddb_writer_free(struct ddb_writer *w)
{
	struct ddb_item *it;
	int i, j;

	if (!w)
		return;
	while ((it = w->freeitems)) {
		w->freeitems = it->next;
		ddb_item_free(it);
	}
	for (i = 0; i < w->nshards; i++) {
		struct shard *s = &w->shards[i];

		while (s->back.v && (it = ring_pop(&s->back)))
			ddb_item_free(it);
		for (j = 0; j < s->nreqs && s->reqs; j++)
			ddb_req_free(&s->reqs[j].q);
		ring_free(&s->in);
		ring_free(&s->back);
		if (s->wake[0] >= 0)
			close(s->wake[0]);
		if (s->wake[1] >= 0)
			close(s->wake[1]);
		ddb_conv_free(s->uconv);
		keyset_free(s->inflight);
		ddb_free(s->d);
		http_free(s->h);
		ddb_error_free(&s->derr);
		buf_free(&s->msg);
		buf_free(&s->tmp);
		free(s->reqs);
	}
	free(w->shards);
	buf_free(&w->failmsg);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
