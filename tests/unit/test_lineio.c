/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "lineio.h"
#include "unit.h"

static char *
tmpfile_with(const char *text, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/test_lineio.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		exit(2);
	close(fd);
	return path;
}

static void
test_files(void)
{
	static const char text[] = "one\ntwo\r\n\nfour\0x\nlast";
	char *a = strdup(tmpfile_with(text, sizeof text - 1));
	char *b = strdup(tmpfile_with("b1\n", 3));
	char *argv[] = { a, "/nonexistent/x", b };
	struct lineio r;
	char *line;
	ssize_t n;

	lineio_open(&r, 3, argv);
	CHECK((n = lineio_trynext(&r, &line)) == 3 && !strcmp(line, "one"),
	      "one");
	CHECK((n = lineio_trynext(&r, &line)) == 3 && !strcmp(line, "two"),
	      "CR LF");
	CHECK((n = lineio_trynext(&r, &line)) == 0, "empty line");
	CHECK((n = lineio_trynext(&r, &line)) == 6 && !memcmp(line, "four\0x", 6),
	      "NUL inside: %zd", n);
	CHECK((n = lineio_trynext(&r, &line)) == 4 && !strcmp(line, "last") &&
	      r.lineno == 5, "no final newline");
	CHECK((n = lineio_trynext(&r, &line)) == 2 && !strcmp(line, "b1") &&
	      !strcmp(r.name, b) && r.lineno == 1, "next file, after a missing one");
	CHECK(lineio_trynext(&r, &line) == LINEIO_END, "end");
	CHECK(r.status == 1, "the missing file counts");
	fputs("(the missing file's message above is expected)\n", stderr);
	lineio_close(&r);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void
test_pipe(void)
{
	struct lineio r;
	char *line, name[32], *argv[1];
	int p[2];
	ssize_t n;
	static char big[200000];

	if (pipe(p) < 0)
		exit(2);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	argv[0] = name;
	lineio_open(&r, 1, argv);
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "nothing yet");
	CHECK(lineio_fd(&r) >= 0, "an fd to wait on");
	CHECK(write(p[1], "ab", 2) == 2, "write");
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "half a line");
	CHECK(write(p[1], "c\nd", 3) == 3, "write");
	CHECK((n = lineio_trynext(&r, &line)) == 3 && !strcmp(line, "abc"),
	      "whole: %zd", n);
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "d waits");
	/* a line longer than one read */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\n';
	if (fork() == 0) {
		close(p[0]);
		if (write(p[1], big, sizeof big) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { lineio_fd(&r), POLLIN, 0 };

		n = lineio_trynext(&r, &line);
		if (n != LINEIO_AGAIN)
			break;
		poll(&pfd, 1, 1000);
	}
	CHECK(n == (ssize_t)sizeof big && line[0] == 'd' && line[1] == 'x',
	      "long line: %zd", n);
	while ((n = lineio_trynext(&r, &line)) == LINEIO_AGAIN)
		usleep(1000);
	CHECK(n == LINEIO_END, "end at EOF: %zd", n);
	lineio_close(&r);
}

static void
test_maxline(void)
{
	static char text[4000000];
	char *a, *argv[1], *line;
	struct lineio r;
	ssize_t n;
	size_t i;

	/* short, long with its LF in the buffer, long past a read, short */
	i = (size_t)sprintf(text, "ab\n");
	memset(text + i, 'x', 30);
	i += 30;
	text[i++] = '\n';
	memset(text + i, 'y', 3000000);
	i += 3000000;
	i += (size_t)sprintf(text + i, "\ncd\n");
	a = strdup(tmpfile_with(text, i));
	argv[0] = a;
	lineio_open(&r, 1, argv);
	r.maxline = 10;
	CHECK(lineio_trynext(&r, &line) == 2 && !r.cut, "short");
	CHECK((n = lineio_trynext(&r, &line)) == 10 && r.cut &&
	      !strcmp(line, "xxxxxxxxxx") && r.lineno == 2, "cut: %zd", n);
	CHECK((n = lineio_trynext(&r, &line)) == 10 && r.cut && line[0] == 'y' &&
	      r.lineno == 3, "cut past a read: %zd", n);
	CHECK((n = lineio_trynext(&r, &line)) == 2 && !r.cut &&
	      !strcmp(line, "cd") && r.lineno == 4, "after: %zd %s", n, line);
	CHECK(lineio_trynext(&r, &line) == LINEIO_END, "end");
	CHECK(r.b.cap < 1000000, "memory: %zu", r.b.cap);
	lineio_close(&r);

	/* the same with blocking reads: whole lengths, and CR endings */
	lineio_open(&r, 1, argv);
	r.maxline = 10;
	r.cr = 1;
	CHECK(lineio_next(&r, &line) == 2 && !r.cut, "short");
	CHECK((n = lineio_next(&r, &line)) == 10 && r.cut && r.linelen == 30,
	      "cut: %zd, whole %llu", n, r.linelen);
	CHECK((n = lineio_next(&r, &line)) == 10 && r.cut &&
	      r.linelen == 3000000, "cut past reads: %zd, whole %llu", n,
	      r.linelen);
	CHECK((n = lineio_next(&r, &line)) == 2 && !strcmp(line, "cd"),
	      "after: %zd", n);
	CHECK(lineio_next(&r, &line) == LINEIO_END, "end");
	lineio_close(&r);
	unlink(a);
	free(a);
}

/* Lines ended by LF, CR LF or a bare CR, as Hadoop's LineReader ends
 * them, whatever the reads cut. */
