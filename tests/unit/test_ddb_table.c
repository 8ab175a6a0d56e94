/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/ddb.c and ddb_table.c against a canned server (httpfix.h):
 * the exact bytes of DescribeTable, CreateTable, UpdateTimeToLive and
 * the Scan that tells an empty table, ddb_table_open's sequence of them,
 * their signed headers, what each answer means, the wait for ACTIVE, a
 * stop flag that ends a wait, and an endpoint where nothing listens.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "aws_auth.h"
#include "buf.h"
#include "ddb.h"
#include "ddb_table.h"
#include "http.h"
#include "httpfix.h"
#include "unit.h"

#define NOW 1480236400	/* 20161127T084640Z */

static char *
env(const char *name)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY="
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_REGION=eu-west-1",
		"AWS_CONFIG_FILE=/nonexistent/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
		NULL,
	};
	size_t n = strlen(name);
	int i;

	for (i = 0; vars[i]; i++)
		if (!strncmp(vars[i], name, n) && vars[i][n] == '=')
			return (char *)vars[i] + n + 1;
	return NULL;
}

static int64_t
fixed(void)
{
	return NOW;
}

static struct aws_auth *auth;
static volatile sig_atomic_t stop;

static struct http *
newhttp(int attempts)
{
	struct http_opts o;
	struct buf err = BUF_INIT;
	struct http *h;

	memset(&o, 0, sizeof o);
	o.conns = 1;
	o.max_attempts = attempts;
	o.base_ms = 1;
	o.cap_ms = 2;
	h = http_new(&o, &err);
	buf_free(&err);
	return h;
}

static struct ddb *
newddb(struct http *h, const char *url)
{
	struct buf err = BUF_INIT;
	struct ddb_opts o;
	struct ddb *d;

	memset(&o, 0, sizeof o);
	o.auth = auth;
	o.endpoint = url;
	o.clock = fixed;
	o.stop = &stop;
	d = ddb_new(h, &o, &err);
	CHECK(d != NULL, "ddb_new %s: %s", url, buf_str(&err));
	buf_free(&err);
	return d;
}

#define ACTIVE "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"," \
	"\"KeySchema\":[{\"AttributeName\":\"eventId\",\"KeyType\":\"HASH\"}," \
	"{\"AttributeName\":\"fingerprint\",\"KeyType\":\"RANGE\"}]," \
	"\"AttributeDefinitions\":[{\"AttributeName\":\"eventId\"," \
	"\"AttributeType\":\"S\"},{\"AttributeName\":\"fingerprint\"," \
	"\"AttributeType\":\"B\"}]}}"
#define CREATING "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":" \
	"\"CREATING\",\"KeySchema\":[{\"AttributeName\":\"eventId\"," \
	"\"KeyType\":\"HASH\"}]}}"
#define ERR(t, m) "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" t \
	"\",\"message\":\"" m "\"}"

static void
test_endpoint(void)
{
	struct http *h = newhttp(1);
	struct ddb *d = newddb(h, NULL);
	struct ddb_opts o;
	struct buf err = BUF_INIT;

	/* auth's region, as the one place the default is found */
	CHECK(!strcmp(ddb_url(d), "https://dynamodb.eu-west-1.amazonaws.com/"),
	      "%s", ddb_url(d));
	ddb_free(d);
	memset(&o, 0, sizeof o);
	o.region = "ap-south-2";
	d = ddb_new(h, &o, &err);
	CHECK(d && !strcmp(ddb_url(d),
			   "https://dynamodb.ap-south-2.amazonaws.com/"),
	      "%s", d ? ddb_url(d) : err.p);
	ddb_free(d);
	o.endpoint = "ftp://x";
	CHECK(!ddb_new(h, &o, &err) &&
	      !strcmp(err.p, "ftp://x: not an http or https URL"), "%s",
	      err.p);
	buf_free(&err);
	http_free(h);
}

