/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_table.h"
#include "http.h"
#include "unit.h"

static const struct {
	const char *in;
	int ok;
	const char *canon;	/* NULL: not checked */
} nums[] = {
	{ "0", 1, "0" },
	{ "-0", 1, "0" },
	{ "0.000", 1, "0" },
	{ "0e999999999999", 1, "0" },
	{ "1", 1, "1E0" },
	{ "10", 1, "1E1" },
	{ "1.50", 1, "15E0" },
	{ "15e-1", 1, "15E0" },
	{ "0.1", 1, "1E-1" },
	{ "-12.5E+3", 1, "-125E4" },
	{ "+7", 1, "7E0" },
	{ ".5", 1, "5E-1" },
	{ "5.", 1, "5E0" },
	{ "1480236400", 1, "14802364E9" },
	/* 38 significant digits, and 39 */
	{ "12345678901234567890123456789012345678", 1, NULL },
	{ "123456789012345678901234567890123456789", 0, NULL },
	{ "1234567890123456789012345678901234567800000", 1, NULL },
	{ "0.00012345678901234567890123456789012345678", 1, NULL },
	{ "1.23456789012345678901234567890123456789", 0, NULL },
	/* the range: 1E-130 .. 9.99...E+125 */
	{ "9.9999999999999999999999999999999999999E+125", 1, NULL },
	{ "1E+126", 0, NULL },
	{ "1e400", 0, NULL },
	{ "1E-130", 1, "1E-130" },
	{ "0.1E-129", 1, "1E-130" },
	{ "1E-131", 0, NULL },
	{ "-1E-131", 0, NULL },
	{ "1e-99999999999999999999", 0, NULL },
	{ "1e99999999999999999999", 0, NULL },
	/* not numbers */
	{ "", 0, NULL },
	{ "-", 0, NULL },
	{ ".", 0, NULL },
	{ "1e", 0, NULL },
	{ "1e+", 0, NULL },
	{ "1x", 0, NULL },
	{ " 1", 0, NULL },
	{ "0x10", 0, NULL },
	{ "NaN", 0, NULL },
	{ "1.2.3", 0, NULL },
};

static void
test_nums(void)
{
	struct buf why = BUF_INIT, c = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		int ok = ddb_num_check(nums[i].in, strlen(nums[i].in),
				       &why) == 0;

		CHECK(ok == nums[i].ok, "%s: %s", nums[i].in, buf_str(&why));
		if (!ok || !nums[i].canon)
			continue;
		buf_reset(&c);
		ddb_num_canon(&c, nums[i].in, strlen(nums[i].in));
		CHECK(!strcmp(buf_str(&c), nums[i].canon), "%s -> %s",
		      nums[i].in, buf_str(&c));
	}
	ddb_num_check("1e400", 5, &why);
	CHECK(strstr(why.p, "Number overflow") != NULL, "%s", why.p);
	ddb_num_check("1e-400", 6, &why);
	CHECK(strstr(why.p, "Number underflow") != NULL, "%s", why.p);
	ddb_num_check("123456789012345678901234567890123456789", 39, &why);
	CHECK(strstr(why.p, "38 significant digits") != NULL, "%s", why.p);
	buf_free(&why);
	buf_free(&c);
}

static const char *const names[] = { "eventId", "fingerprint", "etlTime" };

