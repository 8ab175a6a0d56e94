/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "buf.h"
#include "err.h"
#include "fshut.h"
#include "http.h"
#include "lineio.h"
#include "objout.h"
#include "opt.h"
#include "s3.h"
#include "s3_client.h"
#include "s3_get.h"
#include "s3_input.h"
#include "s3_walk.h"
#include "stopsig.h"
#include "summary.h"
#include "xalloc.h"

#define MAXJOBS 64
#define HELD_ALL (32L << 20)	/* raw bytes held for objects not yet due */
#define HELD_MIN (1L << 20)
#define HELD_MAX (8L << 20)
#define AHEAD 1000		/* listed keys kept ahead of the transfers */
#define BATCH 256		/* a folder's entries taken at a time */
#define MAXURL (64 << 10)	/* a stdin line longer is no URL */
#define SYNOPSIS "[-lsv] [-j N] [-S summary] [--max-size size] " \
	"[--max-ratio n] [--no-sign-request] [--request-payer] " \
	AWS_OPTS_SYNOPSIS " [url ...]"

static const char help[] =
	"  -j N                    fetch N objects at once (default 4)\n"
	"  -l                      write the objects' names, not contents\n"
	"  -S summary              write the counts there as JSON at the end\n"
	"  -s                      with -l: a tab and the size after a name\n"
	"  -v                      retries, resumes and counts on stderr\n"
	"  --max-size size         an object that decodes to more fails\n"
	"  --max-ratio n           one that decodes to n times its size fails\n"
	"  --no-sign-request       anonymous requests (public buckets)\n"
	"  --request-payer         the requester pays for the requests\n"
	AWS_OPTS_HELP;

enum { E_OBJ, E_FILE, E_LIST, E_DIR, E_BAD };
enum { S_NEW, S_RUN, S_DONE, S_FAIL };

/*
 * One input in output order: an object or a local file to write, a
 * listing (S3 prefix, local folder) that inserts what it finds before
 * itself as it goes, or a failure to report in its place.
 */
struct ent {
	struct ent *prev, *next;
	struct listing *parent;	/* the listing that found it, until passed */
	int kind, state;
	char *name;		/* s3://bucket/key, or a path */
	char *bucket, *key;
	int64_t size;		/* in bytes, when listed; -1: not known */
	int status;		/* a failure's exit status */
	struct buf msg;		/* a failure's reason */
	struct xfer *x;		/* an object's transfer, once started */
	struct listing *l;	/* a listing's state */
};

/* One object's transfer, from its start to the end of its output. */
struct xfer {
	struct s3_get get;
	struct buf held;	/* bytes got while another object is written */
	int head;		/* its bytes go to stdout as they come */
};

/* One listing: an S3 prefix page by page (w.once: -l -s of one
 * object, its key only), or a local folder. */
struct listing {
	struct s3_walk w;
	size_t unstarted;	/* entries it found, not yet passed */
};

/* What the whole run shares. */
static struct {
	struct ent queue;	/* a ring around this sentinel */
	struct ent *cursor;	/* the first entry not yet passed */
	long nslots;		/* passed entries still queued, <= jobs */
	struct lineio in;	/* URL lines from stdin */
	int reading;		/* until stdin ends */
	int refused;		/* the remote refused us: nothing new starts */
	int quit;		/* and that was reported: the end */
	int status;
	struct s3_client c;	/* once an S3 input is reached */
	long heldcap;
	struct objout out;	/* the objects' bytes to stdout */
	unsigned long long listed, pages, objects, failed, bytes_in;
} g;

static int lflag, sflag, vflag, nosign, payer;
static long jobs = 4;
static const char *sfile;
static long long maxsize, maxratio;
static struct aws_conf_opts ao = { .service = "s3" };

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

static struct ent *
newent(int kind, const char *name, int64_t size)
{
	struct ent *e = xcalloc(1, sizeof *e);

	e->kind = kind;
	e->name = xstrdup(name);
	e->size = size;
	return e;
}

static void
efail(struct ent *e, int st, const char *why)
{
	buf_reset(&e->msg);
	buf_adds(&e->msg, why);
	e->state = S_FAIL;
	e->status = st;
	if (e->x)
		buf_free(&e->x->held);
	if (st == EXIT_REMOTE)
		g.refused = 1;
}

