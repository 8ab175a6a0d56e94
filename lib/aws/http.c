/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "xalloc.h"

/*
 * The loop runs on curl_multi_socket_action: libcurl tells us which
 * sockets to watch for what (onsocket) and when to call it back
 * (ontimer), and we call it for exactly the sockets poll(2) found ready.
 * curl_multi_perform instead visits every transfer on every call, and in
 * libcurl 7.88 a transfer whose answer has arrived waits for the next
 * curl_multi_poll to be seen: a window of 64 requests ran no faster than
 * one.  The watched sockets are kept as a pollfd array (socketp holds
 * each one's index + 1), so a wait is one poll(2) over them and the
 * caller's descriptors.
 */
struct http {
	CURLM *multi;
	struct http_opts o;
	CURL **pool;		/* idle easy handles, kept for reuse */
	size_t npool, cappool;
	int running;		/* requests in the multi handle */
	struct http_req *delayed;	/* waiting to retry, by due time */
	int ndelayed;
	uint64_t rng;
	uint64_t retries;
	struct pollfd *pfd;	/* watched sockets, then the caller's fds */
	size_t npfd, cappfd;
	struct pollfd *ready;	/* scratch: what one poll found */
	size_t capready;
	int64_t timer;		/* when libcurl wants a call; -1: never */
};

/*
 * TLS sessions and resolved names, shared by every loop of the process
 * (the shards' threads: hence the locks).  A connection opened as a
 * window grows, or after one was dropped, then resumes a TLS session
 * rather than making a full handshake; without this each pooled easy
 * handle kept a cache of its own.  Connections themselves stay each
 * loop's: libcurl does not share them between threads.
 */
static CURLSH *share;
static pthread_mutex_t sharelock[CURL_LOCK_DATA_LAST];
static pthread_once_t shareonce = PTHREAD_ONCE_INIT;

static void
sharelockfn(CURL *e, curl_lock_data d, curl_lock_access a, void *ud)
{
	(void)e;
	(void)a;
	(void)ud;
	pthread_mutex_lock(&sharelock[d]);
}

static void
shareunlockfn(CURL *e, curl_lock_data d, void *ud)
{
	(void)e;
	(void)ud;
	pthread_mutex_unlock(&sharelock[d]);
}

static void
share_init(void)
{
	int i;

	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&sharelock[i], NULL);
	if (!(share = curl_share_init()) ||
	    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, sharelockfn) ||
	    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, shareunlockfn) ||
	    curl_share_setopt(share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS))
		diex(EXIT_PARTIAL, "libcurl: cannot share TLS sessions");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: jitter needs no more */
static uint64_t
rnd(struct http *h)
{
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 2685821657736338717ULL;
}

static short
pollevents(int what)
{
	return (short)((what & CURL_POLL_IN ? POLLIN : 0) |
		       (what & CURL_POLL_OUT ? POLLOUT : 0));
}

/* libcurl: watch s for what, or stop watching it */
static int
onsocket(CURL *e, curl_socket_t s, int what, void *ud, void *sp)
{
	struct http *h = ud;
	size_t i = (size_t)(uintptr_t)sp;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (!i)
			return 0;
		/* the last entry fills the hole */
		h->pfd[i - 1] = h->pfd[--h->npfd];
		if (i - 1 < h->npfd)
			curl_multi_assign(h->multi, h->pfd[i - 1].fd,
					  (void *)(uintptr_t)i);
		return 0;
	}
	if (!i) {
		if (h->npfd == h->cappfd) {
			h->cappfd = h->cappfd ? 2 * h->cappfd : 64;
			h->pfd = xreallocarray(h->pfd, h->cappfd,
					       sizeof *h->pfd);
		}
		i = ++h->npfd;
		h->pfd[i - 1].fd = s;
		curl_multi_assign(h->multi, s, (void *)(uintptr_t)i);
	}
	h->pfd[i - 1].events = pollevents(what);
	h->pfd[i - 1].revents = 0;
	return 0;
}

/* libcurl: call back in ms (0: at once), or never (-1) */
static int
ontimer(CURLM *m, long ms, void *ud)
{
	struct http *h = ud;

	(void)m;
	h->timer = ms < 0 ? -1 : now_ms() + ms;
	return 0;
}

