/* SPDX-License-Identifier: MIT */
/*
 * The parsers of the credential services' answers: STS's XML
 * (aws_sts_parse), the SSO token cache and GetRoleCredentials' JSON
 * (aws_sso_*), and the cache file's name.  The requests themselves are
 * in tests/creds.bats, against tests/servers/sts.js and sso.js.  Every
 * secret holds "s3kr1t", and no message may.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_sso.h"
#include "aws_sts.h"
#include "buf.h"
#include "unit.h"

#define NOW 1767225600		/* 2026-01-01T00:00:00Z */
#define Y2030 1893456000

#define CREDS(root, result) "<" root " xmlns=\"https://sts.amazonaws.com/" \
	"doc/2011-06-15/\">\n  <" result ">\n    <AssumedRoleUser>\n" \
	"      <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\n" \
	"    </AssumedRoleUser>\n    <Credentials>\n" \
	"      <AccessKeyId>ASIASTSEXAMPLE</AccessKeyId>\n" \
	"      <SecretAccessKey>sts/s3kr1tKEY</SecretAccessKey>\n" \
	"      <SessionToken>sts/s3kr1tTOKEN==</SessionToken>\n" \
	"      <Expiration>2030-01-01T00:00:00Z</Expiration>\n" \
	"    </Credentials>\n  </" result ">\n  <ResponseMetadata>" \
	"<RequestId>c6104cbe</RequestId></ResponseMetadata>\n</" root ">\n"

static const struct scase {
	const char *what, *xml;
	int rc;				/* aws_sts_parse's */
	const char *code, *message;	/* rc 1 */
	const char *err;		/* rc -1: the start of err */
} scases[] = {
	{ "AssumeRole", CREDS("AssumeRoleResponse", "AssumeRoleResult"), 0,
	  NULL, NULL, NULL },
	{ "AssumeRoleWithWebIdentity",
	  CREDS("AssumeRoleWithWebIdentityResponse",
	  "AssumeRoleWithWebIdentityResult"), 0, NULL, NULL, NULL },
	{ "an XML declaration first", "<?xml version=\"1.0\"?>\n"
	  CREDS("AssumeRoleResponse", "AssumeRoleResult"), 0, NULL, NULL,
	  NULL },
	{ "an error", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/"
	  "2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n"
	  "    <Code>AccessDenied</Code>\n    <Message>User: arn:aws:iam::1:"
	  "user/u is not authorized to perform: sts:AssumeRole</Message>\n"
	  "  </Error>\n  <RequestId>x</RequestId>\n</ErrorResponse>\n", 1,
	  "AccessDenied", "User: arn:aws:iam::1:user/u is not authorized to "
	  "perform: sts:AssumeRole", NULL },
	{ "an error without a message", "<ErrorResponse><Error><Code>"
	  "Throttling</Code></Error></ErrorResponse>", 1, "Throttling", "",
	  NULL },
	{ "an error without a code", "<ErrorResponse><Error><Message>m"
	  "</Message></Error></ErrorResponse>", -1, NULL, NULL,
	  "an error answer without a Code" },
	{ "credentials outside the Result",
	  "<AssumeRoleResponse><Credentials><AccessKeyId>A</AccessKeyId>"
	  "<SecretAccessKey>s3kr1t</SecretAccessKey><SessionToken>s3kr1t"
	  "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
	  "</Credentials></AssumeRoleResponse>", -1, NULL, NULL,
	  "the answer has no AccessKeyId" },
	{ "no Expiration",
	  "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>"
	  "A</AccessKeyId><SecretAccessKey>s3kr1t</SecretAccessKey>"
	  "<SessionToken>s3kr1t</SessionToken></Credentials>"
	  "</AssumeRoleResult></AssumeRoleResponse>", -1, NULL, NULL,
	  "the answer has no Expiration" },
	{ "another root", "<ListBucketResult/>", -1, NULL, NULL,
	  "the answer is not an STS answer" },
	{ "a DOCTYPE", "<!DOCTYPE a [<!ENTITY x \"s3kr1t\">]>"
	  "<AssumeRoleResponse/>", -1, NULL, NULL, "the answer has a DOCTYPE" },
	{ "not XML", "{\"Credentials\": \"s3kr1t\"}", -1, NULL, NULL,
	  "the answer is not an STS answer" },
	{ "cut short", "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
	  "<SecretAccessKey>s3kr1t", -1, NULL, NULL, "the answer is not XML (" },
	{ "empty", "", -1, NULL, NULL, "an empty answer" },
};

