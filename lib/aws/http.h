/* SPDX-License-Identifier: MIT */
/*
 * HTTP on the libcurl multi interface: many requests at once over
 * kept-alive connections, one retry policy, and a loop the caller drives.
 *
 *	struct http *h = http_new(&opts, &err);	// NULL: err says why
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
 * Limits, so that no server can hold memory or the loop for long:
 *   - a transfer slower than speed_limit bytes a second for speed_time
 *     seconds ends (CURLE_OPERATION_TIMEDOUT, worth a retry); a paused
 *     one is not timed;
 *   - an attempt has a total time, timeout_ms, unless its request says
 *     HTTP_NO_TIMEOUT (an S3 object's body, which may be big but keeps
 *     moving, or the speed limit ends it);
 *   - a response's header lines add up to at most HTTP_HEADER_MAX bytes;
 *     a 2xx body collected in resp to at most resp_max; either one over
 *     ends the attempt, r->limit says which, and it is not worth a retry;
 *   - a non-2xx body is kept to its first HTTP_ERRBODY_MAX bytes and the
 *     rest is not read (the attempt ends as if the body had ended there:
 *     cc CURLE_OK, r->limit HTTP_LIMIT_ERRBODY);
 *   - no redirect is followed, so no Authorization header goes to a host
 *     other than the one signed for; http_redirect says the response was
 *     one, and http_strerror where it pointed;
 *   - connections open at once are capped by what RLIMIT_NOFILE leaves
 *     (http_conns), shared fairly between the http loops of a process;
 *     a connection refused a descriptor (EMFILE) lowers the cap and waits
 *     for one, unseen by the caller, instead of failing the request.
 *
 * The loop reads CLOCK_MONOTONIC for its timers, and RLIMIT_NOFILE and
 * the open descriptors in http_new; nothing here reads the environment
 * (http_opts_env reads it through the function it is given).
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
	long speed_limit;	/* a transfer slower than this, in bytes a */
	long speed_time;	/*   second, for this many seconds ends; */
				/*   0: 1024 bytes a second, 30 s */
	long timeout_ms;	/* an attempt's total time; 0: 120 s */
	size_t resp_max;	/* a 2xx body collected in resp; 0: 16 MiB */
	const char *ca_bundle;	/* NULL: the system's CA store */
	const char *region;	/* named in a redirect's message; may be NULL */
	int max_attempts;	/* tries per request, first one included */
	long base_ms;		/* backoff: attempt k waits up to */
	long cap_ms;		/*   min(cap, base * 2^k), full jitter */
	uint64_t seed;		/* for the jitter */
	const char *user_agent;
	long recv_buffer;	/* libcurl's receive buffer; 0: its default */
};

#define HTTP_SPEED_LIMIT 1024		/* bytes a second, */
#define HTTP_SPEED_TIME 30		/*   for this many seconds */
#define HTTP_TIMEOUT_MS 120000		/* an attempt's total time */
#define HTTP_RESP_MAX (16u << 20)	/* a 2xx body collected in resp */
#define HTTP_HEADER_MAX (64u << 10)	/* a response's header lines */
#define HTTP_ERRBODY_MAX (16u << 10)	/* a non-2xx body, kept */
#define HTTP_NO_TIMEOUT (-1L)		/* http_req.timeout_ms: none */

/*
 * Reads the limits a user may change from the environment, through env
 * (main passes getenv), into o:
 *   POPULATOR_SPEED_LIMIT  bytes a second   (o->speed_limit)
 *   POPULATOR_SPEED_TIME   seconds          (o->speed_time)
 *   POPULATOR_TIMEOUT      seconds          (o->timeout_ms)
 * Unset or "" leaves a field as it is.  Returns 0, or -1 with one line
 * naming the variable in err.
 */
int http_opts_env(struct http_opts *o, char *(*env)(const char *),
		  struct buf *err);

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

