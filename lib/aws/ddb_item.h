/* SPDX-License-Identifier: MIT */
/*
 * One input line as a DynamoDB item, as the engines take it: ddb_writer
 * (writes) and ddb_get (lookups) hand out empty items, the caller fills
 * the first fields, and each item put ends through the engine's
 * callbacks.  An engine keeps its items on a free list and reuses them:
 * their buffers keep their memory.
 */
#ifndef DDB_ITEM_H
#define DDB_ITEM_H

#include <stddef.h>

#include "buf.h"
#include "ddb.h"

struct ddb_item {
	struct buf line;	/* the line as read, for its reject */
	const char *input;	/* where it was read: not copied */
	unsigned long long lineno;
	struct buf json;	/* the Item map (ddb_conv_item) */
	struct ddb_span *at;	/* spans into json: the key's values, then
				 * any others the engine was told of */

	/* the engine's */
	struct buf key;		/* ddb_key of the key, when haskey */
	int haskey;
	int pending;		/* ddb_writer: in the batch being filled */
	struct ddb_item *next;
};

/*
 * An item refused, or not finished, and why.  ddb_writer calls it from
 * its shards' threads too: the function must then be thread-safe.  it is
 * valid for the call only.
 */
typedef void (*ddb_reject_fn)(void *ctx, const struct ddb_item *it,
			      const char *why);

/* A new empty item, with room for nattrs spans (at least one). */
struct ddb_item *ddb_item_new(size_t nattrs);
/* Empties it for reuse (its spans are left as they are). */
void ddb_item_reset(struct ddb_item *it);
/* Frees it, and NULL does nothing. */
void ddb_item_free(struct ddb_item *it);

#endif
