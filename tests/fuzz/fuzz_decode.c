/* SPDX-License-Identifier: MIT */
/*
 * s3cat's decoder (gzip, bzip2, zstd by magic, others refused) on any
 * bytes.  Checks, beyond the sanitizers: the result does not depend on
 * how the bytes are cut into writes (a resumed transfer feeds them in
 * any pieces): the same status, the same error text and the same output
 * (before an error, one output begins the other) whether fed whole or in
 * pieces whose sizes the input's last byte sets; and every error names
 * its format.  Objects stop at 1 MiB decoded (decode_limit, as s3cat
 * --max-size): a bomb fails there alike in both, and the runs stay fast.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct decode *d;

static int
collect(void *ctx, const char *p, size_t n)
{
	struct buf *b = ctx;

	/* a bomb is not a finding: keep 64 MiB at most */
	if (b->len + n > (64u << 20))
		return 2;
	buf_add(b, p, n);
	return 0;
}

static int
run(const uint8_t *p, size_t n, size_t step, struct buf *out,
    struct buf *why)
{
	size_t i, k;
	int rc = 0;

	decode_reset(d);
	buf_reset(out);
	for (i = 0; i < n && rc == 0; i += k) {
		k = step && step < n - i ? step : n - i;
		rc = decode_write(d, p + i, k, collect, out);
	}
	if (rc == 0)
		rc = decode_end(d, collect, out);
	buf_reset(why);
	if (rc == -1)
		buf_adds(why, decode_error(d));
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf a, b, wa, wb;
	size_t step = size ? 1 + data[size - 1] % 61 : 1;
	int ra, rb;

	if (!d) {
		d = decode_new(size % 2 ? 7 : 0);
		decode_limit(d, 1u << 20, 0);
	}
	ra = run(data, size, 0, &a, &wa);
	rb = run(data, size, step, &b, &wb);
	/* a bomb is not a finding: whether the limit or the data's own
	 * error comes first depends on where the pieces end */
	if (ra == 2 || rb == 2 || strstr(buf_str(&wa), "(the limit)") ||
	    strstr(buf_str(&wb), "(the limit)"))
		return 0;
	if (ra != rb || strcmp(buf_str(&wa), buf_str(&wb)) != 0)
		abort();
	/* what comes before an error may be given out or not */
	if (ra == 0 && (a.len != b.len ||
			(a.len && memcmp(a.p, b.p, a.len) != 0)))
		abort();
	if (ra == -1 && a.len && b.len &&
	    memcmp(a.p, b.p, a.len < b.len ? a.len : b.len) != 0)
		abort();
	if (ra == -1 && !strstr(wa.p, ": "))
		abort();
	return 0;
}
