/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws_auth.h"
#include "buf.h"
#include "decode.h"
#include "err.h"
#include "fshut.h"
#include "http.h"
#include "lineout.h"
#include "s3.h"
#include "sigv4.h"
#include "walk.h"
#include "xalloc.h"

#define MAXJOBS 64
#define HELD_ALL (32L << 20)	/* raw bytes held for objects not yet due */
#define HELD_MIN (1L << 20)
#define HELD_MAX (8L << 20)
#define AHEAD 1000		/* listed keys kept ahead of the transfers */
#define DIRBATCH 256
#define READBUF (1 << 20)

enum { E_OBJ, E_FILE, E_LIST, E_DIR, E_BAD };
enum { S_NEW, S_RUN, S_DONE, S_FAIL };

/*
 * One input in output order: an object or a local file to write, or a
 * listing (S3 prefix, local folder) that inserts what it finds before
 * itself as it goes.
 */
struct ent {
	struct ent *prev, *next;
	struct ent *parent;	/* the listing that found it, until passed */
	int kind, state;
	char *name;		/* s3://bucket/key, or a path */
	char *bucket, *key;
	int status;		/* a failure's exit status */
	struct buf msg;		/* a failure's reason */

	struct http_req req;
	struct buf held;	/* raw bytes got while not the head */
	int64_t off;		/* raw bytes taken: a resume starts here */
	int64_t skip;		/* bytes to drop: a Range was ignored */
	char etag[128];
	int head;		/* its bytes go to stdout as they come */
	int checked;		/* this attempt's response was looked at */
	int bad;		/* abort the transfer: msg says why */

	struct s3_list list;
	struct buf token;	/* the next page's continuation token */
	int busy, more;
	size_t unstarted;	/* children not yet passed */
	struct walk *walk;
};

static int lflag, vflag, nosign, payer;
static long jobs = 4;
static const char *region, *profile, *endpoint, *cabundle;

/* The queue: a ring around a sentinel.  cursor is the first entry not
 * yet passed (started, expanded, or let through); nslots counts the
 * passed entries still queued, at most jobs. */
static struct ent queue;
static struct ent *cursor;
static long nslots;

static int reading, stdin_eof, refused;
static struct buf pending = BUF_INIT;
static volatile sig_atomic_t stop;
static int status = EXIT_OK;

static struct http *hp;
static struct aws_auth *auth;
static struct s3 s3;
static struct s3_error s3err;
static long heldcap;

static struct decode *dec;
static struct lineout lo;	/* the object being written */
static uint64_t nobjs, nfailed, nlisted, npages, bytes_in, bytes_out;
static char *rbuf;

static void
usage(int st)
{
	FILE *f = st ? stderr : stdout;

	fprintf(f, "usage: %s [-lv] [-j N] [-r region] [-p profile] "
		"[-e endpoint] [--ca-bundle file] [--no-sign-request] "
		"[--request-payer] [url ...]\n", err_prog());
	if (!st && fshut(stdout, "stdout"))
		exit(EXIT_PARTIAL);
	exit(st);
}

static void
onsignal(int sig)
{
	stop = sig;
}

/* ---- the queue ---- */

static struct ent *
newent(int kind, const char *name)
{
	struct ent *e = xcalloc(1, sizeof *e);

	e->kind = kind;
	e->name = xstrdup(name);
	return e;
}

/* Puts e before at (the sentinel: at the end). */
static void
insert(struct ent *at, struct ent *e)
{
	e->next = at;
	e->prev = at->prev;
	at->prev->next = e;
	at->prev = e;
	if (cursor == at)
		cursor = e;
}

static void
drop(struct ent *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	if (cursor == e)
		cursor = e->next;
	free(e->name);
	free(e->bucket);
	free(e->key);
	buf_free(&e->msg);
	buf_free(&e->held);
	buf_free(&e->token);
	http_req_free(&e->req);
	s3_list_free(&e->list);
	walk_close(e->walk);
	free(e);
}

