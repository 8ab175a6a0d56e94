/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/http's limits against a server of ours in a thread, on
 * 127.0.0.1: header lines past HTTP_HEADER_MAX, one header line past
 * libcurl's own limit, an error body cut at HTTP_ERRBODY_MAX, a 2xx body
 * over its resp_max, a redirect not followed; and the messages and the
 * environment's limits.  Slow servers, proxies, TLS and descriptors are
 * in tests/hostile.bats.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "unit.h"

static int lfd, port, nredir;

static void
sendall(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0 && (k = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += k;
		n -= (size_t)k;
	}
}

static void
answer(int fd, const char *path)
{
	struct buf b = BUF_INIT;
	char *big;
	int i;

	if (!strcmp(path, "/hdr")) {
		buf_adds(&b, "HTTP/1.1 200 OK\r\n");
		for (i = 0; i < 2000; i++)
			buf_printf(&b, "X-Junk-%d: %0100d\r\n", i, i);
		buf_adds(&b, "Content-Length: 0\r\n\r\n");
	} else if (!strcmp(path, "/line")) {
		buf_adds(&b, "HTTP/1.1 200 OK\r\nX-Big: ");
		big = calloc(1, 300001);
		memset(big, 'b', 300000);
		buf_adds(&b, big);
		free(big);
		buf_adds(&b, "\r\nContent-Length: 0\r\n\r\n");
	} else if (!strcmp(path, "/err")) {
		const char *pre = "the server\tis\r\n down: \xc3\xbc";
		size_t n = 1000000 - strlen(pre);

		buf_adds(&b, "HTTP/1.1 500 Oops\r\nContent-Length: 1000000\r\n"
			 "\r\n");
		buf_adds(&b, pre);
		big = calloc(1, n + 1);
		memset(big, 'e', n);
		buf_adds(&b, big);
		free(big);
	} else if (!strcmp(path, "/big")) {
		buf_adds(&b, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
		for (i = 0; i < 5000; i++)
			buf_addc(&b, 'x');
	} else if (!strcmp(path, "/redir")) {
		nredir++;
		buf_adds(&b, "HTTP/1.1 307 Temporary Redirect\r\n"
			 "Location: http://127.0.0.1:1/elsewhere\r\n"
			 "Content-Length: 0\r\n\r\n");
	} else {
		buf_adds(&b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	}
	sendall(fd, b.p, b.len);
	buf_free(&b);
}

/* One request a connection, one connection at a time. */
static void *
serve(void *arg)
{
	char req[4096], path[256];
	ssize_t n;
	size_t got;
	int fd;

	(void)arg;
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		got = 0;
		while (got < sizeof req - 1 &&
		       (n = read(fd, req + got, sizeof req - 1 - got)) > 0) {
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[got] = '\0';
		if (sscanf(req, "GET %255s ", path) == 1)
			answer(fd, path);
		close(fd);
	}
	return NULL;
}

static int done;

static void
ondone(struct http_req *r)
{
	(void)r;
	done = 1;
}

/* One GET of path, to its end. */
static void
get(struct http *h, struct http_req *r, const char *path, size_t resp_max)
{
	memset(r, 0, sizeof *r);
	r->method = "GET";
	r->on_done = ondone;
	r->resp_max = resp_max;
	buf_printf(&r->url, "http://127.0.0.1:%d%s", port, path);
	done = 0;
	http_start(h, r);
	while (!done)
		http_run(h, 1000);
}

static int ndone[3];

static void
counted(struct http_req *r)
{
	ndone[(int *)r->ctx - ndone]++;
}

/* One connection: the other requests wait for it, in turn; one that
 * waits can be cancelled. */
static void
window(void)
{
	struct http_opts o = { .conns = 1, .max_attempts = 1 };
	struct http_req r[3];
	struct buf err = BUF_INIT;
	struct http *h = http_new(&o, &err);
	int i, left, turns = 0;

	memset(r, 0, sizeof r);
	for (i = 0; i < 3; i++) {
		r[i].method = "GET";
		r[i].on_done = counted;
		r[i].ctx = &ndone[i];
		buf_printf(&r[i].url, "http://127.0.0.1:%d/ok", port);
		http_start(h, &r[i]);
	}
	CHECK(http_run(h, 0) == 3, "three at first");
	http_cancel(h, &r[2]);
	while ((left = http_run(h, 1000)) > 0 && turns++ < 100)
		;
	CHECK(left == 0 && ndone[0] == 1 && ndone[1] == 1 && ndone[2] == 0,
	      "left %d, done %d %d %d", left, ndone[0], ndone[1], ndone[2]);
	CHECK(r[1].status == 200 && r[1].resp.len == 2, "the second: %ld",
	      r[1].status);
	for (i = 0; i < 3; i++)
		http_req_free(&r[i]);
	http_free(h);
	buf_free(&err);
}

static void
limits(void)
{
	struct http_opts o = { .conns = 2, .max_attempts = 1 };
	struct http_req r;
	struct buf b = BUF_INIT, w = BUF_INIT;
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	pthread_t t;
	struct http *h;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
		CHECK(0, "a server on 127.0.0.1");
		return;
	}
	port = ntohs(a.sin_port);
	pthread_create(&t, NULL, serve, NULL);
	h = http_new(&o, &b);
	CHECK(http_conns(h) == 2, "conns %d", http_conns(h));

	get(h, &r, "/ok", 0);
	CHECK(r.cc == CURLE_OK && r.status == 200 && r.resp.len == 2 &&
	      !r.limit, "ok: %d %ld %zu", r.cc, r.status, r.resp.len);
	http_req_free(&r);

	get(h, &r, "/hdr", 0);
	CHECK(r.limit == HTTP_LIMIT_HEADER && !http_transient(&r) &&
	      !strcmp(http_strerror(&r, &b), "response header too large "
		      "(more than 65536 bytes)"), "hdr: %d [%s]", r.limit,
	      http_strerror(&r, &b));
	http_req_free(&r);

	get(h, &r, "/line", 0);
	CHECK(r.limit == HTTP_LIMIT_HEADER && !http_transient(&r) &&
	      !strcmp(http_strerror(&r, &b), "response header too large "
		      "(more than 65536 bytes)"), "line: %d %d [%s]", r.cc,
	      r.limit, http_strerror(&r, &b));
	http_req_free(&r);

	get(h, &r, "/err", 0);
	CHECK(r.cc == CURLE_OK && r.status == 500 &&
	      r.limit == HTTP_LIMIT_ERRBODY &&
	      r.resp.len == HTTP_ERRBODY_MAX && http_transient(&r),
	      "err: %d %ld %d %zu", r.cc, r.status, r.limit, r.resp.len);
	http_strerror(&r, &b);
	CHECK(!strncmp(b.p, "HTTP 500: the server is down: ??eeee",
		       strlen("HTTP 500: the server is down: ??eeee")) &&
	      strstr(b.p, "e... (a body of more than 16384 bytes, not read)")
	      && strlen(b.p) < 300, "err: [%s]", b.p);
	http_req_free(&r);

	get(h, &r, "/big", 1000);
	CHECK(r.limit == HTTP_LIMIT_BODY && r.cc != CURLE_OK &&
	      !http_transient(&r) &&
	      !strcmp(http_strerror(&r, &b), "response body too large (more "
		      "than 1000 bytes)"), "big: %d [%s]", r.limit,
	      http_strerror(&r, &b));
	http_req_free(&r);
	get(h, &r, "/big", 0);
	CHECK(r.cc == CURLE_OK && r.resp.len == 5000 && !r.limit,
	      "big, within the default: %d %zu", r.cc, r.resp.len);
	http_req_free(&r);

	get(h, &r, "/redir", 0);
	CHECK(http_redirect(&r) && r.status == 307 && nredir == 1 &&
	      !strcmp(r.location, "http://127.0.0.1:1/elsewhere"),
	      "redir: %ld %d [%s]", r.status, nredir, r.location);
	buf_reset(&w);
	buf_printf(&w, "HTTP 307 from http://127.0.0.1:%d: a redirect to "
		   "http://127.0.0.1:1/elsewhere, not followed", port);
	CHECK(!strcmp(http_strerror(&r, &b), w.p), "redir: [%s]", b.p);
	http_req_free(&r);

	http_free(h);
	window();
	buf_free(&b);
	buf_free(&w);
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(t, NULL);
}

/* ---- messages without a server ---- */

static void
shown(long status, const char *body, int limit, const char *want)
{
	struct http_req r;
	struct buf b = BUF_INIT;

	memset(&r, 0, sizeof r);
	r.status = status;
	r.limit = limit;
	buf_adds(&r.resp, body);
	CHECK(!strcmp(http_strerror(&r, &b), want), "%ld [%s]: [%s]", status,
	      body, b.p);
	buf_free(&b);
	http_req_free(&r);
}

static void
messages(void)
{
	char long_[301];

	shown(503, "", 0, "HTTP 503");
	shown(200, "not shown", 0, "HTTP 200");
	shown(500, "<Error><Code>x</Code></Error>", 0, "HTTP 500");
	shown(400, " {\"__type\":\"x\"}", 0, "HTTP 400");
	shown(502, "Bad gateway\r\n\t upstream  down\n", 0,
	      "HTTP 502: Bad gateway upstream down");
	shown(500, "<Error><Code>Cut", HTTP_LIMIT_ERRBODY,
	      "HTTP 500: <Error><Code>Cut... (a body of more than 16384 "
	      "bytes, not read)");
	memset(long_, 'a', 300);
	long_[300] = '\0';
	long_[0] = '\x1b';
	{
		char want[300];

		snprintf(want, sizeof want, "HTTP 418: %.199s...", long_ + 1);
		shown(418, long_, 0, want);
	}
}

static const char *const *envtab;

static char *
tenv(const char *name)
{
	const char *const *e;
	size_t n = strlen(name);

	for (e = envtab; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return (char *)*e + n + 1;
	return NULL;
}

static void
env(void)
{
	static const char *const good[] = { "POPULATOR_SPEED_LIMIT=10",
		"POPULATOR_SPEED_TIME=3", "POPULATOR_TIMEOUT=7", NULL };
	static const char *const empty[] = { "POPULATOR_SPEED_LIMIT=",
		NULL };
	static const char *const bad[] = { "POPULATOR_SPEED_TIME=0", NULL };
	static const char *const junk[] = { "POPULATOR_TIMEOUT=2m", NULL };
	struct http_opts o;
	struct buf err = BUF_INIT;

	memset(&o, 0, sizeof o);
	envtab = good;
	CHECK(http_opts_env(&o, tenv, &err) == 0 && o.speed_limit == 10 &&
	      o.speed_time == 3 && o.timeout_ms == 7000, "good: %ld %ld %ld",
	      o.speed_limit, o.speed_time, o.timeout_ms);
	envtab = empty;
	CHECK(http_opts_env(&o, tenv, &err) == 0 && o.speed_limit == 10,
	      "empty: %ld", o.speed_limit);
	envtab = bad;
	CHECK(http_opts_env(&o, tenv, &err) < 0 &&
	      !strcmp(buf_str(&err), "POPULATOR_SPEED_TIME: \"0\": not a "
		      "number of seconds from 1 to 86400"), "bad: [%s]",
	      buf_str(&err));
	buf_reset(&err);
	envtab = junk;
	CHECK(http_opts_env(&o, tenv, &err) < 0 &&
	      strstr(buf_str(&err), "POPULATOR_TIMEOUT: \"2m\""), "junk: [%s]",
	      buf_str(&err));
	buf_free(&err);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	messages();
	env();
	limits();
	curl_global_cleanup();
	return unit_end("http");
}
