/* SPDX-License-Identifier: MIT */
/*
 * lib/sigv4 against every case of the AWS SigV4 test suite, in both of
 * its published forms (tests/data/sigv4/SOURCE), then against AWS's S3
 * examples and tables of the S3 rules.  Run from the repository top.
 *
 * botocore-aws4_testsuite: NAME.req is signed and the canonical request
 * (.creq), string to sign (.sts) and Authorization value (.authz) must
 * match byte for byte, and .sreq must carry that Authorization line.
 * aws-c-auth-v4: request.txt plus context.json is signed twice, for the
 * Authorization header (header-*) and as a presigned URL (query-*).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "s3.h"
#include "sigv4.h"
#include "tstamp.h"
#include "unit.h"
#include "xalloc.h"

#define TOP "tests/data/sigv4"
#define BOTO TOP "/botocore-aws4_testsuite"
#define CAUTH TOP "/aws-c-auth-v4"

/* how many cases each suite has (SOURCE): fewer found is a failure */
#define BOTO_CASES 34
#define CAUTH_CASES 38

/* the botocore suite's fixed inputs */
#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define AMZDATE "20150830T123600Z"

/*
 * Known errors in the data, not in us: the .sreq of this case carries a
 * signature that is no signature (the session token's hex, rotated); its
 * .authz, .creq and .sts are right and are checked like every other.
 */
static const char *const sreq_errata[] = { "get-vanilla-with-session-token" };

static int n_boto, n_header, n_query, n_errata;

/* ---- reading the suite ---- */

/* Reads path into b (emptied first), dropping every '\r'. */
static int
slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char tmp[4096];
	size_t n, i;

	buf_reset(b);
	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		for (i = 0; i < n; i++)
			if (tmp[i] != '\r')
				buf_addc(b, tmp[i]);
	fclose(f);
	buf_add(b, "", 0);	/* p is a string even for an empty file */
	return 0;
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* s[0..n) with %XX decoded ('+' is a plus), as a new string: the
 * suite's text, read with lib/aws/s3's decoder (not what is tested). */
static char *
pct_decode(const char *s, size_t n)
{
	struct buf d = BUF_INIT;

	if (s3_uri_decode(&d, s, n, 0) < 0) {
		CHECK(0, "%.*s: a %% without two hex digits", (int)n, s);
		buf_reset(&d);
		buf_add(&d, s, n);
	}
	return d.p;
}

/* A request of the suite, parsed; every string is owned. */
struct preq {
	char *method, *path;
	struct sigv4_param *params;
	size_t nparams;
	struct sigv4_header *headers;
	size_t nheaders;
	const char *body;	/* into the text parsed */
	size_t bodylen;
};

static void
add_param(struct preq *q, char *name, char *value)
{
	q->params = xreallocarray(q->params, q->nparams + 1,
				  sizeof *q->params);
	q->params[q->nparams].name = name;
	q->params[q->nparams].value = value;
	q->nparams++;
}

static void
add_header(struct preq *q, const char *name, size_t nlen, const char *value,
	   size_t vlen)
{
	q->headers = xreallocarray(q->headers, q->nheaders + 1,
				   sizeof *q->headers);
	q->headers[q->nheaders].name = xstrndup(name, nlen);
	q->headers[q->nheaders].value = xstrndup(value, vlen);
	q->nheaders++;
}

static void
preq_free(struct preq *q)
{
	size_t i;

	for (i = 0; i < q->nparams; i++) {
		free((char *)q->params[i].name);
		free((char *)q->params[i].value);
	}
	for (i = 0; i < q->nheaders; i++) {
		free((char *)q->headers[i].name);
		free((char *)q->headers[i].value);
	}
	free(q->params);
	free(q->headers);
	free(q->method);
	free(q->path);
	memset(q, 0, sizeof *q);
}

/* Splits a query string into unencoded parameters. */
static void
parse_query(struct preq *q, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, eq;

		while (j < n && s[j] != '&')
			j++;
		if (j > i) {
			for (eq = i; eq < j && s[eq] != '='; eq++)
				;
			if (eq < j)
				add_param(q, pct_decode(s + i, eq - i),
					  pct_decode(s + eq + 1, j - eq - 1));
			else
				add_param(q, pct_decode(s + i, j - i), NULL);
		}
		i = j + 1;
	}
}

/*
 * "METHOD target HTTP/1.1", header lines (a line that starts with white
 * space continues the one before, kept as it is with its newline), an
 * empty line, the body.  The target is what lies between the first and
 * the last space, so a path with a space in it parses.  Returns 0, or -1
 * with *why set.
 */
static int
parse_request(const char *t, size_t n, struct preq *q, const char **why)
{
	const char *eol = memchr(t, '\n', n), *sp1, *sp2 = NULL, *qm, *target;
	size_t pos, tlen;

	memset(q, 0, sizeof *q);
	if (!eol)
		eol = t + n;
	sp1 = memchr(t, ' ', (size_t)(eol - t));
	for (target = t; target < eol; target++)
		if (*target == ' ')
			sp2 = target;
	if (!sp1 || sp2 <= sp1 || eol - sp2 < 6 ||
	    memcmp(sp2 + 1, "HTTP/", 5) != 0) {
		*why = "bad request line";
		return -1;
	}
	q->method = xstrndup(t, (size_t)(sp1 - t));
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	qm = memchr(target, '?', tlen);
	if (qm) {
		q->path = pct_decode(target, (size_t)(qm - target));
		parse_query(q, qm + 1, tlen - (size_t)(qm + 1 - target));
	} else {
		q->path = pct_decode(target, tlen);
	}

	q->body = t + n;
	q->bodylen = 0;
	for (pos = (size_t)(eol - t) + 1; pos <= n;) {
		const char *l = t + pos, *e = memchr(l, '\n', n - pos), *colon;

		if (!e)
			e = t + n;
		if (e == l) {
			if (pos + 1 <= n) {
				q->body = l + 1;
				q->bodylen = n - pos - 1;
			}
			break;
		}
		if (*l == ' ' || *l == '\t') {
			struct sigv4_header *h;
			struct buf v = BUF_INIT;

			if (q->nheaders == 0) {
				*why = "continuation line before any header";
				return -1;
			}
			h = &q->headers[q->nheaders - 1];
			buf_adds(&v, h->value);
			buf_addc(&v, '\n');
			buf_add(&v, l, (size_t)(e - l));
			free((char *)h->value);
			h->value = buf_detach(&v);
		} else {
			colon = memchr(l, ':', (size_t)(e - l));
			if (!colon) {
				*why = "header line without ':'";
				return -1;
			}
			add_header(q, l, (size_t)(colon - l), colon + 1,
				   (size_t)(e - colon - 1));
		}
		pos = (size_t)(e - t) + 1;
	}
	return 0;
}

