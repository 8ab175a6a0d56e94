/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/s3_input.c: what an operand or a stdin line names.  Blank
 * lines, carriage returns, NUL bytes, URLs of each scheme (objects,
 * prefixes, buckets, bad ones) and local paths (a file with its size, a
 * folder, one stat cannot read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "s3_input.h"
#include "unit.h"

static const char *const kinds[] = { "none", "bad", "object", "prefix",
				     "file", "folder" };

/* Reads s (n bytes); want: "kind name [bucket key | size | why]". */
static void
reads(const char *s, size_t n, const char *want)
{
	struct s3_input in;
	struct buf got = BUF_INIT;
	int k = s3_input_read(&in, s, n);

	CHECK(k == in.kind, "%s: returned %d, kind %d", s, k, in.kind);
	buf_adds(&got, kinds[k]);
	if (in.name)
		buf_printf(&got, " %s", in.name);
	if (k == S3_INPUT_BAD)
		buf_printf(&got, " [%s]", in.why.p);
	else if (in.bucket)
		buf_printf(&got, " [%s] [%s]", in.bucket, in.key);
	else if (k == S3_INPUT_FILE && in.err)
		buf_printf(&got, " err %s", strerror(in.err));
	else if (k != S3_INPUT_NONE)
		buf_printf(&got, " %lld", (long long)in.size);
	CHECK(strcmp(got.p, want) == 0, "%s: got [%s] want [%s]", s, got.p,
	      want);
	s3_input_free(&in);
	buf_free(&got);
}

#define READS(s, want) reads(s, sizeof s - 1, want)

int
main(void)
{
	char dir[] = "/tmp/test_s3_input.XXXXXX", path[600], want[700];
	int fd;

	READS("", "none");
	READS(" \t ", "none");
	READS("\r\r", "none");
	READS(" \r", "none");
	READS("s3://b/k", "object s3://b/k [b] [k]");
	READS("s3://b/k\r\r", "object s3://b/k [b] [k]");
	READS("S3A://b/a/k", "object s3://b/a/k [b] [a/k]");
	READS("s3n://b/a b", "object s3://b/a b [b] [a b]");
	READS("s3://b/a/", "prefix s3://b/a/ [b] [a/]");
	READS("s3://b/", "prefix s3://b/ [b] []");
	READS("s3://b", "prefix s3://b/ [b] []");
	READS("s3://b/k\0x", "bad s3://b/k [a NUL byte in the name]");
	READS("s3:///k", "bad s3:///k [no bucket name (s3://bucket/key)]");
	READS("s3://b@d/k", "bad s3://b@d/k [invalid bucket name \"b@d\"]");
	READS("gs://b/k", "bad gs://b/k [unsupported URL scheme gs:// "
	      "(s3://bucket/key, or a local path)]");
	READS("/nonexistent/x", "file /nonexistent/x err No such file or "
	      "directory");
	READS(" s3://b/k", "file  s3://b/k err No such file or directory");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/f", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0 ||
	    write(fd, "hello", 5) != 5 || close(fd) != 0) {
		perror(path);
		return 1;
	}
	snprintf(want, sizeof want, "file %s 5", path);
	reads(path, strlen(path), want);
	snprintf(want, sizeof want, "folder %s", dir);
	{
		struct s3_input in;

		CHECK(s3_input_read(&in, dir, strlen(dir)) == S3_INPUT_FOLDER &&
		      strcmp(in.name, dir) == 0 && in.size >= 0 &&
		      !in.bucket && !in.key && in.err == 0, "%s", want);
		s3_input_free(&in);
	}
	unlink(path);
	rmdir(dir);
	return unit_end("s3_input");
}
