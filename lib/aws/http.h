/* SPDX-License-Identifier: MIT */
/*
 * HTTP on the libcurl multi interface: many requests at once over
 * kept-alive connections, one retry policy, and a loop the caller drives.
 *
 *	struct http *h = http_new(&opts);
 *	http_start(h, req);		// req->prepare signs it, then it runs
 *	while (http_run(h, 200) > 0)	// on_done fires as requests end
 *		;
 *
 * What a response means (a DynamoDB throttle is an HTTP 400, an S3 body
 * cut short must resume at a byte offset) belongs to the caller: its
 * on_done looks at status, cc and resp, and either finishes the request
 * or calls http_retry.  http_transient says what is worth retrying at
 * the HTTP level: dropped or failed connections, timeouts, 429 and 5xx.
 *
 * The loop reads CLOCK_MONOTONIC for its timers; nothing else here reads
 * a clock or the environment.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"

struct http_opts {
	int conns;		/* connections kept open at most (>= 1) */
	long connect_ms;	/* connect timeout; 0: 10 s */
	long stall_s;		/* abort a transfer idle this long; 0: 60 s */
	const char *ca_bundle;	/* NULL: the system's CA store */
	int max_attempts;	/* tries per request, first one included */
	long base_ms;		/* backoff: attempt k waits up to */
	long cap_ms;		/*   min(cap, base * 2^k), full jitter */
	uint64_t seed;		/* for the jitter */
	const char *user_agent;
	long recv_buffer;	/* libcurl's receive buffer; 0: its default */
};

struct http_req;
/* Sets the URL and headers before each attempt (signing happens here, so
 * a retry carries a fresh date).  Returns 0, or -1 to fail the request
 * with cc = CURLE_ABORTED_BY_CALLBACK (a reason it wrote to errbuf is
 * kept). */
typedef int (*http_prepare_fn)(struct http_req *r);
/* Takes body bytes of a 2xx response; returns n, 0 to abort the
 * transfer, or CURL_WRITEFUNC_PAUSE to pause it (see http_unpause). */
typedef size_t (*http_body_fn)(struct http_req *r, const char *p, size_t n);
/* Called once an attempt has ended, successfully or not. */
typedef void (*http_done_fn)(struct http_req *r);

#define HTTP_RESP_MAX (32u << 20)	/* a collected body is cut at this */

struct http_req {
	/* set by the caller; url and headers by prepare, each attempt */
	const char *method;		/* "GET", "PUT", "POST", "HEAD" */
	struct buf url;
	struct curl_slist *headers;	/* owned: freed by http_req_free */
	const char *body;		/* request body, not copied */
	size_t bodylen;
	http_prepare_fn prepare;
	http_body_fn on_body;		/* NULL: 2xx bodies go to resp */
	http_done_fn on_done;
	void *ctx;

	/* the outcome of the last attempt, valid in on_done */
	CURLcode cc;			/* CURLE_OK: a response came */
	long status;			/* HTTP status, 0 without a response */
	struct buf resp;		/* body, unless on_body took it */
	char etag[128];
	char content_range[96];
	char request_id[96];		/* x-amz-request-id / x-amzn-RequestId */
	char errbuf[CURL_ERROR_SIZE];
	int64_t received;		/* body bytes of this attempt */
	int64_t wait_us;		/* from sending it to the answer's
					 * first byte (no connecting); -1:
					 * no answer */
	int attempt;			/* 1 for the first */
	int delay_ms;			/* the wait before this attempt */

	/* the loop's */
	CURL *easy;
	int paused;
	int64_t due;
	struct http_req *next;
};

struct http;

/* Dies on failure to initialise libcurl. */
struct http *http_new(const struct http_opts *o);
void http_free(struct http *h);

/* Resets r's outcome and starts it now (attempt 1). */
void http_start(struct http *h, struct http_req *r);
/*
 * Schedules another attempt after the backoff for r->attempt.  Returns
 * the delay in ms, or -1 when r has had its max_attempts (r is then not
 * scheduled).  Call from on_done or later.
 */
long http_retry(struct http *h, struct http_req *r);
/* Like http_retry, after at least min_ms (a server's Retry-After). */
long http_retry_after(struct http *h, struct http_req *r, long min_ms);
/* Ends r where it is (running, or waiting to retry) without calling its
 * on_done; r may then be freed or started again.  Nothing when r is
 * neither. */
void http_cancel(struct http *h, struct http_req *r);
/* Resumes a transfer paused by on_body returning CURL_WRITEFUNC_PAUSE. */
void http_unpause(struct http *h, struct http_req *r);

/*
 * Moves every request on: performs transfers, calls on_done for those
 * that ended, starts retries that are due, then waits up to wait_ms for
 * activity.  Returns how many requests are running or waiting to retry.
 */
int http_run(struct http *h, long wait_ms);
/* Like http_run, and the wait also ends when one of fds is ready (its
 * revents say how), so a caller can read stdin between transfers. */
int http_run_fds(struct http *h, long wait_ms, struct curl_waitfd *fds,
		 unsigned nfds);

/* 1 if the last attempt failed in a way another attempt may not:
 * a connection refused, reset or cut short, a timeout, 429 or 5xx. */
int http_transient(const struct http_req *r);
/* One line on what went wrong, e.g. "HTTP 503" or curl's error text. */
const char *http_strerror(const struct http_req *r, struct buf *b);
/* Frees what r holds (not r itself). */
void http_req_free(struct http_req *r);

/* Retries and attempts so far, for summaries. */
uint64_t http_retries(const struct http *h);

#endif
