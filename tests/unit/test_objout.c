/* SPDX-License-Identifier: MIT */
/* objout: objects decoded and written in whole lines, one after another,
 * to a real stream (a temporary file), as s3cat writes them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "objout.h"
#include "unit.h"

/* text as one gzip member */
static void
gz(struct buf *b, const char *text)
{
	unsigned char out[512];
	z_stream z = { 0 };

	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = sizeof out;
	deflate(&z, Z_FINISH);
	buf_add(b, out, sizeof out - z.avail_out);
	deflateEnd(&z);
}

/* what fp holds, from its start */
static void
slurp(FILE *fp, struct buf *b)
{
	char tmp[4096];
	size_t n;

	fflush(fp);
	rewind(fp);
	buf_reset(b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(b, tmp, n);
}

int
main(void)
{
	FILE *fp = tmpfile();
	struct objout o;
	struct buf in = BUF_INIT, got = BUF_INIT, msg = BUF_INIT;
	static const char want[] = "a\nb\nc\nplain\ntwo\n";
	char path[] = "/tmp/test_objout.XXXXXX";
	unsigned long long nread = 0;
	int fd;

	CHECK(fp != NULL, "tmpfile");
	objout_init(&o, fp, "out", 0, 0);

	/* a gzip object fed in two pieces, its last line unended */
	gz(&in, "a\nb\nc");
	objout_begin(&o);
	CHECK(objout_write(&o, in.p, 5) == 0, "first piece");
	CHECK(objout_write(&o, in.p + 5, in.len - 5) == 0, "second piece");
	CHECK(objout_end(&o) == 0, "end: %s", objout_error(&o));

	/* a plain file, through objout_fd */
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "plain\n", 6) == 6, "temp file");
	lseek(fd, 0, SEEK_SET);
	objout_begin(&o);
	CHECK(objout_fd(&o, fd, NULL, &nread) == 0 && nread == 6,
	      "fd: %llu read", nread);
	close(fd);
	unlink(path);

	/* a gzip object cut short: its whole lines out, the rest dropped
	 * and said */
	buf_reset(&in);
	gz(&in, "two\nthree, unfinished");
	objout_begin(&o);
	CHECK(objout_write(&o, in.p, in.len - 4) == 0, "cut object");
	CHECK(objout_end(&o) == -1 && strcmp(objout_error(&o),
		"gzip: unexpected end of data (truncated)") == 0,
	      "cut: [%s]", objout_error(&o));
	buf_adds(&msg, objout_error(&o));
	objout_fail(&o, &msg);
	CHECK(strstr(msg.p, "unfinished line, not written") != NULL,
	      "msg: [%s]", msg.p);

	slurp(fp, &got);
	CHECK(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
	      "output: [%.*s]", (int)got.len, got.p);
	CHECK(o.out == strlen(want), "counted %llu", o.out);

	/* the limits apply to each object */
	objout_free(&o);
	objout_init(&o, fp, "out", 3, 0);
	objout_begin(&o);
	CHECK(objout_write(&o, "abcd\n", 5) == -1 &&
	      strstr(objout_error(&o), "(the limit)") != NULL,
	      "limit: [%s]", objout_error(&o));

	objout_free(&o);
	fclose(fp);
	buf_free(&in);
	buf_free(&got);
	buf_free(&msg);
	return unit_end("objout");
}
