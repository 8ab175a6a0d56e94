/* SPDX-License-Identifier: MIT */
/*
 * A test driver for lib/aws/aws_conf and lib/aws/aws_creds, not installed: loads the
 * configuration and the credentials with the real environment and says
 * what it found, never a secret's value.  Exit 0, or the status the
 * programs would use (2 configuration, 3 a credential service failed).
 *   -C       configuration only, no credentials
 *   -S secs  also say whether the credentials are stale secs from now
 *   -v       say each request to STS or the SSO portal ("request ...")
 *   -n       a dry run: say those requests, send none (implies -v)
 *   -L n     load n times: after each load, wait until the credentials
 *            are stale (as a long run does), then load anew; each new
 *            load says "reload N akid ... expires ..."
 *   -X cmd   run cmd (with sh -c) before each reload, to change the
 *            world between loads (a rotated web identity token)
 * SIGTERM ends a wait for STS or the SSO portal (the cancel hook), and
 * credprobe then exits 143.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "usage: credprobe [-Cnv] [-c ca_bundle] [-e endpoint] "
	    "[-L n] [-p profile] [-r region] [-S secs] [-s service] "
	    "[-X cmd]\n");
	exit(EXIT_USAGE);
}

static volatile sig_atomic_t stop;

static void
onsignal(int sig)
{
	stop = sig;
}

static int
cancel(void *arg)
{
	(void)arg;
	return stop != 0;
}

static void
trace(void *arg, const char *line)
{
	(void)arg;
	printf("request %s\n", line);
	fflush(stdout);
}

/* "2026-01-01T00:00:00Z", or "never" */
static const char *
when(int64_t t, char iso[25])
{
	if (!t || tstamp_iso(t, 0, iso) < 0)
		snprintf(iso, 25, "never");
	else
		iso[19] = 'Z', iso[20] = '\0';
	return iso;
}

/* after the first load: wait until cr is stale, then load anew, n - 1
 * times; returns the exit status */
static int
reload(struct aws_creds *cr, const struct aws_conf *conf,
    const struct aws_creds_opts *co, long n, const char *cmd)
{
	struct aws_creds fresh;
	struct buf err = BUF_INIT;
	struct timespec ts = { 0, 100 * 1000000L };
	char iso[25];
	int64_t now;
	long i, waited;
	int r, rc = EXIT_OK;

	for (i = 2; i <= n && rc == EXIT_OK; i++) {
		for (waited = 0; !aws_creds_stale(cr, (int64_t)time(NULL));
		    waited++) {
			if (waited == 1200)
				diex(EXIT_PARTIAL, "reload %ld: not stale "
				    "after 120 s", i);
			nanosleep(&ts, NULL);
		}
		fflush(stdout);
		if (cmd && system(cmd) != 0)
			diex(EXIT_PARTIAL, "-X %s failed", cmd);
		now = (int64_t)time(NULL);
		buf_reset(&err);
		r = aws_creds_load_with(&fresh, conf, getenv, now, co, &err);
		if (r != AWS_CREDS_OK) {
			fflush(stdout);
			warnx("reload %ld: %s", i, err.p);
			rc = aws_creds_exit_status(r);
			break;
		}
		aws_creds_free(cr);
		*cr = fresh;
		printf("reload %ld akid %s expires %s\n", i, cr->akid,
		    when(cr->expires, iso));
	}
	buf_free(&err);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct aws_conf_opts o = { .service = "s3" };
	struct aws_conf conf = AWS_CONF_INIT;
	struct aws_creds cr = AWS_CREDS_INIT;
	struct buf err = BUF_INIT, ep = BUF_INIT;
	struct aws_creds_opts co = { .cancel = cancel };
	struct sigaction sa;
	int ch, rc, Cflag = 0;
	long later = 0, loads = 1;
	const char *xcmd = NULL;
	char *end;
	int64_t now = (int64_t)time(NULL);
	char iso[25];

	err_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "Cc:e:L:np:r:S:s:vX:")) != -1) {
		switch (ch) {
		case 'C': Cflag = 1; break;
		case 'n': co.dry = 1; co.trace = trace; break;
		case 'v': co.trace = trace; break;
		case 'X': xcmd = optarg; break;
		case 'L':
			loads = strtol(optarg, &end, 10);
			if (*end || end == optarg || loads < 1)
				usage();
			break;
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
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
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
		int r = aws_creds_load_with(&cr, &conf, getenv, now, &co,
		    &err);

		if (r != AWS_CREDS_OK) {
			fflush(stdout);
			warnx("%s", err.p);
			rc = aws_creds_exit_status(r);
		} else {
			printf("source %s\nakid %s\nsecret %s\ntoken %s\n"
			    "expires %s\nstale %s\n", cr.source, cr.akid,
			    cr.secret && *cr.secret ? "yes" : "no",
			    cr.token ? "yes" : "no", when(cr.expires, iso),
			    aws_creds_stale(&cr, now) ? "yes" : "no");
			if (later)
				printf("stale in %ld s %s\n", later,
				    aws_creds_stale(&cr, now + later) ? "yes" :
				    "no");
			if (loads > 1)
				rc = reload(&cr, &conf, &co, loads, xcmd);
		}
	}
	aws_creds_free(&cr);
	aws_conf_free(&conf);
	buf_free(&err);
	buf_free(&ep);
	curl_global_cleanup();
	if (fshut(stdout, "stdout"))
		rc = rc ? rc : EXIT_PARTIAL;
	return stop ? EXIT_SIGTERM : rc;
}