/* An input that fails in its place, for the reason why. */
static struct ent *
bad(const char *name, const char *why)
{
	struct ent *e = newent(E_BAD, name, -1);

	efail(e, EXIT_PARTIAL, why);
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
	if (g.cursor == at)
		g.cursor = e;
}

/* Takes e out and frees it (a transfer or page running is cancelled). */
static void
drop(struct ent *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	if (g.cursor == e)
		g.cursor = e->next;
	if (e->x) {
		s3_get_free(&e->x->get);
		buf_free(&e->x->held);
		free(e->x);
	}
	if (e->l) {
		s3_walk_free(&e->l->w);
		free(e->l);
	}
	free(e->name);
	free(e->bucket);
	free(e->key);
	buf_free(&e->msg);
	free(e);
}

static void
report(struct ent *e)
{
	if (fflush(stdout) == EOF)	/* in order, on a shared terminal */
		fcheck(stdout, "stdout");
	warnx("%s: %s", e->name, e->msg.p);
	g.failed++;
	if (e->status > g.status)
		g.status = e->status;
	if (e->status == EXIT_REMOTE)
		g.quit = 1;
}

/* -l: the name, and with -s its size */
static void
putname(struct ent *e)
{
	const char *why = NULL;

	if (strchr(e->name, '\n'))
		why = "a newline in the name: not listed";
	else if (sflag && strchr(e->name, '\t'))
		why = "a tab in the name: not listed";
	else if (sflag && e->size < 0)
		why = "no size listed";
	if (why) {
		efail(e, EXIT_PARTIAL, why);
		report(e);
	} else if ((sflag ? printf("%s\t%lld\n", e->name, (long long)e->size) :
		    printf("%s\n", e->name)) < 0) {
		fcheck(stdout, "stdout");
	} else {
		g.listed++;
	}
}

static void
catfile(struct ent *e)
{
	int fd, rc;

	if ((fd = open(e->name, O_RDONLY)) < 0) {
		efail(e, EXIT_PARTIAL, strerror(errno));
		return;
	}
	objout_begin(&g.out);
	rc = objout_fd(&g.out, fd, &stopsig, &g.bytes_in);
	close(fd);
	if (rc == -1) {
		efail(e, EXIT_PARTIAL, objout_error(&g.out));
		objout_fail(&g.out, &e->msg);
	}
}

static int finish(int st);

static void
notice(const char *msg)
{
	warnx("%s", msg);
}

/* The first S3 request loads the configuration and credentials: local
 * inputs need neither. */
static void
s3ready(void)
{
	struct s3_client_opts o = { .aws = &ao, .nosign = nosign,
		.request_payer = payer, .conns = 2 * (int)jobs,
		.recv_buffer = 256 * 1024, .user_agent = "s3cat/1.0",
		.notice = notice };
	struct buf err = BUF_INIT;
	int st, c;

	if (g.c.http)
		return;
	ao.stop = &stopsig;
	if (s3_client_open(&g.c, &o, &err, &st) < 0) {
		warnx("%s", err.p);
		exit(finish(stopsig ? stopsig_status() : st));
	}
	if (http_conns(g.c.http) <= jobs) {	/* few descriptors: fewer */
		c = http_conns(g.c.http) > 1 ? http_conns(g.c.http) - 1 : 1;
		if (vflag)
			warnx("-j %ld lowered to %d (ulimit -n %ld)", jobs, c,
			      http_nofile());
		jobs = c;
	}
	buf_free(&err);
}

static void
retried(void *ctx, int64_t off, int attempt, long delay, const char *why)
{
	struct ent *e = ctx;

	if (vflag && off > 0)
		warnx("%s: resume from byte %lld, retry %d in %ld ms: %s",
		      e->name, (long long)off, attempt, delay, why);
	else if (vflag)
		warnx("%s: retry %d in %ld ms: %s", e->name, attempt, delay,
		      why);
}

/* Decoding failed: e fails, now or once its transfer (stopped from
 * inside its own callback) has ended. */
static void
decodefail(struct ent *e)
{
	if (!s3_get_stop(&e->x->get, objout_error(&g.out)))
		efail(e, EXIT_PARTIAL, objout_error(&g.out));
}

static int
take(void *ctx, const char *p, size_t n)
{
	struct ent *e = ctx;
	struct xfer *x = e->x;

	if (!x->head) {
		if (x->held.len && x->held.len + n > (size_t)g.heldcap)
			return S3_GET_PAUSE;
		buf_add(&x->held, p, n);
	} else if (objout_write(&g.out, p, n) < 0) {
		decodefail(e);
		return S3_GET_STOP;
	}
	g.bytes_in += n;
	return S3_GET_TAKEN;
}

