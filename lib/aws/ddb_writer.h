/* SPDX-License-Identifier: MIT */
/*
 * The engine that writes items to one table, fast and in order.
 *
 * Items are handed out to shards: a shard is a thread with its own
 * libcurl multi loop (lib/aws/http) keeping its share of the requests
 * in flight.  How many is each shard's window (lib/core/rate): it
 * starts at WIN0 (16) for all shards together and grows, up to the
 * shard's share of opts.jobs, while the answers come as fast as the
 * fastest seen; throttling, or answers well slower, shrink it.  Every
 * item goes to the shard of its key (fnv1a), and an item whose key is
 * being written waits for that write to end, so the writes of one key
 * happen in the order the items were put.
 *
 *	struct ddb_writer *w = ddb_writer_new(&opts, err);
 *	for each line:
 *		it = ddb_writer_item(w);	(an empty item)
 *		fill it->line, input, lineno, json and at;
 *		if it is no item: ddb_writer_unused(w, it);
 *		else if (ddb_writer_put(w, it) < 0): stop reading;
 *	ddb_writer_close(w);			(no more items)
 *	while (!ddb_writer_wait(w, 50))
 *		show ddb_writer_counts;
 *	ddb_writer_counts(w, &c); ddb_writer_failed(w); ddb_writer_free(w);
 *
 * Every item put ends exactly once, as one of:
 *	written		PutItem or BatchWriteItem succeeded;
 *	present		its condition failed (PutItem with a condition);
 *	rejected	through opts.reject: refused by DynamoDB, retries
 *			run out, or unfinished (below).
 * So written + present + rejected = the items put, in every ending.
 *
 * Retries: throttling, 5xx and lost connections, as the http options
 * say.  A BatchWriteItem's UnprocessedItems are sent again as throttled;
 * a batch refused as a whole is put item by item, so only the bad items
 * are rejected.
 *
 * Stopping.  Once *opts.stop is nonzero (a signal), nothing more is
 * sent: what is held and not sent is rejected as unsent ("interrupted:
 * not sent"), and the requests in flight get opts.drain_s seconds to
 * end.  Past that, or once *stop is 2 or more, what is still in flight
 * is rejected ("interrupted: the write was not confirmed").  An answer
 * that stops every write (credentials, signature, permission, the table
 * gone) ends writing at once: ddb_writer_put returns -1, what was not
 * sent is rejected as unsent ("not written: stopped by an error that
 * stops every write"), and ddb_writer_failed says why.
 */
#ifndef DDB_WRITER_H
#define DDB_WRITER_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_item.h"
#include "http.h"

struct ddb_writer_opts {
	const char *table;		/* not copied */
	/* each shard's ddb and http, read by ddb_writer_new only; a
	 * shard's conns are its share of jobs, its seed its own */
	const struct ddb_opts *ddb;
	const struct http_opts *http;
	const struct ddb_put *put;	/* PutItem's body (a condition's
					 * failure is "present"); not
					 * copied */
	int batch;			/* BatchWriteItem, no condition */
	const char *const *keys;	/* the key's names, at[0..nkeys);
					 * not copied */
	size_t nkeys;
	size_t nattrs;			/* spans in each item's at */
	int jobs;			/* requests in flight at most: the
					 * ceiling of the windows */
	int shards;			/* 0: one per CPU, at most 8 */
	double rate;			/* items a second at most; 0: no
					 * cap */
	long drain_s;			/* after a stop: the wait for writes
					 * in flight */
	const volatile sig_atomic_t *stop;	/* signals so far */
	ddb_reject_fn reject;
	void *ctx;
};

struct ddb_writer_counts {
	unsigned long long put;		/* items handed out */
	unsigned long long written, present;
	unsigned long long rejected;	/* unsent ones included */
	unsigned long long unsent;	/* never in a request: a stop */
	unsigned long long throttled;	/* answers that throttled us: an
					 * error, or UnprocessedItems */
	unsigned long long retries;	/* requests sent again; known once
					 * ddb_writer_wait returned 1 */
	int window;			/* requests in flight allowed now */
	long long latency_us;		/* the shards' last mean latency of
					 * an answer, the longest */
};

struct ddb_writer;

/* Starts the shards; NULL with one line in err when it cannot. */
struct ddb_writer *ddb_writer_new(const struct ddb_writer_opts *o,
				  struct buf *err);
/* The connections the shards may have open at once: jobs, or fewer when
 * RLIMIT_NOFILE leaves fewer descriptors (http_conns). */
int ddb_writer_conns(const struct ddb_writer *w);
/* An empty item to fill (reused: its buffers keep their memory). */
struct ddb_item *ddb_writer_item(struct ddb_writer *w);
/* Gives back an item not put (a line that is no item). */
void ddb_writer_unused(struct ddb_writer *w, struct ddb_item *it);
/*
 * Hands it to its shard, waiting while that one is full; it is then the
 * writer's.  -1 when writing has stopped (a stop, or a failure): it was
 * rejected as unsent, and nothing more may be put.
 */
int ddb_writer_put(struct ddb_writer *w, struct ddb_item *it);
/* No more items: the shards end once they have written theirs. */
void ddb_writer_close(struct ddb_writer *w);
/* Waits up to ms for every shard to end: 1 once they have (each item
 * then ended), else 0.  Also after ddb_writer_close only. */
int ddb_writer_wait(struct ddb_writer *w, long ms);
/* A moment's view of the counts; exact once ddb_writer_wait returned 1. */
void ddb_writer_counts(const struct ddb_writer *w,
		       struct ddb_writer_counts *c);
/* Why writing stopped for every item ("table T: AccessDenied..."), or
 * NULL while it has not. */
const char *ddb_writer_failed(const struct ddb_writer *w);
/* After ddb_writer_wait returned 1. */
void ddb_writer_free(struct ddb_writer *w);

#endif
