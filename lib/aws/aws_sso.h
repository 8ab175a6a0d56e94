/* SPDX-License-Identifier: MIT */
/*
 * IAM Identity Center (SSO) role credentials, as the AWS CLI gets them
 * for a profile with sso_account_id and sso_role_name: the access token
 * that "aws sso login" cached in $HOME/.aws/sso/cache/<sha1>.json, then
 * the portal's GetRoleCredentials:
 *
 *	GET https://portal.sso.REGION.amazonaws.com/federation/credentials
 *	    ?role_name=ROLE&account_id=ACCOUNT
 *	x-amz-sso_bearer_token: TOKEN
 *
 * The cache file is named by the SHA-1 (hex) of the sso_session's name,
 * or of the start URL for a profile of the legacy form (sso_start_url
 * and sso_region in the profile itself).  The token is never refreshed
 * here (that would write the CLI's cache): an expired one is an error
 * that says to run aws sso login.
 *
 * HTTP: 5 s to connect, 30 s in all, TLS verified (the configuration's
 * CA bundle, else the system's store), 3 tries when no connection is
 * made or the answer is a 5xx.  Neither the token nor the credentials
 * are put into a message or a trace line.
 */
#ifndef AWS_SSO_H
#define AWS_SSO_H

#include <stdint.h>

#include "aws_conf.h"
#include "aws_creds.h"
#include "buf.h"

/* Writes "<40 hex digits>.json", the cache file's name for key (the
 * session name, or the legacy form's start URL), to out. */
void aws_sso_cache_name(const char *key, char out[46]);

/*
 * The access token in a cache file's text: {"accessToken": "...",
 * "expiresAt": "2026-01-01T00:00:00Z", ...} (the older "...UTC" ending
 * too).  Returns 0 with the token appended to tok (wipe it) and *expires
 * set, or -1 with the reason (never a value) in err.
 */
int aws_sso_token_parse(const char *doc, size_t n, struct buf *tok,
    int64_t *expires, struct buf *err);

/*
 * GetRoleCredentials' answer: {"roleCredentials": {"accessKeyId",
 * "secretAccessKey", "sessionToken", "expiration": epoch ms}} into c
 * (c->source is left to the caller).  Returns 0, or -1 with "what: why"
 * in err (expired credentials too).
 */
int aws_sso_creds_parse(const char *doc, size_t n, struct aws_creds *c,
    int64_t now, const char *what, struct buf *err);

/* What one GetRoleCredentials call needs. */
struct aws_sso_call {
	const char *base;	/* "scheme://host[:port]" of the portal */
	const char *account_id, *role_name;
	const char *token;	/* the bearer token */
	const char *what;	/* starts every message */
	const char *login;	/* the profile to name in "run aws sso login
				 * --profile NAME" */
};

/*
 * Calls GetRoleCredentials and fills c.  With o->dry the request is
 * traced and not sent.  Returns AWS_CREDS_OK, or AWS_CREDS_REMOTE with
 * one line in err: no answer, the portal's refusal (a 401 is "the SSO
 * token has expired: run aws sso login --profile NAME"), or an answer
 * without usable credentials.
 */
int aws_sso_get_role_credentials(struct aws_creds *c,
    const struct aws_sso_call *call, const struct aws_conf *conf,
    const struct aws_creds_opts *o, int64_t now, struct buf *err);

/* Appends the portal's own endpoint for region to b:
 * https://portal.sso.REGION.amazonaws.com (.com.cn in China). */
void aws_sso_default_endpoint(struct buf *b, const char *region);

#endif
