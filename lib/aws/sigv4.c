/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "err.h"
#include "sigv4.h"
#include "tstamp.h"
#include "xalloc.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

/*
 * SHA-256, fetched once.  Named by EVP_sha256() on each call, OpenSSL 3
 * looks the algorithm up in its provider store every time (a lock, a
 * hash table, a new context), and that was two thirds of a signature's
 * time.
 */
static EVP_MD *sha256md;
static pthread_once_t sha256once = PTHREAD_ONCE_INIT;

static void
fetch_sha256(void)
{
	sha256md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
sha256(void)
{
	pthread_once(&sha256once, fetch_sha256);
	if (!sha256md)
		diex(EXIT_PARTIAL, "sigv4: OpenSSL has no SHA-256");
	return sha256md;
}

/* HMAC-SHA256 of one key: its two hash states after the padded key,
 * and a context to hash in. */
struct sigv4_hmac {
	EVP_MD_CTX *inner, *outer, *t;
};

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

/* The C locale's isspace, without the locale. */
static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

void
sigv4_uri_encode(struct buf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (n)			/* buf_grow alone leaves a fresh p no string */
		buf_grow(b, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (c == '/' && keep_slash)) {
			buf_addc(b, c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_add(b, e, 3);
		}
	}
}

/*
 * RFC 3986 remove_dot_segments, with empty segments dropped as well: the
 * kept segments are collected as (offset, length) pairs, ".." drops the
 * last one.  The result ends in '/' when the path does, or when its last
 * segment was "." or "..", as in the RFC ("/a/b/.." is "/a/").
 */
static void
normalized_uri(struct buf *b, const char *path)
{
	size_t n = strlen(path), nseg = 0, i = 0, k;
	size_t (*seg)[2] = xreallocarray(NULL, n / 2 + 1, sizeof *seg);
	int slash_end = 0;

	while (i < n) {
		size_t start, len;

		while (i < n && path[i] == '/')
			i++;
		if (i == n) {
			slash_end = 1;
			break;
		}
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		slash_end = 0;
		if (len == 1 && path[start] == '.') {
			slash_end = 1;
		} else if (len == 2 && path[start] == '.' &&
			   path[start + 1] == '.') {
			if (nseg)
				nseg--;
			slash_end = 1;
		} else {
			seg[nseg][0] = start;
			seg[nseg][1] = len;
			nseg++;
		}
	}
	for (k = 0; k < nseg; k++) {
		buf_addc(b, '/');
		sigv4_uri_encode(b, path + seg[k][0], seg[k][1], 0);
	}
	if (nseg == 0 || slash_end)
		buf_addc(b, '/');
	free(seg);
}

void
sigv4_canonical_uri(struct buf *b, const char *path, int normalize)
{
	if (normalize) {
		normalized_uri(b, path);
		return;
	}
	if (path[0] != '/')
		buf_addc(b, '/');
	sigv4_uri_encode(b, path, strlen(path), 1);
}

struct qpair {
	const char *name, *value;
	size_t nlen, vlen;
};

static int
bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int
qpair_cmp(const void *x, const void *y)
{
	const struct qpair *a = x, *b = y;
	int c = bytecmp(a->name, a->nlen, b->name, b->nlen);

	return c ? c : bytecmp(a->value, a->vlen, b->value, b->vlen);
}

void
sigv4_canonical_query(struct buf *b, const struct sigv4_param *p, size_t n)
{
	struct buf enc = BUF_INIT;
	size_t *off, i;
	struct qpair *q;

	if (n == 0)
		return;
	/* encode everything first: enc.p may move while it grows; and
	 * never NULL, when every name and value is empty */
	buf_grow(&enc, 0);
	off = xreallocarray(NULL, 2 * n + 1, sizeof *off);
	for (i = 0; i < n; i++) {
		const char *v = p[i].value ? p[i].value : "";

		off[2 * i] = enc.len;
		sigv4_uri_encode(&enc, p[i].name, strlen(p[i].name), 0);
		off[2 * i + 1] = enc.len;
		sigv4_uri_encode(&enc, v, strlen(v), 0);
	}
	off[2 * n] = enc.len;
	q = xreallocarray(NULL, n, sizeof *q);
	for (i = 0; i < n; i++) {
		q[i].name = enc.p + off[2 * i];
		q[i].nlen = off[2 * i + 1] - off[2 * i];
		q[i].value = enc.p + off[2 * i + 1];
		q[i].vlen = off[2 * i + 2] - off[2 * i + 1];
	}
	qsort(q, n, sizeof *q, qpair_cmp);
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(b, '&');
		buf_add(b, q[i].name, q[i].nlen);
		buf_addc(b, '=');
		buf_add(b, q[i].value, q[i].vlen);
	}
	free(q);
	free(off);
	buf_free(&enc);
}

