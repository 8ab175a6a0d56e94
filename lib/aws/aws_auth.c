/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdio.h>
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
	pthread_mutex_t lock;	/* over all of the below */
	unsigned char key[32];
	struct sigv4_hmac *hkey;	/* key, ready to sign with */
	char keyday[9];		/* the day key was derived for, "" if none */
	char keyregion[64];	/* and the region */
	struct sigv4_out out;
	struct buf line;
	int64_t skew;		/* seconds added to the clock to sign */
	unsigned gen;		/* of the credentials and skew */
	void (*notice)(const char *msg);
	int told;
	const volatile sig_atomic_t *stop;
};

static int
stopped(void *arg)
{
	const struct aws_auth *a = arg;

	return a->stop && *a->stop;
}

static int
loadcreds(struct aws_auth *a, int64_t now, struct buf *err)
{
	struct aws_creds_opts o = { .cancel = stopped, .arg = a };
	struct aws_creds c;
	int r;

	memset(&c, 0, sizeof c);
	if ((r = aws_creds_load_with(&c, &a->conf, a->env, now, &o,
	    err)) < 0)
		return r;
	aws_creds_free(&a->creds);
	a->creds = c;
	a->keyday[0] = '\0';	/* new secret: new key */
	a->gen++;
	return 0;
}