static int
has_header(const struct preq *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->nheaders; i++)
		if (strcasecmp(q->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/* ---- comparing ---- */

static void
same(const char *cas, const char *what, const char *got, size_t gn,
     const char *want, size_t wn)
{
	int equal = gn == wn && memcmp(got, want, gn) == 0;

	CHECK(equal, "%s: %s differs\n--- want\n%.*s\n--- got\n%.*s", cas,
	      what, (int)wn, want, (int)gn, got);
}

static void
same_buf(const char *cas, const char *what, const struct buf *got,
	 const struct buf *want)
{
	same(cas, what, buf_str(got), got->len, buf_str(want), want->len);
}

/* Does text have a line that is exactly line? */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Splits a query at '&' into sorted "name=value" items, each decoded and
 * encoded again the AWS way (so "ሴ" and "%E1%88%B4" compare equal), with
 * "name" alone as "name=".  Returns the count; free with free_items.
 */
static size_t
query_items(const char *s, size_t n, char ***out)
{
	struct preq q;
	char **v;
	size_t i;

	memset(&q, 0, sizeof q);
	parse_query(&q, s, n);
	v = xreallocarray(NULL, q.nparams + 1, sizeof *v);
	for (i = 0; i < q.nparams; i++) {
		struct buf b = BUF_INIT;

		sigv4_canonical_query(&b, &q.params[i], 1);
		v[i] = buf_detach(&b);
	}
	qsort(v, q.nparams, sizeof *v, strp_cmp);
	n = q.nparams;
	preq_free(&q);
	*out = v;
	return n;
}

static void
free_items(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- botocore-aws4_testsuite ---- */

static void
boto_case(const char *dir, const char *name)
{
	struct buf path = BUF_INIT, req = BUF_INIT, creq = BUF_INIT,
		   sts = BUF_INIT, authz = BUF_INIT, sreq = BUF_INIT,
		   line = BUF_INIT;
	struct sigv4_out out = SIGV4_OUT_INIT;
	unsigned char key[32];
	char hash[65];
	const char *why = NULL, *tok;
	struct preq q;
	size_t i;
	int err = 0;

#define LOAD(b, ext)                                                    \
	(buf_reset(&path), buf_printf(&path, "%s/%s.%s", dir, name, ext), \
	 slurp(path.p, &(b)))
	err |= LOAD(req, "req");
	err |= LOAD(creq, "creq");
	err |= LOAD(sts, "sts");
	err |= LOAD(authz, "authz");
	err |= LOAD(sreq, "sreq");
#undef LOAD
	n_boto++;
	CHECK(err == 0, "%s: a file is missing", dir);
	if (err)
		goto done;
	if (parse_request(req.p, req.len, &q, &why) < 0) {
		CHECK(0, "%s: cannot parse the request: %s", dir, why);
		preq_free(&q);
		goto done;
	}
	/* the token the case signs with is the one its .creq shows */
	tok = strstr(creq.p, "\nx-amz-security-token:");
	if (tok && !has_header(&q, "X-Amz-Security-Token")) {
		tok += strlen("\nx-amz-security-token:");
		add_header(&q, "X-Amz-Security-Token", 20, tok,
			   strcspn(tok, "\n"));
	}
	sigv4_sha256_hex(q.body, q.bodylen, hash);
	{
		struct sigv4_req r = {
			.method = q.method,
			.path = q.path,
			.params = q.params,
			.nparams = q.nparams,
			.headers = q.headers,
			.nheaders = q.nheaders,
			.payload_hash = hash,
			.region = "us-east-1",
			.service = "service",
			.amzdate = AMZDATE,
			.normalize = 1,
		};

		sigv4_signing_key(SECRET, "20150830", "us-east-1", "service",
				  key);
		sigv4_sign(&r, AKID, key, &out);
	}
	same_buf(dir, "canonical request", &out.creq, &creq);
	same_buf(dir, "string to sign", &out.sts, &sts);
	same_buf(dir, "authorization", &out.authorization, &authz);
	i = authz.len > 64 ? authz.len - 64 : 0;
	same(dir, "signature", out.signature, strlen(out.signature),
	     authz.p + i, authz.len - i);

	buf_printf(&line, "Authorization: %s", out.authorization.p);
	for (i = 0; i < sizeof sreq_errata / sizeof sreq_errata[0]; i++)
		if (strcmp(name, sreq_errata[i]) == 0)
			break;
	if (i < sizeof sreq_errata / sizeof sreq_errata[0]) {
		n_errata++;
		CHECK(!has_line(sreq.p, line.p),
		      "%s: the .sreq erratum is fixed: drop it from the list",
		      dir);
	} else {
		CHECK(has_line(sreq.p, line.p),
		      "%s: .sreq lacks the line [%s]", dir, line.p);
	}
	preq_free(&q);
done:
	sigv4_out_free(&out);
	buf_free(&path);
	buf_free(&req);
	buf_free(&creq);
	buf_free(&sts);
	buf_free(&authz);
	buf_free(&sreq);
	buf_free(&line);
}

static int
boto_is_case(const char *dir, const char *name)
{
	struct buf p = BUF_INIT;
	int r;

	buf_printf(&p, "%s/%s.req", dir, name);
	r = is_file(p.p);
	buf_free(&p);
	return r;
}

/* ---- aws-c-auth-v4 ---- */

struct context {
	const char *akid, *secret, *token, *region, *service, *timestamp;
	int normalize, sign_body, omit_token;
	json_int_t expires;
};

static int
context_read(json_t *root, struct context *c)
{
	json_t *cred = json_object_get(root, "credentials");
	json_t *omit = json_object_get(root, "omit_session_token");

	memset(c, 0, sizeof *c);
	if (!json_is_object(cred))
		return -1;
	c->akid = json_string_value(json_object_get(cred, "access_key_id"));
	c->secret = json_string_value(
		json_object_get(cred, "secret_access_key"));
	c->token = json_string_value(json_object_get(cred, "token"));
	c->region = json_string_value(json_object_get(root, "region"));
	c->service = json_string_value(json_object_get(root, "service"));
	c->timestamp = json_string_value(json_object_get(root, "timestamp"));
	if (!c->akid || !c->secret || !c->region || !c->service ||
	    !c->timestamp ||
	    !json_is_boolean(json_object_get(root, "normalize")) ||
	    !json_is_boolean(json_object_get(root, "sign_body")) ||
	    !json_is_integer(json_object_get(root, "expiration_in_seconds")))
		return -1;
	c->normalize = json_is_true(json_object_get(root, "normalize"));
	c->sign_body = json_is_true(json_object_get(root, "sign_body"));
	c->expires = json_integer_value(
		json_object_get(root, "expiration_in_seconds"));
	if (omit && !json_is_boolean(omit))
		return -1;
	c->omit_token = json_is_true(omit);
	return 0;
}

/* The Authorization value in a header-signed-request.txt. */
static const char *
authz_of(const char *sreq, size_t *n)
{
	const char *p = strstr(sreq, "\nAuthorization:");

	if (!p)
		return NULL;
	p += strlen("\nAuthorization:");
	*n = strcspn(p, "\n");
	return p;
}

/* The query of the request line of a query-signed-request.txt. */
static const char *
query_of(const char *sreq, size_t *n)
{
	const char *q = strchr(sreq, '?'), *e = strchr(sreq, '\n');

	if (!q || (e && q > e))
		return NULL;
	*n = strcspn(q + 1, " \n");
	return q + 1;
}

static void
cauth_case(const char *dir, const char *name)
{
	struct buf path = BUF_INIT, req = BUF_INIT, creq = BUF_INIT,
		   sts = BUF_INIT, sig = BUF_INIT, sreq = BUF_INIT,
		   query = BUF_INIT;
	struct sigv4_out out = SIGV4_OUT_INIT;
	struct context c;
	unsigned char key[32];
	char bodyhash[65], amzdate[17], date8[9];
	const char *why = NULL, *p;
	json_error_t jerr;
	json_t *root;
	int64_t epoch;
	struct preq q;
	size_t n, nheaders;

	(void)name;
	memset(&q, 0, sizeof q);
	n_header++;
#define LOAD(b, file)                                                   \
	(buf_reset(&path), buf_printf(&path, "%s/%s", dir, file),       \
	 slurp(path.p, &(b)))
	buf_printf(&path, "%s/context.json", dir);
	root = json_load_file(path.p, 0, &jerr);
	if (!root || context_read(root, &c) < 0) {
		CHECK(0, "%s: context.json: %s", dir,
		      root ? "a field is missing" : jerr.text);
		goto done;
	}
	if (tstamp_parse(c.timestamp, strlen(c.timestamp), &epoch) < 0 ||
	    sigv4_amzdate(epoch, amzdate) < 0) {
		CHECK(0, "%s: bad timestamp %s", dir, c.timestamp);
		goto done;
	}
	if (LOAD(req, "request.txt") < 0 ||
	    parse_request(req.p, req.len, &q, &why) < 0) {
		CHECK(0, "%s: request.txt: %s", dir, why ? why : "missing");
		goto query_done;
	}
	memcpy(date8, amzdate, 8);
	date8[8] = '\0';
	sigv4_signing_key(c.secret, date8, c.region, c.service, key);
	sigv4_sha256_hex(q.body, q.bodylen, bodyhash);

	/* the header form: x-amz-date and the token are headers */
	nheaders = q.nheaders;
	add_header(&q, "X-Amz-Date", 10, amzdate, 16);
	if (c.token && !c.omit_token)
		add_header(&q, "X-Amz-Security-Token", 20, c.token,
			   strlen(c.token));
	if (c.sign_body)
		add_header(&q, "x-amz-content-sha256", 20, bodyhash, 64);
	{
		struct sigv4_req r = {
			.method = q.method,
			.path = q.path,
			.params = q.params,
			.nparams = q.nparams,
			.headers = q.headers,
			.nheaders = q.nheaders,
			.payload_hash = c.sign_body ? bodyhash
						    : SIGV4_EMPTY_SHA256,
			.region = c.region,
			.service = c.service,
			.amzdate = amzdate,
			.normalize = c.normalize,
		};

		sigv4_sign(&r, c.akid, key, &out);
		if (LOAD(creq, "header-canonical-request.txt") < 0 ||
		    LOAD(sts, "header-string-to-sign.txt") < 0 ||
		    LOAD(sig, "header-signature.txt") < 0 ||
		    LOAD(sreq, "header-signed-request.txt") < 0) {
			CHECK(0, "%s: a header-* file is missing", dir);
		} else {
			same_buf(dir, "header canonical request", &out.creq,
				 &creq);
			same_buf(dir, "header string to sign", &out.sts, &sts);
			same(dir, "header signature", out.signature,
			     strlen(out.signature), sig.p, sig.len);
			p = authz_of(sreq.p, &n);
			CHECK(p != NULL, "%s: no Authorization line", dir);
			if (p)
				same(dir, "authorization", out.authorization.p,
				     out.authorization.len, p, n);
		}

		/* the presigned form, where the case has one */
		if (LOAD(creq, "query-canonical-request.txt") < 0)
			goto query_done;
		n_query++;
		while (q.nheaders > nheaders) {
			q.nheaders--;
			free((char *)q.headers[q.nheaders].name);
			free((char *)q.headers[q.nheaders].value);
		}
		r.nheaders = q.nheaders;
		{
			struct sigv4_presign ps = {
				.expires = c.expires,
				.token = c.token,
				.token_unsigned = c.omit_token,
			};

			sigv4_presign(&r, c.akid, key, &ps, &query, &out);
		}
		if (LOAD(sts, "query-string-to-sign.txt") < 0 ||
		    LOAD(sig, "query-signature.txt") < 0 ||
		    LOAD(sreq, "query-signed-request.txt") < 0) {
			CHECK(0, "%s: a query-* file is missing", dir);
			goto query_done;
		}
		same_buf(dir, "query canonical request", &out.creq, &creq);
		same_buf(dir, "query string to sign", &out.sts, &sts);
		same(dir, "query signature", out.signature,
		     strlen(out.signature), sig.p, sig.len);
		CHECK(out.authorization.len == 0, "%s: presign set an "
		      "Authorization", dir);
		/* the same parameters on the wire, in whatever order */
		p = query_of(sreq.p, &n);
		CHECK(p != NULL, "%s: no query in the signed request", dir);
		if (p) {
			char **want, **got;
			size_t nw = query_items(p, n, &want), i;
			size_t ng = query_items(query.p, query.len, &got);
			int equal = nw == ng;

			for (i = 0; equal && i < nw; i++)
				equal = strcmp(want[i], got[i]) == 0;
			CHECK(equal, "%s: query sent differs\n--- want\n%.*s"
			      "\n--- got\n%s", dir, (int)n, p, query.p);
			free_items(want, nw);
			free_items(got, ng);
		}
	}
query_done:
	preq_free(&q);
#undef LOAD
done:
	json_decref(root);
	sigv4_out_free(&out);
	buf_free(&path);
	buf_free(&req);
	buf_free(&creq);
	buf_free(&sts);
	buf_free(&sig);
	buf_free(&sreq);
	buf_free(&query);
}

static int
cauth_is_case(const char *dir, const char *name)
{
	struct buf p = BUF_INIT;
	int r;

	(void)name;
	buf_printf(&p, "%s/request.txt", dir);
	r = is_file(p.p);
	buf_free(&p);
	return r;
}

/*
 * Runs fn on every case folder under dir, in name order, looking into
 * folders that are not cases themselves (botocore nests two groups).
 * Returns how many cases it found; a folder with none is a failure.
 */
static int
walk(const char *dir, int (*is_case)(const char *, const char *),
     void (*fn)(const char *, const char *), int depth)
{
	struct dirent **ent;
	int n = scandir(dir, &ent, NULL, alphasort), i, found = 0;

	CHECK(n >= 0, "%s: cannot read the folder", dir);
	for (i = 0; i < n; i++) {
		struct buf sub = BUF_INIT;
		const char *d = ent[i]->d_name;

		buf_printf(&sub, "%s/%s", dir, d);
		if (strcmp(d, ".") != 0 && strcmp(d, "..") != 0 &&
		    is_dir(sub.p)) {
			if (is_case(sub.p, d)) {
				fn(sub.p, d);
				found++;
			} else if (depth < 2) {
				int k = walk(sub.p, is_case, fn, depth + 1);

				CHECK(k > 0, "%s: neither a case nor a "
				      "group of cases", sub.p);
				found += k;
			}
		}
		buf_free(&sub);
		free(ent[i]);
	}
	if (n >= 0)
		free(ent);
	return found;
}

/* ---- tables: encoding and the S3 rules ---- */

static void
check_encode(void)
{
	static const struct {
		const char *in;
		size_t n;	/* 0: strlen */
		int slash;
		const char *want;
	} t[] = {
		{ "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		  "abcdefghijklmnopqrstuvwxyz", 0, 0,
		  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		  "abcdefghijklmnopqrstuvwxyz" },
		{ "a b+c=d&e", 0, 0, "a%20b%2Bc%3Dd%26e" },
		{ "a/b", 0, 0, "a%2Fb" },
		{ "a/b", 0, 1, "a/b" },
		{ "100%", 0, 0, "100%25" },
		{ "%41", 0, 1, "%2541" },	/* never decoded first */
		{ "(x)!*'", 0, 0, "%28x%29%21%2A%27" },
		{ "$:@,;?#[]", 0, 1, "%24%3A%40%2C%3B%3F%23%5B%5D" },
		{ "\"<>\\^`{|}", 0, 0, "%22%3C%3E%5C%5E%60%7B%7C%7D" },
		{ "ü", 0, 0, "%C3%BC" },
		{ "ሴ", 0, 1, "%E1%88%B4" },
		{ "\t\n\x7f\xff", 0, 0, "%09%0A%7F%FF" },
		{ "a\0b", 3, 0, "a%00b" },
		{ "", 0, 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;
		size_t n = t[i].n ? t[i].n : strlen(t[i].in);

		sigv4_uri_encode(&b, t[i].in, n, t[i].slash);
		CHECK(strcmp(buf_str(&b), t[i].want) == 0,
		      "encode [%s]/%d = [%s], want [%s]", t[i].in,
		      t[i].slash, buf_str(&b), t[i].want);
		buf_free(&b);
	}
}

static void
check_uri(void)
{
	static const struct {
		const char *path;
		int normalize;
		const char *want;
	} t[] = {
		/* S3: as given, each segment encoded exactly once */
		{ "/bucket/a b+c=d", 0, "/bucket/a%20b%2Bc%3Dd" },
		{ "/bucket/k&l~m%n(o)", 0, "/bucket/k%26l~m%25n%28o%29" },
		{ "/bucket/2017/run=2017-01-01-00-00-00/part-0.gz", 0,
		  "/bucket/2017/run%3D2017-01-01-00-00-00/part-0.gz" },
		{ "/bucket/ü/ሴ", 0, "/bucket/%C3%BC/%E1%88%B4" },
		{ "/bucket/a%2Fb", 0, "/bucket/a%252Fb" },
		{ "/bucket/my-object//example//photo.user", 0,
		  "/bucket/my-object//example//photo.user" },
		{ "/bucket/./a/../b", 0, "/bucket/./a/../b" },
		{ "/bucket/prefix/", 0, "/bucket/prefix/" },
		{ "/test$file.text", 0, "/test%24file.text" },
		{ "/", 0, "/" },
		{ "", 0, "/" },
		{ "bucket/key", 0, "/bucket/key" },
		/* every other service: RFC 3986 dot segments, no empty ones */
		{ "/", 1, "/" },
		{ "", 1, "/" },
		{ "//", 1, "/" },
		{ "/./", 1, "/" },
		{ "/.", 1, "/" },
		{ "/..", 1, "/" },
		{ "/../a", 1, "/a" },
		{ "/a/b/../c", 1, "/a/c" },
		{ "/a/b/..", 1, "/a/" },
		{ "/a/b/.", 1, "/a/b/" },
		{ "/a/./b", 1, "/a/b" },
		{ "//a//b//", 1, "/a/b/" },
		{ "/example1/example2/../..", 1, "/" },
		{ "/a/.../b", 1, "/a/.../b" },
		{ "/a/..b/.c", 1, "/a/..b/.c" },
		{ "a/b", 1, "/a/b" },
		{ "/a b/c+d", 1, "/a%20b/c%2Bd" },
		{ "/example/$delete", 1, "/example/%24delete" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;

		sigv4_canonical_uri(&b, t[i].path, t[i].normalize);
		CHECK(strcmp(buf_str(&b), t[i].want) == 0,
		      "uri [%s]/%d = [%s], want [%s]", t[i].path,
		      t[i].normalize, buf_str(&b), t[i].want);
		buf_free(&b);
	}
}

#define MAXP 8

static void
check_query(void)
{
	static const struct {
		struct sigv4_param p[MAXP];
		const char *want;
	} t[] = {
		{ { { NULL, NULL } }, "" },
		/* ListObjectsV2 as s3cat sends it: sorted, '/' as %2F */
		{ { { "prefix", "many/" }, { "list-type", "2" },
		    { "max-keys", "2" } },
		  "list-type=2&max-keys=2&prefix=many%2F" },
		{ { { "continuation-token", "1a/b+c=d==" },
		    { "list-type", "2" },
		    { "prefix", "enriched/archive/run=2017-01-01-00-00-00/" } },
		  "continuation-token=1a%2Fb%2Bc%3Dd%3D%3D&list-type=2&"
		  "prefix=enriched%2Farchive%2Frun%3D2017-01-01-00-00-00%2F" },
		/* valueless parameters are "name=" */
		{ { { "uploads", NULL } }, "uploads=" },
		{ { { "acl", "" }, { "versionId", NULL } },
		  "acl=&versionId=" },
		/* a repeated name sorts by value */
		{ { { "a", "2" }, { "a", "10" }, { "a", "1" } },
		  "a=1&a=10&a=2" },
		/* sorted by the ENCODED name: ü (%C3%BC) before A, ~ last */
		{ { { "~", "1" }, { "b", "1" }, { "a b", "1" }, { "a", "1" },
		    { "_", "1" }, { "A", "1" }, { "ü", "1" } },
		  "%C3%BC=1&A=1&_=1&a=1&a%20b=1&b=1&~=1" },
		/* a name that is a prefix of another sorts first */
		{ { { "Param-3", "Value3" }, { "Param", "Value2" },
		    { "ሴ", "Value1" } },
		  "%E1%88%B4=Value1&Param=Value2&Param-3=Value3" },
		{ { { "k", "a b&c=d%e+f~g" } }, "k=a%20b%26c%3Dd%25e%2Bf~g" },
		/* found by tests/fuzz/fuzz_sigv4: every name and value
		 * empty (then nothing was encoded, and the pairs pointed
		 * into a NULL buffer: undefined behaviour) */
		{ { { "", NULL } }, "=" },
		{ { { "", "" }, { "", NULL } }, "=&=" },
	};
	size_t i, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;

		for (n = 0; n < MAXP && t[i].p[n].name; n++)
			;
		sigv4_canonical_query(&b, t[i].p, n);
		CHECK(strcmp(buf_str(&b), t[i].want) == 0,
		      "query #%zu = [%s], want [%s]", i, buf_str(&b),
		      t[i].want);
		buf_free(&b);
	}
}

static void
hexkey(const unsigned char k[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[k[i] >> 4];
		out[2 * i + 1] = hex[k[i] & 15];
	}
	out[64] = '\0';
}

static void
check_keys(void)
{
	static const struct {
		const char *secret, *date, *region, *service, *want;
	} t[] = {
		/* AWS General Reference, "deriving the signing key" */
		{ SECRET, "20120215", "us-east-1", "iam",
		  "f4780e2d9f65fa895f9c67b32ce1baf0"
		  "b0d8a43505a000a1a9e090d414db404d" },
		/* AWS's IAM ListUsers example */
		{ SECRET, "20110909", "us-east-1", "iam",
		  "98f1d889fec4f4421adc522bab0ce1f8"
		  "2e6929c262ed15e5a94c90efd1e3b0e7" },
	};
	unsigned char k[32], k2[32];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		sigv4_signing_key(t[i].secret, t[i].date, t[i].region,
				  t[i].service, k);
		hexkey(k, hex);
		CHECK(strcmp(hex, t[i].want) == 0, "key %s/%s/%s = %s",
		      t[i].date, t[i].region, t[i].service, hex);
	}
	/* each input changes the key */
	sigv4_signing_key(SECRET, "20150830", "us-east-1", "s3", k);
	sigv4_signing_key(SECRET, "20150831", "us-east-1", "s3", k2);
	CHECK(memcmp(k, k2, 32) != 0, "the day is not in the key");
	sigv4_signing_key(SECRET, "20150830", "eu-west-1", "s3", k2);
	CHECK(memcmp(k, k2, 32) != 0, "the region is not in the key");
	sigv4_signing_key(SECRET, "20150830", "us-east-1", "dynamodb", k2);
	CHECK(memcmp(k, k2, 32) != 0, "the service is not in the key");
	sigv4_signing_key(SECRET "x", "20150830", "us-east-1", "s3", k2);
	CHECK(memcmp(k, k2, 32) != 0, "the secret is not in the key");
}

static void
check_amzdate(void)
{
	static const struct {
		int64_t epoch;
		const char *want;	/* NULL: refused */
	} t[] = {
		{ 1440938160, "20150830T123600Z" },
		{ 1369353600, "20130524T000000Z" },
		{ 0, "19700101T000000Z" },
		{ -1, "19691231T235959Z" },
		{ 951782400, "20000229T000000Z" },
		{ 4102444799LL, "20991231T235959Z" },
		{ 253402300799LL, "99991231T235959Z" },
		{ -62167219200LL, "00000101T000000Z" },
		{ 253402300800LL, NULL },
		{ -62167219201LL, NULL },
		{ INT64_MAX, NULL },
		{ INT64_MIN, NULL },
	};
	char out[17];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int r = sigv4_amzdate(t[i].epoch, out);

		if (t[i].want)
			CHECK(r == 0 && strcmp(out, t[i].want) == 0,
			      "amzdate(%lld) = %d [%s], want %s",
			      (long long)t[i].epoch, r, out, t[i].want);
		else
			CHECK(r == -1 && out[0] == '\0',
			      "amzdate(%lld) = %d [%s], want -1",
			      (long long)t[i].epoch, r, out);
	}
}

static void
check_sha(void)
{
	char h[65];

	sigv4_sha256_hex("", 0, h);
	CHECK(strcmp(h, SIGV4_EMPTY_SHA256) == 0, "sha256('') = %s", h);
	sigv4_sha256_hex("abc", 3, h);
	CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223"
			"b00361a396177a9cb410ff61f20015ad") == 0,
	      "sha256(abc) = %s", h);
}

