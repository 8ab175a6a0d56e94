/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "ddb_get.h"
#include "ddb_item.h"
#include "http.h"
#include "jsonw.h"
#include "keyset.h"
#include "rate.h"
#include "xalloc.h"

#define NOT_SENT "interrupted: not looked up"
#define NOT_READ "not looked up: stopped by an error that stops every read"
#define MAXKEYS 2		/* a DynamoDB key: hash, and range */
/* an answer holds up to 16 MB of items, more in its JSON */
#define RESP_MAX (40u << 20)

enum { WAITING, FOUND, UNPROCESSED };

/* One key of a request, and the items that asked for it. */
struct slot {
	struct ddb_item *head, *tail;
	json_t *found;		/* the table's item, while an answer is read */
	int state;
};

/* One BatchGetItem: its keys, from the batch being filled to the end of
 * its last attempt. */
struct req {
	struct ddb_req q;	/* first: on_done's http_req is the req */
	struct ddb_getter *g;
	struct slot slot[DDB_GET_MAX];
	int n;			/* slots */
	int nlines;		/* items in them */
	int alone;		/* -1: every slot; else the one sent alone */
	unsigned epoch;
	int inflight;
	struct keyset *keys;	/* key text: its slot */
	struct req *next;	/* the free list */
};

struct ddb_getter {
	struct ddb_get_opts o;
	struct http *h;
	struct ddb *d;
	struct rate rl;
	struct req *reqs, *freereqs;
	struct req *fill;	/* the batch being filled */
	int nreqs, busy;
	int flush, closed;
	int fatal;		/* failmsg says why */
	struct ddb_item *freeitems;
	struct buf head, tail;	/* a body, around its keys */
	struct ddb_get_counts c;
	struct buf failmsg;
	struct ddb_error derr;
	struct buf msg, tmp, key, out;
};

static const volatile sig_atomic_t nostop;

static int
stopped(const struct ddb_getter *g)
{
	return *g->o.stop || g->fatal;
}

/* --- items: ending each one once --- */

static void
recycle(struct ddb_getter *g, struct ddb_item *it)
{
	it->next = g->freeitems;
	g->freeitems = it;
}

static void
reject(struct ddb_getter *g, struct ddb_item *it, const char *why)
{
	g->c.rejected++;
	g->o.reject(g->o.ctx, it, why);
}

/* Rejects every item of s, and lets them go. */
static void
reject_slot(struct ddb_getter *g, struct slot *s, const char *why)
{
	struct ddb_item *it, *next;

	for (it = s->head; it; it = next) {
		next = it->next;
		reject(g, it, why);
		recycle(g, it);
	}
	s->head = s->tail = NULL;
}

static void
found_slot(struct ddb_getter *g, struct slot *s, const char *item, size_t n)
{
	struct ddb_item *it, *next;

	for (it = s->head; it; it = next) {
		next = it->next;
		g->c.found++;
		g->o.found(g->o.ctx, it, item, n);
		recycle(g, it);
	}
	s->head = s->tail = NULL;
}

static void
missing_slot(struct ddb_getter *g, struct slot *s)
{
	struct ddb_item *it, *next;

	for (it = s->head; it; it = next) {
		next = it->next;
		g->c.missing++;
		if (g->o.missing)
			g->o.missing(g->o.ctx, it);
		recycle(g, it);
	}
	s->head = s->tail = NULL;
}

static const char *
errtext(struct ddb_getter *g)
{
	return ddb_strerror(&g->derr, &g->msg);
}

/* An answer that stops every read. */
static void
fail(struct ddb_getter *g)
{
	if (g->fatal)
		return;
	buf_printf(&g->failmsg, "table %s: %s", g->o.table, errtext(g));
	g->fatal = 1;
}

/* --- bodies --- */

static void
bodyparts(struct ddb_getter *g)
{
	size_t i;

	buf_adds(&g->head, "{\"RequestItems\":{");
	jsonw_str(&g->head, g->o.table, strlen(g->o.table));
	buf_adds(&g->head, ":{\"Keys\":[");
	buf_addc(&g->tail, ']');
	if (g->o.consistent)
		buf_adds(&g->tail, ",\"ConsistentRead\":true");
	if (g->o.nattrs) {
		/* every name as a placeholder: any spelling, reserved
		 * words (ttl) too */
		buf_adds(&g->tail, ",\"ProjectionExpression\":\"");
		for (i = 0; i < g->o.nkeys + g->o.nattrs; i++)
			buf_printf(&g->tail, "%s#p%zu", i ? "," : "", i);
		buf_adds(&g->tail, "\",\"ExpressionAttributeNames\":{");
		for (i = 0; i < g->o.nkeys + g->o.nattrs; i++) {
			const char *a = i < g->o.nkeys ? g->o.keys[i] :
					g->o.attrs[i - g->o.nkeys];

			buf_printf(&g->tail, "%s\"#p%zu\":", i ? "," : "", i);
			jsonw_str(&g->tail, a, strlen(a));
		}
		buf_addc(&g->tail, '}');
	}
	buf_adds(&g->tail, "}}}");
}

