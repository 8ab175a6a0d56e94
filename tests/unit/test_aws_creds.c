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
	  NULL, NULL, 0, 0, "no credentials: tried shared files (profile "
	  "dev), container, EC2 instance metadata (disabled by "
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

	/* 2. assume role: what fails before a request (the requests:
	 * dcases below) */
#define BASE "[base]\naws_access_key_id = AKIABASE\n" \
	"aws_secret_access_key = base/s3kr1t\n"
#define ROLE "arn:aws:iam::123456789012:role/r"
	{ "role: itself as source, without keys, is a loop",
	  "[profile dev]\nrole_arn = " ROLE "\nsource_profile = dev\n", NULL,
	  { 0 }, "dev", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile dev: "
	  "source_profile dev makes a loop: dev -> dev" },
	{ "role: a loop of source profiles is named",
	  "[profile a]\nrole_arn = " ROLE "\nsource_profile = b\n"
	  "[profile b]\nrole_arn = " ROLE "\nsource_profile = c\n"
	  "[profile c]\nrole_arn = " ROLE "\nsource_profile = a\n", NULL,
	  { 0 }, "a", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile c: "
	  "source_profile a makes a loop: a -> b -> c -> a" },
	{ "role: keys in the same profile do not stand in for a source",
	  "[profile dev]\nrole_arn = " ROLE "\n",
	  "[dev]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, "dev", AWS_CREDS_BROKEN,
	  NULL, NULL, 0, 0, "profile dev: role_arn needs source_profile or "
	  "credential_source" },
	{ "role: source_profile and credential_source both",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "credential_source = Environment\n", BASE, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: "
	  "source_profile and credential_source are both set: *" },
	{ "role: a source profile that does not exist",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = nope\n", NULL,
	  { 0 }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: "
	  "source_profile nope: no such profile" },
	{ "role: a source profile without credentials",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "[profile base]\nregion = eu-west-1\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: "
	  "source_profile base has no credentials" },
	{ "role: a source profile's half pair is named",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n",
	  "[base]\naws_access_key_id = AKIABASE\n", { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "credentials file @D/credentials: "
	  "profile base has aws_access_key_id but no aws_secret_access_key" },
	{ "role: duration_seconds that is no number",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "duration_seconds = 1h\n", BASE, { 0 }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "profile default: duration_seconds '1h' is not a number "
	  "of seconds" },
	{ "role: credential_source Environment, nothing there",
	  "[profile r]\nrole_arn = " ROLE "\ncredential_source = environment\n",
	  NULL, { 0 }, "r", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile r: "
	  "credential_source environment: AWS_ACCESS_KEY_ID and "
	  "AWS_SECRET_ACCESS_KEY are not set" },
	{ "role: credential_source EcsContainer, nothing there",
	  "[profile r]\nrole_arn = " ROLE "\ncredential_source = EcsContainer\n",
	  NULL, { 0 }, "r", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile r: "
	  "credential_source EcsContainer: neither *" },
	{ "role: credential_source Ec2InstanceMetadata, disabled",
	  "[profile r]\nrole_arn = " ROLE
	  "\ncredential_source = Ec2InstanceMetadata\n", NULL, { 0 }, "r",
	  AWS_CREDS_REMOTE, NULL, NULL, 0, 0, "profile r: credential_source "
	  "Ec2InstanceMetadata: no credentials (disabled by "
	  "AWS_EC2_METADATA_DISABLED)" },
	{ "role: an unknown credential_source",
	  "[profile r]\nrole_arn = " ROLE "\ncredential_source = SharedConfig\n",
	  NULL, { 0 }, "r", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile r: "
	  "credential_source 'SharedConfig' is not Environment, "
	  "Ec2InstanceMetadata or EcsContainer" },
	{ "role: the environment still comes first without -p",
	  "[default]\nrole_arn = " ROLE "\n", NULL,
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env/s3kr1t" },
	  NULL, AWS_CREDS_OK, "environment", "AKIAENV", 0, 0, NULL },
	{ "role: AWS_PROFILE is not -p: the environment comes first",
	  "[profile r]\nrole_arn = " ROLE "\ncredential_source = Environment\n",
	  NULL, { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=e/s3kr1t",
	  "AWS_PROFILE=r" }, NULL, AWS_CREDS_OK, "environment", "AKIAENV", 0, 0,
	  NULL },
	{ "-p sets the environment's keys aside, as the CLI's --profile",
	  NULL, "[p]\naws_access_key_id = AKIAP\n"
	  "aws_secret_access_key = p/s3kr1t\n",
	  { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=e/s3kr1t" },
	  "p", AWS_CREDS_OK, "credentials file", "AKIAP", 0, 0, NULL },
	{ "sts: a bad sts_regional_endpoints",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n", BASE,
	  { "AWS_STS_REGIONAL_ENDPOINTS=global" }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "STS: AWS_STS_REGIONAL_ENDPOINTS 'global': not legacy or "
	  "regional" },
	{ "sts: a bad sts_regional_endpoints in the profile",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "sts_regional_endpoints = Legacy\n", BASE, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "STS: sts_regional_endpoints "
	  "'Legacy': not legacy or regional" },
	{ "sts: a bad endpoint URL",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n", BASE,
	  { "AWS_ENDPOINT_URL_STS=sts.example.com" }, NULL, AWS_CREDS_BROKEN,
	  NULL, NULL, 0, 0, "STS: endpoint URL 'sts.example.com' (from "
	  "AWS_ENDPOINT_URL_STS): the scheme must be http:// or https://" },

	/* 3. web identity: what fails before a request */
	{ "web identity: the environment's give way to -p",
	  "[profile p]\nregion = eu-west-1\n", "[p]\naws_access_key_id = AKIAP\n"
	  "aws_secret_access_key = p/s3kr1t\n",
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken", "AWS_ROLE_ARN=" ROLE },
	  "p", AWS_CREDS_OK, "credentials file", "AKIAP", 0, 0, NULL },
	{ "web identity: no role", NULL, NULL,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken" }, NULL, AWS_CREDS_BROKEN,
	  NULL, NULL, 0, 0, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): no "
	  "role to assume: set AWS_ROLE_ARN, or role_arn in profile default" },
	{ "web identity: a missing token file",
	  "[default]\nrole_arn = " ROLE "\n"
	  "web_identity_token_file = /nonexistent/token\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: web identity: "
	  "token file /nonexistent/token: No such file or directory" },
	{ "web identity: an empty token file",
	  "[default]\nrole_arn = " ROLE "\nweb_identity_token_file = "
	  "@/empty\n", NULL, { 0 }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0,
	  "profile default: web identity: token file @T/empty: empty" },

	{ "aws login's session is refused where the CLI uses it",
	  "[default]\nlogin_session = arn:aws:iam::1:user/me\n"
	  "credential_process = @/longterm.sh\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: login_session "
	  "(aws login) is not supported; a profile with credential_process = "
	  "aws configure export-credentials --profile default --format "
	  "process can stand in for it" },
	{ "aws login's session: the credentials file comes first",
	  "[default]\nlogin_session = arn:aws:iam::1:user/me\n",
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, NULL, AWS_CREDS_OK,
	  "credentials file", "AKIACRED", 0, 0, NULL },

	/* 4. SSO: the configuration (the cache and portal: creds.bats) */
	{ "SSO: a profile with sso_session but no role is not SSO's",
	  "[default]\nsso_session = corp\n[sso-session corp]\n"
	  "sso_start_url = https://x/start\nsso_region = eu-west-1\n", NULL,
	  { 0 }, NULL, AWS_CREDS_NONE, NULL, NULL, 0, 0, "no credentials: *" },
	{ "SSO: what is missing is named",
	  "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
	  "[sso-session corp]\nsso_start_url = https://x/start\n", NULL,
	  { 0 }, "dev", AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile dev: "
	  "SSO session corp: missing sso_role_name, sso_region" },
	{ "SSO: the legacy form's missing settings",
	  "[default]\nsso_role_name = ReadOnly\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: SSO: missing "
	  "sso_account_id, sso_start_url, sso_region" },
	{ "SSO: a session that does not exist",
	  "[default]\nsso_session = corp\nsso_account_id = 1\n"
	  "sso_role_name = r\n", NULL, { 0 }, NULL, AWS_CREDS_BROKEN, NULL,
	  NULL, 0, 0, "profile default: SSO session corp: there is no "
	  "[sso-session corp] in @D/config" },
	{ "SSO: the profile and the session disagree",
	  "[default]\nsso_session = corp\nsso_account_id = 1\n"
	  "sso_role_name = r\nsso_region = us-east-1\n[sso-session corp]\n"
	  "sso_start_url = https://x/start\nsso_region = eu-west-1\n", NULL,
	  { 0 }, NULL, AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: "
	  "SSO session corp: sso_region differs between the profile and "
	  "[sso-session corp]" },
	{ "SSO: a bad region",
	  "[default]\nsso_start_url = https://x/start\nsso_region = eu/1\n"
	  "sso_account_id = 1\nsso_role_name = r\n", NULL, { 0 }, NULL,
	  AWS_CREDS_BROKEN, NULL, NULL, 0, 0, "profile default: SSO "
	  "https://x/start: sso_region 'eu/1': not a region name" },
	{ "SSO: no token cached", "[default]\nsso_session = corp\n"
	  "sso_account_id = 1\nsso_role_name = r\n[sso-session corp]\n"
	  "sso_start_url = https://x/start\nsso_region = eu-west-1\n", NULL,
	  { 0 }, NULL, AWS_CREDS_REMOTE, NULL, NULL, 0, 0, "profile default: "
	  "SSO session corp: no SSO token (@D/home/.aws/sso/cache/"
	  "ee0bfd2552fbd840c02cc48b6e823320543c450f.json): run aws sso login "
	  "--profile default" },
	{ "SSO: before the files",
	  "[default]\nsso_session = corp\nsso_account_id = 1\n"
	  "sso_role_name = r\n[sso-session corp]\n"
	  "sso_start_url = https://x/start\nsso_region = eu-west-1\n",
	  "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n", { 0 }, NULL,
	  AWS_CREDS_REMOTE, NULL, NULL, 0, 0, "profile default: SSO session "
	  "corp: no SSO token *" },

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
	{ "imds: the none message names the profile (-p: no environment)",
	  "[profile x]\n", NULL, { 0 }, "x", AWS_CREDS_NONE, NULL, NULL, 0, 0,
	  "no credentials: tried shared files (profile x), container, EC2 "
	  "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)" },
	{ "imds: the none message, AWS_PROFILE",
	  "[profile x]\n", NULL, { "AWS_PROFILE=x" }, NULL, AWS_CREDS_NONE,
	  NULL, NULL, 0, 0, "no credentials: tried environment, shared files "
	  "(profile x), container, EC2 instance metadata (disabled by "
	  "AWS_EC2_METADATA_DISABLED)" },
};


