/* SPDX-License-Identifier: MIT */
/*
 * dynaput's item conversion: ddb_conv_item on any bytes, as a plain
 * JSON line and as a --typed one (DynamoDB JSON, or an export line
 * {"Item":{...}}), with the names a manifest locates (eventId,
 * fingerprint, etlTime, ttl); ddb_unprocessed on the same bytes as a
 * BatchWriteItem answer; and ddb_num_check / ddb_num_canon on every
 * run of number characters in the input.  Checks, beyond the
 * sanitizers:
 *  - a converted item parses as JSON (jansson, duplicates refused), an
 *    object of DynamoDB attribute values; converted again as --typed it
 *    comes out byte for byte the same, with the same spans;
 *  - each span lies inside the item, is empty exactly when the item has
 *    no such attribute, and holds that attribute's value;
 *  - a failure says why, on one line;
 *  - ddb_num_check accepts exactly the texts of BigDecimal's grammar
 *    whose value DynamoDB stores (a reference written here, on digit
 *    positions); the canonical form is "[-]D..DE[-]X", stable (read back
 *    as D.D..EX it gives itself), and two numbers have the same one
 *    exactly when they have the same value; the number respelled (its
 *    point moved, zeros added, the exponent adjusted) keeps it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ddb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "eventId", "fingerprint", "etlTime",
	"ttl" };
#define NNAMES (sizeof names / sizeof names[0])

static void
oneline(const struct buf *b)
{
	size_t i;

	if (!b->len)
		abort();
	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->p[i] < 0x20 || b->p[i] == 0x7f)
			abort();
}

/* --- numbers --- */

/* The reference: a number's digits by position (10^pos), from the text
 * alone.  Returns -1 when the text is not in BigDecimal's grammar. */
#define LOW (-200)
#define HIGH 200
struct ref {
	int neg, zero;
	long long hi, lo;	/* positions of the first, last nonzero digit */
	char d[HIGH - LOW + 1];	/* when in range */
};

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

static int
ref_read(const char *s, size_t n, struct ref *r)
{
	size_t i = 0, ni, nf, i1, f1;
	long long e = 0, pos;
	int eneg = 0;
	size_t k;

	memset(r, 0, sizeof *r);
	if (i < n && (s[i] == '+' || s[i] == '-'))
		r->neg = s[i++] == '-';
	for (i1 = i; i < n && isdig(s[i]); i++)
		;
	ni = i - i1;
	f1 = i;
	nf = 0;
	if (i < n && s[i] == '.') {
		for (f1 = ++i; i < n && isdig(s[i]); i++)
			;
		nf = i - f1;
	}
	if (ni + nf == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == n || !isdig(s[i]))
			return -1;
		for (; i < n && isdig(s[i]); i++)
			if (e < 1000000000000LL)
				e = e * 10 + (s[i] - '0');
		if (eneg)
			e = -e;
	}
	if (i != n)
		return -1;
	r->zero = 1;
	for (k = 0; k < ni + nf; k++) {
		char c = k < ni ? s[i1 + k] : s[f1 + k - ni];

		pos = k < ni ? e + (long long)(ni - 1 - k) :
		    e - 1 - (long long)(k - ni);
		if (c == '0')
			continue;
		if (r->zero || pos > r->hi)
			r->hi = pos;
		if (r->zero || pos < r->lo)
			r->lo = pos;
		r->zero = 0;
		if (pos >= LOW && pos <= HIGH)
			r->d[pos - LOW] = c;
	}
	return 0;
}

/* DynamoDB stores it: zero, or 1E-130 <= |x| < 1E126 with at most 38
 * significant digits. */
static int
ref_ok(const struct ref *r)
{
	return r->zero || (r->hi <= 125 && r->hi >= -130 &&
			   r->hi - r->lo + 1 <= 38);
}

static int
ref_equal(const struct ref *a, const struct ref *b)
{
	if (a->zero || b->zero)
		return a->zero && b->zero;
	return a->neg == b->neg && !memcmp(a->d, b->d, sizeof a->d);
}

/* The canonical form of s[0..n), which passes ddb_num_check. */
static void
canon(struct buf *c, const char *s, size_t n)
{
	buf_reset(c);
	ddb_num_canon(c, s, n);
	if (strlen(c->p) != c->len)
		abort();
}

static struct buf why, c1, c2, alt;

/* The canonical form c of a number of value r: "0", or its digits from
 * the first nonzero to the last, 'E', the exponent of the first. */
static void
canon_form(const struct buf *c, const struct ref *r)
{
	const char *p = c->p, *e;
	char want[24];

	if (r->zero) {
		if (strcmp(p, "0"))
			abort();
		return;
	}
	if (r->neg && *p++ != '-')
		abort();
	e = strchr(p, 'E');
	if (!e || e == p || *p == '0' || e[-1] == '0' ||
	    e - p != r->hi - r->lo + 1)
		abort();
	snprintf(want, sizeof want, "%lld", r->hi);
	if (strcmp(e + 1, want))
		abort();
	/* read back as D.DDDEX it gives itself */
	buf_reset(&alt);
	buf_add(&alt, c->p, (size_t)(p - c->p) + 1);
	if (e - p > 1) {
		buf_addc(&alt, '.');
		buf_add(&alt, p + 1, (size_t)(e - p - 1));
	}
	buf_adds(&alt, e);
	if (ddb_num_check(alt.p, alt.len, &why) < 0)
		abort();
	canon(&c2, alt.p, alt.len);
	if (strcmp(c2.p, c->p))
		abort();
}

/* The number respelled: all its digits, the point after the k-th,
 * zeros before and after, and the exponent that keeps its value. */
