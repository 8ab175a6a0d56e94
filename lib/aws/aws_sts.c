/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <expat.h>
#include <openssl/crypto.h>

#include "aws_conf.h"
#include "aws_creds.h"
#include "aws_fetch.h"
#include "aws_sts.h"
#include "buf.h"
#include "sigv4.h"
#include "tstamp.h"

#define STS_VERSION "2011-06-15"
#define STS_CONN_MS 5000
#define STS_TOTAL_MS 30000
#define STS_TRIES 3
#define STS_FIELD_MAX (16 * 1024)	/* a session token is ~1-2 KB */
#define STS_MESSAGE_MAX 300		/* of STS's error message, shown */

/* the regions whose STS a "legacy" configuration sends to the global
 * endpoint, as botocore lists them */
static const char *const legacy_global[] = {
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"aws-global", "ca-central-1", "eu-central-1", "eu-north-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2",
};

int
aws_sts_endpoint(struct aws_sts_ep *ep, const struct aws_conf *conf,
    aws_conf_env env, struct buf *err)
{
	const char *mode, *from;
	size_t i;
	int r;

	buf_reset(&ep->url);
	snprintf(ep->region, sizeof ep->region, "%s", conf->region);
	if ((r = aws_conf_service_endpoint(conf, "sts", env, &ep->url,
	    err)) != 0)
		return r < 0 ? -1 : 0;
	from = "AWS_STS_REGIONAL_ENDPOINTS";
	if (!(mode = aws_conf_env_get(env, from))) {
		mode = aws_conf_get(conf, "sts_regional_endpoints");
		from = "sts_regional_endpoints";
	}
	if (!mode || !*mode || strcmp(mode, "regional") == 0) {
		aws_conf_default_endpoint(&ep->url, "sts", conf->region);
		return 0;
	}
	if (strcmp(mode, "legacy") != 0) {
		buf_printf(err, "%s '%s': not legacy or regional", from, mode);
		return -1;
	}
	for (i = 0; i < sizeof legacy_global / sizeof legacy_global[0]; i++)
		if (strcmp(conf->region, legacy_global[i]) == 0) {
			buf_adds(&ep->url, "https://sts.amazonaws.com");
			snprintf(ep->region, sizeof ep->region, "us-east-1");
			return 0;
		}
	aws_conf_default_endpoint(&ep->url, "sts", conf->region);
	return 0;
}

void
aws_sts_ep_free(struct aws_sts_ep *ep)
{
	buf_free(&ep->url);
	memset(ep, 0, sizeof *ep);
}

/* ---- the answer ---- */

struct xparse {
	XML_Parser xp;
	struct aws_sts_answer *a;
	int depth;
	int kind;		/* 0 credentials, 1 error, -1 neither */
	int incred;		/* inside <Result><Credentials> */
	int inerror;		/* inside <Error> */
	int inresult;
	int toolong;
	struct buf *into;
};

static void XMLCALL
xstart(void *ud, const XML_Char *name, const XML_Char **attr)
{
	struct xparse *x = ud;
	struct aws_sts_answer *a = x->a;
	size_t n = strlen(name);

	(void)attr;
	x->depth++;
	x->into = NULL;
	if (x->depth == 1) {
		if (strcmp(name, "AssumeRoleResponse") == 0 ||
		    strcmp(name, "AssumeRoleWithWebIdentityResponse") == 0)
			x->kind = 0;
		else if (strcmp(name, "ErrorResponse") == 0)
			x->kind = 1;
		else
			XML_StopParser(x->xp, XML_FALSE);
		return;
	}
	if (x->kind == 0) {
		if (x->depth == 2)
			x->inresult = n > 6 &&
			    strcmp(name + n - 6, "Result") == 0;
		else if (x->depth == 3)
			x->incred = x->inresult &&
			    strcmp(name, "Credentials") == 0;
		else if (x->depth == 4 && x->incred) {
			if (strcmp(name, "AccessKeyId") == 0)
				x->into = &a->akid;
			else if (strcmp(name, "SecretAccessKey") == 0)
				x->into = &a->secret;
			else if (strcmp(name, "SessionToken") == 0)
				x->into = &a->token;
			else if (strcmp(name, "Expiration") == 0)
				x->into = &a->expiration;
		}
	} else {
		if (x->depth == 2)
			x->inerror = strcmp(name, "Error") == 0;
		else if (x->depth == 3 && x->inerror) {
			if (strcmp(name, "Code") == 0)
				x->into = &a->code;
			else if (strcmp(name, "Message") == 0)
				x->into = &a->message;
		}
	}
	if (x->into)
		aws_fetch_wipe(x->into);
}

