/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "s3.h"
#include "unit.h"

static void
url(const char *in, int want, const char *bucket, const char *key,
    const char *err)
{
	struct buf e = BUF_INIT;
	char *b, *k;
	int rc = s3_url_parse(in, &b, &k, &e);

	CHECK(rc == want, "%s: %d, want %d (%s)", in, rc, want, buf_str(&e));
	if (rc == 1)
		CHECK(strcmp(b, bucket) == 0 && strcmp(k, key) == 0,
		      "%s: [%s] [%s]", in, b, k);
	if (rc == -1)
		CHECK(strstr(buf_str(&e), err), "%s: [%s]", in, buf_str(&e));
	free(b);
	free(k);
	buf_free(&e);
}

/* s3_init with no signer: an endpoint and a region alone */
static int
init(struct s3 *s, const char *endpoint, const char *region, struct buf *e)
{
	struct s3_opts o = { .endpoint = endpoint, .region = region };

	return s3_init(s, &o, e);
}

static void
where(const char *endpoint, const char *region, const char *bucket,
      const char *key, const struct sigv4_param *q, size_t nq,
      const char *whost, const char *wpath, const char *wurl)
{
	struct s3 s;
	struct buf e = BUF_INIT, host = BUF_INIT, path = BUF_INIT,
		   u = BUF_INIT;

	if (init(&s, endpoint, region, &e) < 0) {
		CHECK(0, "%s: %s", endpoint, buf_str(&e));
		return;
	}
	s3_where(&s, bucket, key, q, nq, &host, &path, &u);
	CHECK(strcmp(host.p, whost) == 0, "host [%s], want [%s]", host.p,
	      whost);
	CHECK(strcmp(path.p, wpath) == 0, "path [%s], want [%s]", path.p,
	      wpath);
	CHECK(strcmp(u.p, wurl) == 0, "url [%s], want [%s]", u.p, wurl);
	s3_free(&s);
	buf_free(&e);
	buf_free(&host);
	buf_free(&path);
	buf_free(&u);
}

/* Feeds doc to a listing parser in pieces of step bytes. */
static int
list(struct s3_list *l, const char *doc, size_t step)
{
	size_t i, n = strlen(doc), k;

	s3_list_begin(l);
	for (i = 0; i < n; i += k) {
		k = step && step < n - i ? step : n - i;
		if (s3_list_feed(l, doc + i, k) < 0)
			return -1;
	}
	return s3_list_end(l);
}

