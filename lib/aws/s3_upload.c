/* SPDX-License-Identifier: MIT */
/* One object from the caller's bytes: PutObject, or a multipart upload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "s3.h"
#include "s3_upload.h"
#include "sigv4.h"
#include "xalloc.h"

#define GROW_EVERY 1000		/* parts between two doublings */

enum { P_FREE, P_FILL, P_READY, P_SEND };
enum { OP_NONE, OP_CREATE, OP_COMPLETE, OP_ABORT, OP_HEAD };

static const char *const opname[] = {
	"", "CreateMultipartUpload", "CompleteMultipartUpload",
	"AbortMultipartUpload", "HeadObject",
};

struct s3_upload_part {
	struct http_req req;
	struct s3_upload *u;
	char *p;
	size_t len;		/* bytes in it */
	size_t size;		/* what this part holds when full */
	size_t alloc;		/* bytes p has room for */
	int number;
	int state;		/* P_* */
	EVP_MD_CTX *md5, *sha;
	unsigned char md5bin[16];
	char md5b64[32];
	char shahex[65];
	struct buf why;		/* why prepare failed */
};

static void kick(struct s3_upload *u);
static void startctl(struct s3_upload *u, int op);

int64_t
s3_upload_part_size(int64_t base, int n)
{
	int k = n > 0 ? (n - 1) / GROW_EVERY : 0;

	while (k-- > 0 && base < S3_PART_MAX)
		base *= 2;
	return base < S3_PART_MAX ? base : S3_PART_MAX;
}

static void
hashinit(struct s3_upload_part *p)
{
	if (!p->md5 && !(p->md5 = EVP_MD_CTX_new()))
		diex(EXIT_PARTIAL, "out of memory");
	if (!p->sha && !(p->sha = EVP_MD_CTX_new()))
		diex(EXIT_PARTIAL, "out of memory");
	if (!EVP_DigestInit_ex(p->md5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL))
		diex(EXIT_PARTIAL, "libcrypto: cannot hash (MD5, SHA-256)");
}

static void
hashend(struct s3_upload_part *p)
{
	unsigned char sha[32];
	unsigned n;
	int i;

	EVP_DigestFinal_ex(p->md5, p->md5bin, &n);
	EVP_DigestFinal_ex(p->sha, sha, &n);
	EVP_EncodeBlock((unsigned char *)p->md5b64, p->md5bin, 16);
	for (i = 0; i < 32; i++)
		snprintf(p->shahex + 2 * i, 3, "%02x", sha[i]);
}

static void
end(struct s3_upload *u, int state)
{
	u->state = state;
	u->on_end(u->ctx, u);
}

/* Ends a stopping upload once nothing of it runs: the multipart upload
 * aborted first, if there is one. */
static void
settle_stop(struct s3_upload *u)
{
	if (u->state != S3_UPLOAD_STOPPING || u->sending || u->ctlop)
		return;
	if (u->upload_id.len && u->left == S3_UPLOAD_NONE) {
		startctl(u, OP_ABORT);
		return;
	}
	end(u, S3_UPLOAD_FAILED);
}

static void
fail(struct s3_upload *u, int cls, const char *why)
{
	int i;

	if (u->state != S3_UPLOAD_RUN)
		return;
	u->state = S3_UPLOAD_STOPPING;
	u->cls = cls;
	if (why) {
		buf_reset(&u->why);
		buf_adds(&u->why, why);
	}
	for (i = 0; i < u->nslots; i++)
		if (u->slot[i].state == P_SEND) {
			http_cancel(u->http, &u->slot[i].req);
			u->slot[i].state = P_FREE;
			u->sending--;
		}
	/* a CreateMultipartUpload runs on (its upload is to be aborted), a
	 * stopped CompleteMultipartUpload is aborted */
	if (u->ctlop == OP_COMPLETE || u->ctlop == OP_HEAD) {
		http_cancel(u->http, &u->ctl);
		u->ctlop = OP_NONE;
	}
	settle_stop(u);
}

