/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "aws_auth.h"
#include "awsfix.h"
#include "buf.h"
#include "http.h"
#include "s3.h"
#include "s3_upload.h"
#include "unit.h"

#define NOW 1767225600		/* 2026-01-01T00:00:00Z */

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

	/* a key holding a NUL: its length says so */
	CHECK(list(&l, "<ListBucketResult><EncodingType>url</EncodingType>"
		   "<Contents><Key>a%00b</Key><Size>1</Size></Contents>"
		   "<Contents><Key>c</Key><Size>2</Size></Contents>"
		   "</ListBucketResult>", 4) == 0, "%%00: %s", l.err);
	off = 0;
	k = s3_list_key(&l, &off, &n, &size);
	CHECK(k && n == 3 && memcmp(k, "a\0b", 4) == 0 && size == 1,
	      "a NUL in a key: %zu", n);
	k = s3_list_key(&l, &off, &n, &size);
	CHECK(k && n == 1 && strcmp(k, "c") == 0 && size == 2 &&
	      !s3_list_key(&l, &off, &n, &size), "after it");

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
	/* found by tests/fuzz/fuzz_s3xml: the message quoting the key is
	 * one line */
	CHECK(list(&l, "<ListBucketResult><EncodingType>url</EncodingType>"
		   "<Contents><Key>a&#10;b\t%\x7f</Key></Contents>"
		   "</ListBucketResult>", 0) == -1 &&
	      strcmp(l.err, "a listed key is not URL-encoded: a b % ") == 0,
	      "bad %%, a newline: [%s]", l.err);
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
	static const char nl[] = "<Error><Code>A\rB</Code><Message>x\n\ny"
		"&#9;</Message></Error>";

	memset(&e, 0, sizeof e);
	CHECK(s3_error_parse(&e, body, sizeof body - 1) == 0 &&
	      strcmp(buf_str(&e.code), "NoSuchKey") == 0 &&
	      strcmp(buf_str(&e.message),
		     "The specified key does not exist.") == 0,
	      "NoSuchKey: [%s] [%s]", buf_str(&e.code), buf_str(&e.message));
	CHECK(s3_error_parse(&e, ahm, strlen(ahm)) == 0 &&
	      strcmp(buf_str(&e.region), "eu-west-1") == 0, "region [%s]",
	      buf_str(&e.region));
	/* found by tests/fuzz/fuzz_s3xml: the fields go into one-line
	 * messages, their control characters as spaces */
	CHECK(s3_error_parse(&e, nl, strlen(nl)) == 0 &&
	      strcmp(buf_str(&e.code), "A B") == 0 &&
	      strcmp(buf_str(&e.message), "x  y ") == 0, "newlines: [%s] [%s]",
	      buf_str(&e.code), buf_str(&e.message));
	CHECK(s3_error_parse(&e, "<html>503</html>", 16) == -1 &&
	      e.code.len == 0, "not an error body");
	CHECK(s3_error_parse(&e, "", 0) == -1, "empty");
	CHECK(s3_error_parse(&e, "<Error><Code>X", 14) == -1, "cut short");
	s3_error_free(&e);
}

static void
xmlchild(void)
{
	static const char init[] = "<?xml version=\"1.0\"?>\n"
		"<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/"
		"doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key><UploadId>"
		"VXBsb2FkIElE&amp;x</UploadId></InitiateMultipartUploadResult>";
	struct buf out = BUF_INIT;

	CHECK(s3_xml_child(init, sizeof init - 1,
			   "InitiateMultipartUploadResult", "UploadId",
			   &out) == 0 && strcmp(out.p, "VXBsb2FkIElE&x") == 0,
	      "UploadId [%s]", buf_str(&out));
	CHECK(s3_xml_child(init, sizeof init - 1, "Error", "UploadId",
			   &out) == -1 && out.len == 0, "another root");
	CHECK(s3_xml_child(init, sizeof init - 1,
			   "InitiateMultipartUploadResult", "Nope", &out) == -1,
	      "no such child");
	CHECK(s3_xml_child("<A><B>x", 7, "A", "B", &out) == -1, "cut short");
	CHECK(s3_xml_child("<!DOCTYPE A []><A><B>x</B></A>", 30, "A", "B",
			   &out) == -1, "a DOCTYPE");
	buf_free(&out);
}

/* The part sizes of an upload of unknown size: 10,000 hold more than
 * S3's 5 TiB, none over 5 GiB. */
