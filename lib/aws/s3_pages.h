/* SPDX-License-Identifier: MIT */
/*
 * A prefix's listing (ListObjectsV2, encoding-type url), one page at a
 * time, each page tried again as lib/http's policy says.
 *
 *	struct s3_pages p = { .s3 = &s3, .http = h, .bucket = "b",
 *			      .prefix = "a/", .on_page = got, .ctx = me };
 *	s3_pages_next(&p);	// the first page
 *	... http_run(h, 200) ...
 *	got(me, &p): p.state S3_PAGES_PAGE: p.page has its keys
 *	    (s3_list_key), and s3_pages_next asks for the next one;
 *	    S3_PAGES_DONE: that was the last page; S3_PAGES_FAILED.
 *	s3_pages_free(&p);
 *
 * A listing whose continuation tokens come round again (A, B, A...)
 * would never end: it fails when a token comes again.
 */
#ifndef S3_PAGES_H
#define S3_PAGES_H

#include <stddef.h>

#include "buf.h"
#include "http.h"
#include "s3.h"

enum {
	S3_PAGES_IDLE,		/* no page asked for yet */
	S3_PAGES_RUN,		/* a page is being read */
	S3_PAGES_PAGE,		/* a page came, and more follow */
	S3_PAGES_DONE,		/* the last page came */
	S3_PAGES_FAILED,	/* cls and why say why */
};

struct s3_pages;

/* A page came (p->page), or the listing failed: p->state says which. */
typedef void (*s3_pages_fn)(void *ctx, struct s3_pages *p);

struct s3_pages {
	/* set by the caller before the first page; not copied */
	const struct s3 *s3;
	struct http *http;
	const char *bucket, *prefix;
	int max_keys;		/* keys a page, at most; 0: S3's 1000 */
	int once;		/* the first page is the last */
	s3_pages_fn on_page;
	s3_retry_fn on_retry;	/* NULL: none */
	void *ctx;

	/* the outcome */
	int state;		/* S3_PAGES_* */
	int cls;		/* a failure's: S3_FAILED or S3_REFUSED */
	struct buf why;		/* a failure's reason */
	struct s3_list page;	/* the last page: valid in on_page and
				 * until s3_pages_next */

	/* private */
	struct http_req req;
	struct buf token;	/* the next page's continuation token */
	struct buf seen;	/* a token of before, and how far: a cycle */
	unsigned long power, lam;	/* of tokens is found in constant
					 * memory (Brent's algorithm) */
};

/* Asks for the first page, or the next after S3_PAGES_PAGE; on_page
 * comes when it has come (maybe from this call itself, failed). */
void s3_pages_next(struct s3_pages *p);
/* 1 while the listing may give more: a page not yet asked for, being
 * read, or following. */
int s3_pages_more(const struct s3_pages *p);
/* Frees what p holds (not p); a page being read is cancelled first,
 * without on_page. */
void s3_pages_free(struct s3_pages *p);

#endif