struct http *
http_new(const struct http_opts *o)
{
	static int inited;
	struct http *h = xcalloc(1, sizeof *h);

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			diex(EXIT_PARTIAL, "libcurl: cannot initialise");
		inited = 1;
	}
	pthread_once(&shareonce, share_init);
	h->o = *o;
	if (h->o.conns < 1)
		h->o.conns = 1;
	if (!h->o.connect_ms)
		h->o.connect_ms = 10000;
	if (!h->o.stall_s)
		h->o.stall_s = 60;
	if (h->o.max_attempts < 1)
		h->o.max_attempts = 1;
	if (h->o.base_ms < 1)
		h->o.base_ms = 1;
	if (h->o.cap_ms < h->o.base_ms)
		h->o.cap_ms = h->o.base_ms;
	h->rng = o->seed ? o->seed : 0x9E3779B97F4A7C15ULL;
	h->timer = -1;
	if (!(h->multi = curl_multi_init()))
		diex(EXIT_PARTIAL, "libcurl: cannot make a multi handle");
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, onsocket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, ontimer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)h->o.conns);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)h->o.conns);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.conns);
	return h;
}

void
http_free(struct http *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	curl_multi_cleanup(h->multi);
	free(h->pfd);
	free(h->ready);
	free(h);
}

/* Copies the value of a "Name: value" header line into dst, trimmed. */
static void
hval(char *dst, size_t cap, const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
		     p[n - 1] == ' '))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static int
hname(const char *p, size_t n, const char *name, size_t *vo)
{
	size_t k = strlen(name);

	if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0)
		return 0;
	*vo = k + 1;
	return 1;
}

static size_t
onheader(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb, v;

	if (n > 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a 100 Continue, say) */
		const char *sp = memchr(p, ' ', n);

		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->etag[0] = r->content_range[0] = r->request_id[0] = '\0';
	} else if (hname(p, n, "etag", &v)) {
		hval(r->etag, sizeof r->etag, p + v, n - v);
	} else if (hname(p, n, "content-range", &v)) {
		hval(r->content_range, sizeof r->content_range, p + v, n - v);
	} else if (hname(p, n, "x-amz-request-id", &v) ||
		   hname(p, n, "x-amzn-requestid", &v)) {
		hval(r->request_id, sizeof r->request_id, p + v, n - v);
	}
	return n;
}

static size_t
onwrite(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb, k;

	if (r->status >= 200 && r->status < 300 && r->on_body) {
		k = r->on_body(r, p, n);
		if (k == CURL_WRITEFUNC_PAUSE) {
			r->paused = 1;
			return k;
		}
		if (k == n)
			r->received += (int64_t)n;
		return k;
	}
	r->received += (int64_t)n;
	if (r->resp.len < HTTP_RESP_MAX)
		buf_add(&r->resp, p, n < HTTP_RESP_MAX - r->resp.len ?
			n : HTTP_RESP_MAX - r->resp.len);
	return n;
}

static CURL *
geteasy(struct http *h)
{
	CURL *e;

	if (h->npool)
		return h->pool[--h->npool];
	if (!(e = curl_easy_init()))
		diex(EXIT_PARTIAL, "libcurl: cannot make an easy handle");
	return e;
}

static void
puteasy(struct http *h, CURL *e)
{
	curl_easy_reset(e);
	if (h->npool == h->cappool) {
		h->cappool = h->cappool ? 2 * h->cappool : 16;
		h->pool = xreallocarray(h->pool, h->cappool, sizeof *h->pool);
	}
	h->pool[h->npool++] = e;
}

static void
setup(struct http *h, struct http_req *r)
{
	CURL *e = r->easy;

	curl_easy_setopt(e, CURLOPT_URL, buf_str(&r->url));
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* the path is signed as built: curl must not squash . or .. */
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->o.stall_s);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SHARE, share);
	if (h->o.ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.ca_bundle);
	if (h->o.user_agent)
		curl_easy_setopt(e, CURLOPT_USERAGENT, h->o.user_agent);
	if (h->o.recv_buffer)
		curl_easy_setopt(e, CURLOPT_BUFFERSIZE, h->o.recv_buffer);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, onheader);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onwrite);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (r->body || strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->bodylen);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		if (strcmp(r->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	}
}

