/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "aws_fetch.h"
#include "buf.h"

void
aws_fetch_wipe(struct buf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	buf_free(b);
}

static size_t
fetch_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct aws_fetch *f = arg;
	size_t n = size * nmemb;

	if (f->body.len + n > AWS_FETCH_MAX) {
		f->toobig = 1;
		return 0;
	}
	buf_add(&f->body, p, n);
	return n;
}

static int
fetch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const struct aws_fetch_req *r = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return r->cancel(r->cancel_arg) != 0;
}

void
aws_fetch_run(struct aws_fetch *f, const struct aws_fetch_req *r)
{
	curl_off_t ct = 0;
	CURL *h;

	aws_fetch_wipe(&f->body);
	f->status = 0;
	f->connected = 0;
	f->toobig = 0;
	f->errbuf[0] = '\0';
	h = curl_easy_init();
	if (!h) {
		f->cc = CURLE_FAILED_INIT;
		return;
	}
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r->conn_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->total_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (r->direct)
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (r->cafile)
		curl_easy_setopt(h, CURLOPT_CAINFO, r->cafile);
	if (r->cancel) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, fetch_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	if (strcmp(r->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(r->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->bodylen);
	}
	f->cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &ct);
	f->connected = f->cc == CURLE_OK || f->status != 0 || ct > 0;
	curl_easy_cleanup(h);
}

const char *
aws_fetch_why(const struct aws_fetch *f)
{
	if (f->toobig)
		return "the answer is larger than 64 KB";
	if (f->cc == CURLE_ABORTED_BY_CALLBACK)
		return "interrupted";
	return f->errbuf[0] ? f->errbuf : curl_easy_strerror(f->cc);
}

int
aws_fetch_retry(const struct aws_fetch *f)
{
	if (f->cc == CURLE_ABORTED_BY_CALLBACK)
		return 0;
	return !f->connected || (f->cc == CURLE_OK && f->status >= 500);
}

void
aws_fetch_free(struct aws_fetch *f)
{
	aws_fetch_wipe(&f->body);
}

int
aws_fetch_loopback(const char *host)
{
	unsigned char a[16], b[16];

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) != 1)
		return 0;
	inet_pton(AF_INET6, "::1", b);
	return memcmp(a, b, 16) == 0;
}

int
aws_fetch_sleep_ms(long ms, int (*cancel)(void *), void *arg)
{
	struct timespec ts;
	long step;

	for (; ms > 0; ms -= step) {
		if (cancel && cancel(arg))
			return -1;
		step = cancel && ms > 100 ? 100 : ms;
		ts.tv_sec = step / 1000;
		ts.tv_nsec = (step % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (cancel && cancel(arg))
				return -1;
	}
	return cancel && cancel(arg) ? -1 : 0;
}

void
aws_fetch_tries(struct aws_fetch *f, const struct aws_fetch_req *r,
		int tries)
{
	int i;

	for (i = 0; i < tries; i++) {
		if (i && aws_fetch_sleep_ms(200L << i, r->cancel,
					    r->cancel_arg) < 0) {
			f->cc = CURLE_ABORTED_BY_CALLBACK;
			f->errbuf[0] = '\0';
			return;
		}
		aws_fetch_run(f, r);
		if (!aws_fetch_retry(f))
			return;
	}
}
