/* SPDX-License-Identifier: MIT */
#include "utf8.h"

static int
cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && cont(s[1]) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || !cont(s[1]) || !cont(s[2]))
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)	/* overlong */
			return 0;
		if (c == 0xED && s[1] >= 0xA0)	/* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || !cont(s[1]) || !cont(s[2]) || !cont(s[3]))
			return 0;
		if (c == 0xF0 && s[1] < 0x90)	/* overlong */
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)	/* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	size_t k;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (!(k = utf8_seq(p, (size_t)(e - p))))
			return 0;
		p += k;
	}
	return 1;
}
