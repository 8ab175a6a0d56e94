/* SPDX-License-Identifier: MIT */
/*
 * One S3 object read from its first byte to its last, however many
 * attempts it takes, each byte given once, in order: a dropped
 * connection costs no byte and repeats none.
 *
 *	struct s3_get g = { .s3 = &s3, .http = h, .bucket = "b",
 *			    .key = "k", .on_bytes = take, .on_end = ended,
 *			    .ctx = me };
 *	s3_get_start(&g);
 *	while (!ended_yet)
 *		http_run(h, 200);	// on_bytes as bytes come, on_end once
 *	s3_get_free(&g);
 *
 * The first attempt is a plain GET, whose ETag is kept.  An attempt that
 * ends early (a dropped connection, a timeout, throttling, a 5xx) is
 * tried again as lib/http's policy says, asking for the bytes not yet
 * given: "Range: bytes=OFF-" and "If-Match: ETAG" (S3 answers 412 when
 * the object changed, which fails).  Before a resumed answer gives its
 * first byte it is checked:
 *   - an ETag other than the first one: the object changed, a failure;
 *   - a 206 whose Content-Range does not start at OFF: a failure;
 *   - a 200 (a server that ignored the Range): the whole object again,
 *     whose first OFF bytes are dropped; an object that ends before them
 *     is a failure.
 * An attempt that got body bytes starts the count of attempts again.
 * A resume answered 416 (the Range starts past the end: the connection
 * dropped after the last byte came) ends the read when the bytes given
 * are the object's size, else it fails.
 */
#ifndef S3_GET_H
#define S3_GET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"
#include "s3.h"

enum {
	S3_GET_IDLE,		/* not started */
	S3_GET_RUN,		/* an attempt runs, or waits to be retried */
	S3_GET_STOPPING,	/* failed, and its attempt is still in
				 * libcurl's hands: on_end comes when it has
				 * ended */
	S3_GET_DONE,		/* every byte given */
	S3_GET_FAILED,		/* cls and why say why */
};

/* What on_bytes returns. */
enum {
	S3_GET_TAKEN,		/* the bytes are taken */
	S3_GET_PAUSE,		/* not taken: the same bytes come again after
				 * s3_get_unpause */
	S3_GET_STOP,		/* not taken: the read fails, for the reason
				 * s3_get_stop gave, else "stopped" */
};

struct s3_get;

/* Takes the next n bytes of the object. */
typedef int (*s3_get_bytes_fn)(void *ctx, const char *p, size_t n);
/* The read has ended: g->state is S3_GET_DONE or S3_GET_FAILED.  Called
 * once, maybe from s3_get_start or s3_get_stop itself; after it, nothing
 * of g is in the loop's hands, and g may be freed (not from on_end). */
typedef void (*s3_get_end_fn)(void *ctx, struct s3_get *g);

struct s3_get {
	/* set by the caller before s3_get_start; not copied */
	const struct s3 *s3;
	struct http *http;
	const char *bucket, *key;
	s3_get_bytes_fn on_bytes;
	s3_get_end_fn on_end;
	s3_retry_fn on_retry;	/* NULL: none */
	void *ctx;

	/* the outcome */
	int state;		/* S3_GET_* */
	int cls;		/* a failure's: S3_FAILED or S3_REFUSED */
	struct buf why;		/* a failure's reason */
	int64_t off;		/* bytes given to on_bytes */
	int64_t size;		/* the object's, from the first answer's
				 * Content-Length; -1: not known */

	/* private */
	struct http_req req;
	int64_t skip;		/* bytes to drop: a Range was ignored */
	char etag[128];		/* the first attempt's */
	int checked;		/* this attempt's answer was checked */
	int inbody;		/* on_bytes is running */
};

/* Starts the read; g must stay where it is until on_end. */
void s3_get_start(struct s3_get *g);
/* Resumes the bytes held back by S3_GET_PAUSE. */
void s3_get_unpause(struct s3_get *g);
/*
 * Fails a running read for the reason why (NULL: "stopped").  From
 * on_bytes (before it returns S3_GET_STOP) the read ends, on_end, as
 * soon as libcurl has let go of the attempt, and 1 says on_end is still
 * to come; anywhere else it ends now (on_end from here), and 0 says it
 * has, as it does for a read that had ended already (nothing is done).
 */
int s3_get_stop(struct s3_get *g, const char *why);
/* Frees what g holds (not g); a read still running is cancelled first,
 * without on_end. */
void s3_get_free(struct s3_get *g);

#endif
