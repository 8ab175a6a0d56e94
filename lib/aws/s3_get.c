/* SPDX-License-Identifier: MIT */
/* One object, read to its end over as many attempts as it takes. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "s3.h"
#include "s3_get.h"
#include "sigv4.h"

static void
fail(struct s3_get *g, int cls, const char *why)
{
	g->state = S3_GET_STOPPING;
	g->cls = cls;
	if (why) {
		buf_reset(&g->why);
		buf_adds(&g->why, why);
	}
}

static int
prepare(struct http_req *r)
{
	struct s3_get *g = r->ctx;
	struct sigv4_header h[2];
	char range[48];
	size_t nh = 0;

	if (g->state != S3_GET_RUN)
		return -1;
	g->checked = 0;
	g->skip = 0;
	if (g->off > 0) {
		snprintf(range, sizeof range, "bytes=%lld-",
			 (long long)g->off);
		h[nh++] = (struct sigv4_header){ "Range", range };
		if (g->etag[0])
			h[nh++] = (struct sigv4_header){ "If-Match", g->etag };
	}
	buf_reset(&g->why);
	if (s3_prepare(g->s3, r, g->bucket, g->key, NULL, 0, h, nh,
		       NULL, &g->why) < 0) {
		fail(g, S3_REFUSED, NULL);
		return -1;
	}
	return 0;
}

/* The first bytes of an attempt's answer: is this the object we were
 * reading, from where we stopped?  0, or -1 (failed). */
static int
check(struct s3_get *g, const struct http_req *r)
{
	long long start = -1;
	struct buf b = BUF_INIT;

	if (g->off == 0) {
		snprintf(g->etag, sizeof g->etag, "%s", r->etag);
		if (r->status == 200)
			g->size = r->content_length;
		else if (sscanf(r->content_range, "bytes %*d-%*d/%lld",
				&start) == 1)
			g->size = start;
		return 0;
	}
	if (g->etag[0] && r->etag[0] && strcmp(g->etag, r->etag) != 0)
		buf_printf(&b, "the object changed during the transfer "
			   "(ETag %s, was %s)", r->etag, g->etag);
	else if (r->status != 206)
		g->skip = g->off;	/* the whole object again */
	else if (sscanf(r->content_range, "bytes %lld-", &start) != 1 ||
		 start != g->off)
		buf_printf(&b, "asked for bytes from %lld, got \"%s\"",
			   (long long)g->off, r->content_range);
	if (b.len)
		fail(g, S3_FAILED, b.p);
	buf_free(&b);
	return g->state == S3_GET_RUN ? 0 : -1;
}

static size_t
body(struct http_req *r, const char *p, size_t n)
{
	struct s3_get *g = r->ctx;
	size_t k;
	int rc;

	if (g->state != S3_GET_RUN)
		return 0;
	if (!g->checked) {
		s3_bucket_seen(g->s3, g->bucket);
		if (check(g, r) < 0)
			return 0;
		g->checked = 1;
	}
	k = g->skip < (int64_t)n ? (size_t)g->skip : n;
	if (k < n) {
		g->inbody = 1;
		rc = g->on_bytes(g->ctx, p + k, n - k);
		g->inbody = 0;
		switch (rc) {
		case S3_GET_TAKEN:
			break;
		case S3_GET_PAUSE:
			return CURL_WRITEFUNC_PAUSE;
		default:
			if (g->state == S3_GET_RUN)
				fail(g, S3_FAILED, "stopped");
			return 0;
		}
		g->off += (int64_t)(n - k);
	}
	g->skip -= (int64_t)k;
	return n;
}

static void
done(struct http_req *r)
{
	struct s3_get *g = r->ctx;
	int fresh = http_progress(r);
	long delay;

	if (g->state == S3_GET_RUN && r->cc == CURLE_OK && r->status == 416 &&
	    g->off > 0) {
		/* a resume past the last byte: whole, if that was all */
		if (g->size >= 0 && g->off == g->size) {
			g->state = S3_GET_DONE;
		} else {
			buf_reset(&g->why);
			buf_printf(&g->why, "HTTP 416 to a resume at byte "
				   "%lld", (long long)g->off);
			if (g->size >= 0)
				buf_printf(&g->why, ", of an object of %lld "
					   "bytes", (long long)g->size);
			fail(g, S3_FAILED, NULL);
		}
	}
	if (g->state == S3_GET_RUN) {
		switch (s3_settle(g->s3, g->http, r, g->bucket, fresh, &delay,
				   &g->why)) {
		case S3_OK:
			if (g->skip == 0) {
				g->state = S3_GET_DONE;
				break;
			}
			buf_reset(&g->why);
			buf_printf(&g->why, "the object ends at byte %lld, "
				   "before byte %lld it had reached",
				   (long long)(g->off - g->skip),
				   (long long)g->off);
			fail(g, S3_FAILED, NULL);
			break;
		case S3_RETRY:
			if (g->on_retry)
				g->on_retry(g->ctx, g->off, r->attempt, delay,
					    g->why.p);
			return;
		case S3_REFUSED:
			fail(g, S3_REFUSED, NULL);
			break;
		default:
			fail(g, S3_FAILED, NULL);
			if (r->status == 412)
				buf_adds(&g->why, " (the object changed "
					 "during the transfer)");
		}
	}
	if (g->state == S3_GET_STOPPING)
		g->state = S3_GET_FAILED;
	g->on_end(g->ctx, g);
}

void
s3_get_start(struct s3_get *g)
{
	g->state = S3_GET_RUN;
	g->off = g->skip = 0;
	g->size = -1;
	g->etag[0] = '\0';
	buf_reset(&g->why);
	g->req.method = "GET";
	g->req.prepare = prepare;
	g->req.on_body = body;
	g->req.on_done = done;
	g->req.ctx = g;
	g->req.timeout_ms = HTTP_NO_TIMEOUT;	/* the speed limit's */
	http_start(g->http, &g->req);
}

void
s3_get_unpause(struct s3_get *g)
{
	http_unpause(g->http, &g->req);
}

int
s3_get_stop(struct s3_get *g, const char *why)
{
	if (g->state != S3_GET_RUN)
		return g->state == S3_GET_STOPPING;
	fail(g, S3_FAILED, why ? why : "stopped");
	if (g->inbody)
		return 1;	/* body() aborts the attempt; done() ends */
	http_cancel(g->http, &g->req);	/* not in a libcurl callback */
	g->state = S3_GET_FAILED;
	g->on_end(g->ctx, g);
	return 0;
}

void
s3_get_free(struct s3_get *g)
{
	if (g->state == S3_GET_RUN || g->state == S3_GET_STOPPING)
		http_cancel(g->http, &g->req);
	g->state = S3_GET_IDLE;
	http_req_free(&g->req);
	buf_free(&g->why);
}