/* ---- AWS's S3 examples (Amazon S3 API reference, SigV4) ---- */

#define S3AKID "AKIAIOSFODNN7EXAMPLE"
#define S3SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define S3HOST "examplebucket.s3.amazonaws.com"
#define S3DATE "20130524T000000Z"
/* sha256("Welcome to Amazon S3."), the PUT example's body */
#define PUT_SHA "44ce7dd67c959e0d3524ffac1771dfbb" \
		"a87d2b6b4b4e99e42034a8b803f8b072"

static void
s3_req(struct sigv4_req *r, const char *method, const char *path,
       const struct sigv4_param *p, size_t np, const struct sigv4_header *h,
       size_t nh, const char *hash)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->path = path;
	r->params = p;
	r->nparams = np;
	r->headers = h;
	r->nheaders = nh;
	r->payload_hash = hash;
	r->region = "us-east-1";
	r->service = "s3";
	r->amzdate = S3DATE;
	r->normalize = 0;
}

/* Checks the SHA-256 of the canonical request, as the examples give it. */
static void
check_digest(const char *what, const struct buf *b, const char *want)
{
	char h[65];

	sigv4_sha256_hex(b->p, b->len, h);
	CHECK(strcmp(h, want) == 0, "%s: digest %s, want %s\n%s", what, h,
	      want, b->p);
}

