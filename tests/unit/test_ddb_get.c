/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/ddb_get.c against a canned server (httpfix.h), one request in
 * flight so the answers go in order: the bytes of BatchGetItem, a key
 * asked once for its many items, the table's items as plain JSON, what
 * is missing, UnprocessedKeys sent again, a refused request sent key by
 * key, an answer not understood, an error that stops every read, and
 * 100 keys a request.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_get.h"
#include "http.h"
#include "httpfix.h"
#include "unit.h"

static const char *const keys[] = { "eventId", "fingerprint" };
static const char *const attrs[] = { "etlTime", "ttl" };

/* what the callbacks were told, one line each: "F line item",
 * "M line", "R line why" */
static struct buf told = BUF_INIT;

static void
found(void *ctx, const struct ddb_item *it, const char *item, size_t n)
{
	(void)ctx;
	buf_printf(&told, "F %s %.*s\n", it->line.p, (int)n, item);
}

static void
missing(void *ctx, const struct ddb_item *it)
{
	(void)ctx;
	buf_printf(&told, "M %s\n", it->line.p);
}

static void
rejected(void *ctx, const struct ddb_item *it, const char *why)
{
	(void)ctx;
	buf_printf(&told, "R %s %s\n", it->line.p, why);
}

static struct ddb_getter *
getter(int attempts, int manifest)
{
	struct ddb_get_opts o;
	struct http_opts ho;
	struct ddb_opts d;
	struct buf err = BUF_INIT;
	struct ddb_getter *g;

	memset(&ho, 0, sizeof ho);
	ho.conns = 1;
	ho.max_attempts = attempts;
	ho.base_ms = 1;
	ho.cap_ms = 2;
	memset(&d, 0, sizeof d);
	d.endpoint = fix_url;
	memset(&o, 0, sizeof o);
	o.table = "t";
	o.ddb = &d;
	o.http = &ho;
	o.keys = keys;
	o.nkeys = 2;
	o.attrs = manifest ? attrs : NULL;
	o.nattrs = manifest ? 2 : 0;
	o.consistent = 1;
	o.plain = 1;
	o.jobs = 1;
	o.found = found;
	o.missing = missing;
	o.reject = rejected;
	g = ddb_get_new(&o, &err);
	CHECK(g != NULL, "ddb_get_new: %s", err.p);
	buf_free(&err);
	buf_reset(&told);
	return g;
}

/* Puts the item of line, whose name is the line itself. */
static int
put(struct ddb_getter *g, struct ddb_conv *c, const char *line)
{
	struct ddb_item *it = ddb_get_item(g);
	struct buf err = BUF_INIT;
	int rc;

	buf_adds(&it->line, line);
	it->input = "-";
	CHECK(ddb_conv_item(c, line, strlen(line), &it->json, it->at,
			    &err) == 0, "%s: %s", line, err.p);
	buf_free(&err);
	rc = ddb_get_put(g, it);
	return rc;
}

static void
finish(struct ddb_getter *g)
{
	int n = 0;

	ddb_get_close(g);
	while (!ddb_get_wait(g, 100) && n++ < 100)
		;
	CHECK(n < 100, "ddb_get_wait never ended");
}

#define A "{\"eventId\":\"a\",\"fingerprint\":\"x\"}"
#define A2 "{\"fingerprint\":\"x\",\"eventId\":\"a\",\"etlTime\":1}"
#define B "{\"eventId\":\"b\",\"fingerprint\":\"y\"}"
#define C "{\"eventId\":\"c\",\"fingerprint\":\"z\"}"
#define KA "{\"eventId\":{\"S\":\"a\"},\"fingerprint\":{\"S\":\"x\"}}"
#define KB "{\"eventId\":{\"S\":\"b\"},\"fingerprint\":{\"S\":\"y\"}}"
#define KC "{\"eventId\":{\"S\":\"c\"},\"fingerprint\":{\"S\":\"z\"}}"
#define ITEM_A "{\"etlTime\":{\"N\":\"5\"},\"eventId\":{\"S\":\"a\"}," \
	"\"fingerprint\":{\"S\":\"x\"},\"ttl\":{\"N\":\"7\"}}"
#define PLAIN_A "{\"eventId\":\"a\",\"fingerprint\":\"x\",\"etlTime\":5," \
	"\"ttl\":7}"
#define ERR(t, m) "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" t \
	"\",\"message\":\"" m "\"}"

