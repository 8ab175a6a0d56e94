/* SPDX-License-Identifier: MIT */
/* A prefix's listing, page after page. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "s3.h"
#include "s3_pages.h"
#include "sigv4.h"

static void
fail(struct s3_pages *p, int cls, const char *why)
{
	p->state = S3_PAGES_FAILED;
	p->cls = cls;
	if (why) {
		buf_reset(&p->why);
		buf_adds(&p->why, why);
	}
}

static int
prepare(struct http_req *r)
{
	struct s3_pages *p = r->ctx;
	struct sigv4_param q[5];
	char max[24];
	size_t nq = 0;

	q[nq++] = (struct sigv4_param){ "list-type", "2" };
	q[nq++] = (struct sigv4_param){ "encoding-type", "url" };
	if (*p->prefix)
		q[nq++] = (struct sigv4_param){ "prefix", p->prefix };
	if (p->token.len)
		q[nq++] = (struct sigv4_param){ "continuation-token",
						p->token.p };
	if (p->max_keys > 0) {
		snprintf(max, sizeof max, "%d", p->max_keys);
		q[nq++] = (struct sigv4_param){ "max-keys", max };
	}
	s3_list_begin(&p->page);
	buf_reset(&p->why);
	if (s3_prepare(p->s3, r, p->bucket, NULL, q, nq, NULL, 0,
		       NULL, &p->why) < 0) {
		fail(p, S3_REFUSED, NULL);
		return -1;
	}
	return 0;
}

static size_t
body(struct http_req *r, const char *b, size_t n)
{
	struct s3_pages *p = r->ctx;

	return s3_list_feed(&p->page, b, n) < 0 ? 0 : n;
}

/* 1 when the page's next token has come before: the token asked for
 * again (A, A), or the one kept by Brent's cycle finding (A, B, A...);
 * why says so.  Otherwise the token is counted, and kept when due. */
static int
cycle(struct s3_pages *p, struct buf *why)
{
	const struct buf *t = &p->page.token;

	if (p->token.len == t->len && memcmp(p->token.p, t->p, t->len) == 0) {
		buf_adds(why, "the listing repeats itself: a page gave its "
			 "own continuation token as the next");
		return 1;
	}
	if (p->seen.len == t->len && memcmp(p->seen.p, t->p, t->len) == 0) {
		buf_printf(why, "the listing repeats itself: a continuation "
			   "token came again, %lu pages after it came",
			   p->lam + 1);
		return 1;
	}
	if (++p->lam == p->power) {
		buf_reset(&p->seen);
		buf_add(&p->seen, t->p, t->len);
		p->power *= 2;
		p->lam = 0;
	}
	return 0;
}

static void
done(struct http_req *r)
{
	struct s3_pages *p = r->ctx;
	struct buf why = BUF_INIT;
	long delay;
	int cls;

	if (p->state != S3_PAGES_RUN)
		goto out;	/* not prepared */
	if (p->page.err[0]) {
		fail(p, S3_FAILED, p->page.err);
		goto out;
	}
	cls = s3_settle(p->s3, p->http, r, p->bucket, 0, &delay, &p->why);
	if (cls == S3_RETRY) {
		if (p->on_retry)
			p->on_retry(p->ctx, 0, r->attempt, delay, p->why.p);
		return;
	}
	if (cls != S3_OK) {
		fail(p, cls, NULL);
	} else if (s3_list_end(&p->page) < 0) {
		fail(p, S3_FAILED, p->page.err);
	} else if (p->page.truncated && !p->once && cycle(p, &why)) {
		fail(p, S3_FAILED, why.p);
	} else {
		p->state = p->page.truncated && !p->once ? S3_PAGES_PAGE :
			   S3_PAGES_DONE;
		buf_reset(&p->token);
		buf_add(&p->token, p->page.token.p, p->page.token.len);
	}
out:
	buf_free(&why);
	p->on_page(p->ctx, p);
}

void
s3_pages_next(struct s3_pages *p)
{
	if (p->state == S3_PAGES_IDLE) {
		buf_reset(&p->token);
		buf_reset(&p->seen);
		p->power = 1;
		p->lam = 0;
	}
	p->state = S3_PAGES_RUN;
	p->req.method = "GET";
	p->req.prepare = prepare;
	p->req.on_body = body;
	p->req.on_done = done;
	p->req.ctx = p;
	http_start(p->http, &p->req);
}

int
s3_pages_more(const struct s3_pages *p)
{
	return p->state == S3_PAGES_IDLE || p->state == S3_PAGES_RUN ||
	       p->state == S3_PAGES_PAGE;
}

void
s3_pages_free(struct s3_pages *p)
{
	if (p->state == S3_PAGES_RUN)
		http_cancel(p->http, &p->req);
	p->state = S3_PAGES_IDLE;
	http_req_free(&p->req);
	s3_list_free(&p->page);
	buf_free(&p->token);
	buf_free(&p->seen);
	buf_free(&p->why);
}
