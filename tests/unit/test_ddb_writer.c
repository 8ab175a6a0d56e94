/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/ddb_writer.c against a canned server (httpfix.h): the bytes of
 * each PutItem and BatchWriteItem it sends, and how each item ends
 * (written, present, rejected with its reason, unsent after a stop), so
 * that written + present + rejected = put.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_writer.h"
#include "http.h"
#include "httpfix.h"
#include "unit.h"

#define COND "(attribute_not_exists(eventId) AND " \
	"attribute_not_exists(fingerprint)) OR etlTime = :tst"
#define ERR(t, m) "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" t \
	"\",\"message\":\"" m "\"}"
#define SLOW ERR("ProvisionedThroughputExceededException", "slow")

static const char *const names[] = { "eventId", "fingerprint", "etlTime" };
static const char *const tst[] = { ":tst" };
static volatile sig_atomic_t stop;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char failmsg[160];
static char why[64][160];	/* more than any test puts */
static int nwhy;

static void
onreject(void *ctx, const struct ddb_item *it, const char *w)
{
	(void)ctx;
	pthread_mutex_lock(&lock);
	if (nwhy < 64)
		snprintf(why[nwhy], sizeof why[0], "%s:%llu: %s", it->input,
			 it->lineno, w);
	nwhy++;
	pthread_mutex_unlock(&lock);
}

static struct ddb_writer *
writer(int batch, struct ddb_put *p)
{
	struct ddb_writer_opts o;
	struct http_opts ho;
	struct ddb_opts d;
	struct buf err = BUF_INIT;
	struct ddb_writer *w;

	memset(&ho, 0, sizeof ho);
	ho.max_attempts = 2;
	ho.base_ms = 1;
	ho.cap_ms = 2;
	memset(&d, 0, sizeof d);
	d.endpoint = fix_url;
	memset(&o, 0, sizeof o);
	o.table = "t";
	o.ddb = &d;
	o.http = &ho;
	o.put = p;
	o.batch = batch;
	o.keys = names;
	o.nkeys = 2;
	o.nattrs = 3;
	o.jobs = 1;
	o.drain_s = 1;
	o.stop = &stop;
	o.reject = onreject;
	w = ddb_writer_new(&o, &err);
	CHECK(w != NULL, "ddb_writer_new: %s", buf_str(&err));
	buf_free(&err);
	nwhy = 0;
	return w;
}

/* Puts the manifest item (id, 1, etl) read from line lineno. */
static int
put(struct ddb_writer *w, struct ddb_conv *c, const char *id, int etl,
    unsigned long long lineno)
{
	struct ddb_item *it = ddb_writer_item(w);
	struct buf err = BUF_INIT;

	buf_printf(&it->line, "{\"eventId\":\"%s\",\"fingerprint\":\"1\","
		   "\"etlTime\":%d}", id, etl);
	it->input = "in";
	it->lineno = lineno;
	CHECK(ddb_conv_item(c, it->line.p, it->line.len, &it->json, it->at,
			    &err) == 0, "%s", buf_str(&err));
	buf_free(&err);
	return ddb_writer_put(w, it);
}

static void
end(struct ddb_writer *w, struct ddb_writer_counts *c)
{
	ddb_writer_close(w);
	while (!ddb_writer_wait(w, 50))
		;
	ddb_writer_counts(w, c);
	snprintf(failmsg, sizeof failmsg, "%s",
		 ddb_writer_failed(w) ? ddb_writer_failed(w) : "");
	CHECK(c->written + c->present + c->rejected == c->put,
	      "%llu + %llu + %llu != %llu", c->written, c->present,
	      c->rejected, c->put);
	ddb_writer_free(w);
}

static void
test_putitem(struct ddb_conv *c)
{
	static const struct fix_answer a[] = {
		{ 200, "{}", 0 },
		{ 400, ERR("ConditionalCheckFailedException",
			   "The conditional request failed"), 0 },
		{ 400, ERR("ValidationException", "no"), 0 },
		{ 400, SLOW, 0 },
		{ 400, SLOW, 0 },
	};
	struct ddb_put p;
	struct ddb_writer *w;
	struct ddb_writer_counts n;

	httpfix_start(a, 5);
	ddb_put_init(&p, "t", COND, tst, 1);
	w = writer(0, &p);
	put(w, c, "a", 7, 1);
	put(w, c, "a", 8, 2);
	put(w, c, "b", 9, 3);
	put(w, c, "c", 10, 4);
	end(w, &n);
	CHECK(n.put == 4 && n.written == 1 && n.present == 1 &&
	      n.rejected == 2 && n.unsent == 0 && n.throttled == 2 &&
	      n.retries == 1, "%llu %llu %llu %llu %llu %llu", n.written,
	      n.present, n.rejected, n.unsent, n.throttled, n.retries);
	/* one key: its two writes in the order put */
	CHECK(!strcmp(fix_req[0].body, "{\"TableName\":\"t\",\"Item\":"
		      "{\"eventId\":{\"S\":\"a\"},"
		      "\"fingerprint\":{\"S\":\"1\"},"
		      "\"etlTime\":{\"N\":\"7\"}},\"ConditionExpression\":\""
		      COND "\",\"ExpressionAttributeValues\":{\":tst\":"
		      "{\"N\":\"7\"}}}"), "%s", fix_req[0].body);
	CHECK(strstr(fix_req[1].body, "\":tst\":{\"N\":\"8\"}") != NULL,
	      "%s", fix_req[1].body);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.PutItem"), "target");
	CHECK(fix_req[0].head[0] && !strstr(fix_req[0].head, "Authorization"),
	      "unsigned without auth");
	CHECK(nwhy == 2 && !strcmp(why[0], "in:3: ValidationException: no") &&
	      !strcmp(why[1], "in:4: ProvisionedThroughputExceededException: "
		      "slow (gave up after 2 attempts)"), "%d %s | %s", nwhy,
	      why[0], why[1]);
	httpfix_stop();
	ddb_put_free(&p);
}