static const struct {
	int typed;
	const char *in;
	const char *out;	/* NULL: refused, err contains reason */
	const char *reason;
} items[] = {
	{ 0, "{\"eventId\":\"a\",\"fingerprint\":\"b\",\"etlTime\":1480236400,"
	     "\"ttl\":1495788400}",
	  "{\"eventId\":{\"S\":\"a\"},\"fingerprint\":{\"S\":\"b\"},"
	  "\"etlTime\":{\"N\":\"1480236400\"},\"ttl\":{\"N\":\"1495788400\"}}",
	  NULL },
	/* every JSON type, nested, in the order written */
	{ 0, "{\"z\":true,\"y\":false,\"x\":null,\"w\":[1,\"s\",[]],"
	     "\"v\":{\"b\":{},\"a\":0.1}}",
	  "{\"z\":{\"BOOL\":true},\"y\":{\"BOOL\":false},\"x\":{\"NULL\":true},"
	  "\"w\":{\"L\":[{\"N\":\"1\"},{\"S\":\"s\"},{\"L\":[]}]},"
	  "\"v\":{\"M\":{\"b\":{\"M\":{}},\"a\":{\"N\":\"0.1\"}}}}", NULL },
	/* numbers keep their text; big integers are not rounded */
	{ 0, "{\"a\":12345678901234567890123456789012345678,\"b\":-1.50e+3,"
	     "\"c\":0.1}",
	  "{\"a\":{\"N\":\"12345678901234567890123456789012345678\"},"
	  "\"b\":{\"N\":\"-1.50e+3\"},\"c\":{\"N\":\"0.1\"}}", NULL },
	/* a number-like text inside a string is a string */
	{ 0, "{\"s\":\"1e400 \\\" 2\",\"n\":3}",
	  "{\"s\":{\"S\":\"1e400 \\\" 2\"},\"n\":{\"N\":\"3\"}}", NULL },
	{ 0, "{\"s\":\"\\u00e9\\u0000\\n\"}",
	  "{\"s\":{\"S\":\"\xc3\xa9\\u0000\\n\"}}", NULL },
	{ 0, "{\"a\":1e400}", NULL, "number 1e400: Number overflow" },
	{ 0, "{\"a\":[1,1e-400]}", NULL, "a: number 1e-400: Number underflow" },
	{ 0, "{\"a\":1234567890123456789012345678901234567890}", NULL,
	  "more than 38 significant digits" },
	{ 0, "{\"a\":1,\"a\":2}", NULL, "duplicate object key" },
	{ 0, "[1]", NULL, "not a JSON object" },
	{ 0, "nope", NULL, "invalid JSON" },
	{ 0, "{\"a\":1", NULL, "invalid JSON" },
	{ 0, "{\"a\":1} x", NULL, "invalid JSON" },
	/* typed */
	{ 1, "{\"eventId\":{\"S\":\"a\"},\"etlTime\":{\"N\":\"1480236400\"}}",
	  "{\"eventId\":{\"S\":\"a\"},\"etlTime\":{\"N\":\"1480236400\"}}",
	  NULL },
	{ 1, "{\"Item\":{\"eventId\":{\"S\":\"a\"},\"ss\":{\"SS\":[\"x\",\"y\"]},"
	     "\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"AAE=\"]},"
	     "\"b\":{\"B\":\"AAE=\"},\"m\":{\"M\":{\"l\":{\"L\":[{\"NULL\":true},"
	     "{\"BOOL\":false}]}}}}}",
	  "{\"eventId\":{\"S\":\"a\"},\"ss\":{\"SS\":[\"x\",\"y\"]},"
	  "\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"AAE=\"]},"
	  "\"b\":{\"B\":\"AAE=\"},\"m\":{\"M\":{\"l\":{\"L\":[{\"NULL\":true},"
	  "{\"BOOL\":false}]}}}}", NULL },
	/* one attribute called Item, of type M: not an export line */
	{ 1, "{\"Item\":{\"M\":{\"a\":{\"S\":\"x\"}}}}",
	  "{\"Item\":{\"M\":{\"a\":{\"S\":\"x\"}}}}", NULL },
	{ 1, "{\"a\":{\"N\":5}}", NULL, "a: an N value is not a string" },
	{ 1, "{\"a\":{\"N\":\"1e400\"}}", NULL, "Number overflow" },
	{ 1, "{\"a\":{\"NS\":[\"1\",\"x\"]}}", NULL,
	  "cannot be converted to a numeric value" },
	{ 1, "{\"a\":{\"S\":\"x\",\"N\":\"1\"}}", NULL,
	  "not a DynamoDB attribute value" },
	{ 1, "{\"a\":\"x\"}", NULL, "not a DynamoDB attribute value" },
	{ 1, "{\"a\":{\"Q\":\"x\"}}", NULL, "unknown DynamoDB type \"Q\"" },
	{ 1, "{\"Item\":{\"a\":{\"Q\":1}}}", NULL,
	  "a: unknown DynamoDB type \"Q\"" },
};