static void XMLCALL
xend(void *ud, const XML_Char *name)
{
	struct xparse *x = ud;

	(void)name;
	x->into = NULL;
	if (x->depth == 3)
		x->incred = 0;
	else if (x->depth == 2)
		x->inresult = x->inerror = 0;
	x->depth--;
}

static void XMLCALL
xtext(void *ud, const XML_Char *s, int n)
{
	struct xparse *x = ud;

	if (!x->into)
		return;
	if (x->into->len + (size_t)n > STS_FIELD_MAX) {
		x->toolong = 1;
		XML_StopParser(x->xp, XML_FALSE);
		return;
	}
	buf_add(x->into, s, (size_t)n);
}

static void XMLCALL
xnodoctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	struct xparse *x = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	x->kind = -2;
	XML_StopParser(x->xp, XML_FALSE);
}

/* trims the white space around b's text, in place */
static void
trim(struct buf *b)
{
	size_t s = 0;

	while (b->len && strchr(" \t\r\n", b->p[b->len - 1]))
		b->p[--b->len] = '\0';
	while (s < b->len && strchr(" \t\r\n", b->p[s]))
		s++;
	if (s)
		buf_consume(b, s);
}

int
aws_sts_parse(const char *xml, size_t n, struct aws_sts_answer *a,
    struct buf *err)
{
	struct xparse x = { 0 };
	int ok;

	aws_sts_answer_free(a);
	x.a = a;
	x.kind = -1;
	if (n == 0) {
		buf_adds(err, "an empty answer");
		return -1;
	}
	if (n > AWS_FETCH_MAX) {
		buf_adds(err, "the answer is too large");
		return -1;
	}
	if (!(x.xp = XML_ParserCreate("UTF-8"))) {
		buf_adds(err, "out of memory");
		return -1;
	}
	XML_SetUserData(x.xp, &x);
	XML_SetElementHandler(x.xp, xstart, xend);
	XML_SetCharacterDataHandler(x.xp, xtext);
	XML_SetStartDoctypeDeclHandler(x.xp, xnodoctype);
	ok = XML_Parse(x.xp, xml, (int)n, 1) == XML_STATUS_OK;
	if (!ok && x.kind >= 0 && !x.toolong)
		buf_printf(err, "the answer is not XML (%s, line %lu)",
		    XML_ErrorString(XML_GetErrorCode(x.xp)),
		    (unsigned long)XML_GetCurrentLineNumber(x.xp));
	XML_ParserFree(x.xp);
	if (x.toolong) {
		buf_adds(err, "a field of the answer is too long");
		goto bad;
	}
	if (x.kind == -2) {
		buf_adds(err, "the answer has a DOCTYPE");
		goto bad;
	}
	if (x.kind == -1) {
		buf_adds(err, "the answer is not an STS answer");
		goto bad;
	}
	if (!ok)
		goto bad;
	trim(&a->akid);
	trim(&a->secret);
	trim(&a->token);
	trim(&a->expiration);
	trim(&a->code);
	trim(&a->message);
	if (x.kind == 1) {
		if (!a->code.len) {
			buf_adds(err, "an error answer without a Code");
			goto bad;
		}
		return 1;
	}
	if (!a->akid.len || !a->secret.len || !a->token.len ||
	    !a->expiration.len) {
		buf_printf(err, "the answer has no %s", !a->akid.len ?
		    "AccessKeyId" : !a->secret.len ? "SecretAccessKey" :
		    !a->token.len ? "SessionToken" : "Expiration");
		goto bad;
	}
	return 0;
bad:
	aws_sts_answer_free(a);
	return -1;
}

void
aws_sts_answer_free(struct aws_sts_answer *a)
{
	aws_fetch_wipe(&a->akid);
	aws_fetch_wipe(&a->secret);
	aws_fetch_wipe(&a->token);
	aws_fetch_wipe(&a->expiration);
	buf_free(&a->code);
	buf_free(&a->message);
}

