/* SPDX-License-Identifier: MIT */
/*
 * Looking items up by key, many at once: BatchGetItem, at most 100 keys
 * a request, opts.jobs requests in flight on one http loop, which the
 * caller drives (one thread: the lookups are light, the waits long).
 *
 *	struct ddb_getter *g = ddb_get_new(&opts, err);
 *	for each line:
 *		it = ddb_get_item(g);		(an empty item)
 *		fill it->line, input, lineno, json and at (the key);
 *		if it is no key: ddb_get_unused(g, it);
 *		else if (ddb_get_put(g, it) < 0): stop reading;
 *		before a wait for input:
 *			ddb_get_flush(g); ddb_get_poll(g, fd, ms);
 *	ddb_get_close(g);			(no more items)
 *	while (!ddb_get_wait(g, 200))
 *		show ddb_get_counts;
 *	ddb_get_counts(g, &c); ddb_get_failed(g); ddb_get_free(g);
 *
 * Every item put ends exactly once, through one of opts' callbacks, in
 * the order the answers come (not the order put):
 *	found		the table holds its key: the table's item with it;
 *	missing		the table does not;
 *	reject		refused by DynamoDB, retries run out, or unfinished
 *			(a stop, or an error that stops every read).
 * So found + missing + rejected = the items put, in every ending.
 *
 * A request holds each key once (DynamoDB refuses a key twice in one
 * BatchGetItem): the items of one key share its answer.  Reads are
 * strongly consistent when opts.consistent is set (what was just
 * written is found).
 *
 * Retries: throttling, 5xx and lost connections, as the http options
 * say; UnprocessedKeys are sent again after a backoff, as throttling is
 * (begun anew when some keys went through).  A request refused as a
 * whole is sent key by key, so only the bad keys are rejected.  The
 * window of requests in flight and the rate (keys a second, under
 * opts.rate) are lib/core/rate's: halved by throttling, climbing back.
 *
 * Stopping.  Once *opts.stop is nonzero, or an answer stops every read
 * (credentials, signature, permission, the table gone), nothing more is
 * sent and the requests in flight are cancelled (a read loses nothing):
 * their items and those not sent are rejected ("interrupted: not looked
 * up", or "not looked up: stopped by an error that stops every read"),
 * ddb_get_put returns -1, and ddb_get_failed says why, for an error.
 */
#ifndef DDB_GET_H
#define DDB_GET_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_item.h"
#include "http.h"

#define DDB_GET_MAX 100		/* keys in one BatchGetItem */
#define DDB_GET_LINES 400	/* items one request holds at most */

/*
 * The callbacks, called from ddb_get_put, ddb_get_poll and ddb_get_wait
 * (the caller's thread); it is valid for the call only.  found's item
 * is the table's, n bytes of JSON (no newline): plain JSON under
 * opts.plain (S a string, N a number, B a base64 string, sets and L
 * arrays, M objects, NULL null), the key's attributes first; else
 * DynamoDB JSON as the answer had it.
 */
typedef void (*ddb_get_found_fn)(void *ctx, const struct ddb_item *it,
				 const char *item, size_t n);
typedef void (*ddb_get_missing_fn)(void *ctx,
				   const struct ddb_item *it);

struct ddb_get_opts {
	const char *table;		/* not copied */
	/* the getter's ddb and http, read by ddb_get_new only; the
	 * http's conns become jobs */
	const struct ddb_opts *ddb;
	const struct http_opts *http;
	const char *const *keys;	/* the key's names, at[0..nkeys);
					 * not copied */
	size_t nkeys;			/* 1 or 2 */
	/* the attributes to read besides the key (a ProjectionExpression,
	 * names of any spelling); nattrs 0: the whole items.  Not copied */
	const char *const *attrs;
	size_t nattrs;
	int consistent;			/* ConsistentRead */
	int plain;			/* found items as plain JSON */
	int jobs;			/* requests in flight at most */
	double rate;			/* keys a second; 0: no cap */
	const volatile sig_atomic_t *stop;	/* NULL: never */
	ddb_get_found_fn found;
	ddb_get_missing_fn missing;	/* NULL: nothing to do */
	ddb_reject_fn reject;
	void *ctx;
};

struct ddb_get_counts {
	unsigned long long put;		/* items handed over */
	unsigned long long found, missing;
	unsigned long long rejected;	/* unfinished ones included */
	unsigned long long requests;	/* BatchGetItem requests sent */
	unsigned long long throttled;	/* answers that throttled us: an
					 * error, or UnprocessedKeys */
	unsigned long long retries;	/* requests sent again */
};

struct ddb_getter;

/* NULL with one line in err when it cannot start. */
struct ddb_getter *ddb_get_new(const struct ddb_get_opts *o, struct buf *err);
/* An empty item to fill (reused: its buffers keep their memory). */
struct ddb_item *ddb_get_item(struct ddb_getter *g);
/* Gives back an item not put. */
void ddb_get_unused(struct ddb_getter *g, struct ddb_item *it);
/*
 * Hands it over, moving the requests on (and waiting while every one is
 * busy); it is then the getter's.  it->at must locate every key
 * attribute.  -1 when reading has stopped: it was rejected as unfinished,
 * and nothing more may be put.
 */
int ddb_get_put(struct ddb_getter *g, struct ddb_item *it);
/* Sends the keys held as soon as it may, without waiting for 100: call
 * it before waiting for more input, so no key waits on a quiet pipe. */
void ddb_get_flush(struct ddb_getter *g);
/*
 * Moves the requests on and waits at most ms for an answer, or for fd
 * (>= 0) to be readable.  Returns 1 when fd is readable, else 0.
 */
int ddb_get_poll(struct ddb_getter *g, int fd, long ms);
/* No more items: what is held is sent. */
void ddb_get_close(struct ddb_getter *g);
/* Moves the requests on for up to ms: 1 once every item has ended,
 * else 0.  After ddb_get_close only. */
int ddb_get_wait(struct ddb_getter *g, long ms);
void ddb_get_counts(const struct ddb_getter *g, struct ddb_get_counts *c);
/* Why reading stopped for every item ("table T: AccessDenied..."), or
 * NULL while it has not. */
const char *ddb_get_failed(const struct ddb_getter *g);
void ddb_get_free(struct ddb_getter *g);

#endif
