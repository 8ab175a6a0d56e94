/* SPDX-License-Identifier: MIT */
/*
 * S3 on top of lib/http: object URLs, where a request goes (path or
 * virtual-hosted style), requests signed as they are sent, ListObjectsV2
 * pages and error bodies parsed with expat, and what an error means.
 *
 * Nothing here reads the environment: the endpoint, region and signer
 * come from the caller's struct aws_auth; the clock it signs with may be
 * the caller's too.
 */
#ifndef S3_H
#define S3_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"
#include "sigv4.h"

/* ---- s3://bucket/key ---- */

/*
 * Reads an s3://, s3a:// or s3n:// URL.  Returns 1 and sets *bucket and
 * *key (allocated; the key is everything after the bucket's slash, taken
 * literally, "" for the bucket itself); 0 when s is no URL at all (a
 * local path); -1 when it is a URL s3cat cannot read, with the reason in
 * err.
 */
int s3_url_parse(const char *s, char **bucket, char **key, struct buf *err);
/* 1 when key names a prefix to list: "" or ending in '/'. */
int s3_is_prefix(const char *key);
/*
 * 1 when a listing of prefix skips key: a folder marker ("a/"), or a key
 * with a path segment below the prefix that starts with '_' or '.'
 * (Hadoop's hidden-file rule: _SUCCESS, .crc files, whatever is under
 * _temporary/ or .spark-staging/).  The prefix's own segments are not
 * looked at: the caller named them.
 */
int s3_skip_key(const char *prefix, const char *key, size_t n);

/* ---- where requests go ---- */

struct aws_auth;

/* What s3_init takes; NULL or 0 for anything not given. */
struct s3_opts {
	/*
	 * Signs each attempt (lib/aws/aws_auth), and its configuration says
	 * where requests go: a custom endpoint, the region, the profile's
	 * s3.addressing_style.  NULL: requests go unsigned.  Not copied: it
	 * must outlive the struct s3.
	 */
	struct aws_auth *auth;
	const char *endpoint;	/* NULL: auth's custom endpoint, else AWS's */
	const char *region;	/* NULL: auth's, else us-east-1 */
	int64_t (*clock)(void);	/* the epoch seconds to sign at; NULL:
				 * time(NULL) */
	int request_payer;	/* sends x-amz-request-payer: requester */
	/*
	 * The region is the user's word (-r): a bucket's answer that it is
	 * in another region is a refusal.  Otherwise, as the SDKs do, such
	 * an answer (a 301 PermanentRedirect, a 400 AuthorizationHeader-
	 * Malformed naming the region, an x-amz-bucket-region header) makes
	 * the request be signed again for the bucket's region and tried
	 * again, and later ones on that bucket go there at once: to its
	 * region's host on AWS's endpoints, signed for it on a custom one.
	 */
	int fixed_region;
};

struct s3_regions;

struct s3 {
	char *scheme;		/* "https", or the custom endpoint's */
	char *host;		/* custom endpoint host[:port]; NULL: AWS */
	char *basepath;		/* custom endpoint path, no final '/' */
	char *region;		/* for a bucket not known to be elsewhere */
	int style;		/* on AWS's endpoints: S3_STYLE_* */
	int request_payer;
	int fixed_region;
	struct aws_auth *auth;
	int64_t (*clock)(void);
	struct s3_regions *regions;	/* what buckets said, see s3_region */
};

/* The addressing style on AWS's endpoints (a profile's
 * s3.addressing_style); a custom endpoint is always path style. */
enum { S3_STYLE_AUTO, S3_STYLE_PATH, S3_STYLE_VIRTUAL };

/*
 * A custom endpoint URL (http[s]://host[:port][/path]) means path-style
 * requests; without one they go to AWS's own endpoints (the domain
 * aws_conf_domain gives), virtual-hosted style for DNS-compatible bucket
 * names.  Returns 0, or -1 with the reason in err (a bad endpoint, an
 * addressing style that is none).
 */
int s3_init(struct s3 *s, const struct s3_opts *o, struct buf *err);
void s3_free(struct s3 *s);

/* The region requests on bucket go to and are signed for: the one its
 * answers gave, else s->region.  Valid until the next call. */
const char *s3_region(const struct s3 *s, const char *bucket);
/* 1 once an answer came from bucket (so its region is settled): until
 * then, a caller with many requests for it may send one and wait, so
 * that a bucket in another region costs one request more, not one for
 * each object. */
int s3_bucket_known(const struct s3 *s, const char *bucket);
/* An answer came from bucket (s3_settle says so itself). */
void s3_bucket_seen(const struct s3 *s, const char *bucket);

/*
 * Where a request on bucket/key goes: host (the Host header), path (not
 * encoded, as signed) and url (what is sent: sigv4_canonical_uri of the
 * path and sigv4_canonical_query of q, so what is sent is what is
 * signed).  key NULL: the bucket itself.
 */
void s3_where(const struct s3 *s, const char *bucket, const char *key,
	      const struct sigv4_param *q, size_t nq, struct buf *host,
	      struct buf *path, struct buf *url);

