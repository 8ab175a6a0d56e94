/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>
#include <zstd.h>

#include "buf.h"
#include "decode.h"
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

/* Appends text as one bzip2 stream (blocks of level * 100 kB). */
static void
bz(struct buf *b, const char *text, size_t n, int level)
{
	unsigned int cap = (unsigned int)(n + n / 50 + 1024);
	int rc;

	buf_grow(b, cap);
	rc = BZ2_bzBuffToBuffCompress(b->p + b->len, &cap, (char *)text,
				      (unsigned int)n, level, 0, 0);
	CHECK(rc == BZ_OK, "bzip2 compress: %d", rc);
	b->len += cap;
}

/* Appends text as one zstd frame, with its checksum. */
static void
zs(struct buf *b, const char *text, size_t n)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(n), rc;

	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	buf_grow(b, cap);
	rc = ZSTD_compress2(c, b->p + b->len, cap, text, n);
	CHECK(!ZSTD_isError(rc), "zstd compress: %s", ZSTD_getErrorName(rc));
	b->len += rc;
	ZSTD_freeCCtx(c);
}

/* Appends a skippable zstd frame of n bytes. */
static void
skippable(struct buf *b, unsigned char nibble, size_t n)
{
	unsigned char h[8] = { 0x50 | nibble, 0x2a, 0x4d, 0x18,
			       (unsigned char)n, (unsigned char)(n >> 8), 0,
			       0 };
	size_t i;

	buf_add(b, h, 8);
	for (i = 0; i < n; i++)
		buf_addc(b, 'S');
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
       struct buf *why)
{
	struct decode *d = decode_new(outcap);
	size_t i, k;
	int rc = 0, round;

	/* twice over one decoder: a reset forgets the first */
	for (round = 0; round < 2; round++) {
		decode_reset(d);
		buf_reset(out);
		rc = 0;
		for (i = 0; i < in->len && rc == 0; i += k) {
			k = step && step < in->len - i ? step : in->len - i;
			rc = decode_write(d, in->p + i, k, collect, out);
		}
		if (rc == 0)
			rc = decode_end(d, collect, out);
	}
	buf_reset(why);
	buf_adds(why, rc ? decode_error(d) : "");
	decode_free(d);
	return rc;
}

static const size_t steps[] = { 0, 1, 2, 3, 7, 100, 4096 };
#define NSTEPS (sizeof steps / sizeof steps[0])

static void
same(const char *name, const struct buf *in, const char *want, size_t wn)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	size_t s;
	int rc;

	for (s = 0; s < NSTEPS; s++) {
		rc = decode(in, steps[s], &out, s % 2 ? 7 : 0, &why);
		CHECK(rc == 0 && out.len == wn &&
		      (wn == 0 || memcmp(out.p, want, wn) == 0),
		      "%s, step %zu: rc %d (%s), %zu bytes, want %zu", name,
		      steps[s], rc, why.p, out.len, wn);
	}
	buf_free(&out);
	buf_free(&why);
}

/* in fails with msg, the whole of it or (sub) a part */
static void
failwith(const char *name, const struct buf *in, const char *msg, int sub)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	size_t s;
	int rc;

	for (s = 0; s < NSTEPS; s++) {
		rc = decode(in, steps[s], &out, 0, &why);
		CHECK(rc == -1 && (sub ? strstr(why.p, msg) != NULL :
				   strcmp(why.p, msg) == 0),
		      "%s, step %zu: rc %d, [%s]", name, steps[s], rc, why.p);
	}
	buf_free(&out);
	buf_free(&why);
}

static void
bad(const char *name, const struct buf *in, const char *msg)
{
	failwith(name, in, msg, 0);
}

/* Output up to the error is given out: what decodes, decodes. */
static void
partial(const char *name, const struct buf *in, const char *want,
	size_t wn)
{
	struct buf out = BUF_INIT, why = BUF_INIT;

	CHECK(decode(in, 1000, &out, 0, &why) == -1 && out.len >= wn &&
	      memcmp(out.p, want, wn) == 0, "%s: %zu bytes out, [%s]",
	      name, out.len, why.p);
	buf_free(&out);
	buf_free(&why);
}