static void
test_describe(void)
{
	static const struct fix_answer a[] = {
		{ 200, ACTIVE, 0 },
		{ 400, ERR("ResourceNotFoundException",
			   "Requested resource not found"), 0 },
		{ 400, ERR("ValidationException",
			   "TableName must be at least 3 characters long"), 0 },
		{ 200, "{\"Table\":{}}", 0 },
	};
	struct http *h = newhttp(1);
	struct ddb *d;
	struct ddb_table t;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT, b = BUF_INIT;
	char want[256];

	httpfix_start(a, 4);
	d = newddb(h, fix_url);
	CHECK(ddb_table_describe(d, "t", &t, &e, &err) == 0, "%s", err.p);
	CHECK(!strcmp(t.status, "ACTIVE") && !strcmp(t.hash, "eventId") &&
	      !strcmp(t.range, "fingerprint") && t.hash_type == 'S' &&
	      t.range_type == 'B', "%s %c %c", t.status, t.hash_type,
	      t.range_type);
	CHECK(!strcmp(ddb_table_key(&t, &b),
		      "(eventId HASH, fingerprint RANGE)"), "%s", b.p);
	/* the request, byte for byte where it does not depend on the port */
	CHECK(!strcmp(fix_req[0].body, "{\"TableName\":\"t\"}"), "%s",
	      fix_req[0].body);
	CHECK(!strncmp(fix_req[0].head, "POST / HTTP/1.1\r\n", 17), "%s",
	      fix_req[0].head);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.DescribeTable"), "target");
	CHECK(!strcmp(fix_header(0, "Content-Type"),
		      "application/x-amz-json-1.0"), "content type");
	CHECK(!strcmp(fix_header(0, "X-Amz-Date"), "20161127T084640Z"),
	      "date %s", fix_header(0, "X-Amz-Date"));
	snprintf(want, sizeof want, "%s", "AWS4-HMAC-SHA256 "
		 "Credential=AKIDEXAMPLE/20161127/eu-west-1/dynamodb/"
		 "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
		 "x-amz-target, Signature=");
	CHECK(!strncmp(fix_header(0, "Authorization"), want, strlen(want)) &&
	      strlen(fix_header(0, "Authorization")) == strlen(want) + 64,
	      "%s", fix_header(0, "Authorization"));

	buf_reset(&err);
	CHECK(ddb_table_describe(d, "nope", &t, &e, &err) < 0 &&
	      e.cls == DDB_NOTFOUND, "not found");
	CHECK(!strcmp(err.p, "table nope: ResourceNotFoundException: "
		      "Requested resource not found"), "%s", err.p);
	buf_reset(&err);
	CHECK(ddb_table_describe(d, "a", &t, &e, &err) < 0 &&
	      e.cls == DDB_REFUSED && !strcmp(e.type, "ValidationException"),
	      "validation");
	CHECK(!strcmp(err.p, "table a: ValidationException: TableName must "
		      "be at least 3 characters long"), "%s", err.p);
	buf_reset(&err);
	CHECK(ddb_table_describe(d, "t", &t, &e, &err) < 0 &&
	      e.cls == DDB_FATAL, "not understood");
	CHECK(!strcmp(err.p, "table t: DescribeTable: an answer not "
		      "understood"), "%s", err.p);
	CHECK(fix_nreq == 4, "%d requests", fix_nreq);
	httpfix_stop();
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
	buf_free(&b);
}

