/* SPDX-License-Identifier: MIT */
/*
 * lib/core/rejects.c (bad rows in a file, or the first few on stderr),
 * stopsig.c (SIGINT and SIGTERM caught and counted) and clock-free bits
 * of opt.c (opt_file, opt_parse).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "opt.h"
#include "rejects.h"
#include "stopsig.h"
#include "unit.h"

#define ROW "{\"line\":\"a\\\"b\",\"errors\":[{\"level\":\"error\"," \
	"\"message\":\"why\"}],\"failure_tstamp\":\""

static struct buf seen = BUF_INIT;

static void
onopt(int c, char *arg)
{
	buf_printf(&seen, "%c=%s ", c, arg ? arg : "");
}

int
main(void)
{
	char xname[] = "/tmp/test_rejectsXXXXXX";
	char *argv[] = { "prog", "-a", "-b", "x", "op", NULL };
	char line[512];
	struct rejects r;
	FILE *f;
	int fd, i;

	err_setprog("test_rejects");
	/* into a file: one bad row a line */
	fd = mkstemp(xname);
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	f = opt_file(NULL, xname, "w");
	rejects_init(&r, f, xname, 2);
	for (i = 0; i < 3; i++)
		rejects_add(&r, "in", (unsigned long long)i + 1, "a\"b", 3,
			    "why");
	CHECK(r.n == 3, "counted %llu", r.n);
	CHECK(rejects_end(&r) == 0, "closed");
	f = fopen(xname, "r");
	CHECK(f && fgets(line, sizeof line, f) &&
	      !strncmp(line, ROW, strlen(ROW)), "%s", line);
	for (i = 1; f && fgets(line, sizeof line, f); i++)
		;
	CHECK(i == 3, "3 rows: %d", i);
	if (f)
		fclose(f);
	unlink(xname);
	/* to stderr: counted past the ones shown */
	rejects_init(&r, NULL, NULL, 0);
	rejects_add(&r, "in", 1, "x", 1, "why");
	CHECK(r.n == 1, "counted");
	CHECK(rejects_end(&r) == 0, "no file");
	CHECK(opt_file(NULL, NULL, "w") == NULL, "no -x");

	/* the option loop */
	CHECK(opt_parse(5, argv, "ab:", opt_help_only, onopt) == 4 &&
	      !strcmp(seen.p, "a= b=x "), "%s", seen.p);

	/* the signals */
	stopsig_catch(0);
	CHECK(!stopsig && !stopsig_count, "none yet");
	raise(SIGTERM);
	CHECK(stopsig == SIGTERM && stopsig_count == 1 &&
	      stopsig_status() == EXIT_SIGTERM, "SIGTERM");
	raise(SIGINT);
	CHECK(stopsig == SIGINT && stopsig_count == 2 &&
	      stopsig_status() == EXIT_SIGINT, "SIGINT");
	buf_free(&seen);
	return unit_end("rejects");
}