static void
sts_parse(void)
{
	struct aws_sts_answer a = AWS_STS_ANSWER_INIT;
	struct buf err = BUF_INIT;
	const struct scase *t;
	size_t i;
	int r;

	for (i = 0; i < sizeof scases / sizeof scases[0]; i++) {
		t = &scases[i];
		buf_reset(&err);
		r = aws_sts_parse(t->xml, strlen(t->xml), &a, &err);
		CHECK(r == t->rc, "%s: rc %d (%s)", t->what, r, buf_str(&err));
		CHECK(!strstr(buf_str(&err), "s3kr1t"), "%s: a secret in [%s]",
		    t->what, err.p);
		if (r != t->rc)
			continue;
		if (r == 0) {
			CHECK(strcmp(a.akid.p, "ASIASTSEXAMPLE") == 0 &&
			    strcmp(a.secret.p, "sts/s3kr1tKEY") == 0 &&
			    strcmp(a.token.p, "sts/s3kr1tTOKEN==") == 0 &&
			    strcmp(a.expiration.p, "2030-01-01T00:00:00Z") == 0,
			    "%s: values", t->what);
		} else if (r == 1) {
			CHECK(strcmp(buf_str(&a.code), t->code) == 0 &&
			    strcmp(buf_str(&a.message), t->message) == 0,
			    "%s: [%s] [%s]", t->what, buf_str(&a.code),
			    buf_str(&a.message));
		} else {
			CHECK(strncmp(buf_str(&err), t->err,
			    strlen(t->err)) == 0, "%s: err [%s]", t->what,
			    buf_str(&err));
			CHECK(!a.akid.len && !a.secret.len && !a.token.len,
			    "%s: values left after an error", t->what);
		}
	}
	/* a field beyond any session token's size */
	{
		struct buf big = BUF_INIT;
		size_t k;

		buf_adds(&big, "<AssumeRoleResponse><AssumeRoleResult>"
		    "<Credentials><SessionToken>");
		for (k = 0; k < 20000; k++)
			buf_addc(&big, 'x');
		buf_adds(&big, "</SessionToken></Credentials>"
		    "</AssumeRoleResult></AssumeRoleResponse>");
		buf_reset(&err);
		CHECK(aws_sts_parse(big.p, big.len, &a, &err) == -1 &&
		    strcmp(err.p, "a field of the answer is too long") == 0,
		    "a long field: %s", buf_str(&err));
		buf_free(&big);
	}
	aws_sts_answer_free(&a);
	buf_free(&err);
}

static void
sso_cache_name(void)
{
	static const struct {
		const char *key, *want;
	} t[] = {
		/* sha1sum of the session name, or of the start URL */
		{ "my-sso", "0ad374308c5a4e22f723adf10145eafad7c4031c.json" },
		{ "corp", "ee0bfd2552fbd840c02cc48b6e823320543c450f.json" },
		{ "https://my-sso-portal.awsapps.com/start",
		  "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json" },
	};
	char name[46];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(name, 'X', sizeof name);
		aws_sso_cache_name(t[i].key, name);
		CHECK(strcmp(name, t[i].want) == 0, "cache name of %s: %.45s",
		    t[i].key, name);
	}
}

static void
sso_token(void)
{
	static const struct {
		const char *what, *doc;
		int rc;
		int64_t expires;
		const char *err;
	} t[] = {
		{ "the CLI's cache", "{\"startUrl\": \"https://x/start\", "
		  "\"region\": \"eu-west-1\", \"accessToken\": \"sso/s3kr1t\", "
		  "\"expiresAt\": \"2030-01-01T00:00:00Z\", \"clientId\": \"c\", "
		  "\"clientSecret\": \"s3kr1t\", \"refreshToken\": \"s3kr1t\"}",
		  0, Y2030, NULL },
		{ "the older UTC ending", "{\"accessToken\": \"sso/s3kr1t\", "
		  "\"expiresAt\": \"2030-01-01T00:00:00UTC\"}", 0, Y2030, NULL },
		{ "an offset", "{\"accessToken\": \"sso/s3kr1t\", "
		  "\"expiresAt\": \"2030-01-01T02:00:00+02:00\"}", 0, Y2030,
		  NULL },
		{ "no token", "{\"expiresAt\": \"2030-01-01T00:00:00Z\"}", -1, 0,
		  "accessToken is missing" },
		{ "a token with a space", "{\"accessToken\": \"s3kr1t x\", "
		  "\"expiresAt\": \"2030-01-01T00:00:00Z\"}", -1, 0,
		  "accessToken is not a string of printable characters" },
		{ "no expiry", "{\"accessToken\": \"sso/s3kr1t\"}", -1, 0,
		  "expiresAt is missing" },
		{ "a bad expiry", "{\"accessToken\": \"sso/s3kr1t\", "
		  "\"expiresAt\": \"soon\"}", -1, 0,
		  "expiresAt 'soon' is not a timestamp" },
		/* found by tests/fuzz/fuzz_credanswers: one line */
		{ "a bad expiry with a newline", "{\"accessToken\": "
		  "\"sso/s3kr1t\", \"expiresAt\": \"2030-01-01\\n\\u007f1\"}",
		  -1, 0, "expiresAt '2030-01-01  1' is not a timestamp" },
		{ "not JSON", "{\"accessToken\": \"s3kr1t\"", -1, 0,
		  "not JSON (line 1, column " },
		{ "an array", "[]", -1, 0, "not a JSON object" },
	};
	struct buf tok = BUF_INIT, err = BUF_INIT;
	int64_t exp;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&tok);
		buf_reset(&err);
		exp = 0;
		r = aws_sso_token_parse(t[i].doc, strlen(t[i].doc), &tok, &exp,
		    &err);
		CHECK(r == t[i].rc, "token %s: rc %d (%s)", t[i].what, r,
		    buf_str(&err));
		CHECK(!strstr(buf_str(&err), "s3kr1t"), "token %s: a secret "
		    "in [%s]", t[i].what, err.p);
		if (r == 0)
			CHECK(strcmp(tok.p, "sso/s3kr1t") == 0 &&
			    exp == t[i].expires, "token %s: %lld", t[i].what,
			    (long long)exp);
		else if (t[i].rc < 0)
			CHECK(strncmp(buf_str(&err), t[i].err,
			    strlen(t[i].err)) == 0 && !tok.len,
			    "token %s: err [%s]", t[i].what, buf_str(&err));
	}
	buf_free(&tok);
	buf_free(&err);
}