static void
ended(void *ctx, struct s3_get *get)
{
	struct ent *e = ctx;

	if (get->state == S3_GET_DONE)
		e->state = S_DONE;
	else
		efail(e, get->cls == S3_REFUSED ? EXIT_REMOTE : EXIT_PARTIAL,
		      get->why.p);
}

static void
startobj(struct ent *e)
{
	s3ready();
	e->x = xcalloc(1, sizeof *e->x);
	e->x->get = (struct s3_get){ .s3 = &g.c.s3, .http = g.c.http,
		.bucket = e->bucket, .key = e->key, .on_bytes = take,
		.on_end = ended, .on_retry = retried, .ctx = e };
	e->state = S_RUN;
	s3_get_start(&e->x->get);
}

/* A listing found one: it joins the queue before the listing. */
static void
found(void *ctx, const char *name, const char *key, int64_t size,
      const char *why)
{
	struct ent *e = ctx, *c;

	if (why) {
		insert(e, bad(name, why));
		return;
	}
	c = newent(key ? E_OBJ : E_FILE, name, size);
	if (key) {
		c->bucket = xstrdup(e->bucket);
		c->key = xstrdup(key);
		c->parent = e->l;
		e->l->unstarted++;
	}
	insert(e, c);
}

static void
paged(void *ctx)
{
	(void)ctx;
	g.pages++;
}

static void
listfail(void *ctx)
{
	struct ent *e = ctx;

	efail(e, e->l->w.cls == S3_REFUSED ? EXIT_REMOTE : EXIT_PARTIAL,
	      e->l->w.why.p);
}

/* e becomes a listing; with once, of its key alone. */
static void
newlisting(struct ent *e, int kind, int once)
{
	e->kind = kind;
	e->l = xcalloc(1, sizeof *e->l);
	e->l->w = (struct s3_walk){ .s3 = &g.c.s3, .bucket = e->bucket,
		.key = e->key, .once = once,
		.folder = kind == E_DIR ? e->name : NULL, .on_found = found,
		.on_page = paged, .on_fail = listfail, .on_retry = retried,
		.ctx = e };
}

static void
nextpage(struct listing *l)
{
	if (s3_walk_reading(&l->w))
		return;
	s3ready();
	s3_walk_next(&l->w, g.c.http, 0);
}

/* One operand or stdin line: where it goes in the queue. */
static void
addurl(const char *s, size_t n)
{
	struct s3_input in;
	struct ent *e;
	int kind = s3_input_read(&in, s, n);

	if (kind == S3_INPUT_NONE) {
		return;
	} else if (kind == S3_INPUT_BAD) {
		e = bad(in.name, in.why.p);
	} else if (in.bucket) {
		e = newent(E_OBJ, in.name, -1);
		e->bucket = in.bucket;
		e->key = in.key;
		in.bucket = in.key = NULL;
		if (kind == S3_INPUT_PREFIX || (lflag && sflag))
			newlisting(e, E_LIST, kind == S3_INPUT_OBJECT);
	} else if (in.err && lflag) {
		e = bad(in.name, strerror(in.err));
	} else {
		e = newent(E_FILE, in.name, in.size);
		if (kind == S3_INPUT_FOLDER)
			newlisting(e, E_DIR, 0);
	}
	insert(&g.queue, e);
	s3_input_free(&in);
}

/* A URL line from stdin, if it has one now (a TAB and what follows it
 * are not the URL's: -l -s writes sizes there); 0 when it has none. */
static int
readinput(void)
{
	char *line, *tab;
	ssize_t n = lineio_trynext(&g.in, &line);

	if (n < 0)
		g.reading = n == LINEIO_AGAIN;
	else if (g.in.cut)
		insert(&g.queue, bad("stdin", "a line of over 64 KiB: no URL"));
	else if ((tab = memchr(line, '\t', (size_t)n)))
		addurl(line, (size_t)(tab - line));
	else
		addurl(line, (size_t)n);
	return n >= 0;
}

/* 1 when e must wait: its bucket has not answered yet, and a request
 * to it runs, whose answer may say the bucket is in another region (so
 * that costs one request more, not one for each object). */