/* The Keys entry of an item: its key attributes alone. */
static void
keyentry(struct ddb_getter *g, struct buf *b, const struct ddb_item *it)
{
	size_t i;

	buf_addc(b, '{');
	for (i = 0; i < g->o.nkeys; i++) {
		if (i)
			buf_addc(b, ',');
		jsonw_str(b, g->o.keys[i], strlen(g->o.keys[i]));
		buf_addc(b, ':');
		buf_add(b, it->json.p + it->at[i].off, it->at[i].len);
	}
	buf_addc(b, '}');
}

/* The first and one past the last slot the request asks for. */
static void
active(const struct req *q, int *lo, int *hi)
{
	*lo = q->alone < 0 ? 0 : q->alone;
	*hi = q->alone < 0 ? q->n : q->alone + 1;
}

static void
body(struct ddb_getter *g, struct req *q)
{
	struct buf *b = &q->q.body;
	int i, lo, hi;

	active(q, &lo, &hi);
	buf_reset(b);
	buf_add(b, g->head.p, g->head.len);
	for (i = lo; i < hi; i++) {
		if (i > lo)
			buf_addc(b, ',');
		keyentry(g, b, q->slot[i].head);
	}
	buf_add(b, g->tail.p, g->tail.len);
}

/* --- plain JSON of an answer's item --- */

/* JSON's number syntax, which a DynamoDB number need not have (".5") */
static int
jsonnum(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

static void
plainnum(struct buf *out, json_t *x)
{
	const char *s = json_string_value(x);

	if (s && jsonnum(s))
		buf_adds(out, s);
	else if (s)
		jsonw_str(out, s, json_string_length(x));
	else
		buf_adds(out, "null");
}

static void
plainval(struct buf *out, json_t *v)
{
	const char *t, *k;
	json_t *x, *y;
	size_t i;

	if (!json_is_object(v) || json_object_size(v) != 1) {
		buf_adds(out, "null");
		return;
	}
	t = json_object_iter_key(json_object_iter(v));
	x = json_object_iter_value(json_object_iter(v));
	if (!strcmp(t, "N")) {
		plainnum(out, x);
	} else if (!strcmp(t, "S") || !strcmp(t, "B")) {
		if (json_is_string(x))
			jsonw_str(out, json_string_value(x),
				  json_string_length(x));
		else
			buf_adds(out, "null");
	} else if (!strcmp(t, "BOOL")) {
		buf_adds(out, json_is_true(x) ? "true" : "false");
	} else if (!strcmp(t, "M") && json_is_object(x)) {
		buf_addc(out, '{');
		i = 0;
		json_object_foreach(x, k, y) {
			if (i++)
				buf_addc(out, ',');
			jsonw_str(out, k, strlen(k));
			buf_addc(out, ':');
			plainval(out, y);
		}
		buf_addc(out, '}');
	} else if (json_is_array(x) && (!strcmp(t, "L") || !strcmp(t, "SS") ||
					!strcmp(t, "NS") || !strcmp(t, "BS"))) {
		buf_addc(out, '[');
		json_array_foreach(x, i, y) {
			if (i)
				buf_addc(out, ',');
			if (*t == 'L')
				plainval(out, y);
			else if (*t == 'N')
				plainnum(out, y);
			else if (json_is_string(y))
				jsonw_str(out, json_string_value(y),
					  json_string_length(y));
			else
				buf_adds(out, "null");
		}
		buf_addc(out, ']');
	} else {
		buf_adds(out, "null");	/* NULL, or what no type is */
	}
}

static int
iskey(const struct ddb_getter *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->o.nkeys; i++)
		if (!strcmp(g->o.keys[i], name))
			return 1;
	return 0;
}