/*
 * Dry runs: the STS requests a configuration makes, traced and not
 * sent.  Each ends in its last step's "not sent (dry run)".
 */
#define DRY(p, arn) "profile " p ": assume role " arn ": not sent (dry run)"
#define SIGNED(region, by) "(signed for sts in " region " by " by ")"
static const struct dcase {
	const char *what;
	const char *config, *creds;
	const char *env[10];
	const char *profile;
	int rc;
	const char *err;		/* as in cases */
	const char *trace;		/* the lines traced, '\n' between */
} dcases[] = {
	{ "role: source_profile with keys", "[default]\nrole_arn = " ROLE
	  "\nsource_profile = base\n", BASE, { 0 }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE),
	  "POST https://sts.us-east-1.amazonaws.com/ AssumeRole RoleArn="
	  ROLE " RoleSessionName=botocore-session-1767225600 "
	  SIGNED("us-east-1", "AKIABASE") },
	{ "role: the session name, external id, duration; the region",
	  "[profile r]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "role_session_name = nightly-backfill\nexternal_id = ext/s3kr1t\n"
	  "duration_seconds = 7200\nregion = eu-west-1\n", BASE, { 0 }, "r",
	  AWS_CREDS_REMOTE, DRY("r", ROLE),
	  "POST https://sts.eu-west-1.amazonaws.com/ AssumeRole RoleArn="
	  ROLE " RoleSessionName=nightly-backfill ExternalId=(set) "
	  "DurationSeconds=7200 " SIGNED("eu-west-1", "AKIABASE") },
	{ "role -> role -> keys: the innermost role first",
	  "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	  "[profile b]\nrole_arn = arn:aws:iam::2:role/b\n"
	  "source_profile = base\n", BASE, { 0 }, "a", AWS_CREDS_REMOTE,
	  DRY("b", "arn:aws:iam::2:role/b"),
	  "POST https://sts.us-east-1.amazonaws.com/ AssumeRole RoleArn="
	  "arn:aws:iam::2:role/b * " SIGNED("us-east-1", "AKIABASE") },
	{ "role: a source profile with keys and role_arn uses its keys",
	  "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	  "[profile b]\nrole_arn = arn:aws:iam::2:role/b\n"
	  "source_profile = base\n", "[b]\naws_access_key_id = AKIAB\n"
	  "aws_secret_access_key = b/s3kr1t\n" BASE, { 0 }, "a",
	  AWS_CREDS_REMOTE, DRY("a", "arn:aws:iam::1:role/a"),
	  "* " SIGNED("us-east-1", "AKIAB") },
	{ "role: a source profile's credential_process",
	  "[profile a]\nrole_arn = " ROLE "\nsource_profile = p\n"
	  "[profile p]\ncredential_process = @/longterm.sh\n", NULL, { 0 },
	  "a", AWS_CREDS_REMOTE, DRY("a", ROLE),
	  "* " SIGNED("us-east-1", "AKIAPROCESSLONGTERM") },
	{ "role: itself as source, with keys of its own",
	  "[profile dev]\nrole_arn = " ROLE "\nsource_profile = dev\n",
	  "[dev]\naws_access_key_id = AKIADEV\n"
	  "aws_secret_access_key = dev/s3kr1t\n", { 0 }, "dev",
	  AWS_CREDS_REMOTE, DRY("dev", ROLE),
	  "* " SIGNED("us-east-1", "AKIADEV") },
	{ "role: a web identity source profile",
	  "[profile a]\nrole_arn = " ROLE "\nsource_profile = w\n"
	  "[profile w]\nrole_arn = arn:aws:iam::1:role/w\n"
	  "web_identity_token_file = @/webtoken\n", NULL,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=/nonexistent" }, "a",
	  AWS_CREDS_REMOTE, "profile w: web identity arn:aws:iam::1:role/w: "
	  "not sent (dry run)",
	  "* AssumeRoleWithWebIdentity RoleArn=arn:aws:iam::1:role/w *" },
	{ "role: mfa_serial is refused before anything is asked",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "mfa_serial = arn:aws:iam::1:mfa/me\n", BASE, { 0 }, NULL,
	  AWS_CREDS_BROKEN, "profile default: mfa_serial is set, and a "
	  "pipeline cannot prompt for an MFA code: use a role without MFA, "
	  "or credential_process", "" },
	{ "role: credential_source Environment, with -p",
	  "[profile r]\nrole_arn = " ROLE "\ncredential_source = Environment\n",
	  NULL, { "AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=e/s3kr1t" },
	  "r", AWS_CREDS_REMOTE, DRY("r", ROLE),
	  "* " SIGNED("us-east-1", "AKIAENV") },

	/* STS's endpoint */
	{ "sts: legacy sends a legacy region to the global endpoint",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "sts_regional_endpoints = legacy\nregion = eu-west-2\n", BASE, { 0 },
	  NULL, AWS_CREDS_REMOTE, DRY("default", ROLE),
	  "POST https://sts.amazonaws.com/ AssumeRole * "
	  SIGNED("us-east-1", "AKIABASE") },
	{ "sts: legacy keeps a newer region regional",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "sts_regional_endpoints = legacy\nregion = af-south-1\n", BASE,
	  { 0 }, NULL, AWS_CREDS_REMOTE, DRY("default", ROLE),
	  "POST https://sts.af-south-1.amazonaws.com/ AssumeRole * "
	  SIGNED("af-south-1", "AKIABASE") },
	{ "sts: AWS_STS_REGIONAL_ENDPOINTS beats the profile",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "sts_regional_endpoints = legacy\n", BASE,
	  { "AWS_STS_REGIONAL_ENDPOINTS=regional" }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE),
	  "POST https://sts.us-east-1.amazonaws.com/ AssumeRole *" },
	{ "sts: China", "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "region = cn-north-1\n", BASE, { 0 }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE),
	  "POST https://sts.cn-north-1.amazonaws.com.cn/ AssumeRole *" },
	{ "sts: AWS_ENDPOINT_URL_STS over legacy, signed for the region",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "sts_regional_endpoints = legacy\n", BASE,
	  { "AWS_ENDPOINT_URL_STS=http://127.0.0.1:9/",
	    "AWS_ENDPOINT_URL=http://127.0.0.1:8" }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE), "POST http://127.0.0.1:9/ AssumeRole * "
	  SIGNED("us-east-1", "AKIABASE") },
	{ "sts: AWS_ENDPOINT_URL",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n", BASE,
	  { "AWS_ENDPOINT_URL=http://127.0.0.1:8" }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE), "POST http://127.0.0.1:8/ AssumeRole *" },
	{ "sts: the profile's services section",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n"
	  "services = local\n[services local]\nsts =\n"
	  "  endpoint_url = http://localhost:7\n", BASE, { 0 }, NULL,
	  AWS_CREDS_REMOTE, DRY("default", ROLE),
	  "POST http://localhost:7/ AssumeRole *" },

	/* 3. web identity */
	{ "web identity from the environment",
	  NULL, NULL, { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken",
	  "AWS_ROLE_ARN=" ROLE, "AWS_ROLE_SESSION_NAME=pod-1" }, NULL,
	  AWS_CREDS_REMOTE, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE) " ROLE
	  ": not sent (dry run)", "POST https://sts.us-east-1.amazonaws.com/ "
	  "AssumeRoleWithWebIdentity RoleArn=" ROLE " RoleSessionName=pod-1 "
	  "(unsigned)" },
	{ "web identity from the profile, at its place after assume role",
	  "[default]\nrole_arn = " ROLE "\nweb_identity_token_file = "
	  "@/webtoken\n", NULL, { 0 }, NULL, AWS_CREDS_REMOTE,
	  "profile default: web identity " ROLE ": not sent (dry run)",
	  "POST * AssumeRoleWithWebIdentity RoleArn=" ROLE " RoleSessionName="
	  "botocore-session-1767225600 (unsigned)" },
	{ "web identity: each of the environment's over the profile's",
	  "[default]\nrole_arn = arn:aws:iam::1:role/profile\n"
	  "web_identity_token_file = /nonexistent\n"
	  "role_session_name = from-profile\n", NULL,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken" }, NULL, AWS_CREDS_REMOTE,
	  "*: not sent (dry run)", "* RoleArn=arn:aws:iam::1:role/profile "
	  "RoleSessionName=from-profile (unsigned)" },
	{ "web identity: the environment's file, the profile's session name",
	  "[default]\nrole_session_name = from-profile\n", NULL,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken", "AWS_ROLE_ARN=" ROLE },
	  NULL, AWS_CREDS_REMOTE, "*: not sent (dry run)", "* RoleArn=" ROLE
	  " RoleSessionName=from-profile (unsigned)" },
	{ "web identity: a profile with role_arn alone is assume role's",
	  "[default]\nrole_arn = arn:aws:iam::1:role/profile\n", NULL,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken" }, NULL, AWS_CREDS_BROKEN,
	  "profile default: role_arn needs source_profile or "
	  "credential_source", "" },
	{ "web identity: before SSO and the files",
	  NULL, "[default]\naws_access_key_id = AKIACRED\n"
	  "aws_secret_access_key = cred/s3kr1t\n",
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken", "AWS_ROLE_ARN=" ROLE },
	  NULL, AWS_CREDS_REMOTE, "*: not sent (dry run)",
	  "* AssumeRoleWithWebIdentity *" },
	{ "web identity: a role profile's web identity comes after the role",
	  "[default]\nrole_arn = " ROLE "\nsource_profile = base\n", BASE,
	  { "AWS_WEB_IDENTITY_TOKEN_FILE=@/webtoken",
	    "AWS_ROLE_ARN=arn:aws:iam::1:role/w" }, NULL, AWS_CREDS_REMOTE,
	  DRY("default", ROLE), "* AssumeRole RoleArn=" ROLE " *" },
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