static const char page[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>b</Name><Prefix>a%2F</Prefix><KeyCount>4</KeyCount>"
	"<MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>"
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>a/x+y%2Bz</Key><Size>3</Size></Contents>"
	"<Contents><Key>a/%C3%BC%26%3D%25%20(1)</Key></Contents>"
	"<CommonPrefixes><Prefix>a/sub/</Prefix></CommonPrefixes>"
	"<Contents><Key>a/_SUCCESS</Key><Size>0</Size></Contents>"
	"<Contents><Size>5368709120000</Size><Key>a/amp&amp;lt&lt;</Key>"
	"</Contents>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
	"</NextContinuationToken><StartAfter>a</StartAfter>"
	"</ListBucketResult>";

static void
listing(void)
{
	static const char *want[] = {
		"a/x y+z", "a/\xc3\xbc&=% (1)", "a/_SUCCESS", "a/amp&lt<",
	};
	static const size_t steps[] = { 0, 1, 2, 5, 64 };
	struct s3_list l;
	static const int64_t wsize[] = { 3, -1, 0, 5368709120000LL };
	size_t s, i, off, n;
	int64_t size;
	const char *k;

	memset(&l, 0, sizeof l);
	for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		CHECK(list(&l, page, steps[s]) == 0, "page, step %zu: %s",
		      steps[s], l.err);
		CHECK(l.nkeys == 4 && l.truncated, "step %zu: %zu keys, %d",
		      steps[s], l.nkeys, l.truncated);
		CHECK(strcmp(buf_str(&l.token), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2"
			     "J/wm36Hy4vbOwM=") == 0, "token [%s]",
		      buf_str(&l.token));
		for (i = 0, off = 0; (k = s3_list_key(&l, &off, &n, &size));
		     i++)
			CHECK(i < 4 && n == strlen(want[i]) &&
			      memcmp(k, want[i], n) == 0 && size == wsize[i],
			      "key %zu [%s] %lld", i, k, (long long)size);
		CHECK(i == 4, "%zu keys read", i);
	}

	/* without EncodingType the keys are taken as they are */
	CHECK(list(&l, "<ListBucketResult><IsTruncated>false</IsTruncated>"
		   "<Contents><Key>p/a+b%2B</Key></Contents>"
		   "<Contents><Key></Key><Size>7</Size></Contents>"
		   "</ListBucketResult>",
		   3) == 0, "raw: %s", l.err);
	off = 0;
	k = s3_list_key(&l, &off, &n, &size);
	CHECK(k && strcmp(k, "p/a+b%2B") == 0 && !l.truncated, "raw [%s]", k);
	k = s3_list_key(&l, &off, &n, &size);
	CHECK(k && n == 0 && size == 7, "an empty key, %lld",
	      (long long)size);
	CHECK(!s3_list_key(&l, &off, &n, &size), "two keys");

	CHECK(list(&l, "<ListBucketResult><IsTruncated>true</IsTruncated>"
		   "</ListBucketResult>", 0) == -1 &&
	      strstr(l.err, "NextContinuationToken"), "no token: %s", l.err);
	CHECK(list(&l, "<Error><Code>NoSuchBucket</Code></Error>", 0) == -1 &&
	      l.bad, "an error body: %s", l.err);
	CHECK(list(&l, "<ListBucketResult><Contents><Key>a</Key>", 0) == -1,
	      "cut short");
	CHECK(list(&l, "<ListBucketResult><EncodingType>url</EncodingType>"
		   "<Contents><Key>a%zz</Key></Contents></ListBucketResult>",
		   0) == -1 && strstr(l.err, "URL-encoded"), "bad %%: %s",
	      l.err);
	CHECK(list(&l, "<ListBucketResult><Contents><Key>a</Key><Size>-1"
		   "</Size></Contents></ListBucketResult>", 0) == -1 &&
	      strstr(l.err, "Size"), "a negative size: %s", l.err);
	CHECK(list(&l, "<ListBucketResult><Contents><Key>a</Key><Size>"
		   "99999999999999999999</Size></Contents></ListBucketResult>",
		   0) == -1 && strstr(l.err, "Size"), "a huge size: %s", l.err);
	CHECK(list(&l, "<ListBucketResult><Contents><Key>a</Key><Size></Size>"
		   "</Contents></ListBucketResult>", 0) == -1 &&
	      strstr(l.err, "Size"), "an empty size: %s", l.err);
	CHECK(list(&l, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aa\">"
		   "]><ListBucketResult></ListBucketResult>", 0) == -1 &&
	      strstr(l.err, "DOCTYPE"), "a doctype: %s", l.err);
	/* the parser is reusable after an error */
	CHECK(list(&l, page, 0) == 0 && l.nkeys == 4, "again: %s", l.err);
	s3_list_free(&l);
}

