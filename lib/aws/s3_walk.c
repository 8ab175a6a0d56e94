/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "s3_walk.h"
#include "walk.h"

static void
fail(struct s3_walk *w, int cls, const char *why)
{
	w->failed = 1;
	w->cls = cls;
	buf_reset(&w->why);
	buf_adds(&w->why, why);
	w->on_fail(w->ctx);
}

/* A page came: its keys, then on_page. */
static void
gotpage(void *ctx, struct s3_pages *p)
{
	struct s3_walk *w = ctx;
	struct buf name = BUF_INIT;
	size_t off = 0, n, found = 0;
	int64_t size;
	const char *k;

	if (p->state == S3_PAGES_FAILED) {
		fail(w, p->cls, p->why.p);
		return;
	}
	while ((k = s3_list_key(&p->page, &off, &n, &size))) {
		if (w->once ? n != strlen(w->key) || memcmp(k, w->key, n) :
		    s3_skip_key(w->key, k, n))
			continue;
		buf_reset(&name);
		buf_printf(&name, "s3://%s/%s", w->bucket, k);
		if (memchr(k, '\0', n)) {
			w->on_found(w->ctx, name.p, k, -1,
				    "a NUL byte in the key");
			continue;
		}
		w->on_found(w->ctx, name.p, k, size, NULL);
		found++;
	}
	if (w->on_page)
		w->on_page(w->ctx);
	if (w->once && !found)
		fail(w, S3_FAILED, "no such key");
	buf_free(&name);
}

static void
retried(void *ctx, int64_t off, int attempt, long delay, const char *why)
{
	struct s3_walk *w = ctx;

	if (w->on_retry)
		w->on_retry(w->ctx, off, attempt, delay, why);
}

static size_t
walkdir(struct s3_walk *w, size_t max)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	int64_t size;
	size_t n = 0;
	int rc = 1;

	if (!w->walk)
		w->walk = walk_open(w->folder);
	while (!w->ended && n < max &&
	       (rc = walk_next(w->walk, &path, &size, &err)) != 0) {
		w->on_found(w->ctx, path.p, NULL, rc < 0 ? -1 : size,
			    rc < 0 ? err.p : NULL);
		buf_reset(&err);
		n++;
	}
	if (rc == 0)
		w->ended = 1;
	buf_free(&path);
	buf_free(&err);
	return n;
}

size_t
s3_walk_next(struct s3_walk *w, struct http *h, size_t max)
{
	if (w->folder)
		return walkdir(w, max);
	if (w->pages.state == S3_PAGES_RUN)
		return 0;
	w->pages.s3 = w->s3;
	w->pages.http = h;
	w->pages.bucket = w->bucket;
	w->pages.prefix = w->key;
	w->pages.max_keys = w->once;
	w->pages.once = w->once;
	w->pages.on_page = gotpage;
	w->pages.on_retry = retried;
	w->pages.ctx = w;
	s3_pages_next(&w->pages);
	return 0;
}

int
s3_walk_more(const struct s3_walk *w)
{
	if (w->folder)
		return !w->ended;
	return !w->failed && s3_pages_more(&w->pages);
}

int
s3_walk_reading(const struct s3_walk *w)
{
	return !w->folder && w->pages.state == S3_PAGES_RUN;
}

void
s3_walk_free(struct s3_walk *w)
{
	s3_pages_free(&w->pages);
	walk_close(w->walk);
	buf_free(&w->why);
}
