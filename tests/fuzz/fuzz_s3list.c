/* SPDX-License-Identifier: MIT */
/*
 * A ListObjectsV2 page (lib/aws/s3_list.c) on any bytes.  Checks, beyond
 * the sanitizers: the result does not depend on how the body is cut into
 * pieces (it comes off the network in any): the same verdict (with a
 * reason when it fails), keys, sizes, token and truncation whether fed whole or in pieces whose
 * size the input's last byte sets; every size is -1 (none given) or a
 * size; and the keys read are the keys counted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct s3_list a, b;

static int
page(struct s3_list *l, const uint8_t *p, size_t n, size_t step)
{
	size_t i, k;

	s3_list_begin(l);
	for (i = 0; i < n; i += k) {
		k = step && step < n - i ? step : n - i;
		if (s3_list_feed(l, (const char *)p + i, k) < 0)
			return -1;
	}
	return s3_list_end(l);
}

/* Every key and size, in order, into out; aborts on a bad size or count. */
static void
keys(const struct s3_list *l, struct buf *out)
{
	size_t off = 0, n, count = 0;
	int64_t size;
	const char *k;

	while ((k = s3_list_key(l, &off, &n, &size))) {
		if (size < -1)
			abort();
		buf_add(out, k, n);
		buf_add(out, &size, sizeof size);
		count++;
	}
	if (count != l->nkeys)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf ka = BUF_INIT, kb = BUF_INIT;
	size_t step = size ? data[size - 1] % 17 : 0;
	int ra, rb;

	ra = page(&a, data, size, 0);
	rb = page(&b, data, size, step);
	/* expat may name malformed bytes differently as they are cut: the
	 * verdict must agree, with a reason */
	if (ra != rb || (ra < 0 && (!a.err[0] || !b.err[0])))
		abort();
	if (ra == 0) {
		keys(&a, &ka);
		keys(&b, &kb);
		if (ka.len != kb.len || (ka.len &&
		    memcmp(ka.p, kb.p, ka.len) != 0) ||
		    a.truncated != b.truncated ||
		    a.token.len != b.token.len || (a.token.len &&
		    memcmp(a.token.p, b.token.p, a.token.len) != 0))
			abort();
	}
	buf_free(&ka);
	buf_free(&kb);
	return 0;
}
