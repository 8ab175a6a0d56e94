/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "err.h"
#include "gunzip.h"
#include "xalloc.h"

#define OUTCAP (256 * 1024)

enum {
	ST_START,	/* before the first two bytes */
	ST_PLAIN,	/* not gzip: bytes pass through */
	ST_MEMBER,	/* inside a gzip member */
	ST_BETWEEN,	/* after a member: padding, or the next member */
	ST_ERROR,
};

static const unsigned char magic[2] = { 0x1f, 0x8b };

void
gunzip_init(struct gunzip *g, size_t outcap)
{
	memset(g, 0, sizeof *g);
	g->outcap = outcap ? outcap : OUTCAP;
	g->out = xmalloc(g->outcap);
}

void
gunzip_reset(struct gunzip *g)
{
	g->state = ST_START;
	g->nheld = 0;
	g->in = 0;
	g->err[0] = '\0';
}

static int
fail(struct gunzip *g, const char *why)
{
	snprintf(g->err, sizeof g->err, "gzip: %s", why);
	g->state = ST_ERROR;
	return -1;
}

/* Begins a gzip member: sets up (or resets) the inflater. */
static int
member(struct gunzip *g)
{
	int rc;

	if (!g->zinit) {
		memset(&g->z, 0, sizeof g->z);
		rc = inflateInit2(&g->z, 15 + 16);	/* gzip wrapper only */
		if (rc != Z_OK)
			return fail(g, rc == Z_MEM_ERROR ? "out of memory" :
				    "cannot initialise zlib");
		g->zinit = 1;
	} else if (inflateReset(&g->z) != Z_OK) {
		return fail(g, "cannot reset zlib");
	}
	g->state = ST_MEMBER;
	return 0;
}

/*
 * Inflates from p, n until the input is used up or the member ends;
 * *used says how much was taken.
 */
static int
inflatesome(struct gunzip *g, const unsigned char *p, size_t n, size_t *used,
	    gunzip_emit_fn emit, void *ctx)
{
	size_t have;
	int rc, e;

	g->z.next_in = (unsigned char *)p;
	*used = 0;
	while (n - *used > 0) {
		/* zlib counts in uInt: feed huge inputs in slices */
		g->z.avail_in = n - *used > 1u << 30 ? 1u << 30 :
				(uInt)(n - *used);
		g->z.next_out = g->out;
		g->z.avail_out = (uInt)g->outcap;
		rc = inflate(&g->z, Z_NO_FLUSH);
		*used = (size_t)((const unsigned char *)g->z.next_in - p);
		have = g->outcap - g->z.avail_out;
		if (have && (e = emit(ctx, (const char *)g->out, have)))
			return e;
		switch (rc) {
		case Z_STREAM_END:
			g->state = ST_BETWEEN;
			return 0;
		case Z_OK:
			break;
		case Z_BUF_ERROR:	/* no progress: needs more input */
			if (g->z.avail_in == 0)
				return 0;
			return fail(g, "cannot make progress");
		case Z_MEM_ERROR:
			return fail(g, "out of memory");
		case Z_NEED_DICT:
			return fail(g, "member needs a preset dictionary");
		default:
			return fail(g, g->z.msg ? g->z.msg : "invalid data");
		}
	}
	return 0;
}

int
gunzip_write(struct gunzip *g, const void *buf, size_t n,
	     gunzip_emit_fn emit, void *ctx)
{
	const unsigned char *p = buf;
	size_t used;
	int rc;

	if (g->state == ST_ERROR)
		return -1;
	g->in += n;
	while (n > 0) {
		switch (g->state) {
		case ST_PLAIN:
			return emit(ctx, (const char *)p, n);
		case ST_MEMBER:
			if ((rc = inflatesome(g, p, n, &used, emit, ctx)))
				return rc;
			p += used;
			n -= used;
			break;
		case ST_START:
		case ST_BETWEEN:
			if (g->state == ST_BETWEEN && !g->nheld && *p == 0) {
				p++;	/* padding */
				n--;
				break;
			}
			if (!g->nheld) {
				if (*p != magic[0])
					goto notgzip;
				g->held = *p++;
				g->nheld = 1;
				n--;
				break;
			}
			if (*p != magic[1])
				goto notgzip;
			g->nheld = 0;
			if (member(g) < 0)
				return -1;
			if ((rc = inflatesome(g, magic, 1, &used, emit, ctx)))
				return rc;
			break;
		default:
			return -1;
		}
	}
	return 0;

notgzip:
	if (g->state == ST_BETWEEN)
		return fail(g, "trailing garbage after the compressed data");
	g->state = ST_PLAIN;
	if (g->nheld) {
		g->nheld = 0;
		if ((rc = emit(ctx, (const char *)&g->held, 1)))
			return rc;
	}
	return emit(ctx, (const char *)p, n);
}

int
gunzip_end(struct gunzip *g, gunzip_emit_fn emit, void *ctx)
{
	switch (g->state) {
	case ST_ERROR:
		return -1;
	case ST_MEMBER:
		return fail(g, "unexpected end of data (truncated)");
	case ST_BETWEEN:
		if (g->nheld)
			return fail(g, "trailing garbage after the "
				    "compressed data");
		return 0;
	case ST_START:
		if (g->nheld) {
			g->nheld = 0;
			g->state = ST_PLAIN;
			return emit(ctx, (const char *)&g->held, 1);
		}
		return 0;
	default:
		return 0;
	}
}

const char *
gunzip_error(const struct gunzip *g)
{
	return g->err[0] ? g->err : "gzip: no error";
}

void
gunzip_free(struct gunzip *g)
{
	if (g->zinit)
		inflateEnd(&g->z);
	g->zinit = 0;
	free(g->out);
	g->out = NULL;
}