/* s3_settle, and a request that could not be signed is refused */
static int
settle(struct s3_upload *u, struct http_req *r, long *delay, struct buf *why)
{
	if (r->cc == CURLE_ABORTED_BY_CALLBACK) {
		buf_reset(why);
		buf_adds(why, r->errbuf);
		return S3_REFUSED;
	}
	return s3_settle(u->s3, u->http, r, u->bucket, 0, delay, why);
}

static void
retried(struct s3_upload *u, int part, const char *what, struct http_req *r,
	long delay, const char *why)
{
	if (u->on_retry)
		u->on_retry(u->ctx, part, what, r->attempt, delay, why);
}

/* ---- parts ---- */

static int
partprep(struct http_req *r)
{
	struct s3_upload_part *p = r->ctx;
	struct s3_upload *u = p->u;
	struct sigv4_param q[2];
	struct sigv4_header h[2];
	char num[16];
	size_t nq = 0, nh = 0;

	if (u->state != S3_UPLOAD_RUN)
		return -1;
	if (u->multipart) {
		snprintf(num, sizeof num, "%d", p->number);
		q[nq++] = (struct sigv4_param){ "partNumber", num };
		q[nq++] = (struct sigv4_param){ "uploadId", u->upload_id.p };
	} else {
		h[nh++] = (struct sigv4_header){ "Content-Type",
			"application/octet-stream" };
	}
	h[nh++] = (struct sigv4_header){ "Content-MD5", p->md5b64 };
	r->body = p->p ? p->p : "";
	r->bodylen = p->len;
	buf_reset(&p->why);
	if (s3_prepare(u->s3, r, u->bucket, u->key, q, nq, h, nh, p->shahex,
		       &p->why) < 0) {
		snprintf(r->errbuf, sizeof r->errbuf, "%s", p->why.p);
		return -1;
	}
	return 0;
}

/* Keeps part p's ETag and MD5 for CompleteMultipartUpload. */
static void
keep(struct s3_upload *u, const struct s3_upload_part *p, const char *etag)
{
	int n = p->number;

	if (n > u->cap) {
		int cap = u->cap ? u->cap : 64;

		while (cap < n)
			cap *= 2;
		u->etags = xreallocarray(u->etags, (size_t)cap,
					 sizeof *u->etags);
		u->md5s = xreallocarray(u->md5s, (size_t)cap, sizeof *u->md5s);
		memset(u->etags + u->cap, 0,
		       (size_t)(cap - u->cap) * sizeof *u->etags);
		u->cap = cap;
	}
	free(u->etags[n - 1]);
	u->etags[n - 1] = xstrdup(etag);
	memcpy(u->md5s[n - 1], p->md5bin, 16);
}

static void
partdone(struct http_req *r)
{
	struct s3_upload_part *p = r->ctx;
	struct s3_upload *u = p->u;
	struct buf why = BUF_INIT;
	long delay;
	int cls;

	if (u->state != S3_UPLOAD_RUN) {
		/* its prepare refused it, stopped */
		p->state = P_FREE;
		u->sending--;
		settle_stop(u);
		return;
	}
	cls = settle(u, r, &delay, &why);
	if (cls == S3_RETRY) {
		retried(u, u->multipart ? p->number : 0,
			u->multipart ? "UploadPart" : "PutObject", r, delay,
			why.p);
		buf_free(&why);
		return;
	}
	p->state = P_FREE;
	u->sending--;
	if (cls == S3_OK && u->multipart && !r->etag[0]) {
		buf_reset(&why);
		buf_printf(&why, "part %d: no ETag in the answer to "
			   "UploadPart", p->number);
		cls = S3_FAILED;
	} else if (cls != S3_OK && u->multipart) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "part %d: %s", p->number, why.p);
		buf_free(&why);
		why = b;
	}
	if (cls != S3_OK) {
		fail(u, cls, why.p);
	} else if (!u->multipart) {
		u->parts = 1;
		end(u, S3_UPLOAD_DONE);
	} else {
		keep(u, p, r->etag);
		u->parts++;
		kick(u);
	}
	buf_free(&why);
}