static void
gzip_cases(const char *big, size_t n)
{
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	struct buf why = BUF_INIT;
	size_t i;

	gz(&in, "hello\n", 6);
	same("gzip: one member", &in, "hello\n", 6);

	buf_reset(&in);
	gz(&in, "", 0);
	same("gzip: a member of nothing", &in, "", 0);

	buf_reset(&in);
	gz(&in, "one\n", 4);
	gz(&in, "", 0);
	gz(&in, "two", 3);
	gz(&in, "\nthree\n", 7);
	same("gzip: four members", &in, "one\ntwo\nthree\n", 14);

	buf_add(&in, "\0\0\0\0\0\0\0\0", 8);
	same("gzip: zero padding at the end", &in, "one\ntwo\nthree\n", 14);

	buf_reset(&in);
	gz(&in, "a\n", 2);
	buf_add(&in, "\0\0\0", 3);
	gz(&in, "b\n", 2);
	same("gzip: zero padding between members", &in, "a\nb\n", 4);

	/* big and incompressible enough to take many windows */
	buf_reset(&in);
	gz(&in, big, n);
	gz(&in, big, n / 3);
	buf_add(&want, big, n);
	buf_add(&want, big, n / 3);
	CHECK(decode(&in, 1000, &out, 0, &why) == 0 &&
	      out.len == want.len && memcmp(out.p, want.p, want.len) == 0,
	      "gzip: big: %zu bytes, [%s]", out.len, why.p);

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	buf_add(&in, "junk", 4);
	bad("gzip: trailing garbage", &in,
	    "gzip: trailing garbage after the compressed data");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	buf_add(&in, "\x1f", 1);
	bad("gzip: a lone 1f after a member", &in,
	    "gzip: trailing garbage after the compressed data");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	bz(&in, "hello\n", 6, 9);
	bad("gzip: then bzip2", &in,
	    "gzip: trailing garbage after the compressed data");

	buf_reset(&in);
	gz(&in, big, 100000);
	in.len /= 2;
	bad("gzip: truncated", &in, "gzip: unexpected end of data (truncated)");
	partial("gzip: truncated, what came before", &in, big, 1000);

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	in.len -= 1;
	bad("gzip: truncated trailer", &in,
	    "gzip: unexpected end of data (truncated)");

	buf_reset(&in);
	gz(&in, "hello world, hello world\n", 25);
	in.p[in.len - 6] ^= 0x55;	/* in the CRC */
	bad("gzip: bad crc", &in, "gzip: incorrect data check");

	buf_reset(&in);
	gz(&in, "hello\n", 6);
	in.p[2] = 9;			/* not deflate */
	bad("gzip: unknown method", &in, "gzip: unknown compression method");

	buf_reset(&in);
	gz(&in, big, 200000);
	for (i = 20; i < 60; i++)
		in.p[i] = (char)0xff;
	failwith("gzip: corrupt body", &in, "gzip: ", 1);

	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
	buf_free(&why);
}

static void
bzip2_cases(const char *big, size_t n)
{
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	struct buf why = BUF_INIT;

	bz(&in, "hello\n", 6, 9);
	same("bzip2: one stream", &in, "hello\n", 6);

	buf_reset(&in);
	bz(&in, "", 0, 9);
	same("bzip2: a stream of nothing", &in, "", 0);

	/* cat a.bz2 b.bz2, as pbzip2 writes too */
	buf_reset(&in);
	bz(&in, "one\n", 4, 1);
	bz(&in, "", 0, 9);
	bz(&in, "two", 3, 5);
	bz(&in, "\nthree\n", 7, 9);
	same("bzip2: four streams", &in, "one\ntwo\nthree\n", 14);

	/* many blocks in a stream, then many streams */
	buf_reset(&in);
	bz(&in, big, n, 1);
	bz(&in, big, n / 3, 9);
	buf_add(&want, big, n);
	buf_add(&want, big, n / 3);
	CHECK(decode(&in, 1000, &out, 0, &why) == 0 &&
	      out.len == want.len && memcmp(out.p, want.p, want.len) == 0,
	      "bzip2: big: %zu bytes, [%s]", out.len, why.p);
	in.len -= 5000;
	bad("bzip2: big, truncated", &in,
	    "bzip2: unexpected end of data (truncated)");
	partial("bzip2: truncated, the blocks before", &in, big, 300000);

	buf_reset(&in);
	bz(&in, "hello\n", 6, 9);
	in.len -= 1;
	bad("bzip2: truncated stream CRC", &in,
	    "bzip2: unexpected end of data (truncated)");

	buf_reset(&in);
	bz(&in, "hello\n", 6, 9);
	buf_add(&in, "junk", 4);
	bad("bzip2: trailing garbage", &in,
	    "bzip2: trailing garbage after the compressed data");

	buf_reset(&in);
	bz(&in, "hello\n", 6, 9);
	buf_add(&in, "BZh", 3);
	bad("bzip2: a cut magic after a stream", &in,
	    "bzip2: trailing garbage after the compressed data");

	buf_reset(&in);
	bz(&in, "hello\n", 6, 9);
	gz(&in, "hello\n", 6);
	bad("bzip2: then gzip", &in,
	    "bzip2: trailing garbage after the compressed data");

	buf_reset(&in);
	bz(&in, "hello world, hello world, hello world\n", 38, 9);
	in.p[in.len / 2] ^= 0x10;
	bad("bzip2: a flipped bit", &in, "bzip2: data integrity error");

	/* bzip2's magic, but not a block after it: plain */
	buf_reset(&in);
	buf_adds(&in, "BZh91AY&SX is not a block\n");
	same("bzip2: a near miss is plain", &in, in.p, in.len);
	buf_reset(&in);
	buf_adds(&in, "BZh9");
	same("bzip2: a bare magic is plain", &in, in.p, in.len);

	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
	buf_free(&why);
}

