/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lineio.h"

/* Large stdio buffers: fewer read(2) calls on multi-gigabyte inputs. */
#define IOBUF (256 * 1024)

void
lineio_open(struct lineio *r, int argc, char **argv)
{
	static char *dash[] = { "-", NULL };

	memset(r, 0, sizeof *r);
	if (argc > 0) {
		r->names = argv;
		r->n = argc;
	} else {
		r->names = dash;
		r->n = 1;
	}
}

static int
nextfile(struct lineio *r)
{
	while (r->i < r->n) {
		r->name = r->names[r->i++];
		r->lineno = 0;
		if (strcmp(r->name, "-") == 0) {
			r->f = stdin;
		} else if (!(r->f = fopen(r->name, "r"))) {
			warn("%s:", r->name);
			r->status = EXIT_PARTIAL;
			continue;
		}
		setvbuf(r->f, NULL, _IOFBF, IOBUF);
		return 0;
	}
	return -1;
}

static void
endfile(struct lineio *r)
{
	if (ferror(r->f)) {
		warn("%s: read error:", r->name);
		r->status = EXIT_PARTIAL;
	}
	if (r->f != stdin)
		fclose(r->f);
	else
		clearerr(stdin);
	r->f = NULL;
}

ssize_t
lineio_next(struct lineio *r, char **line)
{
	ssize_t n;

	for (;;) {
		if (!r->f && nextfile(r) < 0)
			return -1;
		errno = 0;
		n = getline(&r->line, &r->cap, r->f);
		if (n >= 0)
			break;
		endfile(r);
	}
	r->lineno++;
	if (n > 0 && r->line[n - 1] == '\n')
		n--;
	if (n > 0 && r->line[n - 1] == '\r')
		n--;
	r->line[n] = '\0';
	*line = r->line;
	return n;
}

void
lineio_close(struct lineio *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	free(r->line);
	r->line = NULL;
	r->f = NULL;
}
