/* SPDX-License-Identifier: MIT */
/*
 * A DynamoDB table's life before the first item: DescribeTable (does it
 * exist, what is its key, by name and type), CreateTable, the wait for
 * ACTIVE, UpdateTimeToLive; and whether it holds any item (a Scan).  Each call runs on a ddb of its own (no
 * other request on its http loop) through ddb_call: retried as the http
 * options say, and ended within 200 ms by the ddb's stop flag.
 *
 * The functions return 0, or -1 with e->cls (and e->type) saying what
 * failed, and one line in err, without the program's name:
 *
 *	table T: ResourceNotFoundException: Requested resource not found
 *	http://127.0.0.1:9/: Couldn't connect to server (retried 10 times
 *	    over 21 s)
 *
 * e->cls is DDB_STOPPED when the stop flag ended the call or the wait.
 */
#ifndef DDB_TABLE_H
#define DDB_TABLE_H

#include <stddef.h>

#include "buf.h"
#include "ddb.h"

/* A table, as DescribeTable and CreateTable describe it. */
struct ddb_table {
	char status[32];	/* "ACTIVE", "CREATING", ... */
	char hash[256], range[256];	/* key attribute names; range "" */
	char hash_type, range_type;	/* 'S', 'N' or 'B'; 0: not given */
};

/* Reads {"Table":{...}} (or {"TableDescription":{...}}).  0, or -1. */
int ddb_table_parse(const char *json, size_t n, struct ddb_table *t);

/* "(eventId HASH, fingerprint RANGE)", in b; returns b's text. */
const char *ddb_table_key(const struct ddb_table *t, struct buf *b);

/* "a string", "a number", "binary", or "of no type given", for a key
 * type 'S', 'N', 'B' or another. */
const char *ddb_type_name(char t);

/*
 * Whether the values at[0..n) in json (as ddb_conv_item placed them,
 * n: 2 when t has a range key, else 1) make a key of t: each there, of
 * t's type, and no empty string or binary.  names: the key attributes'
 * names, for the reasons.  0, or -1 with one line in msg:
 *	fingerprint must be a string (S), as the table's key is
 */
int ddb_table_keycheck(const struct ddb_table *t, const char *const *names,
		       const char *json, const struct ddb_span *at,
		       struct buf *msg);

/* Appends the table called name as one JSON object and a newline:
 *	{"table":T,"status":"ACTIVE","hash":"eventId","hashType":"S",
 *	 "range":"fingerprint","rangeType":"S","empty":true}
 * (no range when it has none; a type not given: "?"). */
void ddb_table_json(const struct ddb_table *t, const char *name, int empty,
		    struct buf *b);

/* The table to make: its key (range NULL: none) and its billing. */
struct ddb_create {
	const char *hash, *range;
	char hash_type, range_type;	/* 'S', 'N' or 'B' */
	int ondemand;			/* PAY_PER_REQUEST; else: */
	long rcu, wcu;			/* provisioned, a second */
};

/* DescribeTable into t.  A missing table: e->cls DDB_NOTFOUND. */
int ddb_table_describe(struct ddb *d, const char *name, struct ddb_table *t,
		       struct ddb_error *e, struct buf *err);

/* CreateTable: 1 made, or 0 when it exists already (made meanwhile by
 * someone else: ResourceInUseException), or -1. */
int ddb_table_create(struct ddb *d, const char *name,
		     const struct ddb_create *c, struct ddb_error *e,
		     struct buf *err);

/*
 * Waits, with a DescribeTable every 200 ms, for t to be ACTIVE (or
 * UPDATING: writes go on meanwhile), at most wait_s seconds; t's status
 * "" describes it first.  A table in another state ("DELETING") or
 * still CREATING at the end: -1, e->cls DDB_REFUSED.
 */
int ddb_table_wait(struct ddb *d, const char *name, struct ddb_table *t,
		   long wait_s, struct ddb_error *e, struct buf *err);

/*
 * Whether the table holds no item: a Scan with Limit 1 and Select COUNT
 * (DescribeTable's ItemCount is refreshed only every few hours), again
 * from its LastEvaluatedKey while a page counts none, at most 100 pages.
 * 1 empty, 0 not, or -1.
 */
int ddb_table_empty(struct ddb *d, const char *name, struct ddb_error *e,
		    struct buf *err);

/* UpdateTimeToLive: items expire at the epoch second in attr. */
int ddb_table_ttl(struct ddb *d, const char *name, const char *attr,
		  struct ddb_error *e, struct buf *err);

#endif
