/* SPDX-License-Identifier: MIT */
/*
 * A Snowplow bad row, as eventcut and dynaput set lines aside:
 *
 *	{"line":"...","errors":[{"level":"error","message":"..."}],
 *	 "failure_tstamp":"2026-12-01T10:00:00.000Z"}
 *
 * on one line.  The line and messages are escaped by jsonw_str, so a
 * bad row is valid JSON whatever bytes the line held.
 *
 *	badrow_begin(b, line, n);
 *	badrow_error(b, msg, strlen(msg));	(once per problem)
 *	badrow_end(b, ms);
 */
#ifndef BADROW_H
#define BADROW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Empties b and starts a bad row for line[0..n). */
void badrow_begin(struct buf *b, const char *line, size_t n);
/* Adds one error, in order. */
void badrow_error(struct buf *b, const char *msg, size_t n);
/* Ends the row, failed at ms milliseconds since the epoch, with a
 * newline. */
void badrow_end(struct buf *b, int64_t ms);
/* Milliseconds since the epoch, now. */
int64_t badrow_now(void);

#endif
