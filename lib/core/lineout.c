/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE		/* memrchr, here only */
#include <string.h>

#include "buf.h"
#include "lineout.h"

#define KEEP (1u << 20)		/* held memory kept between objects */

void
lineout_init(struct lineout *o, size_t cap, lineout_put_fn put, void *ctx)
{
	memset(o, 0, sizeof *o);
	o->cap = cap;
	o->put = put;
	o->ctx = ctx;
}

void
lineout_begin(struct lineout *o)
{
	if (o->held.cap > KEEP)
		buf_free(&o->held);
	buf_reset(&o->held);
	o->n = 0;
	o->over = 0;
}

static int
out(struct lineout *o, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	o->n += n;
	o->last = p[n - 1];
	return o->put(o->ctx, p, n);
}

/* The held bytes go out. */
static int
flush(struct lineout *o)
{
	int rc = out(o, o->held.p, o->held.len);

	buf_reset(&o->held);
	return rc;
}

/* The last line end in p: a LF, or a CR after the last LF. */
static const char *
lastend(const char *p, size_t n)
{
	const char *lf = memrchr(p, '\n', n), *cr;
	size_t k = lf ? (size_t)(lf - p) + 1 : 0;

	cr = memrchr(p + k, '\r', n - k);
	return cr ? cr : lf;
}

int
lineout_write(void *ctx, const char *p, size_t n)
{
	struct lineout *o = ctx;
	const char *nl;
	size_t k;
	int rc;

	if (n == 0)
		return 0;
	if ((nl = lastend(p, n))) {
		k = (size_t)(nl - p) + 1;
		if ((rc = flush(o)) || (rc = out(o, p, k)))
			return rc;
		p += k;
		n -= k;
		o->over = 0;
	}
	if (n == 0)
		return 0;
	if (o->over || o->held.len + n > o->cap) {
		o->over = 1;
		if ((rc = flush(o)))
			return rc;
		return out(o, p, n);
	}
	buf_add(&o->held, p, n);
	return 0;
}

int
lineout_end(struct lineout *o)
{
	int rc;

	if ((rc = flush(o)))
		return rc;
	o->over = 0;
	if (o->n && o->last != '\n')
		return out(o, "\n", 1);
	return 0;
}

size_t
lineout_fail(struct lineout *o, struct buf *msg)
{
	size_t n = o->held.len;

	buf_reset(&o->held);
	if (o->over)		/* nothing is held then */
		buf_printf(msg, "; its last line, unfinished and over %zu "
			   "bytes, is cut short", o->cap);
	else if (n)
		buf_printf(msg, "; its last %zu bytes, an unfinished line, "
			   "not written", n);
	o->over = 0;
	if (o->n && o->last != '\n')
		(void)out(o, "\n", 1);
	return n;
}

void
lineout_free(struct lineout *o)
{
	buf_free(&o->held);
}
