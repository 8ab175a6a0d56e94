/* SPDX-License-Identifier: MIT */
/*
 * AWS configuration as the AWS CLI resolves it: the shared config and
 * credentials files, the profile, the region, a service's endpoint and
 * the CA bundle.  Every program that talks to AWS loads one of these
 * first and hands it to lib/aws/aws_creds.
 *
 * The library never reads the environment or a clock itself: it calls
 * the env function it is given (main passes getenv; the tests pass a
 * table).  An environment variable set to "" counts as unset.
 *
 * The files are read as botocore reads them (Python's RawConfigParser):
 *   - [default] and [profile NAME] in the config file, [NAME] in the
 *     credentials file ([profile "a b"] may quote a name);
 *   - full-line comments start with # or ; (after any indent); there are
 *     no inline comments: "region = x # y" is the value "x # y";
 *   - "key = value" or "key: value", split at the first = or :; space
 *     around key and value is dropped; keys are folded to lowercase, as
 *     the CLI folds them, while section and profile names keep their case;
 *   - a line indented deeper than the setting above it continues that
 *     setting; when the setting's own value is empty the indented lines
 *     are a nested block ("s3 =\n  addressing_style = path"), kept as the
 *     keys "s3.addressing_style" (nested keys keep their case);
 *   - [services NAME] sections give per-service settings, as the CLI's
 *     service-specific endpoints do;
 *   - [sso-session NAME] sections (config file only) hold an SSO
 *     session's sso_start_url and sso_region.
 * Unlike the CLI, a repeated section or key is not an error: the later
 * value wins.  A line that is none of the above is an error that names
 * the file and line.
 */
#ifndef AWS_CONF_H
#define AWS_CONF_H

#include <signal.h>

#include "buf.h"

/* getenv's own type, so main can pass getenv; results are only read. */
typedef char *(*aws_conf_env)(const char *name);

/* What the command line said; NULL for anything it did not say. */
struct aws_conf_opts {
	const char *profile;	/* -p */
	const char *region;	/* -r */
	const char *endpoint;	/* -e */
	const char *ca_bundle;	/* --ca-bundle */
	const char *service;	/* "s3" or "dynamodb": whose endpoint */
	/* not configuration, but carried with it to aws_auth: a flag the
	 * program's SIGINT/SIGTERM handler sets, which ends a credential
	 * fetch's wait (STS, the SSO portal) at once; NULL: none */
	const volatile sig_atomic_t *stop;
};

struct aws_conf_files;		/* the parsed files; private */

/*
 * The resolved configuration.  Every string is owned by the struct and
 * lives until aws_conf_free.  Read the fields; do not change them.
 */
struct aws_conf {
	char *profile;		/* never NULL */
	int profile_explicit;	/* named by -p, AWS_PROFILE or
				 * AWS_DEFAULT_PROFILE, not by default */
	int profile_flag;	/* named by -p: the CLI's --profile, before
				 * which the environment's credentials
				 * give way (aws_creds.h) */
	char *region;		/* never NULL; us-east-1 when unset */
	char *endpoint;		/* "scheme://host[:port]", no trailing
				 * slash; NULL: use aws_conf_default_endpoint */
	int custom_endpoint;	/* endpoint came from a flag, env or file:
				 * S3 then uses path-style addressing */
	char *ca_bundle;	/* a readable file; NULL: libcurl's own */
	char *config_path;	/* NULL when HOME is unset and no */
	char *cred_path;	/* AWS_*_FILE names the file */
	struct aws_conf_files *files;
};

#define AWS_CONF_INIT { 0 }

/*
 * Resolves everything, each in this order (first one set wins):
 *   profile    o->profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"
 *   region     o->region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *              region, "us-east-1"
 *   endpoint   o->endpoint, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 *              the profile's services section's <service> endpoint_url,
 *              the profile's endpoint_url, none; all but the first are
 *              skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
 *              profile's ignore_configured_endpoint_urls) is true
 *   ca_bundle  o->ca_bundle, AWS_CA_BUNDLE, the profile's ca_bundle, the
 *              system's bundle found where Linux systems keep it
 *              (Debian's, Amazon Linux's, SUSE's, Alpine's...), none
 * The files are AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
 * $HOME/.aws/config and $HOME/.aws/credentials ("~/" is expanded with
 * HOME).  A missing file is empty; one that cannot be read is an error.
 * The profile's settings are the credentials file's over the config
 * file's, as the CLI merges them.
 *
 * Returns 0, or -1 with one line in err (appended; no program name, no
 * newline) for a configuration error: an unreadable or malformed file,
 * a profile that was named but exists in neither file, a region that is
 * no region name, an endpoint URL that is not http(s)://host[:port], a
 * CA bundle that cannot be opened.  On -1, c is freed and empty.
 */
