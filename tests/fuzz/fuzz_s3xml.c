/* SPDX-License-Identifier: MIT */
/*
 * S3's XML answers on any bytes: a ListObjectsV2 page (s3_list_feed,
 * s3_list_end) fed whole and in random pieces (sizes 0 to 64 from a
 * generator the input seeds), and an <Error> body (s3_error_parse, then
 * s3_settle's reason for a 403 and a 404).  Checks, beyond the
 * sanitizers:
 *  - the pieces do not matter: the same verdict, keys, sizes, token and
 *    truncation;
 *  - a page read has a token when it is truncated, sizes of -1 (none)
 *    or more, and as many keys as it counts; with EncodingType url its
 *    keys are the keys as read, decoded by a decoder written here ('+'
 *    a space, %XX with two hex digits), and a key with any other '%'
 *    fails the page; without it, they are as read;
 *  - a failure says why, on one line;
 *  - an <Error> read has a Code, and its fields are at most 1024 bytes;
 *    one not read leaves them empty; the reason s3_settle gives is one
 *    line without control characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct s3_list a, b;
static struct buf raw, ka, kb, want, why;

static void
oneline(const char *s, size_t n)
{
	size_t i;

	if (!n)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

/* Every key and size of l, in order, into out. */
static size_t
keys(const struct s3_list *l, struct buf *out)
{
	size_t off = 0, n, count = 0;
	int64_t size;
	const char *k;

	buf_reset(out);
	while ((k = s3_list_key(l, &off, &n, &size))) {
		if (size < -1 || k[n] != '\0')
			abort();
		buf_add(out, &n, sizeof n);
		buf_add(out, k, n);
		buf_add(out, &size, sizeof size);
		count++;
	}
	return count;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The keys of raw (as keys() wrote them) decoded into out: -1 when one
 * has a '%' without two hex digits. */
static int
decoded(const struct buf *in, struct buf *out)
{
	size_t off = 0, n, i;
	int64_t size;
	const char *k;

	buf_reset(out);
	while (off < in->len) {
		memcpy(&n, in->p + off, sizeof n);
		k = in->p + off + sizeof n;
		memcpy(&size, k + n, sizeof size);
		off += sizeof n + n + sizeof size;
		{
			struct buf d = BUF_INIT;
			int bad = 0;

			for (i = 0; i < n && !bad; i++) {
				if (k[i] == '+') {
					buf_addc(&d, ' ');
				} else if (k[i] != '%') {
					buf_addc(&d, k[i]);
				} else if (i + 2 < n && hexval(k[i + 1]) >= 0 &&
				    hexval(k[i + 2]) >= 0) {
					buf_addc(&d, hexval(k[i + 1]) * 16 +
					    hexval(k[i + 2]));
					i += 2;
				} else {
					bad = 1;
				}
			}
			if (!bad) {
				buf_add(out, &d.len, sizeof d.len);
				buf_add(out, d.p ? d.p : "", d.len);
				buf_add(out, &size, sizeof size);
			}
			buf_free(&d);
			if (bad)
				return -1;
		}
	}
	return 0;
}

/* A page fed in pieces: step 0 whole, else sizes from seed. */
static int
page(struct s3_list *l, const uint8_t *p, size_t n, uint32_t seed,
     struct buf *before, int *urlenc)
{
	size_t i, k;

	s3_list_begin(l);
	for (i = 0; i < n; i += k) {
		k = n - i;
		if (seed) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 65 < k)
				k = (seed >> 16) % 65;
		}
		if (s3_list_feed(l, (const char *)p + i, k) < 0)
			return -1;
	}
	if (before) {
		keys(l, before);
		*urlenc = l->urlenc;
	}
	return s3_list_end(l);
}

static void
listing(const uint8_t *data, size_t size)
{
	uint32_t seed = 1;
	size_t i, na, nb, nraw;
	int ra, rb, urlenc = 0;

	for (i = 0; i < size && i < 64; i++)
		seed = seed * 31 + data[i];
	ra = page(&a, data, size, 0, &raw, &urlenc);
	rb = page(&b, data, size, seed | 1, NULL, NULL);
	if (ra != rb)
		abort();
	if (ra < 0) {
		/* expat may name malformed bytes differently as they are
		 * cut: a reason, each on one line */
		oneline(a.err, strlen(a.err));
		oneline(b.err, strlen(b.err));
		return;
	}
	if (a.err[0] || (a.truncated && !a.token.len))
		abort();
	na = keys(&a, &ka);
	nb = keys(&b, &kb);
	if (na != a.nkeys || nb != b.nkeys || ka.len != kb.len ||
	    (ka.len && memcmp(ka.p, kb.p, ka.len)) ||
	    a.truncated != b.truncated || a.token.len != b.token.len ||
	    (a.token.len && memcmp(a.token.p, b.token.p, a.token.len)))
		abort();
	/* the keys as read, decoded when the page says so */
	nraw = raw.len;
	if (!urlenc) {
		if (nraw != ka.len || (nraw && memcmp(raw.p, ka.p, nraw)))
			abort();
	} else if (decoded(&raw, &want) < 0 || want.len != ka.len ||
	    (want.len && memcmp(want.p, ka.p, want.len))) {
		abort();
	}
}

static void
error(const uint8_t *data, size_t size)
{
	static const long status[] = { 403, 404 };
	/* -r given and no signer: an answer naming another region, a clock
	 * or a token is a refusal, never a retry */
	static const struct s3_opts so = { .region = "us-east-1",
					   .fixed_region = 1 };
	static struct s3 s3;
	static struct s3_error e;
	struct http_req r;
	size_t i;
	long delay = 0;
	int rc;

	if (!s3.region && s3_init(&s3, &so, &why) < 0)
		abort();
	/* an answer's child element (s3put's UploadId): kept to 4 KiB, or
	 * none and empty */
	rc = s3_xml_child((const char *)data, size,
			  "InitiateMultipartUploadResult", "UploadId", &want);
	if ((rc == 0 && want.len > 4096) || (rc != 0 && (rc != -1 ||
						       want.len)))
		abort();
	rc = s3_error_parse(&e, (const char *)data, size);
	if (rc == 0 && (!e.code.len || e.code.len > 1024 ||
	    e.message.len > 1024 || e.region.len > 1024))
		abort();
	if (rc != 0 && (rc != -1 || e.code.len || e.message.len ||
	    e.region.len))
		abort();
	for (i = 0; i < sizeof status / sizeof status[0]; i++) {
		memset(&r, 0, sizeof r);
		r.cc = CURLE_OK;
		r.status = status[i];
		r.attempt = 1;
		buf_add(&r.resp, data, size);
		/* a retry would need an http loop: only what fails */
		if (s3_classify(&r, rc == 0 ? e.code.p : "") != S3_RETRY) {
			buf_reset(&why);
			if (s3_settle(&s3, NULL, &r, "b", 0, &delay,
				      &why) == S3_RETRY)
				abort();
			oneline(why.p, why.len);
		}
		http_req_free(&r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	listing(data, size);
	error(data, size);
	return 0;
}