static int
unknown(const struct ent *e)
{
	const struct ent *o;

	if (!g.c.http || !e->bucket || s3_bucket_known(&g.c.s3, e->bucket))
		return 0;
	for (o = g.queue.next; o != &g.queue; o = o->next)
		if (o != e && o->bucket && ((o->x && o->state == S_RUN) ||
		    (o->l && s3_walk_reading(&o->l->w))) &&
		    strcmp(o->bucket, e->bucket) == 0)
			return 1;
	return 0;
}

/* Starts what may start, in queue order, up to jobs at once; returns
 * how many entries it passed or dropped. */
static int
schedule(void)
{
	struct listing *p;
	struct ent *e;
	int moved = 0;

	while (g.cursor != &g.queue && g.nslots < jobs) {
		e = g.cursor;
		if (g.refused && e->state != S_FAIL)
			break;	/* nothing new once refused */
		if (e->kind == E_LIST && e->state != S_FAIL &&
		    s3_walk_more(&e->l->w)) {
			if (!unknown(e))
				nextpage(e->l);
			break;
		}
		if ((e->kind == E_LIST && e->state != S_FAIL) ||
		    (e->kind == E_DIR &&
		     s3_walk_next(&e->l->w, NULL, BATCH) == 0)) {
			drop(e);
			moved++;
			continue;
		}
		if (e->kind == E_DIR) {	/* its files are before it now */
			moved++;
			continue;
		}
		if (e->kind == E_OBJ && !lflag && e->state != S_FAIL &&
		    unknown(e))
			break;
		if (e->kind == E_OBJ && !lflag)
			startobj(e);
		if (e->parent) {
			e->parent->unstarted--;
			e->parent = NULL;
		}
		g.cursor = e->next;
		g.nslots++;
		moved++;
	}
	/* the next page before this one runs dry */
	if (!g.refused && g.cursor != &g.queue && (p = g.cursor->parent) &&
	    s3_walk_more(&p->w) && p->unstarted < AHEAD)
		nextpage(p);
	return moved;
}

/* The head entry begins to write: what it holds first, then the rest
 * as it comes. */
static void
behead(struct ent *e)
{
	struct xfer *x = e->x;

	objout_begin(&g.out);
	x->head = 1;
	if (x->held.len && objout_write(&g.out, x->held.p, x->held.len) < 0)
		decodefail(e);
	buf_free(&x->held);
	s3_get_unpause(&x->get);
}

static void
writeout(struct ent *e)
{
	if (lflag && e->state != S_FAIL) {
		putname(e);
		return;
	}
	if (e->kind == E_FILE && e->state != S_FAIL) {
		catfile(e);
	} else if (e->x) {
		if (!e->x->head)
			behead(e);
		if (e->state != S_FAIL && objout_end(&g.out) < 0)
			efail(e, EXIT_PARTIAL, objout_error(&g.out));
		if (e->state == S_FAIL)
			objout_fail(&g.out, &e->msg);
	}
	if (e->state == S_FAIL)
		report(e);
	else
		g.objects++;
}

/* Writes out the head of the queue while it is ready; returns how many
 * entries it wrote out. */
static int
drain(void)
{
	struct ent *e;
	int moved = 0;

	while (!g.quit && (e = g.queue.next) != &g.queue && e != g.cursor) {
		if (e->state == S_RUN) {
			if (!e->x->head)
				behead(e);
			break;
		}
		writeout(e);
		drop(e);
		g.nslots--;
		moved++;
	}
	return moved;
}

static void
run(void)
{
	struct curl_waitfd fd = { 0, CURL_WAIT_POLLIN, 0 };
	struct pollfd pfd = { 0, POLLIN, 0 };
	int ready = g.reading;	/* lines may be there without a wait */
	int want;

	for (;;) {
		while (!stopsig && !g.quit && schedule() + drain() > 0)
			;
		if (stopsig || g.quit || (g.queue.next == &g.queue &&
				       !g.reading))
			return;
		/* what is written goes on down the pipe before a wait */
		if (fflush(stdout) == EOF)
			fcheck(stdout, "stdout");
		want = g.reading && !g.refused && g.cursor == &g.queue &&
		       g.nslots < jobs;
		if (want && ready) {
			ready = readinput();
			continue;
		}
		fd.fd = pfd.fd = lineio_fd(&g.in);
		fd.revents = pfd.revents = 0;
		if (g.c.http)
			http_run_fds(g.c.http, 200, &fd, want ? 1 : 0);
		else if (want)
			poll(&pfd, 1, 200);
		if (fd.revents || pfd.revents)
			ready = 1;
	}
}

