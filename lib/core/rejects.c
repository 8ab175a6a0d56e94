/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "badrow.h"
#include "buf.h"
#include "err.h"
#include "fshut.h"
#include "rejects.h"

void
rejects_init(struct rejects *r, FILE *xf, const char *xfile,
	     unsigned long long show)
{
	memset(r, 0, sizeof *r);
	r->xf = xf;
	r->xfile = xfile;
	r->show = show;
	pthread_mutex_init(&r->lock, NULL);
}

void
rejects_add(struct rejects *r, const char *input, unsigned long long lineno,
	    const char *line, size_t n, const char *why)
{
	pthread_mutex_lock(&r->lock);
	if (!r->xf) {
		if (++r->n <= r->show)
			warnx("%s:%llu: %s", input, lineno, why);
	} else {
		r->n++;
		badrow_begin(&r->row, line, n);
		badrow_error(&r->row, why, strlen(why));
		badrow_end(&r->row, badrow_now());
		if (fwrite(r->row.p, 1, r->row.len, r->xf) != r->row.len)
			fcheck(r->xf, r->xfile);
	}
	pthread_mutex_unlock(&r->lock);
}

int
rejects_end(struct rejects *r)
{
	int st = 0;

	if (r->xf && fshut(r->xf, r->xfile))
		st = EXIT_PARTIAL;
	if (!r->xf && r->n > r->show)
		warnx("%llu more rejected lines not shown (-x FILE keeps "
		      "them)", r->n - r->show);
	buf_free(&r->row);
	pthread_mutex_destroy(&r->lock);
	return st;
}
