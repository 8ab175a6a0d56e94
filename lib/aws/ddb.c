/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "err.h"
#include "http.h"
#include "sigv4.h"
#include "xalloc.h"

#define CONTENT_TYPE "application/x-amz-json-1.0"
#define TARGET "X-Amz-Target: DynamoDB_20120810."
#define STOP_MS 200		/* ddb_call looks at *stop this often */

struct ddb {
	struct http *h;
	char *url;		/* scheme://host[:port]/path */
	char *host;		/* the Host header's value */
	char *path;
	struct aws_auth *auth;
	int64_t (*clock)(void);
	const volatile sig_atomic_t *stop;
};

/* aws_auth keeps state from one signature to the next */
static pthread_mutex_t signlock = PTHREAD_MUTEX_INITIALIZER;

static int64_t
wallclock(void)
{
	return (int64_t)time(NULL);
}

struct ddb *
ddb_new(struct http *h, const struct ddb_opts *o, struct buf *err)
{
	const struct aws_conf *conf = o->auth ? aws_auth_conf(o->auth) : NULL;
	struct buf def = BUF_INIT, host = BUF_INIT, path = BUF_INIT;
	struct ddb *d = NULL;
	const char *url = o->endpoint, *region = o->region;
	int https;

	if (!url && conf)
		url = conf->endpoint;
	if (!region && conf)
		region = conf->region;
	if (!url) {
		aws_conf_default_endpoint(&def, "dynamodb",
					 region ? region : "us-east-1");
		url = def.p;
	}
	if (aws_conf_url_split(url, &https, &host, &path, err) < 0) {
		buf_reset(err);
		buf_printf(err, "%s: not an http or https URL", url);
		goto out;
	}
	d = xcalloc(1, sizeof *d);
	d->h = h;
	d->auth = o->auth;
	d->clock = o->clock ? o->clock : wallclock;
	d->stop = o->stop;
	if (!path.len)
		buf_addc(&path, '/');
	d->host = buf_detach(&host);
	d->path = buf_detach(&path);
	buf_reset(&def);
	buf_printf(&def, "%s://%s%s", https ? "https" : "http", d->host,
		   d->path);
	d->url = buf_detach(&def);
out:
	buf_free(&def);
	buf_free(&host);
	buf_free(&path);
	return d;
}

void
ddb_free(struct ddb *d)
{
	if (!d)
		return;
	free(d->url);
	free(d->host);
	free(d->path);
	free(d);
}

const char *
ddb_url(const struct ddb *d)
{
	return d->url;
}

int
ddb_stopped(const struct ddb *d)
{
	return d->stop && *d->stop;
}

static int
sign(struct ddb_req *q, struct http_req *r)
{
	struct ddb *d = q->ddb;
	struct sigv4_header extra[2] = {
		{ "content-type", CONTENT_TYPE },
		{ "x-amz-target", q->target + sizeof "X-Amz-Target: " - 1 },
	};
	char hash[65];
	int rc;

	struct aws_auth_req a = {
		.method = "POST", .host = d->host, .path = d->path,
		.extra = extra, .nextra = 2, .payload_hash = hash,
	};

	sigv4_sha256_hex(r->body, r->bodylen, hash);
	buf_reset(&q->err);
	pthread_mutex_lock(&signlock);
	a.now = d->clock();
	rc = aws_auth_sign_req(d->auth, &a, &r->headers, &q->err);
	r->signed_gen = a.gen;
	pthread_mutex_unlock(&signlock);
	if (rc < 0)
		snprintf(r->errbuf, sizeof r->errbuf, "%s", buf_str(&q->err));
	return rc;
}

