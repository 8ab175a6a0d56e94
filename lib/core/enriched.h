/* SPDX-License-Identifier: MIT */
/* The fields of a Snowplow enriched event, in TSV order.  Generated from
 * the Scala and Python Analytics SDKs' lists. */
#ifndef ENRICHED_H
#define ENRICHED_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "tsv.h"

#define ENRICHED_NFIELDS 131	/* since R73 (true_tstamp) */
#define ENRICHED_MINFIELDS 130	/* archives from before true_tstamp */

enum {
	ENRICHED_ETL_TSTAMP = 2,
	ENRICHED_EVENT_ID = 6,
	ENRICHED_FINGERPRINT = 129,
};

/* Name of field i (0-based), or NULL past the last. */
const char *enriched_name(size_t i);
/* Index of the field called name[0..n), or -1.  refr_device_tstamp (the
 * Python SDK's spelling) is taken for refr_dvce_tstamp. */
int enriched_index(const char *name, size_t n);

/* What keeps a line from being a manifest item: bits of enriched_item's
 * result, in the order a bad row lists them. */
enum {
	ENRICHED_BAD_FIELDS = 1 << 0,	/* fewer than ENRICHED_MINFIELDS */
	ENRICHED_BAD_EVENT_ID = 1 << 1,	/* not a UUID (either case) */
	ENRICHED_BAD_FINGERPRINT = 1 << 2,	/* not a hex digest of 32, 40,
					 * 64, 96 or 128 digits */
	ENRICHED_BAD_ETL_TSTAMP = 1 << 3,	/* empty or not a timestamp */
	ENRICHED_NBAD = 4,		/* how many bits there are */
};

struct enriched_item {
	size_t nfields;		/* tab-separated fields in the line, all */
	/* These point into the line (not NUL-terminated) and are set only
	 * when nfields >= ENRICHED_MINFIELDS.  More than ENRICHED_NFIELDS
	 * fields is no problem: only these three are looked at. */
	struct span event_id, fingerprint, etl_tstamp;
	int64_t etl_time;	/* epoch seconds, fraction dropped; set
				 * when etl_tstamp is valid */
};

/*
 * Splits line[0..n) at tabs and checks what a manifest item takes from
 * it.  Returns 0 when the line is a valid item, else the ENRICHED_BAD_*
 * bits of every problem found (ENRICHED_BAD_FIELDS alone when the line
 * is too short to look further).  etl_tstamp is read by tstamp_parse.
 * Never fails otherwise; it allocates nothing and keeps no state.
 */
unsigned enriched_item(const char *line, size_t n, struct enriched_item *it);
/*
 * Appends to b the message for one problem bit of it, as a bad row
 * states it ("event_id [x] is not a UUID").  Field values are quoted up
 * to their first 64 bytes (or NUL), as they are: escape b when writing it.
 */
void enriched_why(const struct enriched_item *it, unsigned bad, struct buf *b);

/*
 * Appends the manifest item of a valid it, one JSON line:
 * {"eventId":"...","fingerprint":"...","etlTime":N,"ttl":N}, without
 * "ttl" when withttl is 0.
 */
void enriched_json(struct buf *b, const struct enriched_item *it, int withttl,
    int64_t ttl);

#endif