/* Starts the attempt r->attempt now. */
static void
begin(struct http *h, struct http_req *r)
{
	r->cc = CURLE_OK;
	r->status = 0;
	r->received = 0;
	r->wait_us = -1;
	r->paused = 0;
	r->errbuf[0] = r->etag[0] = r->content_range[0] = '\0';
	r->request_id[0] = '\0';
	buf_reset(&r->resp);
	if (r->prepare && r->prepare(r) < 0) {
		r->cc = CURLE_ABORTED_BY_CALLBACK;
		if (!r->errbuf[0])
			snprintf(r->errbuf, sizeof r->errbuf,
				 "request not prepared");
		r->on_done(r);
		return;
	}
	r->easy = geteasy(h);
	setup(h, r);
	if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot add a transfer");
	h->running++;
}

void
http_start(struct http *h, struct http_req *r)
{
	r->attempt = 1;
	r->delay_ms = 0;
	begin(h, r);
}

long
http_retry_after(struct http *h, struct http_req *r, long min_ms)
{
	struct http_req **pp;
	long ceil, delay;
	int k = r->attempt < 31 ? r->attempt - 1 : 30;

	if (r->attempt >= h->o.max_attempts)
		return -1;
	ceil = h->o.base_ms << k;
	if (ceil > h->o.cap_ms || ceil <= 0)
		ceil = h->o.cap_ms;
	delay = (long)(rnd(h) % (uint64_t)(ceil + 1));
	if (delay < min_ms)
		delay = min_ms;
	r->attempt++;
	r->delay_ms = (int)delay;
	r->due = now_ms() + delay;
	for (pp = &h->delayed; *pp && (*pp)->due <= r->due; pp = &(*pp)->next)
		;
	r->next = *pp;
	*pp = r;
	h->ndelayed++;
	h->retries++;
	return delay;
}

long
http_retry(struct http *h, struct http_req *r)
{
	return http_retry_after(h, r, 0);
}

void
http_cancel(struct http *h, struct http_req *r)
{
	struct http_req **pp;

	if (r->easy) {
		curl_multi_remove_handle(h->multi, r->easy);
		h->running--;
		puteasy(h, r->easy);
		r->easy = NULL;
		return;
	}
	for (pp = &h->delayed; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			r->next = NULL;
			h->ndelayed--;
			return;
		}
}

void
http_unpause(struct http *h, struct http_req *r)
{
	(void)h;
	if (r->easy && r->paused) {
		r->paused = 0;
		curl_easy_pause(r->easy, CURLPAUSE_CONT);
	}
}

/* The answer's wait: the server's time and the network's, and ours
 * before we read it; not the connection's setup. */
static int64_t
waited(CURL *e)
{
	curl_off_t pre = 0, first = 0;

	if (curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre) !=
	    CURLE_OK ||
	    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &first) !=
	    CURLE_OK || first <= 0 || first < pre)
		return -1;
	return (int64_t)(first - pre);
}

static void
finish(struct http *h, CURLMsg *m)
{
	struct http_req *r;
	CURL *e = m->easy_handle;
	char *priv = NULL;
	long code = 0;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	r = (struct http_req *)priv;
	r->cc = m->data.result;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (code)
		r->status = code;
	r->wait_us = waited(e);
	curl_multi_remove_handle(h->multi, e);
	h->running--;
	r->easy = NULL;
	puteasy(h, e);
	r->on_done(r);
}

int
http_run(struct http *h, long wait_ms)
{
	return http_run_fds(h, wait_ms, NULL, 0);
}