/* The table's item as the found callback gets it, in g->out. */
static void
itemtext(struct ddb_getter *g, json_t *item)
{
	const char *k;
	json_t *v;
	size_t i, n = 0;
	char *s;

	buf_reset(&g->out);
	if (!g->o.plain) {
		s = json_dumps(item, JSON_COMPACT);
		buf_adds(&g->out, s ? s : "{}");
		free(s);
		return;
	}
	buf_addc(&g->out, '{');
	for (i = 0; i < g->o.nkeys; i++) {
		if (!(v = json_object_get(item, g->o.keys[i])))
			continue;
		if (n++)
			buf_addc(&g->out, ',');
		jsonw_str(&g->out, g->o.keys[i], strlen(g->o.keys[i]));
		buf_addc(&g->out, ':');
		plainval(&g->out, v);
	}
	json_object_foreach(item, k, v) {
		if (iskey(g, k))
			continue;
		if (n++)
			buf_addc(&g->out, ',');
		jsonw_str(&g->out, k, strlen(k));
		buf_addc(&g->out, ':');
		plainval(&g->out, v);
	}
	buf_addc(&g->out, '}');
}

/* The ddb_key text of an answer's key attributes, in g->key; -1 when
 * they are not there. */
static int
answerkey(struct ddb_getter *g, json_t *item)
{
	struct ddb_span at[MAXKEYS];
	const char *t;
	json_t *v, *x;
	size_t i;

	buf_reset(&g->tmp);
	buf_reset(&g->key);
	if (!json_is_object(item))
		return -1;
	for (i = 0; i < g->o.nkeys; i++) {
		v = json_object_get(item, g->o.keys[i]);
		if (!json_is_object(v) || json_object_size(v) != 1)
			return -1;
		t = json_object_iter_key(json_object_iter(v));
		x = json_object_iter_value(json_object_iter(v));
		if ((strcmp(t, "S") && strcmp(t, "N") && strcmp(t, "B")) ||
		    !json_is_string(x) ||
		    (*t == 'N' && ddb_num_check(json_string_value(x),
						json_string_length(x),
						&g->msg) < 0))
			return -1;
		/* as ddb_conv_item writes a value: {"S":"..."} */
		at[i].off = g->tmp.len;
		buf_printf(&g->tmp, "{\"%s\":", t);
		jsonw_str(&g->tmp, json_string_value(x),
			  json_string_length(x));
		buf_addc(&g->tmp, '}');
		at[i].len = g->tmp.len - at[i].off;
	}
	return ddb_key(&g->key, g->tmp.p, at, g->o.nkeys);
}

/* --- requests --- */

static void ondone(struct http_req *r);

static int
cansend(struct ddb_getter *g)
{
	return !stopped(g) && rate_room(&g->rl, g->busy) &&
	       (!g->o.rate || rate_delay(&g->rl, clock_ns()) == 0);
}

static int
nactive(const struct req *q)
{
	return q->alone < 0 ? q->n : 1;
}

static void
start(struct ddb_getter *g, struct req *q)
{
	ddb_req_init(&q->q, g->d, "BatchGetItem", ondone, q);
	body(g, q);
	q->epoch = rate_take(&g->rl, nactive(q), g->busy);
	g->c.requests++;
	http_start(g->h, &q->q.http);
}

/* The slots' keys, in q->keys anew (slots moved, or some ended). */
static void
rekey(struct req *q)
{
	int i;

	keyset_free(q->keys);
	q->keys = keyset_new();
	for (i = 0; i < q->n; i++)
		keyset_put(q->keys, q->slot[i].head->key.p,
			   q->slot[i].head->key.len, &q->slot[i]);
}

static struct req *
take(struct ddb_getter *g)
{
	struct req *q = g->freereqs;

	if (!q)
		return NULL;
	g->freereqs = q->next;
	q->n = q->nlines = 0;
	q->alone = -1;
	q->inflight = 0;
	return q;
}

/* q is done with: its slots are empty (each item ended). */
static void
req_done(struct ddb_getter *g, struct req *q)
{
	if (q->inflight)
		g->busy--;
	q->inflight = 0;
	q->n = q->nlines = 0;
	keyset_free(q->keys);
	q->keys = keyset_new();
	q->next = g->freereqs;
	g->freereqs = q;
}

static void
sendreq(struct ddb_getter *g, struct req *q)
{
	q->inflight = 1;
	g->busy++;
	start(g, q);
}

/* Another attempt of q after its backoff; 0 when it has had them all. */
static int
retry(struct ddb_getter *g, struct req *q)
{
	if (stopped(g) || http_retry(g->h, &q->q.http) < 0)
		return 0;
	q->epoch = rate_take(&g->rl, nactive(q), g->busy);
	return 1;
}

