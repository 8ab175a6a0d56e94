/* SPDX-License-Identifier: MIT */
/*
 * SigV4's canonicalisation on any bytes: sigv4_uri_encode (with and
 * without '/' kept), sigv4_canonical_uri (S3's, and normalised as every
 * other service's) of the input up to a NUL, sigv4_canonical_query of
 * the input split at '&' and '=' into parameters, and sigv4_sign with
 * those, three of the input's lines as header values and one header
 * twice.  Checks, beyond the sanitizers:
 *  - encoded text holds only A-Z a-z 0-9 - _ . ~ and %XX (uppercase),
 *    '/' too where kept, and decodes back to the input;
 *  - S3's URI is "/" and the path (a '/' added when it has none); a
 *    normalised URI starts with '/', has no empty, "." or ".." segment,
 *    and normalised again (decoded) is itself;
 *  - the query is the parameters, each encoded, joined by '&', sorted
 *    by encoded name then value, and decodes to the same parameters;
 *  - the canonical request has one line per distinct header plus five,
 *    holds that URI and that query, and header values have no space at
 *    either end nor two in a row; signing again gives the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP 64

/* Written here, not taken from sigv4.c: the oracle must not share the
 * code it checks (and hexval reads only the uppercase SigV4 writes). */
static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/* Checks that p[0..n) is encoded ('/' allowed when slash) and decodes
 * it into d. */