/* What ended an attempt early, beyond cc and status (r->limit). */
enum http_limit {
	HTTP_LIMIT_NONE,
	HTTP_LIMIT_HEADER,	/* header lines over HTTP_HEADER_MAX */
	HTTP_LIMIT_BODY,	/* a 2xx body for resp over its resp_max */
	HTTP_LIMIT_ERRBODY,	/* a non-2xx body cut at HTTP_ERRBODY_MAX:
				 * cc is CURLE_OK, resp holds the start */
	HTTP_LIMIT_NOFD,	/* no descriptor for a connection for long */
};

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
	long timeout_ms;		/* 0: the opts'; or HTTP_NO_TIMEOUT */
	size_t resp_max;		/* 0: the opts' */

	/* the outcome of the last attempt, valid in on_done */
	CURLcode cc;			/* CURLE_OK: a response came */
	long status;			/* HTTP status, 0 without a response */
	struct buf resp;		/* body, unless on_body took it */
	char etag[128];
	char content_range[96];
	char request_id[96];		/* x-amz-request-id / x-amzn-RequestId */
	char location[256];		/* a redirect's Location, cut */
	char date[40];			/* the answer's Date */
	char bucket_region[32];		/* S3's x-amz-bucket-region */
	int64_t content_length;		/* the answer's, -1: none given */
	int limit;			/* enum http_limit */
	char errbuf[CURL_ERROR_SIZE];
	int64_t received;		/* body bytes of this attempt */
	int64_t wait_us;		/* from sending it to the answer's
					 * first byte (no connecting); -1:
					 * no answer */
	int attempt;			/* 1 for the first */
	int delay_ms;			/* the wait before this attempt */

	/* the caller's notes on how the last attempt was made, kept until
	 * the next (lib/aws/s3: the region it was signed for, and the
	 * generation of the credentials and clock it was signed with) */
	char signed_region[32];
	unsigned signed_gen;

	/* the loop's */
	CURL *easy;
	int paused;
	int64_t due;
	struct http_req *next;
	size_t hdrbytes;		/* header bytes of this attempt */
	int hdrdone;			/* the last header line came */
	int nofd;			/* socket(2) said EMFILE or ENFILE */
	int64_t nofd_since;		/* when this request first did */
	size_t respcap;			/* resp_max, or the opts' */
};

struct http;

/*
 * A loop, after the program's main has called curl_global_init (this
 * never does).  Returns NULL with one line in err when RLIMIT_NOFILE
 * leaves fewer than 4 descriptors free, too few for one connection ("too
 * few file descriptors: ..."; a usage error); dies only when libcurl
 * cannot allocate.
 */
struct http *http_new(const struct http_opts *o, struct buf *err);
void http_free(struct http *h);

/* Resets r's outcome and starts it (attempt 1): now, or once a
 * connection is free under http_conns. */
void http_start(struct http *h, struct http_req *r);
/*
 * Schedules another attempt after the backoff for r->attempt.  Returns
 * the delay in ms, or -1 when r has had its max_attempts (r is then not
 * scheduled).  Call from on_done or later.
 */
long http_retry(struct http *h, struct http_req *r);
/* Like http_retry, after at least min_ms (a server's Retry-After). */
long http_retry_after(struct http *h, struct http_req *r, long min_ms);
/* Ends r where it is (running, waiting to retry, or waiting for a
 * connection) without calling its on_done; r may then be freed or
 * started again.  Nothing when r is none of these. */
void http_cancel(struct http *h, struct http_req *r);
/* Resumes a transfer paused by on_body returning CURL_WRITEFUNC_PAUSE. */
void http_unpause(struct http *h, struct http_req *r);

/*
 * Moves every request on: performs transfers, calls on_done for those
 * that ended, starts retries that are due, then waits up to wait_ms for
 * activity.  Returns how many requests are running, waiting to retry, or
 * waiting for a connection.
 */
int http_run(struct http *h, long wait_ms);
/* Like http_run, and the wait also ends when one of fds is ready (its
 * revents say how), so a caller can read stdin between transfers. */
int http_run_fds(struct http *h, long wait_ms, struct curl_waitfd *fds,
		 unsigned nfds);

/* 1 if the last attempt failed in a way another attempt may not:
 * a connection refused, reset or cut short, a timeout, 429 or 5xx.
 * An attempt over a size limit (r->limit) is not. */
int http_transient(const struct http_req *r);
/* 1 if the last attempt's answer was a redirect (301, 302, 303, 307,
 * 308), not followed; r->location says where to. */
int http_redirect(const struct http_req *r);
/* 1 if the last attempt moved a body on: it got body bytes and did not
 * end by a timeout, or it got HTTP_PROGRESS_MIN of them.  A slow server
 * that sends a few bytes an attempt makes no progress. */
int http_progress(const struct http_req *r);
#define HTTP_PROGRESS_MIN (1 << 20)
/*
 * One line on what went wrong: curl's error text, ours for a limit
 * ("response header too large (more than 65536 bytes)"), or "HTTP 503";
 * a redirect says from where to where, and a body that is neither XML
 * nor JSON, or was cut, has its first bytes shown, made printable.
 */
const char *http_strerror(const struct http_req *r, struct buf *b);
/* The epoch seconds of r's answer's Date header, or -1 when it had
 * none that reads as a date. */
int64_t http_date(const struct http_req *r);
/* Frees what r holds (not r itself). */
void http_req_free(struct http_req *r);

/* Retries and attempts so far, for summaries. */
uint64_t http_retries(const struct http *h);
/* The connections h may have open at once: opts.conns, or fewer when
 * RLIMIT_NOFILE leaves fewer descriptors (see above). */
int http_conns(const struct http *h);
/* RLIMIT_NOFILE's soft limit, for messages; -1 when there is none. */
long http_nofile(void);

#endif