static void
errors(void)
{
	struct s3_error e;
	static const char body[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
		"<Code>NoSuchKey</Code><Message>The specified key does not "
		"exist.</Message><Key>a/b</Key><RequestId>x</RequestId>"
		"</Error>";
	static const char ahm[] = "<Error><Code>AuthorizationHeaderMalformed"
		"</Code><Region>eu-west-1</Region></Error>";

	memset(&e, 0, sizeof e);
	CHECK(s3_error_parse(&e, body, sizeof body - 1) == 0 &&
	      strcmp(buf_str(&e.code), "NoSuchKey") == 0 &&
	      strcmp(buf_str(&e.message),
		     "The specified key does not exist.") == 0,
	      "NoSuchKey: [%s] [%s]", buf_str(&e.code), buf_str(&e.message));
	CHECK(s3_error_parse(&e, ahm, strlen(ahm)) == 0 &&
	      strcmp(buf_str(&e.region), "eu-west-1") == 0, "region [%s]",
	      buf_str(&e.region));
	CHECK(s3_error_parse(&e, "<html>503</html>", 16) == -1 &&
	      e.code.len == 0, "not an error body");
	CHECK(s3_error_parse(&e, "", 0) == -1, "empty");
	CHECK(s3_error_parse(&e, "<Error><Code>X", 14) == -1, "cut short");
	s3_error_free(&e);
}

static void
classify(void)
{
	static const struct {
		CURLcode cc;
		long status;
		const char *code;
		int want;
	} c[] = {
		{ CURLE_OK, 200, "", S3_OK },
		{ CURLE_OK, 206, "", S3_OK },
		{ CURLE_OK, 503, "SlowDown", S3_RETRY },
		{ CURLE_OK, 500, "InternalError", S3_RETRY },
		{ CURLE_OK, 400, "RequestTimeout", S3_RETRY },
		{ CURLE_OK, 404, "NoSuchKey", S3_FAILED },
		{ CURLE_OK, 412, "PreconditionFailed", S3_FAILED },
		{ CURLE_OK, 404, "NoSuchBucket", S3_REFUSED },
		{ CURLE_OK, 403, "SignatureDoesNotMatch", S3_REFUSED },
		{ CURLE_OK, 403, "AccessDenied", S3_REFUSED },
		{ CURLE_OK, 403, "", S3_REFUSED },
		{ CURLE_OK, 400, "AuthorizationHeaderMalformed", S3_REFUSED },
		{ CURLE_OK, 301, "PermanentRedirect", S3_REFUSED },
		{ CURLE_PARTIAL_FILE, 200, "", S3_RETRY },
		{ CURLE_RECV_ERROR, 0, "", S3_RETRY },
		{ CURLE_COULDNT_RESOLVE_HOST, 0, "", S3_FAILED },
	};
	struct http_req r;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		memset(&r, 0, sizeof r);
		r.cc = c[i].cc;
		r.status = c[i].status;
		CHECK(s3_classify(&r, c[i].code) == c[i].want,
		      "%d %ld %s: %d", c[i].cc, c[i].status, c[i].code,
		      s3_classify(&r, c[i].code));
	}
}

