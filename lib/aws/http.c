/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "clock.h"
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
	int cap;		/* transfers in the multi handle at most */
	unsigned gen;		/* of the descriptor shares cap is from */
	struct http_req *waiting, *lastwaiting;	/* for room under cap */
	int nwaiting;
};

/*
 * Descriptors, for the whole process: every http loop's connections come
 * out of what RLIMIT_NOFILE leaves, each loop's share in proportion to
 * the connections it asked for.  fd_room is measured at each http_new
 * (the soft limit, less what is open, less a spare for the program's own
 * files and name lookups, which take two each while they run) and
 * lowered to what is open when socket(2) says EMFILE; fd_gen tells the
 * loops to take their shares again.  Atomics: dynaput runs a loop a
 * thread.
 */
#define FD_MIN 4		/* a loop needs: a socket, a name lookup, 1 */
#define FD_SPARE(free) (8 + (free) / 4)
#define NOFD_WAIT_MS 30000	/* a request waits this long for one */

static atomic_int fd_room = INT_MAX / 2;
static atomic_int fd_want;	/* conns asked for by the live loops */
static atomic_int fd_socks;	/* sockets the loops have open */
static atomic_uint fd_gen;

/*
 * TLS sessions and resolved names, shared by every loop of the process
 * (the shards' threads: hence the locks).  A connection opened as a
 * window grows, or after one was dropped, then resumes a TLS session
 * rather than making a full handshake; without this each pooled easy
 * handle kept a cache of its own.  Connections themselves stay each
 * loop's: libcurl does not share them between threads.
 */
static CURLSH *tls;
static pthread_mutex_t tlslock[CURL_LOCK_DATA_LAST];
static pthread_once_t tlsonce = PTHREAD_ONCE_INIT;

static void
tls_lock(CURL *e, curl_lock_data d, curl_lock_access a, void *ud)
{
	(void)e;
	(void)a;
	(void)ud;
	pthread_mutex_lock(&tlslock[d]);
}

static void
tls_unlock(CURL *e, curl_lock_data d, void *ud)
{
	(void)e;
	(void)ud;
	pthread_mutex_unlock(&tlslock[d]);
}

static void
tls_init(void)
{
	int i;

	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&tlslock[i], NULL);
	if (!(tls = curl_share_init()) ||
	    curl_share_setopt(tls, CURLSHOPT_LOCKFUNC, tls_lock) ||
	    curl_share_setopt(tls, CURLSHOPT_UNLOCKFUNC, tls_unlock) ||
	    curl_share_setopt(tls, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) ||
	    curl_share_setopt(tls, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS))
		diex(EXIT_PARTIAL, "libcurl: cannot share TLS sessions");
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

long
http_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > (rlim_t)INT_MAX / 2)
		return -1;
	return (long)rl.rlim_cur;
}

/* Descriptors open now: /proc/self/fd, or each one tried. */
static int
openfds(long nofile)
{
	struct dirent *d;
	DIR *dir;
	int n = 0, fd;

	if ((dir = opendir("/proc/self/fd"))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.')
				n++;
		closedir(dir);
		return n - 1;	/* the folder's own */
	}
	for (fd = 0; fd < nofile && fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* What RLIMIT_NOFILE leaves for connections, for every loop; -1 with
 * the numbers in err when it leaves too few for even one. */
static int
measure(struct buf *err)
{
	long nofile = http_nofile();
	int free_, room;

	if (nofile < 0)
		return 0;
	free_ = (int)nofile - openfds(nofile);
	if (free_ < FD_MIN) {
		buf_printf(err, "too few file descriptors: %d of %ld "
			   "(ulimit -n) free, a connection needs %d", free_,
			   nofile, FD_MIN);
		return -1;
	}
	room = free_ - FD_SPARE(free_) + atomic_load(&fd_socks);
	atomic_store(&fd_room, room < 1 ? 1 : room);
	atomic_fetch_add(&fd_gen, 1);
	return 0;
}

/* h's share of the connections that fit. */
static int
share(const struct http *h)
{
	long long room = atomic_load(&fd_room), want = atomic_load(&fd_want);
	long long n;

	if (want <= room)
		return h->o.conns;
	n = room * h->o.conns / (want ? want : 1);
	return n < 1 ? 1 : n > h->o.conns ? h->o.conns : (int)n;
}

/* Takes h's share again when it has changed (in h's own thread). */
static void
reshare(struct http *h)
{
	unsigned gen = atomic_load(&fd_gen);

	if (gen == h->gen)
		return;
	h->gen = gen;
	h->cap = share(h);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)h->cap);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)h->cap);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->cap);
}

