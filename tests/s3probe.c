/* SPDX-License-Identifier: MIT */
/*
 * A test driver for lib/aws/s3_get and lib/aws/s3_pages, not installed:
 * reads one object (or lists one prefix) through them, with the real
 * environment's configuration and credentials (AWS_ENDPOINT_URL_S3...).
 * The object's bytes go to stdout as the reader gives them; a failure is
 * one line on stderr and exit 1 (3: refused).  Retries wait 10 to 50 ms.
 *   -a N     attempts at most (default 8)
 *   -l       list the prefix: "KEY<TAB>SIZE" lines, a "page" line after
 *            each page; -m N keys a page at most
 *   -P       answer every delivery of bytes with S3_GET_PAUSE once, and
 *            take it when it comes again after s3_get_unpause
 *   -x N     S3_GET_STOP from on_bytes once N bytes are taken
 *   -X N     s3_get_stop from the loop once N bytes are taken
 *   -R       s3_get_stop from the loop at the first retry, while the
 *            request waits for its next attempt
 *   -v       each retry on stderr
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_auth.h"
#include "buf.h"
#include "err.h"
#include "fshut.h"
#include "http.h"
#include "opt.h"
#include "s3.h"
#include "s3_get.h"
#include "s3_pages.h"

static int lflag, Pflag, Rflag, vflag, retrying;
static long long xbytes = -1, Xbytes = -1;
static int ended, repeat, paused;
static long long taken;

static int
take(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (Pflag && !repeat) {
		repeat = paused = 1;
		return S3_GET_PAUSE;
	}
	repeat = 0;
	if (xbytes >= 0 && taken >= xbytes)
		return S3_GET_STOP;
	if (fwrite(p, 1, n, stdout) != n)
		fcheck(stdout, "stdout");
	taken += (long long)n;
	return S3_GET_TAKEN;
}

static void
end(void *ctx, struct s3_get *g)
{
	(void)ctx;
	(void)g;
	ended = 1;
}

static void
page(void *ctx, struct s3_pages *p)
{
	size_t off = 0, n;
	int64_t size;
	const char *k;

	(void)ctx;
	if (p->state == S3_PAGES_FAILED) {
		ended = 1;
		return;
	}
	while ((k = s3_list_key(&p->page, &off, &n, &size)))
		printf("%s\t%lld\n", k, (long long)size);
	printf("page\n");
	if (p->state == S3_PAGES_DONE)
		ended = 1;
	else
		s3_pages_next(p);
}

static void
retried(void *ctx, int64_t off, int attempt, long delay, const char *why)
{
	(void)ctx;
	retrying = 1;
	if (vflag)
		warnx("retry %d in %ld ms from byte %lld: %s", attempt, delay,
		      (long long)off, why);
}

static _Noreturn void
usage(void)
{
	opt_usage(EXIT_USAGE, "[-lPRv] [-a attempts] [-m keys] [-x bytes] "
		  "[-X bytes] s3://bucket/key", NULL);
}

int
main(int argc, char *argv[])
{
	struct aws_conf_opts ao = { .service = "s3" };
	struct http_opts ho = { .conns = 2, .max_attempts = 8, .base_ms = 10,
				.cap_ms = 50, .user_agent = "s3probe" };
	struct s3_get g = { 0 };
	struct s3_pages p = { 0 };
	struct s3_opts so = { 0 };
	struct buf err = BUF_INIT;
	struct aws_auth *auth;
	struct http *h;
	struct s3 s3;
	char *bucket, *key;
	int c, st = EXIT_USAGE, cls, maxkeys = 0;

	err_setprog(argv[0]);
	while ((c = getopt(argc, argv, "a:lm:PRvX:x:")) != -1) {
		switch (c) {
		case 'a': ho.max_attempts = (int)opt_num("-a", optarg, 1, 99);
			  break;
		case 'l': lflag = 1; break;
		case 'm': maxkeys = (int)opt_num("-m", optarg, 1, 1000); break;
		case 'P': Pflag = 1; break;
		case 'R': Rflag = 1; break;
		case 'v': vflag = 1; break;
		case 'X': Xbytes = opt_num("-X", optarg, 0, 1LL << 40); break;
		case 'x': xbytes = opt_num("-x", optarg, 0, 1LL << 40); break;
		default: usage();
		}
	}
	if (optind != argc - 1 ||
	    s3_url_parse(argv[optind], &bucket, &key, &err) != 1)
		usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_PARTIAL, "libcurl: cannot initialise");
	if (!(auth = aws_auth_new(&ao, 0, getenv, (int64_t)time(NULL), &err,
				  &st)))
		diex(st, "%s", err.p);
	so.auth = auth;
	if (s3_init(&s3, &so, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
	ho.ca_bundle = aws_auth_conf(auth)->ca_bundle;
	if (!(h = http_new(&ho, &err)))
		diex(EXIT_USAGE, "%s", err.p);
	if (lflag) {
		p = (struct s3_pages){ .s3 = &s3, .http = h, .bucket = bucket,
			.prefix = key, .max_keys = maxkeys, .on_page = page,
			.on_retry = retried };
		s3_pages_next(&p);
	} else {
		g = (struct s3_get){ .s3 = &s3, .http = h, .bucket = bucket,
			.key = key, .on_bytes = take, .on_end = end,
			.on_retry = retried };
		s3_get_start(&g);
	}
	while (!ended) {
		http_run(h, 100);
		if (paused) {
			paused = 0;
			s3_get_unpause(&g);
		}
		if (((Xbytes >= 0 && taken >= Xbytes) || (Rflag && retrying)) &&
		    !s3_get_stop(&g, NULL))
			break;
	}
	fflush(stdout);
	if (lflag ? p.state == S3_PAGES_FAILED : g.state != S3_GET_DONE) {
		cls = lflag ? p.cls : g.cls;
		warnx("%s: %s", cls == S3_REFUSED ? "refused" : "failed",
		      lflag ? p.why.p : g.why.p);
		st = cls == S3_REFUSED ? EXIT_REMOTE : EXIT_PARTIAL;
	} else {
		st = EXIT_OK;
	}
	if (vflag && !lflag)
		warnx("%lld bytes taken, %llu retries", taken,
		      (unsigned long long)http_retries(h));
	s3_get_free(&g);
	s3_pages_free(&p);
	http_free(h);
	s3_free(&s3);
	aws_auth_free(auth);
	free(bucket);
	free(key);
	buf_free(&err);
	curl_global_cleanup();
	if (fshut(stdout, "stdout") && !st)
		st = EXIT_PARTIAL;
	return st;
}