static void
test_items(void)
{
	struct ddb_conv *c[2];
	struct ddb_span at[3];
	struct buf out = BUF_INIT, err = BUF_INIT, key = BUF_INIT;
	size_t i;

	c[0] = ddb_conv_new(0, names, 3);
	c[1] = ddb_conv_new(1, names, 3);
	for (i = 0; i < sizeof items / sizeof items[0]; i++) {
		int rc;

		buf_reset(&out);
		buf_reset(&err);
		rc = ddb_conv_item(c[items[i].typed], items[i].in,
				   strlen(items[i].in), &out, at, &err);
		if (items[i].out) {
			CHECK(rc == 0, "%s: %s", items[i].in, buf_str(&err));
			CHECK(rc < 0 || !strcmp(out.p, items[i].out),
			      "%s\n got  %s\n want %s", items[i].in,
			      buf_str(&out), items[i].out);
		} else {
			CHECK(rc < 0 && strstr(buf_str(&err), items[i].reason),
			      "%s: rc %d err %s", items[i].in, rc,
			      buf_str(&err));
		}
	}

	/* spans and keys */
	buf_reset(&out);
	CHECK(ddb_conv_item(c[0], items[0].in, strlen(items[0].in), &out, at,
			    &err) == 0, "%s", err.p);
	CHECK(at[2].len && !strncmp(out.p + at[2].off,
				    "{\"N\":\"1480236400\"}", at[2].len),
	      "etlTime span %.*s", (int)at[2].len, out.p + at[2].off);
	CHECK(ddb_key(&key, out.p, at, 2) == 0, "key");
	CHECK(!strcmp(key.p, "{\"S\":\"a\"}\n{\"S\":\"b\"}"), "key %s", key.p);
	buf_reset(&out);
	ddb_conv_item(c[0], "{\"eventId\":\"a\"}", 15, &out, at, &err);
	buf_reset(&key);
	CHECK(ddb_key(&key, out.p, at, 2) < 0 && key.len == 0,
	      "no fingerprint, no key");

	/* one key for the texts of one number, typed or not */
	{
		const char *a = "{\"eventId\":1.50,\"fingerprint\":\"x\"}";
		const char *b = "{\"eventId\":{\"N\":\"15e-1\"},"
				"\"fingerprint\":{\"S\":\"x\"}}";
		struct buf ka = BUF_INIT, kb = BUF_INIT;

		buf_reset(&out);
		ddb_conv_item(c[0], a, strlen(a), &out, at, &err);
		ddb_key(&ka, out.p, at, 2);
		buf_reset(&out);
		ddb_conv_item(c[1], b, strlen(b), &out, at, &err);
		ddb_key(&kb, out.p, at, 2);
		CHECK(!strcmp(buf_str(&ka), buf_str(&kb)), "%s vs %s",
		      buf_str(&ka), buf_str(&kb));
		buf_free(&ka);
		buf_free(&kb);
	}

	/* found by tests/fuzz/fuzz_ddbconv: a message is one line, though
	 * it quotes the line (jansson's text, a name, a number) */
	{
		static const struct {
			int typed;
			const char *in;
		} bad[] = {
			{ 0, "{\"a\":12\001}" },
			{ 1, "{\"a\\nb\":{\"S\":1}}" },
			{ 1, "{\"a\\rb\":{\"Q\\u001b\":1}}" },
			{ 1, "{\"a\":{\"N\":\"1\\n2\"}}" },
			{ 1, "{\"a\":{\"NS\":[\"1\\u00002\"]}}" },
		};
		size_t j;

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			buf_reset(&out);
			buf_reset(&err);
			CHECK(ddb_conv_item(c[bad[i].typed], bad[i].in,
					    strlen(bad[i].in), &out, at,
					    &err) < 0 && err.len, "%s",
			      bad[i].in);
			for (j = 0; j < err.len; j++)
				if ((unsigned char)err.p[j] < 0x20)
					break;
			CHECK(j == err.len, "%s: %s", bad[i].in, err.p);
		}
	}
	ddb_conv_free(c[0]);
	ddb_conv_free(c[1]);
	buf_free(&out);
	buf_free(&err);
	buf_free(&key);
}