static void
zstd_cases(const char *big, size_t n)
{
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	struct buf why = BUF_INIT;
	static const char wide[] = {
		(char)0x28, (char)0xb5, 0x2f, (char)0xfd, 0x00,
		(char)0x88,			/* a window of 128 MiB */
		0x09, 0x00, 0x00, 'x',		/* one raw block, last */
	};

	zs(&in, "hello\n", 6);
	same("zstd: one frame", &in, "hello\n", 6);

	buf_reset(&in);
	zs(&in, "", 0);
	same("zstd: a frame of nothing", &in, "", 0);

	buf_reset(&in);
	skippable(&in, 0, 5);
	zs(&in, "one\n", 4);
	skippable(&in, 0xf, 0);
	zs(&in, "two", 3);
	zs(&in, "\nthree\n", 7);
	skippable(&in, 7, 300);
	same("zstd: frames and skippable frames", &in, "one\ntwo\nthree\n",
	     14);

	buf_reset(&in);
	skippable(&in, 3, 10);
	same("zstd: a skippable frame alone", &in, "", 0);

	buf_reset(&in);
	zs(&in, big, n);
	zs(&in, big, n / 3);
	buf_add(&want, big, n);
	buf_add(&want, big, n / 3);
	CHECK(decode(&in, 1000, &out, 0, &why) == 0 &&
	      out.len == want.len && memcmp(out.p, want.p, want.len) == 0,
	      "zstd: big: %zu bytes, [%s]", out.len, why.p);
	in.len -= 5000;
	bad("zstd: big, truncated", &in,
	    "zstd: unexpected end of data (truncated)");
	partial("zstd: truncated, what came before", &in, big, n);

	buf_reset(&in);
	zs(&in, "hello\n", 6);
	in.len -= 1;
	bad("zstd: truncated checksum", &in,
	    "zstd: unexpected end of data (truncated)");

	buf_reset(&in);
	skippable(&in, 0, 10);
	in.len -= 1;
	bad("zstd: truncated skippable frame", &in,
	    "zstd: unexpected end of data (truncated)");

	buf_reset(&in);
	zs(&in, "hello\n", 6);
	buf_add(&in, "junk", 4);
	bad("zstd: trailing garbage", &in,
	    "zstd: trailing garbage after the compressed data");

	buf_reset(&in);
	zs(&in, "hello world, hello world, hello world\n", 38);
	in.p[in.len - 2] ^= 0x10;	/* in the checksum */
	bad("zstd: bad checksum", &in,
	    "zstd: Restored data doesn't match checksum");

	buf_reset(&in);
	zs(&in, "hello\n", 6);
	in.len = 6;			/* magic, header descriptor, cut */
	bad("zstd: a header cut short", &in,
	    "zstd: unexpected end of data (truncated)");

	/*
	 * Found by fuzz_decode: a frame whose bytes after the magic read as
	 * a skippable frame.  libzstd 1.5.4's single-pass shortcut took them
	 * for one when the header came in a call of its own (decoding on to
	 * the next frame's error), not when it came byte by byte.
	 */
	buf_reset(&in);
	skippable(&in, 0, 2);
	buf_add(&in, "\x28\xb5\x2f\xfd", 4);
	skippable(&in, 0, 2);
	buf_add(&in, "\x28\xb5\x2f\xfd\x04\xb8\0\0\0\0\0\0\0\0\x05",
		15);
	bad("zstd: a header that reads as a skippable frame", &in,
	    "zstd: Destination buffer is too small");
	/* and fails alike after a big frame, which leaves libzstd with
	 * larger buffers (found by fuzz_decode too) */
	buf_reset(&want);
	zs(&want, big, n);
	buf_add(&want, in.p, in.len);
	bad("zstd: that frame after a big one", &want,
	    "zstd: Destination buffer is too small");
	{
		struct decode *d = decode_new(0);

		decode_write(d, want.p, want.len, collect, &out);
		decode_reset(d);
		buf_reset(&out);
		CHECK(decode_write(d, in.p, in.len, collect, &out) == -1 &&
		      strcmp(decode_error(d), "zstd: Destination buffer is "
			     "too small") == 0, "zstd: the next object: [%s]",
		      decode_error(d));
		decode_free(d);
	}

	buf_reset(&in);
	buf_add(&in, wide, sizeof wide);
	same("zstd: a 128 MiB window is read", &in, "x", 1);
	in.p[5] = (char)0x90;		/* 256 MiB */
	bad("zstd: a 256 MiB window is not", &in,
	    "zstd: Frame requires too much memory for decoding");

	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
	buf_free(&why);
}