static void
throttled(struct ddb_getter *g, struct req *q)
{
	g->c.throttled++;
	rate_throttled(&g->rl, q->epoch, clock_ns());
}

/* Retries ran out: the active slots are rejected with the last error. */
static void
retries_out(struct ddb_getter *g, struct req *q)
{
	int i, lo, hi;

	buf_reset(&g->tmp);
	if (stopped(g))
		buf_adds(&g->tmp, g->fatal ? NOT_READ : NOT_SENT);
	else
		buf_printf(&g->tmp, "%s (gave up after %d attempt%s)",
			   errtext(g), q->q.http.attempt,
			   q->q.http.attempt == 1 ? "" : "s");
	active(q, &lo, &hi);
	for (i = lo; i < hi; i++)
		reject_slot(g, &q->slot[i], g->tmp.p);
}

/* The slot sent alone has ended: on to the next, or q is done. */
static void
next_alone(struct ddb_getter *g, struct req *q)
{
	if (++q->alone < q->n && !stopped(g)) {
		start(g, q);
		return;
	}
	for (; q->alone < q->n; q->alone++)
		reject_slot(g, &q->slot[q->alone], g->fatal ? NOT_READ :
			    NOT_SENT);
	req_done(g, q);
}

/* The active slots have ended, or wait as unprocessed: on with q. */
static void
advance(struct ddb_getter *g, struct req *q)
{
	if (q->alone >= 0)
		next_alone(g, q);
	else
		req_done(g, q);
}

/*
 * Reads a 2xx answer into the slots: FOUND (found set) or UNPROCESSED.
 * -1 when it is not a BatchGetItem answer to q (root is then NULL).
 */
static int
readanswer(struct ddb_getter *g, struct req *q, json_t **root)
{
	const struct http_req *r = &q->q.http;
	json_t *list, *x;
	struct slot *s;
	size_t i;

	*root = json_loadb(r->resp.p ? r->resp.p : "", r->resp.len, 0, NULL);
	if (!json_is_object(*root))
		goto bad;
	list = json_object_get(json_object_get(*root, "Responses"),
			       g->o.table);
	if (list && !json_is_array(list))
		goto bad;
	json_array_foreach(list, i, x) {
		if (answerkey(g, x) < 0 ||
		    !(s = keyset_get(q->keys, g->key.p, g->key.len)))
			goto bad;
		s->found = x;
		s->state = FOUND;
	}
	list = json_object_get(json_object_get(json_object_get(*root,
			"UnprocessedKeys"), g->o.table), "Keys");
	json_array_foreach(list, i, x) {
		if (answerkey(g, x) < 0 ||
		    !(s = keyset_get(q->keys, g->key.p, g->key.len)))
			goto bad;
		if (s->state == WAITING)
			s->state = UNPROCESSED;
	}
	return 0;
bad:
	json_decref(*root);
	*root = NULL;
	return -1;
}

static void
answered(struct ddb_getter *g, struct req *q)
{
	json_t *root;
	int i, k, lo, hi, done = 0;

	active(q, &lo, &hi);
	for (i = lo; i < hi; i++) {
		q->slot[i].state = WAITING;
		q->slot[i].found = NULL;
	}
	if (readanswer(g, q, &root) < 0) {
		g->derr.type[0] = '\0';
		buf_reset(&g->derr.msg);
		buf_adds(&g->derr.msg, "BatchGetItem: an answer not "
			 "understood");
		if (retry(g, q))
			return;
		retries_out(g, q);
		advance(g, q);
		return;
	}
	for (i = lo; i < hi; i++) {
		struct slot *s = &q->slot[i];

		if (s->state == FOUND) {
			itemtext(g, s->found);
			found_slot(g, s, g->out.p, g->out.len);
			done++;
		} else if (s->state == WAITING) {
			missing_slot(g, s);
			done++;
		}
	}
	json_decref(root);
	rate_ok(&g->rl, q->epoch, -1, clock_ns());
	if (done == hi - lo) {
		advance(g, q);
		return;
	}
	/* UnprocessedKeys: the table is throttled */
	throttled(g, q);
	if (q->alone < 0) {
		for (i = k = 0; i < q->n; i++)
			if (q->slot[i].head)
				q->slot[k++] = q->slot[i];
		q->n = k;
		rekey(q);
		body(g, q);
	}
	if (done)
		q->q.http.attempt = 1;	/* progress: back off anew */
	if (retry(g, q))
		return;
	g->derr.type[0] = '\0';
	buf_reset(&g->derr.msg);
	buf_adds(&g->derr.msg, "still in BatchGetItem's UnprocessedKeys");
	retries_out(g, q);
	advance(g, q);
}

