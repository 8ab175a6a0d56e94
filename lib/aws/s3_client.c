/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_auth.h"
#include "aws_http.h"
#include "err.h"
#include "s3_client.h"

int
s3_client_open(struct s3_client *c, const struct s3_client_opts *o,
	       struct buf *err, int *status)
{
	struct s3_opts so = { .request_payer = o->request_payer,
			      .fixed_region = o->aws->region != NULL };
	struct http_opts ho = { .conns = o->conns, .max_attempts = 8,
		.base_ms = 100, .cap_ms = 20000, .user_agent = o->user_agent,
		.recv_buffer = o->recv_buffer };

	memset(c, 0, sizeof *c);
	*status = EXIT_USAGE;
	if (!(c->auth = aws_auth_new(o->aws, o->nosign, getenv,
				     (int64_t)time(NULL), err, status)))
		return -1;
	so.auth = c->auth;
	if (s3_init(&c->s3, &so, err) < 0 ||
	    aws_http_opts(&ho, c->auth, err) < 0) {
		s3_client_close(c);
		*status = EXIT_USAGE;
		return -1;
	}
	if (!(c->http = http_new(&ho, err))) {	/* too few descriptors */
		s3_client_close(c);
		*status = EXIT_USAGE;
		return -1;
	}
	if (o->notice)
		aws_auth_notice(c->auth, o->notice);
	return 0;
}

void
s3_client_close(struct s3_client *c)
{
	http_free(c->http);
	s3_free(&c->s3);
	aws_auth_free(c->auth);
	memset(c, 0, sizeof *c);
}
