/* SPDX-License-Identifier: MIT */
/*
 * The line reader: lineio on any bytes, read from a pipe written in
 * pieces (lineio_trynext between the writes, lineio_next after the
 * last) or from a memfd named twice (two operands).  The first byte of
 * the input sets cr (bit 0), the pipe (bit 1) and maxline (bits 2-5, 0
 * for none); the second seeds the sizes of the pieces; the rest is the
 * text.  Checks, beyond the sanitizers, against a model written here
 * from lineio.h's rules (LF ends a line, a CR right before it going
 * with it; with cr a bare CR too; a last line needs no ending): the same
 * lines in the same order, whatever the pieces, NUL-terminated, with
 * line numbers from 1 in each operand; a line longer than maxline comes
 * cut to maxline bytes with cut set and linelen its whole length (its
 * ending not counted), any other uncut.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lineio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct want {
	size_t off, len;	/* the whole line's bytes in the text */
};

/* The lines of t[0..n) by the rules above. */
static size_t
model(const char *t, size_t n, int cr, struct want *w)
{
	size_t i = 0, j, nw = 0;

	while (i < n) {
		for (j = i; j < n && t[j] != '\n' && !(cr && t[j] == '\r'); j++)
			;
		w[nw].off = i;
		if (j == n) {
			w[nw++].len = n - i;
			break;
		}
		w[nw].len = j - i;
		if (t[j] == '\r') {
			i = j + 1 + (j + 1 < n && t[j + 1] == '\n');
		} else {
			if (!cr && j > i && t[j - 1] == '\r')
				w[nw].len--;
			i = j + 1;
		}
		nw++;
	}
	return nw;
}

static struct lineio r;
static const char *text;
static const struct want *w;
static size_t nw, got;
static unsigned long long lineno;

/* The next line from r is the next one of the model. */
static void
check(ssize_t n, const char *line)
{
	const struct want *x;
	size_t len;
	int cut;

	if (got >= 2 * nw || n < 0)
		abort();
	x = &w[got % nw];
	len = x->len;
	cut = r.maxline && len > r.maxline;
	if (cut)
		len = r.maxline;
	if ((size_t)n != len || memcmp(line, text + x->off, len) ||
	    line[len] != '\0' || r.cut != cut ||
	    (cut && r.linelen != x->len) || r.lineno != ++lineno)
		abort();
	got++;
	if (got == nw)
		lineno = 0;	/* the second operand */
}

static void
from_pipe(const char *t, size_t n, unsigned seed)
{
	char name[32], *line, *argv[1] = { name };
	size_t i, k;
	ssize_t m;
	int p[2];

	if (pipe(p) < 0)
		abort();
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	lineio_open(&r, 1, argv);
	r.cr = text[-2] & 1;
	r.maxline = (size_t)(text[-2] >> 2 & 15);
	for (i = 0; i < n; i += k) {
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 23;
		if (k > n - i)
			k = n - i;
		if (write(p[1], t + i, k) != (ssize_t)k)
			abort();
		while ((m = lineio_trynext(&r, &line)) >= 0)
			check(m, line);
		if (m != LINEIO_AGAIN)
			abort();
	}
	close(p[1]);
	while ((m = lineio_next(&r, &line)) >= 0)
		check(m, line);
	if (got != nw || r.status != 0)
		abort();
	lineio_close(&r);
	close(p[0]);
}

static void
from_file(const char *t, size_t n)
{
	char name[32], *line, *argv[2] = { name, name };
	ssize_t m;
	int fd = memfd_create("fuzz_lineio", 0);

	if (fd < 0 || (n && write(fd, t, n) != (ssize_t)n))
		abort();
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	lineio_open(&r, 2, argv);
	r.cr = text[-2] & 1;
	r.maxline = (size_t)(text[-2] >> 2 & 15);
	while ((m = lineio_next(&r, &line)) >= 0)
		check(m, line);
	if (got != 2 * nw || r.status != 0)
		abort();
	lineio_close(&r);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct want *ws;
	static size_t cap;
	size_t n;

	if (size < 2 || size > 60000)
		return 0;
	n = size - 2;
	if (cap < n + 1) {
		free(ws);
		cap = n + 1;
		ws = malloc(cap * sizeof *ws);
	}
	text = (const char *)data + 2;
	nw = model(text, n, data[0] & 1, ws);
	w = ws;
	got = 0;
	lineno = 0;
	if (data[0] & 2) {
		from_pipe(text, n, data[1]);
	} else if (nw) {
		from_file(text, n);
	}
	return 0;
}