#define ITEM(id, etl) "{\"PutRequest\":{\"Item\":{\"eventId\":{\"S\":\"" \
	id "\"},\"fingerprint\":{\"S\":\"1\"},\"etlTime\":{\"N\":\"" etl \
	"\"}}}}"

static void
test_batch(struct ddb_conv *c)
{
	/* a alone, answered late: b and c meanwhile fill the next batch,
	 * of which c comes back unprocessed */
	static const struct fix_answer a[] = {
		{ 200, "{\"UnprocessedItems\":{}}", 300 },
		{ 200, "{\"UnprocessedItems\":{\"t\":[" ITEM("c", "3") "]}}",
		  0 },
		{ 200, "{\"UnprocessedItems\":{}}", 0 },
	};
	struct timespec pause = { 0, 10000000 };
	struct ddb_put p;
	struct ddb_writer *w;
	struct ddb_writer_counts n;
	int waited;

	httpfix_start(a, 3);
	ddb_put_init(&p, "t", NULL, NULL, 0);
	w = writer(1, &p);
	put(w, c, "a", 1, 1);
	/* until a's request is at the server, however loaded the machine */
	for (waited = 0; waited < 1000 && !atomic_load(&fix_nreq); waited++)
		nanosleep(&pause, NULL);
	put(w, c, "b", 2, 2);
	put(w, c, "c", 3, 3);
	end(w, &n);
	CHECK(n.written == 3 && n.throttled == 1 && n.retries == 1 &&
	      nwhy == 0 && fix_nreq == 3, "%llu %llu %llu %d", n.written,
	      n.throttled, n.retries, fix_nreq);
	CHECK(!strcmp(fix_req[0].body, "{\"RequestItems\":{\"t\":["
		      ITEM("a", "1") "]}}"), "%s", fix_req[0].body);
	CHECK(!strcmp(fix_req[1].body, "{\"RequestItems\":{\"t\":["
		      ITEM("b", "2") "," ITEM("c", "3") "]}}"), "%s",
	      fix_req[1].body);
	CHECK(!strcmp(fix_req[2].body, "{\"RequestItems\":{\"t\":["
		      ITEM("c", "3") "]}}"), "%s", fix_req[2].body);
	CHECK(!strcmp(fix_header(0, "X-Amz-Target"),
		      "DynamoDB_20120810.BatchWriteItem"), "target");
	httpfix_stop();
	ddb_put_free(&p);
}

static void
test_stops(struct ddb_conv *c)
{
	static const struct fix_answer a[] = {
		{ 200, "{}", 0 },
		{ 400, "{\"__type\":\"com.amazon.coral.service#"
		       "UnrecognizedClientException\",\"message\":\"bad\"}",
		  0 },
	};
	struct ddb_put p;
	struct ddb_writer *w;
	struct ddb_writer_counts n;
	int i, rc = 0;

	httpfix_start(a, 2);
	ddb_put_init(&p, "t", COND, tst, 1);
	/* a signal before the first item: put refuses, nothing is sent */
	w = writer(0, &p);
	stop = 1;
	CHECK(put(w, c, "a", 1, 1) < 0, "put after a stop");
	end(w, &n);
	CHECK(n.put == 1 && n.unsent == 1 && n.rejected == 1 && fix_nreq == 0,
	      "%llu %llu %d", n.unsent, n.rejected, fix_nreq);
	CHECK(nwhy == 1 && !strcmp(why[0], "in:1: interrupted: not sent"),
	      "%s", why[0]);
	stop = 0;
	/* an answer that stops every write: the rest is unsent */
	w = writer(0, &p);
	for (i = 0; i < 50 && rc == 0; i++)
		rc = put(w, c, i ? "x" : "a", i + 1, (unsigned)i + 1);
	end(w, &n);
	CHECK(n.written == 1 && n.rejected == n.put - 1 &&
	      n.unsent == n.put - 2, "%llu %llu %llu %llu", n.put, n.written,
	      n.rejected, n.unsent);
	/* the refused item, and the others unsent, in whatever order the
	 * shard and the main thread came to them */
	{
		int refused = 0, unsent = 0, j;

		for (j = 0; j < nwhy; j++) {
			if (!strcmp(why[j], "in:2: UnrecognizedClientException: "
				    "bad"))
				refused++;
			else if (!strcmp(why[j] + strcspn(why[j], " ") + 1,
					 "not written: stopped by an error "
					 "that stops every write"))
				unsent++;
		}
		CHECK(refused == 1 && unsent == nwhy - 1, "%d refused, %d "
		      "unsent of %d: %s", refused, unsent, nwhy, why[0]);
	}
	CHECK(!strcmp(failmsg, "table t: UnrecognizedClientException: bad"),
	      "%s", failmsg);
	httpfix_stop();
	ddb_put_free(&p);
}

int
main(void)
{
	struct ddb_conv *c = ddb_conv_new(0, names, 3);

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_putitem(c);
	test_batch(c);
	test_stops(c);
	ddb_conv_free(c);
	curl_global_cleanup();
	return unit_end("ddb_writer");
}
