/* SPDX-License-Identifier: MIT */
/*
 * The line reader every program shares: lines from the file operands in
 * order, or from stdin when there are none ("-" also means stdin).
 *
 *	struct lineio in;
 *	lineio_open(&in, argc, argv);
 *	in.cr = 1;			(optional settings)
 *	while ((n = lineio_next(&in, &line)) >= 0)
 *		...
 *	lineio_close(&in);
 *
 * lineio_next waits for its input; lineio_trynext never does: a pipe or
 * a terminal is read only when poll(2) says a read will not block, else
 * it returns LINEIO_AGAIN, and the caller waits for POLLIN on
 * lineio_fd (with its other descriptors) before it asks again.
 *
 * A line is returned without its ending, NUL-terminated in place (valid
 * until the next call); its length counts NUL bytes inside it, and a
 * last line without an ending is a line.  Endings: LF, with a CR right
 * before it dropped; with cr set, also a bare CR, as Hadoop's LineReader
 * (which Snowplow's jobs read archives with) ends lines.
 *
 * With maxline set, memory stays bounded: a line longer than maxline is
 * read through without being held, and returned cut to its first maxline
 * bytes, with cut set and linelen its whole length.
 *
 * An input that cannot be opened or read is reported ("prog: name:
 * reason"), status becomes EXIT_PARTIAL and the next operand follows.
 */
#ifndef LINEIO_H
#define LINEIO_H

#include <sys/types.h>

#include "buf.h"

#define LINEIO_END (-1)		/* every input is done */
#define LINEIO_AGAIN (-2)	/* lineio_trynext: no whole line yet */

struct lineio {
	/* settings: zero after lineio_open, set them before the first line */
	size_t maxline;		/* 0: no limit */
	int cr;			/* a bare CR ends a line too */

	/* about the line returned last */
	const char *name;	/* its input, "-" for stdin */
	unsigned long long lineno;	/* in its input, from 1 */
	int cut;		/* longer than maxline: only its start */
	unsigned long long linelen;	/* its whole length, when cut */
	int status;		/* EXIT_OK, or EXIT_PARTIAL after an error */

	/* private */
	char **names;
	int n, i;
	int fd;			/* -1: none open */
	int waitable, eof, skipping;
	struct buf b;		/* [pos, len) not yet returned */
	size_t pos, scanned;	/* no ending in [pos, scanned) */
};

void lineio_open(struct lineio *r, int argc, char **argv);
/* Sets *line and returns its length, or returns LINEIO_END. */
ssize_t lineio_next(struct lineio *r, char **line);
/* The same, or LINEIO_AGAIN when a whole line needs a wait. */
ssize_t lineio_trynext(struct lineio *r, char **line);
/* The descriptor to wait on after LINEIO_AGAIN. */
int lineio_fd(const struct lineio *r);
void lineio_close(struct lineio *r);

/*
 * The record loop of a filter: each line of the operands (or stdin), in
 * order, to fn, with the reader (for its name, line number, cut);
 * stdout is checked after each line, so a full disk stops the loop.
 * Returns EXIT_OK, or EXIT_PARTIAL when an input failed.
 */
typedef void (*lineio_fn)(char *line, size_t n, const struct lineio *in);
int lineio_loop(int argc, char **argv, int cr, size_t maxline, lineio_fn fn);

#endif
