/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "lineout.h"
#include "unit.h"

static struct buf got;
static const char *lastp;	/* where the last put's bytes were */
static int puts_n, stopat;

static int
put(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	buf_add(&got, p, n);
	lastp = p;
	return ++puts_n == stopat ? 9 : 0;
}

/* Feeds the pieces to a fresh object. */
static void
feed(struct lineout *o, const char *const *v)
{
	buf_reset(&got);
	lineout_begin(o);
	for (; *v; v++)
		CHECK(lineout_write(o, *v, strlen(*v)) == 0, "write %s", *v);
}

static void
same(const char *name, const char *want)
{
	CHECK(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
	      "%s: got [%.*s], want [%s]", name, (int)got.len, got.p, want);
}

int
main(void)
{
	struct lineout o;
	struct buf msg = BUF_INIT;
	static const char *whole[] = { "a\n", "b", "c\n", NULL };
	static const char *open[] = { "a\nb", "c", NULL };
	static const char *split[] = { "ab", "c\nd", "e", NULL };
	static const char *none[] = { NULL };
	static const char *nl[] = { "a\n", "", "b\n", NULL };
	static const char *longl[] = { "0123456789", "ab\ncd", NULL };
	static const char *grow[] = { "0123", "4567", "8", NULL };
	static const char *cr[] = { "a\rb\r", "\nc\rde", NULL };
	static const char *crlf[] = { "a\r", "\nb\r", NULL };
	char chunk[] = "x\ny\nz";
	size_t n;

	lineout_init(&o, 8, put, NULL);

	feed(&o, whole);
	same("whole lines, as they come", "a\nbc\n");
	CHECK(lineout_end(&o) == 0, "end");
	same("whole lines, at the end", "a\nbc\n");

	feed(&o, open);
	same("an open line is held", "a\n");
	lineout_end(&o);
	same("an open line at a clean end gets its newline", "a\nbc\n");

	feed(&o, open);
	buf_reset(&msg);
	buf_adds(&msg, "gzip: truncated");
	n = lineout_fail(&o, &msg);
	same("an open line of a failed object is dropped", "a\n");
	CHECK(n == 2 && strcmp(msg.p, "gzip: truncated; its last 2 bytes, "
			       "an unfinished line, not written") == 0,
	      "the failure says so: %zu [%s]", n, msg.p);

	feed(&o, whole);
	buf_reset(&msg);
	buf_adds(&msg, "x");
	CHECK(lineout_fail(&o, &msg) == 0 && strcmp(msg.p, "x") == 0,
	      "nothing held, nothing said: [%s]", msg.p);
	same("a failed object ending on a newline", "a\nbc\n");

	feed(&o, split);
	same("a line over pieces", "abc\n");
	buf_reset(&msg);
	CHECK(lineout_fail(&o, &msg) == 2, "two bytes dropped");
	same("a line over pieces, then a failure", "abc\n");

	feed(&o, none);
	lineout_end(&o);
	same("an empty object puts nothing", "");

	feed(&o, nl);
	lineout_end(&o);
	same("no newline added after one", "a\nb\n");

	/* the last object's held bytes are not the next one's */
	feed(&o, open);
	feed(&o, whole);
	lineout_end(&o);
	same("begin forgets", "a\nbc\n");

	/* over the cap: put as it comes */
	feed(&o, longl);
	same("a line over the cap is put as it comes", "0123456789ab\n");
	lineout_end(&o);
	same("and the next line is held again", "0123456789ab\ncd\n");

	feed(&o, grow);
	same("held up to the cap, then put", "012345678");
	buf_reset(&msg);
	CHECK(lineout_fail(&o, &msg) == 0 &&
	      strcmp(msg.p, "; its last line, unfinished and over 8 bytes, "
		     "is cut short") == 0, "an over-long failure: [%s]",
	      msg.p);
	same("an over-long line of a failed object ends in a newline",
	     "012345678\n");

	/* a CR ends a line too (CRLF, or a bare CR as Hadoop reads it) */
	feed(&o, cr);
	same("a bare CR ends a line", "a\rb\r\nc\r");
	buf_reset(&msg);
	CHECK(lineout_fail(&o, &msg) == 2 && strcmp(msg.p, "; its last 2 "
			"bytes, an unfinished line, not written") == 0,
	      "a bare CR, then a failure: [%s]", msg.p);
	same("a failed object ending in a CR gets a LF", "a\rb\r\nc\r\n");
	feed(&o, crlf);
	same("a CRLF cut between pieces", "a\r\nb\r");
	lineout_end(&o);
	same("a CRLF cut between pieces, at the end", "a\r\nb\r\n");

	/* whole lines are not copied: put gets the caller's bytes */
	buf_reset(&got);
	lineout_begin(&o);
	lineout_write(&o, chunk, strlen(chunk));
	CHECK(lastp == chunk, "whole lines are put from the caller's bytes");
	same("a chunk's whole lines", "x\ny\n");
	lineout_end(&o);

	/* what put returns is passed back */
	buf_reset(&got);
	lineout_begin(&o);
	puts_n = 0;
	stopat = 1;
	CHECK(lineout_write(&o, "a\nb", 3) == 9, "a stop from put");
	stopat = 0;

	lineout_free(&o);
	buf_free(&got);
	buf_free(&msg);
	return unit_end("lineout");
}