static void
partsizes(void)
{
	int64_t base = 8LL << 20, total = 0;
	int n;

	CHECK(s3_upload_part_size(base, 1) == base &&
	      s3_upload_part_size(base, 1000) == base &&
	      s3_upload_part_size(base, 1001) == 2 * base &&
	      s3_upload_part_size(base, 10000) == base << 9, "doubling");
	for (n = 1; n <= S3_PARTS_MAX; n++)
		total += s3_upload_part_size(base, n);
	CHECK(total > (5LL << 40), "10,000 parts hold %lld bytes",
	      (long long)total);
	CHECK(s3_upload_part_size(S3_PART_MAX, 5000) == S3_PART_MAX &&
	      s3_upload_part_size(1LL << 30, 9999) == S3_PART_MAX,
	      "at most 5 GiB");
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
		/* TLS: every object of the endpoint alike */
		{ CURLE_PEER_FAILED_VERIFICATION, 0, "", S3_REFUSED },
		{ CURLE_SSL_CACERT_BADFILE, 0, "", S3_REFUSED },
		/* redirects, none followed */
		{ CURLE_OK, 302, "", S3_REFUSED },
		{ CURLE_OK, 303, "", S3_REFUSED },
		{ CURLE_OK, 307, "", S3_REFUSED },
		{ CURLE_OK, 308, "", S3_REFUSED },
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

/* One ended attempt, settled on a fresh loop of 2 attempts at most. */
static void
settle(CURLcode cc, long status, const char *body, int attempt, int fresh,
       int want, const char *wwhy)
{
	struct http_opts o = { .conns = 1, .max_attempts = 2, .base_ms = 1,
			       .cap_ms = 1 };
	struct buf why = BUF_INIT;
	struct http *h = http_new(&o, &why);
	struct http_req r;
	struct s3 s;
	long delay = -2;
	int cls;

	init(&s, NULL, "us-east-1", &why);
	memset(&r, 0, sizeof r);
	r.cc = cc;
	r.status = status;
	r.attempt = attempt;
	snprintf(r.errbuf, sizeof r.errbuf, "%s", cc ? "Connection reset" : "");
	snprintf(r.signed_region, sizeof r.signed_region, "us-east-1");
	buf_adds(&r.resp, body);
	cls = s3_settle(&s, h, &r, "bkt", fresh, &delay, &why);
	s3_free(&s);
	CHECK(cls == want && strcmp(buf_str(&why), wwhy) == 0 &&
	      (cls != S3_RETRY || (delay >= 0 && r.attempt == (fresh ? 2 :
							       attempt + 1))),
	      "%d %ld %s: %d [%s] %ld", cc, status, body, cls, buf_str(&why),
	      delay);
	buf_free(&why);
	http_req_free(&r);
	http_free(h);
}

static void
settling(void)
{
	static const char slow[] = "<Error><Code>SlowDown</Code><Message>"
		"Please reduce your request rate.</Message></Error>";

	settle(CURLE_OK, 200, "", 1, 0, S3_OK, "");
	settle(CURLE_OK, 503, slow, 1, 0, S3_RETRY, "HTTP 503 SlowDown");
	settle(CURLE_OK, 503, slow, 2, 0, S3_FAILED, "SlowDown: Please "
	       "reduce your request rate. (gave up after 2 attempts)");
	settle(CURLE_OK, 503, "", 2, 0, S3_FAILED,
	       "HTTP 503 (gave up after 2 attempts)");
	/* an attempt that got bytes starts the count again */
	settle(CURLE_PARTIAL_FILE, 200, "", 2, 1, S3_RETRY, "Connection reset");
	settle(CURLE_RECV_ERROR, 0, "", 1, 0, S3_RETRY, "Connection reset");
	settle(CURLE_OK, 404, "<Error><Code>NoSuchKey</Code><Message>The "
	       "specified key does not exist.</Message></Error>", 1, 0,
	       S3_FAILED, "NoSuchKey: The specified key does not exist.");
	settle(CURLE_OK, 301, "<Error><Code>PermanentRedirect</Code><Message>"
	       "Use the right endpoint.</Message></Error>", 1, 0, S3_REFUSED,
	       "PermanentRedirect: Use the right endpoint. (the bucket is "
	       "in another region: see -r)");
	settle(CURLE_OK, 403, "<html>no</html>", 1, 0, S3_REFUSED, "HTTP 403");
}

static int64_t
fixedclock(void)
{
	return NOW;
}

/* An answer that the bucket is in another region: signed again for it,
 * tried again, and later requests go there at once; with -r, refused. */
static void
moved(long status, const char *hdr, const char *body, int fixed,
      const char *want_region, int want)
{
	struct http_opts o = { .conns = 1, .max_attempts = 3, .base_ms = 1,
			       .cap_ms = 1 };
	struct s3_opts so = { .region = "us-east-1", .fixed_region = fixed };
	struct buf why = BUF_INIT, host = BUF_INIT, path = BUF_INIT,
		   url = BUF_INIT;
	struct http *h = http_new(&o, &why);
	struct http_req r;
	struct s3 s;
	long delay;
	int cls;

	s3_init(&s, &so, &why);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	CHECK(!s3_bucket_known(&s, "bkt"), "known before an answer");
	s3_prepare(&s, &r, "bkt", "k", NULL, 0, NULL, 0, NULL, &why);
	CHECK(strcmp(r.signed_region, "us-east-1") == 0, "signed [%s]",
	      r.signed_region);
	r.attempt = 1;
	r.status = status;
	snprintf(r.bucket_region, sizeof r.bucket_region, "%s", hdr);
	buf_adds(&r.resp, body);
	cls = s3_settle(&s, h, &r, "bkt", 0, &delay, &why);
	CHECK(cls == want, "%ld [%s] %s: %d [%s]", status, hdr, body, cls,
	      why.p);
	CHECK(strcmp(s3_region(&s, "bkt"), want_region) == 0 &&
	      strcmp(s3_region(&s, "other"), "us-east-1") == 0 &&
	      s3_bucket_known(&s, "bkt") && !s3_bucket_known(&s, "other"),
	      "region [%s]", s3_region(&s, "bkt"));
	s3_where(&s, "bkt", "k", NULL, 0, &host, &path, &url);
	CHECK(strcmp(host.p, strcmp(want_region, "us-east-1") ?
		     "bkt.s3.eu-west-1.amazonaws.com" :
		     "bkt.s3.us-east-1.amazonaws.com") == 0, "host [%s]",
	      host.p);
	if (fixed)
		CHECK(strstr(why.p, "(the bucket is in eu-west-1, not "
			     "us-east-1: see -r)"), "why [%s]", why.p);
	if (cls == S3_RETRY)
		http_cancel(h, &r);
	http_req_free(&r);
	s3_free(&s);
	http_free(h);
	buf_free(&why);
	buf_free(&host);
	buf_free(&path);
	buf_free(&url);
}

static void
regions(void)
{
	static const char pr[] = "<Error><Code>PermanentRedirect</Code>"
		"<Message>The bucket you are attempting to access must be "
		"addressed using the specified endpoint.</Message></Error>";
	static const char ahm[] = "<Error><Code>AuthorizationHeaderMalformed"
		"</Code><Message>the region 'us-east-1' is wrong; expecting "
		"'eu-west-1'</Message><Region>eu-west-1</Region></Error>";
	static const char denied[] = "<Error><Code>AccessDenied</Code>"
		"<Message>Access Denied</Message></Error>";

	moved(301, "eu-west-1", pr, 0, "eu-west-1", S3_RETRY);
	moved(400, "", ahm, 0, "eu-west-1", S3_RETRY);
	moved(403, "eu-west-1", denied, 0, "eu-west-1", S3_RETRY);
	moved(301, "eu-west-1", pr, 1, "us-east-1", S3_REFUSED);
	moved(400, "", ahm, 1, "us-east-1", S3_REFUSED);
	/* the region it was signed for, or none: nothing to follow */
	moved(403, "us-east-1", denied, 0, "us-east-1", S3_REFUSED);
	moved(301, "", pr, 0, "us-east-1", S3_REFUSED);
	moved(301, "not a region!", pr, 0, "us-east-1", S3_REFUSED);
}

/* s3_init and s3_prepare with a real signer: where from its
 * configuration, signed at the clock given. */
static void
signer(void)
{
	static const char *const keys[] = {
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		NULL,
	};
	static const char *const ep[] = {
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_ENDPOINT_URL_S3=http://127.0.0.1:4568", NULL,
	};
	struct aws_conf_opts o = { .service = "s3" };
	struct s3_opts so = { .clock = fixedclock, .request_payer = 1 };
	struct buf err = BUF_INIT, h = BUF_INIT;
	struct curl_slist *l;
	struct http_req r;
	struct aws_auth *a;
	struct s3 s;
	int st;

	/* -p skips the environment's keys, as the CLI does */
	fix_files("[profile p]\nregion = cn-north-1\ns3 =\n"
		  "  addressing_style = path\n"
		  "aws_access_key_id = AKIDEXAMPLE\n"
		  "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
		  "[profile v]\ns3 =\n  addressing_style = sideways\n"
		  "aws_access_key_id = AKIDEXAMPLE\n"
		  "aws_secret_access_key = x\n", NULL);
	fix_env = keys;
	o.profile = "p";
	a = aws_auth_new(&o, 0, fix_getenv, NOW, &err, &st);
	CHECK(a, "auth: %s", buf_str(&err));
	if (!a) {
		buf_free(&err);
		return;
	}
	so.auth = a;
	CHECK(s3_init(&s, &so, &err) == 0 && s.style == S3_STYLE_PATH &&
	      strcmp(s.region, "cn-north-1") == 0 && !s.host,
	      "from the profile: %d %s", s.style, s.region);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	CHECK(s3_prepare(&s, &r, "bkt", "k", NULL, 0, NULL, 0, NULL,
			 &err) == 0 &&
	      strcmp(r.url.p, "https://s3.cn-north-1.amazonaws.com.cn/bkt/k")
	      == 0, "url %s: %s", buf_str(&r.url), buf_str(&err));
	for (l = r.headers; l; l = l->next) {
		buf_adds(&h, l->data);
		buf_addc(&h, '\n');
	}
	CHECK(strstr(h.p, "x-amz-request-payer: requester\n") &&
	      strstr(h.p, "x-amz-date: 20260101T000000Z\n") &&
	      strstr(h.p, "Authorization: AWS4-HMAC-SHA256 Credential="
		     "AKIDEXAMPLE/20260101/cn-north-1/s3/aws4_request, "
		     "SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
		     "x-amz-request-payer, Signature="), "headers:\n%s", h.p);
	http_req_free(&r);
	s3_free(&s);
	aws_auth_free(a);

	o.profile = "v";
	a = aws_auth_new(&o, 0, fix_getenv, NOW, &err, &st);
	so.auth = a;
	buf_reset(&err);
	CHECK(a && s3_init(&s, &so, &err) == -1 &&
	      strcmp(buf_str(&err), "profile v: s3 addressing_style sideways: "
		     "not auto, path or virtual") == 0, "[%s]", buf_str(&err));
	aws_auth_free(a);

	/* a custom endpoint from the environment: path style, its host */
	fix_env = ep;
	o.profile = NULL;
	a = aws_auth_new(&o, 1, fix_getenv, NOW, &err, &st);
	so.auth = a;
	CHECK(a && s3_init(&s, &so, &err) == 0 && s.host &&
	      strcmp(s.host, "127.0.0.1:4568") == 0 &&
	      strcmp(s.region, "us-east-1") == 0, "custom: %s",
	      buf_str(&err));
	memset(&r, 0, sizeof r);
	r.method = "GET";
	CHECK(s3_prepare(&s, &r, "b", NULL, NULL, 0, NULL, 0, NULL,
			 &err) == 0 &&
	      strcmp(r.url.p, "http://127.0.0.1:4568/b") == 0 &&
	      r.headers && !r.headers->next, "unsigned: %s", buf_str(&r.url));
	http_req_free(&r);
	s3_free(&s);
	aws_auth_free(a);
	buf_free(&err);
	buf_free(&h);
	fix_env = NULL;
}

int
main(int argc, char *argv[])
{
	static const struct sigv4_param lq[] = {
		{ "prefix", "a b/+=&~" }, { "list-type", "2" },
		{ "encoding-type", "url" }, { "continuation-token", "x/y=" },
	};
	struct buf b = BUF_INIT;
	static const char odd[] = "d/a b+c=d&e~f%g(h)\xc3\xbc//x";

	curl_global_init(CURL_GLOBAL_DEFAULT);

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
	xmlchild();
	partsizes();
	classify();
	settling();
	regions();
	fix_setup(argv[0]);
	signer();
	fix_cleanup();
	buf_free(&b);
	(void)argc;
	curl_global_cleanup();
	return unit_end("s3");
}