static void
test_create(void)
{
	static const struct fix_answer a[] = {
		{ 200, "{\"TableDescription\":{}}", 0 },
		{ 200, "{\"TableDescription\":{}}", 0 },
		{ 400, ERR("ResourceInUseException", "Table already exists"),
		  0 },
		{ 400, ERR("LimitExceededException", "too many"), 0 },
		{ 400, ERR("LimitExceededException", "too many"), 0 },
		{ 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
		       "UnknownOperationException\"}", 0 },
	};
	struct ddb_create c = {
		"eventId", "fingerprint", 'S', 'S', 0, 100, 100,
	};
	struct http *h = newhttp(2);
	struct ddb *d;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT;

	httpfix_start(a, 6);
	d = newddb(h, fix_url);
	CHECK(ddb_table_create(d, "m", &c, &e, &err) == 1, "%s", err.p);
	CHECK(!strcmp(fix_req[0].body, "{\"TableName\":\"m\","
		      "\"AttributeDefinitions\":["
		      "{\"AttributeName\":\"eventId\",\"AttributeType\":\"S\"},"
		      "{\"AttributeName\":\"fingerprint\",\"AttributeType\":"
		      "\"S\"}],\"KeySchema\":["
		      "{\"AttributeName\":\"eventId\",\"KeyType\":\"HASH\"},"
		      "{\"AttributeName\":\"fingerprint\",\"KeyType\":"
		      "\"RANGE\"}],\"ProvisionedThroughput\":"
		      "{\"ReadCapacityUnits\":100,"
		      "\"WriteCapacityUnits\":100}}"),
	      "%s", fix_req[0].body);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.CreateTable"), "target");
	c.ondemand = 1;
	c.range = NULL;
	c.hash = "k\"q";
	c.hash_type = 'N';
	CHECK(ddb_table_create(d, "o", &c, &e, &err) == 1, "%s", err.p);
	CHECK(!strcmp(fix_req[1].body, "{\"TableName\":\"o\","
		      "\"AttributeDefinitions\":["
		      "{\"AttributeName\":\"k\\\"q\",\"AttributeType\":\"N\"}],"
		      "\"KeySchema\":["
		      "{\"AttributeName\":\"k\\\"q\",\"KeyType\":\"HASH\"}],"
		      "\"BillingMode\":\"PAY_PER_REQUEST\"}"),
	      "%s", fix_req[1].body);
	/* made meanwhile by someone else */
	CHECK(ddb_table_create(d, "o", &c, &e, &err) == 0 && !err.len,
	      "in use: %s", err.p);
	/* throttled twice: retried once (2 attempts), then given up */
	CHECK(ddb_table_create(d, "o", &c, &e, &err) < 0 &&
	      e.cls == DDB_THROTTLED, "limit");
	CHECK(!strcmp(err.p, "table o: CreateTable: LimitExceededException: "
		      "too many (retried 1 time over 0 s)"), "%s", err.p);
	CHECK(fix_nreq == 5, "%d", fix_nreq);

	buf_reset(&err);
	CHECK(ddb_table_ttl(d, "m", "ttl", &e, &err) < 0, "no ttl");
	CHECK(!strcmp(fix_req[5].body, "{\"TableName\":\"m\","
		      "\"TimeToLiveSpecification\":{\"AttributeName\":\"ttl\","
		      "\"Enabled\":true}}"), "%s", fix_req[5].body);
	CHECK(!strcmp(fix_header(5, "X-Amz-Target"),
		      "DynamoDB_20120810.UpdateTimeToLive"), "target");
	CHECK(!strcmp(err.p, "table m: TTL on ttl not enabled: "
		      "UnknownOperationException"), "%s", err.p);
	httpfix_stop();
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
}

static void *
stopper(void *arg)
{
	struct timespec ts = { 0, 300000000 };

	(void)arg;
	nanosleep(&ts, NULL);
	stop = 1;
	return NULL;
}

static int64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_wait(void)
{
	static const struct fix_answer a[] = {
		{ 200, CREATING, 0 }, { 200, CREATING, 0 }, { 200, ACTIVE, 0 },
		{ 200, "{\"Table\":{\"TableStatus\":\"DELETING\","
		       "\"KeySchema\":[{\"AttributeName\":\"k\","
		       "\"KeyType\":\"HASH\"}]}}", 0 },
		{ 200, CREATING, 0 },
	};
	struct http *h = newhttp(1);
	struct ddb *d;
	struct ddb_table t;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT;
	pthread_t th;
	int64_t t0;

	httpfix_start(a, 5);
	d = newddb(h, fix_url);
	memset(&t, 0, sizeof t);
	CHECK(ddb_table_wait(d, "t", &t, 60, &e, &err) == 0 &&
	      !strcmp(t.status, "ACTIVE") && fix_nreq == 3, "%d %s",
	      fix_nreq, err.p);
	/* already ACTIVE: no request */
	CHECK(ddb_table_wait(d, "t", &t, 60, &e, &err) == 0 && fix_nreq == 3,
	      "active");
	t.status[0] = '\0';
	CHECK(ddb_table_wait(d, "t", &t, 60, &e, &err) < 0 &&
	      e.cls == DDB_REFUSED && !strcmp(err.p, "table t: DELETING"),
	      "%s", err.p);
	buf_reset(&err);
	t.status[0] = '\0';
	CHECK(ddb_table_wait(d, "t", &t, 0, &e, &err) < 0 &&
	      !strcmp(err.p, "table t: CREATING for too long"), "%s", err.p);
	/* a stop flag ends a wait at once */
	buf_reset(&err);
	t.status[0] = '\0';
	t0 = ms();
	pthread_create(&th, NULL, stopper, NULL);
	CHECK(ddb_table_wait(d, "t", &t, 600, &e, &err) < 0 &&
	      e.cls == DDB_STOPPED, "stopped: %d", e.cls);
	pthread_join(th, NULL);
	CHECK(ms() - t0 < 1000, "stopped in %lld ms", (long long)(ms() - t0));
	CHECK(!strcmp(err.p, "table t: interrupted"), "%s", err.p);
	stop = 0;
	httpfix_stop();
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
}

