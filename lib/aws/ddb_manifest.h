/* SPDX-License-Identifier: MIT */
/*
 * Snowplow's event manifest as a DynamoDB table: what the Shred step
 * reads and writes, which dynaput --manifest writes the same way.
 *
 * The table: (eventId HASH, fingerprint RANGE), both strings; items
 * hold etlTime (a number: the run's epoch seconds) and may hold ttl (a
 * number: when DynamoDB may expire them).
 */
#ifndef DDB_MANIFEST_H
#define DDB_MANIFEST_H

#include "buf.h"
#include "ddb.h"
#include "ddb_table.h"

/* The Shred step's own condition: a new key, or this run's item again
 * (:tst the item's etlTime). */
#define DDB_MANIFEST_COND "(attribute_not_exists(eventId) AND " \
	"attribute_not_exists(fingerprint)) OR etlTime = :tst"
/* Written in any order, the earliest etlTime wins; what a live pipeline
 * wrote after :newest is never touched. */
#define DDB_MANIFEST_ANYORDER "attribute_not_exists(eventId) OR " \
	"(etlTime >= :tst AND etlTime <= :newest)"

/* eventId, fingerprint, etlTime, ttl: an item's attributes, in the
 * order ddb_manifest_item finds their spans. */
extern const char *const ddb_manifest_attrs[4];

/* The manifest's CreateTable: its key, and 100 units a second of each
 * kind, or billed per request (ondemand). */
void ddb_manifest_create(struct ddb_create *c, int ondemand);

/*
 * Whether t (called name) has the manifest's key.  0, or -1 with one
 * line in err:
 *	table T: its key is (id HASH), --manifest needs (eventId HASH,
 *	    fingerprint RANGE)
 */
int ddb_manifest_table(const struct ddb_table *t, const char *name,
		       struct buf *err);

/*
 * Whether an item (json and the spans at[0..4) of ddb_manifest_attrs,
 * as ddb_conv_item placed them) is one the Shred step would write:
 * eventId and fingerprint strings, etlTime a number, ttl a number when
 * there.  0, or -1 with one line in msg:
 *	--manifest: etlTime must be a number, as the Shred step writes it
 */
int ddb_manifest_item(const char *json, const struct ddb_span *at,
		      struct buf *msg);

#endif