static void
hmac(const void *key, size_t keylen, const char *msg, size_t n,
     unsigned char out[32])
{
	unsigned int len = 32;

	if (keylen > INT_MAX ||
	    !HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		  n, out, &len) || len != 32)
		diex(EXIT_PARTIAL, "sigv4: HMAC-SHA256 failed");
}

void
sigv4_signing_key(const char *secret, const char *date8, const char *region,
		  const char *service, unsigned char key[32])
{
	size_t n = strlen(secret);
	unsigned char *k = xmalloc(n + 4), a[32], b[32];

	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, n);
	hmac(k, n + 4, date8, strlen(date8), a);
	hmac(a, 32, region, strlen(region), b);
	hmac(b, 32, service, strlen(service), a);
	hmac(a, 32, "aws4_request", 12, key);
	OPENSSL_cleanse(k, n + 4);
	OPENSSL_cleanse(a, sizeof a);
	OPENSSL_cleanse(b, sizeof b);
	free(k);
}

static void
keyed(EVP_MD_CTX *c, const unsigned char key[32], unsigned char pad)
{
	unsigned char block[64];
	int i;

	for (i = 0; i < 64; i++)
		block[i] = (unsigned char)((i < 32 ? key[i] : 0) ^ pad);
	if (!EVP_DigestInit_ex2(c, sha256(), NULL) ||
	    !EVP_DigestUpdate(c, block, sizeof block))
		diex(EXIT_PARTIAL, "sigv4: SHA-256 failed");
	OPENSSL_cleanse(block, sizeof block);
}

struct sigv4_hmac *
sigv4_hmac_new(const unsigned char key[32])
{
	struct sigv4_hmac *h = xcalloc(1, sizeof *h);

	if (!(h->inner = EVP_MD_CTX_new()) || !(h->outer = EVP_MD_CTX_new()) ||
	    !(h->t = EVP_MD_CTX_new()))
		diex(EXIT_PARTIAL, "out of memory");
	keyed(h->inner, key, 0x36);
	keyed(h->outer, key, 0x5c);
	return h;
}

void
sigv4_hmac_free(struct sigv4_hmac *h)
{
	if (!h)
		return;
	/* a digest context's state is cleansed as it is freed */
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	EVP_MD_CTX_free(h->t);
	free(h);
}

/* HMAC(key, msg) = H(key ^ opad, H(key ^ ipad, msg)), from the states */
static void
hmac_with(struct sigv4_hmac *h, const char *msg, size_t n,
	  unsigned char out[32])
{
	unsigned char in[32];
	unsigned int a = 0, b = 0;

	if (!EVP_MD_CTX_copy_ex(h->t, h->inner) ||
	    !EVP_DigestUpdate(h->t, msg, n) ||
	    !EVP_DigestFinal_ex(h->t, in, &a) ||
	    !EVP_MD_CTX_copy_ex(h->t, h->outer) ||
	    !EVP_DigestUpdate(h->t, in, sizeof in) ||
	    !EVP_DigestFinal_ex(h->t, out, &b) || a != 32 || b != 32)
		diex(EXIT_PARTIAL, "sigv4: HMAC-SHA256 failed");
	OPENSSL_cleanse(in, sizeof in);
}

