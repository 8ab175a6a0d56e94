/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "aws_conf.h"
#include "aws_opts.h"

int
aws_opts_take(struct aws_conf_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'e':
		o->endpoint = arg;
		return 1;
	case 'p':
		o->profile = arg;
		return 1;
	case 'r':
		o->region = arg;
		return 1;
	case AWS_OPT_CA_BUNDLE:
		o->ca_bundle = arg;
		return 1;
	}
	return 0;
}
