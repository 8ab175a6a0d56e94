/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_opts.h"
#include "buf.h"
#include "clock.h"
#include "err.h"
#include "http.h"
#include "opt.h"
#include "s3.h"
#include "s3_client.h"
#include "s3_upload.h"
#include "stopsig.h"
#include "summary.h"

#define MAXJOBS 64
#define READMAX (1 << 20)	/* read at a time, between two looks at the
				 * transfers */
#define STOP_MS 2000		/* the abort after a signal, at most */
#define SYNOPSIS "[-v] [-S summary] [--part-size size] [-j N] " \
	AWS_OPTS_SYNOPSIS " url"

static const char help[] =
	"  -j N                    send N parts at once (default 4)\n"
	"  -S summary              write the counts there as JSON at the end\n"
	"  -v                      retries and counts on stderr\n"
	"  --part-size size        parts of size bytes (default 8M, at "
	"least 5M)\n"
	AWS_OPTS_HELP;

static int vflag, ended;
static long jobs = 4;
static long long partsize = 8LL << 20;
static const char *sfile, *url;
static struct aws_conf_opts ao = { .service = "s3" };

static void
usage(int status)
{
	opt_usage(status, SYNOPSIS, help);
}

static void
notice(const char *msg)
{
	warnx("%s", msg);
}

static void
onend(void *ctx, struct s3_upload *u)
{
	(void)ctx;
	(void)u;
	ended = 1;
}

static void
onretry(void *ctx, int part, const char *what, int attempt, long delay,
	const char *why)
{
	(void)ctx;
	if (!vflag)
		return;
	if (part)
		warnx("%s: part %d: retry %d in %ld ms: %s", url, part,
		      attempt, delay, why);
	else
		warnx("%s: %s: retry %d in %ld ms: %s", url, what, attempt,
		      delay, why);
}

static void
ongrow(void *ctx, int part, int64_t size)
{
	(void)ctx;
	if (vflag)
		warnx("%s: parts of %lld bytes from part %d on", url,
		      (long long)size, part);
}

