/* SPDX-License-Identifier: MIT */
/*
 * dynaput's two engines behind one face, the writer (ddb_writer.h) or
 * --get's getter (ddb_get.h), and the loop that feeds one from lines:
 *
 *	struct ddb_engine *g = ddb_engine_new(&wo, NULL, err);
 *	ddb_engine_feed(g, &feed);	(the lines of feed.in, until a stop)
 *	ddb_engine_close(g);
 *	while (!ddb_engine_wait(g, 50))
 *		...
 *	ddb_engine_counts(g, &c);
 *	ddb_engine_free(g);
 */
#ifndef DDB_ENGINE_H
#define DDB_ENGINE_H

#include <signal.h>

#include "buf.h"
#include "ddb_get.h"
#include "ddb_item.h"
#include "ddb_writer.h"
#include "lineio.h"
#include "rejects.h"

/* Alike for both: done is written (found), other present (missing). */
struct ddb_engine_counts {
	unsigned long long done, other, rejected, unsent, retries, throttled;
	int window;			/* the writer's */
	long long latency_us;		/* the writer's */
};

struct ddb_engine;

/* The writer as w says, or the getter as g says (w NULL); NULL with one
 * line in err when it cannot start. */
struct ddb_engine *ddb_engine_new(const struct ddb_writer_opts *w,
				  const struct ddb_get_opts *g,
				  struct buf *err);
/* The writer, or NULL for the getter. */
struct ddb_writer *ddb_engine_writer(const struct ddb_engine *g);
/* Why every item stopped (ddb_writer_failed, ddb_get_failed), or NULL. */
const char *ddb_engine_failed(const struct ddb_engine *g);
void ddb_engine_counts(const struct ddb_engine *g,
		       struct ddb_engine_counts *c);
void ddb_engine_close(struct ddb_engine *g);
/* 1 once every item has ended, else 0 after ms at most. */
int ddb_engine_wait(struct ddb_engine *g, long ms);
void ddb_engine_free(struct ddb_engine *g);

/* What ddb_engine_feed reads, calls, and counts. */
struct ddb_feed {
	struct lineio *in;		/* its maxline: a longer line is no
					 * item */
	/* the line in it->line made an item: 0, or -1 and why in msg */
	int (*convert)(void *ctx, struct ddb_item *it, struct buf *msg);
	void (*tick)(void *ctx);	/* each turn, and while input waits */
	void *ctx;
	struct rejects *rej;		/* the lines that are no item, and the
					 * writer's left after a stop */
	long wait_ms;			/* a wait for input, at most */
	const volatile sig_atomic_t *stop;	/* signals so far */
	/* counted */
	unsigned long long nread;	/* lines, blank ones not */
	unsigned long long nbad;	/* rejected here, nleft included */
	unsigned long long nleft;	/* read after a stop, never sent */
};

/*
 * Puts the lines of f->in that are not blank, each converted, until the
 * input ends, *f->stop, or the engine fails for every item.  After a
 * stop or that failure, the writer's lines already in the pipe are read
 * for a second at most and rejected as not sent, so that what came in
 * is accounted for.
 */
void ddb_engine_feed(struct ddb_engine *g, struct ddb_feed *f);

#endif