static void
efail(struct ent *e, int st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Marks e failed with the reason given; its held bytes go. */
static void
efail(struct ent *e, int st, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reset(&e->msg);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_grow(&e->msg, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(e->msg.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	e->msg.len = (size_t)n;
	e->state = S_FAIL;
	e->status = st;
	e->busy = e->more = 0;
	buf_free(&e->held);
	if (st == EXIT_REMOTE)
		refused = 1;
}

/* One operand or stdin line: where it goes in the queue. */
static void
addurl(const char *s, size_t n)
{
	struct buf err = BUF_INIT, name = BUF_INIT;
	struct stat st;
	struct ent *e;
	char *line, *bucket, *key;
	size_t i;

	while (n && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == n)
		return;
	line = xstrndup(s, n);
	if (memchr(s, '\0', n)) {
		e = newent(E_BAD, line);
		efail(e, EXIT_PARTIAL, "a NUL byte in the name");
		goto add;
	}
	switch (s3_url_parse(line, &bucket, &key, &err)) {
	case 1:
		buf_printf(&name, "s3://%s/%s", bucket, key);
		e = newent(s3_is_prefix(key) ? E_LIST : E_OBJ, name.p);
		e->bucket = bucket;
		e->key = key;
		e->more = 1;
		break;
	case 0:
		i = stat(line, &st) == 0 ? 0 : (size_t)errno;
		e = newent(!i && S_ISDIR(st.st_mode) ? E_DIR : E_FILE, line);
		if (e->kind == E_DIR)
			e->walk = walk_open(line);
		else if (i && lflag)
			efail(e, EXIT_PARTIAL, "%s", strerror((int)i));
		break;
	default:
		e = newent(E_BAD, line);
		efail(e, EXIT_PARTIAL, "%s", err.p);
		break;
	}
add:
	insert(&queue, e);
	free(line);
	buf_free(&err);
	buf_free(&name);
}

/* Reads what stdin has, one read: URL lines join the queue. */
static void
readinput(void)
{
	char *nl, *p;
	ssize_t n;

	buf_grow(&pending, 64 * 1024);
	n = read(0, pending.p + pending.len, 64 * 1024);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		warn("stdin: read error:");
		status = EXIT_PARTIAL;
		stdin_eof = 1;
		return;
	}
	if (n == 0) {
		stdin_eof = 1;
		addurl(pending.p, pending.len);
		buf_reset(&pending);
		return;
	}
	pending.len += (size_t)n;
	p = pending.p;
	while ((nl = memchr(p, '\n', pending.len - (size_t)(p - pending.p)))) {
		addurl(p, (size_t)(nl - p));
		p = nl + 1;
	}
	buf_consume(&pending, (size_t)(p - pending.p));
}

/* ---- output ---- */

static int
emit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (fwrite(p, 1, n, stdout) != n)
		fcheck(stdout, "stdout");
	bytes_out += n;
	return 0;
}

static void
outbegin(void)
{
	decode_reset(dec);
	lineout_begin(&lo);
}

/* Ends an object's output: its unfinished last line goes out when the
 * object is whole, else it is dropped, and the failure says so. */
static void
outend(struct ent *e)
{
	if (e->state == S_FAIL)
		lineout_fail(&lo, &e->msg);
	else
		lineout_end(&lo);
}

static void
putname(const char *name)
{
	if (strchr(name, '\n')) {
		warnx("%s: a newline in the name: not listed", name);
		status = EXIT_PARTIAL;
		return;
	}
	if (fputs(name, stdout) == EOF || putchar('\n') == EOF)
		fcheck(stdout, "stdout");
	nlisted++;
}

/* Writes a local file, decoded, as a whole. */
static void
catfile(struct ent *e)
{
	ssize_t n;
	int fd;

	if ((fd = open(e->name, O_RDONLY)) < 0) {
		efail(e, EXIT_PARTIAL, "%s", strerror(errno));
		return;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	outbegin();
	while (!stop && (n = read(fd, rbuf, READBUF)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			efail(e, EXIT_PARTIAL, "read error: %s",
			      strerror(errno));
			break;
		}
		bytes_in += (uint64_t)n;
		if (decode_write(dec, rbuf, (size_t)n, lineout_write,
				 &lo) != 0) {
			efail(e, EXIT_PARTIAL, "%s", decode_error(dec));
			break;
		}
	}
	if (!stop && e->state != S_FAIL &&
	    decode_end(dec, lineout_write, &lo) != 0)
		efail(e, EXIT_PARTIAL, "%s", decode_error(dec));
	if (!stop)
		outend(e);
	close(fd);
}

/* ---- S3 ---- */

static int
sign(void *ctx, const char *method, const char *host, const char *path,
     const struct sigv4_param *q, size_t nq, const struct sigv4_header *x,
     size_t nx, struct curl_slist **headers, struct buf *err, int *st)
{
	if (aws_auth_sign(ctx, method, host, path, q, nq, x, nx,
			 SIGV4_EMPTY_SHA256, (int64_t)time(NULL), headers,
			 err) < 0) {
		*st = EXIT_REMOTE;
		return -1;
	}
	return 0;
}

/* The first S3 request loads the configuration and credentials: local
 * inputs need neither. */
static void
s3ready(void)
{
	struct aws_conf_opts ao = { profile, region, endpoint, cabundle, "s3" };
	const struct aws_conf *conf;
	const char *v;
	struct http_opts o = { 0 };
	struct buf err = BUF_INIT;
	int st = EXIT_USAGE;

	if (hp)
		return;
	if (!(auth = aws_auth_new(&ao, nosign, getenv, (int64_t)time(NULL),
				 &err, &st)))
		diex(st, "%s", err.p);
	conf = aws_auth_conf(auth);
	if (s3_init(&s3, conf->custom_endpoint ? conf->endpoint : NULL,
		    conf->region, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
	if ((v = aws_conf_get(conf, "s3.addressing_style")) && *v) {
		if (strcmp(v, "path") == 0)
			s3.style = S3_STYLE_PATH;
		else if (strcmp(v, "virtual") == 0)
			s3.style = S3_STYLE_VIRTUAL;
		else if (strcmp(v, "auto") != 0)
			diex(EXIT_USAGE, "profile %s: s3 addressing_style %s: "
			     "not auto, path or virtual", conf->profile, v);
	}
	s3.request_payer = payer;
	s3.sign = sign;
	s3.signctx = auth;
	o.conns = 2 * (int)jobs;
	o.max_attempts = 8;
	o.base_ms = 100;
	o.cap_ms = 20000;
	o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	o.user_agent = "s3cat/1.0";
	o.ca_bundle = conf->ca_bundle;
	o.region = conf->region;
	o.recv_buffer = 256 * 1024;
	if (http_opts_env(&o, getenv, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
	hp = http_new(&o);
	if (http_conns(hp) <= jobs) {	/* few descriptors: fewer at once */
		if (vflag)
			warnx("-j %ld lowered to %d (ulimit -n %ld)", jobs,
			      http_conns(hp) > 1 ? http_conns(hp) - 1 : 1,
			      http_nofile());
		jobs = http_conns(hp) > 1 ? http_conns(hp) - 1 : 1;
	}
	buf_free(&err);
}

/* "HTTP 503 SlowDown", or what curl says, for -v */
static const char *
why(const struct http_req *r, const char *code, struct buf *b)
{
	http_strerror(r, b);
	if (r->cc == CURLE_OK && *code) {
		buf_addc(b, ' ');
		buf_adds(b, code);
	}
	return b->p;
}

/* "NoSuchKey: The specified key does not exist.", for a failure */
static const char *
reason(const struct http_req *r, const char *code, struct buf *b)
{
	if (r->cc != CURLE_OK || !*code)
		return http_strerror(r, b);
	buf_reset(b);
	buf_adds(b, code);
	if (s3err.message.len) {
		buf_add(b, ": ", 2);
		buf_add(b, s3err.message.p, s3err.message.len);
	}
	if (r->status == 412)
		buf_adds(b, " (the object changed during the transfer)");
	else if (r->status == 301 || strcmp(code, "PermanentRedirect") == 0 ||
		 strcmp(code, "AuthorizationHeaderMalformed") == 0)
		buf_adds(b, " (the bucket is in another region: see -r)");
	return b->p;
}

/*
 * Decides what an ended attempt means: 0 done, 1 retried, -1 failed
 * (e is marked).  progress: the attempt got body bytes.
 */
static int
outcome(struct ent *e, struct http_req *r, int progress)
{
	struct buf b = BUF_INIT, w = BUF_INIT;
	const char *code = "";
	long delay;
	int cls;

	if (r->cc == CURLE_OK && (r->status < 200 || r->status >= 300) &&
	    s3_error_parse(&s3err, r->resp.p, r->resp.len) == 0)
		code = s3err.code.p;
	cls = s3_classify(r, code);
	if (cls == S3_OK)
		return 0;
	if (cls == S3_RETRY) {
		int attempt = r->attempt;

		if (progress)
			r->attempt = 1;	/* bytes came: a fresh budget */
		why(r, code, &w);
		if ((delay = http_retry(hp, r)) >= 0) {
			if (vflag && e->off > 0)
				warnx("%s: resume from byte %lld, retry %d "
				      "in %ld ms: %s", e->name,
				      (long long)e->off, r->attempt, delay,
				      w.p);
			else if (vflag)
				warnx("%s: retry %d in %ld ms: %s", e->name,
				      r->attempt, delay, w.p);
			buf_free(&w);
			return 1;
		}
		efail(e, EXIT_PARTIAL, "%s (gave up after %d attempts)",
		      reason(r, code, &b), attempt);
	} else {
		efail(e, cls == S3_REFUSED ? EXIT_REMOTE : EXIT_PARTIAL, "%s",
		      reason(r, code, &b));
	}
	buf_free(&b);
	buf_free(&w);
	return -1;
}

static int
objprep(struct http_req *r)
{
	struct ent *e = r->ctx;
	struct sigv4_header h[2];
	struct buf err = BUF_INIT;
	char range[48];
	size_t nh = 0;
	int st = EXIT_REMOTE;

	e->checked = 0;
	e->skip = 0;
	if (e->off > 0) {
		snprintf(range, sizeof range, "bytes=%lld-",
			 (long long)e->off);
		h[nh++] = (struct sigv4_header){ "Range", range };
		if (e->etag[0])
			h[nh++] = (struct sigv4_header){ "If-Match", e->etag };
	}
	if (s3_prepare(&s3, r, e->bucket, e->key, NULL, 0, h, nh, &err,
		       &st) < 0) {
		efail(e, st, "%s", err.p);
		buf_free(&err);
		return -1;
	}
	return 0;
}

/*
 * Decoding failed: e fails, once its transfer (if any) has ended.  An
 * entry whose transfer is still in libcurl's hands stays S_RUN: drain
 * frees only what has ended.
 */
static void
decodefail(struct ent *e)
{
	int running = e->state == S_RUN;

	efail(e, EXIT_PARTIAL, "%s", decode_error(dec));
	if (running) {
		e->state = S_RUN;
		e->bad = 1;
	}
}

/* The first body bytes of an attempt: is this the object we were
 * reading, from where we stopped? */
static int
objcheck(struct ent *e, struct http_req *r)
{
	long long start = -1;

	if (e->off == 0) {
		snprintf(e->etag, sizeof e->etag, "%s", r->etag);
		return 0;
	}
	if (e->etag[0] && r->etag[0] && strcmp(e->etag, r->etag) != 0) {
		efail(e, EXIT_PARTIAL, "the object changed during the "
		      "transfer (ETag %s, was %s)", r->etag, e->etag);
		return -1;
	}
	if (r->status == 206) {
		if (sscanf(r->content_range, "bytes %lld-", &start) != 1 ||
		    start != e->off) {
			efail(e, EXIT_PARTIAL, "asked for bytes from %lld, "
			      "got \"%s\"", (long long)e->off,
			      r->content_range);
			return -1;
		}
	} else {
		e->skip = e->off;	/* the whole object again */
	}
	return 0;
}

static size_t
objbody(struct http_req *r, const char *p, size_t n)
{
	struct ent *e = r->ctx;
	size_t all = n, k;

	if (e->bad)
		return 0;
	if (!e->head && e->held.len && e->held.len + n > (size_t)heldcap)
		return CURL_WRITEFUNC_PAUSE;
	if (!e->checked) {
		if (objcheck(e, r) < 0) {
			e->state = S_RUN;	/* S_FAIL once it has ended */
			e->bad = 1;
			return 0;
		}
		e->checked = 1;
	}
	if (e->skip) {
		k = (int64_t)n < e->skip ? n : (size_t)e->skip;
		e->skip -= (int64_t)k;
		p += k;
		n -= k;
	}
	if (n == 0)
		return all;
	if (e->head) {
		if (decode_write(dec, p, n, lineout_write, &lo) != 0) {
			decodefail(e);
			return 0;
		}
	} else {
		buf_add(&e->held, p, n);
	}
	e->off += (int64_t)n;
	bytes_in += n;
	return all;
}

static void
objdone(struct http_req *r)
{
	struct ent *e = r->ctx;
	int progress = http_progress(r);

	if (e->state == S_FAIL)
		return;		/* not prepared */
	if (e->bad) {
		e->state = S_FAIL;
		return;
	}
	if (outcome(e, r, progress) == 0)
		e->state = S_DONE;
}

static void
startobj(struct ent *e)
{
	s3ready();
	e->state = S_RUN;
	e->req.method = "GET";
	e->req.prepare = objprep;
	e->req.on_body = objbody;
	e->req.on_done = objdone;
	e->req.ctx = e;
	e->req.timeout_ms = HTTP_NO_TIMEOUT;	/* the speed limit's */
	http_start(hp, &e->req);
}

static int
listprep(struct http_req *r)
{
	struct ent *e = r->ctx;
	struct sigv4_param q[4];
	struct buf err = BUF_INIT;
	size_t nq = 0;
	int st = EXIT_REMOTE;

	q[nq++] = (struct sigv4_param){ "list-type", "2" };
	q[nq++] = (struct sigv4_param){ "encoding-type", "url" };
	if (*e->key)
		q[nq++] = (struct sigv4_param){ "prefix", e->key };
	if (e->token.len)
		q[nq++] = (struct sigv4_param){ "continuation-token",
					     e->token.p };
	s3_list_begin(&e->list);
	if (s3_prepare(&s3, r, e->bucket, NULL, q, nq, NULL, 0, &err,
		       &st) < 0) {
		efail(e, st, "%s", err.p);
		buf_free(&err);
		return -1;
	}
	return 0;
}

static size_t
listbody(struct http_req *r, const char *p, size_t n)
{
	struct ent *e = r->ctx;

	if (s3_list_feed(&e->list, p, n) < 0) {
		e->bad = 1;
		return 0;
	}
	return n;
}

/* A page came: its keys join the queue before the listing. */
static void
addpage(struct ent *e)
{
	struct buf name = BUF_INIT;
	struct ent *c;
	size_t off = 0, n;
	const char *k;

	while ((k = s3_list_key(&e->list, &off, &n))) {
		if (s3_skip_key(e->key, k, n))
			continue;
		buf_reset(&name);
		buf_printf(&name, "s3://%s/%s", e->bucket, k);
		c = newent(E_OBJ, name.p);
		c->bucket = xstrdup(e->bucket);
		c->key = xstrdup(k);
		c->parent = e;
		e->unstarted++;
		insert(e, c);
	}
	buf_reset(&e->token);
	buf_add(&e->token, e->list.token.p, e->list.token.len);
	e->more = e->list.truncated;
	npages++;
	buf_free(&name);
}

static void
listdone(struct http_req *r)
{
	struct ent *e = r->ctx;

	if (e->state == S_FAIL)
		return;		/* not prepared */
	if (e->bad) {
		e->bad = 0;
		efail(e, EXIT_PARTIAL, "%s", e->list.err);
		return;
	}
	if (outcome(e, r, 0) != 0)
		return;		/* retried, or failed */
	if (s3_list_end(&e->list) < 0) {
		efail(e, EXIT_PARTIAL, "%s", e->list.err);
		return;
	}
	if (e->list.truncated && e->token.len &&
	    strcmp(e->token.p, buf_str(&e->list.token)) == 0) {
		efail(e, EXIT_PARTIAL, "the listing repeats itself: a page "
		      "gave its own continuation token as the next");
		return;
	}
	addpage(e);
	e->busy = 0;
}

static void
startpage(struct ent *e)
{
	s3ready();
	e->busy = 1;
	e->req.method = "GET";
	e->req.prepare = listprep;
	e->req.on_body = listbody;
	e->req.on_done = listdone;
	e->req.ctx = e;
	http_start(hp, &e->req);
}

/* ---- the loop ---- */

/* Walks a little more of a local folder: its files join the queue. */
static int
expand(struct ent *d)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	struct ent *c;
	int n = 0, rc;

	while (n < DIRBATCH && (rc = walk_next(d->walk, &path, &err)) != 0) {
		if (rc < 0) {
			c = newent(E_BAD, path.p);
			efail(c, EXIT_PARTIAL, "%s", err.p);
			buf_reset(&err);
		} else {
			c = newent(E_FILE, path.p);
		}
		insert(d, c);
		n++;
	}
	buf_free(&path);
	buf_free(&err);
	return n;
}

/* Starts what may start, in queue order, up to jobs at once; returns
 * how many entries it passed or dropped. */
static int
schedule(void)
{
	struct ent *e, *p;
	int moved = 0;

	while (cursor != &queue && nslots < jobs) {
		e = cursor;
		if (refused && e->state != S_FAIL)
			break;	/* nothing new once refused */
		if (e->kind == E_LIST && e->state != S_FAIL) {
			if (e->more) {
				if (!e->busy)
					startpage(e);
				break;
			}
			drop(e);
			moved++;
			continue;
		}
		if (e->kind == E_DIR) {
			if (expand(e) == 0)
				drop(e);
			moved++;
			continue;
		}
		if (e->kind == E_OBJ && !lflag)
			startobj(e);
		if (e->parent) {
			e->parent->unstarted--;
			e->parent = NULL;
		}
		cursor = e->next;
		nslots++;
		moved++;
	}
	/* the next page before this one runs dry */
	if (!refused && cursor != &queue && (p = cursor->parent) &&
	    p->more && !p->busy && p->unstarted < AHEAD)
		startpage(p);
	return moved;
}

/* The head entry begins to write: what it holds first, then the rest
 * as it comes. */
static void
behead(struct ent *e)
{
	outbegin();
	e->head = 1;
	if (e->held.len && decode_write(dec, e->held.p, e->held.len,
					lineout_write, &lo) != 0)
		decodefail(e);
	buf_free(&e->held);
	http_unpause(hp, &e->req);
}

static void
report(struct ent *e)
{
	if (fflush(stdout) == EOF)	/* in order, on a shared terminal */
		fcheck(stdout, "stdout");
	warnx("%s: %s", e->name, e->msg.p);
	nfailed++;
	if (e->status > status)
		status = e->status;
	if (e->status == EXIT_REMOTE) {
		fshut(stdout, "stdout");
		exit(EXIT_REMOTE);
	}
}

/* Writes out the head of the queue while it is ready; returns how many
 * entries it wrote out. */
static int
drain(void)
{
	struct ent *e;
	int moved = 0;

	while ((e = queue.next) != &queue && e != cursor) {
		if (e->state == S_RUN) {
			if (!e->head)
				behead(e);
			break;
		}
		if (e->state == S_FAIL) {
			if (e->head)
				outend(e);
			report(e);
		} else if (lflag) {
			putname(e->name);
		} else if (e->kind == E_FILE) {
			catfile(e);
			if (e->state == S_FAIL)
				report(e);
			else
				nobjs++;
		} else {
			if (!e->head)
				behead(e);
			if (e->state != S_FAIL &&
			    decode_end(dec, lineout_write, &lo) != 0)
				efail(e, EXIT_PARTIAL, "%s",
				      decode_error(dec));
			outend(e);
			if (e->state == S_FAIL)
				report(e);
			else
				nobjs++;
		}
		drop(e);
		nslots--;
		moved++;
	}
	return moved;
}

static int
wantinput(void)
{
	return reading && !stdin_eof && !refused && cursor == &queue &&
	       nslots < jobs;
}

static void
run(void)
{
	struct curl_waitfd fd = { 0, CURL_WAIT_POLLIN, 0 };
	struct pollfd pfd = { 0, POLLIN, 0 };

	for (;;) {
		while (!stop && schedule() + drain() > 0)
			;
		if (stop)
			return;
		if (queue.next == &queue && !(reading && !stdin_eof))
			return;
		/* what is written goes on down the pipe before a wait */
		if (fflush(stdout) == EOF)
			fcheck(stdout, "stdout");
		if (hp) {
			fd.revents = 0;
			http_run_fds(hp, 200, &fd, wantinput() ? 1 : 0);
			if (wantinput() && fd.revents)
				readinput();
		} else if (wantinput()) {
			if (poll(&pfd, 1, 200) > 0)
				readinput();
		}
	}
}

static long
number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		diex(EXIT_USAGE, "%s: %s: not a number from %ld to %ld", what,
		     s, min, max);
	return v;
}

int
main(int argc, char *argv[])
{
	enum { O_CA = 256, O_NOSIGN, O_PAYER };
	static const struct option longs[] = {
		{ "ca-bundle", required_argument, NULL, O_CA },
		{ "no-sign-request", no_argument, NULL, O_NOSIGN },
		{ "request-payer", no_argument, NULL, O_PAYER },
		{ "endpoint-url", required_argument, NULL, 'e' },
		{ "region", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	int c, i;

	err_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "e:hj:lp:r:v", longs, NULL)) != -1) {
		switch (c) {
		case 'e':
			endpoint = optarg;
			break;
		case 'h':
			usage(EXIT_OK);
			break;
		case 'j':
			jobs = number(optarg, 1, MAXJOBS, "-j");
			break;
		case 'l':
			lflag = 1;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'r':
			region = optarg;
			break;
		case 'v':
			vflag = 1;
			break;
		case O_CA:
			cabundle = optarg;
			break;
		case O_NOSIGN:
			nosign = 1;
			break;
		case O_PAYER:
			payer = 1;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsignal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	heldcap = HELD_ALL / jobs;
	if (heldcap < HELD_MIN)
		heldcap = HELD_MIN;
	if (heldcap > HELD_MAX)
		heldcap = HELD_MAX;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot initialise");
	queue.next = queue.prev = cursor = &queue;
	rbuf = xmalloc(READBUF);
	dec = decode_new(0);
	lineout_init(&lo, LINEOUT_HOLD, emit, NULL);
	setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	for (i = 0; i < argc; i++)
		addurl(argv[i], strlen(argv[i]));
	reading = argc == 0;

	run();

	if (stop) {
		fflush(stdout);
		if (vflag)
			warnx("interrupted");
		return stop == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	}
	if (fshut(stdout, "stdout"))
		status = EXIT_PARTIAL;
	if (vflag && lflag)
		fprintf(stderr, "%s: %llu listed, %llu pages, %llu retries, "
			"%llu failed\n", err_prog(),
			(unsigned long long)nlisted,
			(unsigned long long)npages,
			(unsigned long long)(hp ? http_retries(hp) : 0),
			(unsigned long long)nfailed);
	else if (vflag)
		fprintf(stderr, "%s: %llu object%s, %llu bytes in, %llu bytes "
			"out, %llu retries, %llu failed\n", err_prog(),
			(unsigned long long)nobjs, nobjs == 1 ? "" : "s",
			(unsigned long long)bytes_in,
			(unsigned long long)bytes_out,
			(unsigned long long)(hp ? http_retries(hp) : 0),
			(unsigned long long)nfailed);
	while (queue.next != &queue)
		drop(queue.next);
	if (hp)
		http_free(hp);
	aws_auth_free(auth);
	s3_free(&s3);
	s3_error_free(&s3err);
	decode_free(dec);
	lineout_free(&lo);
	buf_free(&pending);
	free(rbuf);
	curl_global_cleanup();
	return status;
}
