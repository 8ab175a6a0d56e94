/* SPDX-License-Identifier: MIT */
/*
 * The credential chain with real files and real credential_process
 * scripts (tests/data/creds).  What needs an HTTP server (container and
 * IMDS answers) is in tests/creds.bats; here only what fails before or
 * at connecting.  Every secret in the fixtures holds "s3kr1t", and no
 * message may.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aws_conf.h"
#include "buf.h"
#include "aws_creds.h"
#include "err.h"
#include "unit.h"
#include "awsfix.h"

#define NOW 1767225600		/* 2026-01-01T00:00:00Z */
#define Y2030 1893456000	/* good.sh's Expiration */
#define ANY (-1)

static const struct kcase {
	const char *what;
	const char *config, *creds;	/* '@' is tests/data/creds */
	const char *env[10];
	const char *profile;		/* -p */
	int rc;
	const char *source, *akid;	/* on AWS_CREDS_OK */
	int token;			/* a session token; ANY */
	int64_t expires;		/* ANY */
	const char *err;		/* "@D" the folder, "@T" the data;
					 * a final '*' matches any rest */
} cases[] = {
	/* 1. the environment */
	{ "env: a pair", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t" },
	  NULL, AWS_CREDS_OK, "environment", "AKIAENV", 0, 0, NULL },
	{ "env: with a session token", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=ASIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t",
	    "AWS_SESSION_TOKEN=envTok/s3kr1t" }, NULL, AWS_CREDS_OK,
	  "environment", "ASIAENV", 1, 0, NULL },
	{ "env: a key without its secret", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV" }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0,
	  0, "environment: AWS_ACCESS_KEY_ID is set but "
	  "AWS_SECRET_ACCESS_KEY is not" },
	{ "env: a secret without its key", NULL, NULL,
	  { "AWS_SECRET_ACCESS_KEY=env/s3kr1t" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "environment: AWS_SECRET_ACCESS_KEY is set but "
	  "AWS_ACCESS_KEY_ID is not" },
	{ "env: an empty key is unset", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=env/s3kr1t" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "environment: "
	  "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" },
	{ "env: a token alone is nothing", NULL, NULL,
	  { "AWS_SESSION_TOKEN=envTok/s3kr1t" }, NULL, AWS_CREDS_NONE, NULL,
	  NULL, 0, 0, "no credentials: *" },
	{ "env: a space in the secret", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV",
	    "AWS_SECRET_ACCESS_KEY=env/s3kr1t x" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "environment: AWS_SECRET_ACCESS_KEY has a space or a "
	  "control character" },
	{ "env: a newline in the token", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t",
	    "AWS_SESSION_TOKEN=envTok/s3kr1t\nX-Evil: 1" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "environment: AWS_SESSION_TOKEN "
	  "has a space or a control character" },
	{ "env: AWS_CREDENTIAL_EXPIRATION", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=ASIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t",
	    "AWS_SESSION_TOKEN=envTok/s3kr1t",
	    "AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00Z" }, NULL,
	  AWS_CREDS_OK, "environment", "ASIAENV", 1, Y2030, NULL },
	{ "env: expired", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=ASIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t",
	    "AWS_CREDENTIAL_EXPIRATION=2025-06-01T12:00:00+02:00" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "environment: the credentials "
	  "expired at 2025-06-01T10:00:00Z (AWS_CREDENTIAL_EXPIRATION)" },
	{ "env: an expiration that is no time", NULL, NULL,
	  { "AWS_ACCESS_KEY_ID=ASIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t",
	    "AWS_CREDENTIAL_EXPIRATION=tomorrow" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "environment: AWS_CREDENTIAL_EXPIRATION 'tomorrow' is "
	  "not a timestamp" },
	{ "env beats the files and credential_process",
	  "[default]\naws_access_key_id = AKIACONF\n"
	  "aws_secret_access_key = conf/s3kr1t\n"
	  "credential_process = @/good.sh\n",
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n",
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t" },
	  NULL, AWS_CREDS_OK, "environment", "AKIAENV", 0, 0, NULL },

	/* 2 and 4. the shared files */
	{ "credentials file", NULL,
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "AKIACRED", 0, 0, NULL },
	{ "config file", "[default]\naws_access_key_id = AKIACONF\n"
	  "aws_secret_access_key = conf/s3kr1t\n", NULL, { 0 }, NULL,
	  AWS_CREDS_OK, "config file", "AKIACONF", 0, 0, NULL },
	{ "credentials file beats config file",
	  "[default]\naws_access_key_id = AKIACONF\n"
	  "aws_secret_access_key = conf/s3kr1t\n",
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "AKIACRED", 0, 0, NULL },
	{ "a session token in the file", NULL,
	  "[default]\naws_access_key_id = ASIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n"
	  "aws_session_token = credTok/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "ASIACRED", 1, 0, NULL },
	{ "the legacy aws_security_token", NULL,
	  "[default]\naws_access_key_id = ASIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n"
	  "aws_security_token = credTok/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "ASIACRED", 1, 0, NULL },
	{ "key names are folded like the CLI's", NULL,
	  "[default]\nAWS_ACCESS_KEY_ID = AKIACRED\n"
	  "AWS_Secret_Access_Key = cred/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "AKIACRED", 0, 0, NULL },
	{ "the selected profile's keys, [NAME] in credentials", NULL,
	  "[default]\naws_access_key_id = AKIADEFAULT\n"
	  "aws_secret_access_key = cred/s3kr1t\n"
	  "[dev]\naws_access_key_id = AKIADEV\n"
	  "aws_secret_access_key = dev/s3kr1t\n", { 0 }, "dev", AWS_CREDS_OK,
	  "credentials file", "AKIADEV", 0, 0, NULL },
	{ "the selected profile's keys, [profile NAME] in config",
	  "[default]\naws_access_key_id = AKIADEFAULT\n"
	  "aws_secret_access_key = cred/s3kr1t\n"
	  "[profile dev]\naws_access_key_id = AKIADEV\n"
	  "aws_secret_access_key = dev/s3kr1t\n", NULL,
	  { "AWS_PROFILE=dev" }, NULL, AWS_CREDS_OK, "config file", "AKIADEV", 0,
	  0, NULL },
	{ "a profile without keys does not borrow default's",
	  "[profile dev]\nregion = eu-west-1\n",
	  "[default]\naws_access_key_id = AKIADEFAULT\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, "dev", AWS_CREDS_NONE,
	  NULL, NULL, 0, 0, "no credentials: tried environment, shared files "
	  "(profile dev), container, EC2 instance metadata (disabled by "
	  "AWS_EC2_METADATA_DISABLED)" },
	{ "credentials file: a key without its secret", NULL,
	  "[default]\naws_access_key_id = AKIACRED\n", { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credentials file @D/credentials: "
	  "profile default has aws_access_key_id but no "
	  "aws_secret_access_key" },
	{ "config file: a secret without its key",
	  "[profile p]\naws_secret_access_key = conf/s3kr1t\n", NULL, { 0 },
	  "p", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "config file @D/config: "
	  "profile p has aws_secret_access_key but no aws_access_key_id" },
	{ "empty keys are no keys", NULL,
	  "[default]\naws_access_key_id =\naws_secret_access_key =\n", { 0 },
	  NULL, AWS_CREDS_NONE, NULL, NULL, 0, 0, "no credentials: *" },
	{ "a space inside a secret", NULL,
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t more\n", { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credentials file @D/credentials: "
	  "profile default: aws_secret_access_key has a space or a control "
	  "character" },

	/* 3. credential_process */
	{ "process: temporary credentials",
	  "[default]\ncredential_process = @/good.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_OK, "credential_process", "ASIAPROCESSEXAMPLE", 1, Y2030,
	  NULL },
	{ "process: long-term keys",
	  "[default]\ncredential_process = @/longterm.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_OK, "credential_process", "AKIAPROCESSLONGTERM", 0, 0,
	  NULL },
	{ "process: exit 1",
	  "[default]\ncredential_process = @/exit1.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credential_process: exited 1" },
	{ "process: bad JSON (with the secret in it)",
	  "[default]\ncredential_process = @/badjson.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: the answer is not JSON (line 1, column *" },
	{ "process: Version 2",
	  "[default]\ncredential_process = @/version2.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: Version 2 is not supported (only 1)" },
	{ "process: no Version",
	  "[default]\ncredential_process = @/noversion.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: no Version in the answer" },
	{ "process: no secret",
	  "[default]\ncredential_process = @/nosecret.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: SecretAccessKey is missing" },
	{ "process: expired",
	  "[default]\ncredential_process = @/expired.sh\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credential_process: the "
	  "credentials expired at 2020-01-01T00:00:00Z" },
	{ "process: expires this very second",
	  "[default]\ncredential_process = @/expiresat.sh "
	  "2026-01-01T00:00:00Z\n", NULL, { 0 }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "credential_process: the credentials expired at "
	  "2026-01-01T00:00:00Z" },
	{ "process: expires a second later",
	  "[default]\ncredential_process = @/expiresat.sh "
	  "2026-01-01T00:00:01Z\n", NULL, { 0 }, NULL, AWS_CREDS_OK,
	  "credential_process", "ASIAPROCESSEXAMPLE", 1, NOW + 1, NULL },
	{ "process: an Expiration that is no time",
	  "[default]\ncredential_process = @/expiresat.sh soon\n", NULL,
	  { 0 }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credential_process: "
	  "Expiration 'soon' is not a timestamp" },
	{ "process: no such program",
	  "[default]\ncredential_process = @/nope.sh --flag\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credential_process: cannot "
	  "run @T/nope.sh: No such file or directory" },
	{ "process: split like shlex, no shell",
	  "[default]\ncredential_process = @/args.sh 'two words' "
	  "\"three  word s\" a\\ b '' $HOME\n", NULL, { 0 }, NULL, AWS_CREDS_OK,
	  "credential_process", "ARGS5_two-words_three--word-s_a-b__$HOME", 0,
	  0, NULL },
	{ "process: unbalanced quotes",
	  "[default]\ncredential_process = @/args.sh 'open\n", NULL, { 0 },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: unbalanced quotes in profile default" },
	{ "process: a lone backslash",
	  "[default]\ncredential_process = \\\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: unbalanced quotes in profile default" },
	{ "process: an empty program name",
	  "[default]\ncredential_process = '' --flag\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: no command in profile default" },
	{ "process: stdin is not the caller's",
	  "[default]\ncredential_process = @/stdin.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_OK, "credential_process", "AKIAPROCESSLONGTERM", 0, 0, NULL },
	{ "process: too much output",
	  "[default]\ncredential_process = @/big.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: more than 64 KB of output" },
	{ "process: killed",
	  "[default]\ncredential_process = @/killed.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "credential_process: killed by signal 15" },
	{ "process: in the credentials file too (the CLI merges)", NULL,
	  "[default]\ncredential_process = @/good.sh\n", { 0 }, NULL,
	  AWS_CREDS_OK, "credential_process", "ASIAPROCESSEXAMPLE", 1, Y2030,
	  NULL },
	{ "process: beats the config file's keys, as in the CLI",
	  "[default]\naws_access_key_id = AKIACONF\n"
	  "aws_secret_access_key = conf/s3kr1t\n"
	  "credential_process = @/good.sh\n", NULL, { 0 }, NULL, AWS_CREDS_OK,
	  "credential_process", "ASIAPROCESSEXAMPLE", 1, ANY, NULL },
	{ "process: the credentials file's keys beat it",
	  "[default]\ncredential_process = @/exit1.sh\n",
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "AKIACRED", 0, 0, NULL },
	{ "process: the selected profile's",
	  "[default]\ncredential_process = @/exit1.sh\n"
	  "[profile p]\ncredential_process = @/longterm.sh\n", NULL, { 0 },
	  "p", AWS_CREDS_OK, "credential_process", "AKIAPROCESSLONGTERM", 0, 0,
	  NULL },

	/* what the CLI has and we do not */
	{ "assume role is refused",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\n"
	  "source_profile = base\n[profile base]\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: role_arn (assume "
	  "role) is not supported; a profile with credential_process = aws "
	  "configure export-credentials --profile default --format process "
	  "can stand in for it" },
	{ "assume role, even with keys in the file (the CLI assumes)",
	  "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\n",
	  "[dev]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, "dev", AWS_CREDS_BROKEN,
	  NULL, NULL, 0, 0, "profile dev: role_arn (assume role) is not "
	  "supported; *" },
	{ "assume role: the environment still comes first",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\n", NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t" },
	  NULL, AWS_CREDS_OK, "environment", "AKIAENV", 0, 0, NULL },
	{ "SSO is refused",
	  "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
	  "[sso-session corp]\nsso_start_url = https://x/start\n", NULL,
	  { 0 }, "dev", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile dev: "
	  "sso_session (SSO) is not supported; a profile with "
	  "credential_process = aws configure export-credentials --profile "
	  "dev --format process can stand in for it" },
	{ "legacy SSO is refused",
	  "[default]\nsso_start_url = https://x/start\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "profile default: sso_start_url (SSO) is not supported; *" },
	{ "web identity in the profile is refused",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\n"
	  "web_identity_token_file = /var/run/token\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: "
	  "web_identity_token_file (web identity) is not supported; *" },
	{ "web identity in the environment is refused", NULL,
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n",
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/token",
	    "AWS_ROLE_ARN=arn:aws:iam::1:role/r" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "environment: AWS_WEB_IDENTITY_TOKEN_FILE (web "
	  "identity) is not supported; credential_process = aws configure "
	  "export-credentials --format process can stand in for it" },

	/* 5. container: what fails before or at connecting */
	{ "container: a relative URI without /", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=v2/creds",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: "
	  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /" },
	{ "container: http to another host is refused", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.1.2.3/creds" },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: "
	  "http://10.1.2.3/creds: http is allowed only to a loopback address, "
	  "169.254.170.2, 169.254.170.23 or fd00:ec2::23; use https" },
	{ "container: the refusal names no query", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://example.com:8080/c?"
	    "sig=s3kr1t" }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "container credentials: http://example.com:8080/c: http is allowed "
	  "only to *" },
	{ "container: 169.254.170.3 is not an agent", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.3/" },
	  NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: "
	  "http://169.254.170.3/: http is allowed only to *" },
	{ "container: not a URL", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=ftp://x/" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: "
	  "AWS_CONTAINER_CREDENTIALS_FULL_URI: the scheme must be http:// or "
	  "https://" },
	{ "container: loopback is allowed (nothing listens)", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/creds" },
	  NULL, AWS_CREDS_REMOTE, NULL, NULL, 0, 0,
	  "container credentials: http://127.0.0.1:1/creds: *" },
	{ "container: 127/8 is loopback", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.3.2.1:1/" },
	  NULL, AWS_CREDS_REMOTE, NULL, NULL, 0, 0,
	  "container credentials: http://127.3.2.1:1/: *" },
	{ "container: localhost is allowed", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:1/" },
	  NULL, AWS_CREDS_REMOTE, NULL, NULL, 0, 0,
	  "container credentials: http://localhost:1/: *" },
	{ "container: ::1 is allowed", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://[::1]:1/" },
	  NULL, AWS_CREDS_REMOTE, NULL, NULL, 0, 0,
	  "container credentials: http://[::1]:1/: *" },
	{ "container: a missing token file", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/nonexistent/token",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN=Bearer s3kr1t" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: "
	  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE /nonexistent/token: No such "
	  "file or directory" },
	{ "container: a line break in the token", NULL, NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN=s3kr1t\r\nX-Evil: 1" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "container credentials: the "
	  "authorization token has a control character" },
	{ "container: after the shared files",
	  "[default]\ncredential_process = @/longterm.sh\n", NULL,
	  { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.1.2.3/" }, NULL,
	  AWS_CREDS_OK, "credential_process", "AKIAPROCESSLONGTERM", 0, 0, NULL },

	/* 6. IMDS: settings, and an endpoint where nothing listens */
	{ "imds: disabled", NULL, NULL, { 0 }, NULL, AWS_CREDS_NONE, NULL, NULL,
	  0, 0, "no credentials: tried environment, shared files (profile "
	  "default), container, EC2 instance metadata (disabled by "
	  "AWS_EC2_METADATA_DISABLED)" },
	{ "imds: disabled is case-blind", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=TRUE",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://10.1.2.3" }, NULL,
	  AWS_CREDS_NONE, NULL, NULL, 0, 0, "no credentials: tried environment, "
	  "shared files (profile default), container, EC2 instance metadata "
	  "(disabled by AWS_EC2_METADATA_DISABLED)" },
	{ "imds: nothing there is no credentials", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1/" }, NULL,
	  AWS_CREDS_NONE, NULL, NULL, 0, 0, "no credentials: tried environment, "
	  "shared files (profile default), container, EC2 instance metadata "
	  "(http://127.0.0.1:1: *" },
	{ "imds: the endpoint from the profile",
	  "[default]\nec2_metadata_service_endpoint = http://127.0.0.1:1\n",
	  NULL, { "AWS_EC2_METADATA_DISABLED=" }, NULL, AWS_CREDS_NONE, NULL,
	  NULL, 0, 0, "no credentials: * (http://127.0.0.1:1: *" },
	{ "imds: a bad endpoint", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1/x" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "EC2 instance metadata: endpoint "
	  "'http://127.0.0.1:1/x': a path or query is not allowed" },
	{ "imds: a bad endpoint mode", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv5" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "EC2 instance metadata: endpoint "
	  "mode 'IPv5': not IPv4 or IPv6" },
	{ "imds: a bad timeout", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1",
	    "AWS_METADATA_SERVICE_TIMEOUT=1s" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "EC2 instance metadata: timeout '1s': not a number of "
	  "seconds up to 60" },
	{ "imds: a bad timeout in the profile",
	  "[default]\nmetadata_service_timeout = 0\n", NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1" }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "EC2 instance metadata: timeout "
	  "'0': not a number of seconds up to 60" },
	{ "imds: bad attempts", NULL, NULL,
	  { "AWS_EC2_METADATA_DISABLED=",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1",
	    "AWS_METADATA_SERVICE_NUM_ATTEMPTS=0" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "EC2 instance metadata: attempts '0': not a number 1 "
	  "to 10" },
	{ "imds: the none message names the profile",
	  "[profile x]\n", NULL, { 0 }, "x", AWS_CREDS_NONE, NULL, NULL, 0, 0,
	  "no credentials: tried environment, shared files (profile x), "
	  "container, EC2 instance metadata (disabled by "
	  "AWS_EC2_METADATA_DISABLED)" },
};

/* the text err must be: @D, @T expanded */
static void
expand(struct buf *b, const char *want)
{
	const char *p;

	buf_reset(b);
	for (p = want; *p; p++) {
		if (p[0] == '@' && p[1] == 'D')
			buf_adds(b, fix_dir), p++;
		else if (p[0] == '@' && p[1] == 'T')
			buf_adds(b, fix_data), p++;
		else
			buf_addc(b, *p);
	}
}

/* want's '*' matches any run of text */
static int
glob(const char *want, const char *got)
{
	if (!*want)
		return !*got;
	if (*want == '*') {
		for (;; got++) {
			if (glob(want + 1, got))
				return 1;
			if (!*got)
				return 0;
		}
	}
	return *want == *got && glob(want + 1, got + 1);
}

static void
run(const struct kcase *t)
{
	struct aws_conf conf = AWS_CONF_INIT;
	struct aws_conf_opts o = { .profile = t->profile };
	struct aws_creds c = AWS_CREDS_INIT;
	struct buf err = BUF_INIT, want = BUF_INIT;
	int r;

	fix_files(t->config, t->creds);
	fix_env = t->env;
	if (aws_conf_load(&conf, &o, fix_getenv, &err) < 0) {
		CHECK(0, "%s: aws_conf_load: %s", t->what, err.p);
		goto out;
	}
	r = aws_creds_load(&c, &conf, fix_getenv, NOW, &err);
	CHECK(r == t->rc, "%s: rc %d, want %d (%s)", t->what, r, t->rc,
	    buf_str(&err));
	CHECK(!strstr(buf_str(&err), "s3kr1t"), "%s: a secret in [%s]",
	    t->what, err.p);
	if (t->rc != AWS_CREDS_OK) {
		expand(&want, t->err);
		CHECK(glob(want.p, buf_str(&err)), "%s: err [%s], want [%s]",
		    t->what, buf_str(&err), want.p);
		CHECK(!c.akid && !c.secret && !c.token && !c.source[0],
		    "%s: c not empty after an error", t->what);
		goto out;
	}
	if (r != AWS_CREDS_OK)
		goto out;
	CHECK(strcmp(c.source, t->source) == 0, "%s: source [%s]", t->what,
	    c.source);
	CHECK(strcmp(c.akid, t->akid) == 0, "%s: akid [%s]", t->what,
	    c.akid);
	CHECK(c.secret && strstr(c.secret, "s3kr1t"), "%s: a secret without "
	    "the mark", t->what);
	if (t->token != ANY)
		CHECK(!!c.token == t->token, "%s: token %s", t->what,
		    c.token ? "present" : "absent");
	if (t->expires != ANY)
		CHECK(c.expires == t->expires, "%s: expires %lld", t->what,
		    (long long)c.expires);
	CHECK(c.loaded == NOW, "%s: loaded %lld", t->what,
	    (long long)c.loaded);
	CHECK(err.len == 0, "%s: an error with success: %s", t->what, err.p);
out:
	aws_creds_free(&c);
	aws_conf_free(&conf);
	buf_free(&err);
	buf_free(&want);
}

static void
env_values(void)
{
	static const char *const env[] = { "AWS_ACCESS_KEY_ID=AKIAENV",
		"AWS_SECRET_ACCESS_KEY=env/s3kr1t+x",
		"AWS_SESSION_TOKEN=envTok/s3kr1t", NULL };
	struct aws_conf conf = AWS_CONF_INIT;
	struct aws_creds c = AWS_CREDS_INIT;
	struct buf err = BUF_INIT;

	fix_files(NULL, NULL);
	fix_env = env;
	aws_conf_load(&conf, NULL, fix_getenv, &err);
	CHECK(aws_creds_load(&c, &conf, fix_getenv, NOW, &err) == AWS_CREDS_OK &&
	    strcmp(c.secret, "env/s3kr1t+x") == 0 &&
	    strcmp(c.token, "envTok/s3kr1t") == 0, "env values: %s",
	    buf_str(&err));
	aws_creds_free(&c);
	CHECK(!c.akid && !c.secret && !c.token, "aws_creds_free left values");
	aws_creds_free(&c);		/* twice is harmless */
	aws_conf_free(&conf);
	buf_free(&err);
}

static void
staleness(void)
{
	static const struct {
		int64_t loaded, expires, now;
		int stale;
	} t[] = {
		{ NOW, 0, NOW + 86400 * 365, 0 },	/* never expires */
		{ NOW, NOW + 3600, NOW, 0 },
		{ NOW, NOW + 3600, NOW + 2999, 0 },	/* 10 min before */
		{ NOW, NOW + 3600, NOW + 3000, 1 },
		{ NOW, NOW + 3600, NOW + 3599, 1 },
		{ NOW, NOW + 3600, NOW + 3600, 1 },
		{ NOW, NOW + 3600, NOW + 7200, 1 },
		{ NOW, NOW + 900, NOW + 449, 0 },	/* 15 min: half */
		{ NOW, NOW + 900, NOW + 450, 1 },
		{ NOW, NOW + 60, NOW + 29, 0 },
		{ NOW, NOW + 60, NOW + 30, 1 },
		{ 0, NOW + 3600, NOW + 2999, 0 },	/* no load time */
		{ 0, NOW + 3600, NOW + 3000, 1 },
		{ NOW + 10, NOW, NOW - 601, 0 },	/* odd: loaded late */
		{ NOW + 10, NOW, NOW - 600, 1 },
	};
	struct aws_creds c = AWS_CREDS_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		c.loaded = t[i].loaded;
		c.expires = t[i].expires;
		CHECK(aws_creds_stale(&c, t[i].now) == t[i].stale,
		    "stale #%zu: want %d", i, t[i].stale);
	}
}

static void
exit_status(void)
{
	CHECK(aws_creds_exit_status(AWS_CREDS_BROKEN) == EXIT_USAGE, "broken");
	CHECK(aws_creds_exit_status(AWS_CREDS_NONE) == EXIT_REMOTE, "none");
	CHECK(aws_creds_exit_status(AWS_CREDS_REMOTE) == EXIT_REMOTE, "remote");
}

/* stdin holds a line, as a pipeline stage's would: stdin.sh must not
 * get it */
static void
stdin_with_a_line(void)
{
	int p[2];

	if (pipe(p) < 0 || write(p[1], "s3://b/k\n", 9) != 9 ||
	    dup2(p[0], 0) < 0) {
		perror("pipe");
		exit(2);
	}
	close(p[0]);
	close(p[1]);
}

int
main(int argc, char *argv[])
{
	size_t i;

	(void)argc;
	fix_setup(argv[0]);
	stdin_with_a_line();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i]);
	env_values();
	staleness();
	exit_status();
	curl_global_cleanup();
	fix_cleanup();
	return unit_end("aws_creds");
}
