/* SPDX-License-Identifier: MIT */
/*
 * The AWS credential chain, in the AWS CLI's order; the first source
 * that has credentials wins:
 *
 *   1. environment      AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *                       (+ AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION)
 *   2. assume role      the profile has role_arn (and no
 *                       web_identity_token_file): STS AssumeRole, signed
 *                       with the credentials of source_profile (a chain
 *                       of profiles: each source profile's own sources 3
 *                       to 7 with the environment's web identity left
 *                       out, or, when it has role_arn and no keys of its
 *                       own, its role in turn; a loop is an error naming
 *                       it) or of credential_source (Environment,
 *                       Ec2InstanceMetadata or EcsContainer: sources 1,
 *                       9, 8); role_session_name (default
 *                       botocore-session-<epoch seconds>), external_id,
 *                       duration_seconds; mfa_serial is refused, since a
 *                       pipeline cannot prompt for a code
 *   3. web identity     AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 *                       AWS_ROLE_SESSION_NAME, each over the profile's
 *                       web_identity_token_file, role_arn,
 *                       role_session_name: STS AssumeRoleWithWebIdentity,
 *                       unsigned, with the token file read anew each time
 *                       (Kubernetes rotates it)
 *   4. SSO              the profile has sso_account_id or sso_role_name:
 *                       with sso_session = NAME, [sso-session NAME]'s
 *                       sso_start_url and sso_region, else the profile's
 *                       own (the legacy form); the token aws sso login
 *                       cached in $HOME/.aws/sso/cache/<sha1 of NAME or of
 *                       the start URL>.json, then the portal's
 *                       GetRoleCredentials (lib/aws/aws_sso.h)
 *   5. credentials file aws_access_key_id + aws_secret_access_key
 *                       (+ aws_session_token) in the profile's section
 *   -  not supported    login_session (aws login): an error that says
 *                       so, where the CLI would use it
 *   6. credential_process, run without a shell (split as shlex does),
 *                       stdin /dev/null, stderr passed through; prints
 *                       {"Version":1,"AccessKeyId",...}
 *   7. config file      the same keys in the config file's profile
 *   8. container        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *                       169.254.170.2) or _FULL_URI (https anywhere; http
 *                       to loopback, 169.254.170.2, 169.254.170.23 or
 *                       fd00:ec2::23), Authorization from
 *                       AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN
 *   9. EC2 IMDS         unless AWS_EC2_METADATA_DISABLED=true: IMDSv2
 *                       (PUT a token, then GET the role and its keys),
 *                       IMDSv1 only where the CLI falls back to it (token
 *                       refused with 403, 404 or 405, a 5xx, or no answer
 *                       after connecting) and never with
 *                       AWS_EC2_METADATA_V1_DISABLED=true
 *
 * A profile named on the command line (-p, the CLI's --profile; not
 * AWS_PROFILE) sets the environment's credentials aside, as the CLI
 * does: step 1 and the environment's part of step 3 are skipped, and
 * credential_source = Environment is how such a profile uses them.
 *
 * Steps 5 and 7 follow the CLI, whose credential_process comes between
 * the two files.  A half-set pair (a key without its secret, or the
 * reverse) is an error naming what is missing, in the environment and
 * in the files alike.
 *
 * STS (lib/aws/aws_sts.h) is asked at the configured endpoint of "sts"
 * (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's services
 * section, its endpoint_url), else at https://sts.REGION.amazonaws.com
 * for the configuration's region, or https://sts.amazonaws.com where
 * sts_regional_endpoints (AWS_STS_REGIONAL_ENDPOINTS) is legacy and the
 * region one of STS's old global ones.  The SSO portal likewise: "sso"'s
 * configured endpoint, else https://portal.sso.SSO_REGION.amazonaws.com.
 * Nothing is cached between loads: each one runs the whole step again,
 * source credentials included, so a refresh (aws_creds_stale) gets a
 * fresh token file and fresh source credentials as well.
 *
 * HTTP is libcurl's easy interface, one request at a time: IMDS gets
 * metadata_service_timeout seconds (AWS_METADATA_SERVICE_TIMEOUT, or the
 * profile's; default 1) to connect and twice that in all, and
 * metadata_service_num_attempts tries (default 1); container credentials
 * get 1 s to connect, 2 s in all, and 3 tries when the connection is
 * refused or the answer is a 5xx.  No proxy is used for link-local or
 * loopback addresses (for STS and the SSO portal too).  Call
 * curl_global_init before aws_creds_load.
 *
 * STS and the SSO portal get 5 s to connect, 30 s in all, and 3 tries
 * when no connection is made or the answer is a 5xx; TLS is verified
 * against the configuration's CA bundle (AWS_CA_BUNDLE) or the system's.
 *
 * Secrets (keys, session tokens, the container authorization token, the
 * IMDS token, the web identity token, the SSO token) are never put into
 * a message, a trace line, nor on a command line.  Our own buffers that
 * held them are wiped before they are freed; the copies inside libcurl,
 * jansson and expat are not ours to wipe.
 *
 * In a program's main:
 *
 *	struct aws_conf_opts o = { .profile = pflag, .region = rflag,
 *	    .endpoint = eflag, .service = "s3" };
 *	if (aws_conf_load(&conf, &o, getenv, &err) < 0)
 *		diex(EXIT_USAGE, "%s", err.p);
 *	r = aws_creds_load(&cr, &conf, getenv, time(NULL), &err);
 *	if (r != AWS_CREDS_OK && !(r == AWS_CREDS_NONE && no_sign_request))
 *		diex(aws_creds_exit_status(r), "%s", err.p);
 *
 * and before signing, in a long run: if aws_creds_stale(&cr, now), load a
 * new struct aws_creds, and on success aws_creds_free the old one and use it.
 */