/* libcurl: a socket for a connection (counted), or EMFILE noted */
static curl_socket_t
opensock(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_req *r = ud;
	int s;

	(void)purpose;
	s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (s < 0) {
		if (errno == EMFILE || errno == ENFILE)
			r->nofd = 1;
		return CURL_SOCKET_BAD;
	}
	atomic_fetch_add(&fd_socks, 1);
	return s;
}

static int
closesock(void *ud, curl_socket_t s)
{
	(void)ud;
	atomic_fetch_sub(&fd_socks, 1);
	return close(s);
}

int
http_conns(const struct http *h)
{
	return share(h);
}

static int
envnum(char *(*env)(const char *), const char *name, long min, long max,
       const char *unit, long *v, struct buf *err)
{
	const char *s = env(name);
	char *end;
	long n;

	if (!s || !*s)
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end || errno || n < min || n > max) {
		buf_printf(err, "%s: \"%s\": not a number of %s from %ld to %ld",
			   name, s, unit, min, max);
		return -1;
	}
	*v = n;
	return 0;
}

int
http_opts_env(struct http_opts *o, char *(*env)(const char *),
	      struct buf *err)
{
	long t = 0;

	if (envnum(env, "POPULATOR_SPEED_LIMIT", 1, 1000000000L,
		   "bytes a second", &o->speed_limit, err) < 0 ||
	    envnum(env, "POPULATOR_SPEED_TIME", 1, 86400, "seconds",
		   &o->speed_time, err) < 0 ||
	    envnum(env, "POPULATOR_TIMEOUT", 1, 86400, "seconds", &t,
		   err) < 0)
		return -1;
	if (t)
		o->timeout_ms = t * 1000;
	return 0;
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
	h->timer = ms < 0 ? -1 : clock_ms() + ms;
	return 0;
}

struct http *
http_new(const struct http_opts *o, struct buf *err)
{
	struct http *h = xcalloc(1, sizeof *h);

	pthread_once(&tlsonce, tls_init);
	h->o = *o;
	if (h->o.conns < 1)
		h->o.conns = 1;
	if (!h->o.connect_ms)
		h->o.connect_ms = 10000;
	if (h->o.speed_limit < 1)
		h->o.speed_limit = HTTP_SPEED_LIMIT;
	if (h->o.speed_time < 1)
		h->o.speed_time = HTTP_SPEED_TIME;
	if (h->o.timeout_ms < 1)
		h->o.timeout_ms = HTTP_TIMEOUT_MS;
	if (!h->o.resp_max)
		h->o.resp_max = HTTP_RESP_MAX;
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
	/* measured with the multi handle's own descriptors open */
	if (measure(err) < 0) {
		curl_multi_cleanup(h->multi);
		free(h);
		return NULL;
	}
	atomic_fetch_add(&fd_want, h->o.conns);
	h->gen = atomic_load(&fd_gen) - 1;
	reshare(h);
	return h;
}

