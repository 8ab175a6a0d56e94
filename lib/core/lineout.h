/* SPDX-License-Identifier: MIT */
/*
 * One object's decoded bytes on their way out, in whole lines: the bytes
 * after the object's last line end so far (a LF, or a CR, which ends a
 * line too for Hadoop's LineReader and lineio's cr mode) are held back
 * until the object ends.  When it ends cleanly they go out, with a LF
 * when the output does not end in one (an empty object puts nothing);
 * when it fails (cut short, corrupt, changed, given up) they are
 * dropped, so a reader downstream never gets an unfinished line as if it
 * were whole.  Either way the object's output ends in a LF.
 *
 *	lineout_init(&o, LINEOUT_HOLD, put, ctx);
 *	lineout_begin(&o);
 *	decode_write(d, p, n, lineout_write, &o) ...
 *	ok ? lineout_end(&o) : lineout_fail(&o, &msg);
 *
 * Memory is bounded: a line longer than the cap is not held but put as
 * it comes (no enriched event is that long; eventcut refuses such a
 * line), and if its object then fails, the part put is ended with a
 * newline.  Whole lines are handed to put as they come, not copied.
 */
#ifndef LINEOUT_H
#define LINEOUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* s3cat's cap on an unfinished line held back: 16 MiB */
#define LINEOUT_HOLD (16u << 20)

/* Takes n bytes on their way out; returns 0, or nonzero to stop (the
 * call that got it passes it back). */
typedef int (*lineout_put_fn)(void *ctx, const char *p, size_t n);

struct lineout {
	lineout_put_fn put;
	void *ctx;
	size_t cap;
	struct buf held;	/* the unfinished line */
	uint64_t n;		/* bytes put for this object */
	char last;		/* the last of them */
	int over;		/* the unfinished line was over cap: put */
};

/* Ready for a first object; nothing is allocated until a line is held. */
void lineout_init(struct lineout *o, size_t cap, lineout_put_fn put,
		  void *ctx);
/* Ready for the next object (whatever was held is forgotten). */
void lineout_begin(struct lineout *o);
/*
 * Takes n more bytes of the object (ctx: the struct lineout, so it can
 * be decode_write's emit).  Returns 0 or what put returned.
 */
int lineout_write(void *ctx, const char *p, size_t n);
/* The object ended cleanly: the held bytes go out, and a newline if the
 * output does not end in one.  Returns 0 or what put returned. */
int lineout_end(struct lineout *o);
/*
 * The object failed: drops the held bytes and appends to msg why the
 * output stops where it does ("; its last 123 bytes, an unfinished line,
 * not written"), or nothing when the output ended on a line end.  A line
 * over the cap, partly put, is ended with a LF, as is output ending in
 * a CR.  Returns how many bytes were dropped.
 */
size_t lineout_fail(struct lineout *o, struct buf *msg);
void lineout_free(struct lineout *o);

#endif
