/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "ddb.h"

#define EXP_SAT 1000000000L	/* exponents beyond this saturate */
#define MAX_DIGITS 38
#define MAX_EXP 125
#define MIN_EXP (-130)

/* A number's text, taken apart: digits d[0..nd) of which the first nint
 * come before the point, times 10^exp. */
struct num {
	int neg;
	const char *d1, *d2;	/* the digits before and after the point */
	size_t n1, n2;
	long exp;
};

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* DynamoDB reads numbers as Java's BigDecimal:
 * [+-]digits[.digits][e[+-]digits], digits on one side of the point at
 * least. */
static int
parse(const char *s, size_t n, struct num *v)
{
	const char *p = s, *e = s + n;
	int eneg = 0;

	memset(v, 0, sizeof *v);
	if (p < e && (*p == '-' || *p == '+'))
		v->neg = *p++ == '-';
	v->d1 = p;
	while (p < e && isdig(*p))
		p++;
	v->n1 = (size_t)(p - v->d1);
	v->d2 = p;
	if (p < e && *p == '.') {
		v->d2 = ++p;
		while (p < e && isdig(*p))
			p++;
		v->n2 = (size_t)(p - v->d2);
	}
	if (v->n1 + v->n2 == 0)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		if (p == e || !isdig(*p))
			return -1;
		for (; p < e && isdig(*p); p++)
			if (v->exp < EXP_SAT)
				v->exp = v->exp * 10 + (*p - '0');
		if (eneg)
			v->exp = -v->exp;
	}
	return p == e ? 0 : -1;
}

static char
digit(const struct num *v, size_t i)
{
	return i < v->n1 ? v->d1[i] : v->d2[i - v->n1];
}

/* The first and last nonzero digits; -1 when the number is zero. */
static int
span(const struct num *v, size_t *first, size_t *last)
{
	size_t nd = v->n1 + v->n2, i;

	for (i = 0; i < nd && digit(v, i) == '0'; i++)
		;
	if (i == nd)
		return -1;
	*first = i;
	for (i = nd; digit(v, i - 1) == '0'; i--)
		;
	*last = i - 1;
	return 0;
}

/* The exponent of the number written as d.ddd x 10^adj. */
static long
adjusted(const struct num *v, size_t first)
{
	return v->exp + (long)v->n1 - 1 - (long)first;
}

int
ddb_num_check(const char *s, size_t n, struct buf *why)
{
	struct num v;
	size_t first, last;
	long adj;

	buf_reset(why);
	if (parse(s, n, &v) < 0) {
		buf_adds(why, "The parameter cannot be converted to a numeric "
			 "value");
		return -1;
	}
	if (span(&v, &first, &last) < 0)
		return 0;
	adj = adjusted(&v, first);
	if (adj > MAX_EXP) {
		buf_adds(why, "Number overflow. Attempting to store a number "
			 "with magnitude larger than supported range");
		return -1;
	}
	if (adj < MIN_EXP) {
		buf_adds(why, "Number underflow. Attempting to store a number "
			 "with magnitude smaller than supported range");
		return -1;
	}
	if (last - first + 1 > MAX_DIGITS) {
		buf_adds(why, "Attempting to store more than 38 significant "
			 "digits in a Number");
		return -1;
	}
	return 0;
}

void
ddb_num_canon(struct buf *b, const char *s, size_t n)
{
	struct num v;
	size_t first, last, i;

	if (parse(s, n, &v) < 0 || span(&v, &first, &last) < 0) {
		buf_addc(b, '0');
		return;
	}
	if (v.neg)
		buf_addc(b, '-');
	for (i = first; i <= last; i++)
		buf_addc(b, digit(&v, i));
	buf_addc(b, 'E');
	buf_addi64(b, adjusted(&v, first));
}
