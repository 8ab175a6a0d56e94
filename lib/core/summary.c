/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "jsonw.h"
#include "summary.h"

void
summary_init(struct summary *s)
{
	memset(s, 0, sizeof *s);
	buf_addc(&s->b, '{');
	summary_text(s, "prog", err_prog());
}

static void
key(struct summary *s, const char *k)
{
	if (s->b.len > 1)
		buf_addc(&s->b, ',');
	jsonw_str(&s->b, k, strlen(k));
	buf_addc(&s->b, ':');
}

void
summary_count(struct summary *s, const char *k, unsigned long long v)
{
	key(s, k);
	buf_printf(&s->b, "%llu", v);
}

void
summary_text(struct summary *s, const char *k, const char *v)
{
	key(s, k);
	jsonw_str(&s->b, v, strlen(v));
}

int
summary_write(struct summary *s, const char *path)
{
	struct buf tmp = BUF_INIT;
	size_t off = 0;
	ssize_t k;
	int fd, rc = -1;

	buf_add(&s->b, "}\n", 2);
	buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0600)) < 0) {
		warn("%s:", tmp.p);
		goto out;
	}
	while (off < s->b.len) {
		if ((k = write(fd, s->b.p + off, s->b.len - off)) < 0) {
			if (errno == EINTR)
				continue;
			warn("%s: write error:", tmp.p);
			close(fd);
			unlink(tmp.p);
			goto out;
		}
		off += (size_t)k;
	}
	if (close(fd) < 0 || rename(tmp.p, path) < 0) {
		warn("%s:", path);
		unlink(tmp.p);
		goto out;
	}
	rc = 0;
out:
	s->b.len -= 2;
	buf_free(&tmp);
	return rc;
}

void
summary_free(struct summary *s)
{
	buf_free(&s->b);
}
