/* SPDX-License-Identifier: MIT */
/*
 * Streaming decoding of an object's raw bytes: gzip when they start with
 * the gzip magic (1f 8b), whatever the object is called, else the bytes
 * as they are.
 *
 *	struct gunzip g;
 *	gunzip_init(&g);
 *	while (more raw bytes)
 *		if (gunzip_write(&g, p, n, emit, ctx) != 0) ... stop
 *	if (gunzip_end(&g, emit, ctx) != 0) ... stop
 *	gunzip_free(&g);
 *
 * A gzip stream may hold many members (gzip a b >c, or files joined
 * with cat): each is decoded in turn, to the end of the bytes.  Zero
 * bytes after a member (block padding) are skipped.  Anything else that
 * is not a gzip member, a bad CRC or length, and a stream that stops
 * inside a member are errors.
 *
 * The bytes fed are consumed whole on every call, so a caller may feed
 * them as they come off the network, a resumed transfer picking up at
 * the byte offset it had reached.
 */
#ifndef GUNZIP_H
#define GUNZIP_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

/* Takes n decoded bytes; returns 0, or nonzero to stop (passed back). */
typedef int (*gunzip_emit_fn)(void *ctx, const char *p, size_t n);

struct gunzip {
	z_stream z;
	int state;
	int zinit;		/* z needs inflateEnd */
	unsigned char held;	/* a first byte, until the second comes */
	int nheld;
	unsigned char *out;	/* the decoding window handed to emit */
	size_t outcap;
	uint64_t in;		/* raw bytes taken */
	char err[96];
};

/* Ready for a first object.  outcap 0: a default of 256 KiB. */
void gunzip_init(struct gunzip *g, size_t outcap);
/* Ready for the next object; keeps the memory. */
void gunzip_reset(struct gunzip *g);
/*
 * Decodes n more raw bytes, calling emit for every run of output.
 * Returns 0; -1 when the bytes are not valid gzip (gunzip_error says
 * why; later calls return -1 too); or the nonzero value emit returned.
 */
int gunzip_write(struct gunzip *g, const void *p, size_t n,
		 gunzip_emit_fn emit, void *ctx);
/* The end of the raw bytes: -1 when a gzip member was cut short. */
int gunzip_end(struct gunzip *g, gunzip_emit_fn emit, void *ctx);
/* Why the last call returned -1, e.g. "gzip: invalid distance too far". */
const char *gunzip_error(const struct gunzip *g);
void gunzip_free(struct gunzip *g);

#endif
