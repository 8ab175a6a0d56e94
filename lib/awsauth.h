/* SPDX-License-Identifier: MIT */
/*
 * One service's configuration, credentials and signing, as a networked
 * program needs them: load once, then sign each request (each attempt).
 * Temporary credentials are fetched again before they expire, and the
 * day's signing key is derived once a day, so a request costs two hashes
 * and an HMAC.
 */
#ifndef AWSAUTH_H
#define AWSAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "awsconf.h"
#include "buf.h"
#include "sigv4.h"

struct awsauth;

/*
 * Loads the configuration for o->service ("s3" or "dynamodb") and, unless
 * nosign, the credentials.  Returns NULL with one line in err (no program
 * name) and *status set: EXIT_USAGE for a configuration error or a
 * broken credential source, EXIT_REMOTE when a remote source (container,
 * instance metadata) refused or failed (creds_exit_status).
 */
struct awsauth *awsauth_new(const struct awsconf_opts *o, int nosign,
    awsconf_env env, int64_t now, struct buf *err, int *status);
void awsauth_free(struct awsauth *a);

/* The resolved configuration: region, endpoint, CA bundle. */
const struct awsconf *awsauth_conf(const struct awsauth *a);
/* Where the credentials came from ("environment", ...), or "none". */
const char *awsauth_source(const struct awsauth *a);

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
int awsauth_sign(struct awsauth *a, const char *method, const char *host,
    const char *path, const struct sigv4_param *params, size_t nparams,
    const struct sigv4_header *extra, size_t nextra,
    const char *payload_hash, int64_t now, struct curl_slist **headers,
    struct buf *err);

#endif
