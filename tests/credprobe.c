/* SPDX-License-Identifier: MIT */
/*
 * A test driver for lib/aws/aws_conf and lib/aws/aws_creds, not installed: loads the
 * configuration and the credentials with the real environment and says
 * what it found, never a secret's value.  Exit 0, or the status the
 * programs would use (2 configuration, 3 a credential service failed).
 *   -C       configuration only, no credentials
 *   -S secs  also say whether the credentials are stale secs from now
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws_conf.h"
#include "buf.h"
#include "aws_creds.h"
#include "err.h"
#include "fshut.h"
#include "tstamp.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: credprobe [-C] [-c ca_bundle] [-e endpoint] "
	    "[-p profile] [-r region] [-S secs] [-s service]\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct aws_conf_opts o = { .service = "s3" };
	struct aws_conf conf = AWS_CONF_INIT;
	struct aws_creds cr = AWS_CREDS_INIT;
	struct buf err = BUF_INIT, ep = BUF_INIT;
	int ch, rc, Cflag = 0;
	long later = 0;
	char *end;
	int64_t now = (int64_t)time(NULL);
	char iso[25];

	err_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "Cc:e:p:r:S:s:")) != -1) {
		switch (ch) {
		case 'C': Cflag = 1; break;
		case 'c': o.ca_bundle = optarg; break;
		case 'e': o.endpoint = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'r': o.region = optarg; break;
		case 's': o.service = optarg; break;
		case 'S':
			later = strtol(optarg, &end, 10);
			if (*end || end == optarg)
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		diex(EXIT_USAGE, "curl_global_init failed");
	if (aws_conf_load(&conf, &o, getenv, &err) < 0)
		diex(EXIT_USAGE, "%s", err.p);
	if (conf.endpoint)
		buf_adds(&ep, conf.endpoint);
	else
		aws_conf_default_endpoint(&ep, o.service, conf.region);
	printf("profile %s\nregion %s\nendpoint %s (%s)\nca_bundle %s\n",
	    conf.profile, conf.region, ep.p,
	    conf.custom_endpoint ? "custom" : "default",
	    conf.ca_bundle ? conf.ca_bundle : "system");
	rc = EXIT_OK;
	if (!Cflag) {
		int r = aws_creds_load(&cr, &conf, getenv, now, &err);

		if (r != AWS_CREDS_OK) {
			fflush(stdout);
			warnx("%s", err.p);
			rc = aws_creds_exit_status(r);
		} else {
			if (!cr.expires || tstamp_iso(cr.expires, 0, iso) < 0)
				snprintf(iso, sizeof iso, "never");
			else
				iso[19] = 'Z', iso[20] = '\0';
			printf("source %s\nakid %s\nsecret %s\ntoken %s\n"
			    "expires %s\nstale %s\n", cr.source, cr.akid,
			    cr.secret && *cr.secret ? "yes" : "no",
			    cr.token ? "yes" : "no", iso,
			    aws_creds_stale(&cr, now) ? "yes" : "no");
			if (later)
				printf("stale in %ld s %s\n", later,
				    aws_creds_stale(&cr, now + later) ? "yes" :
				    "no");
		}
	}
	aws_creds_free(&cr);
	aws_conf_free(&conf);
	buf_free(&err);
	buf_free(&ep);
	curl_global_cleanup();
	if (fshut(stdout, "stdout"))
		rc = rc ? rc : EXIT_PARTIAL;
	return rc;
}
