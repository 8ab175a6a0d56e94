/* SPDX-License-Identifier: MIT */
/*
 * AWS STS over the Query API, for the credential chain (aws_creds):
 * AssumeRole, signed with SigV4 by the source credentials, and
 * AssumeRoleWithWebIdentity, unsigned.  Both POST a form
 * (Action=...&Version=2011-06-15&...) and read the XML answer with
 * expat.
 *
 * Where requests go, as the AWS CLI picks it: the configured endpoint of
 * "sts" (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's services
 * section, its endpoint_url), else AWS's own for the configuration's
 * region: https://sts.REGION.amazonaws.com, unless sts_regional_endpoints
 * (AWS_STS_REGIONAL_ENDPOINTS, else the profile's) is "legacy" and the
 * region one of those STS once served from its global endpoint:
 * https://sts.amazonaws.com, signed for us-east-1.
 *
 * HTTP: 5 s to connect, 30 s in all, TLS verified (the configuration's
 * CA bundle, else the system's store), 3 tries when no connection is
 * made or the answer is a 5xx.  Nothing secret (keys, session tokens,
 * the web identity token) is put into a message or a trace line.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

#include <stdint.h>

#include "aws_conf.h"
#include "aws_creds.h"
#include "buf.h"

/* Where STS requests go and how they are signed. */
struct aws_sts_ep {
	struct buf url;		/* "scheme://host[:port]" */
	char region[64];	/* the signing region */
};

#define AWS_STS_EP_INIT { BUF_INIT, { 0 } }

/*
 * Resolves the endpoint for conf (its profile and region) and env.
 * Returns 0, or -1 with the reason in err: a bad endpoint URL, an
 * sts_regional_endpoints that is neither legacy nor regional.
 */
int aws_sts_endpoint(struct aws_sts_ep *ep, const struct aws_conf *conf,
    aws_conf_env env, struct buf *err);
void aws_sts_ep_free(struct aws_sts_ep *ep);

/* What one AssumeRole* call asks for. */
struct aws_sts_call {
	const char *role_arn;
	const char *session_name;
	const char *external_id;	/* NULL: none */
	long duration;			/* seconds; 0: STS's default */
	const char *web_token;		/* AssumeRoleWithWebIdentity's
					 * token; NULL: AssumeRole */
	const char *what;		/* starts every message */
};

/*
 * Calls AssumeRole (signed with src) or, with call->web_token,
 * AssumeRoleWithWebIdentity (src unused: may be NULL), and fills c with
 * the answer's credentials (c->source is left to the caller).  conf
 * gives the CA bundle, o the trace; with o->dry the request is traced
 * and not sent (AWS_CREDS_REMOTE, "what: not sent (dry run)").
 * Returns AWS_CREDS_OK, or AWS_CREDS_REMOTE with one line in err: no
 * answer, STS's refusal ("what: HTTP 403 AccessDenied: ..."), or an
 * answer without usable credentials.
 */
int aws_sts_assume(struct aws_creds *c, const struct aws_sts_ep *ep,
    const struct aws_creds *src, const struct aws_sts_call *call,
    const struct aws_conf *conf, const struct aws_creds_opts *o,
    int64_t now, struct buf *err);

/* The parts of an STS answer that matter.  Wipe with aws_sts_answer_free. */
struct aws_sts_answer {
	struct buf akid, secret, token, expiration;	/* the Credentials */
	struct buf code, message;	/* an ErrorResponse's Error */
};

#define AWS_STS_ANSWER_INIT { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, \
	BUF_INIT, BUF_INIT }

/*
 * Parses an STS answer: <AssumeRoleResponse> or
 * <AssumeRoleWithWebIdentityResponse> (its Result's Credentials), or
 * <ErrorResponse> (its Error's Code and Message).  Returns 0 for
 * credentials (each of the four present and non-empty), 1 for an error
 * document (with a Code), -1 for anything else (no DOCTYPE, no other
 * root; the reason, never a value, in err).
 */
int aws_sts_parse(const char *xml, size_t n, struct aws_sts_answer *a,
    struct buf *err);
void aws_sts_answer_free(struct aws_sts_answer *a);

#endif