static void
test_found_missing(void)
{
	static const struct fix_answer a[] = {
		{ 200, "{\"Responses\":{\"t\":[" ITEM_A "]},"
		  "\"UnprocessedKeys\":{}}", 0 },
		{ 200, "{\"Responses\":{\"t\":[{\"eventId\":{\"S\":\"b\"},"
		  "\"fingerprint\":{\"S\":\"y\"},\"l\":{\"L\":[{\"N\":\"1\"},"
		  "{\"S\":\"s\"},{\"BOOL\":false}]},\"ss\":{\"SS\":[\"q\"]},"
		  "\"ns\":{\"NS\":[\"1.5\",\".5\"]},\"b\":{\"B\":\"AQ==\"},"
		  "\"m\":{\"M\":{\"z\":{\"NULL\":true}}},"
		  "\"t\":{\"BOOL\":true}}]}}", 0 },
	};
	struct ddb_conv *c = ddb_conv_new(0, keys, 2);
	struct ddb_get_counts n;
	struct ddb_getter *g;

	httpfix_start(a, 2);
	g = getter(1, 1);
	CHECK(put(g, c, A) == 0 && put(g, c, A2) == 0 && put(g, c, B) == 0,
	      "put");
	finish(g);
	CHECK(fix_nreq == 1, "%d requests", fix_nreq);
	CHECK(!strcmp(fix_req[0].body, "{\"RequestItems\":{\"t\":{\"Keys\":["
		      KA "," KB "],\"ConsistentRead\":true,"
		      "\"ProjectionExpression\":\"#p0,#p1,#p2,#p3\","
		      "\"ExpressionAttributeNames\":{\"#p0\":\"eventId\","
		      "\"#p1\":\"fingerprint\",\"#p2\":\"etlTime\","
		      "\"#p3\":\"ttl\"}}}}"), "%s", fix_req[0].body);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.BatchGetItem"), "target");
	/* the key's attributes first; a key's items share its answer */
	CHECK(!strcmp(told.p, "F " A " " PLAIN_A "\nF " A2 " " PLAIN_A "\n"
		      "M " B "\n"), "%s", told.p);
	ddb_get_counts(g, &n);
	CHECK(n.put == 3 && n.found == 2 && n.missing == 1 &&
	      n.rejected == 0 && n.requests == 1 && n.retries == 0,
	      "%llu %llu %llu %llu", n.put, n.found, n.missing, n.rejected);
	CHECK(ddb_get_failed(g) == NULL, "failed");
	ddb_get_free(g);

	/* every type, as plain JSON; the whole item without attrs */
	g = getter(1, 0);
	put(g, c, B);
	finish(g);
	CHECK(!strcmp(fix_req[1].body, "{\"RequestItems\":{\"t\":{\"Keys\":["
		      KB "],\"ConsistentRead\":true}}}"), "%s", fix_req[1].body);
	CHECK(!strcmp(told.p, "F " B " {\"eventId\":\"b\",\"fingerprint\":"
		      "\"y\",\"l\":[1,\"s\",false],\"ss\":[\"q\"],\"ns\":[1.5,"
		      "\".5\"],\"b\":\"AQ==\",\"m\":{\"z\":null},\"t\":true}\n"),
	      "%s", told.p);
	ddb_get_free(g);
	httpfix_stop();
	ddb_conv_free(c);
}

static void
test_unprocessed(void)
{
	static const struct fix_answer a[] = {
		{ 200, "{\"Responses\":{\"t\":[" ITEM_A "]},\"UnprocessedKeys\":"
		  "{\"t\":{\"Keys\":[" KB "," KC "],\"ConsistentRead\":true}}}",
		  0 },
		{ 200, "{\"Responses\":{\"t\":[]},\"UnprocessedKeys\":"
		  "{\"t\":{\"Keys\":[" KC "]}}}", 0 },
		{ 400, ERR("ProvisionedThroughputExceededException", "slow"),
		  0 },
		{ 200, "{\"Responses\":{\"t\":[]}}", 0 },
	};
	static const struct fix_answer b[] = {
		{ 200, "{\"UnprocessedKeys\":{\"t\":{\"Keys\":[" KA "]}}}", 0 },
	};
	struct ddb_conv *c = ddb_conv_new(0, keys, 2);
	struct ddb_get_counts n;
	struct ddb_getter *g;

	httpfix_start(a, 4);
	g = getter(4, 0);
	put(g, c, A);
	put(g, c, B);
	put(g, c, C);
	finish(g);
	CHECK(fix_nreq == 4, "%d requests", fix_nreq);
	CHECK(strstr(fix_req[1].body, "[" KB "," KC "]") != NULL, "%s",
	      fix_req[1].body);
	CHECK(strstr(fix_req[2].body, "[" KC "]") != NULL &&
	      strstr(fix_req[3].body, "[" KC "]") != NULL, "%s",
	      fix_req[3].body);
	CHECK(!strcmp(told.p, "F " A " " PLAIN_A "\nM " B "\nM " C "\n"),
	      "%s", told.p);
	ddb_get_counts(g, &n);
	CHECK(n.found == 1 && n.missing == 2 && n.requests == 1 &&
	      n.retries == 3 && n.throttled == 3, "%llu %llu %llu %llu",
	      n.missing, n.requests, n.retries, n.throttled);
	ddb_get_free(g);
	httpfix_stop();

	/* still unprocessed when the attempts run out: rejected */
	httpfix_start(b, 1);
	g = getter(2, 0);
	put(g, c, A);
	finish(g);
	CHECK(!strcmp(told.p, "R " A " still in BatchGetItem's "
		      "UnprocessedKeys (gave up after 2 attempts)\n"), "%s",
	      told.p);
	ddb_get_free(g);
	httpfix_stop();
	ddb_conv_free(c);
}