void
http_free(struct http *h)
{
	size_t i;

	if (!h)
		return;
	atomic_fetch_sub(&fd_want, h->o.conns);
	atomic_fetch_add(&fd_gen, 1);
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

	/* every line of the attempt counts: endless 1xx answers too */
	r->hdrbytes += n;
	if (r->hdrbytes > HTTP_HEADER_MAX) {
		r->limit = HTTP_LIMIT_HEADER;
		return 0;
	}
	if (n > 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a 100 Continue, say) */
		const char *sp = memchr(p, ' ', n);

		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->etag[0] = r->content_range[0] = r->request_id[0] = '\0';
		r->location[0] = r->date[0] = r->bucket_region[0] = '\0';
		r->content_length = -1;
		r->hdrdone = 0;
	} else if (n <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		r->hdrdone = 1;
	} else if (hname(p, n, "etag", &v)) {
		hval(r->etag, sizeof r->etag, p + v, n - v);
	} else if (hname(p, n, "content-range", &v)) {
		hval(r->content_range, sizeof r->content_range, p + v, n - v);
	} else if (hname(p, n, "x-amz-request-id", &v) ||
		   hname(p, n, "x-amzn-requestid", &v)) {
		hval(r->request_id, sizeof r->request_id, p + v, n - v);
	} else if (hname(p, n, "location", &v)) {
		hval(r->location, sizeof r->location, p + v, n - v);
	} else if (hname(p, n, "date", &v)) {
		hval(r->date, sizeof r->date, p + v, n - v);
	} else if (hname(p, n, "x-amz-bucket-region", &v)) {
		hval(r->bucket_region, sizeof r->bucket_region, p + v, n - v);
	} else if (hname(p, n, "content-length", &v)) {
		char num[24], *end;
		long long len;

		hval(num, sizeof num, p + v, n - v);
		len = strtoll(num, &end, 10);
		r->content_length = *num && !*end && len >= 0 ? len : -1;
	}
	return n;
}

