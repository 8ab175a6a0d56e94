/* SPDX-License-Identifier: MIT */
/*
 * What a program that talks to S3 sets up before its first request, the
 * same in s3cat and s3put: the configuration and credentials its AWS
 * options name (lib/aws/aws_auth), the S3 adapter over them, and an
 * http loop with the retries, CA bundle and region they give.
 *
 *	struct s3_client c;
 *	if (s3_client_open(&c, &o, &err, &status) < 0) ... exit(status)
 *	... c.s3, c.http ...
 *	s3_client_close(&c);
 */
#ifndef S3_CLIENT_H
#define S3_CLIENT_H

#include "aws_conf.h"
#include "buf.h"
#include "http.h"
#include "s3.h"

struct aws_auth;

struct s3_client_opts {
	const struct aws_conf_opts *aws;	/* -e, -p, -r, --ca-bundle */
	int nosign;		/* anonymous requests */
	int request_payer;
	int conns;		/* connections at once */
	long recv_buffer;	/* 0: libcurl's */
	const char *user_agent;
	void (*notice)(const char *msg);	/* a credential notice */
};

struct s3_client {
	struct aws_auth *auth;
	struct s3 s3;
	struct http *http;
};

/*
 * Sets c up (main has called curl_global_init).  0, or -1 with one line
 * in err and in *status the exit status it calls for (EXIT_USAGE: the
 * configuration, or too few file descriptors for a connection;
 * EXIT_REMOTE: the credentials were refused); c then holds nothing to
 * close.
 */
int s3_client_open(struct s3_client *c, const struct s3_client_opts *o,
		   struct buf *err, int *status);
void s3_client_close(struct s3_client *c);

#endif
