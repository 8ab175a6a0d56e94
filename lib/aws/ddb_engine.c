/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <stdlib.h>

#include "buf.h"
#include "clock.h"
#include "ddb_engine.h"
#include "xalloc.h"

struct ddb_engine {
	struct ddb_writer *w;		/* one of the two */
	struct ddb_getter *g;
};

struct ddb_engine *
ddb_engine_new(const struct ddb_writer_opts *w, const struct ddb_get_opts *g,
	       struct buf *err)
{
	struct ddb_engine *e = xcalloc(1, sizeof *e);

	if (w ? !(e->w = ddb_writer_new(w, err)) :
	    !(e->g = ddb_get_new(g, err))) {
		free(e);
		return NULL;
	}
	return e;
}

struct ddb_writer *
ddb_engine_writer(const struct ddb_engine *g)
{
	return g->w;
}

const char *
ddb_engine_failed(const struct ddb_engine *g)
{
	return g->g ? ddb_get_failed(g->g) : ddb_writer_failed(g->w);
}

void
ddb_engine_counts(const struct ddb_engine *g, struct ddb_engine_counts *c)
{
	struct ddb_writer_counts w;
	struct ddb_get_counts r;

	if (g->g) {
		ddb_get_counts(g->g, &r);
		*c = (struct ddb_engine_counts){ r.found, r.missing,
			r.rejected, 0, r.retries, r.throttled, 0, 0 };
	} else {
		ddb_writer_counts(g->w, &w);
		*c = (struct ddb_engine_counts){ w.written, w.present,
			w.rejected, w.unsent, w.retries, w.throttled,
			w.window, w.latency_us };
	}
}

void
ddb_engine_close(struct ddb_engine *g)
{
	if (g->g)
		ddb_get_close(g->g);
	else
		ddb_writer_close(g->w);
}

int
ddb_engine_wait(struct ddb_engine *g, long ms)
{
	return g->g ? ddb_get_wait(g->g, ms) : ddb_writer_wait(g->w, ms);
}

void
ddb_engine_free(struct ddb_engine *g)
{
	if (!g)
		return;
	ddb_writer_free(g->w);
	ddb_get_free(g->g);
	free(g);
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

/* The next line that is not blank, or LINEIO_AGAIN, or LINEIO_END. */
static ssize_t
nextline(struct ddb_feed *f, char **line)
{
	ssize_t n;

	while ((n = lineio_trynext(f->in, line)) >= 0 &&
	       blank(*line, (size_t)n))
		;
	if (n >= 0)
		f->nread++;
	return n;
}

static void
leftover(struct ddb_feed *f, const char *why)
{
	int64_t end = clock_ns() + 1000000000LL;
	char *p;
	ssize_t n;

	while (clock_ns() < end && (n = nextline(f, &p)) != LINEIO_END) {
		if (n == LINEIO_AGAIN) {
			struct pollfd pfd = { lineio_fd(f->in), POLLIN, 0 };

			poll(&pfd, 1, 100);
			continue;
		}
		f->nleft++;
		f->nbad++;
		rejects_add(f->rej, f->in->name, f->in->lineno, p, (size_t)n,
			    why);
	}
}

/* Waits for input, moving the lookups on meanwhile. */
static void
waitinput(struct ddb_engine *g, struct ddb_feed *f)
{
	struct pollfd pfd = { lineio_fd(f->in), POLLIN, 0 };

	if (g->g) {
		ddb_get_flush(g->g);
		ddb_get_poll(g->g, lineio_fd(f->in), f->wait_ms);
	} else {
		poll(&pfd, 1, (int)f->wait_ms);
	}
}

/* one line into an item: put, or rejected here; -1 once none may be */
static int
feedline(struct ddb_engine *g, struct ddb_feed *f, const char *line,
	 size_t n, struct buf *msg)
{
	struct ddb_item *it = g->g ? ddb_get_item(g->g) :
			      ddb_writer_item(g->w);

	buf_add(&it->line, line, n);
	it->input = f->in->name;
	it->lineno = f->in->lineno;
	if (f->in->cut) {
		buf_reset(msg);
		buf_printf(msg, "a line of more than %zu bytes (kept cut to "
			   "them): no DynamoDB item is that long",
			   f->in->maxline);
	}
	if (f->in->cut || f->convert(f->ctx, it, msg) < 0) {
		f->nbad++;
		rejects_add(f->rej, it->input, it->lineno, it->line.p,
			    it->line.len, buf_str(msg));
		if (g->g)
			ddb_get_unused(g->g, it);
		else
			ddb_writer_unused(g->w, it);
		return 0;
	}
	return g->g ? ddb_get_put(g->g, it) : ddb_writer_put(g->w, it);
}

void
ddb_engine_feed(struct ddb_engine *g, struct ddb_feed *f)
{
	struct buf msg = BUF_INIT;
	char *line;
	ssize_t n;

	while (!*f->stop && !ddb_engine_failed(g)) {
		if (f->tick)
			f->tick(f->ctx);
		if ((n = nextline(f, &line)) == LINEIO_END)
			break;
		if (n == LINEIO_AGAIN)
			waitinput(g, f);
		else if (feedline(g, f, line, (size_t)n, &msg) < 0)
			break;
	}
	if (g->w && (*f->stop || ddb_engine_failed(g)))
		leftover(f, *f->stop ? "interrupted: not sent" :
			 "not written: stopped by an error that stops every "
			 "write");
	buf_free(&msg);
}
