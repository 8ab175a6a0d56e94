/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fdlines.h"
#include "unit.h"

static char *
tmpfile_with(const char *text, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/test_fdlines.XXXXXX");
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
	struct fdlines r;
	char *line;
	ssize_t n;

	fdlines_open(&r, 3, argv);
	CHECK((n = fdlines_next(&r, &line)) == 3 && !strcmp(line, "one"),
	      "one");
	CHECK((n = fdlines_next(&r, &line)) == 3 && !strcmp(line, "two"),
	      "CR LF");
	CHECK((n = fdlines_next(&r, &line)) == 0, "empty line");
	CHECK((n = fdlines_next(&r, &line)) == 6 && !memcmp(line, "four\0x", 6),
	      "NUL inside: %zd", n);
	CHECK((n = fdlines_next(&r, &line)) == 4 && !strcmp(line, "last") &&
	      r.lineno == 5, "no final newline");
	CHECK((n = fdlines_next(&r, &line)) == 2 && !strcmp(line, "b1") &&
	      !strcmp(r.name, b) && r.lineno == 1, "next file, after a missing one");
	CHECK(fdlines_next(&r, &line) == FDLINES_END, "end");
	CHECK(r.status == 1, "the missing file counts");
	fputs("(the missing file's message above is expected)\n", stderr);
	fdlines_close(&r);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void
test_pipe(void)
{
	struct fdlines r;
	char *line, name[32], *argv[1];
	int p[2];
	ssize_t n;
	static char big[200000];

	if (pipe(p) < 0)
		exit(2);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	argv[0] = name;
	fdlines_open(&r, 1, argv);
	CHECK(fdlines_next(&r, &line) == FDLINES_AGAIN, "nothing yet");
	CHECK(fdlines_fd(&r) >= 0, "an fd to wait on");
	CHECK(write(p[1], "ab", 2) == 2, "write");
	CHECK(fdlines_next(&r, &line) == FDLINES_AGAIN, "half a line");
	CHECK(write(p[1], "c\nd", 3) == 3, "write");
	CHECK((n = fdlines_next(&r, &line)) == 3 && !strcmp(line, "abc"),
	      "whole: %zd", n);
	CHECK(fdlines_next(&r, &line) == FDLINES_AGAIN, "d waits");
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
		struct pollfd pfd = { fdlines_fd(&r), POLLIN, 0 };

		n = fdlines_next(&r, &line);
		if (n != FDLINES_AGAIN)
			break;
		poll(&pfd, 1, 1000);
	}
	CHECK(n == (ssize_t)sizeof big && line[0] == 'd' && line[1] == 'x',
	      "long line: %zd", n);
	while ((n = fdlines_next(&r, &line)) == FDLINES_AGAIN)
		usleep(1000);
	CHECK(n == FDLINES_END, "end at EOF: %zd", n);
	fdlines_close(&r);
}

static void
test_maxline(void)
{
	static char text[100000];
	char *a, *argv[1], *line;
	struct fdlines r;
	ssize_t n;
	size_t i;

	/* short, long with its LF in the buffer, long past a read, short */
	i = (size_t)sprintf(text, "ab\n");
	memset(text + i, 'x', 30);
	i += 30;
	text[i++] = '\n';
	memset(text + i, 'y', 90000);
	i += 90000;
	i += (size_t)sprintf(text + i, "\ncd\n");
	a = strdup(tmpfile_with(text, i));
	argv[0] = a;
	fdlines_open(&r, 1, argv);
	r.maxline = 10;
	CHECK(fdlines_next(&r, &line) == 2 && !r.cut, "short");
	CHECK((n = fdlines_next(&r, &line)) == 10 && r.cut &&
	      !strcmp(line, "xxxxxxxxxx") && r.lineno == 2, "cut: %zd", n);
	CHECK((n = fdlines_next(&r, &line)) == 10 && r.cut && line[0] == 'y' &&
	      r.lineno == 3, "cut past a read: %zd", n);
	CHECK((n = fdlines_next(&r, &line)) == 2 && !r.cut &&
	      !strcmp(line, "cd") && r.lineno == 4, "after: %zd %s", n, line);
	CHECK(fdlines_next(&r, &line) == FDLINES_END, "end");
	CHECK(r.b.cap < 200000, "memory: %zu", r.b.cap);
	fdlines_close(&r);
	unlink(a);
	free(a);
}

int
main(void)
{
	err_setprog("test_fdlines");
	test_files();
	test_pipe();
	test_maxline();
	return unit_end("fdlines");
}
