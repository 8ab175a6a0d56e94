/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/ddb_engine.c: the feed from lines to the writer against a
 * canned server (httpfix.h): blank lines skipped, a line too long or not
 * converted rejected with its reason and not sent, the rest written; and
 * after a stop, the lines already there read and rejected as not sent.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_engine.h"
#include "http.h"
#include "httpfix.h"
#include "rejects.h"
#include "unit.h"

static const char *const names[] = { "eventId" };
static volatile sig_atomic_t stop;
static int nticks;

static void
onreject(void *ctx, const struct ddb_item *it, const char *w)
{
	(void)ctx;
	CHECK(0, "the writer rejected %s:%llu: %s", it->input, it->lineno, w);
}

static int
convert(void *conv, struct ddb_item *it, struct buf *msg)
{
	return ddb_conv_item(conv, it->line.p, it->line.len, &it->json, it->at,
			     msg);
}

static void
tick(void *ctx)
{
	(void)ctx;
	nticks++;
}

/* Feeds the lines in text to a writer; the rejects' bad rows in rows. */
static void
feed(const char *text, struct ddb_feed *f, struct ddb_engine_counts *n,
     struct buf *rows)
{
	char path[] = "/tmp/test_ddb_engineXXXXXX";
	char *argv[] = { path, NULL };
	struct ddb_writer_opts o;
	struct http_opts ho;
	struct ddb_opts d;
	struct ddb_put p;
	struct ddb_conv *c = ddb_conv_new(0, names, 1);
	struct buf err = BUF_INIT;
	struct ddb_engine *g;
	struct rejects rej;
	struct lineio in;
	FILE *xf = tmpfile();
	char b[4096];
	size_t k;
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, text, strlen(text)) ==
	      (ssize_t)strlen(text), "%s", path);
	close(fd);
	memset(&ho, 0, sizeof ho);
	ho.max_attempts = 1;
	memset(&d, 0, sizeof d);
	d.endpoint = fix_url;
	ddb_put_init(&p, "t", NULL, NULL, 0);
	memset(&o, 0, sizeof o);
	o.table = "t";
	o.ddb = &d;
	o.http = &ho;
	o.put = &p;
	o.keys = names;
	o.nkeys = 1;
	o.nattrs = 1;
	o.jobs = 1;
	o.drain_s = 1;
	o.stop = &stop;
	o.reject = onreject;
	g = ddb_engine_new(&o, NULL, &err);
	CHECK(g && ddb_engine_writer(g), "ddb_engine_new: %s", buf_str(&err));
	rejects_init(&rej, xf, "rows", 0);
	lineio_open(&in, 1, argv);
	in.maxline = 40;
	*f = (struct ddb_feed){ .in = &in, .convert = convert, .tick = tick,
		.ctx = c, .rej = &rej, .wait_ms = 100, .stop = &stop };
	ddb_engine_feed(g, f);
	ddb_engine_close(g);
	while (!ddb_engine_wait(g, 50))
		;
	ddb_engine_counts(g, n);
	CHECK(!ddb_engine_failed(g), "%s", ddb_engine_failed(g));
	fflush(xf);
	rewind(xf);
	buf_reset(rows);
	while ((k = fread(b, 1, sizeof b, xf)) > 0)
		buf_add(rows, b, k);
	CHECK(rejects_end(&rej) == 0, "rejects_end");
	lineio_close(&in);
	ddb_engine_free(g);
	ddb_put_free(&p);
	ddb_conv_free(c);
	buf_free(&err);
	unlink(path);
}

static void
test_feed(void)
{
	static const struct fix_answer a[] = { { 200, "{}", 0 } };
	struct ddb_feed f;
	struct ddb_engine_counts n;
	struct buf rows = BUF_INIT;

	httpfix_start(a, 1);
	nticks = 0;
	feed("{\"eventId\":\"a\"}\n\n \t\r\n[1]\n"
	     "{\"eventId\":\"a line of more than forty bytes\"}\n"
	     "{\"eventId\":\"b\"}", &f, &n, &rows);
	CHECK(f.nread == 4 && f.nbad == 2 && f.nleft == 0, "%llu %llu %llu",
	      f.nread, f.nbad, f.nleft);
	CHECK(n.done == 2 && n.other == 0 && n.rejected == 0 &&
	      n.unsent == 0, "%llu %llu %llu", n.done, n.rejected, n.unsent);
	CHECK(fix_nreq == 2 &&
	      !strcmp(fix_req[0].body, "{\"TableName\":\"t\",\"Item\":"
		      "{\"eventId\":{\"S\":\"a\"}}}") &&
	      !strcmp(fix_req[1].body, "{\"TableName\":\"t\",\"Item\":"
		      "{\"eventId\":{\"S\":\"b\"}}}"), "%d %s", fix_nreq,
	      fix_req[0].body);
	CHECK(strstr(buf_str(&rows), "a line of more than 40 bytes (kept cut "
		     "to them): no DynamoDB item is that long") != NULL, "%s",
	      buf_str(&rows));
	CHECK(nticks >= 4, "%d ticks", nticks);
	httpfix_stop();
	buf_free(&rows);
}

static void
test_stopped(void)
{
	static const struct fix_answer a[] = { { 200, "{}", 0 } };
	struct ddb_feed f;
	struct ddb_engine_counts n;
	struct buf rows = BUF_INIT;

	httpfix_start(a, 1);
	stop = 1;
	feed("{\"eventId\":\"a\"}\n\n{\"eventId\":\"b\"}\n", &f, &n, &rows);
	CHECK(f.nread == 2 && f.nbad == 2 && f.nleft == 2, "%llu %llu %llu",
	      f.nread, f.nbad, f.nleft);
	CHECK(n.done == 0 && fix_nreq == 0, "%llu %d", n.done, fix_nreq);
	CHECK(strstr(buf_str(&rows), "interrupted: not sent") != NULL, "%s",
	      buf_str(&rows));
	stop = 0;
	httpfix_stop();
	buf_free(&rows);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_feed();
	test_stopped();
	curl_global_cleanup();
	return unit_end("ddb_engine");
}
