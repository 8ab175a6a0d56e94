/* SPDX-License-Identifier: MIT */
/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) on OpenSSL libcrypto.
 *
 * Pure functions of their parameters: no clock, no environment, no I/O.
 * Tested byte for byte against the AWS SigV4 test suite (botocore's and
 * aws-c-auth's copies, tests/data/sigv4) and AWS's S3 examples.
 *
 * The request is described unencoded; this module does all the encoding,
 * and the text it signs is the text to send:
 *
 *	url = scheme "://" host  canonical_uri  [ "?" canonical_query ]
 *
 * with canonical_uri from sigv4_canonical_uri(path, normalize) and
 * canonical_query from sigv4_canonical_query(params).  Build the URL from
 * those two, never from a hand-encoded string, and the signature matches.
 *
 * S3 callers (normalize = 0):
 *  - always pass x-amz-content-sha256 among the headers, with the same
 *    value as payload_hash (the hex SHA-256 of the body, or
 *    SIGV4_UNSIGNED_PAYLOAD); S3 refuses a request without it;
 *  - pass x-amz-security-token when the credentials have a session token;
 *  - pass x-amz-date (the amzdate) and host;
 *  - a key with "." or ".." segments is signed as it is: tell libcurl
 *    CURLOPT_PATH_AS_IS, or it squashes them and S3 sees another path.
 *  - the s3rver test fork encodes query values with JavaScript's
 *    encodeURIComponent, so it answers 403 to a value holding one of
 *    ! ' ( ) * that S3 itself accepts: a quirk of the fork, not ours.
 * DynamoDB and other services (normalize = 1): host, x-amz-date,
 * content-type, x-amz-target, and X-Amz-Security-Token when there is one.
 *
 * Encoding once: every service but S3 wants the canonical URI to be the
 * wire path (already encoded) encoded a second time.  We encode the
 * unencoded path once, for the wire and the signature alike: that is what
 * both test suites expect, and it is exact whenever the path has nothing
 * to encode (DynamoDB's is "/").  A non-S3 path with bytes to encode
 * would be refused; none of our callers sends one.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The SHA-256 of nothing, the payload hash of every bodiless request. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* S3's payload hash for a body that is not hashed. */
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct sigv4_header {
	const char *name, *value;
};

/* A query parameter, unencoded; value NULL means "" (sent as "name="). */
struct sigv4_param {
	const char *name, *value;
};

struct sigv4_req {
	const char *method;		/* "GET" */
	const char *path;		/* unencoded: "/bucket/a b+c=d" */
	const struct sigv4_param *params; /* query, any order */
	size_t nparams;
	/*
	 * Exactly the headers to sign, host included, in any order.  Names
	 * are matched without regard to case.  Several headers of one name
	 * are joined with ',' in the order given.  Values are trimmed and
	 * each inner run of white space (SP, HT, CR, LF, VT, FF) becomes one
	 * space, so an obsolete folded value signs as its unfolded form.
	 */
	const struct sigv4_header *headers;
	size_t nheaders;
	const char *payload_hash;	/* lowercase hex, or UNSIGNED-PAYLOAD */
	const char *region, *service;	/* "us-east-1", "s3" */
	const char *amzdate;		/* "20150830T123600Z" */
	/*
	 * 1: RFC 3986 dot-segment removal plus collapsing of empty segments
	 *    (every service but S3); "//a/./b/../c/" signs as "/a/c/".
	 * 0: S3: the path as given, each segment encoded once.
	 * Either way a path that does not start with '/' gets one.
	 */
	int normalize;
};

/*
 * What a signature produced.  Start from SIGV4_OUT_INIT (or zeroes); each
 * sign call empties and refills the buffers, so one out can serve many
 * requests.  Release with sigv4_out_free.
 *   creq           the canonical request
 *   sts            the string to sign
 *   authorization  the Authorization header's value (not the name):
 *                  "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/
 *                  service/aws4_request, SignedHeaders=host;x-amz-date,
 *                  Signature=<64 hex>"; empty after sigv4_presign
 *   signature      the 64 lowercase hex digits, NUL-terminated
 * The other buffers are the signer's, kept for the next signature.
 */
struct sigv4_out {
	struct buf creq, sts, authorization;
	char signature[65];
	struct buf canon, names, query;
};

#define SIGV4_OUT_INIT { BUF_INIT, BUF_INIT, BUF_INIT, { 0 }, BUF_INIT, \
			 BUF_INIT, BUF_INIT }

/*
 * Appends s[0..n) to b with every byte but A-Z a-z 0-9 - _ . ~ written as
 * %XX (uppercase hex); '/' is kept as it is when keep_slash is set.
 * Nothing is decoded first: "%41" becomes "%2541".
 */
void sigv4_uri_encode(struct buf *b, const char *s, size_t n, int keep_slash);

/*
 * Appends the canonical URI of the unencoded path (normalised when asked,
 * see struct sigv4_req): each segment encoded once, '/' between them.
 * An empty path is "/".  This same text goes on the wire.
 */
void sigv4_canonical_uri(struct buf *b, const char *path, int normalize);

/*
 * Appends the canonical query of p[0..n): each name and value encoded
 * (so '/' in a value is %2F and a space %20), a valueless parameter as
 * "name=", pairs sorted by encoded name then encoded value and joined by
 * '&'.  Appends nothing when n is 0.  Send this same text as the query.
 */
void sigv4_canonical_query(struct buf *b, const struct sigv4_param *p,
			   size_t n);

/*
 * The signing key: HMAC chain of "AWS4" secret, date8 ("20150830"),
 * region, service and "aws4_request".  It depends only on the day, so
 * callers derive it once a day (and again when credentials change) and
 * keep it as secret as the secret itself.
 */
void sigv4_signing_key(const char *secret, const char *date8,
		       const char *region, const char *service,
		       unsigned char key[32]);

/*
 * Signs r for the Authorization header (key from sigv4_signing_key for
 * r's day, region and service) and fills out.  The caller sends every
 * header of r as it is, plus "Authorization: " out->authorization.
 * Nothing in r is changed or kept.
 */
void sigv4_sign(const struct sigv4_req *r, const char *akid,
		const unsigned char key[32], struct sigv4_out *out);

/*
 * The signing key made ready for many signatures: HMAC-SHA256's inner
 * and outer hash states after the padded key, kept, so a signature
 * starts from them (two hashes, no key schedule, no lookup of the
 * algorithm in OpenSSL's providers: one-shot HMAC() spent two thirds of
 * a signature's time there).  As secret as the key: sigv4_hmac_free
 * wipes it.  One thread at a time: signing hashes in its own context.
 * Dies if OpenSSL fails.
 */
struct sigv4_hmac;
struct sigv4_hmac *sigv4_hmac_new(const unsigned char key[32]);
void sigv4_hmac_free(struct sigv4_hmac *h);
/* sigv4_sign with a key made ready; the same signature. */
void sigv4_sign_hmac(const struct sigv4_req *r, const char *akid,
		     struct sigv4_hmac *key, struct sigv4_out *out);

/* How to presign: the query parameters sigv4_presign adds. */
struct sigv4_presign {
	int64_t expires;	/* X-Amz-Expires, seconds (S3: 1..604800) */
	const char *token;	/* session token, or NULL */
	/*
	 * 0: X-Amz-Security-Token is part of the signed query (S3, and what
	 *    most services want).  1: it is added after signing, unsigned,
	 *    as a few services ask (the suites' post-sts-header-after).
	 */
	int token_unsigned;
};

/*
 * Signs r as a presigned URL (query signing).  r->headers are the headers
 * to sign (at least host; no x-amz-date, which goes in the query) and
 * r->payload_hash is usually SIGV4_UNSIGNED_PAYLOAD for S3.  Adds
 * X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders and X-Amz-Security-Token (when ps->token is set and
 * signed) to r's parameters, signs, and sets query (emptied first) to the
 * whole query to send: the canonical query, then "&X-Amz-Signature=..."
 * and, for an unsigned token, "&X-Amz-Security-Token=...".  The URL is
 * then canonical_uri "?" query.  out->creq, sts and signature are filled;
 * out->authorization is left empty.
 */
void sigv4_presign(const struct sigv4_req *r, const char *akid,
		   const unsigned char key[32], const struct sigv4_presign *ps,
		   struct buf *query, struct sigv4_out *out);

/* Frees out's buffers; out is then as SIGV4_OUT_INIT left it. */
void sigv4_out_free(struct sigv4_out *out);

/* Writes the lowercase hex SHA-256 of p[0..n), NUL-terminated, to out. */
void sigv4_sha256_hex(const void *p, size_t n, char out[65]);

/*
 * Writes epoch seconds as "YYYYMMDDTHHMMSSZ" (UTC), NUL-terminated, and
 * returns 0; returns -1 and writes "" outside the years 0000 to 9999.
 */
int sigv4_amzdate(int64_t epoch, char out[17]);

#endif
