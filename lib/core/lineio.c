/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "fshut.h"
#include "lineio.h"

/* Large reads: fewer system calls on multi-gigabyte inputs. */
#define CHUNK (256 * 1024)

void
lineio_open(struct lineio *r, int argc, char **argv)
{
	static char *dash[] = { "-", NULL };

	memset(r, 0, sizeof *r);
	r->fd = -1;
	if (argc > 0) {
		r->names = argv;
		r->n = argc;
	} else {
		r->names = dash;
		r->n = 1;
	}
}

static int
nextfile(struct lineio *r)
{
	struct stat st;

	while (r->i < r->n) {
		r->name = r->names[r->i++];
		r->lineno = 0;
		r->eof = 0;
		if (strcmp(r->name, "-") == 0) {
			r->fd = 0;
		} else if ((r->fd = open(r->name, O_RDONLY | O_CLOEXEC)) < 0) {
			warn("%s:", r->name);
			r->status = EXIT_PARTIAL;
			continue;
		}
		r->waitable = fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode);
		if (!r->waitable)
			posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		return 0;
	}
	return -1;
}

static void
endfile(struct lineio *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	buf_reset(&r->b);
	r->pos = r->scanned = 0;
	r->skipping = 0;
}

/* Reads once; returns 0, or LINEIO_AGAIN when the read would wait. */
static int
fill(struct lineio *r, int wait)
{
	struct pollfd pfd = { r->fd, POLLIN, 0 };
	ssize_t k;

	if (r->pos) {
		buf_consume(&r->b, r->pos);
		r->scanned -= r->pos;
		r->pos = 0;
	}
	if (!wait && r->waitable && poll(&pfd, 1, 0) == 0)
		return LINEIO_AGAIN;
	buf_grow(&r->b, CHUNK);
	do
		k = read(r->fd, r->b.p + r->b.len, CHUNK);
	while (k < 0 && errno == EINTR && wait);
	if (k < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return LINEIO_AGAIN;
		warn("%s: read error:", r->name);
		r->status = EXIT_PARTIAL;
		r->eof = 1;
		return 0;
	}
	if (k == 0)
		r->eof = 1;
	r->b.len += (size_t)k;
	r->b.p[r->b.len] = '\0';
	return 0;
}

/*
 * The first line ending in [from, b.len): where it starts, its length in
 * *k.  NULL when there is none yet, or when a CR is the last byte read
 * and what follows it decides (CR LF or a bare CR).
 */
static char *
ending(struct lineio *r, size_t from, size_t *k)
{
	char *p, *end, *nl, *cr;

	if (from >= r->b.len)
		return NULL;
	p = r->b.p + from;
	end = r->b.p + r->b.len;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (r->cr && (cr = memchr(p, '\r', (size_t)((nl ? nl : end) - p)))) {
		if (cr + 1 == end && !r->eof)
			return NULL;
		*k = cr + 1 < end && cr[1] == '\n' ? 2 : 1;
		return cr;
	}
	*k = 1;
	return nl;
}

/* Where a scan that found nothing may start again: before a last CR. */
static size_t
rescan(const struct lineio *r)
{
	size_t n = r->b.len;

	return r->cr && n > r->pos && r->b.p[n - 1] == '\r' ? n - 1 : n;
}

/* 1 when the last byte read (after from) is a CR and more may come: the
 * next byte says whether it is part of an ending (CR LF; with cr, a
 * bare CR too), so it is not yet the line's. */
static int
lastcr(const struct lineio *r, size_t from)
{
	return !r->eof && r->b.len > from && r->b.p[r->b.len - 1] == '\r';
}

static ssize_t
give(struct lineio *r, char **line, size_t n, size_t next)
{
	char *start = r->b.p + r->pos;

	start[n] = '\0';
	*line = start;
	r->pos = r->scanned = next;
	r->lineno++;
	return (ssize_t)n;
}

/* A cut line whose rest is being read through: its first maxline
 * bytes stay at pos; what comes after them is dropped as it comes. */
static int
skip(struct lineio *r, char **line, ssize_t *got)
{
	size_t keep = r->pos + r->maxline, k, from;
	char *e;

	from = r->scanned > keep ? r->scanned : keep;
	if ((e = ending(r, from, &k))) {
		/* without cr, a CR right before the LF is the ending's (one
		 * at keep was kept by the last call: it came right before) */
		r->linelen += (size_t)(e - r->b.p) - keep -
		    (!r->cr && e > r->b.p + keep && e[-1] == '\r');
		r->skipping = 0;
		r->cut = 1;
		*got = give(r, line, r->maxline, (size_t)(e - r->b.p) + k);
		return 1;
	}
	if (r->eof) {
		r->linelen += r->b.len - keep;
		r->skipping = 0;
		r->cut = 1;
		*got = give(r, line, r->maxline, r->b.len);
		return 1;
	}
	/* keep a last CR: the next byte says what it is */
	from = r->b.len - lastcr(r, keep);
	r->linelen += from - keep;
	if (from < r->b.len)
		r->b.p[keep] = '\r';
	r->b.len = keep + (r->b.len - from);
	r->scanned = keep;
	return 0;
}

static ssize_t
next(struct lineio *r, char **line, int wait)
{
	size_t n, k, len;
	ssize_t got;
	char *e;

	r->cut = 0;
	for (;;) {
		if (r->fd < 0 && nextfile(r) < 0)
			return LINEIO_END;
		if (r->skipping) {
			if (skip(r, line, &got))
				return got;
		} else if ((e = ending(r, r->scanned, &k))) {
			n = (size_t)(e - r->b.p) - r->pos;
			/* without cr, a CR right before the LF is the
			 * ending's */
			len = n - (!r->cr && n && e[-1] == '\r');
			if (r->maxline && len > r->maxline) {
				r->cut = 1;
				r->linelen = len;
				return give(r, line, r->maxline,
					    r->pos + n + k);
			}
			return give(r, line, len, r->pos + n + k);
		} else if (r->maxline && r->b.len - r->pos -
			   lastcr(r, r->pos) > r->maxline) {
			r->skipping = 1;
			r->linelen = r->maxline;
			r->scanned = r->pos + r->maxline;
			continue;
		} else if (r->eof) {
			if (r->pos < r->b.len)
				return give(r, line, r->b.len - r->pos,
					    r->b.len);
			endfile(r);
			continue;
		} else {
			r->scanned = rescan(r);
		}
		if (fill(r, wait) == LINEIO_AGAIN)
			return LINEIO_AGAIN;
	}
}

ssize_t
lineio_next(struct lineio *r, char **line)
{
	ssize_t n;

	while ((n = next(r, line, 1)) == LINEIO_AGAIN)
		;
	return n;
}

ssize_t
lineio_trynext(struct lineio *r, char **line)
{
	return next(r, line, 0);
}

int
lineio_fd(const struct lineio *r)
{
	return r->fd;
}

void
lineio_close(struct lineio *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	buf_free(&r->b);
}

int
lineio_loop(int argc, char **argv, int cr, size_t maxline, lineio_fn fn)
{
	struct lineio in;
	char *line;
	ssize_t n;

	lineio_open(&in, argc, argv);
	in.cr = cr;
	in.maxline = maxline;
	while ((n = lineio_next(&in, &line)) >= 0) {
		fn(line, (size_t)n, &in);
		if (ferror(stdout))
			fcheck(stdout, "stdout");
	}
	lineio_close(&in);
	return in.status;
}