static int nseen;
static char seen[4][128];

static void
onkey(void *ctx, const char *k, size_t n)
{
	(void)ctx;
	if (nseen < 4)
		snprintf(seen[nseen], sizeof seen[0], "%.*s", (int)n, k);
	nseen++;
}

static void
test_unprocessed(void)
{
	struct ddb_conv *c = ddb_conv_new(0, names, 2);
	const char *resp = "{\"UnprocessedItems\":{\"t\":["
		"{\"PutRequest\":{\"Item\":{\"eventId\":{\"S\":\"a\"},"
		"\"fingerprint\":{\"S\":\"b\"},\"x\":{\"N\":\"1\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"fingerprint\":{\"S\":\"d\"},"
		"\"eventId\":{\"S\":\"c\"}}}}]}}";

	CHECK(ddb_unprocessed(c, 2, "t", resp, strlen(resp), onkey, NULL) == 2,
	      "two");
	CHECK(!strcmp(seen[0], "{\"S\":\"a\"}\n{\"S\":\"b\"}"), "%s", seen[0]);
	CHECK(!strcmp(seen[1], "{\"S\":\"c\"}\n{\"S\":\"d\"}"), "%s", seen[1]);
	nseen = 0;
	CHECK(ddb_unprocessed(c, 2, "t", "{\"UnprocessedItems\":{}}", 23,
			      onkey, NULL) == 0 && !nseen, "none");
	CHECK(ddb_unprocessed(c, 2, "t", "{}", 2, onkey, NULL) == 0, "{}");
	CHECK(ddb_unprocessed(c, 2, "t", "<html>", 6, onkey, NULL) < 0,
	      "not JSON");
	ddb_conv_free(c);
}

static enum ddb_class
classify(long status, CURLcode cc, const char *body, struct ddb_error *e)
{
	struct http_req r;

	memset(&r, 0, sizeof r);
	r.status = status;
	r.cc = cc;
	if (body)
		buf_adds(&r.resp, body);
	ddb_classify(&r, e);
	buf_free(&r.resp);
	return e->cls;
}

#define T(x) "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" x "\"," \
	"\"message\":\"m\"}"

static void
test_errors(void)
{
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf b = BUF_INIT;

	CHECK(classify(200, CURLE_OK, "{}", &e) == DDB_DONE, "200");
	CHECK(classify(400, CURLE_OK, T("ConditionalCheckFailedException"),
		       &e) == DDB_CONDITION, "ccf");
	CHECK(!strcmp(e.type, "ConditionalCheckFailedException") &&
	      !strcmp(e.msg.p, "m"), "type %s msg %s", e.type, e.msg.p);
	CHECK(!strcmp(ddb_strerror(&e, &b),
		      "ConditionalCheckFailedException: m"), "%s", b.p);
	CHECK(classify(400, CURLE_OK,
		       T("ProvisionedThroughputExceededException"), &e) ==
	      DDB_THROTTLED, "ptee");
	CHECK(classify(400, CURLE_OK, T("ThrottlingException"), &e) ==
	      DDB_THROTTLED, "throttling");
	CHECK(classify(400, CURLE_OK, T("RequestLimitExceeded"), &e) ==
	      DDB_THROTTLED, "request limit");
	CHECK(classify(500, CURLE_OK, T("InternalServerError"), &e) ==
	      DDB_TRANSIENT, "500");
	CHECK(classify(503, CURLE_OK, "", &e) == DDB_TRANSIENT &&
	      !strcmp(e.msg.p, "HTTP 503"), "503: %s", e.msg.p);
	CHECK(classify(429, CURLE_OK, "", &e) == DDB_THROTTLED, "429");
	CHECK(classify(400, CURLE_OK, T("ValidationException"), &e) ==
	      DDB_REFUSED, "validation");
	CHECK(classify(400, CURLE_OK, T("ResourceNotFoundException"), &e) ==
	      DDB_NOTFOUND, "not found");
	CHECK(classify(400, CURLE_OK, T("UnrecognizedClientException"), &e) ==
	      DDB_FATAL, "auth");
	CHECK(classify(400, CURLE_OK, "{\"__type\":\"com.amazon.coral.service"
		       "#MissingAuthenticationToken\",\"Message\":\"M\"}", &e) ==
	      DDB_FATAL && !strcmp(e.msg.p, "M"), "Message: %s", e.msg.p);
	CHECK(classify(403, CURLE_OK, "<html>", &e) == DDB_FATAL, "403");
	/* found by tests/fuzz/fuzz_ddberr: the server's strings go into a
	 * one-line message, their control characters as spaces */
	CHECK(classify(500, CURLE_OK, "{\"__type\":\"x#Intern\\nFailure\","
		       "\"message\":\"a\\r\\nb\\u0007\"}", &e) ==
	      DDB_TRANSIENT && !strcmp(ddb_strerror(&e, &b),
				       "Intern Failure: a  b "), "%s", b.p);
	CHECK(classify(0, CURLE_RECV_ERROR, NULL, &e) == DDB_TRANSIENT,
	      "reset");
	CHECK(classify(0, CURLE_COULDNT_RESOLVE_HOST, NULL, &e) == DDB_FATAL,
	      "dns");
	ddb_error_free(&e);
	buf_free(&b);
}

