/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rate.h"
#include "unit.h"

#define S 1000000000LL
#define MS 1000000LL

static void
test_window(void)
{
	struct rate r;
	unsigned t;
	int i;

	rate_init(&r, 0, 8, 64, 0);
	CHECK(rate_window(&r) == 8 && rate_room(&r, 7) && !rate_room(&r, 8),
	      "window %d", rate_window(&r));
	CHECK(rate_delay(&r, 5 * S) == 0, "no cap, no delay");
	/* a full round near the floor doubles it (slow start) */
	for (i = 0; i < 8; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 4; i++)
		rate_ok(&r, t, 5 * MS, 10 * MS);
	CHECK(rate_window(&r) == 16, "doubled: %d", rate_window(&r));
	CHECK(r.round == 1, "round %u", r.round);
	/* answers to the last round's requests count for nothing */
	rate_throttled(&r, t, 11 * MS);
	CHECK(rate_window(&r) == 16, "old round: %d", rate_window(&r));
	/* a round that did not fill the window does not grow it */
	t = rate_take(&r, 1, 0);
	rate_ok(&r, t, 5 * MS, 20 * MS);
	CHECK(rate_window(&r) == 16 && r.round == 2, "unused: %d",
	      rate_window(&r));
	/* a throttled round: cut by half the throttled share, at least a
	 * tenth, and slow start is over */
	for (i = 0; i < 16; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 8; i++) {
		if (i < 4)
			rate_throttled(&r, t, 30 * MS);
		else
			rate_ok(&r, t, 5 * MS, 30 * MS);
	}
	CHECK(rate_window(&r) == 12 && !r.slow, "cut to %d (%g)",
	      rate_window(&r), r.win);
	/* within a second of a throttle: a quarter more a full round */
	for (i = 0; i < 12; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 6; i++)
		rate_ok(&r, t, 5 * MS, 40 * MS);
	CHECK(r.win == 12.25, "plus a quarter: %g", r.win);
	/* later: sqrt(window) a round */
	for (i = 0; i < 12; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 6; i++)
		rate_ok(&r, t, 5 * MS, 2 * S);
	CHECK(rate_window(&r) == 15, "plus sqrt: %g", r.win);
	/* latency far above the floor: one round may be a stall; two in a
	 * row cut in proportion, not below win0 */
	for (i = 0; i < 15; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 8; i++)
		rate_ok(&r, t, 40 * MS, 2 * S);
	CHECK(rate_window(&r) == 15, "one slow round cut to %g", r.win);
	for (i = 0; i < 15; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 8; i++)
		rate_ok(&r, t, 40 * MS, 2 * S);
	CHECK(rate_window(&r) == 8, "latency cut to %g", r.win);
	/* between near and far: it stays */
	for (i = 0; i < 8; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 4; i++)
		rate_ok(&r, t, 8 * MS, 2 * S);
	CHECK(rate_window(&r) == 8, "held at %g", r.win);
	/* the ceiling */
	rate_init(&r, 0, 8, 20, 0);
	for (i = 0; i < 8; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 4; i++)
		rate_ok(&r, t, MS, MS);
	for (i = 0; i < 16; i++)
		t = rate_take(&r, 1, i);
	for (i = 0; i < 8; i++)
		rate_ok(&r, t, MS, 2 * MS);
	CHECK(rate_window(&r) == 20, "ceiling: %d", rate_window(&r));
	/* throttled round after round: down to one */
	for (i = 0; i < 100; i++)
		rate_throttled(&r, rate_take(&r, 1, 0), 3 * MS);
	CHECK(rate_window(&r) == 1, "floor 1: %d", rate_window(&r));
	rate_init(&r, 0, 16, 4, 0);
	CHECK(rate_window(&r) == 4, "win0 cut to the ceiling: %d",
	      rate_window(&r));
}

static void
test_bucket(void)
{
	struct rate r;
	long long t = 0, sent = 0;

	rate_init(&r, 1000, 8, 8, 0);
	/* ten seconds of asking as fast as allowed: about 1000/s */
	for (t = 0; t < 10 * S; t += S / 10000)
		if (rate_delay(&r, t) == 0) {
			rate_take(&r, 1, 0);
			sent++;
		}
	CHECK(sent >= 9900 && sent <= 10100, "sent %lld in 10 s", sent);
	/* a batch of 25 may borrow; the next waits it off */
	rate_init(&r, 100, 8, 8, 0);
	CHECK(rate_delay(&r, 0) == 0, "first");
	rate_take(&r, 25, 0);
	CHECK(rate_delay(&r, 0) > S / 5, "wait %lld",
	      (long long)rate_delay(&r, 0));
	/* throttling leaves the cap alone */
	rate_init(&r, 1000, 8, 8, 0);
	rate_throttled(&r, rate_take(&r, 1, 0), 0);
	CHECK(r.max == 1000, "cap %g", r.max);
}

