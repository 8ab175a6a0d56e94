/* SPDX-License-Identifier: MIT */
/* s3:// URLs, addressing, signed requests, and what an attempt means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "buf.h"
#include "err.h"
#include "hex.h"
#include "s3.h"
#include "sigv4.h"
#include "xalloc.h"

static int
isalnum_lc(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
bucketchar(int c)
{
	return isalnum_lc(c) || (c >= 'A' && c <= 'Z') || c == '.' ||
	       c == '-' || c == '_';
}

int
s3_url_parse(const char *s, char **bucket, char **key, struct buf *err)
{
	static const char *const schemes[] = { "s3://", "s3a://", "s3n://" };
	const char *p, *b, *slash;
	size_t i, k;

	*bucket = *key = NULL;
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
			break;
	if (i == sizeof schemes / sizeof schemes[0]) {
		/* scheme://: a URL, but not one of ours */
		k = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
		if (k > 0 && strncmp(s + k, "://", 3) == 0) {
			buf_printf(err, "unsupported URL scheme %.*s:// "
				   "(s3://bucket/key, or a local path)",
				   (int)k, s);
			return -1;
		}
		return 0;
	}
	b = s + strlen(schemes[i]);
	slash = strchr(b, '/');
	k = slash ? (size_t)(slash - b) : strlen(b);
	if (k == 0) {
		buf_adds(err, "no bucket name (s3://bucket/key)");
		return -1;
	}
	for (p = b; p < b + k; p++)
		if (!bucketchar((unsigned char)*p)) {
			buf_printf(err, "invalid bucket name \"%.*s\"", (int)k,
				   b);
			return -1;
		}
	*bucket = xstrndup(b, k);
	*key = xstrdup(slash ? slash + 1 : "");
	return 1;
}

int
s3_is_prefix(const char *key)
{
	size_t n = strlen(key);

	return n == 0 || key[n - 1] == '/';
}

int
s3_skip_key(const char *prefix, const char *key, size_t n)
{
	size_t plen = strlen(prefix), i;
	int start;

	if (n == 0 || key[n - 1] == '/')
		return 1;
	if (plen > n || memcmp(key, prefix, plen) != 0)
		plen = 0;	/* not below it: every segment counts */
	/* a segment begun in the prefix is the caller's */
	start = plen == 0 || key[plen - 1] == '/';
	for (i = plen; i < n; i++) {
		if (start && (key[i] == '_' || key[i] == '.'))
			return 1;
		start = key[i] == '/';
	}
	return 0;
}

int
s3_uri_decode(struct buf *b, const char *s, size_t n, int plus)
{
	size_t i;
	int hi, lo;

	buf_grow(b, n);
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			b->p[b->len++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus) {
			b->p[b->len++] = ' ';
		} else {
			b->p[b->len++] = s[i];
		}
	}
	b->p[b->len] = '\0';
	return 0;
}

/* A bucket AWS can name in a host: lowercase, digits and hyphens, 3 to
 * 63 long.  Dotted names go path style: TLS wildcards cover one label. */
