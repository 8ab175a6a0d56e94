/* SPDX-License-Identifier: MIT */
/* Hexadecimal digits, read as the C locale reads them. */
#ifndef HEX_H
#define HEX_H

/* The value of the hex digit c (0-9, a-f, A-F), or -1. */
int hex_digit(int c);

#endif