static void
check_sig(const char *what, const struct sigv4_out *o, const char *want)
{
	CHECK(strcmp(o->signature, want) == 0, "%s: signature %s, want %s",
	      what, o->signature, want);
}

static void
check_s3_examples(void)
{
	static const char put_creq[] =
		"PUT\n/test%24file.text\n\n"
		"date:Fri, 24 May 2013 00:00:00 GMT\n"
		"host:examplebucket.s3.amazonaws.com\n"
		"x-amz-content-sha256:" PUT_SHA "\n"
		"x-amz-date:20130524T000000Z\n"
		"x-amz-storage-class:REDUCED_REDUNDANCY\n\n"
		"date;host;x-amz-content-sha256;x-amz-date;"
		"x-amz-storage-class\n" PUT_SHA;
	static const char get_authz[] =
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
		"us-east-1/s3/aws4_request, "
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
		"Signature=f0e8bdb87c964420e857bd35b5d6ed31"
		"0bd44f0170aba48dd91039c6036bdb41";
	static const char presigned[] =
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
		"AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
		"aws4_request&X-Amz-Date=20130524T000000Z&"
		"X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
		"X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835"
		"f995330da4c265957d157751f604d404";
	const struct sigv4_header get_h[] = {
		{ "Host", S3HOST },
		{ "x-amz-date", S3DATE },
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 },
	};
	char body_hash[65];
	const struct sigv4_header put_h[] = {
		{ "Host", S3HOST },
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "x-amz-date", S3DATE },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
		{ "x-amz-content-sha256", body_hash },
	};
	const struct sigv4_header list_h[] = {
		{ "Host", S3HOST },
		{ "x-amz-date", S3DATE },
		{ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 },
	};
	const struct sigv4_param lifecycle[] = { { "lifecycle", NULL } };
	const struct sigv4_param list[] = { { "prefix", "J" },
					    { "max-keys", "2" } };
	const struct sigv4_header host[] = { { "Host", S3HOST } };
	struct sigv4_out out = SIGV4_OUT_INIT;
	struct buf query = BUF_INIT;
	struct sigv4_req r;
	unsigned char key[32];

	sigv4_signing_key(S3SECRET, "20130524", "us-east-1", "s3", key);

	/* GET Object with a Range */
	s3_req(&r, "GET", "/test.txt", NULL, 0, get_h, 4, SIGV4_EMPTY_SHA256);
	sigv4_sign(&r, S3AKID, key, &out);
	CHECK(strcmp(out.authorization.p, get_authz) == 0,
	      "S3 GET Object: %s", out.authorization.p);
	check_digest("S3 GET Object", &out.creq,
		     "7344ae5b7ee6c3e7e6b0fe0640412a37"
		     "625d1fbfff95c48bbb2dc43964946972");

	/* PUT Object: '$' in the key, a hashed body */
	sigv4_sha256_hex("Welcome to Amazon S3.", 21, body_hash);
	CHECK(strcmp(body_hash, PUT_SHA) == 0, "body hash %s", body_hash);
	s3_req(&r, "PUT", "/test$file.text", NULL, 0, put_h, 5, body_hash);
	sigv4_sign(&r, S3AKID, key, &out);
	CHECK(strcmp(out.creq.p, put_creq) == 0, "S3 PUT Object creq:\n%s",
	      out.creq.p);
	check_digest("S3 PUT Object", &out.creq,
		     "9e0e90d9c76de8fa5b200d8c849cd5b8"
		     "dc7a3be3951ddb7f6a76b4158342019d");
	check_sig("S3 PUT Object", &out,
		  "98ad721746da40c64f1a55b78f14c238"
		  "d841ea1380cd77a1b5971af0ece108bd");

	/* GET Bucket lifecycle: a valueless parameter */
	s3_req(&r, "GET", "/", lifecycle, 1, list_h, 3, SIGV4_EMPTY_SHA256);
	sigv4_sign(&r, S3AKID, key, &out);
	check_digest("S3 GET lifecycle", &out.creq,
		     "9766c798316ff2757b517bc739a67f62"
		     "13b4ab36dd5da2f94eaebf79c77395ca");
	check_sig("S3 GET lifecycle", &out,
		  "fea454ca298b7da1c68078a5d1bdbfbb"
		  "e0d65c699e0f91ac7a200a0136783543");

	/* GET Bucket (list objects): parameters given out of order */
	s3_req(&r, "GET", "/", list, 2, list_h, 3, SIGV4_EMPTY_SHA256);
	sigv4_sign(&r, S3AKID, key, &out);
	CHECK(strstr(out.creq.p, "\n/\nmax-keys=2&prefix=J\n") != NULL,
	      "S3 list query:\n%s", out.creq.p);
	check_sig("S3 list objects", &out,
		  "34b48302e7b5fa45bde8084f4b7868a8"
		  "6f0a534bc59db6670ed5711ef69dc6f7");

	/* a presigned GET, a day long */
	s3_req(&r, "GET", "/test.txt", NULL, 0, host, 1,
	       SIGV4_UNSIGNED_PAYLOAD);
	{
		struct sigv4_presign ps = { .expires = 86400 };

		sigv4_presign(&r, S3AKID, key, &ps, &query, &out);
	}
	check_digest("S3 presigned GET", &out.creq,
		     "3bfa292879f6447bbcda7001decf97f4"
		     "a54dc650c8942174ae0a9121cf58ad04");
	CHECK(strcmp(query.p, presigned) == 0, "S3 presigned GET: %s",
	      query.p);
	CHECK(out.authorization.len == 0 && out.authorization.p &&
	      out.authorization.p[0] == '\0', "presign left an Authorization");

	/* an unsigned token goes after the signature, encoded */
	{
		struct sigv4_presign ps = { .expires = 60, .token = "a/b+c=",
					    .token_unsigned = 1 };
		static const char tail[] =
			"&X-Amz-Security-Token=a%2Fb%2Bc%3D";
		size_t tn = sizeof tail - 1;

		sigv4_presign(&r, S3AKID, key, &ps, &query, &out);
		CHECK(query.len > tn &&
		      strcmp(query.p + query.len - tn, tail) == 0,
		      "unsigned token: %s", query.p);
		CHECK(strstr(out.creq.p, "Security-Token") == NULL,
		      "unsigned token signed:\n%s", out.creq.p);
		ps.token_unsigned = 0;
		sigv4_presign(&r, S3AKID, key, &ps, &query, &out);
		CHECK(strstr(out.creq.p, "&X-Amz-Security-Token=a%2Fb%2Bc%3D&"
			     "X-Amz-SignedHeaders=host\n") != NULL,
		      "signed token:\n%s", out.creq.p);
	}
	buf_free(&query);
	sigv4_out_free(&out);
}