static void
sendpart(struct s3_upload *u, struct s3_upload_part *p)
{
	p->state = P_SEND;
	u->sending++;
	p->req.method = "PUT";
	p->req.prepare = partprep;
	p->req.on_done = partdone;
	p->req.on_body = NULL;
	p->req.ctx = p;
	/* a part of any size, as long as it moves (the speed limit) */
	p->req.timeout_ms = HTTP_NO_TIMEOUT;
	http_start(u->http, &p->req);
}

/* ---- the upload's own requests ---- */

/* The ETag S3 gives an object made of these parts: the MD5 of their
 * MD5s, a dash, how many. */
static void
multipart_etag(const struct s3_upload *u, struct buf *b)
{
	unsigned char md[16];
	unsigned n;

	EVP_Digest(u->md5s, (size_t)u->parts * 16, md, &n, EVP_md5(), NULL);
	buf_addc(b, '"');
	buf_addhex(b, md, 16);
	buf_printf(b, "-%d\"", u->parts);
}

/* XML text: & < > escaped. */
static void
xmltext(struct buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		default: buf_addc(b, *s);
		}
}

static void
completebody(struct s3_upload *u)
{
	int i;

	buf_reset(&u->ctlbody);
	buf_adds(&u->ctlbody, "<CompleteMultipartUpload xmlns=\"http://s3."
		 "amazonaws.com/doc/2006-03-01/\">");
	for (i = 0; i < u->parts; i++) {
		buf_printf(&u->ctlbody, "<Part><PartNumber>%d</PartNumber>"
			   "<ETag>", i + 1);
		xmltext(&u->ctlbody, u->etags[i]);
		buf_adds(&u->ctlbody, "</ETag></Part>");
	}
	buf_adds(&u->ctlbody, "</CompleteMultipartUpload>");
}

static int
ctlprep(struct http_req *r)
{
	struct s3_upload *u = r->ctx;
	struct sigv4_param q[1];
	struct sigv4_header h[1];
	struct buf err = BUF_INIT;
	char hash[65];
	const char *ph = NULL;
	size_t nq = 0, nh = 0;
	int rc;

	r->body = NULL;
	r->bodylen = 0;
	switch (u->ctlop) {
	case OP_CREATE:
		q[nq++] = (struct sigv4_param){ "uploads", NULL };
		h[nh++] = (struct sigv4_header){ "Content-Type",
			"application/octet-stream" };
		break;
	case OP_COMPLETE:
		q[nq++] = (struct sigv4_param){ "uploadId", u->upload_id.p };
		h[nh++] = (struct sigv4_header){ "Content-Type",
			"application/xml" };
		r->body = u->ctlbody.p;
		r->bodylen = u->ctlbody.len;
		sigv4_sha256_hex(r->body, r->bodylen, hash);
		ph = hash;
		if (r->attempt > 1)
			u->ctlretried = 1;
		break;
	case OP_ABORT:
		q[nq++] = (struct sigv4_param){ "uploadId", u->upload_id.p };
		break;
	}
	rc = s3_prepare(u->s3, r, u->bucket, u->key, q, nq, h, nh, ph, &err);
	if (rc < 0)
		snprintf(r->errbuf, sizeof r->errbuf, "%s", err.p);
	buf_free(&err);
	return rc;
}

/* The abort has ended, one way or the other. */
static void
aborted(struct s3_upload *u, int ok, const char *why)
{
	u->ctlop = OP_NONE;
	u->left = ok ? S3_UPLOAD_ABORTED : S3_UPLOAD_LEFT;
	if (!ok) {
		buf_reset(&u->abort_why);
		buf_adds(&u->abort_why, why);
	}
	end(u, S3_UPLOAD_FAILED);
}

