/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "aws_auth.h"
#include "aws_http.h"
#include "clock.h"
#include "http.h"

int
aws_http_opts(struct http_opts *o, const struct aws_auth *auth,
	      struct buf *err)
{
	o->ca_bundle = aws_auth_conf(auth)->ca_bundle;
	o->region = aws_auth_conf(auth)->region;
	o->seed = (uint64_t)clock_ns() ^ ((uint64_t)getpid() << 32);
	return http_opts_env(o, getenv, err);
}
