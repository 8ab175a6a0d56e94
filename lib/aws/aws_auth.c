/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws_auth.h"
#include "aws_conf.h"
#include "aws_creds.h"
#include "err.h"
#include "sigv4.h"
#include "xalloc.h"

#define MAXSIGNED 16

struct aws_auth {
	struct aws_conf conf;
	struct aws_creds creds;
	int nosign;
	int s3;
	aws_conf_env env;
	unsigned char key[32];
	struct sigv4_hmac *hkey;	/* key, ready to sign with */
	char keyday[9];		/* the day key was derived for, "" if none */
	struct sigv4_out out;
	struct buf line;
};

static int
loadcreds(struct aws_auth *a, int64_t now, struct buf *err)
{
	struct aws_creds c;
	int r;

	memset(&c, 0, sizeof c);
	if ((r = aws_creds_load(&c, &a->conf, a->env, now, err)) < 0)
		return r;
	aws_creds_free(&a->creds);
	a->creds = c;
	a->keyday[0] = '\0';	/* new secret: new key */
	return 0;
}

struct aws_auth *
aws_auth_new(const struct aws_conf_opts *o, int nosign, aws_conf_env env,
    int64_t now, struct buf *err, int *status)
{
	struct aws_auth *a = xcalloc(1, sizeof *a);
	int r;

	a->nosign = nosign;
	a->env = env;
	a->s3 = strcmp(o->service, "s3") == 0;
	if (aws_conf_load(&a->conf, o, env, err) < 0) {
		*status = EXIT_USAGE;
		free(a);
		return NULL;
	}
	if (!nosign && (r = loadcreds(a, now, err)) < 0) {
		*status = aws_creds_exit_status(r);
		aws_conf_free(&a->conf);
		free(a);
		return NULL;
	}
	return a;
}

void
aws_auth_free(struct aws_auth *a)
{
	if (!a)
		return;
	OPENSSL_cleanse(a->key, sizeof a->key);
	sigv4_hmac_free(a->hkey);
	aws_creds_free(&a->creds);
	aws_conf_free(&a->conf);
	sigv4_out_free(&a->out);
	buf_free(&a->line);
	free(a);
}

const struct aws_conf *
aws_auth_conf(const struct aws_auth *a)
{
	return &a->conf;
}

const char *
aws_auth_source(const struct aws_auth *a)
{
	return a->nosign ? "none" : a->creds.source;
}

static void
addheader(struct aws_auth *a, struct curl_slist **headers, const char *name,
    const char *value)
{
	struct curl_slist *l;

	buf_reset(&a->line);
	buf_adds(&a->line, name);
	buf_add(&a->line, ": ", 2);
	buf_adds(&a->line, value);
	if (!(l = curl_slist_append(*headers, a->line.p)))
		diex(EXIT_PARTIAL, "out of memory");
	*headers = l;
}

int
aws_auth_sign(struct aws_auth *a, const char *method, const char *host,
    const char *path, const struct sigv4_param *params, size_t nparams,
    const struct sigv4_header *extra, size_t nextra,
    const char *payload_hash, int64_t now, struct curl_slist **headers,
    struct buf *err)
{
	struct sigv4_header h[MAXSIGNED];
	struct sigv4_req r;
	char amzdate[17];
	size_t n = 0, i;

	if (a->nosign)
		return 0;
	if (aws_creds_stale(&a->creds, now) && loadcreds(a, now, err) < 0 &&
	    a->creds.expires && a->creds.expires <= now)
		return -1;	/* a failed renewal only matters once expired */
	if (sigv4_amzdate(now, amzdate) < 0) {
		buf_adds(err, "the clock is out of range");
		return -1;
	}
	if (strncmp(a->keyday, amzdate, 8) != 0) {
		memcpy(a->keyday, amzdate, 8);
		a->keyday[8] = '\0';
		sigv4_signing_key(a->creds.secret, a->keyday, a->conf.region,
				  a->s3 ? "s3" : "dynamodb", a->key);
		sigv4_hmac_free(a->hkey);
		a->hkey = sigv4_hmac_new(a->key);
	}
	h[n++] = (struct sigv4_header){ "host", host };
	h[n++] = (struct sigv4_header){ "x-amz-date", amzdate };
	if (a->s3)
		h[n++] = (struct sigv4_header){ "x-amz-content-sha256",
						payload_hash };
	if (a->creds.token)
		h[n++] = (struct sigv4_header){ "x-amz-security-token",
						a->creds.token };
	if (nextra > MAXSIGNED - n)
		diex(EXIT_PARTIAL, "aws_auth_sign: too many headers");
	for (i = 0; i < nextra; i++)
		h[n++] = extra[i];
	r = (struct sigv4_req){
		.method = method, .path = path, .params = params,
		.nparams = nparams, .headers = h, .nheaders = n,
		.payload_hash = payload_hash, .region = a->conf.region,
		.service = a->s3 ? "s3" : "dynamodb", .amzdate = amzdate,
		.normalize = !a->s3,
	};
	sigv4_sign_hmac(&r, a->creds.akid, a->hkey, &a->out);
	addheader(a, headers, "x-amz-date", amzdate);
	if (a->s3)
		addheader(a, headers, "x-amz-content-sha256", payload_hash);
	if (a->creds.token)
		addheader(a, headers, "x-amz-security-token", a->creds.token);
	addheader(a, headers, "Authorization", buf_str(&a->out.authorization));
	return 0;
}