/*
 * Prepares r for one attempt: sets r->url and r->headers (the extra
 * ones, "Name: value", then x-amz-request-payer, then the signature).
 * payload_hash is the hex SHA-256 of the body r sends (NULL: it sends
 * none).  Returns 0, or -1 with the reason in err when it could not be
 * signed (expired credentials that could not be renewed: the remote
 * refuses us).
 */
int s3_prepare(const struct s3 *s, struct http_req *r, const char *bucket,
	       const char *key, const struct sigv4_param *q, size_t nq,
	       const struct sigv4_header *extra, size_t nextra,
	       const char *payload_hash, struct buf *err);
/* Appends the %XX-decoded s ('+' as a space when plus): -1 on a bad %. */
int s3_uri_decode(struct buf *b, const char *s, size_t n, int plus);

/* ---- ListObjectsV2 pages, parsed as they arrive ---- */

struct XML_ParserStruct;		/* expat's */

struct s3_list {
	struct XML_ParserStruct *xp;	/* an XML_Parser */
	int depth;
	int where;		/* which element's text is being kept */
	int contents;		/* inside a <Contents> */
	struct buf text;
	struct buf keys;	/* this page's keys: each its length (a
				 * size_t), its bytes, a NUL, its size (an
				 * int64_t) */
	size_t nkeys;
	int64_t size;		/* the <Contents>'s <Size>, -1 before it */
	size_t sizeat;		/* where its key's size goes, 0: no key yet */
	size_t fed;		/* body bytes of this page */
	int truncated;
	int urlenc;		/* EncodingType url: keys are %-encoded */
	struct buf token;	/* NextContinuationToken */
	int bad;		/* not a ListBucketResult */
	char err[128];
};

/* Ready for a page (the first, or the retry of one). */
void s3_list_begin(struct s3_list *l);
/* Feeds body bytes.  Returns 0, or -1 when they are not a listing. */
int s3_list_feed(struct s3_list *l, const char *p, size_t n);
/* The end of the body: decodes the keys.  Returns 0, or -1. */
int s3_list_end(struct s3_list *l);
/* The key at *off (start at 0), NUL-terminated, its length in *n (a
 * key may hold a NUL: %00 decoded), its object's size in bytes in *size
 * (-1 when the listing gave none); moves *off on.  NULL after the last.
 * Keys come in the listing's order. */
const char *s3_list_key(const struct s3_list *l, size_t *off, size_t *n,
			int64_t *size);
void s3_list_free(struct s3_list *l);

/* ---- errors ---- */

struct s3_error {
	struct buf code;	/* "NoSuchKey" */
	struct buf message;	/* "The specified key does not exist." */
	struct buf region;	/* a redirect's or AuthorizationHeader-
				 * Malformed's <Region>, if any */
};

/* Reads an S3 <Error> body.  Returns 0, or -1 when it is none (code and
 * message are then empty). */
int s3_error_parse(struct s3_error *e, const char *body, size_t n);
void s3_error_free(struct s3_error *e);
/* Reads a small XML answer whose root element is root: sets out to the
 * text of its child element name (the first one).  Returns 0, or -1 when
 * the body is not such a document or has no such child. */
int s3_xml_child(const char *body, size_t n, const char *root,
		 const char *name, struct buf *out);

enum {
	S3_OK,
	S3_RETRY,	/* throttled, a server error, a dropped connection */
	S3_FAILED,	/* this object failed; the others go on (exit 1) */
	S3_REFUSED,	/* the remote refused us: stop (exit 3) */
};

/* What an attempt's outcome means (code: the S3 error code, or ""). */
int s3_classify(const struct http_req *r, const char *code);
/* 1 when an error code says another try may do (SlowDown,
 * InternalError...). */
int s3_code_transient(const char *code);

/*
 * Settles an ended attempt of r (a request on bucket, made ready by
 * s3_prepare) on h: S3_OK; S3_RETRY when another attempt is scheduled,
 * after *delay ms, and why says what went wrong ("HTTP 503 SlowDown", or
 * curl's words); S3_FAILED or S3_REFUSED, and why is the reason
 * ("NoSuchKey: The specified key does not exist.", ending in "(gave up
 * after 8 attempts)" when the retries ran out).  fresh: the attempt got
 * body bytes, so the count of attempts starts again.  why is replaced.
 *
 * Answers about the signature are acted on, each attempt once (see
 * aws_auth.h): the bucket in another region (s3_opts), the clock off
 * (RequestTimeTooSkewed, RequestExpired: signed again at the server's
 * time), the credentials expired (ExpiredToken: fetched again).
 */
int s3_settle(const struct s3 *s, struct http *h, struct http_req *r,
	      const char *bucket, int fresh, long *delay, struct buf *why);

/* What the readers (s3_get, s3_pages) say of a retry, for a -v: an
 * attempt failed (why: "HTTP 503 SlowDown") and attempt follows in delay
 * ms, resuming at byte off of an object (0: from its start). */
typedef void (*s3_retry_fn)(void *ctx, int64_t off, int attempt,
			    long delay, const char *why);

#endif