int aws_conf_load(struct aws_conf *c, const struct aws_conf_opts *o,
    aws_conf_env env, struct buf *err);

/* The selected profile's value for key (credentials file over config
 * file), or NULL.  Nested keys are "parent.child". */
const char *aws_conf_get(const struct aws_conf *c, const char *key);

enum aws_conf_which { AWS_CONF_CONFIG, AWS_CONF_CREDENTIALS };

/* The selected profile's value for key in one file only, or NULL. */
const char *aws_conf_file_get(const struct aws_conf *c,
    enum aws_conf_which which, const char *key);

/*
 * The same for any profile, as an assume-role chain's source_profile
 * needs: the value in both files (credentials over config) or in one,
 * and whether the profile has a section in either file.
 */
const char *aws_conf_profile_get(const struct aws_conf *c,
    const char *profile, const char *key);
const char *aws_conf_profile_file_get(const struct aws_conf *c,
    enum aws_conf_which which, const char *profile, const char *key);
int aws_conf_profile_exists(const struct aws_conf *c, const char *profile);

/* An [sso-session NAME] section's value for key, or NULL; and whether
 * the config file has that section. */
const char *aws_conf_sso_session_get(const struct aws_conf *c,
    const char *name, const char *key);
int aws_conf_sso_session_exists(const struct aws_conf *c, const char *name);

/*
 * The configured endpoint of another service (the credential sources'
 * "sts" and "sso"), as aws_conf_load resolves o->service's but without
 * the command line's: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
 * profile's services section, the profile's endpoint_url, none (all
 * skipped when configured endpoints are ignored).  Returns 1 with the
 * normal form ("scheme://host[:port]") appended to out, 0 when none is
 * configured, or -1 with the reason appended to err.
 */
int aws_conf_service_endpoint(const struct aws_conf *c, const char *service,
    aws_conf_env env, struct buf *out, struct buf *err);

/* 1 when r can be a region name (a DNS label), as botocore checks it. */
int aws_conf_region_ok(const char *r);

/* Appends AWS's own endpoint for service in region:
 * https://SERVICE.REGION.amazonaws.com, or .amazonaws.com.cn for cn-*. */
void aws_conf_default_endpoint(struct buf *b, const char *service,
    const char *region);
/* The domain of AWS's endpoints in region, as the above uses it:
 * "amazonaws.com", or "amazonaws.com.cn" for cn-*. */
const char *aws_conf_domain(const char *region);

/* An http or https URL taken apart. */
struct aws_conf_url {
	int https;
	char *host;		/* owned; an IPv6 literal without [ ] */
	int port;		/* 0: the scheme's default */
	const char *rest;	/* into the parsed text: path, query... */
};

/*
 * Parses "http[s]://host[:port][/path][?query]" (scheme in any case, an
 * IPv6 host in brackets, no user:password@).  Returns 0 and fills u
 * (free u->host), or -1 with the reason appended to err.
 */
int aws_conf_url_parse(const char *url, struct aws_conf_url *u,
    struct buf *err);

/*
 * Takes an endpoint URL apart as a request needs it: *https, host (what
 * the Host header says: lowercase, an IPv6 literal in [ ], the port only
 * when it is not the scheme's default) and path (without its trailing
 * slashes; "" for none), both appended.  Returns 0, or -1 with the reason
 * appended to err (a query or fragment is refused too).
 */
int aws_conf_url_split(const char *url, int *https, struct buf *host,
    struct buf *path, struct buf *err);

/* The value of an environment variable, or NULL when it is unset or "". */
const char *aws_conf_env_get(aws_conf_env env, const char *name);
/* 1 for "true" in any case, as the CLI reads its boolean settings. */
int aws_conf_is_true(const char *v);

/* Frees everything c owns and empties it; safe on AWS_CONF_INIT. */
void aws_conf_free(struct aws_conf *c);

#endif
