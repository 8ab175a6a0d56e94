/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "walk.h"
#include "unit.h"

static char root[] = "/tmp/test_walk.XXXXXX";

static void
mk(const char *rel, const char *what)
{
	char p[512], t[512];
	int fd;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (strcmp(what, "dir") == 0) {
		CHECK(mkdir(p, 0755) == 0, "mkdir %s", p);
	} else if (strcmp(what, "file") == 0) {
		CHECK((fd = open(p, O_WRONLY | O_CREAT, 0644)) >= 0, "%s", p);
		close(fd);
	} else if (strcmp(what, "fifo") == 0) {
		CHECK(mkfifo(p, 0644) == 0, "mkfifo %s", p);
	} else {
		snprintf(t, sizeof t, "%s", what + 3);	/* "ln:target" */
		CHECK(symlink(t, p) == 0, "symlink %s", p);
	}
}

/* Walks from rel; want: one "path" or "path: error" a line. */
static void
walked(const char *name, const char *rel, const char *want)
{
	struct buf path = BUF_INIT, err = BUF_INIT, got = BUF_INIT;
	char start[512];
	struct walk *w;
	size_t rl;
	int rc;

	snprintf(start, sizeof start, "%s%s%s", root, *rel ? "/" : "", rel);
	rl = strlen(root) + 1;
	w = walk_open(start);
	while ((rc = walk_next(w, &path, NULL, &err)) != 0) {
		buf_adds(&got, path.len >= rl ? path.p + rl : path.p);
		if (rc < 0) {
			buf_adds(&got, ": ");
			buf_adds(&got, err.p);
			buf_reset(&err);
		}
		buf_addc(&got, '\n');
	}
	walk_close(w);
	CHECK(strcmp(buf_str(&got), want) == 0, "%s: got\n%swant\n%s", name,
	      buf_str(&got), want);
	buf_free(&path);
	buf_free(&err);
	buf_free(&got);
}

int
main(void)
{
	char cmd[600];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	mk("a", "dir");
	mk("a/part-0", "ln:nowhere");		/* first */
	mk("a/part-1", "file");
	mk("a/part-2", "ln:nowhere");		/* middle */
	mk("a/part-3", "file");
	mk("a/part-4", "fifo");
	mk("a/part-5", "ln:part-1");		/* a link to a file */
	mk("a/sub", "dir");
	mk("a/sub/f", "file");
	mk("a/sub-x", "file");			/* "sub-" sorts before "sub/" */
	mk("a/zz", "ln:nowhere");		/* last */
	walked("dangling links first, middle and last; a fifo", "a",
	       "a/part-0: No such file or directory\n"
	       "a/part-1\n"
	       "a/part-2: No such file or directory\n"
	       "a/part-3\n"
	       "a/part-4: not a regular file\n"
	       "a/part-5\n"
	       "a/sub-x\n"
	       "a/sub/f\n"
	       "a/zz: No such file or directory\n");

	mk("b", "dir");
	mk("b/f", "file");
	mk("b/g", "ln:nowhere");
	walked("a dangling link last and alone beside a file", "b",
	       "b/f\nb/g: No such file or directory\n");

	mk("c", "dir");
	mk("c/loop", "ln:.");
	mk("c/self", "ln:self");
	mk("c/x", "file");
	walked("links that loop", "c",
	       "c/loop: a symbolic link loop, not followed\n"
	       "c/self: Too many levels of symbolic links\n"
	       "c/x\n");

	/* hidden below the root: not yielded, not entered */
	mk("h", "dir");
	mk("h/_SUCCESS", "file");
	mk("h/.part-0.crc", "file");
	mk("h/part-0", "file");
	mk("h/_temporary", "dir");
	mk("h/_temporary/0", "dir");
	mk("h/_temporary/0/part-9", "file");
	mk("h/_temporary/0/_temporary", "dir");
	mk("h/_temporary/0/_temporary/part-8", "file");
	mk("h/.spark-staging", "dir");
	mk("h/.spark-staging/part-1", "file");
	mk("h/.spark-staging/broken", "ln:nowhere");
	mk("h/.#lock", "ln:nowhere");
	mk("h/sub", "dir");
	mk("h/sub/_x", "file");
	mk("h/sub/y_", "file");
	walked("hidden names", "h", "h/part-0\nh/sub/y_\n");
	walked("a hidden root is walked", "h/_temporary",
	       "h/_temporary/0/part-9\n");
	walked("a hidden root's hidden folders are not",
	       "h/_temporary/0", "h/_temporary/0/part-9\n");

	walked("a missing root", "nope", "nope: No such file or directory\n");

	/* sizes, through a link too */
	{
		struct buf path = BUF_INIT, err = BUF_INIT;
		char p[512];
		int64_t size = -2, size2 = -2;
		struct walk *w;
		FILE *f;

		mk("s", "dir");
		snprintf(p, sizeof p, "%s/s/f", root);
		f = fopen(p, "w");
		CHECK(f && fputs("12345", f) >= 0 && fclose(f) == 0, "%s", p);
		mk("s/g", "ln:f");
		snprintf(p, sizeof p, "%s/s", root);
		w = walk_open(p);
		CHECK(walk_next(w, &path, &size, &err) == 1 && size == 5 &&
		      walk_next(w, &path, &size2, &err) == 1 && size2 == 5 &&
		      walk_next(w, &path, &size, &err) == 0, "sizes %lld %lld",
		      (long long)size, (long long)size2);
		walk_close(w);
		buf_free(&path);
		buf_free(&err);
	}

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
	return unit_end("walk");
}
