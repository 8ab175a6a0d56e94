/* SPDX-License-Identifier: MIT */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s[0..n) (1 to 4), or 0 if
 * the bytes there are not one (overlong forms, surrogates and code points
 * past U+10FFFF are not).  s[0] must be >= 0x80.
 */
size_t utf8_seq(const unsigned char *s, size_t n);
/* 1 if all of s[0..n) is well-formed UTF-8. */
int utf8_valid(const char *s, size_t n);

#endif
