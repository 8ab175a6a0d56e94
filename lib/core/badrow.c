/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <time.h>

#include "badrow.h"
#include "buf.h"
#include "clock.h"
#include "jsonw.h"
#include "tstamp.h"

void
badrow_begin(struct buf *b, const char *line, size_t n)
{
	buf_reset(b);
	buf_adds(b, "{\"line\":");
	jsonw_str(b, line, n);
	buf_adds(b, ",\"errors\":[");
}

void
badrow_error(struct buf *b, const char *msg, size_t n)
{
	if (b->p[b->len - 1] != '[')
		buf_addc(b, ',');
	buf_adds(b, "{\"level\":\"error\",\"message\":");
	jsonw_str(b, msg, n);
	buf_addc(b, '}');
}

void
badrow_end(struct buf *b, int64_t ms)
{
	char iso[32];

	tstamp_iso(ms / 1000, (int)(ms % 1000), iso);
	buf_adds(b, "],\"failure_tstamp\":\"");
	buf_adds(b, iso);
	buf_adds(b, "\"}\n");
}

int64_t
badrow_now(void)
{
	return clock_wall_ms();
}