static void
test_cr(void)
{
	static const char text[] = "a\rb\r\nc\nd\r\re\r";
	char *a = strdup(tmpfile_with(text, sizeof text - 1)), *argv[1];
	const char *want[] = { "a", "b", "c", "d", "", "e" };
	struct lineio r;
	char *line, name[32];
	ssize_t n;
	size_t i;
	int p[2];

	argv[0] = a;
	lineio_open(&r, 1, argv);
	r.cr = 1;
	for (i = 0; i < 6; i++)
		CHECK((n = lineio_next(&r, &line)) >= 0 &&
		      !strcmp(line, want[i]), "line %zu: %zd", i, n);
	CHECK(lineio_next(&r, &line) == LINEIO_END, "a CR at the end");
	lineio_close(&r);

	/* without cr, only a CR right before LF goes */
	lineio_open(&r, 1, argv);
	CHECK((n = lineio_next(&r, &line)) == 3 && !memcmp(line, "a\rb", 4),
	      "LF only: %zd", n);
	lineio_close(&r);
	unlink(a);
	free(a);

	/* a CR as the last byte of a read waits for the next one */
	if (pipe(p) < 0)
		exit(2);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	argv[0] = name;
	lineio_open(&r, 1, argv);
	r.cr = 1;
	CHECK(write(p[1], "x\r", 2) == 2, "write");
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "CR alone waits");
	CHECK(write(p[1], "\ny\r", 3) == 3, "write");
	CHECK((n = lineio_trynext(&r, &line)) == 1 && !strcmp(line, "x"),
	      "CR LF across reads: %zd", n);
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "y waits");
	CHECK(write(p[1], "z", 1) == 1, "write");
	CHECK((n = lineio_trynext(&r, &line)) == 1 && !strcmp(line, "y"),
	      "bare CR across reads: %zd", n);
	close(p[1]);
	while ((n = lineio_trynext(&r, &line)) == LINEIO_AGAIN)
		usleep(1000);
	CHECK(n == 1 && !strcmp(line, "z"), "last: %zd", n);
	CHECK(lineio_trynext(&r, &line) == LINEIO_END, "end");
	lineio_close(&r);
	close(p[0]);
}

/* A cut line whose rest ends in a CR at a read's edge, in pieces. */
static void
test_cutcr(void)
{
	struct lineio r;
	char *line, name[32], *argv[1];
	ssize_t n;
	int p[2];

	if (pipe(p) < 0)
		exit(2);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	argv[0] = name;
	lineio_open(&r, 1, argv);
	r.cr = 1;
	r.maxline = 4;
	CHECK(write(p[1], "abcdefg\r", 8) == 8, "write");
	CHECK(lineio_trynext(&r, &line) == LINEIO_AGAIN, "cut, CR pending");
	CHECK(write(p[1], "\nok\r", 4) == 4, "write");
	CHECK((n = lineio_trynext(&r, &line)) == 4 && r.cut &&
	      r.linelen == 7 && !strcmp(line, "abcd"), "cut: %zd %llu", n,
	      r.linelen);
	close(p[1]);
	while ((n = lineio_trynext(&r, &line)) == LINEIO_AGAIN)
		usleep(1000);
	CHECK(n == 2 && !r.cut && !strcmp(line, "ok"), "next: %zd", n);
	CHECK(lineio_trynext(&r, &line) == LINEIO_END, "end");
	lineio_close(&r);
	close(p[0]);
}

/*
 * Found by tests/fuzz/fuzz_lineio: the CR of an ending is not the
 * line's when deciding whether it is longer than maxline, nor in
 * linelen; written in pieces (w), with cr or not.  A CR at the end of
 * the input without cr is the line's.
 */
static void
cutcrlf(int cr, const char *const w[], const char *const want[],
	const long long len[])
{
	struct lineio r;
	char *line, name[32], *argv[1];
	ssize_t n;
	size_t i, k = 0;
	int p[2];

	if (pipe(p) < 0)
		exit(2);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	argv[0] = name;
	lineio_open(&r, 1, argv);
	r.cr = cr;
	r.maxline = 3;
	for (i = 0; w[i]; i++) {
		CHECK(write(p[1], w[i], strlen(w[i])) ==
		      (ssize_t)strlen(w[i]), "write");
		if (!w[i + 1])
			close(p[1]);
		while ((n = lineio_trynext(&r, &line)) != LINEIO_END) {
			if (n == LINEIO_AGAIN) {
				if (w[i + 1])
					break;
				usleep(1000);
				continue;
			}
			CHECK(want[k] && !strcmp(line, want[k]) &&
			      r.cut == (len[k] >= 0) &&
			      (!r.cut || r.linelen == (unsigned long long)len[k]),
			      "cr %d, line %zu: [%s] cut %d linelen %llu", cr, k,
			      line, r.cut, r.linelen);
			if (want[k])
				k++;
		}
	}
	CHECK(!want[k], "cr %d: %zu lines", cr, k);
	lineio_close(&r);
	close(p[0]);
}

static void
test_cutcrlf(void)
{
	static const char *const w1[] = { "abc\r\nabcd\r\nab", "cdefg\r",
		"\nxyz\r", "\nabc\r", NULL };
	static const char *const l1[] = { "abc", "abc", "abc", "xyz", "abc",
		NULL };
	static const long long n1[] = { -1, 4, 7, -1, 4 };
	static const char *const w2[] = { "abc\r", "x\nabc\r", "\r", NULL };
	static const char *const l2[] = { "abc", "x", "abc", "", NULL };
	static const long long n2[] = { -1, -1, -1, -1 };

	cutcrlf(0, w1, l1, n1);
	cutcrlf(1, w2, l2, n2);
}

int
main(void)
{
	err_setprog("test_lineio");
	test_files();
	test_pipe();
	test_maxline();
	test_cr();
	test_cutcr();
	test_cutcrlf();
	return unit_end("lineio");
}