static void
test_refused(void)
{
	static const struct fix_answer a[] = {
		{ 400, ERR("ValidationException", "bad key"), 0 },
		{ 200, "{\"Responses\":{\"t\":[" ITEM_A "]}}", 0 },
		{ 400, ERR("ValidationException", "bad key"), 0 },
		{ 200, "{\"Responses\":{\"t\":[]}}", 0 },
		/* not understood: an item of a key not asked for */
		{ 200, "{\"Responses\":{\"t\":[" ITEM_A "]}}", 0 },
		{ 200, "[]", 0 },
	};
	struct ddb_conv *c = ddb_conv_new(0, keys, 2);
	struct ddb_getter *g;

	httpfix_start(a, 6);
	g = getter(1, 0);
	put(g, c, A);
	put(g, c, B);
	put(g, c, C);
	finish(g);
	CHECK(fix_nreq == 4, "%d requests", fix_nreq);
	CHECK(strstr(fix_req[1].body, "[" KA "]") &&
	      strstr(fix_req[2].body, "[" KB "]") &&
	      strstr(fix_req[3].body, "[" KC "]"), "one key a request");
	CHECK(!strcmp(told.p, "F " A " " PLAIN_A "\nR " B " "
		      "ValidationException: bad key\nM " C "\n"), "%s", told.p);
	ddb_get_free(g);
	g = getter(2, 0);
	put(g, c, B);
	finish(g);
	CHECK(!strcmp(told.p, "R " B " BatchGetItem: an answer not "
		      "understood (gave up after 2 attempts)\n"), "%s", told.p);
	ddb_get_free(g);
	httpfix_stop();
	ddb_conv_free(c);
}

static void
test_fatal(void)
{
	static const struct fix_answer a[] = {
		{ 400, ERR("AccessDeniedException", "no"), 0 },
	};
	struct ddb_conv *c = ddb_conv_new(0, keys, 2);
	struct ddb_getter *g;
	int rc = 0, i;
	char line[64];

	httpfix_start(a, 1);
	g = getter(1, 0);
	for (i = 0; i < 300 && rc == 0; i++) {
		snprintf(line, sizeof line, "{\"eventId\":\"e%d\","
			 "\"fingerprint\":\"f\"}", i);
		rc = put(g, c, line);
	}
	finish(g);
	CHECK(rc < 0, "put went on after the failure");
	CHECK(ddb_get_failed(g) &&
	      !strcmp(ddb_get_failed(g), "table t: AccessDeniedException: no"),
	      "%s", ddb_get_failed(g));
	CHECK(fix_nreq == 1, "%d requests", fix_nreq);
	CHECK(strstr(told.p, "R {\"eventId\":\"e0\",\"fingerprint\":\"f\"} "
		     "AccessDeniedException: no\n") == told.p, "%.200s",
	      told.p);
	CHECK(strstr(told.p, " not looked up: stopped by an error that stops "
		     "every read\n") != NULL, "%.200s", told.p);
	ddb_get_free(g);
	httpfix_stop();
	ddb_conv_free(c);
}

static void
test_hundred(void)
{
	static const struct fix_answer a[] = {
		{ 200, "{}", 0 },
	};
	struct ddb_conv *c = ddb_conv_new(0, keys, 2);
	struct ddb_get_counts n;
	struct ddb_getter *g;
	char line[64];
	int i;

	httpfix_start(a, 1);
	g = getter(1, 0);
	for (i = 0; i < 150; i++) {
		snprintf(line, sizeof line, "{\"eventId\":\"e%d\","
			 "\"fingerprint\":\"f\"}", i);
		put(g, c, line);
	}
	/* a pause in the input: the 50 go without waiting for more */
	ddb_get_flush(g);
	for (i = 0; i < 100 && fix_nreq < 2; i++)
		ddb_get_poll(g, -1, 20);
	CHECK(fix_nreq == 2, "%d requests before the end", fix_nreq);
	finish(g);
	ddb_get_counts(g, &n);
	CHECK(n.missing == 150 && n.requests == 2, "%llu %llu", n.missing,
	      n.requests);
	CHECK(!strncmp(fix_req[0].body, "{\"RequestItems\":{\"t\":{\"Keys\":[{"
		       "\"eventId\":{\"S\":\"e0\"}", 40) &&
	      strstr(fix_req[0].body, "\"e99\"") &&
	      !strstr(fix_req[0].body, "\"e100\"") &&
	      strstr(fix_req[1].body, "\"e100\"") &&
	      strstr(fix_req[1].body, "\"e149\""), "100, then 50");
	ddb_get_free(g);
	httpfix_stop();
	ddb_conv_free(c);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_found_missing();
	test_unprocessed();
	test_refused();
	test_fatal();
	test_hundred();
	buf_free(&told);
	curl_global_cleanup();
	return unit_end("ddb_get");
}