int
main(void)
{
	static const struct sigv4_param lq[] = {
		{ "prefix", "a b/+=&~" }, { "list-type", "2" },
		{ "encoding-type", "url" }, { "continuation-token", "x/y=" },
	};
	struct buf b = BUF_INIT;
	static const char odd[] = "d/a b+c=d&e~f%g(h)\xc3\xbc//x";

	url("s3://bucket/key/x.gz", 1, "bucket", "key/x.gz", NULL);
	url("s3a://b-1.x/k", 1, "b-1.x", "k", NULL);
	url("s3n://bkt/", 1, "bkt", "", NULL);
	url("S3://bkt", 1, "bkt", "", NULL);
	url("s3://bkt//a//b?c#d", 1, "bkt", "/a//b?c#d", NULL);
	url("/tmp/x", 0, NULL, NULL, NULL);
	url("run=2017-01-01/part-0", 0, NULL, NULL, NULL);
	url("s3:///key", -1, NULL, NULL, "no bucket");
	url("s3://bad bucket/k", -1, NULL, NULL, "invalid bucket name");
	url("gs://b/k", -1, NULL, NULL, "unsupported URL scheme gs://");

	CHECK(s3_is_prefix("") && s3_is_prefix("a/") && !s3_is_prefix("a"),
	      "prefixes");
#define SKIP(p, k) s3_skip_key(p, k, strlen(k))
	CHECK(SKIP("", "a/_SUCCESS") && SKIP("a/", "a/.x.crc") &&
	      SKIP("", "_x") && SKIP("", "a/b/") && SKIP("a/", "a/") &&
	      SKIP("", "_a/b") && !SKIP("", "a/b_c") && !SKIP("", "a/b") &&
	      !SKIP("a/", "a/b.gz"), "the skip rule");
	CHECK(SKIP("arch/", "arch/run=X/_temporary/0/_temporary/a_1/p-0") &&
	      SKIP("arch/", "arch/run=X/.spark-staging/p-1") &&
	      SKIP("arch/run=X/", "arch/run=X/_SUCCESS") &&
	      !SKIP("arch/", "arch/run=X/p-0") &&
	      !SKIP("arch/", "arch/run=X/sub/p-3.gz"),
	      "hidden folders below the prefix");
	CHECK(!SKIP("_arch/run=X/_temporary/", "_arch/run=X/_temporary/0/p") &&
	      SKIP("_arch/run=X/_temporary/", "_arch/run=X/_temporary/0/_t/p") &&
	      !SKIP(".a/", ".a/b") && !SKIP("a/_b", "a/_bc/d") &&
	      SKIP("a/_b", "a/_bc/_d") && SKIP("x/", "a/_b"),
	      "the prefix's own segments are the caller's");
#undef SKIP

	CHECK(s3_uri_decode(&b, "a%2Fb+c%e2%82%AC", 16, 1) == 0 &&
	      strcmp(b.p, "a/b c\xe2\x82\xac") == 0, "decoded [%s]", b.p);
	buf_reset(&b);
	CHECK(s3_uri_decode(&b, "a%2", 3, 0) == -1, "a cut %%");

	where("http://127.0.0.1:4568", NULL, "bkt", odd, NULL, 0,
	      "127.0.0.1:4568", "/bkt/d/a b+c=d&e~f%g(h)\xc3\xbc//x",
	      "http://127.0.0.1:4568/bkt/d/a%20b%2Bc%3Dd%26e~f%25g%28h%29"
	      "%C3%BC//x");
	where("http://LocalHost:80/base/", "eu-west-1", "bkt", NULL, lq, 4,
	      "localhost", "/base/bkt",
	      "http://localhost/base/bkt?continuation-token=x%2Fy%3D&"
	      "encoding-type=url&list-type=2&prefix=a%20b%2F%2B%3D%26~");
	where("https://[::1]:9000", NULL, "b", "k", NULL, 0, "[::1]:9000",
	      "/b/k", "https://[::1]:9000/b/k");
	where("https://s3.example.com:443", NULL, "b", "k", NULL, 0,
	      "s3.example.com", "/b/k", "https://s3.example.com/b/k");
	where(NULL, "eu-west-1", "my-bucket", "a/b c", NULL, 0,
	      "my-bucket.s3.eu-west-1.amazonaws.com", "/a/b c",
	      "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c");
	where(NULL, NULL, "my-bucket", NULL, lq + 1, 1,
	      "my-bucket.s3.us-east-1.amazonaws.com", "/",
	      "https://my-bucket.s3.us-east-1.amazonaws.com/?list-type=2");
	where(NULL, "us-west-2", "my.dotted.bucket", "k", NULL, 0,
	      "s3.us-west-2.amazonaws.com", "/my.dotted.bucket/k",
	      "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/k");
	where(NULL, "us-west-2", "Legacy_Bucket", NULL, NULL, 0,
	      "s3.us-west-2.amazonaws.com", "/Legacy_Bucket",
	      "https://s3.us-west-2.amazonaws.com/Legacy_Bucket");
	where(NULL, "cn-north-1", "bkt", "k", NULL, 0,
	      "bkt.s3.cn-north-1.amazonaws.com.cn", "/k",
	      "https://bkt.s3.cn-north-1.amazonaws.com.cn/k");
	{
		struct s3 s;
		struct buf h = BUF_INIT, p = BUF_INIT, u = BUF_INIT;

		init(&s, NULL, "eu-west-1", &b);
		s.style = S3_STYLE_PATH;
		s3_where(&s, "bkt", "k", NULL, 0, &h, &p, &u);
		CHECK(strcmp(u.p, "https://s3.eu-west-1.amazonaws.com/bkt/k") == 0,
		      "style path: %s", u.p);
		s.style = S3_STYLE_VIRTUAL;
		s3_where(&s, "a.b", "k", NULL, 0, &h, &p, &u);
		CHECK(strcmp(u.p, "https://a.b.s3.eu-west-1.amazonaws.com/k") == 0,
		      "style virtual: %s", u.p);
		s3_free(&s);
		init(&s, "http://h:1", NULL, &b);
		s.style = S3_STYLE_VIRTUAL;
		s3_where(&s, "bkt", "k", NULL, 0, &h, &p, &u);
		CHECK(strcmp(u.p, "http://h:1/bkt/k") == 0, "custom: %s", u.p);
		s3_free(&s);
		buf_free(&h);
		buf_free(&p);
		buf_free(&u);

		buf_reset(&b);
		CHECK(init(&s, "ftp://x", NULL, &b) == -1 &&
		      strstr(b.p, "not an http"), "ftp: [%s]", buf_str(&b));
		buf_reset(&b);
		CHECK(init(&s, "http://", NULL, &b) == -1, "no host");
		buf_reset(&b);
		CHECK(init(&s, "http://u:p@h", NULL, &b) == -1,
		      "user info");
	}

	listing();
	errors();
	classify();
	buf_free(&b);
	return unit_end("s3");
}
