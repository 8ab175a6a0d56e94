/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "utf8.h"

static int
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void
escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"': buf_add(b, "\\\"", 2); break;
	case '\\': buf_add(b, "\\\\", 2); break;
	case '\n': buf_add(b, "\\n", 2); break;
	case '\r': buf_add(b, "\\r", 2); break;
	case '\t': buf_add(b, "\\t", 2); break;
	case '\b': buf_add(b, "\\b", 2); break;
	case '\f': buf_add(b, "\\f", 2); break;
	default: buf_add(b, u, 6); break;
	}
}

void
jsonw_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *run;
	size_t k;

	buf_grow(b, n + 2);
	buf_addc(b, '"');
	while (p < e) {
		run = p;
		while (p < e && plain(*p))
			p++;
		if (p > run)
			buf_add(b, run, (size_t)(p - run));
		if (p == e)
			break;
		if (*p >= 0x80 && (k = utf8_seq(p, (size_t)(e - p)))) {
			buf_add(b, p, k);
			p += k;
		} else {
			escape(b, *p++);
		}
	}
	buf_addc(b, '"');
}

void
jsonw_key(struct buf *b, const char *key)
{
	buf_addc(b, '"');
	buf_adds(b, key);
	buf_add(b, "\":", 2);
}
