/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aws_conf.h"
#include "buf.h"
#include "unit.h"
#include "awsfix.h"

#define NONE "<none>"		/* want: NULL */
#define SYSCA "<system>"	/* want: NULL or the system's bundle */

static const struct ccase {
	const char *what;
	const char *config, *creds;	/* file texts; NULL: no file */
	const char *env[8];		/* "NAME=value" */
	struct aws_conf_opts o;
	const char *key, *val;		/* aws_conf_get(key) must be val */
	const char *profile, *region, *endpoint, *ca;	/* NULL: any */
	int custom;			/* -1: any */
	const char *err;		/* error text (with "@D" the folder);
					 * NULL: must load */
} cases[] = {
	/* the files as the CLI reads them */
	{ "no files at all: defaults", NULL, NULL, { 0 }, { 0 }, "region",
	  NONE, "default", "us-east-1", NONE, SYSCA, 0, NULL },
	{ "[default] region", "[default]\nregion = eu-west-1\n", NULL, { 0 },
	  { 0 }, NULL, NULL, "default", "eu-west-1", NULL, NULL, -1, NULL },
	{ "comments, blank lines, CRLF, tabs",
	  "# top\r\n; also\r\n\r\n[default]\r\n  # indented comment\r\n"
	  "\tregion\t=\teu-west-2 \r\n", NULL, { 0 }, { 0 }, NULL, NULL,
	  NULL, "eu-west-2", NULL, NULL, -1, NULL },
	{ "no inline comments, as the CLI",
	  "[default]\nfoo = bar # not a comment ; nor this\n", NULL, { 0 },
	  { 0 }, "foo", "bar # not a comment ; nor this", NULL, NULL, NULL,
	  NULL, -1, NULL },
	{ "keys fold to lowercase, values keep their case",
	  "[default]\nRegion = eu-west-1\nFOO_Bar = MiXeD\n", NULL, { 0 },
	  { 0 }, "foo_bar", "MiXeD", NULL, "eu-west-1", NULL, NULL, -1,
	  NULL },
	{ "key: value", "[default]\nregion: ap-south-1\n", NULL, { 0 }, { 0 },
	  NULL, NULL, NULL, "ap-south-1", NULL, NULL, -1, NULL },
	{ "split at the first = or :",
	  "[default]\ncredential_process = /bin/x --url=http://h:1/\n",
	  NULL, { 0 }, { 0 }, "credential_process",
	  "/bin/x --url=http://h:1/", NULL, NULL, NULL, NULL, -1, NULL },
	{ "an empty value", "[default]\nfoo =\nbar=\n", NULL, { 0 }, { 0 },
	  "bar", "", NULL, NULL, NULL, NULL, -1, NULL },
	{ "a nested block becomes parent.child",
	  "[default]\ns3 =\n    addressing_style = path\n"
	  "    Max_Concurrent_Requests = 20\nregion = sa-east-1\n", NULL,
	  { 0 }, { 0 }, "s3.addressing_style", "path", NULL, "sa-east-1",
	  NULL, NULL, -1, NULL },
	{ "nested keys keep their case",
	  "[default]\ns3 =\n  Max_Concurrent_Requests = 20\n", NULL, { 0 },
	  { 0 }, "s3.Max_Concurrent_Requests", "20", NULL, NULL, NULL, NULL,
	  -1, NULL },
	{ "the parent of a nested block is empty",
	  "[default]\ns3 =\n  x = 1\n", NULL, { 0 }, { 0 }, "s3", "", NULL,
	  NULL, NULL, NULL, -1, NULL },
	{ "a blank line or comment inside a nested block",
	  "[default]\ns3 =\n  a = 1\n\n  # c\n  b = 2\n", NULL, { 0 },
	  { 0 }, "s3.b", "2", NULL, NULL, NULL, NULL, -1, NULL },
	{ "an indented line continues a value",
	  "[default]\nfoo = one\n  two\nbar = 3\n", NULL, { 0 }, { 0 },
	  "foo", "one\ntwo", NULL, NULL, NULL, NULL, -1, NULL },
	{ "an indented first setting is a setting",
	  "[default]\n   region = us-west-1\n", NULL, { 0 }, { 0 }, NULL,
	  NULL, NULL, "us-west-1", NULL, NULL, -1, NULL },
	{ "a repeated key: the later wins",
	  "[default]\nregion = us-west-1\nregion = us-west-2\n", NULL, { 0 },
	  { 0 }, NULL, NULL, NULL, "us-west-2", NULL, NULL, -1, NULL },
	{ "a repeated section merges, the later wins",
	  "[default]\na = 1\nb = 1\n[profile x]\n[default]\nb = 2\n", NULL,
	  { 0 }, { 0 }, "a", "1", NULL, NULL, NULL, NULL, -1, NULL },
	{ "a repeated section merges (2)",
	  "[default]\na = 1\nb = 1\n[profile x]\n[default]\nb = 2\n", NULL,
	  { 0 }, { 0 }, "b", "2", NULL, NULL, NULL, NULL, -1, NULL },
	{ "a header with trailing text", "[default] ; comment\nfoo = 1\n",
	  NULL, { 0 }, { 0 }, "foo", "1", NULL, NULL, NULL, NULL, -1, NULL },
	{ "space inside the brackets", "[ profile dev ]\nfoo = 1\n", NULL,
	  { 0 }, { .profile = "dev" }, "foo", "1", "dev", NULL, NULL, NULL,
	  -1, NULL },
	{ "other sections are not profiles",
	  "[preview]\nfoo = 1\n[plugins]\nfoo = 2\n", NULL, { 0 }, { 0 },
	  "foo", NONE, NULL, NULL, NULL, NULL, -1, NULL },
	{ "credentials overrides config for the same key",
	  "[default]\nregion = eu-west-1\nfoo = c\n",
	  "[default]\nregion = eu-central-1\n", { 0 }, { 0 }, "foo", "c",
	  NULL, "eu-central-1", NULL, NULL, -1, NULL },

	/* profile selection */
	{ "-p selects [profile NAME]",
	  "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n",
	  NULL, { 0 }, { .profile = "dev" }, NULL, NULL, "dev", "us-west-2",
	  NULL, NULL, -1, NULL },
	{ "AWS_PROFILE selects",
	  "[profile dev]\nregion = us-west-2\n[profile ops]\nregion = "
	  "ca-central-1\n", NULL, { "AWS_PROFILE=ops" }, { 0 }, NULL, NULL,
	  "ops", "ca-central-1", NULL, NULL, -1, NULL },
	{ "-p beats AWS_PROFILE",
	  "[profile dev]\nregion = us-west-2\n[profile ops]\nregion = "
	  "ca-central-1\n", NULL, { "AWS_PROFILE=ops" }, { .profile = "dev" },
	  NULL, NULL, "dev", "us-west-2", NULL, NULL, -1, NULL },
	{ "AWS_DEFAULT_PROFILE when AWS_PROFILE is unset",
	  "[profile ops]\nregion = ca-central-1\n", NULL,
	  { "AWS_DEFAULT_PROFILE=ops" }, { 0 }, NULL, NULL, "ops",
	  "ca-central-1", NULL, NULL, -1, NULL },
	{ "AWS_PROFILE beats AWS_DEFAULT_PROFILE",
	  "[profile dev]\n[profile ops]\n", NULL,
	  { "AWS_DEFAULT_PROFILE=ops", "AWS_PROFILE=dev" }, { 0 }, NULL, NULL,
	  "dev", NULL, NULL, NULL, -1, NULL },
	{ "an empty AWS_PROFILE is unset", "[default]\n", NULL,
	  { "AWS_PROFILE=" }, { 0 }, NULL, NULL, "default", NULL, NULL, NULL,
	  -1, NULL },
	{ "a profile only in the credentials file", NULL,
	  "[dev]\nregion = us-west-2\n", { 0 }, { .profile = "dev" }, NULL,
	  NULL, "dev", "us-west-2", NULL, NULL, -1, NULL },
	{ "[profile dev] in the credentials file is 'profile dev'", NULL,
	  "[profile dev]\nfoo = 1\n", { 0 }, { .profile = "profile dev" },
	  "foo", "1", "profile dev", NULL, NULL, NULL, -1, NULL },
	{ "[profile \"a b\"] quotes a name",
	  "[profile \"a b\"]\nregion = us-west-1\n", NULL, { 0 },
	  { .profile = "a b" }, NULL, NULL, "a b", "us-west-1", NULL, NULL,
	  -1, NULL },
	{ "[profile default] is the default profile",
	  "[profile default]\nregion = us-west-1\n", NULL, { 0 }, { 0 },
	  NULL, NULL, "default", "us-west-1", NULL, NULL, -1, NULL },
	{ "profile names keep their case", "[profile Dev]\n", NULL, { 0 },
	  { .profile = "dev" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile dev: not found in @D/config or @D/credentials" },
	{ "a named profile must exist", "[default]\n", "[default]\n", { 0 },
	  { .profile = "nope" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile nope: not found in @D/config or @D/credentials" },
	{ "AWS_PROFILE must exist too", NULL, NULL, { "AWS_PROFILE=nope" },
	  { 0 }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile nope: not found in @D/config or @D/credentials" },
	{ "a named default must exist, as in the CLI", NULL, NULL, { 0 },
	  { .profile = "default" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile default: not found in @D/config or @D/credentials" },
	{ "[dev] in the config file is not profile dev: a hint",
	  "[dev]\nregion = us-west-2\n", NULL, { 0 }, { .profile = "dev" },
	  NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile dev: not found in @D/config or @D/credentials (the "
	  "config file names it [profile dev], not [dev])" },
	{ "[profile a b] is no profile (two words)", "[profile a b]\n", NULL,
	  { 0 }, { .profile = "a b" }, NULL, NULL, NULL, NULL, NULL, NULL,
	  -1, "profile a b: not found in @D/config or @D/credentials" },
	{ "[profiledev] is no profile", "[profiledev]\n", NULL, { 0 },
	  { .profile = "dev" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile dev: not found in @D/config or @D/credentials" },

	/* malformed files */
	{ "a setting before any section", "region = x\n[default]\n", NULL,
	  { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "config file @D/config:1: a setting before any [section]" },
	{ "a line that is no setting", "[default]\n\nregion\n", NULL, { 0 },
	  { 0 }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "config file @D/config:3: expected 'key = value'" },
	{ "no key", "[default]\n= x\n", NULL, { 0 }, { 0 }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1,
	  "config file @D/config:2: a setting needs a key before = or :" },
	{ "an empty header", "[]\n", NULL, { 0 }, { 0 }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1,
	  "config file @D/config:1: a section header needs a name in [ ]" },
	{ "an unclosed header", "[default\n", NULL, { 0 }, { 0 }, NULL, NULL,
	  NULL, NULL, NULL, NULL, -1,
	  "config file @D/config:1: a section header needs a name in [ ]" },
	{ "a nested line without =", "[default]\ns3 =\n  path\n", NULL,
	  { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "config file @D/config:3: a nested setting needs 'key = value'" },
	{ "the credentials file is named as such", NULL,
	  "[default]\nnonsense\n", { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL,
	  NULL, -1, "credentials file @D/credentials:2: expected "
	  "'key = value'" },

	/* file locations */
	{ "HOME/.aws/config when AWS_CONFIG_FILE is unset", NULL, NULL,
	  { "AWS_CONFIG_FILE=", "AWS_SHARED_CREDENTIALS_FILE=" },
	  { .profile = "x" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile x: not found in @D/home/.aws/config or "
	  "@D/home/.aws/credentials" },
	{ "~/ in AWS_CONFIG_FILE is HOME", NULL, NULL,
	  { "AWS_CONFIG_FILE=~/c", "AWS_SHARED_CREDENTIALS_FILE=~/k" },
	  { .profile = "x" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "profile x: not found in @D/home/c or @D/home/k" },
	{ "no HOME, no files", NULL, NULL,
	  { "AWS_CONFIG_FILE=", "AWS_SHARED_CREDENTIALS_FILE=", "HOME=" },
	  { 0 }, NULL, NULL, "default", "us-east-1", NULL, NULL, -1, NULL },
	{ "a config file that is a folder is unreadable", NULL, NULL,
	  { "AWS_CONFIG_FILE=/" }, { 0 }, NULL, NULL, NULL, NULL, NULL, NULL,
	  -1, "config file /: Is a directory" },
	{ "a missing folder is a missing file", NULL, NULL,
	  { "AWS_CONFIG_FILE=/nonexistent/config",
	    "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials" }, { 0 },
	  NULL, NULL, "default", "us-east-1", NULL, NULL, -1, NULL },

	/* region: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, us-east-1 */
	{ "region: the flag wins", "[default]\nregion = eu-west-1\n", NULL,
	  { "AWS_REGION=eu-west-2", "AWS_DEFAULT_REGION=eu-west-3" },
	  { .region = "ap-east-1" }, NULL, NULL, NULL, "ap-east-1", NULL,
	  NULL, -1, NULL },
	{ "region: AWS_REGION next", "[default]\nregion = eu-west-1\n", NULL,
	  { "AWS_REGION=eu-west-2", "AWS_DEFAULT_REGION=eu-west-3" }, { 0 },
	  NULL, NULL, NULL, "eu-west-2", NULL, NULL, -1, NULL },
	{ "region: AWS_DEFAULT_REGION next",
	  "[default]\nregion = eu-west-1\n", NULL,
	  { "AWS_DEFAULT_REGION=eu-west-3" }, { 0 }, NULL, NULL, NULL,
	  "eu-west-3", NULL, NULL, -1, NULL },
	{ "region: an empty AWS_REGION is unset",
	  "[default]\nregion = eu-west-1\n", NULL, { "AWS_REGION=" }, { 0 },
	  NULL, NULL, NULL, "eu-west-1", NULL, NULL, -1, NULL },
	{ "region: the selected profile's, not default's",
	  "[default]\nregion = eu-west-1\n[profile x]\n", NULL, { 0 },
	  { .profile = "x" }, NULL, NULL, NULL, "us-east-1", NULL, NULL, -1,
	  NULL },
	{ "region: not a region name", NULL, NULL,
	  { "AWS_REGION=us east 1" }, { 0 }, NULL, NULL, NULL, NULL, NULL,
	  NULL, -1, "region 'us east 1': not a region name" },
	{ "region: a host name is not a region", NULL, NULL, { 0 },
	  { .region = "evil.com/x" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "region 'evil.com/x': not a region name" },
	{ "region: no leading -", NULL, NULL, { 0 }, { .region = "-x" },
	  NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "region '-x': not a region name" },

	/* endpoint: flag, _S3, AWS_ENDPOINT_URL, services, profile, none */
	{ "endpoint: the flag wins",
	  "[default]\nendpoint_url = http://profile:1\n", NULL,
	  { "AWS_ENDPOINT_URL_S3=http://s3env:2",
	    "AWS_ENDPOINT_URL=http://env:3" },
	  { .endpoint = "http://flag:4", .service = "s3" }, NULL, NULL, NULL,
	  NULL, "http://flag:4", NULL, 1, NULL },
	{ "endpoint: AWS_ENDPOINT_URL_S3 next",
	  "[default]\nendpoint_url = http://profile:1\n", NULL,
	  { "AWS_ENDPOINT_URL_S3=http://s3env:2",
	    "AWS_ENDPOINT_URL=http://env:3" }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, "http://s3env:2", NULL, 1, NULL },
	{ "endpoint: another service's variable does not count", NULL, NULL,
	  { "AWS_ENDPOINT_URL_DYNAMODB=http://ddb:2",
	    "AWS_ENDPOINT_URL=http://env:3" }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, "http://env:3", NULL, 1, NULL },
	{ "endpoint: AWS_ENDPOINT_URL_DYNAMODB for dynamodb", NULL, NULL,
	  { "AWS_ENDPOINT_URL_S3=http://s3env:2",
	    "AWS_ENDPOINT_URL_DYNAMODB=http://ddb:2" },
	  { .service = "dynamodb" }, NULL, NULL, NULL, NULL, "http://ddb:2",
	  NULL, 1, NULL },
	{ "endpoint: the services section before endpoint_url",
	  "[default]\nendpoint_url = http://profile:1\nservices = local\n"
	  "[services local]\ns3 =\n  endpoint_url = http://svc:5\n"
	  "dynamodb =\n  endpoint_url = http://svcddb:6\n", NULL, { 0 },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, "http://svc:5", NULL,
	  1, NULL },
	{ "endpoint: the services section, other service",
	  "[default]\nendpoint_url = http://profile:1\nservices = local\n"
	  "[services local]\ndynamodb =\n  endpoint_url = http://svcddb:6\n",
	  NULL, { 0 }, { .service = "s3" }, NULL, NULL, NULL, NULL,
	  "http://profile:1", NULL, 1, NULL },
	{ "endpoint: AWS_ENDPOINT_URL beats the services section",
	  "[default]\nservices = local\n[services local]\ns3 =\n"
	  "  endpoint_url = http://svc:5\n", NULL,
	  { "AWS_ENDPOINT_URL=http://env:3" }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, "http://env:3", NULL, 1, NULL },
	{ "endpoint: the profile's endpoint_url",
	  "[default]\nendpoint_url = http://profile:1\n", NULL, { 0 },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, "http://profile:1",
	  NULL, 1, NULL },
	{ "endpoint: none, not custom", "[default]\n", NULL, { 0 },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, NONE, NULL, 0, NULL },
	{ "endpoint: ignore configured endpoints (env)",
	  "[default]\nendpoint_url = http://profile:1\n", NULL,
	  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true",
	    "AWS_ENDPOINT_URL_S3=http://s3env:2" }, { .service = "s3" },
	  NULL, NULL, NULL, NULL, NONE, NULL, 0, NULL },
	{ "endpoint: ignoring keeps the flag", NULL, NULL,
	  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=TRUE",
	    "AWS_ENDPOINT_URL_S3=http://s3env:2" },
	  { .endpoint = "http://flag:4", .service = "s3" }, NULL, NULL, NULL,
	  NULL, "http://flag:4", NULL, 1, NULL },
	{ "endpoint: ignore configured endpoints (profile)",
	  "[default]\nendpoint_url = http://profile:1\n"
	  "ignore_configured_endpoint_urls = true\n", NULL,
	  { "AWS_ENDPOINT_URL=http://env:3" }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, NONE, NULL, 0, NULL },
	{ "endpoint: the variable's false beats the profile's true",
	  "[default]\nignore_configured_endpoint_urls = true\n", NULL,
	  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false",
	    "AWS_ENDPOINT_URL=http://env:3" }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, "http://env:3", NULL, 1, NULL },
	{ "endpoint: without a service, no per-service sources", NULL, NULL,
	  { "AWS_ENDPOINT_URL_S3=http://s3env:2",
	    "AWS_ENDPOINT_URL=http://env:3" }, { 0 }, NULL, NULL, NULL, NULL,
	  "http://env:3", NULL, 1, NULL },

	/* endpoint URLs: normal form and refusals */
	{ "endpoint: normal form", NULL, NULL, { 0 },
	  { .endpoint = "HTTP://LocalHost:80/", .service = "s3" }, NULL, NULL,
	  NULL, NULL, "http://LocalHost", NULL, 1, NULL },
	{ "endpoint: https drops :443", NULL, NULL, { 0 },
	  { .endpoint = "https://s3.example.com:443", .service = "s3" }, NULL,
	  NULL, NULL, NULL, "https://s3.example.com", NULL, 1, NULL },
	{ "endpoint: IPv6 with a port", NULL, NULL, { 0 },
	  { .endpoint = "http://[::1]:9000", .service = "s3" }, NULL, NULL,
	  NULL, NULL, "http://[::1]:9000", NULL, 1, NULL },
	{ "endpoint: http on 443 keeps it", NULL, NULL, { 0 },
	  { .endpoint = "http://h:443", .service = "s3" }, NULL, NULL, NULL,
	  NULL, "http://h:443", NULL, 1, NULL },
	{ "endpoint: ftp", NULL, NULL, { "AWS_ENDPOINT_URL=ftp://h/" },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "endpoint URL 'ftp://h/' (from AWS_ENDPOINT_URL): the scheme must "
	  "be http:// or https://" },
	{ "endpoint: a bare host", NULL, NULL, { 0 },
	  { .endpoint = "localhost:9000", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1,
	  "endpoint URL 'localhost:9000' (from the command line): the scheme "
	  "must be http:// or https://" },
	{ "endpoint: no host", NULL, NULL, { "AWS_ENDPOINT_URL_S3=http://" },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "endpoint URL 'http://' (from AWS_ENDPOINT_URL_S3): no host" },
	{ "endpoint: a path", "[default]\nendpoint_url = http://h/s3\n", NULL,
	  { 0 }, { .service = "s3" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "endpoint URL 'http://h/s3' (from profile default): a path is not "
	  "supported" },
	/* found by tests/fuzz/fuzz_awsconf: a message is one line, the
	 * values it quotes with their control characters as spaces */
	{ "endpoint: control characters", "[default]\nendpoint_url = "
	  "\177\033[2Jhttp://h\r/\n  x\n", NULL, { 0 },
	  { .service = "s3" }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "endpoint URL '  [2Jhttp://h / x' (from profile default): the "
	  "scheme must be http:// or https://" },
	{ "region: a newline", "[default]\nregion = eu\n  west\n", NULL,
	  { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, NULL, -1,
	  "region 'eu west': not a region name" },
	{ "endpoint: a query", NULL, NULL, { 0 },
	  { .endpoint = "http://h:1?x=1", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://h:1?x=1' (from the "
	  "command line): a query or fragment is not allowed" },
	{ "endpoint: a user", NULL, NULL, { 0 },
	  { .endpoint = "http://u:p@h", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://u:p@h' (from the "
	  "command line): user:password@ is not allowed" },
	{ "endpoint: port 0", NULL, NULL, { 0 },
	  { .endpoint = "http://h:0", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://h:0' (from the command "
	  "line): the port must be a number 1 to 65535" },
	{ "endpoint: port 65536", NULL, NULL, { 0 },
	  { .endpoint = "http://h:65536", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://h:65536' (from the "
	  "command line): the port must be a number 1 to 65535" },
	{ "endpoint: port x", NULL, NULL, { 0 },
	  { .endpoint = "http://h:x", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://h:x' (from the command "
	  "line): the port must be a number 1 to 65535" },
	{ "endpoint: an empty port", NULL, NULL, { 0 },
	  { .endpoint = "http://h:", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://h:' (from the command "
	  "line): the port must be a number 1 to 65535" },
	{ "endpoint: a space in the host", NULL, NULL, { 0 },
	  { .endpoint = "http://a b", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://a b' (from the command "
	  "line): the host has a character a host name cannot have" },
	{ "endpoint: a bad IPv6 literal", NULL, NULL, { 0 },
	  { .endpoint = "http://[::1", .service = "s3" }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "endpoint URL 'http://[::1' (from the command "
	  "line): a bad IPv6 address" },
	{ "endpoint: services section named in the message",
	  "[default]\nservices = s\n[services s]\ns3 =\n"
	  "  endpoint_url = nope\n", NULL, { 0 }, { .service = "s3" }, NULL,
	  NULL, NULL, NULL, NULL, NULL, -1, "endpoint URL 'nope' (from "
	  "[services s] in @D/config): the scheme must be http:// or "
	  "https://" },

	/* CA bundle: flag, AWS_CA_BUNDLE, profile, system */
	{ "ca: the flag wins", "[default]\nca_bundle = /etc/group\n", NULL,
	  { "AWS_CA_BUNDLE=/etc/hosts" }, { .ca_bundle = "/etc/passwd" },
	  NULL, NULL, NULL, NULL, NULL, "/etc/passwd", -1, NULL },
	{ "ca: AWS_CA_BUNDLE next", "[default]\nca_bundle = /etc/group\n",
	  NULL, { "AWS_CA_BUNDLE=/etc/hosts" }, { 0 }, NULL, NULL, NULL, NULL,
	  NULL, "/etc/hosts", -1, NULL },
	{ "ca: the profile's", "[default]\nca_bundle = /etc/group\n", NULL,
	  { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, "/etc/group", -1,
	  NULL },
	{ "ca: the system's bundle", NULL, NULL, { 0 }, { 0 }, NULL, NULL,
	  NULL, NULL, NULL, SYSCA, -1, NULL },
	{ "ca: a missing bundle is an error", NULL, NULL,
	  { "AWS_CA_BUNDLE=/nonexistent/ca.pem" }, { 0 }, NULL, NULL, NULL,
	  NULL, NULL, NULL, -1, "CA bundle /nonexistent/ca.pem (from "
	  "AWS_CA_BUNDLE): No such file or directory" },
};

/* want, with @D replaced by the fixture folder */
static void
expand(struct buf *b, const char *want)
{
	const char *at;

	buf_reset(b);
	while ((at = strstr(want, "@D"))) {
		buf_add(b, want, (size_t)(at - want));
		buf_adds(b, fix_dir);
		want = at + 2;
	}
	buf_adds(b, want);
}

static void
same(const char *what, const char *field, const char *got,
    const char *want)
{
	if (!want)
		return;
	if (strcmp(want, SYSCA) == 0)
		CHECK(!got || (strncmp(got, "/etc/", 5) == 0 &&
			       access(got, R_OK) == 0),
		      "%s: %s is [%s], want a system bundle", what, field,
		      got);
	else if (strcmp(want, NONE) == 0)
		CHECK(got == NULL, "%s: %s is [%s], want none", what, field,
		    got);
	else
		CHECK(got && strcmp(got, want) == 0, "%s: %s is [%s], want "
		    "[%s]", what, field, fix_s(got), want);
}

static void
run(const struct ccase *t)
{
	struct aws_conf c = AWS_CONF_INIT;
	struct buf err = BUF_INIT, want = BUF_INIT;
	int r;

	fix_files(t->config, t->creds);
	fix_env = t->env;
	r = aws_conf_load(&c, &t->o, fix_getenv, &err);
	if (t->err) {
		expand(&want, t->err);
		CHECK(r == -1 && strcmp(buf_str(&err), want.p) == 0,
		    "%s: r=%d err [%s], want [%s]", t->what, r, buf_str(&err),
		    want.p);
		CHECK(c.profile == NULL && c.files == NULL,
		    "%s: not emptied after an error", t->what);
	} else {
		CHECK(r == 0, "%s: failed: %s", t->what, buf_str(&err));
		if (r == 0) {
			if (t->key)
				same(t->what, t->key, aws_conf_get(&c, t->key),
				    t->val);
			same(t->what, "profile", c.profile, t->profile);
			same(t->what, "region", c.region, t->region);
			same(t->what, "endpoint", c.endpoint, t->endpoint);
			same(t->what, "ca_bundle", c.ca_bundle, t->ca);
			if (t->custom >= 0)
				CHECK(c.custom_endpoint == t->custom,
				    "%s: custom_endpoint %d", t->what,
				    c.custom_endpoint);
		}
	}
	aws_conf_free(&c);
	buf_free(&err);
	buf_free(&want);
}

static void
file_views(void)
{
	struct aws_conf c = AWS_CONF_INIT;
	struct buf err = BUF_INIT;
	static const char *const env[] = { "AWS_PROFILE=dev", NULL };

	fix_files("[default]\nk = dflt\n[profile dev]\nk = conf\nc = 1\n",
	    "[dev]\nk = cred\n");
	fix_env = env;
	CHECK(aws_conf_load(&c, NULL, fix_getenv, &err) == 0, "views: %s",
	    buf_str(&err));
	same("views", "config k", aws_conf_file_get(&c, AWS_CONF_CONFIG, "k"),
	    "conf");
	same("views", "credentials k",
	    aws_conf_file_get(&c, AWS_CONF_CREDENTIALS, "k"), "cred");
	same("views", "credentials c",
	    aws_conf_file_get(&c, AWS_CONF_CREDENTIALS, "c"), NONE);
	same("views", "merged k", aws_conf_get(&c, "k"), "cred");
	same("views", "merged c", aws_conf_get(&c, "c"), "1");
	CHECK(c.profile_explicit == 1, "views: AWS_PROFILE not explicit");
	aws_conf_free(&c);
	aws_conf_free(&c);	/* twice is harmless */
	fix_env = NULL;
	CHECK(aws_conf_load(&c, NULL, fix_getenv, &err) == 0 &&
	    c.profile_explicit == 0, "views: default is explicit");
	aws_conf_free(&c);
	buf_free(&err);
}

/* any profile's settings, [sso-session] sections, -p */
static void
other_sections(void)
{
	struct aws_conf c = AWS_CONF_INIT;
	struct aws_conf_opts o = { .profile = "dev" };
	struct buf err = BUF_INIT;

	fix_files("[default]\nk = dflt\n[profile dev]\nk = conf\n"
	    "[profile src]\nrole_arn = arn\nk = srcconf\n"
	    "[sso-session corp]\nsso_region = eu-west-1\n"
	    "[sso-session \"my corp\"]\nsso_start_url = https://x/start\n"
	    "[profile corp]\nsso_region = us-east-1\n",
	    "[src]\nk = srccred\n[only-cred]\n");
	fix_env = NULL;
	CHECK(aws_conf_load(&c, &o, fix_getenv, &err) == 0, "sections: %s",
	    buf_str(&err));
	CHECK(c.profile_flag == 1 && c.profile_explicit == 1,
	    "sections: -p is not the flag");
	same("sections", "src k", aws_conf_profile_get(&c, "src", "k"),
	    "srccred");
	same("sections", "src role_arn",
	    aws_conf_profile_get(&c, "src", "role_arn"), "arn");
	same("sections", "src k in config", aws_conf_profile_file_get(&c,
	    AWS_CONF_CONFIG, "src", "k"), "srcconf");
	same("sections", "nope k", aws_conf_profile_get(&c, "nope", "k"),
	    NONE);
	CHECK(aws_conf_profile_exists(&c, "src") &&
	    aws_conf_profile_exists(&c, "only-cred") &&
	    aws_conf_profile_exists(&c, "default") &&
	    !aws_conf_profile_exists(&c, "corp-x") &&
	    !aws_conf_profile_exists(&c, "nope"), "sections: exists");
	same("sections", "sso-session corp", aws_conf_sso_session_get(&c,
	    "corp", "sso_region"), "eu-west-1");
	same("sections", "a quoted sso-session", aws_conf_sso_session_get(&c,
	    "my corp", "sso_start_url"), "https://x/start");
	same("sections", "a profile is no sso-session",
	    aws_conf_sso_session_get(&c, "corp", "sso_start_url"), NONE);
	CHECK(aws_conf_sso_session_exists(&c, "corp") &&
	    !aws_conf_sso_session_exists(&c, "dev"), "sections: sso exists");
	/* a [sso-session] is no profile */
	CHECK(aws_conf_profile_get(&c, "corp", "sso_region") &&
	    strcmp(aws_conf_profile_get(&c, "corp", "sso_region"),
	    "us-east-1") == 0, "sections: the profile corp");
	aws_conf_free(&c);
	buf_free(&err);
}

/* aws_conf_service_endpoint: another service's configured endpoint */
static void
service_endpoints(void)
{
	static const struct {
		const char *env[4];
		const char *svc;
		int rc;
		const char *want;	/* out, or err for -1 */
	} t[] = {
		{ { 0 }, "sts", 1, "http://svc-sts.test:2" },
		{ { 0 }, "sso", 1, "http://profile.test:1" },
		{ { "AWS_ENDPOINT_URL_STS=HTTP://env-sts.test:80/" }, "sts", 1,
		  "http://env-sts.test" },
		{ { "AWS_ENDPOINT_URL=http://env.test:5" }, "sts", 1,
		  "http://env.test:5" },
		{ { "AWS_ENDPOINT_URL=http://env.test:5",
		    "AWS_ENDPOINT_URL_SSO=http://env-sso.test:6" }, "sso", 1,
		  "http://env-sso.test:6" },
		{ { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true",
		    "AWS_ENDPOINT_URL_STS=http://env-sts.test" }, "sts", 0, "" },
		{ { "AWS_ENDPOINT_URL_STS=sts.test" }, "sts", -1,
		  "endpoint URL 'sts.test' (from AWS_ENDPOINT_URL_STS): the "
		  "scheme must be http:// or https://" },
	};
	struct aws_conf c = AWS_CONF_INIT;
	struct buf out = BUF_INIT, err = BUF_INIT;
	size_t i;
	int r;

	fix_files("[default]\nendpoint_url = http://profile.test:1\n"
	    "services = local\n[services local]\nsts =\n"
	    "  endpoint_url = http://svc-sts.test:2\n", NULL);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		fix_env = t[i].env;
		buf_reset(&out);
		buf_reset(&err);
		/* no service of its own: only the profile's endpoint_url */
		if (aws_conf_load(&c, NULL, fix_getenv, &err) < 0) {
			CHECK(0, "endpoint #%zu: %s", i, err.p);
			continue;
		}
		r = aws_conf_service_endpoint(&c, t[i].svc, fix_getenv, &out,
		    &err);
		CHECK(r == t[i].rc && strcmp(r < 0 ? buf_str(&err) :
		    buf_str(&out), t[i].want) == 0, "endpoint #%zu: %d [%s] "
		    "[%s]", i, r, buf_str(&out), buf_str(&err));
		aws_conf_free(&c);
	}
	buf_free(&out);
	buf_free(&err);
}

static void
default_endpoints(void)
{
	static const struct {
		const char *svc, *region, *want;
	} t[] = {
		{ "s3", "us-east-1", "https://s3.us-east-1.amazonaws.com" },
		{ "dynamodb", "eu-west-1",
		  "https://dynamodb.eu-west-1.amazonaws.com" },
		{ "s3", "cn-north-1",
		  "https://s3.cn-north-1.amazonaws.com.cn" },
		{ "dynamodb", "cn-northwest-1",
		  "https://dynamodb.cn-northwest-1.amazonaws.com.cn" },
		{ "s3", "us-gov-west-1",
		  "https://s3.us-gov-west-1.amazonaws.com" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		aws_conf_default_endpoint(&b, t[i].svc, t[i].region);
		CHECK(strcmp(buf_str(&b), t[i].want) == 0, "%s %s: [%s]",
		    t[i].svc, t[i].region, buf_str(&b));
	}
	buf_free(&b);
}

static void
url_parse(void)
{
	static const struct {
		const char *url;
		int ok, https, port;
		const char *host, *rest;
	} t[] = {
		{ "http://h", 1, 0, 0, "h", "" },
		{ "HTTPS://h.example.com:8443/a/b?c#d", 1, 1, 8443,
		  "h.example.com", "/a/b?c#d" },
		{ "http://[fd00:ec2::23]/x", 1, 0, 0, "fd00:ec2::23", "/x" },
		{ "http://127.0.0.1:1?q", 1, 0, 1, "127.0.0.1", "?q" },
		{ "http://169.254.170.2/v2/credentials", 1, 0, 0,
		  "169.254.170.2", "/v2/credentials" },
		{ "http:/h", 0, 0, 0, NULL, NULL },
		{ "http://[]/", 0, 0, 0, NULL, NULL },
		{ "http://[::1]x/", 0, 0, 0, NULL, NULL },
		{ "http://h:99999/", 0, 0, 0, NULL, NULL },
		{ "http://h:1a/", 0, 0, 0, NULL, NULL },
		{ "http://a@h/", 0, 0, 0, NULL, NULL },
		{ "file:///etc/passwd", 0, 0, 0, NULL, NULL },
		{ "", 0, 0, 0, NULL, NULL },
	};
	struct aws_conf_url u;
	struct buf err = BUF_INIT;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&err);
		r = aws_conf_url_parse(t[i].url, &u, &err);
		if (!t[i].ok) {
			CHECK(r == -1 && err.len > 0, "[%s] accepted",
			    t[i].url);
			continue;
		}
		CHECK(r == 0 && u.https == t[i].https && u.port == t[i].port &&
		    strcmp(u.host, t[i].host) == 0 &&
		    strcmp(u.rest, t[i].rest) == 0, "[%s]: r=%d %s", t[i].url,
		    r, buf_str(&err));
		if (r == 0)
			free(u.host);
	}
	buf_free(&err);
}

int
main(int argc, char *argv[])
{
	size_t i;

	(void)argc;
	fix_setup(argv[0]);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i]);
	file_views();
	other_sections();
	service_endpoints();
	default_endpoints();
	url_parse();
	fix_cleanup();
	return unit_end("aws_conf");
}