static void
sso_creds(void)
{
	static const struct {
		const char *what, *doc;
		int rc;
		const char *err;
	} t[] = {
		{ "the portal's answer", "{\"roleCredentials\": {\"accessKeyId\":"
		  " \"ASIASSOEXAMPLE\", \"secretAccessKey\": \"sso/s3kr1tKEY\", "
		  "\"sessionToken\": \"sso/s3kr1tTOKEN\", \"expiration\": "
		  "1893456000000}}", 0, NULL },
		{ "expired", "{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		  "\"secretAccessKey\": \"s3kr1t\", \"sessionToken\": \"s3kr1t\","
		  " \"expiration\": 1700000000000}}", -1,
		  "SSO: the credentials expired at 2023-11-14T22:13:20Z" },
		{ "an expiration in seconds is long past",
		  "{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		  "\"secretAccessKey\": \"s3kr1t\", \"sessionToken\": \"s3kr1t\","
		  " \"expiration\": 1893456000}}", -1,
		  "SSO: the credentials expired at 1970-" },
		/* found by tests/fuzz/fuzz_credanswers: under a second
		 * was 0 seconds, credentials that never expire */
		{ "an expiration under a second is long past",
		  "{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		  "\"secretAccessKey\": \"s3kr1t\", \"sessionToken\": \"s3kr1t\","
		  " \"expiration\": 180}}", -1,
		  "SSO: the credentials expired at 1970-01-01T00:00:01Z" },
		{ "no expiration", "{\"roleCredentials\": {\"accessKeyId\": "
		  "\"A\", \"secretAccessKey\": \"s3kr1t\", \"sessionToken\": "
		  "\"s3kr1t\"}}", -1, "SSO: expiration is missing" },
		{ "a string expiration", "{\"roleCredentials\": {\"accessKeyId\":"
		  " \"A\", \"secretAccessKey\": \"s3kr1t\", \"sessionToken\": "
		  "\"s3kr1t\", \"expiration\": \"2030\"}}", -1,
		  "SSO: expiration is not a number of milliseconds" },
		{ "no secret", "{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		  "\"sessionToken\": \"s3kr1t\", \"expiration\": 1893456000000}}",
		  -1, "SSO: secretAccessKey is missing" },
		{ "no roleCredentials", "{\"message\": \"s3kr1t\"}", -1,
		  "SSO: the answer has no roleCredentials" },
		{ "not JSON", "<html>s3kr1t", -1,
		  "SSO: the answer is not JSON (line 1, column " },
	};
	struct aws_creds c = AWS_CREDS_INIT;
	struct buf err = BUF_INIT;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&err);
		r = aws_sso_creds_parse(t[i].doc, strlen(t[i].doc), &c, NOW,
		    "SSO", &err);
		CHECK(r == t[i].rc, "creds %s: rc %d (%s)", t[i].what, r,
		    buf_str(&err));
		CHECK(!strstr(buf_str(&err), "s3kr1t"), "creds %s: a secret "
		    "in [%s]", t[i].what, err.p);
		if (r == 0)
			CHECK(strcmp(c.akid, "ASIASSOEXAMPLE") == 0 &&
			    strcmp(c.secret, "sso/s3kr1tKEY") == 0 &&
			    strcmp(c.token, "sso/s3kr1tTOKEN") == 0 &&
			    c.expires == Y2030, "creds %s: values", t[i].what);
		else
			CHECK(strncmp(buf_str(&err), t[i].err,
			    strlen(t[i].err)) == 0 && !c.akid && !c.secret,
			    "creds %s: err [%s]", t[i].what, buf_str(&err));
		aws_creds_free(&c);
	}
	buf_free(&err);
}

static void
default_endpoints(void)
{
	struct buf b = BUF_INIT;

	aws_sso_default_endpoint(&b, "eu-west-1");
	CHECK(strcmp(b.p, "https://portal.sso.eu-west-1.amazonaws.com") == 0,
	    "portal: %s", b.p);
	buf_reset(&b);
	aws_sso_default_endpoint(&b, "cn-north-1");
	CHECK(strcmp(b.p, "https://portal.sso.cn-north-1.amazonaws.com.cn") ==
	    0, "portal in China: %s", b.p);
	buf_free(&b);
}

int
main(void)
{
	sts_parse();
	sso_cache_name();
	sso_token();
	sso_creds();
	default_endpoints();
	return unit_end("aws_sts");
}
