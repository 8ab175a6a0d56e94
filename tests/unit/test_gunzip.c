/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "gunzip.h"
#include "unit.h"

/* Appends text as one gzip member made by zlib. */
static void
gz(struct buf *b, const char *text, size_t n)
{
	z_stream z;
	unsigned char out[1 << 16];

	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)n;
	do {
		z.next_out = out;
		z.avail_out = sizeof out;
		deflate(&z, Z_FINISH);
		buf_add(b, out, sizeof out - z.avail_out);
	} while (z.avail_out == 0);
	deflateEnd(&z);
}

static int
collect(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return 0;
}

/* Decodes in, fed in pieces of step bytes (0: all at once). */
static int
decode(const struct buf *in, size_t step, struct buf *out, size_t outcap,
       const char **why)
{
	static struct gunzip g;
	size_t i, k;
	int rc = 0;

	gunzip_init(&g, outcap);
	buf_reset(out);
	for (i = 0; i < in->len && rc == 0; i += k) {
		k = step && step < in->len - i ? step : in->len - i;
		rc = gunzip_write(&g, in->p + i, k, collect, out);
	}
	if (rc == 0)
		rc = gunzip_end(&g, collect, out);
	*why = rc ? gunzip_error(&g) : "";
	gunzip_free(&g);
	return rc;
}

static const size_t steps[] = { 0, 1, 2, 3, 7, 100, 4096 };
#define NSTEPS (sizeof steps / sizeof steps[0])

static void
same(const char *name, const struct buf *in, const char *want, size_t wn)
{
	struct buf out = BUF_INIT;
	const char *why;
	size_t s;
	int rc;

	for (s = 0; s < NSTEPS; s++) {
		rc = decode(in, steps[s], &out, s % 2 ? 7 : 0, &why);
		CHECK(rc == 0 && out.len == wn &&
		      (wn == 0 || memcmp(out.p, want, wn) == 0),
		      "%s, step %zu: rc %d (%s), %zu bytes, want %zu", name,
		      steps[s], rc, why, out.len, wn);
	}
	buf_free(&out);
}

static void
bad(const char *name, const struct buf *in, const char *msg)
{
	struct buf out = BUF_INIT;
	const char *why;
	size_t s;
	int rc;

	for (s = 0; s < NSTEPS; s++) {
		rc = decode(in, steps[s], &out, 0, &why);
		CHECK(rc == -1 && strstr(why, msg), "%s, step %zu: rc %d, [%s]",
		      name, steps[s], rc, why);
	}
	buf_free(&out);
}

int
main(void)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	char *big;
	size_t i, n = 3 << 20;

	buf_adds(&in, "plain text\nno gzip here\n");
	same("plain", &in, in.p, in.len);

	buf_reset(&in);
	same("empty", &in, "", 0);

	buf_reset(&in);
	buf_add(&in, "\x1f", 1);
	same("a lone 1f", &in, "\x1f", 1);
	buf_add(&in, "x\x8b", 2);
	same("1f then not 8b", &in, "\x1fx\x8b", 3);

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	same("one member", &in, "hello\n", 6);

	buf_reset(&in);
	gz(&in, "", 0);
	same("a member of nothing", &in, "", 0);

	buf_reset(&in);
	gz(&in, "one\n", 4);
	gz(&in, "", 0);
	gz(&in, "two", 3);
	gz(&in, "\nthree\n", 7);
	same("four members", &in, "one\ntwo\nthree\n", 14);

	buf_add(&in, "\0\0\0\0\0\0\0\0", 8);
	same("zero padding at the end", &in, "one\ntwo\nthree\n", 14);

	buf_reset(&in);
	gz(&in, "a\n", 2);
	buf_add(&in, "\0\0\0", 3);
	gz(&in, "b\n", 2);
	same("zero padding between members", &in, "a\nb\n", 4);

	/* big and incompressible enough to take many windows */
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)(i % 251 == 0 ? '\n' : 'a' + (i * 7919 % 26));
	buf_reset(&in);
	gz(&in, big, n);
	gz(&in, big, n / 3);
	buf_reset(&want);
	buf_add(&want, big, n);
	buf_add(&want, big, n / 3);
	{
		struct buf out = BUF_INIT;
		const char *why;
		int rc = decode(&in, 1000, &out, 0, &why);

		CHECK(rc == 0 && out.len == want.len &&
		      memcmp(out.p, want.p, want.len) == 0,
		      "big: rc %d (%s), %zu bytes", rc, why, out.len);
		buf_free(&out);
	}

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	buf_add(&in, "junk", 4);
	bad("trailing garbage", &in, "trailing garbage");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	buf_add(&in, "\x1f", 1);
	bad("a lone 1f after a member", &in, "trailing garbage");

	buf_reset(&in);
	gz(&in, big, 100000);
	in.len /= 2;
	bad("truncated", &in, "truncated");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	in.len -= 1;
	bad("truncated trailer", &in, "truncated");

	buf_reset(&in);
	gz(&in, "hello world, hello world\n", 25);
	in.p[in.len - 6] ^= 0x55;	/* in the CRC */
	bad("bad crc", &in, "incorrect data check");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	in.p[2] = 9;			/* not deflate */
	bad("unknown method", &in, "unknown compression method");

	buf_reset(&in);
	gz(&in, big, 200000);
	for (i = 20; i < 60; i++)
		in.p[i] = (char)0xff;
	{
		struct buf out = BUF_INIT;
		const char *why;

		CHECK(decode(&in, 0, &out, 0, &why) == -1 &&
		      strncmp(why, "gzip: ", 6) == 0, "corrupt body: [%s]",
		      why);
		buf_free(&out);
	}

	free(big);
	buf_free(&in);
	buf_free(&want);
	return unit_end("gunzip");
}
