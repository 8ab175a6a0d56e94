/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/s3_walk.c: a prefix listed against a canned server
 * (httpfix.h) page by page, its hidden keys and folder markers left out
 * and a key with a NUL byte named with its reason; one key looked up
 * (once), found and not; a listing refused; and a local folder walked a
 * batch at a time, an entry it cannot follow in its place.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "httpfix.h"
#include "s3.h"
#include "s3_walk.h"
#include "unit.h"

/* what the callbacks were told, one line each */
static struct buf told = BUF_INIT;
static int ended;

static void
found(void *ctx, const char *name, const char *key, int64_t size,
      const char *why)
{
	(void)ctx;
	buf_printf(&told, "%s %s %lld%s%s\n", name, key ? key : "-",
		   (long long)size, why ? ": " : "", why ? why : "");
}

static void
paged(void *ctx)
{
	(void)ctx;
	buf_adds(&told, "page\n");
	ended++;
}

static void
failed(void *ctx)
{
	struct s3_walk *w = ctx;

	buf_printf(&told, "failed %s: %s\n",
		   w->cls == S3_REFUSED ? "refused" : "failed", w->why.p);
	ended++;
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<ListBucketResult><EncodingType>url</EncodingType>"

static const char page1[] = HEAD
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>a/</Key><Size>0</Size></Contents>"
	"<Contents><Key>a/x</Key><Size>3</Size></Contents>"
	"<Contents><Key>a/_SUCCESS</Key><Size>0</Size></Contents>"
	"<Contents><Key>a/n%00ul</Key><Size>4</Size></Contents>"
	"<Contents><Key>a/.y/z</Key><Size>1</Size></Contents>"
	"<NextContinuationToken>T1</NextContinuationToken>"
	"</ListBucketResult>";
static const char page2[] = HEAD
	"<IsTruncated>false</IsTruncated>"
	"<Contents><Key>a/z%20z</Key><Size>5</Size></Contents>"
	"</ListBucketResult>";
static const char one[] = HEAD
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>a/x</Key><Size>3</Size></Contents>"
	"<NextContinuationToken>T1</NextContinuationToken>"
	"</ListBucketResult>";
static const char other[] = HEAD
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>a/xy</Key><Size>3</Size></Contents>"
	"<NextContinuationToken>T1</NextContinuationToken>"
	"</ListBucketResult>";
static const char denied[] = "<Error><Code>AccessDenied</Code>"
	"<Message>Access Denied</Message></Error>";

/* Walks bucket b's key (once: looks it up) against answers; want: what
 * the callbacks were told. */
static void
listed(const char *name, const struct fix_answer *a, int na,
       const char *key, int once, const char *want)
{
	struct http_opts o = { .conns = 1, .max_attempts = 2, .base_ms = 1,
			       .cap_ms = 1 };
	struct s3_opts so = { .region = "us-east-1" };
	struct buf err = BUF_INIT;
	struct http *h = http_new(&o, &err);
	struct s3_walk w;
	struct s3 s;
	int pages = 0;

	httpfix_start(a, na);
	so.endpoint = fix_url;
	CHECK(s3_init(&s, &so, &err) == 0, "%s: %s", name, err.p);
	w = (struct s3_walk){ .s3 = &s, .bucket = "b", .key = key,
		.once = once, .on_found = found, .on_page = paged,
		.on_fail = failed };
	w.ctx = &w;
	buf_reset(&told);
	CHECK(s3_walk_more(&w) && !s3_walk_reading(&w), "%s: before", name);
	while (s3_walk_more(&w) && pages++ < 10) {
		ended = 0;
		CHECK(s3_walk_next(&w, h, 0) == 0, "%s: next", name);
		CHECK(s3_walk_reading(&w), "%s: reading", name);
		s3_walk_next(&w, h, 0);		/* one page at a time */
		while (!ended)
			http_run(h, 100);
		CHECK(!s3_walk_reading(&w), "%s: read", name);
	}
	CHECK(strcmp(told.p, want) == 0, "%s: got\n%swant\n%s", name, told.p,
	      want);
	CHECK(atomic_load(&fix_nreq) == na, "%s: %d requests", name,
	      atomic_load(&fix_nreq));
	s3_walk_free(&w);
	s3_free(&s);
	http_free(h);
	httpfix_stop();
	buf_free(&err);
}

static void
prefixes(void)
{
	const struct fix_answer two[] = { { 200, page1, 0 },
					  { 200, page2, 0 } };
	const struct fix_answer a1[] = { { 200, one, 0 } };
	const struct fix_answer a2[] = { { 200, other, 0 } };
	const struct fix_answer no[] = { { 403, denied, 0 } };

	listed("two pages", two, 2, "a/", 0,
	       "s3://b/a/x a/x 3\n"
	       "s3://b/a/n a/n -1: a NUL byte in the key\n"
	       "page\n"
	       "s3://b/a/z z a/z z 5\n"
	       "page\n");
	CHECK(strstr(fix_req[1].head, "continuation-token=T1"), "token: %s",
	      fix_req[1].head);
	listed("once, found", a1, 1, "a/x", 1, "s3://b/a/x a/x 3\npage\n");
	CHECK(strstr(fix_req[0].head, "max-keys=1"), "max-keys: %s",
	      fix_req[0].head);
	listed("once, not found", a2, 1, "a/x", 1,
	       "page\nfailed failed: no such key\n");
	listed("refused", no, 1, "a/", 0,
	       "failed refused: AccessDenied: Access Denied\n");
}

static void
folder(void)
{
	char root[] = "/tmp/test_s3_walk.XXXXXX", p[600];
	const char *const files[] = { "c", "a", "_hidden", "b" };
	struct s3_walk w;
	size_t i, n;
	int fd;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return;
	}
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i]);
		fd = open(p, O_WRONLY | O_CREAT, 0644);
		CHECK(fd >= 0 && write(fd, "xy", i) == (ssize_t)i, "%s", p);
		close(fd);
	}
	snprintf(p, sizeof p, "%s/d", root);
	CHECK(symlink("nowhere", p) == 0, "%s", p);
	w = (struct s3_walk){ .folder = root, .on_found = found };
	buf_reset(&told);
	CHECK(s3_walk_more(&w), "a folder before");
	CHECK((n = s3_walk_next(&w, NULL, 2)) == 2, "first batch: %zu", n);
	CHECK(s3_walk_more(&w) && !s3_walk_reading(&w), "a folder, more");
	CHECK((n = s3_walk_next(&w, NULL, 2)) == 2, "second batch: %zu", n);
	CHECK((n = s3_walk_next(&w, NULL, 2)) == 0, "the end: %zu", n);
	CHECK(!s3_walk_more(&w), "a folder ended");
	CHECK(s3_walk_next(&w, NULL, 2) == 0, "after the end");
	snprintf(p, sizeof p,
		 "%s/a - 1\n%s/b - 3\n%s/c - 0\n"
		 "%s/d - -1: No such file or directory\n",
		 root, root, root, root);
	CHECK(strcmp(told.p, p) == 0, "folder: got\n%swant\n%s", told.p, p);
	s3_walk_free(&w);
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/d", root);
	unlink(p);
	rmdir(root);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	prefixes();
	folder();
	buf_free(&told);
	curl_global_cleanup();
	return unit_end("s3_walk");
}