/* ---- the request ---- */

static void
form_add(struct buf *b, const char *name, const char *value)
{
	if (b->len)
		buf_addc(b, '&');
	buf_adds(b, name);
	buf_addc(b, '=');
	sigv4_uri_encode(b, value, strlen(value), 0);
}

/* Appends STS's message, printable and bounded, to err. */
static void
add_message(struct buf *err, const struct buf *m)
{
	size_t i;

	for (i = 0; i < m->len && i < STS_MESSAGE_MAX; i++)
		buf_addc(err, (unsigned char)m->p[i] < 0x20 ||
		    m->p[i] == 0x7f ? ' ' : m->p[i]);
	if (m->len > STS_MESSAGE_MAX)
		buf_adds(err, "...");
}

/* The answer f into c, or AWS_CREDS_REMOTE with why in err. */
static int
answer(struct aws_creds *c, const struct aws_fetch *f, const char *what,
    int64_t now, struct buf *err)
{
	struct aws_sts_answer a = AWS_STS_ANSWER_INIT;
	struct buf why = BUF_INIT;
	int64_t t;
	int r, rc = AWS_CREDS_REMOTE;

	if (f->cc != CURLE_OK) {
		buf_printf(err, "%s: %s", what, aws_fetch_why(f));
		return rc;
	}
	r = aws_sts_parse(buf_str(&f->body), f->body.len, &a, &why);
	if (f->status != 200 || r != 0) {
		buf_printf(err, "%s: ", what);
		if (f->status != 200)
			buf_printf(err, "HTTP %ld", f->status);
		if (r == 1) {
			buf_printf(err, "%s%.64s", f->status != 200 ? " " : "",
			    a.code.p);
			if (a.message.len) {
				buf_adds(err, ": ");
				add_message(err, &a.message);
			}
		} else if (f->status == 200) {
			buf_adds(err, why.p);
		}
		goto out;
	}
	if (tstamp_parse(a.expiration.p, a.expiration.len, &t) < 0) {
		buf_printf(err, "%s: Expiration '%.40s' is not a timestamp",
		    what, a.expiration.p);
		goto out;
	}
	if (aws_creds_fill(c, a.akid.p, a.secret.p, a.token.p, t, now, what,
	    err) == 0)
		rc = AWS_CREDS_OK;
out:
	aws_sts_answer_free(&a);
	buf_free(&why);
	return rc;
}

/* Signs the POST of body to ep with src: the headers to send go to h
 * (with the values kept in vals, to be wiped). */
static int
sign(const struct aws_sts_ep *ep, const struct aws_creds *src,
    const struct buf *body, int64_t now, struct buf vals[4],
    const char *what, struct buf *err)
{
	struct buf host = BUF_INIT, path = BUF_INIT, why = BUF_INIT;
	struct sigv4_header hd[4];
	struct sigv4_out out = SIGV4_OUT_INIT;
	struct sigv4_req r;
	unsigned char key[32];
	char amzdate[17], date8[9], hash[65];
	size_t n = 0;
	int https;

	if (aws_conf_url_split(ep->url.p, &https, &host, &path, &why) < 0 ||
	    sigv4_amzdate(now, amzdate) < 0) {
		buf_printf(err, "%s: %s", what, why.len ? why.p :
		    "the clock is out of range");
		buf_free(&why);
		buf_free(&host);
		buf_free(&path);
		return -1;
	}
	memcpy(date8, amzdate, 8);
	date8[8] = '\0';
	sigv4_sha256_hex(body->p, body->len, hash);
	hd[n++] = (struct sigv4_header){ "content-type",
	    "application/x-www-form-urlencoded; charset=utf-8" };
	hd[n++] = (struct sigv4_header){ "host", host.p };
	hd[n++] = (struct sigv4_header){ "x-amz-date", amzdate };
	if (src->token)
		hd[n++] = (struct sigv4_header){ "x-amz-security-token",
		    src->token };
	r = (struct sigv4_req){
		.method = "POST", .path = path.len ? path.p : "/",
		.headers = hd, .nheaders = n, .payload_hash = hash,
		.region = ep->region, .service = "sts", .amzdate = amzdate,
		.normalize = 1,
	};
	sigv4_signing_key(src->secret, date8, ep->region, "sts", key);
	sigv4_sign(&r, src->akid, key, &out);
	OPENSSL_cleanse(key, sizeof key);
	buf_printf(&vals[0], "X-Amz-Date: %s", amzdate);
	buf_printf(&vals[1], "Authorization: %s", out.authorization.p);
	if (src->token)
		buf_printf(&vals[2], "X-Amz-Security-Token: %s", src->token);
	sigv4_out_free(&out);
	buf_free(&host);
	buf_free(&path);
	return 0;
}