/* the dry runs' trace, lines joined by '\n' */
static struct buf traced;

static void
collect(void *arg, const char *line)
{
	(void)arg;
	if (traced.len)
		buf_addc(&traced, '\n');
	buf_adds(&traced, line);
}

static void
dryrun(const struct dcase *t)
{
	static const struct aws_creds_opts dry = { .trace = collect, .dry = 1 };
	struct aws_conf conf = AWS_CONF_INIT;
	struct aws_conf_opts o = { .profile = t->profile };
	struct aws_creds c = AWS_CREDS_INIT;
	struct buf err = BUF_INIT, want = BUF_INIT;
	int r;

	fix_files(t->config, t->creds);
	fix_env = t->env;
	buf_reset(&traced);
	if (aws_conf_load(&conf, &o, fix_getenv, &err) < 0) {
		CHECK(0, "%s: aws_conf_load: %s", t->what, err.p);
		goto out;
	}
	r = aws_creds_load_with(&c, &conf, fix_getenv, NOW, &dry, &err);
	CHECK(r == t->rc, "%s: rc %d, want %d (%s)", t->what, r, t->rc,
	    buf_str(&err));
	expand(&want, t->err);
	CHECK(glob(want.p, buf_str(&err)), "%s: err [%s], want [%s]",
	    t->what, buf_str(&err), want.p);
	expand(&want, t->trace);
	CHECK(glob(want.p, buf_str(&traced)), "%s: traced [%s], want [%s]",
	    t->what, buf_str(&traced), want.p);
	CHECK(!strstr(buf_str(&err), "s3kr1t") &&
	    !strstr(buf_str(&traced), "s3kr1t"), "%s: a secret in [%s] [%s]",
	    t->what, buf_str(&err), buf_str(&traced));
	CHECK(!c.akid && !c.secret, "%s: c not empty", t->what);
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

/* Found by tests/fuzz/fuzz_creddoc: the fields a failure quotes (Code,
 * Expiration) have their control characters as spaces, so the message
 * is one line; and a failure leaves c empty whatever it held. */
static void
documents(void)
{
	static const struct {
		const char *doc, *err;
	} t[] = {
		{ "{\"Code\":\"Succ\\ness\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"s3kr1t\",\"Token\":\"t\"}",
		  "container: Code is 'Succ ess', not Success" },
		{ "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3kr1t\","
		  "\"Expiration\":\"2030-01-01\\r\\n\\u001b[2J\"}",
		  "container: Expiration '2030-01-01   [2J' is not a "
		  "timestamp" },
	};
	struct buf err = BUF_INIT;
	struct aws_creds c;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&c, 0xa5, sizeof c);
		buf_reset(&err);
		CHECK(aws_creds_doc(&c, "container", "container", t[i].doc,
		    strlen(t[i].doc), 0, "Token", NOW, AWS_CREDS_REMOTE,
		    &err) == AWS_CREDS_REMOTE, "document %zu", i);
		CHECK(!strcmp(buf_str(&err), t[i].err), "document %zu: [%s]",
		    i, buf_str(&err));
		CHECK(!c.akid && !c.secret && !c.token && !c.expires &&
		    !c.source[0], "document %zu: c not empty", i);
	}
	buf_free(&err);
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
	for (i = 0; i < sizeof dcases / sizeof dcases[0]; i++)
		dryrun(&dcases[i]);
	env_values();
	staleness();
	exit_status();
	documents();
	curl_global_cleanup();
	buf_free(&traced);
	fix_cleanup();
	return unit_end("aws_creds");
}
