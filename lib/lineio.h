/* SPDX-License-Identifier: MIT */
/*
 * The record loop every program shares: lines from the file operands in
 * order, or from stdin when there are none ("-" also means stdin).
 *
 * A line is returned without its LF, and without a CR right before it.
 * Its length comes from getline, so NUL bytes and a missing final newline
 * are handled.  An input that cannot be opened or read is reported
 * ("prog: name: reason"), status becomes EXIT_PARTIAL, and the loop goes
 * on with the next operand.
 */
#ifndef LINEIO_H
#define LINEIO_H

#include <stdio.h>
#include <sys/types.h>

struct lineio {
	char **names;		/* operands, none = stdin */
	int n, i;
	FILE *f;
	const char *name;	/* current input, "-" for stdin */
	unsigned long long lineno;	/* in the current input */
	char *line;
	size_t cap;
	int status;		/* EXIT_OK, or EXIT_PARTIAL after an input error */
};

void lineio_open(struct lineio *r, int argc, char **argv);
/* Sets *line (valid until the next call) and returns its length, or
 * returns -1 when every input is done. */
ssize_t lineio_next(struct lineio *r, char **line);
void lineio_close(struct lineio *r);

#endif
