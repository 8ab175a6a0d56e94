/* SPDX-License-Identifier: MIT */
/*
 * The credential documents of credential_process (Version 1,
 * SessionToken), of a container endpoint and of IMDS (no Version,
 * Token): aws_creds_doc, the parser those three sources call, on any
 * bytes.  Checks, beyond the sanitizers: the result is success or the
 * failure code given; success gives the document's own non-empty
 * AccessKeyId and SecretAccessKey (printable ASCII, no spaces), its
 * token, and its Expiration, which is after now (an expired one fails);
 * a failure leaves c empty and says why, on one line, starting with
 * what, and without quoting the secret key or the token: with either
 * masked (its letters and digits changed) the document fails alike,
 * and no 40-byte piece of it (nor the whole of a shorter one of 16
 * bytes or more) is in the message unless it is in the masked
 * document's message too (the fixed text, or a field that holds it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws_creds.h"
#include "buf.h"
#include "tstamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1767225600		/* 2026-01-01T00:00:00Z */
#define FAIL (-7)

static int
keychars(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

/* 1 when p[0..n) is in s[0..sn) */
static int
has(const char *s, size_t sn, const char *p, size_t n)
{
	size_t i;

	for (i = 0; n <= sn && i <= sn - n; i++)
		if (!memcmp(s + i, p, n))
			return 1;
	return 0;
}

/* A string member of root, with its length. */
static const char *
member(json_t *root, const char *k, size_t *n)
{
	json_t *v = json_object_get(root, k);

	*n = json_string_length(v);
	return json_string_value(v);
}

/* s with its letters and digits moved on by one: the same kinds of
 * characters, other text */
static char *
mask(const char *s, size_t n)
{
	char *m = malloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		m[i] = c == 'z' ? 'a' : c == 'Z' ? 'A' : c == '9' ? '0' :
		    (c >= 'a' && c < 'z') || (c >= 'A' && c < 'Z') ||
		    (c >= '0' && c < '9') ? c + 1 : c;
	}
	m[n] = '\0';
	return m;
}

/*
 * err quotes no piece of the value of k (the secret key, the token):
 * the document again with that value masked must fail alike, and a
 * piece found in err must be in that second message too (the fixed
 * text, or another field that holds it, as Code may).
 */
static void
unquoted(const struct buf *err, json_t *root, const char *k, int version,
	 const char *tokkey, const char *source)
{
	static struct buf err2;
	struct aws_creds c;
	const char *secret;
	char *m, *doc;
	json_t *copy;
	size_t n, w, i;
	int rc;

	secret = member(root, k, &n);
	if (!secret || n < 16)
		return;
	copy = json_deep_copy(root);
	m = mask(secret, n);
	json_object_set_new(copy, k, json_stringn(m, n));
	doc = json_dumps(copy, JSON_COMPACT);
	buf_reset(&err2);
	rc = aws_creds_doc(&c, source, "credential_process", doc,
			   strlen(doc), version, tokkey, NOW, FAIL, &err2);
	if (rc != FAIL)
		abort();
	w = n < 40 ? n : 40;
	for (i = 0; i + w <= n; i++)
		if (has(err->p, err->len, secret + i, w) &&
		    !has(err2.p, err2.len, secret + i, w))
			abort();
	free(doc);
	free(m);
	json_decref(copy);
}

static void
one(const char *doc, size_t n, int version, const char *tokkey,
    const char *source)
{
	static const char what[] = "credential_process";
	static struct buf err;
	struct aws_creds c;
	json_t *root, *v;
	const char *akid, *sk, *tok, *x;
	size_t akn, skn, tokn, i;
	int64_t t = 0;
	int rc, expired = 0;

	memset(&c, 0xa5, sizeof c);	/* overwritten, whatever it held */
	buf_reset(&err);
	rc = aws_creds_doc(&c, source, what, doc, n, version, tokkey, NOW,
			   FAIL, &err);
	root = json_loadb(doc, n, JSON_REJECT_DUPLICATES, NULL);
	akid = member(root, "AccessKeyId", &akn);
	sk = member(root, "SecretAccessKey", &skn);
	tok = member(root, tokkey, &tokn);
	v = json_object_get(root, "Expiration");
	if (json_is_string(v)) {
		x = json_string_value(v);
		expired = tstamp_parse(x, strlen(x), &t) == 0 && t <= NOW;
	}
	if (rc == 1) {
		if (err.len || !keychars(c.akid) || !keychars(c.secret) ||
		    !akid || strcmp(c.akid, akid) || !sk ||
		    strcmp(c.secret, sk) || strcmp(c.source, source) ||
		    expired || (c.expires && c.expires != t) ||
		    (c.expires && c.expires <= NOW))
			abort();
		if (c.token ? !keychars(c.token) || !tok ||
		    strcmp(c.token, tok) : tok && *tok)
			abort();
		if (version && json_integer_value(json_object_get(root,
		    "Version")) != 1)
			abort();
		aws_creds_free(&c);
	} else {
		if (rc != FAIL || c.akid || c.secret || c.token ||
		    c.expires || c.source[0])
			abort();
		if (err.len <= sizeof what || strncmp(err.p, what,
		    sizeof what - 1) || strncmp(err.p + sizeof what - 1, ": ",
		    2) || strlen(err.p) != err.len)
			abort();
		for (i = 0; i < err.len; i++)
			if ((unsigned char)err.p[i] < 0x20 || err.p[i] == 0x7f)
				abort();
		unquoted(&err, root, "SecretAccessKey", version, tokkey,
			 source);
		unquoted(&err, root, tokkey, version, tokkey, source);
	}
	json_decref(root);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so reading past the answer is caught */
	char *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	one(copy, size, 1, "SessionToken", "credential_process");
	one(copy, size, 0, "Token", "container");
	free(copy);
	return 0;
}