static void
test_table(void)
{
	struct ddb_table t;
	const char *d = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":"
		"\"ACTIVE\",\"KeySchema\":[{\"AttributeName\":\"fingerprint\","
		"\"KeyType\":\"RANGE\"},{\"AttributeName\":\"eventId\","
		"\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":["
		"{\"AttributeName\":\"eventId\",\"AttributeType\":\"S\"},"
		"{\"AttributeName\":\"fingerprint\",\"AttributeType\":\"N\"}]}}";

	CHECK(ddb_table_parse(d, strlen(d), &t) == 0, "parse");
	CHECK(!strcmp(t.status, "ACTIVE") && !strcmp(t.hash, "eventId") &&
	      !strcmp(t.range, "fingerprint") && t.hash_type == 'S' &&
	      t.range_type == 'N', "%s %s %s", t.status, t.hash, t.range);
	CHECK(ddb_table_parse("{}", 2, &t) < 0, "empty");
}

/* PutItem and BatchWriteItem bodies, byte for byte */
static void
test_bodies(void)
{
	static const char *const tst[] = { ":tst" };
	static const char *const two[] = { ":a", ":b\"" };
	const char *item = "{\"eventId\":{\"S\":\"x\"},\"fingerprint\":"
		"{\"S\":\"y\"},\"etlTime\":{\"N\":\"1480236400\"}}";
	struct ddb_span at[3];
	struct ddb_conv *c = ddb_conv_new(0, names, 3);
	struct ddb_put p;
	struct buf b = BUF_INIT, out = BUF_INIT, err = BUF_INIT;

	ddb_conv_item(c, "{\"eventId\":\"x\",\"fingerprint\":\"y\","
		      "\"etlTime\":1480236400}", 54, &out, at, &err);
	CHECK(!strcmp(out.p, item), "%s", out.p);
	ddb_put_init(&p, "snowplow-manifest", "(attribute_not_exists("
		     "eventId) AND attribute_not_exists(fingerprint)) OR "
		     "etlTime = :tst", tst, 1);
	ddb_put_body(&p, &b, out.p, out.len, at + 2);
	CHECK(!strcmp(b.p, "{\"TableName\":\"snowplow-manifest\","
		      "\"Item\":{\"eventId\":{\"S\":\"x\"},\"fingerprint\":"
		      "{\"S\":\"y\"},\"etlTime\":{\"N\":\"1480236400\"}},"
		      "\"ConditionExpression\":\"(attribute_not_exists("
		      "eventId) AND attribute_not_exists(fingerprint)) OR "
		      "etlTime = :tst\","
		      "\"ExpressionAttributeValues\":{\":tst\":"
		      "{\"N\":\"1480236400\"}}}"), "%s", b.p);
	ddb_put_free(&p);
	/* no condition; a condition without values; two values */
	ddb_put_init(&p, "t", NULL, NULL, 0);
	ddb_put_body(&p, &b, "{}", 2, NULL);
	CHECK(!strcmp(b.p, "{\"TableName\":\"t\",\"Item\":{}}"), "%s", b.p);
	ddb_put_free(&p);
	ddb_put_init(&p, "t", "attribute_not_exists(k)", NULL, 0);
	ddb_put_body(&p, &b, "{}", 2, NULL);
	CHECK(!strcmp(b.p, "{\"TableName\":\"t\",\"Item\":{},"
		      "\"ConditionExpression\":\"attribute_not_exists(k)\"}"),
	      "%s", b.p);
	ddb_put_free(&p);
	ddb_put_init(&p, "t", "a < :a AND b = :b\"", two, 2);
	ddb_put_body(&p, &b, out.p, out.len, at);
	CHECK(!strncmp(b.p, "{\"TableName\":\"t\",\"Item\":", 24), "%s", b.p);
	CHECK(strstr(b.p, "\"ConditionExpression\":\"a < :a AND b = :b\\\"\","
		     "\"ExpressionAttributeValues\":{\":a\":{\"S\":\"x\"},"
		     "\":b\\\"\":{\"S\":\"y\"}}}") != NULL, "%s", b.p);
	ddb_put_free(&p);
	/* the sharded manifest: a constant :newest after :tst; names */
	ddb_put_init(&p, "t", "attribute_not_exists(eventId) OR (etlTime >= "
		     ":tst AND etlTime <= :newest)", tst, 1);
	ddb_put_const(&p, ":newest", "{\"N\":\"1500000000\"}");
	ddb_put_body(&p, &b, out.p, out.len, at + 2);
	CHECK(strstr(b.p, "\"ExpressionAttributeValues\":{\":tst\":"
		     "{\"N\":\"1480236400\"},\":newest\":{\"N\":"
		     "\"1500000000\"}}}") != NULL, "%s", b.p);
	ddb_put_free(&p);
	ddb_put_init(&p, "t", "#t > :now", NULL, 0);
	ddb_put_name(&p, "#t", "ttl");
	ddb_put_name(&p, "#e", "etl\"Time");
	ddb_put_const(&p, ":now", "{\"N\":\"7\"}");
	ddb_put_body(&p, &b, "{}", 2, NULL);
	CHECK(!strcmp(b.p, "{\"TableName\":\"t\",\"Item\":{},"
		      "\"ConditionExpression\":\"#t > :now\","
		      "\"ExpressionAttributeNames\":{\"#t\":\"ttl\","
		      "\"#e\":\"etl\\\"Time\"},"
		      "\"ExpressionAttributeValues\":{\":now\":{\"N\":\"7\"}}}"),
	      "%s", b.p);
	ddb_put_free(&p);

	ddb_batch_begin(&b, "t");
	ddb_batch_add(&b, "{\"k\":{\"S\":\"1\"}}", 15);
	ddb_batch_add(&b, "{\"k\":{\"S\":\"2\"}}", 15);
	ddb_batch_end(&b);
	CHECK(!strcmp(b.p, "{\"RequestItems\":{\"t\":["
		      "{\"PutRequest\":{\"Item\":{\"k\":{\"S\":\"1\"}}}},"
		      "{\"PutRequest\":{\"Item\":{\"k\":{\"S\":\"2\"}}}}]}}"),
	      "%s", b.p);
	ddb_body_table(&b, "a\"b");
	CHECK(!strcmp(b.p, "{\"TableName\":\"a\\\"b\"}"), "%s", b.p);
	ddb_conv_free(c);
	buf_free(&b);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	test_nums();
	test_items();
	test_unprocessed();
	test_errors();
	test_table();
	test_bodies();
	return unit_end("ddb");
}
