/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer.  p is NUL-terminated after every call that
 * adds bytes (the NUL is not counted in len), so it can be passed to C
 * string functions when the bytes hold none.  Growing may move p: keep
 * no pointer into it across an add.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT { 0, 0, 0 }

/* Makes room for at least extra more bytes (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, int c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends the decimal text of v. */
void buf_addi64(struct buf *b, long long v);
/* Appends n bytes as lowercase hex. */
void buf_addhex(struct buf *b, const unsigned char *p, size_t n);
/* Empties b, keeping its memory. */
void buf_reset(struct buf *b);
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* The bytes as a string: "" when nothing was ever added. */
const char *buf_str(const struct buf *b);
/* Hands p to the caller (NUL-terminated, never NULL); b is empty after. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