/* 1 when r's answer is an S3 error of this code. */
static int
errcode(const struct http_req *r, const char *code)
{
	struct s3_error e = { BUF_INIT, BUF_INIT, BUF_INIT };
	int is;

	is = r->cc == CURLE_OK && s3_error_parse(&e, r->resp.p,
						  r->resp.len) == 0 &&
	     strcmp(e.code.p, code) == 0;
	s3_error_free(&e);
	return is;
}

/* A 2xx answer to CompleteMultipartUpload that is an <Error>: S3 says
 * so after it began to answer.  Returns 1 when it was one (retried, or
 * the upload failed). */
static int
late_error(struct s3_upload *u, struct http_req *r)
{
	struct s3_error e = { BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf why = BUF_INIT;
	long delay;

	if (s3_error_parse(&e, r->resp.p, r->resp.len) < 0)
		return 0;
	buf_printf(&why, "%s: %s", e.code.p, e.message.p);
	if (s3_code_transient(e.code.p) && (delay = http_retry(u->http,
							       r)) >= 0) {
		retried(u, 0, opname[OP_COMPLETE], r, delay, why.p);
	} else {
		u->ctlop = OP_NONE;
		fail(u, S3_FAILED, why.p);
	}
	s3_error_free(&e);
	buf_free(&why);
	return 1;
}

static void
ctldone(struct http_req *r)
{
	struct s3_upload *u = r->ctx;
	struct buf why = BUF_INIT, want = BUF_INIT;
	int op = u->ctlop, cls;
	long delay;

	if (op == OP_ABORT && r->cc == CURLE_OK &&
	    (r->status == 404 && errcode(r, "NoSuchUpload"))) {
		aborted(u, 1, NULL);	/* gone already */
		return;
	}
	if (op == OP_ABORT && u->quick) {
		cls = s3_classify(r, "");
		if (cls == S3_OK)
			aborted(u, 1, NULL);
		else
			aborted(u, 0, http_strerror(r, &why));
		buf_free(&why);
		return;
	}
	if (op == OP_COMPLETE && r->cc == CURLE_OK && r->status == 404 &&
	    u->ctlretried && errcode(r, "NoSuchUpload")) {
		/* an earlier try may have completed it: is it there? */
		startctl(u, OP_HEAD);
		return;
	}
	if (op == OP_COMPLETE && r->cc == CURLE_OK && r->status / 100 == 2 &&
	    late_error(u, r))
		return;
	cls = settle(u, r, &delay, &why);
	if (cls == S3_RETRY) {
		retried(u, 0, opname[op], r, delay, why.p);
		buf_free(&why);
		return;
	}
	u->ctlop = OP_NONE;
	if (op == OP_ABORT) {
		aborted(u, cls == S3_OK, why.p);
	} else if (cls != S3_OK) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s: %s", opname[op], why.p);
		if (op == OP_HEAD)
			buf_adds(&b, " (the upload was gone when "
				 "CompleteMultipartUpload was tried again)");
		fail(u, cls, b.p);
		buf_free(&b);
	} else if (op == OP_CREATE) {
		if (s3_xml_child(r->resp.p, r->resp.len,
				 "InitiateMultipartUploadResult", "UploadId",
				 &u->upload_id) < 0 || !u->upload_id.len)
			fail(u, S3_FAILED, "CreateMultipartUpload: no "
			     "UploadId in its answer");
		else
			kick(u);
	} else if (op == OP_HEAD) {
		multipart_etag(u, &want);
		if (strcmp(r->etag, want.p) == 0) {
			buf_reset(&u->upload_id);
			end(u, S3_UPLOAD_DONE);
		} else {
			buf_printf(&why, "CompleteMultipartUpload: the upload "
				   "was gone when it was tried again, and the "
				   "object's ETag is %s, not %s", r->etag,
				   want.p);
			buf_reset(&u->upload_id);	/* nothing to abort */
			fail(u, S3_FAILED, why.p);
		}
	} else {
		buf_reset(&u->upload_id);	/* completed */
		end(u, S3_UPLOAD_DONE);
	}
	settle_stop(u);
	buf_free(&why);
	buf_free(&want);
}