struct aws_auth *
aws_auth_new(const struct aws_conf_opts *o, int nosign, aws_conf_env env,
    int64_t now, struct buf *err, int *status)
{
	struct aws_auth *a = xcalloc(1, sizeof *a);
	int r;

	pthread_mutex_init(&a->lock, NULL);
	a->nosign = nosign;
	a->env = env;
	a->s3 = strcmp(o->service, "s3") == 0;
	a->stop = o->stop;
	if (aws_conf_load(&a->conf, o, env, err) < 0) {
		*status = EXIT_USAGE;
		pthread_mutex_destroy(&a->lock);
		free(a);
		return NULL;
	}
	if (!nosign && (r = loadcreds(a, now, err)) < 0) {
		*status = aws_creds_exit_status(r);
		aws_conf_free(&a->conf);
		pthread_mutex_destroy(&a->lock);
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
	pthread_mutex_destroy(&a->lock);
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
	struct aws_auth_req q = {
		.method = method, .host = host, .path = path,
		.params = params, .nparams = nparams, .extra = extra,
		.nextra = nextra, .payload_hash = payload_hash, .now = now,
	};

	return aws_auth_sign_req(a, &q, headers, err);
}

static int
sign(struct aws_auth *a, struct aws_auth_req *q, struct curl_slist **headers,
     struct buf *err)
{
	struct sigv4_header h[MAXSIGNED];
	struct sigv4_req r;
	const char *region = q->region ? q->region : a->conf.region;
	const char *service = a->s3 ? "s3" : "dynamodb";
	char amzdate[17];
	size_t n = 0, i;

	if (aws_creds_stale(&a->creds, q->now) &&
	    loadcreds(a, q->now, err) < 0 && a->creds.expires &&
	    a->creds.expires <= q->now)
		return -1;	/* a failed renewal only matters once expired */
	q->gen = a->gen;
	if (sigv4_amzdate(q->now + a->skew, amzdate) < 0) {
		buf_adds(err, "the clock is out of range");
		return -1;
	}
	if (strncmp(a->keyday, amzdate, 8) != 0 ||
	    strcmp(a->keyregion, region) != 0) {
		memcpy(a->keyday, amzdate, 8);
		a->keyday[8] = '\0';
		snprintf(a->keyregion, sizeof a->keyregion, "%s", region);
		sigv4_signing_key(a->creds.secret, a->keyday, region, service,
				  a->key);
		sigv4_hmac_free(a->hkey);
		a->hkey = sigv4_hmac_new(a->key);
	}
	h[n++] = (struct sigv4_header){ "host", q->host };
	h[n++] = (struct sigv4_header){ "x-amz-date", amzdate };
	if (a->s3)
		h[n++] = (struct sigv4_header){ "x-amz-content-sha256",
						q->payload_hash };
	if (a->creds.token)
		h[n++] = (struct sigv4_header){ "x-amz-security-token",
						a->creds.token };
	if (q->nextra > MAXSIGNED - n) {
		buf_adds(err, "aws_auth_sign: too many headers");
		return -1;
	}
	for (i = 0; i < q->nextra; i++)
		h[n++] = q->extra[i];
	r = (struct sigv4_req){
		.method = q->method, .path = q->path, .params = q->params,
		.nparams = q->nparams, .headers = h, .nheaders = n,
		.payload_hash = q->payload_hash, .region = region,
		.service = service, .amzdate = amzdate, .normalize = !a->s3,
	};
	sigv4_sign_hmac(&r, a->creds.akid, a->hkey, &a->out);
	addheader(a, headers, "x-amz-date", amzdate);
	if (a->s3)
		addheader(a, headers, "x-amz-content-sha256",
			  q->payload_hash);
	if (a->creds.token)
		addheader(a, headers, "x-amz-security-token", a->creds.token);
	addheader(a, headers, "Authorization", buf_str(&a->out.authorization));
	return 0;
}

int
aws_auth_sign_req(struct aws_auth *a, struct aws_auth_req *q,
    struct curl_slist **headers, struct buf *err)
{
	int rc;

	q->gen = 0;
	if (a->nosign)
		return 0;
	pthread_mutex_lock(&a->lock);
	rc = sign(a, q, headers, err);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int
aws_auth_clock(struct aws_auth *a, int64_t date, int64_t now, unsigned gen)
{
	void (*notice)(const char *) = NULL;
	char msg[160];
	int64_t off;
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	if (gen != a->gen) {
		rc = 1;		/* signed before a change: try it now */
	} else if (date >= 0 && ((off = date - now) - a->skew >=
				 AWS_AUTH_SKEW_MIN ||
				 a->skew - off >= AWS_AUTH_SKEW_MIN)) {
		a->skew = off;
		a->gen++;
		rc = 1;
		if (a->notice && !a->told) {
			a->told = 1;
			notice = a->notice;
			snprintf(msg, sizeof msg, "the clock here is %lld s "
				 "%s the server's: requests are signed at "
				 "the server's time", (long long)(off < 0 ?
								   -off : off),
				 off < 0 ? "ahead of" : "behind");
		}
	}
	pthread_mutex_unlock(&a->lock);
	if (notice)
		notice(msg);
	return rc;
}

int64_t
aws_auth_skew(struct aws_auth *a)
{
	int64_t v;

	pthread_mutex_lock(&a->lock);
	v = a->skew;
	pthread_mutex_unlock(&a->lock);
	return v;
}

static const char *
str(const char *s)
{
	return s ? s : "";
}

int
aws_auth_refresh(struct aws_auth *a, unsigned gen, int64_t now,
    struct buf *err)
{
	char *akid = NULL, *token = NULL;
	int rc = 1;

	if (a->nosign)
		return 0;
	pthread_mutex_lock(&a->lock);
	if (gen == a->gen) {
		akid = xstrdup(str(a->creds.akid));
		token = xstrdup(str(a->creds.token));
		if (loadcreds(a, now, err) < 0)
			rc = 0;
		else if (strcmp(akid, str(a->creds.akid)) == 0 &&
			 strcmp(token, str(a->creds.token)) == 0) {
			buf_adds(err, "the credentials loaded again are the "
				 "same");
			rc = 0;
		}
		OPENSSL_cleanse(token, strlen(token));
		free(akid);
		free(token);
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void
aws_auth_notice(struct aws_auth *a, void (*fn)(const char *msg))
{
	pthread_mutex_lock(&a->lock);
	a->notice = fn;
	pthread_mutex_unlock(&a->lock);
}