#ifndef AWS_CREDS_H
#define AWS_CREDS_H

#include <stdint.h>

#include "aws_conf.h"
#include "buf.h"

struct aws_creds {
	char *akid;
	char *secret;
	char *token;		/* NULL: long-term keys, no session token */
	int64_t expires;	/* epoch seconds; 0: never */
	int64_t loaded;		/* the now aws_creds_load was given */
	char source[40];	/* "environment", "assume role", "web
				 * identity", "SSO", "container", ... */
};

#define AWS_CREDS_INIT { 0 }

/* aws_creds_load's results */
enum {
	AWS_CREDS_OK = 0,
	AWS_CREDS_BROKEN = -1,	/* a source is misconfigured, or its
				 * credentials are unusable: exit 2 */
	AWS_CREDS_NONE = -2,	/* no source had any: exit 3, or go unsigned
				 * (--no-sign-request) */
	AWS_CREDS_REMOTE = -3,	/* the container endpoint, IMDS, STS or
				 * the SSO portal failed or refused, or the
				 * SSO token is missing or expired: exit 3 */
};

/*
 * Runs the chain for conf's profile with env and the time now.  c is
 * overwritten, not freed: aws_creds_free an old one first.  Returns
 * AWS_CREDS_OK and fills c (free it with aws_creds_free), or one of the codes
 * above with c empty and one line appended to err: which source and why
 * ("credential_process: exited 1"), or for AWS_CREDS_NONE what was tried
 * ("no credentials: tried environment, shared files (profile default),
 * container, EC2 instance metadata (disabled)").  Credentials that have
 * already expired at now are AWS_CREDS_BROKEN (AWS_CREDS_REMOTE from IMDS, a
 * container, STS or SSO).  Some of the messages:
 *
 *   profile r: role_arn needs source_profile or credential_source
 *   profile r: source_profile b makes a loop: r -> a -> b
 *   profile r: source_profile x: no such profile
 *   profile r: source_profile x has no credentials
 *   profile r: mfa_serial is set, and a pipeline cannot prompt for an
 *       MFA code: use a role without MFA, or credential_process
 *   profile r: credential_source 'X' is not Environment,
 *       Ec2InstanceMetadata or EcsContainer
 *   profile r: assume role ARN: HTTP 403 AccessDenied: <STS's message>
 *   web identity (AWS_WEB_IDENTITY_TOKEN_FILE): token file F: <errno>
 *   profile p: SSO session s: the SSO token has expired: run aws sso
 *       login --profile p
 *   profile p: SSO session s: no SSO token (FILE): run aws sso login
 *       --profile p
 *   STS: sts_regional_endpoints 'x': not legacy or regional
 */
int aws_creds_load(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, struct buf *err);

/* What a caller may ask of a load besides the credentials. */
struct aws_creds_opts {
	/* called with one line (no newline, no secret) for each request
	 * to STS or the SSO portal: method, URL, action and role */
	void (*trace)(void *arg, const char *line);
	void *arg;
	/* send no request to STS or the SSO portal: trace it, and fail
	 * that step with "...: not sent (dry run)" (AWS_CREDS_REMOTE) */
	int dry;
	/* polled (with arg) while STS or the SSO portal is waited for:
	 * nonzero ends the wait at once, and the step fails with
	 * "...: interrupted" (AWS_CREDS_REMOTE); a program passes one that
	 * reads its SIGINT/SIGTERM flag.  NULL: waits run their course */
	int (*cancel)(void *arg);
};

/* aws_creds_load with o (NULL: none). */
int aws_creds_load_with(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, const struct aws_creds_opts *o,
    struct buf *err);

/*
 * For the sources' modules (aws_sts, aws_sso): fills c (source left
 * empty) with copies of the values after checking them: non-empty
 * keys, printable ASCII without spaces, and not expired at now (expires
 * 0: never).  Returns 0, or -1 with "what: why" appended to err (never
 * a value) and c empty.
 */
int aws_creds_fill(struct aws_creds *c, const char *akid, const char *secret,
    const char *token, int64_t expires, int64_t now, const char *what,
    struct buf *err);

/*
 * The credential document of credential_process (version 1: its
 * "Version" must be 1, tokkey "SessionToken"), of a container endpoint
 * or of IMDS (version 0, tokkey "Token"): doc[0..n) as JSON with
 * AccessKeyId, SecretAccessKey, the session token under tokkey, an
 * optional Expiration (after now) and, when present, Code "Success".
 * Returns 1 with c filled (source its source), or fail with c empty
 * and "what: why" appended to err (one line, never a secret).
 * The sources' own, and for tests and fuzzing.
 */
int aws_creds_doc(struct aws_creds *c, const char *source, const char *what,
    const char *doc, size_t n, int version, const char *tokkey, int64_t now,
    int fail, struct buf *err);

/*
 * True when temporary credentials should be replaced: within ten
 * minutes of expiry, or within half their lifetime for short-lived ones
 * (so a 15-minute credential is refreshed after 7.5 minutes, not at
 * once).  Never true for credentials that do not expire.
 */
int aws_creds_stale(const struct aws_creds *c, int64_t now);

/* The exit status (EXIT_USAGE or EXIT_REMOTE) for a aws_creds_load error. */
int aws_creds_exit_status(int rc);

/* Wipes the secret and token, frees everything, and empties c. */
void aws_creds_free(struct aws_creds *c);

#endif
