/* SPDX-License-Identifier: MIT */
/* ListObjectsV2 pages and <Error> bodies, read with expat. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "buf.h"
#include "err.h"
#include "s3.h"
#include "xalloc.h"

/* No S3 element text comes near this; a longer one is not S3. */
#define TEXTMAX (64 * 1024)
/* A page of 1000 keys of 1024 bytes, %-encoded, is under 4 MiB. */
#define PAGEMAX (16u << 20)

enum { W_NONE, W_KEY, W_SIZE, W_TRUNC, W_TOKEN, W_ENC };

#define MAXSIZE (INT64_MAX / 2)	/* far above S3's 5 TB */

static void
xstop(struct s3_list *l, const char *why)
{
	if (!l->err[0])
		snprintf(l->err, sizeof l->err, "%s", why);
	XML_StopParser(l->xp, XML_FALSE);
}

static void XMLCALL
lstart(void *ud, const XML_Char *name, const XML_Char **attr)
{
	struct s3_list *l = ud;

	(void)attr;
	l->depth++;
	l->where = W_NONE;
	if (l->depth == 1) {
		if (strcmp(name, "ListBucketResult") != 0) {
			l->bad = 1;
			xstop(l, "not a ListBucketResult");
		}
	} else if (l->depth == 2) {
		if (strcmp(name, "IsTruncated") == 0)
			l->where = W_TRUNC;
		else if (strcmp(name, "NextContinuationToken") == 0)
			l->where = W_TOKEN;
		else if (strcmp(name, "EncodingType") == 0)
			l->where = W_ENC;
		l->contents = strcmp(name, "Contents") == 0;
		l->size = -1;
		l->sizeat = 0;
	} else if (l->depth == 3 && l->contents && strcmp(name, "Key") == 0) {
		l->where = W_KEY;
	} else if (l->depth == 3 && l->contents && strcmp(name, "Size") == 0) {
		l->where = W_SIZE;
	}
	buf_reset(&l->text);
}

static void
addkey(struct buf *b, const char *k, size_t n, int64_t size)
{
	buf_add(b, &n, sizeof n);
	buf_add(b, k, n);
	buf_addc(b, '\0');
	buf_add(b, &size, sizeof size);
}

/* The text of a <Size>, into l->size: 0, or -1 when it is none. */
static int
sizeval(struct s3_list *l)
{
	const char *p = buf_str(&l->text);
	int64_t v = 0;

	if (!*p) {
		xstop(l, "a listed object's Size is empty");
		return -1;
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > MAXSIZE / 10) {
			xstop(l, "a listed object's Size is not a size");
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	l->size = v;
	return 0;
}

static void XMLCALL
lend(void *ud, const XML_Char *name)
{
	struct s3_list *l = ud;

	(void)name;
	switch (l->where) {
	case W_KEY:
		addkey(&l->keys, buf_str(&l->text), l->text.len, l->size);
		l->sizeat = l->keys.len - sizeof l->size;
		l->nkeys++;
		break;
	case W_SIZE:
		if (sizeval(l) == 0 && l->sizeat)
			memcpy(l->keys.p + l->sizeat, &l->size,
			       sizeof l->size);
		break;
	case W_TRUNC:
		l->truncated = strcmp(buf_str(&l->text), "true") == 0;
		break;
	case W_TOKEN:
		buf_reset(&l->token);
		buf_add(&l->token, l->text.p, l->text.len);
		break;
	case W_ENC:
		l->urlenc = strcmp(buf_str(&l->text), "url") == 0;
		break;
	}
	if (l->depth == 2)
		l->contents = 0;
	l->where = W_NONE;
	l->depth--;
}

static void XMLCALL
ltext(void *ud, const XML_Char *s, int n)
{
	struct s3_list *l = ud;

	if (l->where == W_NONE)
		return;
	if (l->text.len + (size_t)n > TEXTMAX) {
		xstop(l, "an element's text is too long");
		return;
	}
	buf_add(&l->text, s, (size_t)n);
}

/* S3 sends no DTD: one here is refused before it can define entities. */
static void XMLCALL
nodoctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	  const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	xstop(ud, "a DOCTYPE in the response");
}