/*
 * A simulated table: every request is answered after a latency (plus
 * the wait for the server's CPU, when it has a limit), throttled past a
 * capacity (a token bucket of a second's worth), and a throttled one is
 * sent again after the SDKs' backoff, holding its place in the window,
 * as lib/aws/ddb_writer does.  Items are always there to send.
 */
struct ev {
	int64_t t;
	int kind;		/* 0: an answer, 1: a retry is due */
	int shard, ok, attempt;
	unsigned ticket;
	int64_t sent;
};

struct sim {
	/* the table */
	int64_t lat, jit;
	double cap;		/* items/s; 0: none */
	double cpu;		/* answers/s at most; 0: no limit */
	/* the client */
	int nshards, win0, ceiling;
	double ratecap;		/* each shard's */
	int64_t end;
	/* state */
	struct rate r[8];
	int busy[8];
	double tokens;
	int64_t tlast, srvfree;
	struct ev *heap;
	size_t n, cap_heap;
	uint64_t rng;
	/* per second */
	long written[120], thr[120], win[120];
	long nreq, nthr;
};

static uint64_t
simrnd(struct sim *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void
push(struct sim *m, struct ev e)
{
	size_t i;

	if (m->n == m->cap_heap) {
		m->cap_heap = m->cap_heap ? 2 * m->cap_heap : 1024;
		m->heap = realloc(m->heap, m->cap_heap * sizeof *m->heap);
	}
	i = m->n++;
	while (i && m->heap[(i - 1) / 2].t > e.t) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = e;
}

static struct ev
pop(struct sim *m)
{
	struct ev top = m->heap[0], last = m->heap[--m->n];
	size_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= m->n)
			break;
		if (c + 1 < m->n && m->heap[c + 1].t < m->heap[c].t)
			c++;
		if (m->heap[c].t >= last.t)
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->n)
		m->heap[i] = last;
	return top;
}

/* The table takes a request sent at t and schedules its answer. */
static void
serve(struct sim *m, int shard, int attempt, int64_t t)
{
	struct ev e = { 0, 0, shard, 1, attempt, 0, t };
	int64_t start = t;

	e.ticket = rate_take(&m->r[shard], 1, m->busy[shard] - 1);
	if (m->cpu > 0) {
		if (m->srvfree > start)
			start = m->srvfree;
		m->srvfree = start + (int64_t)(S / m->cpu);
		start = m->srvfree;
	}
	if (m->cap > 0) {
		m->tokens += m->cap * (double)(start - m->tlast) / S;
		if (m->tokens > m->cap)
			m->tokens = m->cap;
		m->tlast = start;
		if (m->tokens >= 1)
			m->tokens -= 1;
		else
			e.ok = 0;
	}
	e.t = start + m->lat +
	      (m->jit ? (int64_t)(simrnd(m) % (uint64_t)(2 * m->jit + 1)) -
	       m->jit : 0);
	m->nreq++;
	push(m, e);
}

static void
fill(struct sim *m, int shard, int64_t t)
{
	while (rate_room(&m->r[shard], m->busy[shard]) &&
	       rate_delay(&m->r[shard], t) == 0) {
		m->busy[shard]++;
		serve(m, shard, 1, t);
	}
}

static void
simulate(struct sim *m)
{
	struct ev e;
	int64_t t = 0, ceil;
	int i, sec;

	m->rng = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < m->nshards; i++) {
		rate_init(&m->r[i], m->ratecap, m->win0, m->ceiling, 0);
		fill(m, i, 0);
	}
	/* a tick each ms lets a capped shard send */
	for (i = 0; i < m->end / MS; i++)
		push(m, (struct ev){ i * MS, 2, 0, 0, 0, 0, 0 });
	while (m->n && (e = pop(m)).t < m->end) {
		t = e.t;
		sec = (int)(t / S);
		if (e.kind == 2) {
			for (i = 0; i < m->nshards; i++)
				fill(m, i, t);
			if (t % S == S / 2) {
				m->win[sec] = 0;
				for (i = 0; i < m->nshards; i++)
					m->win[sec] += rate_window(&m->r[i]);
			}
			continue;
		}
		if (e.kind == 1) {
			serve(m, e.shard, e.attempt, t);
			continue;
		}
		if (e.ok) {
			rate_ok(&m->r[e.shard], e.ticket, t - e.sent, t);
			m->written[sec]++;
			m->busy[e.shard]--;
			fill(m, e.shard, t);
			continue;
		}
		m->thr[sec]++;
		m->nthr++;
		rate_throttled(&m->r[e.shard], e.ticket, t);
		ceil = 25 * MS << (e.attempt < 10 ? e.attempt - 1 : 9);
		if (ceil > 20 * S)
			ceil = 20 * S;
		push(m, (struct ev){ t + (int64_t)(simrnd(m) %
				     (uint64_t)(ceil + 1)), 1, e.shard, 0,
				     e.attempt + 1, 0, 0 });
		fill(m, e.shard, t);
	}
	free(m->heap);
	m->heap = NULL;
	m->n = m->cap_heap = 0;
	if (getenv("RATE_SIM"))
		for (i = 0; i < m->end / S; i++)
			fprintf(stderr, "%3d %7ld written %6ld throttled "
				"window %ld\n", i, m->written[i], m->thr[i],
				m->win[i]);
}