/* ---- properties of the canonical headers ---- */

static void
check_headers(void)
{
	const struct sigv4_header a[] = {
		{ "Host", "h" },
		{ "X-Amz-Meta-A-B", "2" },
		{ "x-amz-meta-a", "1" },
		{ "X-Amz-Date", AMZDATE },
		{ "Content-Type", "  application/x-amz-json-1.0 " },
		{ "My-Header", "\t a \t\t b  c \n d " },
		{ "Empty", "" },
		{ "NullValue", NULL },
		{ "my-header", "e" },
		{ "MY-HEADER", "" },
	};
	const struct sigv4_header b[] = {	/* a, reordered, recased */
		{ "my-header", "a b c d" },
		{ "x-amz-date", AMZDATE },
		{ "nullvalue", "" },
		{ "HOST", "h" },
		{ "x-amz-meta-a-b", "2" },
		{ "Empty", " " },
		{ "content-type", "application/x-amz-json-1.0" },
		{ "My-Header", "e" },
		{ "x-amz-meta-A", "1" },
		{ "My-header", "" },
	};
	static const char want[] =
		"POST\n/\n\n"
		"content-type:application/x-amz-json-1.0\n"
		"empty:\n"
		"host:h\n"
		"my-header:a b c d,e,\n"
		"nullvalue:\n"
		"x-amz-date:20150830T123600Z\n"
		"x-amz-meta-a:1\n"
		"x-amz-meta-a-b:2\n\n"
		"content-type;empty;host;my-header;nullvalue;x-amz-date;"
		"x-amz-meta-a;x-amz-meta-a-b\n" SIGV4_EMPTY_SHA256;
	struct sigv4_out o1 = SIGV4_OUT_INIT, o2 = SIGV4_OUT_INIT;
	struct sigv4_req r = {
		.method = "POST",
		.path = "/",
		.headers = a,
		.nheaders = sizeof a / sizeof a[0],
		.payload_hash = SIGV4_EMPTY_SHA256,
		.region = "us-east-1",
		.service = "dynamodb",
		.amzdate = AMZDATE,
		.normalize = 1,
	};
	unsigned char key[32];

	sigv4_signing_key(SECRET, "20150830", "us-east-1", "dynamodb", key);
	sigv4_sign(&r, AKID, key, &o1);
	/* curl 7.88 sorts "name:value" and gets x-amz-meta-a-b first */
	CHECK(strcmp(o1.creq.p, want) == 0, "headers:\n%s\nwant\n%s",
	      o1.creq.p, want);
	r.headers = b;
	sigv4_sign(&r, AKID, key, &o2);
	CHECK(strcmp(o1.creq.p, o2.creq.p) == 0 &&
	      strcmp(o1.signature, o2.signature) == 0,
	      "order or case of names changed the signature:\n%s", o2.creq.p);
	/* signing again into a used out gives the same bytes */
	sigv4_sign(&r, AKID, key, &o2);
	CHECK(strcmp(o1.authorization.p, o2.authorization.p) == 0 &&
	      o1.creq.len == o2.creq.len && o1.sts.len == o2.sts.len,
	      "a reused out differs: %s", o2.authorization.p);
	/* only what is given is signed: no x-amz-date of our own */
	r.nheaders = 1;
	r.headers = a;
	sigv4_sign(&r, AKID, key, &o2);
	CHECK(strstr(o2.authorization.p, "SignedHeaders=host,") != NULL,
	      "added headers: %s", o2.authorization.p);
	sigv4_out_free(&o1);
	sigv4_out_free(&o2);
	CHECK(o1.creq.p == NULL && o1.signature[0] == '\0', "not freed");
}

