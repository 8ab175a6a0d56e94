/* SPDX-License-Identifier: MIT */
/*
 * One object after another on their way to a stream (s3cat's stdout):
 * each object's raw bytes decoded (lib/core/decode: gzip, bzip2, zstd,
 * or plain), then written in whole lines (lib/core/lineout), so that an
 * object that fails leaves no unfinished line downstream.
 *
 *	objout_init(&o, stdout, "stdout", maxsize, maxratio);
 *	objout_begin(&o);
 *	objout_write(&o, p, n) ...	(or objout_fd(&o, fd, ...))
 *	if (failed || objout_end(&o) < 0)
 *		objout_fail(&o, &why);	(objout_error(&o) says why)
 *	objout_free(&o);
 *
 * A write error on the stream ends the program (fcheck): the output is
 * all there is to write to.
 */
#ifndef OBJOUT_H
#define OBJOUT_H

#include <signal.h>
#include <stdio.h>

#include "buf.h"
#include "decode.h"
#include "lineout.h"

struct objout {
	struct decode *dec;
	struct lineout lo;
	FILE *fp;
	const char *name;	/* fp's, for a write error */
	unsigned long long out;	/* bytes written, all objects */
};

/* Limits for each object as decode_limit takes them (0: none). */
void objout_init(struct objout *o, FILE *fp, const char *name,
		 unsigned long long maxsize, unsigned long long maxratio);
/* The next object begins. */
void objout_begin(struct objout *o);
/* n more raw bytes: 0, or -1 when they do not decode. */
int objout_write(struct objout *o, const char *p, size_t n);
/* The object's raw bytes end here: 0 when its data ended whole (what it
 * held goes out), -1 when it did not decode to its end. */
int objout_end(struct objout *o);
/* A whole file's bytes, then its end, as decode_fd reads them: 0, -1,
 * or DECODE_STOPPED when *stop was set (the object then is neither
 * ended nor failed). */
int objout_fd(struct objout *o, int fd, const volatile sig_atomic_t *stop,
	      unsigned long long *nread);
/* The object failed (however): what it held is dropped, and msg says
 * what of its output was not written (lineout_fail). */
void objout_fail(struct objout *o, struct buf *msg);
/* Why objout_write, _end or _fd returned -1. */
const char *objout_error(const struct objout *o);
void objout_free(struct objout *o);

#endif