static void
decode(struct buf *d, const char *p, size_t n, int slash)
{
	size_t i;

	buf_reset(d);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (unreserved(c) || (slash && c == '/')) {
			buf_addc(d, c);
			continue;
		}
		if (c != '%' || i + 2 >= n ||
		    hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
			abort();
		/* %XX only for what must be encoded */
		c = (unsigned char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
		if (unreserved(c) || (slash && c == '/'))
			abort();
		buf_addc(d, c);
		i += 2;
	}
}

static void
same(const struct buf *b, const char *p, size_t n)
{
	if (b->len != n || (n && memcmp(b->p, p, n)))
		abort();
}

static struct buf enc, dec, uri, uri2, q;

static void
encoding(const char *s, size_t n)
{
	int slash;

	for (slash = 0; slash < 2; slash++) {
		buf_reset(&enc);
		sigv4_uri_encode(&enc, s, n, slash);
		if (strlen(buf_str(&enc)) != enc.len)
			abort();
		decode(&dec, enc.p, enc.len, slash);
		same(&dec, s, n);
	}
}

static void
uris(const char *path)
{
	size_t n = strlen(path), i, start;

	buf_reset(&uri);
	sigv4_canonical_uri(&uri, path, 0);
	decode(&dec, buf_str(&uri), uri.len, 1);
	if (!dec.len || dec.p[0] != '/' ||
	    dec.len != n + (path[0] != '/') ||
	    memcmp(dec.p + (path[0] != '/'), path, n))
		abort();

	buf_reset(&uri);
	sigv4_canonical_uri(&uri, path, 1);
	if (!uri.len || uri.p[0] != '/')
		abort();
	for (start = 1, i = 1; i <= uri.len; i++) {
		if (i < uri.len && uri.p[i] != '/')
			continue;
		/* a segment [start, i): none empty but a last one */
		if ((i == start && i != uri.len) ||
		    (i - start == 1 && uri.p[start] == '.') ||
		    (i - start == 2 && !memcmp(uri.p + start, "..", 2)))
			abort();
		start = i + 1;
	}
	decode(&dec, uri.p, uri.len, 1);
	if (memchr(dec.p, '\0', dec.len))
		return;		/* a %00 segment: not a C string again */
	buf_reset(&uri2);
	sigv4_canonical_uri(&uri2, dec.p, 1);
	same(&uri2, uri.p, uri.len);
}

/* A parameter's name and value, encoded, for sorting. */
struct ep {
	const char *n, *v;
	size_t nl, vl;
};

static int
bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int
epcmp(const void *x, const void *y)
{
	const struct ep *a = x, *b = y;
	int c = bytecmp(a->n, a->nl, b->n, b->nl);

	return c ? c : bytecmp(a->v, a->vl, b->v, b->vl);
}

static void
query(const struct sigv4_param *p, size_t np)
{
	static struct buf all;
	struct ep want[MAXP], got[MAXP];
	size_t i, off[2 * MAXP + 1], ng = 0;
	const char *s, *e, *amp, *eq;

	buf_reset(&q);
	sigv4_canonical_query(&q, p, np);
	if (np == 0) {
		if (q.len)
			abort();
		return;
	}
	/* what it should be: each pair encoded, sorted */
	buf_reset(&all);
	buf_grow(&all, 0);	/* never NULL, when all is empty */
	for (i = 0; i < np; i++) {
		off[2 * i] = all.len;
		sigv4_uri_encode(&all, p[i].name, strlen(p[i].name), 0);
		off[2 * i + 1] = all.len;
		if (p[i].value)
			sigv4_uri_encode(&all, p[i].value, strlen(p[i].value),
			    0);
	}
	off[2 * np] = all.len;
	for (i = 0; i < np; i++) {
		want[i].n = all.p + off[2 * i];
		want[i].nl = off[2 * i + 1] - off[2 * i];
		want[i].v = all.p + off[2 * i + 1];
		want[i].vl = off[2 * i + 2] - off[2 * i + 1];
	}
	qsort(want, np, sizeof want[0], epcmp);
	/* what it is: pairs in order */
	for (s = q.p, e = q.p + q.len; ; s = amp + 1) {
		amp = memchr(s, '&', (size_t)(e - s));
		if (!amp)
			amp = e;
		eq = memchr(s, '=', (size_t)(amp - s));
		if (!eq || ng == MAXP)
			abort();
		got[ng].n = s;
		got[ng].nl = (size_t)(eq - s);
		got[ng].v = eq + 1;
		got[ng].vl = (size_t)(amp - eq - 1);
		decode(&dec, got[ng].n, got[ng].nl, 0);
		decode(&dec, got[ng].v, got[ng].vl, 0);
		if (ng && epcmp(&got[ng - 1], &got[ng]) > 0)
			abort();
		ng++;
		if (amp == e)
			break;
	}
	if (ng != np)
		abort();
	for (i = 0; i < np; i++)
		if (epcmp(&want[i], &got[i]))
			abort();
}

static void
sign(const char *path, const struct sigv4_param *p, size_t np,
     const char *const v[3], int normalize)
{
	static struct sigv4_out out = SIGV4_OUT_INIT, again = SIGV4_OUT_INIT;
	static const unsigned char key[32] = { 1, 2, 3 };
	struct sigv4_header h[5] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-meta-a", v[0] },
		{ "X-Amz-Date", "20130524T000000Z" },
		{ "x-amz-meta-b", v[1] },
		{ "X-AMZ-META-A", v[2] },
	};
	struct sigv4_req r = { "GET", path, p, np, h, 5, SIGV4_EMPTY_SHA256,
		"us-east-1", "s3", "20130524T000000Z", normalize };
	size_t i, lines = 0;
	const char *c, *end;

	sigv4_sign(&r, "AKIAIOSFODNN7EXAMPLE", key, &out);
	for (i = 0; i < out.creq.len; i++)
		lines += out.creq.p[i] == '\n';
	if (lines != 4 + 5 || strlen(out.signature) != 64)
		abort();
	buf_reset(&uri);
	sigv4_canonical_uri(&uri, path, normalize);
	buf_reset(&q);
	sigv4_canonical_query(&q, p, np);
	c = out.creq.p + 4;
	if (memcmp(out.creq.p, "GET\n", 4) || memcmp(c, uri.p, uri.len) ||
	    c[uri.len] != '\n' || memcmp(c + uri.len + 1, buf_str(&q),
	    q.len) || c[uri.len + 1 + q.len] != '\n')
		abort();
	/* the headers' lines: name:value, trimmed, spaces single */
	c += uri.len + 1 + q.len + 1;
	for (i = 0; i < 4; i++, c = end + 1) {
		end = strchr(c, '\n');
		c = strchr(c, ':') + 1;
		if (c < end && (c[0] == ' ' || end[-1] == ' '))
			abort();
		for (; c + 1 < end; c++)
			if (c[0] == ' ' && c[1] == ' ')
				abort();
	}
	sigv4_sign(&r, "AKIAIOSFODNN7EXAMPLE", key, &again);
	if (strcmp(out.signature, again.signature) ||
	    out.creq.len != again.creq.len ||
	    memcmp(out.creq.p, again.creq.p, out.creq.len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigv4_param p[MAXP];
	char *s = malloc(size + 1), *path = malloc(size + 1), *x;
	char *copy = malloc(size ? size : 1);
	const char *v[3] = { "", "", "" };
	size_t np = 0, i;

	/* an exact-size copy, so reading past the input is caught */
	memcpy(copy, data, size);
	encoding(copy, size);
	free(copy);

	memcpy(s, data, size);
	s[size] = '\0';
	memcpy(path, s, size + 1);
	uris(path);
	/* the parameters: a=b&c&d=e=f... ('=' in a value is data) */
	for (x = s; np < MAXP && *x; ) {
		char *amp = strchr(x, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(x, '=');
		if (eq)
			*eq = '\0';
		p[np].name = x;
		p[np].value = eq ? eq + 1 : NULL;
		np++;
		if (!amp)
			break;
		x = amp + 1;
	}
	query(p, np);
	for (i = 0; i < np && i < 3; i++)
		v[i] = p[i].value ? p[i].value : p[i].name;
	sign(path, p, np, v, size % 2);
	free(path);
	free(s);
	return 0;
}