/* A key made ready signs as the key does, signature after signature,
 * and two ready keys do not share state. */
static void
check_hmac(void)
{
	const struct sigv4_header h[] = {
		{ "host", "dynamodb.us-east-1.amazonaws.com" },
		{ "x-amz-date", AMZDATE },
		{ "x-amz-target", "DynamoDB_20120810.PutItem" },
	};
	struct sigv4_out o1 = SIGV4_OUT_INIT, o2 = SIGV4_OUT_INIT;
	struct sigv4_req r = {
		.method = "POST", .path = "/", .headers = h, .nheaders = 3,
		.region = "us-east-1", .service = "dynamodb",
		.amzdate = AMZDATE, .normalize = 1,
	};
	unsigned char k1[32], k2[32];
	struct sigv4_hmac *h1, *h2;
	char hash[65], body[32];
	int i, same = 0;

	sigv4_signing_key(SECRET, "20150830", "us-east-1", "dynamodb", k1);
	sigv4_signing_key(SECRET "x", "20150830", "us-east-1", "dynamodb",
			  k2);
	h1 = sigv4_hmac_new(k1);
	h2 = sigv4_hmac_new(k2);
	for (i = 0; i < 50; i++) {
		snprintf(body, sizeof body, "{\"n\":%d}", i);
		sigv4_sha256_hex(body, strlen(body), hash);
		r.payload_hash = hash;
		sigv4_sign(&r, AKID, i % 2 ? k1 : k2, &o1);
		sigv4_sign_hmac(&r, AKID, i % 2 ? h1 : h2, &o2);
		same += strcmp(o1.authorization.p, o2.authorization.p) == 0 &&
			strcmp(o1.creq.p, o2.creq.p) == 0;
	}
	CHECK(same == 50, "%d of 50 signatures the same", same);
	sigv4_sign_hmac(&r, AKID, h1, &o1);
	sigv4_sign_hmac(&r, AKID, h2, &o2);
	CHECK(strcmp(o1.signature, o2.signature) != 0, "two keys, one "
	      "signature");
	sigv4_hmac_free(h1);
	sigv4_hmac_free(h2);
	sigv4_hmac_free(NULL);
	sigv4_out_free(&o1);
	sigv4_out_free(&o2);
}

int
main(void)
{
	int nb, nc;

	nb = walk(BOTO, boto_is_case, boto_case, 0);
	nc = walk(CAUTH, cauth_is_case, cauth_case, 0);
	CHECK(nb == BOTO_CASES && n_boto == BOTO_CASES,
	      "botocore: %d cases found, want %d", nb, BOTO_CASES);
	CHECK(nc == CAUTH_CASES && n_header == CAUTH_CASES,
	      "aws-c-auth: %d cases found, want %d", nc, CAUTH_CASES);
	CHECK(n_query == CAUTH_CASES, "aws-c-auth: %d presigned vectors, "
	      "want %d", n_query, CAUTH_CASES);
	printf("sigv4 suite: botocore %d cases, aws-c-auth %d header + %d "
	       "query vectors, 0 skipped (%d known .sreq erratum)\n",
	       n_boto, n_header, n_query, n_errata);

	check_encode();
	check_uri();
	check_query();
	check_keys();
	check_amzdate();
	check_sha();
	check_s3_examples();
	check_headers();
	check_hmac();
	return unit_end("sigv4");
}