/* The end, from wherever s3cat gets to it: stdout closed, the counts
 * (-v, -S), and the exit status, st or worse. */
static int
finish(int st)
{
	unsigned long long r = g.c.http ? http_retries(g.c.http) : 0;
	struct summary sm;

	if (g.in.status > st)
		st = g.in.status;
	if (stopsig) {
		fflush(stdout);
		if (vflag)
			warnx("interrupted");
		st = stopsig_status();
	} else if (fshut(stdout, "stdout") && st < EXIT_PARTIAL) {
		st = EXIT_PARTIAL;
	}
	if (vflag && !stopsig && lflag)
		warnx("%llu listed, %llu pages, %llu retries, %llu failed",
		      g.listed, g.pages, r, g.failed);
	else if (vflag && !stopsig)
		warnx("%llu object%s, %llu bytes in, %llu bytes out, %llu "
		      "retries, %llu failed", g.objects,
		      g.objects == 1 ? "" : "s", g.bytes_in, g.out.out, r,
		      g.failed);
	if (!sfile)
		return st;
	summary_init(&sm);
	summary_count(&sm, "listed", g.listed);
	summary_count(&sm, "objects", g.objects);
	summary_count(&sm, "failed", g.failed);
	summary_count(&sm, "bytes_in", g.bytes_in);
	summary_count(&sm, "bytes_out", g.out.out);
	summary_count(&sm, "retries", r);
	if (summary_write(&sm, sfile) < 0 && st < EXIT_PARTIAL)
		st = EXIT_PARTIAL;
	summary_free(&sm);
	return st;
}

enum { O_NOSIGN = 256, O_PAYER, O_MAXSIZE, O_MAXRATIO };
static const struct option longopts[] = {
	{ "max-size", required_argument, NULL, O_MAXSIZE },
	{ "max-ratio", required_argument, NULL, O_MAXRATIO },
	{ "no-sign-request", no_argument, NULL, O_NOSIGN },
	{ "request-payer", no_argument, NULL, O_PAYER },
	{ "help", no_argument, NULL, 'h' },
	AWS_OPTS_LONG,
	{ NULL, 0, NULL, 0 },
};

static void
option(int c, char *arg)
{
	if (aws_opts_take(&ao, c, arg))
		return;
	switch (c) {
	case 'h': usage(EXIT_OK); break;
	case 'j': jobs = (long)opt_num("-j", arg, 1, MAXJOBS); break;
	case 'l': lflag = 1; break;
	case 'S': sfile = arg; break;
	case 's': sflag = 1; break;
	case 'v': vflag = 1; break;
	case O_NOSIGN: nosign = 1; break;
	case O_PAYER: payer = 1; break;
	case O_MAXSIZE:
		maxsize = opt_size("--max-size", arg, 1, LLONG_MAX);
		break;
	case O_MAXRATIO:
		maxratio = opt_num("--max-ratio", arg, 2, 1000000);
		break;
	default: usage(EXIT_USAGE);
	}
}

int
main(int argc, char *argv[])
{
	int i, st;

	err_setprog(argv[0]);
	i = opt_parse(argc, argv, "hj:lS:sv" AWS_OPTS_SHORT, longopts, option);
	argc -= i;
	argv += i;
	if (sflag && !lflag)
		diex(EXIT_USAGE, "-s needs -l");
	if (argc == 0 && isatty(0))
		usage(EXIT_USAGE);

	stopsig_catch(SA_RESTART);
	g.heldcap = HELD_ALL / jobs < HELD_MIN ? HELD_MIN :
		    HELD_ALL / jobs > HELD_MAX ? HELD_MAX : HELD_ALL / jobs;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot initialise");
	g.queue.next = g.queue.prev = g.cursor = &g.queue;
	objout_init(&g.out, stdout, "stdout", (unsigned long long)maxsize,
		    (unsigned long long)maxratio);
	setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	lineio_open(&g.in, 0, NULL);
	g.in.maxline = MAXURL;
	for (i = 0; i < argc; i++)
		addurl(argv[i], strlen(argv[i]));
	g.reading = argc == 0;

	run();

	st = finish(g.status);
	while (g.queue.next != &g.queue)
		drop(g.queue.next);
	s3_client_close(&g.c);
	objout_free(&g.out);
	lineio_close(&g.in);
	curl_global_cleanup();
	return st;
}