void
s3_list_begin(struct s3_list *l)
{
	if (!l->xp) {
		if (!(l->xp = XML_ParserCreate("UTF-8")))
			diex(EXIT_PARTIAL, "expat: out of memory");
	} else {
		XML_ParserReset(l->xp, "UTF-8");
	}
	XML_SetUserData(l->xp, l);
	XML_SetElementHandler(l->xp, lstart, lend);
	XML_SetCharacterDataHandler(l->xp, ltext);
	XML_SetStartDoctypeDeclHandler(l->xp, nodoctype);
	l->depth = 0;
	l->where = W_NONE;
	l->contents = 0;
	buf_reset(&l->text);
	buf_reset(&l->keys);
	buf_reset(&l->token);
	l->nkeys = 0;
	l->size = -1;
	l->sizeat = 0;
	l->fed = 0;
	l->truncated = 0;
	l->urlenc = 0;
	l->bad = 0;
	l->err[0] = '\0';
}

static int
xmlfail(struct s3_list *l)
{
	if (!l->err[0])
		snprintf(l->err, sizeof l->err, "malformed listing: %s "
			 "(line %lu)",
			 XML_ErrorString(XML_GetErrorCode(l->xp)),
			 (unsigned long)XML_GetCurrentLineNumber(l->xp));
	return -1;
}

int
s3_list_feed(struct s3_list *l, const char *p, size_t n)
{
	const size_t step = 1 << 30;	/* XML_Parse takes an int */

	if (l->err[0])
		return -1;
	if ((l->fed += n) > PAGEMAX) {
		snprintf(l->err, sizeof l->err, "a listing page of more than "
			 "%u bytes", PAGEMAX);
		return -1;
	}
	while (n > 0) {
		size_t k = n < step ? n : step;

		if (XML_Parse(l->xp, p, (int)k, 0) != XML_STATUS_OK)
			return xmlfail(l);
		p += k;
		n -= k;
	}
	return 0;
}

int
s3_list_end(struct s3_list *l)
{
	struct buf dec = BUF_INIT, one = BUF_INIT;
	size_t off = 0, n;
	int64_t size;
	const char *k;

	if (l->err[0])
		return -1;
	if (XML_Parse(l->xp, "", 0, 1) != XML_STATUS_OK)
		return xmlfail(l);
	if (l->truncated && l->token.len == 0) {
		snprintf(l->err, sizeof l->err, "a truncated listing page "
			 "without a NextContinuationToken");
		return -1;
	}
	if (!l->urlenc)
		return 0;
	while ((k = s3_list_key(l, &off, &n, &size))) {
		buf_reset(&one);
		if (s3_uri_decode(&one, k, n, 1) < 0) {
			char *c;

			snprintf(l->err, sizeof l->err, "a listed key is not "
				 "URL-encoded: %.60s", k);
			/* one line: the key's control characters (&#10;)
			 * as spaces */
			for (c = l->err; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = ' ';
			buf_free(&dec);
			buf_free(&one);
			return -1;
		}
		addkey(&dec, buf_str(&one), one.len, size);
	}
	buf_free(&one);
	buf_free(&l->keys);
	l->keys = dec;
	l->urlenc = 0;
	return 0;
}

const char *
s3_list_key(const struct s3_list *l, size_t *off, size_t *n, int64_t *size)
{
	const char *k;

	if (*off >= l->keys.len)
		return NULL;
	memcpy(n, l->keys.p + *off, sizeof *n);
	k = l->keys.p + *off + sizeof *n;
	memcpy(size, k + *n + 1, sizeof *size);
	*off += sizeof *n + *n + 1 + sizeof *size;
	return k;
}

void
s3_list_free(struct s3_list *l)
{
	if (l->xp)
		XML_ParserFree(l->xp);
	l->xp = NULL;
	buf_free(&l->text);
	buf_free(&l->keys);
	buf_free(&l->token);
}

/* ---- small documents, parsed at once ---- */

/* The first member of each small document's parse state. */
struct doc {
	XML_Parser xp;
	int isdoc;		/* the root is the one wanted */
};

static void XMLCALL
docnodoctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	     const XML_Char *pubid, int internal)
{
	struct doc *x = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	x->isdoc = 0;
	XML_StopParser(x->xp, XML_FALSE);
}

/* Parses body[0..n) (at most 1 MiB) with x (a struct whose first member
 * is struct doc) as the handlers' data: 1 when it was well formed, with
 * the root wanted, else 0. */
