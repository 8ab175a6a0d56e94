/* SPDX-License-Identifier: MIT */
/*
 * One S3 object written from bytes the caller gives, in bounded memory:
 * a PutObject when they fit in one part, else a multipart upload
 * (CreateMultipartUpload, UploadPart, CompleteMultipartUpload), and an
 * AbortMultipartUpload when it fails or is stopped, so no upload is left
 * behind to be paid for.
 *
 *	struct s3_upload u = { .s3 = &s3, .http = h, .bucket = "b",
 *			       .key = "k", .jobs = 4, .part_size = 8 << 20,
 *			       .size_hint = -1, .on_end = ended, .ctx = me };
 *	s3_upload_start(&u);
 *	while (!ended_yet) {
 *		if ((p = s3_upload_space(&u, &n)) && input is ready) {
 *			k = read(fd, p, n);
 *			k > 0 ? s3_upload_wrote(&u, k) : s3_upload_finish(&u);
 *		}
 *		http_run(h, 200);	// parts go as they fill; on_end once
 *	}
 *	s3_upload_free(&u);
 *
 * The caller reads straight into the part being filled.  A part goes
 * once the first byte of the next one has come (or the input has ended),
 * so an input of exactly one part is one PutObject.  Each part is hashed
 * as it fills: its MD5 goes as Content-MD5 and its SHA-256 signs it
 * (x-amz-content-sha256), so S3 checks every byte it stores.  At most
 * jobs parts are sent at once and one more fills: memory is about
 * (jobs + 1) parts.
 *
 * Parts are part_size bytes (S3: 5 MiB at least, but the last), or
 * bigger when size_hint says 10,000 of them would not hold the input;
 * when the input's size is not known, the part size doubles every 1,000
 * parts (on_grow says so), so 10,000 parts of a first part of 8 MiB hold
 * more than S3's largest object; at most 5 GiB.
 *
 * Each request is tried again as lib/http's policy says: a part cut by
 * a dropped connection is sent again whole.  An answer of 200 to
 * CompleteMultipartUpload that holds an <Error> (S3 may send one) is
 * that error.  A CompleteMultipartUpload tried again after the first
 * try did complete the upload finds it gone (NoSuchUpload): the object
 * is then looked at (HeadObject) and taken as written when its ETag is
 * the one these parts make.
 */
#ifndef S3_UPLOAD_H
#define S3_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"
#include "s3.h"

#define S3_PART_MIN (5LL << 20)		/* S3's least part, but the last */
#define S3_PART_MAX (5LL << 30)		/* and its largest */
#define S3_PARTS_MAX 10000		/* parts of an upload, at most */

enum {
	S3_UPLOAD_IDLE,		/* not started */
	S3_UPLOAD_RUN,		/* taking bytes, sending parts */
	S3_UPLOAD_STOPPING,	/* failed or stopped: requests still in the
				 * loop's hands end, then the upload is
				 * aborted */
	S3_UPLOAD_DONE,		/* the object is written */
	S3_UPLOAD_FAILED,	/* cls and why say why */
};

/* What became of the multipart upload of an upload that failed. */
enum {
	S3_UPLOAD_NONE,		/* there was none (or it was completed) */
	S3_UPLOAD_ABORTED,	/* AbortMultipartUpload took it away */
	S3_UPLOAD_LEFT,		/* it could not be aborted: abort_why says
				 * why, upload_id names it */
};

struct s3_upload;

/* The upload has ended: u->state is S3_UPLOAD_DONE or S3_UPLOAD_FAILED.
 * Called once; u may be freed after it (not from it). */
typedef void (*s3_upload_end_fn)(void *ctx, struct s3_upload *u);
/* A request failed and is tried again (attempt, after delay ms): part
 * is its part number, 0 for the upload's own requests (what is what
 * says: "CreateMultipartUpload", "PutObject"...). */
typedef void (*s3_upload_retry_fn)(void *ctx, int part, const char *what,
				   int attempt, long delay, const char *why);
/* The part size grew to size bytes from part number part on. */
typedef void (*s3_upload_grow_fn)(void *ctx, int part, int64_t size);

struct s3_upload_part;

struct s3_upload {
	/* set by the caller before s3_upload_start; not copied */
	const struct s3 *s3;
	struct http *http;
	const char *bucket, *key;
	int jobs;		/* parts sent at once, >= 1 */
	int64_t part_size;	/* S3_PART_MIN to S3_PART_MAX */
	int64_t size_hint;	/* the input's size when known, else -1 */
	s3_upload_end_fn on_end;
	s3_upload_retry_fn on_retry;	/* NULL: none */
	s3_upload_grow_fn on_grow;	/* NULL: none */
	void *ctx;

	/* the outcome */
	int state;		/* S3_UPLOAD_* */
	int cls;		/* a failure's: S3_FAILED or S3_REFUSED */
	struct buf why;		/* a failure's reason */
	int left;		/* S3_UPLOAD_NONE, _ABORTED or _LEFT */
	struct buf abort_why;	/* why it is left */
	struct buf upload_id;	/* the multipart upload's, "" if none */
	int64_t bytes;		/* taken from the caller */
	int parts;		/* sent: 1 for a PutObject */

	/* private */
	struct s3_upload_part *slot;	/* jobs + 1 of them */
	int nslots;
	struct s3_upload_part *cur;	/* being filled */
	struct s3_upload_part *next;	/* handed out, to fill after cur */
	int sending;			/* parts in the loop's hands */
	int eof;
	int multipart;			/* CreateMultipartUpload is asked */
	int64_t partcap;		/* the part size now */
	struct http_req ctl;		/* the upload's own request */
	int ctlop;			/* which it is, 0: none running */
	int ctlretried;			/* Complete was tried more than once */
	struct buf ctlbody;
	char **etags;			/* by part number - 1 */
	unsigned char (*md5s)[16];	/* the same */
	int cap;			/* of etags and md5s */
	int quick;			/* stopped: the abort is tried once, */
	long quick_ms;			/*   for this long at most */
};

/* Starts it: nothing is sent before the first part is whole. */
void s3_upload_start(struct s3_upload *u);
/*
 * Where the next bytes go, and *n how many fit there; NULL when none fit
 * now (every part is full and waits to go: call again after http_run) or
 * the upload is no longer running.
 */
char *s3_upload_space(struct s3_upload *u, size_t *n);
/* The caller put n bytes (at most the *n space gave) where space said. */
void s3_upload_wrote(struct s3_upload *u, size_t n);
/* The input has ended: the last part goes, then the upload completes. */
void s3_upload_finish(struct s3_upload *u);
/*
 * Fails a running upload for the reason why: what runs is cancelled and
 * a multipart upload is aborted (with quick, tried once, within
 * timeout_ms, as after a signal); on_end comes when that has ended,
 * maybe from this call itself.  Nothing when it is not running.
 */
void s3_upload_stop(struct s3_upload *u, const char *why, int quick,
		    long timeout_ms);
/* Frees what u holds (not u); requests still running are cancelled,
 * without on_end. */
void s3_upload_free(struct s3_upload *u);

/* The part size for part number n (from 1) of an upload whose first
 * parts are base bytes: base doubled every 1,000 parts, at most
 * S3_PART_MAX. */
int64_t s3_upload_part_size(int64_t base, int n);

#endif