/* Formats known by their magic and not read; near misses are plain. */
static void
other_cases(void)
{
	static const struct {
		const char *magic;
		size_t n;
		const char *msg;
	} v[] = {
		{ "\xfd" "7zXZ\0\0\0", 7, "xz-compressed data" },
		{ "\x04\x22\x4d\x18\x64\x40", 6, "lz4-compressed data" },
		{ "\x02\x21\x4c\x18", 4, "lz4-compressed data" },
		{ "\x89LZO\0\r\n\x1a\n\x10", 10, "lzop-compressed data" },
		{ "LZIP\x01\x0c", 6, "lzip-compressed data" },
		{ "\x78\x9c\x03\0", 4, "zlib-compressed data" },
		{ "\xff\x06\0\0sNaPpY", 10, "snappy-framed data" },
		{ "\x1f\x9d\x90", 3, "Unix compress (.Z) data" },
		{ "PK\x03\x04\x14\0", 6, "a zip archive" },
		{ "PK\x05\x06\0\0", 6, "a zip archive" },
		{ "7z\xbc\xaf\x27\x1c\0\x04", 8, "a 7z archive" },
	};
	struct buf in = BUF_INIT, msg = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		buf_reset(&in);
		buf_add(&in, v[i].magic, v[i].n);
		buf_adds(&in, "and more");
		buf_reset(&msg);
		buf_printf(&msg, "%s: not read (gzip, bzip2 and zstd are)",
			   v[i].msg);
		bad(v[i].msg, &in, msg.p);
		/* the magic cut short: plain bytes */
		buf_reset(&in);
		buf_add(&in, v[i].magic, 1);
		same("a first magic byte alone", &in, in.p, in.len);
	}
	buf_reset(&in);
	buf_adds(&in, "LZIP is a format\n");
	same("LZIP as text", &in, in.p, in.len);
	buf_reset(&in);
	buf_adds(&in, "PK stands for Phil Katz\n");
	same("PK as text", &in, in.p, in.len);
	buf_free(&in);
	buf_free(&msg);
}

static int
stop(void *ctx, const char *p, size_t n)
{
	(void)p;
	(void)n;
	++*(int *)ctx;
	return 7;
}

/* decode_fd: a file whole (over many reads), cut short, unreadable, and
 * stopped before its first read */
static void
fds(const char *big, size_t n)
{
	char path[] = "/tmp/test_decode.XXXXXX";
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct decode *d = decode_new(0);
	volatile sig_atomic_t stop = 0;
	unsigned long long nread = 0;
	int fd = mkstemp(path), rc;

	gz(&in, big, n);
	CHECK(fd >= 0 && write(fd, in.p, in.len) == (ssize_t)in.len, "%s",
	      path);
	lseek(fd, 0, SEEK_SET);
	rc = decode_fd(d, fd, &stop, &nread, collect, &out);
	CHECK(rc == 0 && nread == in.len && out.len == n &&
	      memcmp(out.p, big, n) == 0, "a file: %d, %llu of %zu read, "
	      "%zu out", rc, nread, in.len, out.len);
	if (ftruncate(fd, (off_t)in.len / 2) == 0)
		lseek(fd, 0, SEEK_SET);
	decode_reset(d);
	CHECK(decode_fd(d, fd, NULL, &nread, collect, &out) == -1 &&
	      strcmp(decode_error(d), "gzip: unexpected end of data "
		     "(truncated)") == 0, "cut short: %s", decode_error(d));
	close(fd);
	decode_reset(d);
	CHECK(decode_fd(d, fd, NULL, &nread, collect, &out) == -1 &&
	      strcmp(decode_error(d), "read error: Bad file descriptor") == 0,
	      "unreadable: %s", decode_error(d));
	decode_reset(d);
	stop = 1;
	buf_reset(&out);
	CHECK(decode_fd(d, 0, &stop, &nread, collect, &out) ==
	      DECODE_STOPPED && out.len == 0, "stopped");
	unlink(path);
	decode_free(d);
	buf_free(&in);
	buf_free(&out);
}