static size_t
onwrite(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb, k, max;
	int ok = r->status >= 200 && r->status < 300;

	if (ok && r->on_body) {
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
	max = ok ? r->respcap : HTTP_ERRBODY_MAX;
	if (n > max - r->resp.len) {
		/* an error body's start is kept, the rest not read */
		if (!ok)
			buf_add(&r->resp, p, max - r->resp.len);
		r->limit = ok ? HTTP_LIMIT_BODY : HTTP_LIMIT_ERRBODY;
		return 0;
	}
	buf_add(&r->resp, p, n);
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
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, h->o.speed_limit);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->o.speed_time);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 r->timeout_ms == HTTP_NO_TIMEOUT ? 0L :
			 r->timeout_ms > 0 ? r->timeout_ms : h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SHARE, tls);
	/* a redirect is the caller's to read, never followed: the request
	 * is signed for one host, and its Authorization goes nowhere else */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensock);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, closesock);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, NULL);
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
launch(struct http *h, struct http_req *r)
{
	r->cc = CURLE_OK;
	r->status = 0;
	r->received = 0;
	r->wait_us = -1;
	r->paused = 0;
	r->errbuf[0] = r->etag[0] = r->content_range[0] = '\0';
	r->request_id[0] = r->location[0] = r->date[0] = '\0';
	r->bucket_region[0] = '\0';
	r->content_length = -1;
	r->limit = HTTP_LIMIT_NONE;
	r->hdrbytes = 0;
	r->hdrdone = 0;
	r->nofd = 0;
	r->respcap = r->resp_max ? r->resp_max : h->o.resp_max;
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

/* Starts r now, or once there is room under h->cap (in turn). */
static void
begin(struct http *h, struct http_req *r)
{
	if (h->running < h->cap && !h->waiting) {
		launch(h, r);
		return;
	}
	r->next = NULL;
	if (h->lastwaiting)
		h->lastwaiting->next = r;
	else
		h->waiting = r;
	h->lastwaiting = r;
	h->nwaiting++;
}

/* Starts what waits, while there is room. */
static void
fill(struct http *h)
{
	struct http_req *r;

	while (h->waiting && h->running < h->cap) {
		r = h->waiting;
		if (!(h->waiting = r->next))
			h->lastwaiting = NULL;
		r->next = NULL;
		h->nwaiting--;
		launch(h, r);
	}
}

void
http_start(struct http *h, struct http_req *r)
{
	r->attempt = 1;
	r->delay_ms = 0;
	r->nofd_since = 0;
	begin(h, r);
}

/* Puts r on the list of those to begin in ms. */
static void
delay(struct http *h, struct http_req *r, long ms)
{
	struct http_req **pp;

	r->due = clock_ms() + ms;
	for (pp = &h->delayed; *pp && (*pp)->due <= r->due; pp = &(*pp)->next)
		;
	r->next = *pp;
	*pp = r;
	h->ndelayed++;
}

long
http_retry_after(struct http *h, struct http_req *r, long min_ms)
{
	long ceil, ms;
	int k = r->attempt < 31 ? r->attempt - 1 : 30;

	if (r->attempt >= h->o.max_attempts)
		return -1;
	ceil = h->o.base_ms << k;
	if (ceil > h->o.cap_ms || ceil <= 0)
		ceil = h->o.cap_ms;
	ms = (long)(rnd(h) % (uint64_t)(ceil + 1));
	if (ms < min_ms)
		ms = min_ms;
	r->attempt++;
	r->delay_ms = (int)ms;
	delay(h, r, ms);
	h->retries++;
	return ms;
}

long
http_retry(struct http *h, struct http_req *r)
{
	return http_retry_after(h, r, 0);
}

void
http_cancel(struct http *h, struct http_req *r)
{
	struct http_req **pp, *prev = NULL;

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
	for (pp = &h->waiting; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			if (h->lastwaiting == r)
				h->lastwaiting = prev;
			r->next = NULL;
			h->nwaiting--;
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

/* "scheme://host[:port]" of url, for messages */
static void
origin(struct buf *b, const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	buf_add(b, url, (size_t)(p - url) + strcspn(p, "/?#"));
}

/* Appends n bytes of p made printable: controls as spaces, runs of
 * space as one, bytes outside ASCII as '?'. */
static void
printable(struct buf *b, const char *p, size_t n)
{
	size_t i;
	int c, sp = 0;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f) {
			sp = 1;
			continue;
		}
		if (sp && b->len && b->p[b->len - 1] != ' ')
			buf_addc(b, ' ');
		sp = 0;
		buf_addc(b, c < 0x80 ? c : '?');
	}
}

/*
 * A connection found no descriptor: r waits for one, unseen by its
 * caller, and every loop takes a smaller share.  Returns 0 when r is
 * to go on to its caller: it has waited too long.
 */
static int
nofd(struct http *h, struct http_req *r)
{
	int64_t now = clock_ms();
	int open = atomic_load(&fd_socks);

	if (!r->nofd_since)
		r->nofd_since = now;
	if (open < atomic_load(&fd_room)) {
		atomic_store(&fd_room, open < 1 ? 1 : open);
		atomic_fetch_add(&fd_gen, 1);
	}
	if (now - r->nofd_since < NOFD_WAIT_MS) {
		delay(h, r, 50 + (long)(rnd(h) % 200));
		return 1;
	}
	r->limit = HTTP_LIMIT_NOFD;
	snprintf(r->errbuf, sizeof r->errbuf, "no file descriptor for a "
		 "connection in %d s (ulimit -n %ld)", NOFD_WAIT_MS / 1000,
		 http_nofile());
	return 0;
}

/* What the attempt's end means, beyond what libcurl says. */
static void
judge(struct http *h, struct http_req *r)
{
	struct buf b = BUF_INIT;
	size_t n;

	if (r->limit == HTTP_LIMIT_ERRBODY)
		r->cc = CURLE_OK;	/* the answer stands, cut */
	if (r->limit == HTTP_LIMIT_HEADER ||
	    (r->cc == CURLE_OUT_OF_MEMORY && !r->hdrdone)) {
		/* libcurl refuses a line over 100 KiB as out of memory */
		r->limit = HTTP_LIMIT_HEADER;
		snprintf(r->errbuf, sizeof r->errbuf, "response header too "
			 "large (more than %u bytes)", HTTP_HEADER_MAX);
	} else if (r->limit == HTTP_LIMIT_BODY) {
		snprintf(r->errbuf, sizeof r->errbuf, "response body too "
			 "large (more than %zu bytes)", r->respcap);
	} else if (r->cc == CURLE_OK && http_redirect(r)) {
		n = strlen(r->location);
		origin(&b, buf_str(&r->url));
		if (h->o.region)
			buf_printf(&b, " (region %s)", h->o.region);
		buf_adds(&b, ": a redirect to ");
		printable(&b, r->location, n < 120 ? n : 120);
		buf_adds(&b, n > 120 ? "..." : n ? "" : "nowhere");
		snprintf(r->errbuf, sizeof r->errbuf, "from %.200s, not "
			 "followed", b.p);
	}
	buf_free(&b);
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
	/* libcurl's threaded name lookup needs descriptors too */
	if ((r->nofd && r->cc == CURLE_COULDNT_CONNECT) ||
	    (r->cc == CURLE_COULDNT_RESOLVE_HOST &&
	     strstr(r->errbuf, "thread failed to start"))) {
		if (nofd(h, r))
			return;
	} else {
		r->nofd_since = 0;
	}
	judge(h, r);
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
	if (h->timer >= 0 && h->timer <= clock_ms()) {
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

	reshare(h);
	/* what is due now: started transfers, expired timers */
	act(h, 0);
	ended = reap(h);
	now = clock_ms();
	while (h->delayed && h->delayed->due <= now) {
		struct http_req *r = h->delayed;

		h->delayed = r->next;
		h->ndelayed--;
		r->next = NULL;
		begin(h, r);
	}
	fill(h);
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
	fill(h);
	return h->running + h->ndelayed + h->nwaiting;
}

int
http_transient(const struct http_req *r)
{
	if (r->limit != HTTP_LIMIT_NONE && r->limit != HTTP_LIMIT_ERRBODY)
		return 0;
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

int
http_redirect(const struct http_req *r)
{
	return r->cc == CURLE_OK &&
	       (r->status == 301 || r->status == 302 || r->status == 303 ||
		r->status == 307 || r->status == 308);
}

int
http_progress(const struct http_req *r)
{
	return r->status >= 200 && r->status < 300 && r->received > 0 &&
	       (r->cc != CURLE_OPERATION_TIMEDOUT ||
		r->received >= HTTP_PROGRESS_MIN);
}

/* A body a caller parses (XML, JSON) starts with '<' or '{'. */
static int
structured(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len && i < 64; i++)
		if (b->p[i] != ' ' && b->p[i] != '\t' && b->p[i] != '\r' &&
		    b->p[i] != '\n')
			return b->p[i] == '<' || b->p[i] == '{';
	return 0;
}

#define SHOWN 200	/* an error body's bytes in a message */

const char *
http_strerror(const struct http_req *r, struct buf *b)
{
	buf_reset(b);
	if (r->cc != CURLE_OK) {
		buf_adds(b, r->errbuf[0] ? r->errbuf :
			 curl_easy_strerror(r->cc));
		return buf_str(b);
	}
	buf_printf(b, "HTTP %ld", r->status);
	if (http_redirect(r) && r->errbuf[0]) {
		buf_addc(b, ' ');
		buf_adds(b, r->errbuf);
	} else if ((r->status < 200 || r->status >= 300) && r->resp.len &&
		   (r->limit == HTTP_LIMIT_ERRBODY || !structured(&r->resp))) {
		buf_add(b, ": ", 2);
		printable(b, r->resp.p,
			  r->resp.len < SHOWN ? r->resp.len : SHOWN);
		if (r->resp.len > SHOWN || r->limit == HTTP_LIMIT_ERRBODY)
			buf_adds(b, "...");
		if (r->limit == HTTP_LIMIT_ERRBODY)
			buf_printf(b, " (a body of more than %u bytes, not "
				   "read)", HTTP_ERRBODY_MAX);
	}
	return buf_str(b);
}

int64_t
http_date(const struct http_req *r)
{
	time_t t;

	if (!r->date[0] || (t = curl_getdate(r->date, NULL)) < 0)
		return -1;
	return (int64_t)t;
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