static void
test_unreachable(void)
{
	struct http *h = newhttp(3);
	struct ddb *d;
	struct ddb_table t;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT;
	char url[64], want[160];
	pthread_t th;
	int64_t t0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d", fix_deadport());
	d = newddb(h, url);
	CHECK(ddb_table_describe(d, "t", &t, &e, &err) < 0 &&
	      e.cls == DDB_TRANSIENT && e.noanswer, "refused");
	snprintf(want, sizeof want, "%s/: Couldn't connect to server "
		 "(retried 2 times over 0 s)", url);
	CHECK(!strcmp(err.p, want), "%s", err.p);
	ddb_free(d);
	http_free(h);

	/* retries that would take minutes end with the stop flag */
	{
		struct http_opts o;

		memset(&o, 0, sizeof o);
		o.conns = 1;
		o.max_attempts = 11;
		o.base_ms = 20000;
		o.cap_ms = 20000;
		h = http_new(&o, &err);
	}
	d = newddb(h, url);
	buf_reset(&err);
	t0 = ms();
	pthread_create(&th, NULL, stopper, NULL);
	CHECK(ddb_table_describe(d, "t", &t, &e, &err) < 0 &&
	      e.cls == DDB_STOPPED, "stopped: %d", e.cls);
	pthread_join(th, NULL);
	CHECK(ms() - t0 < 1000, "stopped in %lld ms", (long long)(ms() - t0));
	stop = 0;
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
}

static void
test_empty(void)
{
	static const struct fix_answer a[] = {
		{ 200, "{\"Count\":0,\"ScannedCount\":0}", 0 },
		{ 200, "{\"Count\":1,\"ScannedCount\":1,\"LastEvaluatedKey\":"
		  "{\"eventId\":{\"S\":\"a\"}}}", 0 },
		/* a page that counted none, and more after it */
		{ 200, "{\"Count\":0,\"ScannedCount\":0,\"LastEvaluatedKey\":"
		  "{\"eventId\":{\"S\":\"b\"}}}", 0 },
		{ 200, "{\"Count\":1,\"ScannedCount\":1}", 0 },
		{ 200, "{\"Items\":[]}", 0 },
		{ 400, ERR("ResourceNotFoundException",
			   "Requested resource not found"), 0 },
	};
	struct http *h = newhttp(1);
	struct ddb *d;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT;
	int rc;

	httpfix_start(a, 6);
	d = newddb(h, fix_url);
	CHECK((rc = ddb_table_empty(d, "t", &e, &err)) == 1, "%d %s", rc,
	      err.p);
	CHECK(!strcmp(fix_req[0].body, "{\"TableName\":\"t\",\"Limit\":1,"
		      "\"Select\":\"COUNT\"}"), "%s", fix_req[0].body);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.Scan"), "target");
	CHECK((rc = ddb_table_empty(d, "t", &e, &err)) == 0, "%d", rc);
	CHECK((rc = ddb_table_empty(d, "t", &e, &err)) == 0, "%d", rc);
	CHECK(fix_nreq == 4, "%d requests", fix_nreq);
	CHECK(!strcmp(fix_req[3].body, "{\"TableName\":\"t\",\"Limit\":1,"
		      "\"Select\":\"COUNT\",\"ExclusiveStartKey\":"
		      "{\"eventId\":{\"S\":\"b\"}}}"), "%s", fix_req[3].body);
	CHECK(ddb_table_empty(d, "t", &e, &err) < 0 && e.cls == DDB_FATAL &&
	      !strcmp(err.p, "table t: Scan: an answer not understood"), "%s",
	      err.p);
	buf_reset(&err);
	CHECK(ddb_table_empty(d, "t", &e, &err) < 0 && e.cls == DDB_NOTFOUND &&
	      !strcmp(err.p, "table t: Scan: ResourceNotFoundException: "
		      "Requested resource not found"), "%s", err.p);
	httpfix_stop();
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
}