static void
ondone(struct http_req *r)
{
	struct req *q = r->ctx;
	struct ddb_getter *g = q->g;
	int lo, hi, i;

	switch (ddb_classify(r, &g->derr)) {
	case DDB_DONE:
		answered(g, q);
		return;
	case DDB_THROTTLED:
		throttled(g, q);
		/* FALLTHROUGH */
	case DDB_TRANSIENT:
		if (retry(g, q))
			return;
		retries_out(g, q);
		break;
	case DDB_CONDITION:
	case DDB_REFUSED:
		if (q->alone < 0 && q->n > 1) {
			/* one key spoils the request: each alone, to know */
			q->alone = 0;
			start(g, q);
			return;
		}
		active(q, &lo, &hi);
		for (i = lo; i < hi; i++)
			reject_slot(g, &q->slot[i], errtext(g));
		break;
	case DDB_NOTFOUND:
	case DDB_FATAL:
	case DDB_STOPPED:
		fail(g);
		active(q, &lo, &hi);
		for (i = lo; i < hi; i++)
			reject_slot(g, &q->slot[i], errtext(g));
		break;
	}
	advance(g, q);
}

/* --- the loop --- */

/* Reading stopped: every item held ends as unfinished. */
static void
drop(struct ddb_getter *g)
{
	const char *why = g->fatal ? NOT_READ : NOT_SENT;
	int i, j;

	for (i = 0; i < g->nreqs; i++) {
		struct req *q = &g->reqs[i];

		if (!q->inflight)
			continue;
		http_cancel(g->h, &q->q.http);
		for (j = 0; j < q->n; j++)
			reject_slot(g, &q->slot[j], why);
		req_done(g, q);
	}
	if (g->fill) {
		for (j = 0; j < g->fill->n; j++)
			reject_slot(g, &g->fill->slot[j], why);
		req_done(g, g->fill);
		g->fill = NULL;
	}
}

static int
full(const struct req *q)
{
	return q->n == DDB_GET_MAX || q->nlines >= DDB_GET_LINES;
}

/* Sends the batch being filled when it is full, or flushed, and may go. */
static void
pump(struct ddb_getter *g)
{
	struct req *q = g->fill;

	if (stopped(g)) {
		drop(g);
		return;
	}
	if (!q || !q->n || !(full(q) || g->flush || g->closed) ||
	    !cansend(g))
		return;
	g->fill = NULL;
	g->flush = 0;
	sendreq(g, q);
}

/* How long the loop may wait, in ms, at most ms. */
static long
waitms(struct ddb_getter *g, long ms)
{
	int64_t ns;

	if (g->o.rate && g->fill && g->fill->n &&
	    rate_room(&g->rl, g->busy)) {
		ns = rate_delay(&g->rl, clock_ns());
		if (ns > 0 && ns / 1000000 < ms)
			ms = (long)(ns / 1000000) + 1;
	}
	return ms;
}

static int
run(struct ddb_getter *g, int fd, long ms)
{
	struct curl_waitfd wfd = { fd, CURL_WAIT_POLLIN, 0 };

	pump(g);
	if (fd >= 0)
		http_run_fds(g->h, waitms(g, ms), &wfd, 1);
	else
		http_run(g->h, waitms(g, ms));
	pump(g);
	return fd >= 0 && wfd.revents;
}

struct ddb_getter *
ddb_get_new(const struct ddb_get_opts *o, struct buf *err)
{
	struct ddb_getter *g = xcalloc(1, sizeof *g);
	struct http_opts ho = *o->http;
	int i, jobs;

	g->o = *o;
	if (!g->o.stop)
		g->o.stop = &nostop;
	if (o->nkeys < 1 || o->nkeys > MAXKEYS) {
		buf_printf(err, "table %s: a key of %zu attributes", o->table,
			   o->nkeys);
		free(g);
		return NULL;
	}
	/* jobs in flight, and one more to fill meanwhile */
	jobs = o->jobs < 1 ? 1 : o->jobs;
	g->nreqs = jobs + 1;
	ho.conns = jobs;
	if (ho.resp_max < RESP_MAX)
		ho.resp_max = RESP_MAX;
	if (!(g->h = http_new(&ho, err)) ||
	    !(g->d = ddb_new(g->h, o->ddb, err))) {
		http_free(g->h);
		free(g);
		return NULL;
	}
	/* reads: a fixed window of -j; only the cap is a bucket */
	rate_init(&g->rl, o->rate, jobs, jobs, clock_ns());
	g->reqs = xcalloc((size_t)g->nreqs, sizeof *g->reqs);
	for (i = g->nreqs - 1; i >= 0; i--) {
		g->reqs[i].g = g;
		g->reqs[i].keys = keyset_new();
		g->reqs[i].next = g->freereqs;
		g->freereqs = &g->reqs[i];
	}
	bodyparts(g);
	return g;
}

