/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "fshut.h"
#include "objout.h"

static int
put(void *ctx, const char *p, size_t n)
{
	struct objout *o = ctx;

	if (fwrite(p, 1, n, o->fp) != n)
		fcheck(o->fp, o->name);
	o->out += n;
	return 0;
}

void
objout_init(struct objout *o, FILE *fp, const char *name,
	    unsigned long long maxsize, unsigned long long maxratio)
{
	o->fp = fp;
	o->name = name;
	o->out = 0;
	o->dec = decode_new(0);
	decode_limit(o->dec, maxsize, maxratio);
	lineout_init(&o->lo, LINEOUT_HOLD, put, o);
}

void
objout_begin(struct objout *o)
{
	decode_reset(o->dec);
	lineout_begin(&o->lo);
}

int
objout_write(struct objout *o, const char *p, size_t n)
{
	return decode_write(o->dec, p, n, lineout_write, &o->lo) ? -1 : 0;
}

int
objout_end(struct objout *o)
{
	if (decode_end(o->dec, lineout_write, &o->lo) != 0)
		return -1;
	lineout_end(&o->lo);
	return 0;
}

int
objout_fd(struct objout *o, int fd, const volatile sig_atomic_t *stop,
	  unsigned long long *nread)
{
	int rc = decode_fd(o->dec, fd, stop, nread, lineout_write, &o->lo);

	if (rc == 0)
		lineout_end(&o->lo);
	return rc;
}

void
objout_fail(struct objout *o, struct buf *msg)
{
	lineout_fail(&o->lo, msg);
}

const char *
objout_error(const struct objout *o)
{
	return decode_error(o->dec);
}

void
objout_free(struct objout *o)
{
	decode_free(o->dec);
	lineout_free(&o->lo);
}
