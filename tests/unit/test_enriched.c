/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "enriched.h"
#include "unit.h"

#define ID "1799a90f-f570-4414-b91a-b0db8f39cc2e"
#define FP "bed9a39a0917874d2ff072033a6413d9"
#define ETL "2016-11-27 08:46:40.000"

/* A line of nf fields: the three that matter set, the rest empty. */
static void
line(struct buf *b, size_t nf, const char *id, const char *fp,
     const char *etl)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < nf; i++) {
		if (i)
			buf_addc(b, '\t');
		if (i == ENRICHED_EVENT_ID)
			buf_adds(b, id);
		else if (i == ENRICHED_FINGERPRINT)
			buf_adds(b, fp);
		else if (i == ENRICHED_ETL_TSTAMP)
			buf_adds(b, etl);
	}
}

static const char *
why(const struct enriched_item *it, unsigned bad)
{
	static struct buf m = BUF_INIT;

	buf_reset(&m);
	enriched_why(it, bad, &m);
	return buf_str(&m);
}

int
main(void)
{
	struct enriched_item it;
	struct buf b = BUF_INIT;
	unsigned r;

	line(&b, 131, ID, FP, ETL);
	r = enriched_item(b.p, b.len, &it);
	CHECK(r == 0, "valid line: %u", r);
	CHECK(it.nfields == 131 && it.etl_time == 1480236400,
	      "fields %zu time %lld", it.nfields, (long long)it.etl_time);
	CHECK(it.event_id.n == 36 && memcmp(it.event_id.p, ID, 36) == 0 &&
	      it.fingerprint.n == 32 && memcmp(it.fingerprint.p, FP, 32) == 0,
	      "spans");
	line(&b, 130, ID, FP, ETL);
	CHECK(enriched_item(b.p, b.len, &it) == 0, "130 fields refused");
	line(&b, 300, ID, FP, ETL);
	CHECK(enriched_item(b.p, b.len, &it) == 0 && it.nfields == 300,
	      "300 fields refused");

	line(&b, 129, ID, FP, ETL);
	r = enriched_item(b.p, b.len, &it);
	CHECK(r == ENRICHED_BAD_FIELDS && it.nfields == 129, "129: %u", r);
	CHECK(strcmp(why(&it, r), "line has 129 tab-separated fields, an "
		     "enriched event has 130 or 131") == 0, "%s", why(&it, r));
	r = enriched_item("", 0, &it);
	CHECK(r == ENRICHED_BAD_FIELDS && it.nfields == 1, "empty: %u", r);
	CHECK(strcmp(why(&it, r), "line has 1 tab-separated field, an "
		     "enriched event has 130 or 131") == 0, "%s", why(&it, r));

	line(&b, 131, "not-a-uuid", "", "");
	r = enriched_item(b.p, b.len, &it);
	CHECK(r == (ENRICHED_BAD_EVENT_ID | ENRICHED_BAD_FINGERPRINT |
		    ENRICHED_BAD_ETL_TSTAMP), "all three: %u", r);
	CHECK(strcmp(why(&it, ENRICHED_BAD_EVENT_ID),
		     "event_id [not-a-uuid] is not a UUID") == 0, "id");
	CHECK(strcmp(why(&it, ENRICHED_BAD_FINGERPRINT),
		     "event_fingerprint is empty") == 0, "fp");
	CHECK(strcmp(why(&it, ENRICHED_BAD_ETL_TSTAMP),
		     "etl_tstamp is empty") == 0, "etl");

	line(&b, 131, ID, "a\001b", "-2006-10-15 09:06:35.493256951");
	r = enriched_item(b.p, b.len, &it);
	CHECK(r == (ENRICHED_BAD_FINGERPRINT | ENRICHED_BAD_ETL_TSTAMP),
	      "ctl, year: %u", r);
	CHECK(strcmp(why(&it, ENRICHED_BAD_FINGERPRINT),
		     "event_fingerprint [a\001b] (3 bytes) is not a hex digest "
		     "(32, 40, 64, 96 or 128 hex digits)") == 0, "fp: %s",
	      why(&it, ENRICHED_BAD_FINGERPRINT));
	CHECK(strcmp(why(&it, ENRICHED_BAD_ETL_TSTAMP), "etl_tstamp "
		     "[-2006-10-15 09:06:35.493256951] is not a timestamp "
		     "(yyyy-MM-dd HH:mm:ss[.SSSSSSSSS])") == 0, "etl");

	line(&b, 131, ID, "ab\xff", "0000-01-01 09:06:35.493256951");
	r = enriched_item(b.p, b.len, &it);
	CHECK(r == ENRICHED_BAD_FINGERPRINT, "bad utf8: %u", r);
	CHECK(it.etl_time == -62167186405LL, "year 0: %lld",
	      (long long)it.etl_time);
	line(&b, 131, "1799A90F-F570-4414-B91A-B0DB8F39CC2E", FP, ETL);
	CHECK(enriched_item(b.p, b.len, &it) == 0, "upper case uuid");
	line(&b, 131, "1799a90g-f570-4414-b91a-b0db8f39cc2e", FP, ETL);
	CHECK(enriched_item(b.p, b.len, &it) == ENRICHED_BAD_EVENT_ID,
	      "g is no hex digit");

	/* digests: MD5, SHA-1, SHA-256, SHA-384, SHA-512; nothing else */
	{
		static const size_t ok[] = { 32, 40, 64, 96, 128 };
		char fp[130];
		size_t i, n;

		memset(fp, 'a', sizeof fp);
		for (n = 0; n <= 129; n++) {
			int want = 0;

			for (i = 0; i < 5; i++)
				want |= n == ok[i];
			fp[n] = '\0';
			line(&b, 131, ID, fp, ETL);
			CHECK((enriched_item(b.p, b.len, &it) == 0) == want,
			      "a digest of %zu", n);
			fp[n] = 'a';
		}
		memcpy(fp, FP, 32);
		fp[31] = 'G';
		fp[32] = '\0';
		line(&b, 131, ID, fp, ETL);
		CHECK(enriched_item(b.p, b.len, &it) == ENRICHED_BAD_FINGERPRINT,
		      "G is no hex digit");
	}

	line(&b, 131, "x", FP, "y"
	     "0123456789012345678901234567890123456789012345678901234567890123"
	     "456789");
	r = enriched_item(b.p, b.len, &it);
	CHECK(strlen(why(&it, ENRICHED_BAD_ETL_TSTAMP)) ==
	      strlen("etl_tstamp [] is not a timestamp "
		     "(yyyy-MM-dd HH:mm:ss[.SSSSSSSSS])") + 64,
	      "quoted to 64 bytes: %s", why(&it, ENRICHED_BAD_ETL_TSTAMP));
	buf_free(&b);
	return unit_end("enriched");
}