static int
docparse(void *x, const char *body, size_t n, XML_StartElementHandler start,
	 XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	struct doc *d = x;
	int ok;

	if (n == 0 || n > (1u << 20) || !(d->xp = XML_ParserCreate("UTF-8")))
		return 0;
	XML_SetUserData(d->xp, x);
	XML_SetElementHandler(d->xp, start, end);
	XML_SetCharacterDataHandler(d->xp, text);
	XML_SetStartDoctypeDeclHandler(d->xp, docnodoctype);
	ok = XML_Parse(d->xp, body, (int)n, 1) == XML_STATUS_OK && d->isdoc;
	XML_ParserFree(d->xp);
	return ok;
}

/* ---- <Error><Code>..</Code><Message>..</Message></Error> ---- */

struct eparse {
	struct doc d;
	struct s3_error *e;
	int depth;
	struct buf *into;
};

static void XMLCALL
estart(void *ud, const XML_Char *name, const XML_Char **attr)
{
	struct eparse *x = ud;

	(void)attr;
	x->depth++;
	x->into = NULL;
	if (x->depth == 1) {
		x->d.isdoc = strcmp(name, "Error") == 0;
		if (!x->d.isdoc)
			XML_StopParser(x->d.xp, XML_FALSE);
	} else if (x->depth == 2) {
		if (strcmp(name, "Code") == 0)
			x->into = &x->e->code;
		else if (strcmp(name, "Message") == 0)
			x->into = &x->e->message;
		else if (strcmp(name, "Region") == 0)
			x->into = &x->e->region;
		if (x->into)
			buf_reset(x->into);
	}
}

static void XMLCALL
eend(void *ud, const XML_Char *name)
{
	struct eparse *x = ud;

	(void)name;
	x->into = NULL;
	x->depth--;
}

/* The fields go into one-line messages: control characters (a newline
 * in a <Message>) as spaces. */
static void XMLCALL
etext(void *ud, const XML_Char *s, int n)
{
	struct eparse *x = ud;
	int i;

	if (x->into && x->into->len + (size_t)n <= 1024)
		for (i = 0; i < n; i++)
			buf_addc(x->into, (unsigned char)s[i] < 0x20 ||
				 s[i] == 0x7f ? ' ' : s[i]);
}

int
s3_error_parse(struct s3_error *e, const char *body, size_t n)
{
	struct eparse x = { { NULL, 0 }, e, 0, NULL };
	int ok;

	buf_reset(&e->code);
	buf_reset(&e->message);
	buf_reset(&e->region);
	ok = docparse(&x, body, n, estart, eend, etext);
	if (!ok || !e->code.len) {
		buf_reset(&e->code);
		buf_reset(&e->message);
		buf_reset(&e->region);
		return -1;
	}
	return 0;
}

void
s3_error_free(struct s3_error *e)
{
	buf_free(&e->code);
	buf_free(&e->message);
	buf_free(&e->region);
}

/* ---- <Root>...<Name>text</Name>...</Root> ---- */

struct cparse {
	struct doc d;		/* isdoc: the root is root */
	const char *root, *name;
	struct buf *out;
	int depth;
	int in;		/* inside the wanted child */
	int found;
};

static void XMLCALL
cstart(void *ud, const XML_Char *name, const XML_Char **attr)
{
	struct cparse *x = ud;

	(void)attr;
	x->depth++;
	if (x->depth == 1) {
		x->d.isdoc = strcmp(name, x->root) == 0;
		if (!x->d.isdoc)
			XML_StopParser(x->d.xp, XML_FALSE);
	} else if (x->depth == 2 && !x->found && strcmp(name, x->name) == 0) {
		x->in = 1;
		buf_reset(x->out);
	}
}

static void XMLCALL
cend(void *ud, const XML_Char *name)
{
	struct cparse *x = ud;

	(void)name;
	if (x->depth == 2 && x->in) {
		x->in = 0;
		x->found = 1;
	}
	x->depth--;
}

static void XMLCALL
ctext(void *ud, const XML_Char *s, int n)
{
	struct cparse *x = ud;

	if (x->in && x->out->len + (size_t)n <= 4096)
		buf_add(x->out, s, (size_t)n);
}

int
s3_xml_child(const char *body, size_t n, const char *root, const char *name,
	     struct buf *out)
{
	struct cparse x = { { NULL, 0 }, root, name, out, 0, 0, 0 };
	int ok;

	buf_reset(out);
	ok = docparse(&x, body, n, cstart, cend, ctext) && x.found;
	if (!ok)
		buf_reset(out);
	return ok ? 0 : -1;
}
