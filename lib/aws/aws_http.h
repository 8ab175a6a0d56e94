/* SPDX-License-Identifier: MIT */
/*
 * The http options of a program that talks to AWS, set alike in each:
 * what its configuration says (the CA bundle, the region), a seed for
 * the retries' jitter, and the environment's settings (http_opts_env).
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include "aws_auth.h"
#include "buf.h"
#include "http.h"

/* Sets o's ca_bundle, region and seed from auth and the clock, then
 * reads the environment.  0, or -1 with one line in err. */
int aws_http_opts(struct http_opts *o, const struct aws_auth *auth,
		  struct buf *err);

#endif
