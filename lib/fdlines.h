/* SPDX-License-Identifier: MIT */
/*
 * Lines from the file operands in order, or from stdin when there are
 * none ("-" also means stdin), for a program that must never wait on its
 * input while it has other work: a pipe or a terminal is read only when
 * poll(2) says a read will not block.  fdlines_next then returns
 * FDLINES_AGAIN, and the caller waits for POLLIN on fdlines_fd (with its
 * sockets) before it asks again.  Regular files are read as they come.
 *
 * A line is returned without its LF, and without a CR right before it,
 * NUL-terminated in place; its length counts NUL bytes inside it, and a
 * last line without a newline is a line.  An input that cannot be opened
 * or read is reported ("prog: name: reason"), status becomes EXIT_PARTIAL
 * and the next operand follows.  Memory is the longest line plus a read's
 * worth; with maxline set, a longer line is returned cut to its first
 * maxline bytes, with cut set, and the rest of it is skipped.
 */
#ifndef FDLINES_H
#define FDLINES_H

#include <sys/types.h>

#include "buf.h"

#define FDLINES_END (-1)	/* every input is done */
#define FDLINES_AGAIN (-2)	/* no whole line without waiting */

struct fdlines {
	char **names;		/* operands, none = stdin */
	int n, i;
	int fd;			/* -1: none open */
	const char *name;	/* current input, "-" for stdin */
	unsigned long long lineno;	/* of the last line, in its input */
	int waitable;		/* pipe, socket, terminal: poll first */
	int eof;		/* the current input has ended */
	struct buf b;		/* read: [pos, len) not yet returned */
	size_t pos, scanned;	/* scanned: no LF in [pos, scanned) */
	int status;		/* EXIT_OK, or EXIT_PARTIAL after an error */
	size_t maxline;		/* 0: no limit; set after fdlines_open */
	int cut;		/* the line returned was longer than maxline */
	int skipping;		/* dropping the rest of a cut line */
};

void fdlines_open(struct fdlines *r, int argc, char **argv);
/* Sets *line (valid until the next call) and returns its length, or
 * returns FDLINES_AGAIN or FDLINES_END. */
ssize_t fdlines_next(struct fdlines *r, char **line);
/* The descriptor to wait on after FDLINES_AGAIN. */
int fdlines_fd(const struct fdlines *r);
void fdlines_close(struct fdlines *r);

#endif