struct ddb_item *
ddb_get_item(struct ddb_getter *g)
{
	struct ddb_item *it = g->freeitems;

	if (it)
		g->freeitems = it->next;
	else
		it = ddb_item_new(g->o.nkeys);
	ddb_item_reset(it);
	return it;
}

void
ddb_get_unused(struct ddb_getter *g, struct ddb_item *it)
{
	recycle(g, it);
}

/* Adds it to the batch being filled, which has room. */
static void
add(struct req *q, struct ddb_item *it)
{
	struct slot *s = keyset_get(q->keys, it->key.p, it->key.len);

	if (!s) {
		s = &q->slot[q->n++];
		s->head = s->tail = it;
		s->state = WAITING;
		s->found = NULL;
		keyset_put(q->keys, it->key.p, it->key.len, s);
	} else {
		s->tail->next = it;
		s->tail = it;
	}
	q->nlines++;
}

int
ddb_get_put(struct ddb_getter *g, struct ddb_item *it)
{
	g->c.put++;
	it->next = NULL;
	buf_reset(&it->key);
	if (ddb_key(&it->key, it->json.p, it->at, g->o.nkeys) < 0) {
		reject(g, it, "the item has no key");
		recycle(g, it);
		return 0;
	}
	for (;;) {
		pump(g);
		if (stopped(g)) {
			reject(g, it, g->fatal ? NOT_READ : NOT_SENT);
			recycle(g, it);
			return -1;
		}
		if (!g->fill)
			g->fill = take(g);
		if (g->fill && !full(g->fill))
			break;
		run(g, -1, 50);
	}
	add(g->fill, it);
	if (full(g->fill))
		pump(g);
	return 0;
}

void
ddb_get_flush(struct ddb_getter *g)
{
	if (g->fill && g->fill->n)
		g->flush = 1;
	pump(g);
}

int
ddb_get_poll(struct ddb_getter *g, int fd, long ms)
{
	return run(g, fd, ms);
}

void
ddb_get_close(struct ddb_getter *g)
{
	g->closed = 1;
	pump(g);
}

int
ddb_get_wait(struct ddb_getter *g, long ms)
{
	int64_t end = clock_ns() + (int64_t)ms * 1000000;

	for (;;) {
		pump(g);
		if (!g->busy && (!g->fill || !g->fill->n))
			return 1;
		if (clock_ns() >= end)
			return 0;
		run(g, -1, ms < 50 ? ms : 50);
	}
}

void
ddb_get_counts(const struct ddb_getter *g, struct ddb_get_counts *c)
{
	*c = g->c;
	c->retries = http_retries(g->h);
}

const char *
ddb_get_failed(const struct ddb_getter *g)
{
	return g->fatal ? g->failmsg.p : NULL;
}

void
ddb_get_free(struct ddb_getter *g)
{
	struct ddb_item *it;
	int i, j;

	if (!g)
		return;
	for (i = 0; i < g->nreqs; i++) {
		struct req *q = &g->reqs[i];

		if (q->inflight)
			http_cancel(g->h, &q->q.http);
		for (j = 0; j < q->n; j++)
			while ((it = q->slot[j].head)) {
				q->slot[j].head = it->next;
				ddb_item_free(it);
			}
		ddb_req_free(&q->q);
		keyset_free(q->keys);
	}
	while ((it = g->freeitems)) {
		g->freeitems = it->next;
		ddb_item_free(it);
	}
	free(g->reqs);
	ddb_free(g->d);
	http_free(g->h);
	ddb_error_free(&g->derr);
	buf_free(&g->head);
	buf_free(&g->tail);
	buf_free(&g->failmsg);
	buf_free(&g->msg);
	buf_free(&g->tmp);
	buf_free(&g->key);
	buf_free(&g->out);
	free(g);
}