static int
prepare(struct http_req *r)
{
	struct ddb_req *q = (struct ddb_req *)r;
	struct curl_slist *l;

	if (!r->url.len)
		buf_adds(&r->url, q->ddb->url);
	curl_slist_free_all(r->headers);
	r->body = q->body.p ? q->body.p : "";
	r->bodylen = q->body.len;
	r->headers = curl_slist_append(NULL, "Content-Type: " CONTENT_TYPE);
	if (!r->headers || !(l = curl_slist_append(r->headers, q->target)))
		return -1;
	return q->ddb->auth ? sign(q, r) : 0;
}

/* An answer about the signature that another attempt cures is acted on
 * here, and the attempt sent again; any other goes to the caller. */
static void
answered(struct http_req *r)
{
	struct ddb_req *q = (struct ddb_req *)r;
	struct ddb *d = q->ddb;
	struct buf why = BUF_INIT;
	int again = 0;

	switch (d->auth ? ddb_sig_problem(r) : DDB_SIG_OK) {
	case DDB_SIG_CLOCK:
		again = aws_auth_clock(d->auth, http_date(r), d->clock(),
				       r->signed_gen);
		break;
	case DDB_SIG_TOKEN:
		again = aws_auth_refresh(d->auth, r->signed_gen, d->clock(),
					 &why);
		break;
	}
	buf_free(&why);
	if (again && http_retry_after(d->h, r, 0) >= 0)
		return;
	q->done(r);
}

void
ddb_req_init(struct ddb_req *q, struct ddb *d, const char *op,
	     http_done_fn done, void *ctx)
{
	q->ddb = d;
	q->op = op;
	snprintf(q->target, sizeof q->target, "%s%s", TARGET, op);
	q->http.method = "POST";
	q->http.prepare = prepare;
	q->done = done;
	q->http.on_done = answered;
	q->http.ctx = ctx;
	buf_reset(&q->http.url);
}

void
ddb_req_free(struct ddb_req *q)
{
	http_req_free(&q->http);
	buf_free(&q->body);
	buf_free(&q->err);
}

struct call {
	struct ddb_req q;
	struct ddb_error *e;
	int done;
};

static void
calldone(struct http_req *r)
{
	struct call *c = r->ctx;

	switch (ddb_classify(r, c->e)) {
	case DDB_THROTTLED:
	case DDB_TRANSIENT:
		if (http_retry(c->q.ddb->h, r) >= 0)
			return;
		break;
	default:
		break;
	}
	c->done = 1;
}

enum ddb_class
ddb_call(struct ddb *d, const char *op, const char *body, size_t n,
	 struct buf *resp, struct ddb_error *e)
{
	int64_t start = clock_ms();
	struct call c;

	memset(&c, 0, sizeof c);
	c.e = e;
	ddb_req_init(&c.q, d, op, calldone, &c);
	buf_add(&c.q.body, body, n);
	http_start(d->h, &c.q.http);
	while (!c.done) {
		if (ddb_stopped(d)) {
			http_cancel(d->h, &c.q.http);
			e->cls = DDB_STOPPED;
			e->type[0] = '\0';
			buf_reset(&e->msg);
			buf_adds(&e->msg, "interrupted");
			break;
		}
		http_run(d->h, STOP_MS);
	}
	if (e->cls == DDB_DONE && resp) {
		buf_reset(resp);
		buf_add(resp, c.q.http.resp.p, c.q.http.resp.len);
	} else if (e->cls != DDB_STOPPED && c.q.http.attempt > 1) {
		/* curl's own words, without "after 0 ms" of the last try */
		if (e->noanswer && c.q.http.cc != CURLE_ABORTED_BY_CALLBACK) {
			buf_reset(&e->msg);
			buf_adds(&e->msg, curl_easy_strerror(c.q.http.cc));
		}
		buf_printf(&e->msg, " (retried %d time%s over %lld s)",
			   c.q.http.attempt - 1,
			   c.q.http.attempt == 2 ? "" : "s",
			   (long long)((clock_ms() - start + 500) / 1000));
	}
	ddb_req_free(&c.q);
	return e->cls;
}