static char told[4][160];
static int ntold;

static void
tell(const char *line)
{
	if (ntold < 4)
		snprintf(told[ntold], sizeof told[0], "%s", line);
	ntold++;
}

static void
test_open(void)
{
	static const struct fix_answer a[] = {
		/* missing, made, CREATING, ACTIVE, no TTL */
		{ 400, ERR("ResourceNotFoundException",
			   "Requested resource not found"), 0 },
		{ 200, "{\"TableDescription\":{}}", 0 },
		{ 200, CREATING, 0 }, { 200, ACTIVE, 0 },
		{ 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
		       "UnknownOperationException\"}", 0 },
		/* there already */
		{ 200, ACTIVE, 0 },
		/* missing, and not to be made */
		{ 400, ERR("ResourceNotFoundException",
			   "Requested resource not found"), 0 },
	};
	struct ddb_create c = {
		"eventId", "fingerprint", 'S', 'S', 1, 0, 0,
	};
	struct ddb_open o = { &c, 60, "ttl", tell };
	struct http *h = newhttp(1);
	struct ddb *d;
	struct ddb_table t;
	struct ddb_error e = DDB_ERROR_INIT;
	struct buf err = BUF_INIT;
	static const char *const ops[] = { "DescribeTable", "CreateTable",
		"DescribeTable", "DescribeTable", "UpdateTimeToLive",
		"DescribeTable", "DescribeTable" };
	char want[64];
	int i, rc;

	httpfix_start(a, 7);
	d = newddb(h, fix_url);
	CHECK((rc = ddb_table_open(d, "m", &o, &t, &e, &err)) == 1 &&
	      !err.len, "%d %s", rc, err.p);
	CHECK(!strcmp(t.status, "ACTIVE") && !strcmp(t.range, "fingerprint"),
	      "%s", t.status);
	CHECK(ntold == 2 && !strcmp(told[0], "table m: created") &&
	      !strcmp(told[1], "warning: table m: TTL on ttl not enabled: "
		      "UnknownOperationException"), "%d %s", ntold, told[1]);
	CHECK(!strcmp(fix_req[4].body, "{\"TableName\":\"m\","
		      "\"TimeToLiveSpecification\":{\"AttributeName\":\"ttl\","
		      "\"Enabled\":true}}"), "%s", fix_req[4].body);
	ntold = 0;
	CHECK((rc = ddb_table_open(d, "m", &o, &t, &e, &err)) == 0 &&
	      !err.len && !ntold, "%d %s", rc, err.p);
	o.create = NULL;
	CHECK(ddb_table_open(d, "m", &o, &t, &e, &err) < 0 &&
	      e.cls == DDB_NOTFOUND && !ntold, "not found");
	CHECK(!strcmp(err.p, "table m: ResourceNotFoundException: "
		      "Requested resource not found"), "%s", err.p);
	CHECK(fix_nreq == 7, "%d requests", fix_nreq);
	for (i = 0; i < 7 && i < fix_nreq; i++) {
		snprintf(want, sizeof want, "DynamoDB_20120810.%s", ops[i]);
		CHECK(!strcmp(fix_header(i, "X-Amz-Target"), want), "%d: %s",
		      i, fix_header(i, "X-Amz-Target"));
	}
	httpfix_stop();
	ddb_free(d);
	http_free(h);
	ddb_error_free(&e);
	buf_free(&err);
}

int
main(void)
{
	struct aws_conf_opts o = { .service = "dynamodb" };
	struct buf err = BUF_INIT;
	int status;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	auth = aws_auth_new(&o, 0, env, NOW, &err, &status);
	CHECK(auth != NULL, "aws_auth_new: %s", buf_str(&err));
	if (!auth) {
		curl_global_cleanup();
		return unit_end("ddb_table");
	}
	test_endpoint();
	test_describe();
	test_create();
	test_wait();
	test_unreachable();
	test_empty();
	test_open();
	aws_auth_free(auth);
	buf_free(&err);
	curl_global_cleanup();
	return unit_end("ddb_table");
}
