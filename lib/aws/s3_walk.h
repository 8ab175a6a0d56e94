/* SPDX-License-Identifier: MIT */
/*
 * What a listing finds, one input at a time and in order: an S3
 * prefix's objects page by page (lib/aws/s3_pages), or a local folder's
 * files a batch at a time (lib/core/walk), each named as s3cat names
 * its inputs.
 *
 *	struct s3_walk w = { .s3 = &s3, .bucket = "b", .key = "a/",
 *			     .on_found = found, .on_page = paged,
 *			     .on_fail = failed, .ctx = me };
 *	s3_walk_next(&w, h, 0);		// asks for the first page
 *	... http_run(h, 200) ...	// found(me, ...) for each key
 *					// kept, then paged(me)
 *	while (s3_walk_more(&w)) ...	// s3_walk_next for the next page
 *	s3_walk_free(&w);
 *
 *	struct s3_walk d = { .folder = "dir", .on_found = found, .ctx = me };
 *	while (s3_walk_next(&d, NULL, 256) > 0)	// found(me, ...) now
 *		;
 *
 * A prefix's keys come as "s3://bucket/key", the ones a listing of it
 * skips (s3_skip_key: folder markers, Hadoop's hidden files) left out;
 * a key with a NUL byte in it comes with a reason instead (the name up
 * to the NUL).  With once, the walk looks up the one key (a page of one
 * key from it: the way to learn its size), and fails "no such key" when
 * the page has not got it.  A folder's files come as their paths, and
 * an entry the folder walk could not follow comes with its reason.
 */
#ifndef S3_WALK_H
#define S3_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"
#include "s3.h"
#include "s3_pages.h"

struct walk;

/* One found: name, its key (NULL in a folder) and size; why not NULL:
 * it cannot be read, for that reason (and size is -1). */
typedef void (*s3_walk_found_fn)(void *ctx, const char *name,
				 const char *key, int64_t size,
				 const char *why);
typedef void (*s3_walk_fn)(void *ctx);

struct s3_walk {
	/* set by the caller before the first s3_walk_next; not copied */
	const struct s3 *s3;
	const char *bucket, *key;	/* the prefix, or with once the key */
	int once;
	const char *folder;	/* not NULL: this local folder instead */
	s3_walk_found_fn on_found;
	s3_walk_fn on_page;	/* a page came (after its keys); NULL: none */
	s3_walk_fn on_fail;	/* the walk failed: cls and why say why */
	s3_retry_fn on_retry;	/* NULL: none */
	void *ctx;

	/* the outcome */
	int failed;
	int cls;		/* a failure's: S3_FAILED or S3_REFUSED */
	struct buf why;		/* a failure's reason */

	/* private */
	struct s3_pages pages;
	struct walk *walk;
	int ended;		/* the folder has no more */
};

/*
 * Finds more.  A prefix: asks for its next page, unless one is being
 * read, over h; the keys come as h runs (or from this call itself,
 * failed); returns 0.  A folder: walks on now until max are found or it
 * ends; returns how many were found (0: it has ended).
 */
size_t s3_walk_next(struct s3_walk *w, struct http *h, size_t max);
/* 1 while a prefix may give more (a page not yet asked for, being read,
 * or following), a folder until it ends. */
int s3_walk_more(const struct s3_walk *w);
/* 1 while a page is being read. */
int s3_walk_reading(const struct s3_walk *w);
/* Frees what w holds (not w); a page being read is cancelled first, and
 * nothing is called. */
void s3_walk_free(struct s3_walk *w);

#endif
