/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"
#include "xalloc.h"

#define OUTCAP (256 * 1024)
#define SLICE (1u << 30)	/* zlib and libbz2 count in unsigned int */
#define MAGICMAX 10
#define HDRMAX 18		/* a zstd frame header's most */
#define READCAP (1 << 20)	/* decode_fd's reads */
#define RATIOFLOOR (1 << 20)	/* a ratio counts past this much output */

enum {
	ST_START,	/* the first bytes, until they tell the format */
	ST_PLAIN,	/* no known magic: bytes pass through */
	ST_IN,		/* inside a member, stream or frame */
	ST_BETWEEN,	/* after one: padding, or the next one */
	ST_ERROR,
};

enum { F_NONE, F_GZIP, F_BZIP2, F_ZSTD, F_OTHER };

/* magic bytes: a byte, or one of these classes */
#define C19 0x100	/* '1' to '9': bzip2's block size */
#define C5X 0x101	/* 0x50 to 0x5f: zstd's skippable frames */

struct decode {
	int state, fmt;
	unsigned char hdr[HDRMAX];	/* magic (and zstd header) so far */
	size_t nhdr;
	z_stream z;
	int zinit;
	bz_stream bz;
	int bzinit;
	ZSTD_DCtx *zs;
	unsigned char *out;
	size_t outcap;
	char *rbuf;		/* decode_fd's, once it has read */
	unsigned long long nin, nout;	/* this object's, raw and decoded */
	unsigned long long maxout, maxratio;	/* decode_limit's; 0: none */
	char err[128];
};