static int
virtualok(const char *b)
{
	size_t i, n = strlen(b);

	if (n < 3 || n > 63 || !isalnum_lc((unsigned char)b[0]) ||
	    !isalnum_lc((unsigned char)b[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum_lc((unsigned char)b[i]) && b[i] != '-')
			return 0;
	return 1;
}

/* What buckets said of their region: a few, the oldest forgotten. */
#define MAXBUCKETS 256

struct s3_regions {
	struct {
		char *bucket;
		char region[64];	/* "": s->region */
		int seen;
	} b[MAXBUCKETS];
	size_t n, next;
};

static int
bucketat(const struct s3 *s, const char *bucket)
{
	size_t i;

	if (!s->regions || !bucket)
		return -1;
	for (i = 0; i < s->regions->n; i++)
		if (strcmp(s->regions->b[i].bucket, bucket) == 0)
			return (int)i;
	return -1;
}

static int
bucketadd(const struct s3 *s, const char *bucket)
{
	struct s3_regions *t = s->regions;
	int i = bucketat(s, bucket);

	if (i >= 0 || !t || !bucket)
		return i;
	if (t->n < MAXBUCKETS) {
		i = (int)t->n++;
	} else {
		i = (int)t->next;
		t->next = (t->next + 1) % MAXBUCKETS;
		free(t->b[i].bucket);
	}
	t->b[i].bucket = xstrdup(bucket);
	t->b[i].region[0] = '\0';
	t->b[i].seen = 0;
	return i;
}

const char *
s3_region(const struct s3 *s, const char *bucket)
{
	int i = bucketat(s, bucket);

	return i >= 0 && s->regions->b[i].region[0] ?
	       s->regions->b[i].region : s->region;
}

int
s3_bucket_known(const struct s3 *s, const char *bucket)
{
	int i = bucketat(s, bucket);

	return i >= 0 && s->regions->b[i].seen;
}

void
s3_bucket_seen(const struct s3 *s, const char *bucket)
{
	int i = bucketadd(s, bucket);

	if (i >= 0)
		s->regions->b[i].seen = 1;
}

/* From now on, bucket is in region. */
static void
bucketmoved(const struct s3 *s, const char *bucket, const char *region)
{
	int i = bucketadd(s, bucket);

	if (i >= 0) {
		snprintf(s->regions->b[i].region,
			 sizeof s->regions->b[i].region, "%s", region);
		s->regions->b[i].seen = 1;
	}
}

static int64_t
wallclock(void)
{
	return (int64_t)time(NULL);
}

/* The profile's s3.addressing_style: 0, or -1 with the reason in err. */
static int
style(struct s3 *s, const struct aws_conf *conf, struct buf *err)
{
	const char *v = aws_conf_get(conf, "s3.addressing_style");

	if (!v || !*v || strcmp(v, "auto") == 0)
		s->style = S3_STYLE_AUTO;
	else if (strcmp(v, "path") == 0)
		s->style = S3_STYLE_PATH;
	else if (strcmp(v, "virtual") == 0)
		s->style = S3_STYLE_VIRTUAL;
	else {
		buf_printf(err, "profile %s: s3 addressing_style %s: not "
			   "auto, path or virtual", conf->profile, v);
		return -1;
	}
	return 0;
}

int
s3_init(struct s3 *s, const struct s3_opts *o, struct buf *err)
{
	const struct aws_conf *conf = o->auth ? aws_auth_conf(o->auth) : NULL;
	struct buf host = BUF_INIT, path = BUF_INIT, why = BUF_INIT;
	const char *endpoint = o->endpoint, *region = o->region;
	int https;

	memset(s, 0, sizeof *s);
	if (!endpoint && conf && conf->custom_endpoint)
		endpoint = conf->endpoint;
	if (!region && conf)
		region = conf->region;
	s->region = xstrdup(region && *region ? region : "us-east-1");
	s->auth = o->auth;
	s->clock = o->clock ? o->clock : wallclock;
	s->request_payer = o->request_payer;
	s->fixed_region = o->fixed_region;
	s->regions = xcalloc(1, sizeof *s->regions);
	if (conf && style(s, conf, err) < 0) {
		s3_free(s);
		return -1;
	}
	if (!endpoint || !*endpoint) {
		s->scheme = xstrdup("https");
		s->basepath = xstrdup("");
		return 0;
	}
	if (aws_conf_url_split(endpoint, &https, &host, &path, &why) < 0) {
		buf_printf(err, "endpoint %s: not an http:// or https:// URL "
			   "of a host: %s", endpoint, why.p);
		buf_free(&host);
		buf_free(&path);
		buf_free(&why);
		s3_free(s);
		return -1;
	}
	s->scheme = xstrdup(https ? "https" : "http");
	s->host = buf_detach(&host);
	s->basepath = buf_detach(&path);
	return 0;
}

void
s3_free(struct s3 *s)
{
	free(s->scheme);
	free(s->host);
	free(s->basepath);
	free(s->region);
	s->scheme = s->host = s->basepath = s->region = NULL;
	if (s->regions)
		for (size_t i = 0; i < s->regions->n; i++)
			free(s->regions->b[i].bucket);
	free(s->regions);
	s->regions = NULL;
}

void
s3_where(const struct s3 *s, const char *bucket, const char *key,
	 const struct sigv4_param *q, size_t nq, struct buf *host,
	 struct buf *path, struct buf *url)
{
	buf_reset(host);
	buf_reset(path);
	if (s->host) {
		buf_adds(host, s->host);
		buf_adds(path, s->basepath);
		buf_addc(path, '/');
		buf_adds(path, bucket);
		if (key) {
			buf_addc(path, '/');
			buf_adds(path, key);
		}
	} else {
		const char *region = s3_region(s, bucket);
		const char *dom = aws_conf_domain(region);

		if (s->style == S3_STYLE_VIRTUAL ||
		    (s->style == S3_STYLE_AUTO && virtualok(bucket))) {
			buf_printf(host, "%s.s3.%s.%s", bucket, region, dom);
			buf_addc(path, '/');
		} else {
			buf_printf(host, "s3.%s.%s", region, dom);
			buf_addc(path, '/');
			buf_adds(path, bucket);
			if (key)
				buf_addc(path, '/');
		}
		if (key)
			buf_adds(path, key);
	}
	buf_reset(url);
	buf_adds(url, s->scheme);
	buf_adds(url, "://");
	buf_adds(url, host->p);
	sigv4_canonical_uri(url, path->p, 0);
	if (nq == 0)
		return;
	buf_addc(url, '?');
	sigv4_canonical_query(url, q, nq);
}

#define MAXHDR 8

int
s3_prepare(const struct s3 *s, struct http_req *r, const char *bucket,
	   const char *key, const struct sigv4_param *q, size_t nq,
	   const struct sigv4_header *extra, size_t nextra,
	   const char *payload_hash, struct buf *err)
{
	struct buf host = BUF_INIT, path = BUF_INIT, line = BUF_INIT;
	struct sigv4_header hdrs[MAXHDR];
	size_t nh = 0, i;
	int rc = 0;

	s3_where(s, bucket, key, q, nq, &host, &path, &r->url);
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	for (i = 0; i < nextra && nh < MAXHDR - 1; i++)
		hdrs[nh++] = extra[i];
	if (s->request_payer)
		hdrs[nh++] = (struct sigv4_header){ "x-amz-request-payer",
						    "requester" };
	for (i = 0; i < nh; i++) {
		struct curl_slist *l;

		buf_reset(&line);
		buf_printf(&line, "%s: %s", hdrs[i].name, hdrs[i].value);
		if (!(l = curl_slist_append(r->headers, line.p)))
			diex(EXIT_PARTIAL, "out of memory");
		r->headers = l;
	}
	snprintf(r->signed_region, sizeof r->signed_region, "%s",
		 s3_region(s, bucket));
	r->signed_gen = 0;
	if (s->auth) {
		struct aws_auth_req a = {
			.region = r->signed_region, .method = r->method,
			.host = host.p, .path = path.p, .params = q,
			.nparams = nq, .extra = hdrs, .nextra = nh,
			.payload_hash = payload_hash ? payload_hash :
					SIGV4_EMPTY_SHA256,
			.now = s->clock(),
		};

		rc = aws_auth_sign_req(s->auth, &a, &r->headers, err);
		r->signed_gen = a.gen;
	}
	buf_free(&host);
	buf_free(&path);
	buf_free(&line);
	return rc;
}

static int
codeis(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

static const char *const throttled[] = {
	"SlowDown", "Throttling", "ThrottlingException", "RequestThrottled",
	"TooManyRequestsException", "RequestTimeout", "InternalError",
	"ServiceUnavailable", "BandwidthLimitExceeded",
	"RequestLimitExceeded", NULL,
};

int
s3_code_transient(const char *code)
{
	return codeis(code, throttled);
}

int
s3_classify(const struct http_req *r, const char *code)
{
	static const char *const refused[] = {
		"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
		"ExpiredToken", "InvalidToken", "TokenRefreshRequired",
		"AuthorizationHeaderMalformed", "RequestTimeTooSkewed",
		"AccountProblem", "AllAccessDisabled", "NoSuchBucket",
		"InvalidBucketName", "PermanentRedirect",
		"MissingSecurityHeader", "NotSignedUp", "InvalidPayer", NULL,
	};

	if (r->cc != CURLE_OK) {
		if (http_transient(r))
			return S3_RETRY;
		switch (r->cc) {
		/* TLS: no object of this endpoint can be read */
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		case CURLE_SSL_ISSUER_ERROR:
		case CURLE_SSL_CRL_BADFILE:
			return S3_REFUSED;
		default:
			return S3_FAILED;
		}
	}
	if (r->status >= 200 && r->status < 300)
		return S3_OK;
	if (http_transient(r) || codeis(code, throttled))
		return S3_RETRY;
	if (r->status == 401 || r->status == 403 || codeis(code, refused) ||
	    http_redirect(r))
		return S3_REFUSED;
	return S3_FAILED;
}

/* "NoSuchKey: The specified key does not exist.", or what curl says;
 * moved: the region the answer said the bucket is in, if any */
static void
reason(const struct s3 *s, const struct http_req *r,
       const struct s3_error *e, const char *moved, struct buf *b)
{
	if (r->cc != CURLE_OK || !e->code.len) {
		http_strerror(r, b);
	} else {
		buf_reset(b);
		buf_add(b, e->code.p, e->code.len);
		if (e->message.len) {
			buf_add(b, ": ", 2);
			buf_add(b, e->message.p, e->message.len);
		}
	}
	if (moved && *moved && s->fixed_region)
		buf_printf(b, " (the bucket is in %s, not %s: see -r)", moved,
			   r->signed_region);
	else if (r->cc == CURLE_OK && e->code.len &&
		 (r->status == 301 ||
		  strcmp(e->code.p, "PermanentRedirect") == 0 ||
		  strcmp(e->code.p, "AuthorizationHeaderMalformed") == 0))
		buf_adds(b, " (the bucket is in another region: see -r)");
}

/* The region an error answer says the bucket is in, or "". */
static const char *
movedto(const struct http_req *r, const struct s3_error *e)
{
	const char *v = "";

	if (r->cc != CURLE_OK || (r->status >= 200 && r->status < 300))
		return "";
	if (r->bucket_region[0])
		v = r->bucket_region;
	else if (e->region.len && e->code.len &&
		 (strcmp(e->code.p, "AuthorizationHeaderMalformed") == 0 ||
		  strcmp(e->code.p, "PermanentRedirect") == 0 ||
		  strcmp(e->code.p, "IllegalLocationConstraintException") == 0))
		v = e->region.p;
	if (!aws_conf_region_ok(v) || strcmp(v, r->signed_region) == 0)
		return "";
	return v;
}

/* Another attempt now, for a reason of the signature's: S3_RETRY, or
 * S3_FAILED with *delay -1 when r has had its attempts. */
static int
again(struct http *h, struct http_req *r, long *delay, struct buf *why,
      const char *what)
{
	buf_reset(why);
	buf_adds(why, what);
	return (*delay = http_retry(h, r)) < 0 ? S3_FAILED : S3_RETRY;
}

int
s3_settle(const struct s3 *s, struct http *h, struct http_req *r,
	  const char *bucket, int fresh, long *delay, struct buf *why)
{
	struct s3_error e = { BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf tmp = BUF_INIT;
	const char *moved = "", *code;
	int cls = -1, attempt = r->attempt;

	*delay = -1;
	if (r->cc == CURLE_OK && bucket)
		s3_bucket_seen(s, bucket);
	if (r->cc == CURLE_OK && (r->status < 200 || r->status >= 300)) {
		s3_error_parse(&e, r->resp.p, r->resp.len);
		moved = movedto(r, &e);
	}
	code = e.code.len ? e.code.p : "";
	if (*moved && !s->fixed_region && bucket) {
		bucketmoved(s, bucket, moved);
		buf_printf(&tmp, "the bucket is in %s", moved);
		cls = again(h, r, delay, why, tmp.p);
	} else if ((strcmp(code, "RequestTimeTooSkewed") == 0 ||
		    strcmp(code, "RequestExpired") == 0) && s->auth &&
		   aws_auth_clock(s->auth, http_date(r), s->clock(),
				  r->signed_gen)) {
		buf_printf(&tmp, "%s: signed again at the server's time",
			   code);
		cls = again(h, r, delay, why, tmp.p);
	} else if ((strcmp(code, "ExpiredToken") == 0 ||
		    strcmp(code, "TokenRefreshRequired") == 0) && s->auth &&
		   aws_auth_refresh(s->auth, r->signed_gen, s->clock(),
				    &tmp)) {
		buf_reset(&tmp);
		buf_printf(&tmp, "%s: credentials fetched again", code);
		cls = again(h, r, delay, why, tmp.p);
	}
	if (cls == S3_RETRY) {
		s3_error_free(&e);
		buf_free(&tmp);
		return cls;
	}
	cls = s3_classify(r, code);
	if (cls == S3_RETRY) {
		if (fresh)
			r->attempt = 1;
		http_strerror(r, why);
		if (r->cc == CURLE_OK && e.code.len) {
			buf_addc(why, ' ');
			buf_add(why, e.code.p, e.code.len);
		}
		if ((*delay = http_retry(h, r)) < 0) {
			reason(s, r, &e, moved, why);
			buf_printf(why, " (gave up after %d attempts)",
				   attempt);
			cls = S3_FAILED;
		}
	} else if (cls != S3_OK) {
		reason(s, r, &e, moved, why);
	}
	s3_error_free(&e);
	buf_free(&tmp);
	return cls;
}
