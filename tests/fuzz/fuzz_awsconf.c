/* SPDX-License-Identifier: MIT */
/*
 * The AWS config and credentials files: aws_conf_load on any bytes, the
 * part before the first NUL as the config file and the rest as the
 * credentials file (each written to a memfd that AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE name), once with the default profile for
 * s3 and once with AWS_PROFILE=dev for dynamodb; then aws_conf_get of
 * the keys the programs read, the source profile's and the
 * [sso-session]'s, and aws_conf_service_endpoint for sts and sso (the
 * [services] sections).  Checks, beyond the sanitizers: an error is one
 * line (appended, no control characters) and leaves c empty; a loaded
 * configuration has a profile and a region name, and an endpoint, when
 * there is one, of the form scheme://host[:port] without a slash at
 * the end; a value has no space at either end.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aws_conf.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char confpath[64], credpath[64];
static const char *profile;

static char *
env(const char *name)
{
	if (!strcmp(name, "AWS_CONFIG_FILE"))
		return confpath;
	if (!strcmp(name, "AWS_SHARED_CREDENTIALS_FILE"))
		return credpath;
	if (!strcmp(name, "AWS_PROFILE"))
		return (char *)profile;
	return NULL;
}

/* A memfd holding p[0..n), named in path. */
static void
put(int *fd, char *path, size_t cap, const uint8_t *p, size_t n)
{
	if (*fd < 0) {
		if ((*fd = memfd_create("fuzz_awsconf", 0)) < 0)
			abort();
		snprintf(path, cap, "/proc/self/fd/%d", *fd);
	}
	if (ftruncate(*fd, 0) < 0 ||
	    (n && pwrite(*fd, p, n, 0) != (ssize_t)n))
		abort();
}

/* err from mark on: one line, not empty */
static void
oneline(const struct buf *err, size_t mark)
{
	size_t i;

	if (err->len <= mark || strlen(err->p) != err->len)
		abort();
	for (i = mark; i < err->len; i++)
		if ((unsigned char)err->p[i] < 0x20 || err->p[i] == 0x7f)
			abort();
}

static void
value(const char *v)
{
	size_t n;

	if (!v || !*v)
		return;
	n = strlen(v);
	if (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]))
		abort();
}

/* scheme://host[:port], no slash at the end */
static void
endpoint(const char *e)
{
	const char *h;

	if (!strncmp(e, "https://", 8))
		h = e + 8;
	else if (!strncmp(e, "http://", 7))
		h = e + 7;
	else
		abort();
	if (!*h || strchr(h, '/') || strchr(h, '?') || strchr(h, '#') ||
	    strchr(h, '@'))
		abort();
}

static void
service(const struct aws_conf *c, const char *name, struct buf *out,
	struct buf *err)
{
	int rc;

	buf_reset(out);
	buf_reset(err);
	buf_adds(err, "x");
	rc = aws_conf_service_endpoint(c, name, env, out, err);
	if (rc == 1)
		endpoint(out->p);
	else if (rc == -1)
		oneline(err, 1);
	else if (rc != 0 || out->len)
		abort();
	if (rc != -1 && err->len != 1)
		abort();
}

static void
run(const char *prof, const char *svc)
{
	static const char *const keys[] = { "region", "endpoint_url",
		"s3.addressing_style", "s3.endpoint_url", "services",
		"sso_session", "sso_start_url", "credential_process",
		"role_arn", "source_profile", "credential_source", "ca_bundle",
		"aws_access_key_id", "ignore_configured_endpoint_urls",
		"sts_regional_endpoints", "metadata_service_timeout" };
	static struct buf err, out;
	struct aws_conf_opts o = { .service = svc };
	struct aws_conf c = AWS_CONF_INIT, zero = AWS_CONF_INIT;
	const char *v, *s;
	size_t i;

	profile = prof;
	buf_reset(&err);
	buf_adds(&err, "before: ");
	if (aws_conf_load(&c, &o, env, &err) < 0) {
		oneline(&err, 8);
		if (memcmp(&c, &zero, sizeof c))
			abort();
		return;
	}
	if (err.len != 8 || !c.profile || !c.region ||
	    !aws_conf_region_ok(c.region) || c.profile_flag ||
	    (c.endpoint && !c.custom_endpoint))
		abort();
	if (prof && (!c.profile_explicit || strcmp(c.profile, prof) ||
	    !aws_conf_profile_exists(&c, prof)))
		abort();
	if (c.endpoint)
		endpoint(c.endpoint);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		value(v = aws_conf_get(&c, keys[i]));
		if (v && aws_conf_file_get(&c, AWS_CONF_CREDENTIALS, keys[i]) !=
		    v && aws_conf_file_get(&c, AWS_CONF_CONFIG, keys[i]) != v)
			abort();
	}
	if ((s = aws_conf_get(&c, "source_profile"))) {
		aws_conf_profile_exists(&c, s);
		value(aws_conf_profile_get(&c, s, "role_arn"));
		value(aws_conf_profile_file_get(&c, AWS_CONF_CREDENTIALS, s,
		    "aws_secret_access_key"));
	}
	if ((s = aws_conf_get(&c, "sso_session"))) {
		if (!aws_conf_sso_session_exists(&c, s) &&
		    aws_conf_sso_session_get(&c, s, "sso_region"))
			abort();
		value(aws_conf_sso_session_get(&c, s, "sso_start_url"));
		value(aws_conf_sso_session_get(&c, s, "sso_region"));
	}
	service(&c, "sts", &out, &err);
	service(&c, "sso", &out, &err);
	aws_conf_free(&c);
	if (memcmp(&c, &zero, sizeof c))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int conffd = -1, credfd = -1;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;

	put(&conffd, confpath, sizeof confpath, data, n);
	put(&credfd, credpath, sizeof credpath, nul ? nul + 1 : data,
	    nul ? size - n - 1 : 0);
	run(NULL, "s3");
	run("dev", "dynamodb");
	return 0;
}
