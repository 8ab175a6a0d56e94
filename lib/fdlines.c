/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "fdlines.h"

#define CHUNK (64 * 1024)

void
fdlines_open(struct fdlines *r, int argc, char **argv)
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
nextfile(struct fdlines *r)
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
		return 0;
	}
	return -1;
}

static void
endfile(struct fdlines *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	buf_reset(&r->b);
	r->pos = r->scanned = 0;
}

/* Reads once; returns 0, or FDLINES_AGAIN when the read would wait. */
static int
fill(struct fdlines *r)
{
	struct pollfd pfd = { r->fd, POLLIN, 0 };
	ssize_t k;

	if (r->pos) {
		buf_consume(&r->b, r->pos);
		r->scanned -= r->pos;
		r->pos = 0;
	}
	if (r->waitable && poll(&pfd, 1, 0) == 0)
		return FDLINES_AGAIN;
	buf_grow(&r->b, CHUNK);
	k = read(r->fd, r->b.p + r->b.len, CHUNK);
	if (k < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return FDLINES_AGAIN;
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

ssize_t
fdlines_next(struct fdlines *r, char **line)
{
	char *start, *nl;
	size_t n;

	r->cut = 0;
	for (;;) {
		if (r->fd < 0 && nextfile(r) < 0)
			return FDLINES_END;
		start = r->b.p + r->pos;
		nl = r->b.len > r->scanned ?
			memchr(r->b.p + r->scanned, '\n',
			       r->b.len - r->scanned) : NULL;
		if (r->skipping) {
			/* the rest of a cut line: dropped as it comes */
			if (nl) {
				r->pos = r->scanned = (size_t)(nl - r->b.p) + 1;
				r->skipping = 0;
				continue;
			}
			r->pos = r->scanned = r->b.len;
			if (r->eof) {
				r->skipping = 0;
				endfile(r);
				continue;
			}
			if (fill(r) == FDLINES_AGAIN)
				return FDLINES_AGAIN;
			continue;
		}
		if (r->maxline && (nl ? (size_t)(nl - start) :
				   r->b.len - r->pos) > r->maxline) {
			/* too long: its first maxline bytes, the rest skipped
			 * (start[n] is no LF: it can take the NUL) */
			n = r->maxline;
			if (nl) {
				r->pos = (size_t)(nl - r->b.p) + 1;
			} else {
				r->pos += n + 1;
				r->skipping = 1;
			}
			r->scanned = r->pos;
			r->cut = 1;
			r->lineno++;
			start[n] = '\0';
			*line = start;
			return (ssize_t)n;
		}
		if (nl || (r->eof && r->pos < r->b.len)) {
			n = nl ? (size_t)(nl - start) : r->b.len - r->pos;
			r->pos += n + (nl != NULL);
			r->scanned = r->pos;
			if (n && start[n - 1] == '\r')
				n--;
			start[n] = '\0';
			r->lineno++;
			*line = start;
			return (ssize_t)n;
		}
		r->scanned = r->b.len;
		if (r->eof) {
			endfile(r);
			continue;
		}
		if (fill(r) == FDLINES_AGAIN)
			return FDLINES_AGAIN;
	}
}

int
fdlines_fd(const struct fdlines *r)
{
	return r->fd;
}

void
fdlines_close(struct fdlines *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	buf_free(&r->b);
}
