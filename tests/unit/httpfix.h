/* SPDX-License-Identifier: MIT */
/*
 * A canned HTTP/1.1 server on 127.0.0.1 for the lib/aws request tests:
 * a thread that answers each request with the next of the answers it
 * was given (the last one again when they run out), over kept-alive
 * connections, and keeps every request it got (head and body) for the
 * test to compare byte for byte.
 *
 *	httpfix_start(answers, n);	// fix_url: "http://127.0.0.1:PORT"
 *	... requests ...
 *	fix_nreq, fix_req[i].head, fix_req[i].body
 *	httpfix_stop();
 *
 * An answer with status 0 closes the connection without a word; one
 * with a delay holds the whole server for it.
 */
#ifndef HTTPFIX_H
#define HTTPFIX_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FIX_MAXREQ 64

struct fix_answer {
	int status;
	const char *body;
	int delay_ms;		/* before the answer (the server waits) */
};

struct fix_req {
	char head[4096];
	char body[8192];
};

static const struct fix_answer *fix_answers;
static int fix_nanswers;
static struct fix_req fix_req[FIX_MAXREQ];
static atomic_int fix_nreq;
static char fix_url[64];
static int fix_lfd = -1;
static atomic_int fix_quit;
static pthread_t fix_thread;

#define FIX_MAXCONN 16

struct fix_conn {
	int fd;
	size_t have;
	char buf[65536];
};

static struct fix_conn fix_conns[FIX_MAXCONN];

/* the Content-Length of the head in p[0..end) */
static size_t
fix_length(const char *p, const char *end)
{
	static const char name[] = "\r\ncontent-length:";
	size_t n = sizeof name - 1;

	for (; p + n <= end; p++)
		if (!strncasecmp(p, name, n))
			return strtoul(p + n, NULL, 10);
	return 0;
}

/* Takes the whole requests in c's buffer: keeps each, answers it; -1
 * when the connection is to be closed. */
static int
fix_take(struct fix_conn *c)
{
	char *end, out[16384];
	size_t headlen, bodylen;
	const struct fix_answer *a;
	struct fix_req *r;
	int i, n;

	for (;;) {
		c->buf[c->have] = '\0';
		if (!(end = strstr(c->buf, "\r\n\r\n")))
			return 0;
		headlen = (size_t)(end - c->buf) + 4;
		bodylen = fix_length(c->buf, end);
		if (c->have < headlen + bodylen)
			return 0;
		i = atomic_load(&fix_nreq);
		r = &fix_req[i < FIX_MAXREQ ? i : FIX_MAXREQ - 1];
		snprintf(r->head, sizeof r->head, "%.*s", (int)headlen,
			 c->buf);
		snprintf(r->body, sizeof r->body, "%.*s", (int)bodylen,
			 c->buf + headlen);
		memmove(c->buf, c->buf + headlen + bodylen,
			c->have - headlen - bodylen);
		c->have -= headlen + bodylen;
		a = &fix_answers[i < fix_nanswers ? i : fix_nanswers - 1];
		atomic_fetch_add(&fix_nreq, 1);
		if (a->delay_ms) {
			struct timespec ts = { a->delay_ms / 1000,
					       a->delay_ms % 1000 * 1000000L };

			nanosleep(&ts, NULL);
		}
		if (!a->status)
			return -1;
		n = snprintf(out, sizeof out, "HTTP/1.1 %d X\r\n"
			     "Content-Type: application/x-amz-json-1.0\r\n"
			     "Content-Length: %zu\r\n\r\n%s", a->status,
			     strlen(a->body), a->body);
		if (write(c->fd, out, (size_t)n) != n)
			return -1;
	}
}

static void *
fix_main(void *arg)
{
	struct pollfd p[FIX_MAXCONN + 1];
	ssize_t k;
	int i, fd;

	(void)arg;
	for (i = 0; i < FIX_MAXCONN; i++)
		fix_conns[i].fd = -1;
	while (!atomic_load(&fix_quit)) {
		p[0] = (struct pollfd){ fix_lfd, POLLIN, 0 };
		for (i = 0; i < FIX_MAXCONN; i++)
			p[i + 1] = (struct pollfd){ fix_conns[i].fd, POLLIN,
						    0 };
		if (poll(p, FIX_MAXCONN + 1, 50) <= 0)
			continue;
		if (p[0].revents && (fd = accept(fix_lfd, NULL, NULL)) >= 0) {
			for (i = 0; i < FIX_MAXCONN; i++)
				if (fix_conns[i].fd < 0)
					break;
			if (i == FIX_MAXCONN) {
				close(fd);
			} else {
				fix_conns[i].fd = fd;
				fix_conns[i].have = 0;
			}
		}
		for (i = 0; i < FIX_MAXCONN; i++) {
			struct fix_conn *c = &fix_conns[i];

			if (c->fd < 0 || !p[i + 1].revents)
				continue;
			k = read(c->fd, c->buf + c->have,
				 sizeof c->buf - 1 - c->have);
			if (k > 0)
				c->have += (size_t)k;
			if (k <= 0 || fix_take(c) < 0) {
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	for (i = 0; i < FIX_MAXCONN; i++)
		if (fix_conns[i].fd >= 0)
			close(fix_conns[i].fd);
	return NULL;
}

/* A port nothing listens on (bound, then closed). */
static inline int
fix_deadport(void)
{
	struct sockaddr_in a;
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &n) < 0) {
		perror("httpfix");
		exit(2);
	}
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void
httpfix_start(const struct fix_answer *answers, int n)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	fix_answers = answers;
	fix_nanswers = n;
	atomic_store(&fix_nreq, 0);
	atomic_store(&fix_quit, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fix_lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fix_lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fix_lfd, 16) < 0 ||
	    getsockname(fix_lfd, (struct sockaddr *)&a, &len) < 0 ||
	    pthread_create(&fix_thread, NULL, fix_main, NULL) != 0) {
		perror("httpfix");
		exit(2);
	}
	snprintf(fix_url, sizeof fix_url, "http://127.0.0.1:%d",
		 ntohs(a.sin_port));
}

static void
httpfix_stop(void)
{
	atomic_store(&fix_quit, 1);
	pthread_join(fix_thread, NULL);
	close(fix_lfd);
	fix_lfd = -1;
}

/* The value of header name in request i ("" when it has none). */
static inline const char *
fix_header(int i, const char *name)
{
	static char v[1024];
	const char *p = fix_req[i].head;
	size_t n = strlen(name), k;

	v[0] = '\0';
	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			k = strcspn(p, "\r");
			snprintf(v, sizeof v, "%.*s", (int)k, p);
			break;
		}
	}
	return v;
}

#endif
