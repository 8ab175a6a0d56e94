/* SPDX-License-Identifier: MIT */
/*
 * One HTTP exchange on libcurl's easy interface, for the credential
 * sources (container, IMDS, STS, the SSO portal): a bounded answer in
 * memory, no redirects, http and https only, no signals.  The answer may
 * hold secrets: aws_fetch_free wipes it.  Call curl_global_init first.
 */
#ifndef AWS_FETCH_H
#define AWS_FETCH_H

#include <curl/curl.h>

#include "buf.h"

#define AWS_FETCH_MAX (64 * 1024)	/* no credential answer is bigger */

struct aws_fetch_req {
	const char *method;	/* "GET", "PUT" (an empty body) or "POST" */
	const char *url;
	/* the headers; a list of the caller's own, so that it can wipe
	 * the secrets in it (curl_slist nodes on the stack will do) */
	struct curl_slist *headers;
	const char *body;	/* POST only */
	size_t bodylen;
	long conn_ms, total_ms;	/* connect and total timeouts */
	const char *cafile;	/* NULL: the system's CA store */
	int direct;		/* no proxy: loopback and link-local */
	/* polled while the exchange waits (a few times a second): nonzero
	 * ends it at once, with CURLE_ABORTED_BY_CALLBACK; NULL: never */
	int (*cancel)(void *arg);
	void *cancel_arg;
};

struct aws_fetch {
	CURLcode cc;
	long status;		/* the HTTP status; 0: none */
	int connected;		/* a connection was made */
	int toobig;		/* the answer was over AWS_FETCH_MAX */
	char errbuf[CURL_ERROR_SIZE];
	struct buf body;	/* the answer; may hold secrets */
};

#define AWS_FETCH_INIT { CURLE_OK, 0, 0, 0, { 0 }, BUF_INIT }

/* Sends r and waits for the whole answer; f's previous answer is wiped
 * first.  The outcome is in f: cc, status, body. */
void aws_fetch_run(struct aws_fetch *f, const struct aws_fetch_req *r);

/* aws_fetch_run up to tries times while aws_fetch_retry says so, after
 * 400 ms, 800 ms, ... between them; r's cancel ends a wait, and f then
 * fails as CURLE_ABORTED_BY_CALLBACK. */
void aws_fetch_tries(struct aws_fetch *f, const struct aws_fetch_req *r,
		     int tries);

/* Why f failed (cc is not CURLE_OK): curl's words, the size limit, or
 * "interrupted" when r->cancel ended it. */
const char *aws_fetch_why(const struct aws_fetch *f);

/* 1 when f is worth another try: no connection was made, or a 5xx. */
int aws_fetch_retry(const struct aws_fetch *f);

/* Wipes and frees the answer. */
void aws_fetch_free(struct aws_fetch *f);

/* 1 for a host that is this machine (localhost, 127/8, ::1). */
int aws_fetch_loopback(const char *host);

/* Sleeps ms milliseconds, through EINTR; with cancel (may be NULL),
 * in steps of 100 ms, and returns -1 as soon as it says so, else 0. */
int aws_fetch_sleep_ms(long ms, int (*cancel)(void *), void *arg);

/* Wipes b's memory and frees it; b is then empty. */
void aws_fetch_wipe(struct buf *b);

#endif
