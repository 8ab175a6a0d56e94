/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "aws_conf.h"
#include "aws_creds.h"
#include "aws_fetch.h"
#include "aws_sso.h"
#include "buf.h"
#include "sigv4.h"
#include "tstamp.h"

#define SSO_CONN_MS 5000
#define SSO_TOTAL_MS 30000
#define SSO_TRIES 3

void
aws_sso_cache_name(const char *key, char out[46])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
	for (i = 0; i < 20 && i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	memcpy(out + 40, ".json", 6);
}

void
aws_sso_default_endpoint(struct buf *b, const char *region)
{
	buf_printf(b, "https://portal.sso.%s.amazonaws.com%s", region,
	    strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
}

/* a string of printable ASCII, no spaces, as headers and keys need */
static int
printable(const json_t *v)
{
	const char *s;

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return 0;
	for (s = json_string_value(v); *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

int
aws_sso_token_parse(const char *doc, size_t n, struct buf *tok,
    int64_t *expires, struct buf *err)
{
	json_error_t je;
	json_t *root, *v;
	struct buf t = BUF_INIT;
	const char *s;
	size_t len;
	int rc = -1;

	/* no flags that echo input: jansson's messages may quote it */
	root = json_loadb(doc, n, 0, &je);
	if (!root) {
		buf_printf(err, "not JSON (line %d, column %d)", je.line,
		    je.column);
		return -1;
	}
	if (!json_is_object(root)) {
		buf_adds(err, "not a JSON object");
		goto out;
	}
	v = json_object_get(root, "accessToken");
	if (!printable(v)) {
		buf_printf(err, "accessToken %s", v ? "is not a string of "
		    "printable characters" : "is missing");
		goto out;
	}
	s = json_string_value(json_object_get(root, "expiresAt"));
	if (!s) {
		buf_adds(err, "expiresAt is missing");
		goto out;
	}
	/* the older CLI wrote "2019-11-14T04:05:45UTC" */
	len = strlen(s);
	buf_adds(&t, s);
	if (len > 3 && strcmp(s + len - 3, "UTC") == 0) {
		t.len -= 3;
		buf_addc(&t, 'Z');
	}
	if (tstamp_parse(t.p, t.len, expires) < 0) {
		size_t i = err->len;

		buf_printf(err, "expiresAt '%.40s' is not a timestamp", s);
		/* one line: its control characters as spaces */
		for (; i < err->len; i++)
			if ((unsigned char)err->p[i] < 0x20 ||
			    err->p[i] == 0x7f)
				err->p[i] = ' ';
		goto out;
	}
	buf_adds(tok, json_string_value(v));
	rc = 0;
out:
	buf_free(&t);
	json_decref(root);
	return rc;
}

int
aws_sso_creds_parse(const char *doc, size_t n, struct aws_creds *c,
    int64_t now, const char *what, struct buf *err)
{
	static const char *const names[] = { "accessKeyId",
		"secretAccessKey", "sessionToken" };
	const char *val[3];
	json_error_t je;
	json_t *root, *rc, *v;
	json_int_t ms;
	size_t i;
	int ret = -1;

	memset(c, 0, sizeof *c);
	root = json_loadb(doc, n, 0, &je);
	if (!root) {
		buf_printf(err, "%s: the answer is not JSON (line %d, column "
		    "%d)", what, je.line, je.column);
		return -1;
	}
	rc = json_object_get(root, "roleCredentials");
	if (!json_is_object(rc)) {
		buf_printf(err, "%s: the answer has no roleCredentials", what);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		v = json_object_get(rc, names[i]);
		if (!printable(v)) {
			buf_printf(err, "%s: %s %s", what, names[i], !v ?
			    "is missing" : "is empty or not a string of "
			    "printable characters");
			goto out;
		}
		val[i] = json_string_value(v);
	}
	v = json_object_get(rc, "expiration");
	if (!json_is_integer(v) || (ms = json_integer_value(v)) <= 0) {
		buf_printf(err, "%s: expiration %s", what, v ?
		    "is not a number of milliseconds" : "is missing");
		goto out;
	}
	/* rounded up: under a second is not 0, which would be "never" */
	if (aws_creds_fill(c, val[0], val[1], val[2], (int64_t)(ms / 1000 +
	    (ms % 1000 != 0)), now, what, err) == 0)
		ret = 0;
out:
	json_decref(root);
	return ret;
}

/* the portal's error document: {"message": "..."}; its type is in a
 * header we do not keep */
static void
add_portal_error(struct buf *err, const struct aws_fetch *f)
{
	json_t *root = json_loadb(buf_str(&f->body), f->body.len, 0, NULL);
	const char *m = json_string_value(json_object_get(root, "message"));
	size_t i;

	if (!m)
		m = json_string_value(json_object_get(root, "Message"));
	if (m && *m) {
		buf_adds(err, ": ");
		for (i = 0; m[i] && i < 300; i++)
			buf_addc(err, (unsigned char)m[i] < 0x20 ? ' ' : m[i]);
	}
	json_decref(root);
}

int
aws_sso_get_role_credentials(struct aws_creds *c,
    const struct aws_sso_call *call, const struct aws_conf *conf,
    const struct aws_creds_opts *o, int64_t now, struct buf *err)
{
	struct sigv4_param q[2] = { { "role_name", call->role_name },
		{ "account_id", call->account_id } };
	struct buf url = BUF_INIT, line = BUF_INIT, hdr = BUF_INIT;
	struct buf why = BUF_INIT;
	struct curl_slist h[1] = { { 0 } };
	struct aws_fetch f = AWS_FETCH_INIT;
	struct aws_fetch_req req = { 0 };
	struct aws_conf_url u;
	int rc = AWS_CREDS_REMOTE;

	memset(c, 0, sizeof *c);
	/* in the CLI's order, not sorted */
	buf_printf(&url, "%s/federation/credentials?", call->base);
	sigv4_canonical_query(&line, &q[0], 1);
	buf_adds(&url, line.p);
	buf_reset(&line);
	buf_addc(&url, '&');
	sigv4_canonical_query(&line, &q[1], 1);
	buf_adds(&url, line.p);
	buf_reset(&line);
	if (o && o->trace) {
		buf_printf(&line, "GET %s (the SSO token in "
		    "x-amz-sso_bearer_token)", url.p);
		o->trace(o->arg, line.p);
	}
	if (o && o->dry) {
		buf_printf(err, "%s: not sent (dry run)", call->what);
		goto out;
	}
	if (aws_conf_url_parse(call->base, &u, &why) < 0) {
		buf_printf(err, "%s: %s", call->what, why.p);
		rc = AWS_CREDS_BROKEN;
		goto out;
	}
	req.direct = aws_fetch_loopback(u.host);
	free(u.host);
	buf_printf(&hdr, "x-amz-sso_bearer_token: %s", call->token);
	h[0].data = hdr.p;
	req.method = "GET";
	req.url = url.p;
	req.headers = h;
	req.conn_ms = SSO_CONN_MS;
	req.total_ms = SSO_TOTAL_MS;
	req.cafile = conf->ca_bundle;
	if (o) {
		req.cancel = o->cancel;
		req.cancel_arg = o->arg;
	}
	aws_fetch_tries(&f, &req, SSO_TRIES);
	if (f.cc != CURLE_OK) {
		buf_printf(err, "%s: %s", call->what, aws_fetch_why(&f));
	} else if (f.status == 401) {
		buf_printf(err, "%s: the SSO token has expired: run aws sso "
		    "login --profile %s", call->what, call->login);
	} else if (f.status != 200) {
		buf_printf(err, "%s: HTTP %ld", call->what, f.status);
		add_portal_error(err, &f);
	} else if (aws_sso_creds_parse(buf_str(&f.body), f.body.len, c, now,
	    call->what, err) == 0) {
		rc = AWS_CREDS_OK;
	}
out:
	aws_fetch_free(&f);
	aws_fetch_wipe(&hdr);
	buf_free(&url);
	buf_free(&line);
	buf_free(&why);
	return rc;
}