static void
startctl(struct s3_upload *u, int op)
{
	u->ctlop = op;
	u->ctl.method = op == OP_ABORT ? "DELETE" : op == OP_HEAD ? "HEAD" :
			"POST";
	u->ctl.prepare = ctlprep;
	u->ctl.on_done = ctldone;
	u->ctl.on_body = NULL;
	u->ctl.ctx = u;
	u->ctl.timeout_ms = op == OP_ABORT && u->quick ? u->quick_ms : 0;
	if (op == OP_COMPLETE) {
		u->ctlretried = 0;
		completebody(u);
	}
	http_start(u->http, &u->ctl);
}

/* ---- the flow ---- */

/* Sends what can go now. */
static void
kick(struct s3_upload *u)
{
	struct s3_upload_part *best;
	int i;

	if (u->state != S3_UPLOAD_RUN)
		return;
	if (!u->multipart) {
		if (u->eof && u->cur && u->cur->state == P_READY)
			sendpart(u, u->cur);
		return;
	}
	if (!u->upload_id.len) {
		if (!u->ctlop)
			startctl(u, OP_CREATE);
		return;
	}
	while (u->sending < u->jobs) {
		best = NULL;
		for (i = 0; i < u->nslots; i++)
			if (u->slot[i].state == P_READY &&
			    (!best || u->slot[i].number < best->number))
				best = &u->slot[i];
		if (!best)
			break;
		sendpart(u, best);
	}
	if (!u->eof || u->sending || u->ctlop)
		return;
	for (i = 0; i < u->nslots; i++)
		if (u->slot[i].state == P_READY || u->slot[i].state == P_FILL)
			return;
	startctl(u, OP_COMPLETE);
}

/* Part p is whole: it goes (once there is an upload to send it to). */
static void
ready(struct s3_upload *u, struct s3_upload_part *p)
{
	hashend(p);
	p->state = P_READY;
	if (p->number > 1 || !u->eof)
		u->multipart = 1;
	kick(u);
}

void
s3_upload_start(struct s3_upload *u)
{
	int i;

	u->state = S3_UPLOAD_RUN;
	u->left = S3_UPLOAD_NONE;
	u->bytes = 0;
	u->parts = 0;
	u->sending = 0;
	u->eof = u->multipart = 0;
	u->ctlop = OP_NONE;
	u->quick = 0;
	u->cur = u->next = NULL;
	buf_reset(&u->why);
	buf_reset(&u->abort_why);
	buf_reset(&u->upload_id);
	if (u->jobs < 1)
		u->jobs = 1;
	u->partcap = u->part_size < S3_PART_MIN ? S3_PART_MIN :
		     u->part_size > S3_PART_MAX ? S3_PART_MAX : u->part_size;
	/* 10,000 parts must hold an input of a known size */
	if (u->size_hint > u->partcap * S3_PARTS_MAX) {
		u->partcap = (u->size_hint + S3_PARTS_MAX - 1) / S3_PARTS_MAX;
		u->partcap = (u->partcap + (1 << 20) - 1) & ~((1LL << 20) - 1);
	}
	if (!u->slot) {
		u->nslots = u->jobs + 1;
		u->slot = xcalloc((size_t)u->nslots, sizeof *u->slot);
		for (i = 0; i < u->nslots; i++)
			u->slot[i].u = u;
	}
}