int
aws_sts_assume(struct aws_creds *c, const struct aws_sts_ep *ep,
    const struct aws_creds *src, const struct aws_sts_call *call,
    const struct aws_conf *conf, const struct aws_creds_opts *o,
    int64_t now, struct buf *err)
{
	const char *action = call->web_token ? "AssumeRoleWithWebIdentity" :
	    "AssumeRole";
	struct buf body = BUF_INIT, url = BUF_INIT, line = BUF_INIT;
	struct buf why = BUF_INIT;
	struct buf vals[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct curl_slist h[6] = { { 0 } };
	struct aws_fetch f = AWS_FETCH_INIT;
	struct aws_fetch_req req = { 0 };
	struct aws_conf_url u;
	char dur[24];
	size_t nh = 0, i;
	int rc = AWS_CREDS_REMOTE;

	memset(c, 0, sizeof *c);
	form_add(&body, "Action", action);
	form_add(&body, "Version", STS_VERSION);
	form_add(&body, "RoleArn", call->role_arn);
	form_add(&body, "RoleSessionName", call->session_name);
	if (call->external_id)
		form_add(&body, "ExternalId", call->external_id);
	if (call->duration) {
		snprintf(dur, sizeof dur, "%ld", call->duration);
		form_add(&body, "DurationSeconds", dur);
	}
	if (call->web_token)
		form_add(&body, "WebIdentityToken", call->web_token);
	buf_printf(&url, "%s/", ep->url.p);

	if (o && o->trace) {
		buf_printf(&line, "POST %s %s RoleArn=%s RoleSessionName=%s",
		    url.p, action, call->role_arn, call->session_name);
		if (call->external_id)
			buf_adds(&line, " ExternalId=(set)");
		if (call->duration)
			buf_printf(&line, " DurationSeconds=%s", dur);
		if (call->web_token)
			buf_adds(&line, " (unsigned)");
		else
			buf_printf(&line, " (signed for sts in %s by %s)",
			    ep->region, src->akid);
		o->trace(o->arg, line.p);
	}
	if (o && o->dry) {
		buf_printf(err, "%s: not sent (dry run)", call->what);
		goto out;
	}

	h[nh++].data = (char *)"Content-Type: application/x-www-form-"
	    "urlencoded; charset=utf-8";
	h[nh++].data = (char *)"Expect:";
	if (!call->web_token) {
		if (sign(ep, src, &body, now, vals, call->what, err) < 0) {
			rc = AWS_CREDS_BROKEN;
			goto out;
		}
		for (i = 0; i < 3; i++)
			if (vals[i].len)
				h[nh++].data = vals[i].p;
	}
	for (i = 0; i + 1 < nh; i++)
		h[i].next = &h[i + 1];
	req.method = "POST";
	req.url = url.p;
	req.headers = h;
	req.body = body.p;
	req.bodylen = body.len;
	req.conn_ms = STS_CONN_MS;
	req.total_ms = STS_TOTAL_MS;
	req.cafile = conf->ca_bundle;
	if (aws_conf_url_parse(ep->url.p, &u, &why) < 0) {
		buf_printf(err, "%s: %s", call->what, why.p);
		rc = AWS_CREDS_BROKEN;
		goto out;
	}
	req.direct = aws_fetch_loopback(u.host);
	free(u.host);
	if (o) {
		req.cancel = o->cancel;
		req.cancel_arg = o->arg;
	}
	aws_fetch_tries(&f, &req, STS_TRIES);
	rc = answer(c, &f, call->what, now, err);
out:
	aws_fetch_free(&f);
	aws_fetch_wipe(&body);
	for (i = 0; i < 4; i++)
		aws_fetch_wipe(&vals[i]);
	buf_free(&url);
	buf_free(&line);
	buf_free(&why);
	return rc;
}
