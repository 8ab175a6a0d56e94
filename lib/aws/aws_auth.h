/* SPDX-License-Identifier: MIT */
/*
 * One service's configuration, credentials and signing, as a networked
 * program needs them: load once, then sign each request (each attempt).
 * Temporary credentials are fetched again before they expire, and the
 * day's signing key is derived once a day, so a request costs two hashes
 * and an HMAC.
 */
#ifndef AWS_AUTH_H
#define AWS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "aws_conf.h"
#include "buf.h"
#include "sigv4.h"

struct aws_auth;

/*
 * Loads the configuration for o->service ("s3" or "dynamodb") and, unless
 * nosign, the credentials.  Returns NULL with one line in err (no program
 * name) and *status set: EXIT_USAGE for a configuration error or a
 * broken credential source, EXIT_REMOTE when a remote source (container,
 * instance metadata) refused or failed (aws_creds_exit_status).
 */
struct aws_auth *aws_auth_new(const struct aws_conf_opts *o, int nosign,
    aws_conf_env env, int64_t now, struct buf *err, int *status);
void aws_auth_free(struct aws_auth *a);

/* The resolved configuration: region, endpoint, CA bundle. */
const struct aws_conf *aws_auth_conf(const struct aws_auth *a);
/* Where the credentials came from ("environment", ...), or "none". */
const char *aws_auth_source(const struct aws_auth *a);

/*
 * Signs one request and appends to *headers what signing adds:
 * x-amz-date, x-amz-content-sha256 (S3), x-amz-security-token (when the
 * credentials have one) and Authorization.  host is the URL's authority
 * as sent ("127.0.0.1:4568", "b.s3.eu-west-1.amazonaws.com"); path and
 * params are unencoded (the URL must be built from sigv4_canonical_uri
 * and sigv4_canonical_query of the same); extra are the headers the caller
 * sends and wants signed (content-type, x-amz-target, range...).  With
 * nosign nothing is added.  Returns 0, or -1 with the reason in err when
 * expired credentials could not be renewed.
 */
int aws_auth_sign(struct aws_auth *a, const char *method, const char *host,
    const char *path, const struct sigv4_param *params, size_t nparams,
    const struct sigv4_header *extra, size_t nextra,
    const char *payload_hash, int64_t now, struct curl_slist **headers,
    struct buf *err);

#endif