char *
s3_upload_space(struct s3_upload *u, size_t *n)
{
	struct s3_upload_part *p = NULL;
	int64_t size;
	int num, i;

	if (u->state != S3_UPLOAD_RUN || u->eof)
		return NULL;
	if (u->cur && u->cur->len < u->cur->size) {
		*n = u->cur->size - u->cur->len;
		return u->cur->p + u->cur->len;
	}
	if (!u->next) {
		num = u->cur ? u->cur->number + 1 : 1;
		if (num > S3_PARTS_MAX) {
			char why[160];

			snprintf(why, sizeof why, "the input is larger than "
				 "the %d parts an upload may have hold",
				 S3_PARTS_MAX);
			fail(u, S3_FAILED, why);
			return NULL;
		}
		for (i = 0; i < u->nslots && !p; i++)
			if (u->slot[i].state == P_FREE)
				p = &u->slot[i];
		if (!p)
			return NULL;
		size = s3_upload_part_size(u->partcap, num);
		if (p->alloc < (size_t)size) {
			free(p->p);
			p->p = xmalloc((size_t)size);
			p->alloc = (size_t)size;
		}
		p->size = (size_t)size;
		p->len = 0;
		p->number = num;
		p->state = P_FILL;
		hashinit(p);
		u->next = p;
	}
	*n = u->next->size;
	return u->next->p;
}

void
s3_upload_wrote(struct s3_upload *u, size_t n)
{
	struct s3_upload_part *p;

	if (n == 0 || u->state != S3_UPLOAD_RUN)
		return;
	if (u->next) {
		p = u->cur;
		u->cur = u->next;
		u->next = NULL;
		if (p && u->cur->size > p->size && u->on_grow)
			u->on_grow(u->ctx, u->cur->number,
				   (int64_t)u->cur->size);
		if (p)
			ready(u, p);
		if (u->state != S3_UPLOAD_RUN)
			return;
	}
	p = u->cur;
	EVP_DigestUpdate(p->md5, p->p + p->len, n);
	EVP_DigestUpdate(p->sha, p->p + p->len, n);
	p->len += n;
	u->bytes += (int64_t)n;
}

void
s3_upload_finish(struct s3_upload *u)
{
	if (u->state != S3_UPLOAD_RUN || u->eof)
		return;
	u->eof = 1;
	if (u->next) {
		u->next->state = P_FREE;
		u->next = NULL;
	}
	if (!u->cur) {		/* nothing came: an empty object */
		u->cur = &u->slot[0];
		u->cur->len = 0;
		u->cur->number = 1;
		hashinit(u->cur);
	}
	ready(u, u->cur);
}

void
s3_upload_stop(struct s3_upload *u, const char *why, int quick,
	       long timeout_ms)
{
	if (u->state != S3_UPLOAD_RUN)
		return;
	u->quick = quick;
	u->quick_ms = timeout_ms > 0 ? timeout_ms : 2000;
	fail(u, S3_FAILED, why ? why : "stopped");
}

void
s3_upload_free(struct s3_upload *u)
{
	int i;

	for (i = 0; i < u->nslots; i++) {
		struct s3_upload_part *p = &u->slot[i];

		if (p->state == P_SEND)
			http_cancel(u->http, &p->req);
		http_req_free(&p->req);
		free(p->p);
		EVP_MD_CTX_free(p->md5);
		EVP_MD_CTX_free(p->sha);
		buf_free(&p->why);
	}
	free(u->slot);
	u->slot = NULL;
	u->nslots = 0;
	if (u->ctlop)
		http_cancel(u->http, &u->ctl);
	u->ctlop = OP_NONE;
	http_req_free(&u->ctl);
	for (i = 0; i < u->cap; i++)
		free(u->etags[i]);
	free(u->etags);
	free(u->md5s);
	u->etags = NULL;
	u->md5s = NULL;
	u->cap = 0;
	buf_free(&u->ctlbody);
	buf_free(&u->why);
	buf_free(&u->abort_why);
	buf_free(&u->upload_id);
	u->state = S3_UPLOAD_IDLE;
}
