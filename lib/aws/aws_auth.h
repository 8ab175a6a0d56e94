/* SPDX-License-Identifier: MIT */
/*
 * One service's configuration, credentials and signing, as a networked
 * program needs them: load once, then sign each request (each attempt).
 * Temporary credentials are fetched again before they expire, and the
 * day's signing key is derived once a day (and region), so a request
 * costs two hashes and an HMAC.
 *
 * It also keeps what the servers said of our signatures: how far the
 * local clock is from theirs (every later signature is made at the
 * server's time), and credentials found expired before their time are
 * fetched again.  Each such change, and each new set of credentials,
 * starts a new generation: a request signed in an older one is worth
 * another try.
 *
 * Thread-safe: one aws_auth may sign from many threads at once.
 */
#ifndef AWS_AUTH_H
#define AWS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "aws_conf.h"
#include "buf.h"
#include "sigv4.h"

struct aws_auth;

/*
 * Loads the configuration for o->service ("s3" or "dynamodb") and, unless
 * nosign, the credentials.  Returns NULL with one line in err (no program
 * name) and *status set: EXIT_USAGE for a configuration error or a
 * broken credential source, EXIT_REMOTE when a remote source (container,
 * instance metadata) refused or failed (aws_creds_exit_status).
 */
struct aws_auth *aws_auth_new(const struct aws_conf_opts *o, int nosign,
    aws_conf_env env, int64_t now, struct buf *err, int *status);
void aws_auth_free(struct aws_auth *a);

/* The resolved configuration: region, endpoint, CA bundle. */
const struct aws_conf *aws_auth_conf(const struct aws_auth *a);
/* Where the credentials came from ("environment", ...), or "none". */
const char *aws_auth_source(const struct aws_auth *a);

/*
 * Signs one request and appends to *headers what signing adds:
 * x-amz-date, x-amz-content-sha256 (S3), x-amz-security-token (when the
 * credentials have one) and Authorization.  host is the URL's authority
 * as sent ("127.0.0.1:4568", "b.s3.eu-west-1.amazonaws.com"); path and
 * params are unencoded (the URL must be built from sigv4_canonical_uri
 * and sigv4_canonical_query of the same); extra are the headers the caller
 * sends and wants signed (content-type, x-amz-target, range...).  With
 * nosign nothing is added.  Returns 0, or -1 with the reason in err when
 * expired credentials could not be renewed, or extra holds more headers
 * than fit beside signing's own (16 in all).
 */
int aws_auth_sign(struct aws_auth *a, const char *method, const char *host,
    const char *path, const struct sigv4_param *params, size_t nparams,
    const struct sigv4_header *extra, size_t nextra,
    const char *payload_hash, int64_t now, struct curl_slist **headers,
    struct buf *err);

/* One request to sign, as aws_auth_sign takes it, and in what region. */
struct aws_auth_req {
	const char *region;	/* NULL: the configuration's */
	const char *method, *host, *path;
	const struct sigv4_param *params;
	size_t nparams;
	const struct sigv4_header *extra;
	size_t nextra;
	const char *payload_hash;
	int64_t now;		/* the local clock */
	unsigned gen;		/* set: the generation it was signed in */
};

/* aws_auth_sign for q: the same, in q->region. */
int aws_auth_sign_req(struct aws_auth *a, struct aws_auth_req *q,
    struct curl_slist **headers, struct buf *err);

/* A difference of clocks smaller than this is not a clock problem. */
#define AWS_AUTH_SKEW_MIN 60

/*
 * The server said a signature of generation gen was made at the wrong
 * time (S3's RequestTimeTooSkewed or RequestExpired, DynamoDB's
 * "Signature expired"), answering at date (its Date header in epoch
 * seconds; -1: none) when the local clock said now.  When the clocks
 * are AWS_AUTH_SKEW_MIN seconds apart or more, the difference is kept
 * and added to the clock of every later signature (the notice function
 * is told, once).  Returns 1 when another attempt is worth it (the
 * difference is new, or the request was signed before a change), 0 when
 * not (the clocks agree: something else is wrong).
 */
int aws_auth_clock(struct aws_auth *a, int64_t date, int64_t now,
    unsigned gen);
/* The seconds added to the local clock when signing (0: none). */
int64_t aws_auth_skew(struct aws_auth *a);

/*
 * The server found the credentials a request of generation gen was
 * signed with expired (ExpiredToken).  Unless they were replaced since,
 * they are loaded again now.  Returns 1 when another attempt is worth
 * it (other credentials than those), 0 when not (the same came back, or
 * none: err says why).
 */
int aws_auth_refresh(struct aws_auth *a, unsigned gen, int64_t now,
    struct buf *err);

/* Where aws_auth says what it did that a user should know (the clock it
 * corrected); NULL: nowhere.  fn is called at most once a process. */
void aws_auth_notice(struct aws_auth *a, void (*fn)(const char *msg));

#endif
