/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "utf8.h"
#include "unit.h"

static const struct {
	const char *in;
	size_t n;		/* 0: strlen */
	const char *want;
} cases[] = {
	{ "", 0, "\"\"" },
	{ "abc", 0, "\"abc\"" },
	{ "a\"b\\c", 0, "\"a\\\"b\\\\c\"" },
	{ "\n\r\t\b\f", 0, "\"\\n\\r\\t\\b\\f\"" },
	{ "\x01\x1f\x7f", 0, "\"\\u0001\\u001f\x7f\"" },
	{ "a\0b", 3, "\"a\\u0000b\"" },
	{ "caf\xc3\xa9", 0, "\"caf\xc3\xa9\"" },
	{ "\xe1\x88\xb4", 0, "\"\xe1\x88\xb4\"" },
	{ "\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\"" },
	{ "\xff", 0, "\"\\u00ff\"" },
	{ "a\xc3", 0, "\"a\\u00c3\"" },
	{ "\xc0\xaf", 0, "\"\\u00c0\\u00af\"" },		/* overlong */
	{ "\xed\xa0\x80", 0, "\"\\u00ed\\u00a0\\u0080\"" },	/* surrogate */
	{ "\xf4\x90\x80\x80", 0, "\"\\u00f4\\u0090\\u0080\\u0080\"" },
	{ "</script>", 0, "\"</script>\"" },
};

int
main(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);

		buf_reset(&b);
		jsonw_str(&b, cases[i].in, n);
		CHECK(b.len == strlen(cases[i].want) &&
		      memcmp(b.p, cases[i].want, b.len) == 0,
		      "case %zu: got %s want %s", i, b.p, cases[i].want);
	}
	CHECK(utf8_valid("caf\xc3\xa9", 5), "valid utf8 refused");
	CHECK(!utf8_valid("caf\xc3", 4), "cut utf8 accepted");
	CHECK(!utf8_valid("\xe0\x80\x80", 3), "overlong accepted");
	CHECK(utf8_valid("", 0), "empty refused");

	buf_reset(&b);
	buf_addi64(&b, -9223372036854775807LL - 1);
	CHECK(strcmp(b.p, "-9223372036854775808") == 0, "i64 min: %s", b.p);
	buf_reset(&b);
	buf_addi64(&b, 0);
	buf_addc(&b, ' ');
	buf_addi64(&b, 1495788400);
	CHECK(strcmp(b.p, "0 1495788400") == 0, "i64: %s", b.p);
	buf_reset(&b);
	buf_printf(&b, "%s-%d", "x", 42);
	buf_addhex(&b, (const unsigned char *)"\x00\xff", 2);
	CHECK(strcmp(buf_str(&b), "x-4200ff") == 0, "printf/hex: %s", b.p);
	buf_consume(&b, 2);
	CHECK(strcmp(b.p, "4200ff") == 0 && b.len == 6, "consume: %s", b.p);
	buf_free(&b);
	CHECK(strcmp(buf_str(&b), "") == 0, "freed buf not empty");
	return unit_end("jsonw");
}
