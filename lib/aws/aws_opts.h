/* SPDX-License-Identifier: MIT */
/*
 * The options every program that talks to AWS takes, spelled and read
 * alike, as the AWS CLI spells them:
 *
 *	-e, --endpoint-url URL   -p, --profile NAME   -r, --region NAME
 *	--ca-bundle FILE
 *
 * A program puts AWS_OPTS_SHORT in its getopt string, AWS_OPTS_LONG in
 * its long options, AWS_OPTS_SYNOPSIS in its usage and AWS_OPTS_HELP in
 * its help, and hands each option to aws_opts_take first.
 */
#ifndef AWS_OPTS_H
#define AWS_OPTS_H

#include "aws_conf.h"

#define AWS_OPT_CA_BUNDLE 0x4000	/* --ca-bundle's getopt value */

#define AWS_OPTS_SHORT "e:p:r:"
#define AWS_OPTS_LONG \
	{ "endpoint-url", required_argument, NULL, 'e' }, \
	{ "profile", required_argument, NULL, 'p' }, \
	{ "region", required_argument, NULL, 'r' }, \
	{ "ca-bundle", required_argument, NULL, AWS_OPT_CA_BUNDLE }
#define AWS_OPTS_SYNOPSIS \
	"[-e endpoint] [-p profile] [-r region] [--ca-bundle file]"
#define AWS_OPTS_HELP \
	"  -e, --endpoint-url url  the service's endpoint, not AWS's\n" \
	"  -p, --profile name      the AWS CLI profile to use\n" \
	"  -r, --region name       the AWS region\n" \
	"  --ca-bundle file        trust the certificates in file\n"

/* Sets o's field for option c (a getopt result) to arg and returns 1,
 * or returns 0 when c is not one of them. */
int aws_opts_take(struct aws_conf_opts *o, int c, const char *arg);

#endif