/* The input's size when it is a regular file, else -1. */
static int64_t
insize(void)
{
	struct stat st;
	off_t at;

	if (fstat(0, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	if ((at = lseek(0, 0, SEEK_CUR)) < 0 || at > st.st_size)
		return -1;
	return (int64_t)(st.st_size - at);
}

/* Reads what stdin has into the upload; -1 on a read error. */
static int
feed(struct s3_upload *u)
{
	size_t n;
	ssize_t k;
	char *p;

	if (!(p = s3_upload_space(u, &n)))
		return 0;
	k = read(0, p, n < READMAX ? n : READMAX);
	if (k < 0 && errno == EINTR)
		return 0;
	if (k < 0)
		return -1;
	if (k == 0)
		s3_upload_finish(u);
	else
		s3_upload_wrote(u, (size_t)k);
	return 0;
}

/* Runs the upload to its end, or to a signal's. */
static void
run(struct s3_upload *u, struct http *h)
{
	struct curl_waitfd fd = { 0, CURL_WAIT_POLLIN, 0 };
	int64_t t0;
	size_t n;
	int want;

	while (!ended) {
		if (stopsig) {
			s3_upload_stop(u, "interrupted", 1, STOP_MS);
			break;
		}
		want = s3_upload_space(u, &n) != NULL;
		fd.revents = 0;
		http_run_fds(h, 200, &fd, want ? 1 : 0);
		if (want && fd.revents && feed(u) < 0) {
			char why[160];

			snprintf(why, sizeof why, "stdin: %s", strerror(errno));
			s3_upload_stop(u, why, 0, 0);
		}
	}
	/* after a signal: the abort, for a moment */
	t0 = clock_ms();
	while (!ended) {
		http_run(h, 100);
		if (clock_ms() - t0 > STOP_MS + 500)
			break;
	}
}

/* One line on what became of the upload, and the exit status. */
static int
report(struct s3_upload *u)
{
	int st;

	if (u->state == S3_UPLOAD_DONE)
		return EXIT_OK;
	st = stopsig ? stopsig_status() :
	     u->cls == S3_REFUSED ? EXIT_REMOTE : EXIT_PARTIAL;
	if (!stopsig)
		warnx("%s: %s", url, u->why.p);
	else if (vflag)
		warnx("%s: interrupted", url);
	if (u->left == S3_UPLOAD_LEFT || (!ended && u->upload_id.len))
		warnx("%s: upload %s not aborted: %s; it is kept (and paid "
		      "for) until it is: aws s3api abort-multipart-upload "
		      "--bucket %s --key '%s' --upload-id %s", url,
		      u->upload_id.p, ended ? u->abort_why.p : "no answer",
		      u->bucket, u->key, u->upload_id.p);
	else if (vflag && u->left == S3_UPLOAD_ABORTED)
		warnx("%s: upload aborted: no object written", url);
	return st;
}

static int
finish(int st, struct s3_upload *u, struct http *h)
{
	unsigned long long r = h ? http_retries(h) : 0;
	struct summary sm;

	if (vflag && u && u->state == S3_UPLOAD_DONE)
		warnx("%s: %lld bytes in %d part%s, %llu retries", url,
		      (long long)u->bytes, u->parts, u->parts == 1 ? "" : "s",
		      r);
	if (!sfile)
		return st;
	summary_init(&sm);
	summary_count(&sm, "bytes", u ? (unsigned long long)u->bytes : 0);
	summary_count(&sm, "parts", u ? (unsigned long long)u->parts : 0);
	summary_count(&sm, "retries", r);
	if (summary_write(&sm, sfile) < 0 && st < EXIT_PARTIAL)
		st = EXIT_PARTIAL;
	summary_free(&sm);
	return st;
}

enum { O_PARTSIZE = 256 };
static const struct option longopts[] = {
	{ "part-size", required_argument, NULL, O_PARTSIZE },
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
	case 'S': sfile = arg; break;
	case 'v': vflag = 1; break;
	case O_PARTSIZE:
		partsize = opt_size("--part-size", arg, S3_PART_MIN,
				    S3_PART_MAX);
		break;
	default: usage(EXIT_USAGE);
	}
}

int
main(int argc, char *argv[])
{
	struct s3_client_opts o = { .aws = &ao, .user_agent = "s3put/1.0",
		.notice = notice };
	struct s3_upload u = { 0 };
	struct buf err = BUF_INIT;
	struct s3_client sc;
	char *bucket, *key;
	int i, st;

	err_setprog(argv[0]);
	i = opt_parse(argc, argv, "hj:S:v" AWS_OPTS_SHORT, longopts, option);
	if (i != argc - 1)
		usage(EXIT_USAGE);
	url = argv[i];
	if (s3_url_parse(url, &bucket, &key, &err) != 1)
		diex(EXIT_USAGE, "%s: %s", url, err.len ? err.p :
		     "not an S3 URL (s3://bucket/key)");
	if (s3_is_prefix(key))
		diex(EXIT_USAGE, "%s: names a prefix, not an object "
		     "(s3://bucket/key)", url);

	stopsig_catch(0);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot initialise");
	ao.stop = &stopsig;
	o.conns = (int)jobs + 1;
	if (s3_client_open(&sc, &o, &err, &st) < 0) {
		warnx("%s", err.p);
		return finish(stopsig ? stopsig_status() : st, NULL, NULL);
	}
	u = (struct s3_upload){ .s3 = &sc.s3, .http = sc.http, .bucket = bucket,
		.key = key, .jobs = (int)jobs, .part_size = partsize,
		.size_hint = insize(), .on_end = onend, .on_retry = onretry,
		.on_grow = ongrow };
	s3_upload_start(&u);
	run(&u, sc.http);
	st = finish(report(&u), &u, sc.http);

	s3_upload_free(&u);
	s3_client_close(&sc);
	free(bucket);
	free(key);
	buf_free(&err);
	curl_global_cleanup();
	return st;
}