/* The least and most written a second over seconds [from, to), and
 * their mean. */
static double
span(const struct sim *m, int from, int to, long *lo, long *hi)
{
	double sum = 0;
	int i;

	*lo = *hi = m->written[from];
	for (i = from; i < to; i++) {
		sum += (double)m->written[i];
		if (m->written[i] < *lo)
			*lo = m->written[i];
		if (m->written[i] > *hi)
			*hi = m->written[i];
	}
	return sum / (to - from);
}

static void
test_sim(void)
{
	struct sim m;
	double mean;
	long lo, hi;

	/* 5 ms, no capacity limit: the window fills it, up to the
	 * ceiling, within the first second */
	memset(&m, 0, sizeof m);
	m.lat = 5 * MS;
	m.jit = MS;
	m.nshards = 2;
	m.win0 = 8;
	m.ceiling = 256;
	m.end = 5 * S;
	simulate(&m);
	mean = span(&m, 1, 5, &lo, &hi);
	CHECK(m.win[1] == 512 && mean > 90000, "5 ms: window %ld, %.0f/s",
	      m.win[1], mean);
	/* a server whose CPU answers 40,000 a second: latency climbs
	 * past that, and the window stays near what fills it */
	memset(&m, 0, sizeof m);
	m.lat = 5 * MS;
	m.jit = MS;
	m.cpu = 40000;
	m.nshards = 2;
	m.win0 = 8;
	m.ceiling = 256;
	m.end = 10 * S;
	simulate(&m);
	mean = span(&m, 2, 10, &lo, &hi);
	CHECK(mean > 0.95 * 40000 && m.win[9] < 2 * 40000 * 0.006,
	      "cpu-bound: %.0f/s, window %ld", mean, m.win[9]);
	/* capacity 40,000 a second */
	memset(&m, 0, sizeof m);
	m.lat = 5 * MS;
	m.jit = MS;
	m.cap = 40000;
	m.nshards = 2;
	m.win0 = 8;
	m.ceiling = 256;
	m.end = 20 * S;
	simulate(&m);
	mean = span(&m, 3, 20, &lo, &hi);
	CHECK(mean > 0.9 * 40000 && (double)m.nthr < 0.05 * m.nreq,
	      "40000: %.0f/s (%ld to %ld), %ld of %ld throttled", mean, lo,
	      hi, m.nthr, m.nreq);
	/* capacity 5,000: within 10%, no second off by 20% */
	memset(&m, 0, sizeof m);
	m.lat = 5 * MS;
	m.jit = MS;
	m.cap = 5000;
	m.nshards = 2;
	m.win0 = 8;
	m.ceiling = 256;
	m.end = 30 * S;
	simulate(&m);
	mean = span(&m, 5, 30, &lo, &hi);
	CHECK(mean > 0.9 * 5000 && lo > 0.8 * 5000 && hi < 1.2 * 5000,
	      "5000: %.0f/s (%ld to %ld), %ld of %ld throttled", mean, lo,
	      hi, m.nthr, m.nreq);
	/* a cap of 1,000 a second holds whatever the capacity */
	memset(&m, 0, sizeof m);
	m.lat = 5 * MS;
	m.jit = MS;
	m.cap = 5000;
	m.ratecap = 500;
	m.nshards = 2;
	m.win0 = 8;
	m.ceiling = 256;
	m.end = 10 * S;
	simulate(&m);
	mean = span(&m, 1, 10, &lo, &hi);
	CHECK(lo >= 950 && hi <= 1050, "--rate 1000: %ld to %ld", lo, hi);
}

int
main(void)
{
	test_window();
	test_bucket();
	test_sim();
	return unit_end("rate");
}