/* decode_limit: the decoded size and the ratio, in every format and
 * plain; under them, the object whole; decode_reset starts the counts */
static void
limits(const char *big, size_t n)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct decode *d = decode_new(0);
	char *zeros = calloc(1, 4 << 20);
	int rc;

	decode_limit(d, n - 1, 0);
	gz(&in, big, n);
	rc = decode_write(d, in.p, in.len, collect, &out);
	CHECK(rc == -1 && out.len < n && strcmp(decode_error(d), "gzip: over "
	      "3145727 bytes decoded (the limit)") == 0, "gzip over maxout: "
	      "%d %zu %s", rc, out.len, decode_error(d));
	decode_reset(d);
	decode_limit(d, n, 0);
	buf_reset(&out);
	CHECK(decode_write(d, in.p, in.len, collect, &out) == 0 &&
	      decode_end(d, collect, &out) == 0 && out.len == n,
	      "gzip at maxout: %zu", out.len);
	decode_reset(d);
	buf_reset(&out);
	CHECK(decode_write(d, big, n, collect, &out) == 0 &&
	      decode_end(d, collect, &out) == 0 && out.len == n,
	      "plain at maxout: %zu", out.len);
	decode_reset(d);
	decode_limit(d, 1000, 0);
	CHECK(decode_write(d, big, n, collect, &out) == -1 &&
	      strcmp(decode_error(d), "over 1000 bytes decoded (the limit)")
	      == 0, "plain over maxout: %s", decode_error(d));

	/* 4 MiB of zeros: about 1,000 to 1 */
	buf_reset(&in);
	zs(&in, zeros, 4 << 20);
	decode_reset(d);
	decode_limit(d, 0, 100);
	CHECK(decode_write(d, in.p, in.len, collect, &out) == -1 &&
	      strcmp(decode_error(d), "zstd: over 100 times as many bytes "
		     "decoded as read (the limit)") == 0, "zstd ratio: %s",
	      decode_error(d));
	buf_reset(&in);
	bz(&in, zeros, 4 << 20, 9);
	decode_reset(d);
	CHECK(decode_write(d, in.p, in.len, collect, &out) == -1 &&
	      strncmp(decode_error(d), "bzip2: over 100 times", 21) == 0,
	      "bzip2 ratio: %s", decode_error(d));
	/* real text, 3 to 1 or so, passes the same ratio */
	buf_reset(&in);
	gz(&in, big, n);
	decode_reset(d);
	buf_reset(&out);
	CHECK(decode_write(d, in.p, in.len, collect, &out) == 0 &&
	      decode_end(d, collect, &out) == 0 && out.len == n,
	      "text under the ratio: %zu", out.len);
	free(zeros);
	decode_free(d);
	buf_free(&in);
	buf_free(&out);
}

int
main(void)
{
	struct buf in = BUF_INIT;
	struct decode *d;
	char *big;
	size_t i, n = 3 << 20;
	int calls = 0;

	buf_adds(&in, "plain text\nno gzip here\n");
	same("plain", &in, in.p, in.len);

	buf_reset(&in);
	same("empty", &in, "", 0);

	buf_reset(&in);
	buf_add(&in, "\x1f", 1);
	same("a lone 1f", &in, "\x1f", 1);
	buf_add(&in, "x\x8b", 2);
	same("1f then not 8b", &in, "\x1fx\x8b", 3);

	/* big and incompressible enough to take many windows and blocks */
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)(i % 251 == 0 ? '\n' : 'a' + (i * 7919 % 26));
	gzip_cases(big, n);
	bzip2_cases(big, n);
	zstd_cases(big, n);
	other_cases();
	limits(big, n);

	/* what emit returns is passed back, and nothing more is emitted */
	d = decode_new(0);
	buf_reset(&in);
	gz(&in, big, 100000);
	CHECK(decode_write(d, in.p, in.len, stop, &calls) == 7 && calls == 1,
	      "a stop from emit: %d calls", calls);
	decode_reset(d);
	CHECK(decode_write(d, "plain", 5, stop, &calls) == 7 && calls == 2,
	      "a stop from emit, plain: %d calls", calls);
	decode_free(d);
	decode_free(NULL);

	fds(big, n);

	free(big);
	buf_free(&in);
	return unit_end("decode");
}