void
sigv4_sha256_hex(const void *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (!EVP_Digest(p, n, md, &len, sha256(), NULL) || len != 32)
		diex(EXIT_PARTIAL, "sigv4: SHA-256 failed");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int
sigv4_amzdate(int64_t epoch, char out[17])
{
	char iso[25];

	/* 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z */
	if (epoch < -62167219200LL || epoch > 253402300799LL ||
	    tstamp_iso(epoch, 0, iso) != 24) {
		out[0] = '\0';
		return -1;
	}
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" to "YYYYMMDDTHHMMSSZ" */
	memcpy(out, iso, 4);
	memcpy(out + 4, iso + 5, 2);
	memcpy(out + 6, iso + 8, 2);
	out[8] = 'T';
	memcpy(out + 9, iso + 11, 2);
	memcpy(out + 11, iso + 14, 2);
	memcpy(out + 13, iso + 17, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return 0;
}

struct hdr {
	const char *name, *value;
	size_t i;		/* place in the caller's list: keeps order */
};

static int
hdr_cmp(const void *x, const void *y)
{
	const struct hdr *a = x, *b = y;
	const unsigned char *p = (const unsigned char *)a->name;
	const unsigned char *q = (const unsigned char *)b->name;

	while (*p && lower(*p) == lower(*q))
		p++, q++;
	if (lower(*p) != lower(*q))
		return lower(*p) < lower(*q) ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
same_name(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

static void
add_lower(struct buf *b, const char *s)
{
	size_t n = strlen(s), i;
	char *d;

	buf_grow(b, n);
	d = b->p + b->len;
	for (i = 0; i < n; i++)
		d[i] = (char)lower((unsigned char)s[i]);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends v trimmed, each inner run of white space as one space. */
static void
add_trimmed(struct buf *b, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	int gap = 0, any = 0;
	char *d;

	buf_grow(b, strlen(v));		/* it only gets shorter */
	d = b->p + b->len;
	for (; *s; s++) {
		if (space(*s)) {
			gap = 1;
			continue;
		}
		if (gap && any)
			*d++ = ' ';
		*d++ = (char)*s;
		gap = 0;
		any = 1;
	}
	b->len = (size_t)(d - b->p);
	b->p[b->len] = '\0';
}

/*
 * Appends the canonical headers ("name:value\n" each) to canon and the
 * signed header names ("a;b;c") to names.
 */
static void
canonical_headers(const struct sigv4_header *h, size_t n, struct buf *canon,
		  struct buf *names)
{
	struct hdr *s;
	size_t i;

	if (n == 0)
		return;
	s = xreallocarray(NULL, n, sizeof *s);
	for (i = 0; i < n; i++) {
		s[i].name = h[i].name;
		s[i].value = h[i].value ? h[i].value : "";
		s[i].i = i;
	}
	qsort(s, n, sizeof *s, hdr_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && same_name(s[i].name, s[i - 1].name)) {
			buf_addc(canon, ',');
		} else {
			if (i > 0) {
				buf_addc(canon, '\n');
				buf_addc(names, ';');
			}
			add_lower(canon, s[i].name);
			buf_addc(canon, ':');
			add_lower(names, s[i].name);
		}
		add_trimmed(canon, s[i].value);
	}
	buf_addc(canon, '\n');
	free(s);
}

/* "20150830/us-east-1/service/aws4_request" */
static void
add_scope(struct buf *b, const struct sigv4_req *r)
{
	buf_add(b, r->amzdate, strnlen(r->amzdate, 8));
	buf_addc(b, '/');
	buf_adds(b, r->region);
	buf_addc(b, '/');
	buf_adds(b, r->service);
	buf_adds(b, "/aws4_request");
}

/*
 * Given out->creq, writes the string to sign and the signature.
 */
static void
finish(const struct sigv4_req *r, struct sigv4_hmac *key,
       struct sigv4_out *out)
{
	static const char hex[] = "0123456789abcdef";
	char digest[65];
	unsigned char mac[32];
	int i;

	sigv4_sha256_hex(out->creq.p, out->creq.len, digest);
	buf_adds(&out->sts, ALGORITHM "\n");
	buf_adds(&out->sts, r->amzdate);
	buf_addc(&out->sts, '\n');
	add_scope(&out->sts, r);
	buf_addc(&out->sts, '\n');
	buf_adds(&out->sts, digest);
	hmac_with(key, out->sts.p, out->sts.len, mac);
	for (i = 0; i < 32; i++) {
		out->signature[2 * i] = hex[mac[i] >> 4];
		out->signature[2 * i + 1] = hex[mac[i] & 15];
	}
	out->signature[64] = '\0';
}

static void
out_reset(struct sigv4_out *out)
{
	buf_reset(&out->creq);
	buf_reset(&out->sts);
	buf_reset(&out->authorization);
	buf_reset(&out->canon);
	buf_reset(&out->names);
	buf_reset(&out->query);
	out->signature[0] = '\0';
}

/* method, URI, query (given), headers, signed names, payload hash */
static void
build_creq(struct buf *creq, const struct sigv4_req *r, const char *query,
	   size_t qlen, const struct buf *canon, const struct buf *names)
{
	buf_adds(creq, r->method);
	buf_addc(creq, '\n');
	sigv4_canonical_uri(creq, r->path, r->normalize);
	buf_addc(creq, '\n');
	buf_add(creq, query, qlen);
	buf_addc(creq, '\n');
	buf_add(creq, buf_str(canon), canon->len);
	buf_addc(creq, '\n');
	buf_add(creq, buf_str(names), names->len);
	buf_addc(creq, '\n');
	buf_adds(creq, r->payload_hash);
}

void
sigv4_sign_hmac(const struct sigv4_req *r, const char *akid,
		struct sigv4_hmac *key, struct sigv4_out *out)
{
	out_reset(out);
	canonical_headers(r->headers, r->nheaders, &out->canon, &out->names);
	sigv4_canonical_query(&out->query, r->params, r->nparams);
	build_creq(&out->creq, r, buf_str(&out->query), out->query.len,
		   &out->canon, &out->names);
	finish(r, key, out);
	buf_adds(&out->authorization, ALGORITHM " Credential=");
	buf_adds(&out->authorization, akid);
	buf_addc(&out->authorization, '/');
	add_scope(&out->authorization, r);
	buf_adds(&out->authorization, ", SignedHeaders=");
	buf_add(&out->authorization, buf_str(&out->names), out->names.len);
	buf_adds(&out->authorization, ", Signature=");
	buf_adds(&out->authorization, out->signature);
}

void
sigv4_sign(const struct sigv4_req *r, const char *akid,
	   const unsigned char key[32], struct sigv4_out *out)
{
	struct sigv4_hmac *h = sigv4_hmac_new(key);

	sigv4_sign_hmac(r, akid, h, out);
	sigv4_hmac_free(h);
}

void
sigv4_presign(const struct sigv4_req *r, const char *akid,
	      const unsigned char key[32], const struct sigv4_presign *ps,
	      struct buf *query, struct sigv4_out *out)
{
	struct buf canon = BUF_INIT, names = BUF_INIT, cred = BUF_INIT;
	struct sigv4_hmac *h;
	struct sigv4_param *p;
	char expires[24];
	size_t n = r->nparams;
	int signed_token = ps->token && !ps->token_unsigned;

	out_reset(out);
	buf_reset(query);
	canonical_headers(r->headers, r->nheaders, &canon, &names);
	buf_adds(&cred, akid);
	buf_addc(&cred, '/');
	add_scope(&cred, r);
	snprintf(expires, sizeof expires, "%lld", (long long)ps->expires);

	p = xreallocarray(NULL, n + 6, sizeof *p);
	if (n)
		memcpy(p, r->params, n * sizeof *p);
	p[n++] = (struct sigv4_param){ "X-Amz-Algorithm", ALGORITHM };
	p[n++] = (struct sigv4_param){ "X-Amz-Credential", buf_str(&cred) };
	p[n++] = (struct sigv4_param){ "X-Amz-Date", r->amzdate };
	p[n++] = (struct sigv4_param){ "X-Amz-Expires", expires };
	p[n++] = (struct sigv4_param){ "X-Amz-SignedHeaders",
				       buf_str(&names) };
	if (signed_token)
		p[n++] = (struct sigv4_param){ "X-Amz-Security-Token",
					       ps->token };
	sigv4_canonical_query(query, p, n);
	build_creq(&out->creq, r, buf_str(query), query->len, &canon, &names);
	h = sigv4_hmac_new(key);
	finish(r, h, out);
	sigv4_hmac_free(h);

	buf_adds(query, "&X-Amz-Signature=");
	buf_adds(query, out->signature);
	if (ps->token && !signed_token) {
		buf_adds(query, "&X-Amz-Security-Token=");
		sigv4_uri_encode(query, ps->token, strlen(ps->token), 0);
	}
	free(p);
	buf_free(&canon);
	buf_free(&names);
	buf_free(&cred);
}

void
sigv4_out_free(struct sigv4_out *out)
{
	buf_free(&out->creq);
	buf_free(&out->sts);
	buf_free(&out->authorization);
	buf_free(&out->canon);
	buf_free(&out->names);
	buf_free(&out->query);
	OPENSSL_cleanse(out->signature, sizeof out->signature);
}
