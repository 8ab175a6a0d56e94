/* SPDX-License-Identifier: MIT */
/*
 * The AWS credential chain, in the AWS CLI's order; the first source
 * that has credentials wins:
 *
 *   1. environment      AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *                       (+ AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION)
 *   -  not supported    a profile with role_arn (assume role), with
 *                       web_identity_token_file or AWS_WEB_IDENTITY_
 *                       TOKEN_FILE, or with sso_*: an error that says so,
 *                       where the CLI would use that source
 *   2. credentials file aws_access_key_id + aws_secret_access_key
 *                       (+ aws_session_token) in the profile's section
 *   3. credential_process, run without a shell (split as shlex does),
 *                       stdin /dev/null, stderr passed through; prints
 *                       {"Version":1,"AccessKeyId",...}
 *   4. config file      the same keys in the config file's profile
 *   5. container        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *                       169.254.170.2) or _FULL_URI (https anywhere; http
 *                       to loopback, 169.254.170.2, 169.254.170.23 or
 *                       fd00:ec2::23), Authorization from
 *                       AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN
 *   6. EC2 IMDS         unless AWS_EC2_METADATA_DISABLED=true: IMDSv2
 *                       (PUT a token, then GET the role and its keys),
 *                       IMDSv1 only where the CLI falls back to it (token
 *                       refused with 403, 404 or 405, a 5xx, or no answer
 *                       after connecting) and never with
 *                       AWS_EC2_METADATA_V1_DISABLED=true
 *
 * Steps 2 and 4 follow the CLI, whose credential_process comes between
 * the two files.  A half-set pair (a key without its secret, or the
 * reverse) is an error naming what is missing, in the environment and
 * in the files alike.
 *
 * HTTP is libcurl's easy interface, one request at a time: IMDS gets
 * metadata_service_timeout seconds (AWS_METADATA_SERVICE_TIMEOUT, or the
 * profile's; default 1) to connect and twice that in all, and
 * metadata_service_num_attempts tries (default 1); container credentials
 * get 1 s to connect, 2 s in all, and 3 tries when the connection is
 * refused or the answer is a 5xx.  No proxy is used for link-local or
 * loopback addresses.  Call curl_global_init before aws_creds_load.
 *
 * Secrets (keys, session tokens, the container authorization token, the
 * IMDS token) are never put into a message, nor on a command line.  Our
 * own buffers that held them are wiped before they are freed; the copies
 * inside libcurl and jansson are not ours to wipe.
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
	char source[40];	/* "environment", "container", ... */
};

#define AWS_CREDS_INIT { 0 }

/* aws_creds_load's results */
enum {
	AWS_CREDS_OK = 0,
	AWS_CREDS_BROKEN = -1,	/* a source is misconfigured or unsupported,
				 * or its credentials are unusable: exit 2 */
	AWS_CREDS_NONE = -2,	/* no source had any: exit 3, or go unsigned
				 * (--no-sign-request) */
	AWS_CREDS_REMOTE = -3,	/* the container endpoint or IMDS failed or
				 * refused: exit 3, a retry may help */
};

/*
 * Runs the chain for conf's profile with env and the time now.  c is
 * overwritten, not freed: aws_creds_free an old one first.  Returns
 * AWS_CREDS_OK and fills c (free it with aws_creds_free), or one of the codes
 * above with c empty and one line appended to err: which source and why
 * ("credential_process: exited 1"), or for AWS_CREDS_NONE what was tried
 * ("no credentials: tried environment, shared files (profile default),
 * container, EC2 instance metadata (disabled)").  Credentials that have
 * already expired at now are AWS_CREDS_BROKEN (AWS_CREDS_REMOTE from IMDS or a
 * container).
 */
int aws_creds_load(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, struct buf *err);

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