/* Lets libcurl act on what is due: its timer, and the ready sockets. */
static void
act(struct http *h, size_t nready)
{
	int still;
	size_t i;

	for (i = 0; i < nready; i++)
		curl_multi_socket_action(h->multi, h->ready[i].fd,
			(h->ready[i].revents & (POLLIN | POLLHUP) ?
			 CURL_CSELECT_IN : 0) |
			(h->ready[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
			(h->ready[i].revents & (POLLERR | POLLNVAL) ?
			 CURL_CSELECT_ERR : 0), &still);
	if (h->timer >= 0 && h->timer <= now_ms()) {
		h->timer = -1;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0,
					 &still);
	}
}

/* Ends what libcurl has finished; returns how many. */
static int
reap(struct http *h)
{
	CURLMsg *m;
	int q, n = 0;

	while ((m = curl_multi_info_read(h->multi, &q)))
		if (m->msg == CURLMSG_DONE) {
			finish(h, m);
			n++;
		}
	return n;
}

/* Waits up to wait ms on the watched sockets and fds; returns how many
 * sockets are ready (copied to h->ready). */
static size_t
await(struct http *h, long wait, struct curl_waitfd *fds, unsigned nfds)
{
	size_t n = h->npfd, i, k = 0;
	int rc;

	if (h->npfd + nfds > h->cappfd) {
		h->cappfd = h->npfd + nfds + 16;
		h->pfd = xreallocarray(h->pfd, h->cappfd, sizeof *h->pfd);
	}
	for (i = 0; i < nfds; i++) {
		h->pfd[n + i].fd = fds[i].fd;
		h->pfd[n + i].events = (short)(
			(fds[i].events & CURL_WAIT_POLLIN ? POLLIN : 0) |
			(fds[i].events & CURL_WAIT_POLLPRI ? POLLPRI : 0) |
			(fds[i].events & CURL_WAIT_POLLOUT ? POLLOUT : 0));
		h->pfd[n + i].revents = 0;
	}
	if (!n && !nfds) {
		struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

		if (wait > 0)
			nanosleep(&ts, NULL);	/* a signal ends it */
		return 0;
	}
	rc = poll(h->pfd, n + nfds, (int)wait);
	if (rc <= 0)
		return 0;
	for (i = 0; i < nfds; i++) {
		short re = h->pfd[n + i].revents;

		fds[i].revents = (short)(
			(re & (POLLIN | POLLHUP | POLLERR) ?
			 CURL_WAIT_POLLIN : 0) |
			(re & POLLPRI ? CURL_WAIT_POLLPRI : 0) |
			(re & POLLOUT ? CURL_WAIT_POLLOUT : 0));
	}
	if (n > h->capready) {
		h->capready = h->cappfd;
		h->ready = xreallocarray(h->ready, h->capready,
					 sizeof *h->ready);
	}
	for (i = 0; i < n; i++)
		if (h->pfd[i].revents)
			h->ready[k++] = h->pfd[i];
	return k;
}

int
http_run_fds(struct http *h, long wait_ms, struct curl_waitfd *fds,
	     unsigned nfds)
{
	int64_t now;
	long wait;
	size_t nready;

	int ended;

	/* what is due now: started transfers, expired timers */
	act(h, 0);
	ended = reap(h);
	now = now_ms();
	while (h->delayed && h->delayed->due <= now) {
		struct http_req *r = h->delayed;

		h->delayed = r->next;
		h->ndelayed--;
		r->next = NULL;
		begin(h, r);
	}
	if (h->timer >= 0 && h->timer <= now)
		act(h, 0);
	wait = wait_ms;
	if (h->delayed && h->delayed->due - now < wait)
		wait = (long)(h->delayed->due - now);
	if (h->timer >= 0 && h->timer - now < wait)
		wait = (long)(h->timer - now);
	if (wait < 0)
		wait = 0;
	/* a request ended: its caller may have another to start at once,
	 * once the sockets ready now have been seen to */
	if (ended || (!h->running && !h->ndelayed && !nfds))
		wait = 0;
	nready = await(h, wait, fds, nfds);
	act(h, nready);
	reap(h);
	return h->running + h->ndelayed;
}

int
http_transient(const struct http_req *r)
{
	switch (r->cc) {
	case CURLE_OK:
		return r->status == 429 ||
		       (r->status >= 500 && r->status != 501 &&
			r->status != 505);
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

const char *
http_strerror(const struct http_req *r, struct buf *b)
{
	buf_reset(b);
	if (r->cc != CURLE_OK)
		buf_adds(b, r->errbuf[0] ? r->errbuf :
			 curl_easy_strerror(r->cc));
	else
		buf_printf(b, "HTTP %ld", r->status);
	return buf_str(b);
}

void
http_req_free(struct http_req *r)
{
	buf_free(&r->url);
	buf_free(&r->resp);
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

uint64_t
http_retries(const struct http *h)
{
	return h->retries;
}