static const struct magic {
	int fmt;
	const char *what;	/* F_OTHER: what the data is */
	size_t n;
	short b[MAGICMAX];
} magics[] = {
	{ F_GZIP, "gzip", 2, { 0x1f, 0x8b } },
	{ F_BZIP2, "bzip2", 10,		/* and a block, or the end */
	  { 'B', 'Z', 'h', C19, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 } },
	{ F_BZIP2, "bzip2", 10,
	  { 'B', 'Z', 'h', C19, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 } },
	{ F_ZSTD, "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
	{ F_ZSTD, "zstd", 4, { C5X, 0x2a, 0x4d, 0x18 } },
	{ F_OTHER, "xz-compressed data", 6,
	  { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
	{ F_OTHER, "lz4-compressed data", 4, { 0x04, 0x22, 0x4d, 0x18 } },
	{ F_OTHER, "lz4-compressed data", 4, { 0x02, 0x21, 0x4c, 0x18 } },
	{ F_OTHER, "lzop-compressed data", 9,
	  { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a } },
	{ F_OTHER, "lzip-compressed data", 5, { 'L', 'Z', 'I', 'P', 0x01 } },
	{ F_OTHER, "zlib-compressed data", 2, { 0x78, 0x01 } },
	{ F_OTHER, "zlib-compressed data", 2, { 0x78, 0x9c } },
	{ F_OTHER, "zlib-compressed data", 2, { 0x78, 0xda } },
	{ F_OTHER, "snappy-framed data", 10,
	  { 0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y' } },
	{ F_OTHER, "Unix compress (.Z) data", 2, { 0x1f, 0x9d } },
	{ F_OTHER, "a zip archive", 4, { 'P', 'K', 0x03, 0x04 } },
	{ F_OTHER, "a zip archive", 4, { 'P', 'K', 0x05, 0x06 } },
	{ F_OTHER, "a 7z archive", 6, { '7', 'z', 0xbc, 0xaf, 0x27, 0x1c } },
};
#define NMAGICS (sizeof magics / sizeof magics[0])

static const char *const names[] = { "", "gzip", "bzip2", "zstd", "" };

struct decode *
decode_new(size_t outcap)
{
	struct decode *d = xcalloc(1, sizeof *d);

	d->outcap = outcap ? outcap : OUTCAP;
	d->out = xmalloc(d->outcap);
	return d;
}

void
decode_reset(struct decode *d)
{
	if (d->bzinit)
		BZ2_bzDecompressEnd(&d->bz);
	d->bzinit = 0;
	d->state = ST_START;
	d->fmt = F_NONE;
	d->nhdr = 0;
	d->nin = d->nout = 0;
	d->err[0] = '\0';
}

void
decode_limit(struct decode *d, unsigned long long maxout,
	     unsigned long long maxratio)
{
	d->maxout = maxout;
	d->maxratio = maxratio;
}

static int
fail(struct decode *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "gzip: why": the format's name goes in front */
static int
fail(struct decode *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = *names[d->fmt] ? snprintf(d->err, sizeof d->err, "%s: ",
				      names[d->fmt]) : 0;
	va_start(ap, fmt);
	vsnprintf(d->err + n, sizeof d->err - (size_t)n, fmt, ap);
	va_end(ap);
	d->state = ST_ERROR;
	return -1;
}

/* n decoded bytes to emit, unless they pass one of decode_limit's */
static int
give(struct decode *d, const void *p, size_t n, decode_emit_fn emit,
     void *ctx)
{
	d->nout += n;
	if (d->maxout && d->nout > d->maxout)
		return fail(d, "over %llu bytes decoded (the limit)",
			    d->maxout);
	if (d->maxratio && d->nout > RATIOFLOOR &&
	    d->nout / d->maxratio > d->nin)
		return fail(d, "over %llu times as many bytes decoded as "
			    "read (the limit)", d->maxratio);
	return emit(ctx, p, n);
}

/* Begins a member, stream or frame of d->fmt. */
static int
begin(struct decode *d)
{
	int rc;

	switch (d->fmt) {
	case F_GZIP:
		if (!d->zinit) {
			memset(&d->z, 0, sizeof d->z);
			rc = inflateInit2(&d->z, 15 + 16);	/* gzip only */
			if (rc != Z_OK)
				return fail(d, "cannot initialise zlib (%d)",
					    rc);
			d->zinit = 1;
		} else if (inflateReset(&d->z) != Z_OK) {
			return fail(d, "cannot reset zlib");
		}
		break;
	case F_BZIP2:
		if (d->bzinit)
			BZ2_bzDecompressEnd(&d->bz);
		memset(&d->bz, 0, sizeof d->bz);
		if ((rc = BZ2_bzDecompressInit(&d->bz, 0, 0)) != BZ_OK) {
			d->bzinit = 0;
			return fail(d, "cannot initialise libbz2 (%d)", rc);
		}
		d->bzinit = 1;
		break;
	case F_ZSTD:
		/* afresh: libzstd keeps the buffers earlier frames needed,
		 * and how a bad frame fails depends on their size.  A new
		 * context costs ~14 us: 2x the time for frames of 5 KB,
		 * nothing for the usual one frame an object */
		ZSTD_freeDCtx(d->zs);
		if (!(d->zs = ZSTD_createDCtx()))
			return fail(d, "out of memory");
		break;
	}
	d->state = ST_IN;
	return 0;
}

/*
 * Decodes from p, n until the input is used up or the member ends; *used
 * says how much was taken.
 */
static int
gzfeed(struct decode *d, const unsigned char *p, size_t n, size_t *used,
       decode_emit_fn emit, void *ctx)
{
	size_t have;
	int rc, e;

	d->z.next_in = (unsigned char *)p;
	*used = 0;
	for (;;) {
		d->z.avail_in = n - *used > SLICE ? SLICE : (uInt)(n - *used);
		d->z.next_out = d->out;
		d->z.avail_out = (uInt)d->outcap;
		rc = inflate(&d->z, Z_NO_FLUSH);
		*used = (size_t)((const unsigned char *)d->z.next_in - p);
		have = d->outcap - d->z.avail_out;
		if (have && (e = give(d, d->out, have, emit, ctx)))
			return e;
		switch (rc) {
		case Z_STREAM_END:
			d->state = ST_BETWEEN;
			return 0;
		case Z_OK:
			break;
		case Z_BUF_ERROR:	/* no progress: needs more input */
			if (d->z.avail_in == 0)
				return 0;
			return fail(d, "cannot make progress");
		case Z_MEM_ERROR:
			return fail(d, "out of memory");
		case Z_NEED_DICT:
			return fail(d, "member needs a preset dictionary");
		default:
			return fail(d, "%s", d->z.msg ? d->z.msg :
				    "invalid data");
		}
		if (*used == n && d->z.avail_out > 0)
			return 0;	/* all taken, all given out */
	}
}

static int
bzfeed(struct decode *d, const unsigned char *p, size_t n, size_t *used,
       decode_emit_fn emit, void *ctx)
{
	size_t have;
	int rc, e;

	d->bz.next_in = (char *)p;
	*used = 0;
	for (;;) {
		d->bz.avail_in = n - *used > SLICE ? SLICE :
				 (unsigned)(n - *used);
		d->bz.next_out = (char *)d->out;
		d->bz.avail_out = (unsigned)d->outcap;
		rc = BZ2_bzDecompress(&d->bz);
		*used = (size_t)((const unsigned char *)d->bz.next_in - p);
		have = d->outcap - d->bz.avail_out;
		if (have && (e = give(d, d->out, have, emit, ctx)))
			return e;
		switch (rc) {
		case BZ_STREAM_END:
			BZ2_bzDecompressEnd(&d->bz);
			d->bzinit = 0;
			d->state = ST_BETWEEN;
			return 0;
		case BZ_OK:
			break;
		case BZ_DATA_ERROR:
			return fail(d, "data integrity error");
		case BZ_DATA_ERROR_MAGIC:
			return fail(d, "not bzip2 data");
		case BZ_MEM_ERROR:
			return fail(d, "out of memory");
		default:
			return fail(d, "libbz2 error %d", rc);
		}
		if (*used == n && d->bz.avail_out > 0)
			return 0;	/* all taken, all given out */
	}
}

static int
zsfeed(struct decode *d, const unsigned char *p, size_t n, size_t *used,
       decode_emit_fn emit, void *ctx)
{
	ZSTD_inBuffer in = { p, n, 0 };
	ZSTD_outBuffer out;
	size_t rc;
	int e;

	for (;;) {
		out = (ZSTD_outBuffer){ d->out, d->outcap, 0 };
		rc = ZSTD_decompressStream(d->zs, &out, &in);
		*used = in.pos;
		if (ZSTD_isError(rc))
			return fail(d, "%s", ZSTD_getErrorName(rc));
		if (out.pos && (e = give(d, d->out, out.pos, emit, ctx)))
			return e;
		if (rc == 0) {		/* the frame is done and given out */
			d->state = ST_BETWEEN;
			return 0;
		}
		if (in.pos == in.size && out.pos < out.size)
			return 0;
	}
}

static int
feed(struct decode *d, const unsigned char *p, size_t n, size_t *used,
     decode_emit_fn emit, void *ctx)
{
	switch (d->fmt) {
	case F_GZIP:
		return gzfeed(d, p, n, used, emit, ctx);
	case F_BZIP2:
		return bzfeed(d, p, n, used, emit, ctx);
	default:
		return zsfeed(d, p, n, used, emit, ctx);
	}
}

static int
bytematch(short want, unsigned char c)
{
	if (want == C19)
		return c >= '1' && c <= '9';
	if (want == C5X)
		return (c & 0xf0) == 0x50;
	return want == c;
}

/*
 * What d->hdr says: a magic it holds whole, or NULL with *maybe set when
 * it may still become one.  Between members only d->fmt's own count.
 */
static const struct magic *
sniff(const struct decode *d, int *maybe)
{
	const struct magic *m;
	size_t i;

	*maybe = 0;
	for (m = magics; m < magics + NMAGICS; m++) {
		if (d->state == ST_BETWEEN && m->fmt != d->fmt)
			continue;
		for (i = 0; i < d->nhdr && i < m->n; i++)
			if (!bytematch(m->b[i], d->hdr[i]))
				break;
		if (i == m->n)
			return m;
		if (i == d->nhdr)
			*maybe = 1;
	}
	return NULL;
}

/*
 * How many bytes a zstd frame's header takes (RFC 8878, 3.1), as far as
 * the n held tell: libzstd is handed a frame's header whole, in one call,
 * since the single-pass shortcut of libzstd 1.5 reads a frame from the
 * start of the call that completes its header, wherever that is.
 */
static size_t
zsheader(const unsigned char *h, size_t n)
{
	static const unsigned char did[4] = { 0, 1, 2, 4 };
	unsigned fhd, single, fcs;

	if ((h[0] & 0xf0) == 0x50)	/* skippable: magic, size */
		return 8;
	if (n < 5)
		return 5;
	fhd = h[4];
	single = fhd >> 5 & 1;
	fcs = fhd >> 6;
	return 5 + !single + did[fhd & 3] +
	       (fcs ? 1u << fcs : single);
}

static int run(struct decode *d, const unsigned char *p, size_t n,
	       decode_emit_fn emit, void *ctx);

/* The magic bytes are in: begins that format and decodes them. */
static int
start(struct decode *d, const struct magic *m, decode_emit_fn emit,
      void *ctx)
{
	unsigned char h[HDRMAX];
	size_t k = d->nhdr;

	if (m->fmt == F_OTHER)
		return fail(d, "%s: not read (gzip, bzip2 and zstd are)",
			    m->what);
	memcpy(h, d->hdr, k);
	d->nhdr = 0;
	d->fmt = m->fmt;
	if (begin(d) < 0)
		return -1;
	return run(d, h, k, emit, ctx);
}

/* No magic: the bytes held so far, then the rest, as they are. */
static int
plain(struct decode *d, const unsigned char *p, size_t n,
      decode_emit_fn emit, void *ctx)
{
	int rc;

	d->state = ST_PLAIN;
	if (d->nhdr) {
		rc = give(d, d->hdr, d->nhdr, emit, ctx);
		d->nhdr = 0;
		if (rc)
			return rc;
	}
	return n ? give(d, p, n, emit, ctx) : 0;
}

static int
run(struct decode *d, const unsigned char *p, size_t n, decode_emit_fn emit,
    void *ctx)
{
	const struct magic *m;
	size_t used;
	int rc, maybe;

	while (n > 0) {
		switch (d->state) {
		case ST_PLAIN:
			return give(d, p, n, emit, ctx);
		case ST_IN:
			if ((rc = feed(d, p, n, &used, emit, ctx)))
				return rc;
			p += used;
			n -= used;
			break;
		case ST_START:
		case ST_BETWEEN:
			if (d->state == ST_BETWEEN && d->fmt == F_GZIP &&
			    !d->nhdr && *p == 0) {
				p++;	/* padding */
				n--;
				break;
			}
			d->hdr[d->nhdr++] = *p++;
			n--;
			if ((m = sniff(d, &maybe))) {
				if (m->fmt == F_ZSTD &&
				    d->nhdr < zsheader(d->hdr, d->nhdr))
					break;	/* the header, whole */
				if ((rc = start(d, m, emit, ctx)))
					return rc;
			} else if (maybe) {
				break;
			} else if (d->state == ST_BETWEEN) {
				return fail(d, "trailing garbage after the "
					    "compressed data");
			} else {
				return plain(d, p, n, emit, ctx);
			}
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
decode_write(struct decode *d, const void *p, size_t n, decode_emit_fn emit,
	     void *ctx)
{
	if (d->state == ST_ERROR)
		return -1;
	d->nin += n;
	return run(d, p, n, emit, ctx);
}

int
decode_end(struct decode *d, decode_emit_fn emit, void *ctx)
{
	const struct magic *m;
	int maybe;

	if ((d->state == ST_START || d->state == ST_BETWEEN) && d->nhdr &&
	    (m = sniff(d, &maybe))) {	/* a zstd header, cut */
		d->fmt = m->fmt;
		return fail(d, "unexpected end of data (truncated)");
	}
	switch (d->state) {
	case ST_ERROR:
		return -1;
	case ST_IN:
		return fail(d, "unexpected end of data (truncated)");
	case ST_BETWEEN:
		if (d->nhdr)
			return fail(d, "trailing garbage after the "
				    "compressed data");
		return 0;
	case ST_START:
		return plain(d, NULL, 0, emit, ctx);
	default:
		return 0;
	}
}

int
decode_fd(struct decode *d, int fd, const volatile sig_atomic_t *stop,
	  unsigned long long *nread, decode_emit_fn emit, void *ctx)
{
	ssize_t n;
	int rc = 0;

	if (!d->rbuf)
		d->rbuf = xmalloc(READCAP);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (rc == 0) {
		if (stop && *stop)
			return DECODE_STOPPED;
		if ((n = read(fd, d->rbuf, READCAP)) == 0)
			return decode_end(d, emit, ctx);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(d->err, sizeof d->err, "read error: %s",
				 strerror(errno));
			d->state = ST_ERROR;
			return -1;
		}
		*nread += (unsigned long long)n;
		rc = decode_write(d, d->rbuf, (size_t)n, emit, ctx);
	}
	return rc;
}

const char *
decode_error(const struct decode *d)
{
	return d->err[0] ? d->err : "no error";
}

void
decode_free(struct decode *d)
{
	if (!d)
		return;
	if (d->zinit)
		inflateEnd(&d->z);
	if (d->bzinit)
		BZ2_bzDecompressEnd(&d->bz);
	ZSTD_freeDCtx(d->zs);
	free(d->out);
	free(d->rbuf);
	free(d);
}
