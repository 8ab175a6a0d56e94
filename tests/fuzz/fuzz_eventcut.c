/* SPDX-License-Identifier: MIT */
/*
 * eventcut's line parser: enriched_item on any bytes, and the JSON that
 * eventcut builds from what it returns (enriched_json, badrow).  Checks, beyond the sanitizers:
 * spans lie inside the line; a valid item has a UUID, a non-empty
 * fingerprint and an etl_tstamp that reads back to etl_time; every
 * problem has a message; the bad row eventcut would write is valid JSON
 * whose "line" gives the input back when the input is UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "badrow.h"
#include "buf.h"
#include "enriched.h"
#include "tstamp.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const struct span *s, const char *p, size_t n)
{
	if (s->p < p || s->p + s->n > p + n)
		abort();
}

/* json must parse, and be an object */
static json_t *
parse(const struct buf *b)
{
	json_t *j = json_loadb(b->p, b->len, JSON_ALLOW_NUL, NULL);

	if (!j || !json_is_object(j))
		abort();
	return j;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf b, m;
	struct enriched_item it;
	const char *line;
	unsigned bad, bit;
	int64_t t;
	json_t *j;
	char *copy;

	/* an exact-size copy, so reading past the line is caught */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	line = copy;
	bad = enriched_item(line, size, &it);
	if (it.nfields < 1 || it.nfields > size + 1)
		abort();
	if (!(bad & ENRICHED_BAD_FIELDS)) {
		inside(&it.event_id, line, size);
		inside(&it.fingerprint, line, size);
		inside(&it.etl_tstamp, line, size);
	} else if (bad != ENRICHED_BAD_FIELDS ||
		   it.nfields >= ENRICHED_MINFIELDS) {
		abort();
	}
	buf_reset(&b);
	if (!bad) {
		if (it.event_id.n != 36 || it.fingerprint.n == 0 ||
		    tstamp_parse(it.etl_tstamp.p, it.etl_tstamp.n, &t) < 0 ||
		    t != it.etl_time)
			abort();
		enriched_json(&b, &it, 1, it.etl_time + 15552000);
		j = parse(&b);
		if (json_string_length(json_object_get(j, "fingerprint")) !=
		    it.fingerprint.n ||
		    json_integer_value(json_object_get(j, "etlTime")) !=
		    it.etl_time)
			abort();
		json_decref(j);
		free(copy);
		return 0;
	}
	badrow_begin(&b, line, size);
	for (bit = 1; bit < 1u << ENRICHED_NBAD; bit <<= 1) {
		if (!(bad & bit))
			continue;
		buf_reset(&m);
		enriched_why(&it, bit, &m);
		if (m.len == 0)
			abort();
		badrow_error(&b, m.p, m.len);
	}
	badrow_end(&b, 1764581400123);
	if (!utf8_valid(b.p, b.len))
		abort();
	j = parse(&b);
	if (utf8_valid(line, size)) {
		json_t *l = json_object_get(j, "line");

		if (json_string_length(l) != size ||
		    memcmp(json_string_value(l), line, size) != 0)
			abort();
	}
	json_decref(j);
	free(copy);
	return 0;
}
