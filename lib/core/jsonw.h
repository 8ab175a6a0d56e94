/* SPDX-License-Identifier: MIT */
/* Writing JSON text: string escaping for output records. */
#ifndef JSONW_H
#define JSONW_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends s[0..n) to b as a quoted JSON string.  '"', '\\' and control
 * characters are escaped; well-formed UTF-8 passes as it is.  A byte that
 * is not part of well-formed UTF-8 is written as \u00XX (the byte's
 * value), so the output is always valid JSON and each such byte can still
 * be told apart from the text around it.
 */
void jsonw_str(struct buf *b, const char *s, size_t n);
/* Appends "key": (key must need no escaping). */
void jsonw_key(struct buf *b, const char *key);

#endif