static void
respell(struct buf *b, const char *s, size_t n, size_t k)
{
	size_t i, nd = 0, n1 = 0;
	long long e = 0;
	int point = 0, eneg = 0;
	const char *x = memchr(s, 'e', n);

	buf_reset(b);
	if (!x)
		x = memchr(s, 'E', n);
	if (x) {
		const char *q = x + 1;

		if (*q == '+' || *q == '-')
			eneg = *q++ == '-';
		if (s + n - q > 12)
			return;		/* far too large anyway */
		for (; q < s + n; q++)
			e = e * 10 + (*q - '0');
		if (eneg)
			e = -e;
	}
	if (*s == '-')
		buf_addc(b, '-');
	buf_adds(b, "00");
	for (i = 0; s + i < (x ? x : s + n); i++) {
		if (s[i] == '.') {
			point = 1;
		} else if (isdig(s[i])) {
			if (nd == k)
				buf_addc(b, '.');
			buf_addc(b, s[i]);
			nd++;
			n1 += !point;
		}
	}
	if (k >= nd)
		buf_addc(b, '.');
	buf_printf(b, "00E%lld", e + (long long)n1 - (long long)(k < nd ? k : nd));
}

static void
number(const char *s, size_t n, const char *prev, size_t pn)
{
	struct ref r, q;
	int ok = ref_read(s, n, &r) == 0 && ref_ok(&r);

	if ((ddb_num_check(s, n, &why) == 0) != ok)
		abort();
	if (!ok) {
		if (!why.len)
			abort();
		return;
	}
	if (why.len)
		abort();
	canon(&c1, s, n);
	canon_form(&c1, &r);
	respell(&alt, s, n, n % 7);
	if (alt.len) {
		if (ref_read(alt.p, alt.len, &q) < 0 || !ref_equal(&r, &q) ||
		    ddb_num_check(alt.p, alt.len, &why) < 0)
			abort();
		canon(&c2, alt.p, alt.len);
		if (strcmp(c1.p, c2.p))
			abort();
	}
	/* against the number before it */
	if (prev && ref_read(prev, pn, &q) == 0 && ref_ok(&q)) {
		canon(&c2, prev, pn);
		if ((strcmp(c1.p, c2.p) == 0) != ref_equal(&r, &q))
			abort();
	}
}

static int
numchar(char c)
{
	return isdig(c) || c == '-' || c == '+' || c == '.' || c == 'e' ||
	       c == 'E';
}

static void
numbers(const char *s, size_t n)
{
	const char *prev = NULL;
	size_t i = 0, j, pn = 0;

	while (i < n) {
		if (!numchar(s[i])) {
			i++;
			continue;
		}
		for (j = i; j < n && numchar(s[j]); j++)
			;
		if (j - i <= 400) {
			number(s + i, j - i, prev, pn);
			prev = s + i;
			pn = j - i;
		}
		i = j;
	}
}

/* --- items --- */

static struct ddb_conv *plain, *typed;
static struct buf out, out2, err, key;

static void
check_item(const struct buf *o, const struct ddb_span *at)
{
	json_error_t je;
	json_t *root, *v, *x;
	const char *k;
	size_t i;

	root = json_loadb(o->p, o->len, JSON_REJECT_DUPLICATES |
			  JSON_ALLOW_NUL, &je);
	if (!root || !json_is_object(root))
		abort();
	json_object_foreach(root, k, v)
		if (!json_is_object(v) || json_object_size(v) != 1)
			abort();
	for (i = 0; i < NNAMES; i++) {
		v = json_object_get(root, names[i]);
		if (!at[i].len) {
			if (v || at[i].off)
				abort();
			continue;
		}
		if (!v || at[i].off + at[i].len > o->len)
			abort();
		x = json_loadb(o->p + at[i].off, at[i].len, JSON_DECODE_ANY |
			       JSON_ALLOW_NUL, &je);
		if (!x || !json_equal(x, v))
			abort();
		json_decref(x);
	}
	json_decref(root);
	/* the keys the manifest's table has, and the writer's */
	buf_reset(&key);
	if (ddb_key(&key, o->p, at, 2) < 0 && at[0].len && at[1].len)
		abort();
}

static void
convert(struct ddb_conv *c, const char *line, size_t n)
{
	struct ddb_span at[NNAMES], at2[NNAMES];

	buf_reset(&out);
	buf_reset(&err);
	if (ddb_conv_item(c, line, n, &out, at, &err) < 0) {
		oneline(&err);
		return;
	}
	if (err.len)
		abort();
	check_item(&out, at);
	/* the canonical spelling: the same again as --typed */
	buf_reset(&out2);
	if (ddb_conv_item(typed, out.p, out.len, &out2, at2, &err) < 0 ||
	    out2.len != out.len || memcmp(out.p, out2.p, out.len) ||
	    memcmp(at, at2, sizeof at))
		abort();
}

static size_t nkeys;

static void
onkey(void *ctx, const char *k, size_t len)
{
	(void)ctx;
	(void)k;
	if (!len)
		abort();
	nkeys++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;
	int r;

	if (!plain) {
		plain = ddb_conv_new(0, names, NNAMES);
		typed = ddb_conv_new(1, names, NNAMES);
	}
	/* an exact-size copy, so reading past the line is caught */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	convert(plain, copy, size);
	convert(typed, copy, size);
	nkeys = 0;
	r = ddb_unprocessed(typed, 2, "man", copy, size, onkey, NULL);
	if (r < -1 || (r >= 0 && (size_t)r != nkeys))
		abort();
	numbers(copy, size);
	free(copy);
	return 0;
}
