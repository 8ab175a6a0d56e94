/* SPDX-License-Identifier: MIT */
/*
 * Streaming decoding of an object's raw bytes, the format told by its
 * first bytes (magic), whatever the object is called:
 *
 *	gzip	1f 8b			read (zlib), member after member
 *	bzip2	"BZh" 1-9 + a block	read (libbz2), stream after stream
 *	zstd	28 b5 2f fd		read (libzstd), frame after frame;
 *		50-5f 2a 4d 18		skippable frames are skipped
 *	xz, lz4, lzop, lzip, zlib, snappy (framed), zip, 7z, Unix compress
 *				an error naming the format: not read
 *	anything else		plain: the bytes as they are
 *
 *	struct decode *d = decode_new(0);
 *	while (more raw bytes)
 *		if (decode_write(d, p, n, emit, ctx) != 0) ... stop
 *	if (decode_end(d, emit, ctx) != 0) ... stop
 *	decode_reset(d);	... the next object
 *	decode_free(d);
 *
 * Compressed data may hold many members, streams or frames of its one
 * format (gzip a b >c, cat a.bz2 b.bz2, pbzip2, zstd -B): each is decoded
 * in turn, to the end of the bytes.  Zero bytes after a gzip member are
 * padding.  Anything else after the data (another format, garbage), a
 * bad check value or length, and data that stops inside a member,
 * stream or frame are errors.  A zstd frame that needs a window over
 * 128 MiB (zstd --long=28 and up) is refused: memory stays bounded.
 *
 * The bytes fed are consumed whole on every call, so a caller may feed
 * them as they come off the network, a resumed transfer picking up at
 * the byte offset it had reached.
 */
#ifndef DECODE_H
#define DECODE_H

#include <signal.h>
#include <stddef.h>

/* Takes n decoded bytes; returns 0, or nonzero to stop (passed back). */
typedef int (*decode_emit_fn)(void *ctx, const char *p, size_t n);

struct decode;

/* Ready for a first object.  outcap: the most bytes handed to emit at
 * once (0: 256 KiB).  Never NULL: it dies when out of memory. */
struct decode *decode_new(size_t outcap);
/* Ready for the next object, after an end, an error or a stop; keeps
 * the memory. */
void decode_reset(struct decode *d);
/*
 * Limits for each object from now on (0: none): a call whose output
 * takes the object past maxout decoded bytes, or past maxratio times the
 * raw bytes fed once the output is over 1 MiB (a gzip bomb: 1,000 to 1
 * and more), fails as a bad object does ("gzip: over N bytes decoded
 * (the limit)"), the bytes over it not given to emit.
 */
void decode_limit(struct decode *d, unsigned long long maxout,
		  unsigned long long maxratio);
/*
 * Decodes n more raw bytes, calling emit for every run of output.
 * Returns 0; -1 when the bytes cannot be read (decode_error says why;
 * later calls return -1 too); or the nonzero value emit returned, after
 * which only decode_reset and decode_free may follow.
 */
int decode_write(struct decode *d, const void *p, size_t n,
		 decode_emit_fn emit, void *ctx);
/* The end of the raw bytes: -1 when the data was cut short (or an
 * earlier call failed), else as decode_write. */
int decode_end(struct decode *d, decode_emit_fn emit, void *ctx);
#define DECODE_STOPPED (-2)	/* decode_fd: *stop said so */

/*
 * Decodes what the file fd holds, to its end: decode_write on each read
 * (of 1 MiB), then decode_end; *nread adds the raw bytes read.  Between
 * two reads it looks at *stop (NULL: never), and returns DECODE_STOPPED
 * when it is nonzero, the rest unread.  Otherwise returns as decode_end,
 * a failed read being -1 too ("read error: REASON").  fd stays open.
 */
int decode_fd(struct decode *d, int fd, const volatile sig_atomic_t *stop,
	      unsigned long long *nread, decode_emit_fn emit, void *ctx);
/*
 * Why the last call returned -1: the format, then the reason, e.g.
 * "gzip: invalid distance too far back", "bzip2: data integrity error",
 * "zstd: unexpected end of data (truncated)", "xz-compressed data: not
 * read (gzip, bzip2 and zstd are)".  Valid until the next call.
 */
const char *decode_error(const struct decode *d);
/* NULL is fine. */
void decode_free(struct decode *d);

#endif
