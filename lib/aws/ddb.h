/* SPDX-License-Identifier: MIT */
/*
 * DynamoDB: items as its JSON wire format, the numbers it accepts, what
 * its errors mean, and requests over lib/http.
 *
 * Items (ddb_conv.c).  A JSON Lines item becomes the "Item" map of a
 * PutItem: string S, number N, true/false BOOL, null NULL, array L,
 * object M.  A number is sent as the exact text it had in the line (no
 * trip through a double), after ddb_num_check.  Typed lines are
 * DynamoDB JSON already ({"a":{"S":"x"}}), or the {"Item":{...}} lines
 * of DynamoDB's export to S3; they are checked and written back in one
 * canonical spelling.
 *
 * Errors (ddb_err.c).  DynamoDB answers a refusal with HTTP 400 and a
 * JSON body {"__type":"com.amazonaws.dynamodb.v20120810#Name",
 * "message":"..."} ("Message" in some services); throttling is such a
 * 400.  ddb_classify says what the caller should do about an attempt.
 *
 * Requests (ddb.c).  struct ddb_req wraps an http_req with what every
 * attempt needs: the endpoint's URL, the JSON 1.0 content type, the
 * X-Amz-Target header and a signature (lib/aws/aws_auth).
 *
 * Bodies (ddb_body.c).  PutItem and BatchWriteItem, built from Item
 * maps as ddb_conv_item makes them.
 *
 * A table's life before the first item is ddb_table.h's; writing many
 * items at once, in order, is ddb_writer.h's.
 */
#ifndef DDB_H
#define DDB_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"
#include "http.h"

#define DDB_BATCH_MAX 25		/* items in one BatchWriteItem */
#define DDB_BATCH_BYTES (16u << 20)	/* bytes in one BatchWriteItem */
#define DDB_ITEM_BYTES (400u << 10)	/* an item's size limit */

/* --- numbers (ddb_num.c) --- */

/*
 * 0 if s[0..n) is a number DynamoDB stores: decimal text with an optional
 * sign, fraction and exponent, at most 38 significant digits, zero or a
 * magnitude from 1E-130 to 9.9999999999999999999999999999999999999E+125.
 * Otherwise -1, and why (DynamoDB's own wording) replaces the text of why.
 */
int ddb_num_check(const char *s, size_t n, struct buf *why);
/* Appends one spelling for all the texts of one number: its significant
 * digits, 'E', the exponent of d.ddd x 10^E ("1.50", "15e-1" -> "15E0";
 * every zero -> "0"), for comparing keys.  s must pass ddb_num_check. */
void ddb_num_canon(struct buf *b, const char *s, size_t n);

/* --- items (ddb_conv.c) --- */

/* Where the value of an attribute lies in a converted item. */
struct ddb_span {
	size_t off, len;	/* len 0: the item has no such attribute */
};

struct ddb_conv;

/*
 * A converter, reused from line to line.  typed: lines are DynamoDB JSON.
 * names[0..nnames) are the top-level attributes whose values each
 * conversion locates (key attributes, condition values); the array is
 * not copied and must outlive c.
 */
struct ddb_conv *ddb_conv_new(int typed, const char *const *names,
			      size_t nnames);
void ddb_conv_free(struct ddb_conv *c);

/*
 * Converts one line to an Item map and appends it to out; at[i] (an
 * array of nnames) gets the span of names[i]'s value in out.  Returns 0,
 * or -1 with the reason in err (out then holds a partial item: reset it).
 */
int ddb_conv_item(struct ddb_conv *c, const char *line, size_t n,
		  struct buf *out, struct ddb_span *at, struct buf *err);

/*
 * Appends to key one text for the values at[0..n) in json (as
 * ddb_conv_item placed them), equal for two items exactly when DynamoDB
 * sees the same key.  Returns 0, or -1 (key unchanged in length) when a
 * value is missing.
 */
int ddb_key(struct buf *key, const char *json, const struct ddb_span *at,
	    size_t n);

/*
 * Reads the UnprocessedItems of a BatchWriteItem response for table:
 * calls fn with the ddb_key text of each item's key attributes, the
 * first nkeys names of c (typed or not: the response is DynamoDB JSON).
 * Returns how many there were, or -1 when the body is not a
 * BatchWriteItem response.
 */
int ddb_unprocessed(struct ddb_conv *c, size_t nkeys, const char *table,
		    const char *resp, size_t n,
		    void (*fn)(void *ctx, const char *key, size_t len),
		    void *ctx);

/* --- errors (ddb_err.c) --- */

enum ddb_class {
	DDB_DONE,		/* 2xx */
	DDB_CONDITION,		/* ConditionalCheckFailedException */
	DDB_THROTTLED,		/* retry later, and send less */
	DDB_TRANSIENT,		/* retry later: 5xx, connection lost */
	DDB_REFUSED,		/* this request never succeeds as it is */
	DDB_NOTFOUND,		/* ResourceNotFoundException */
	DDB_FATAL,		/* no request can succeed: credentials,
				 * signature, permission, TLS, host */
	DDB_STOPPED,		/* the caller's stop flag ended it */
};

struct ddb_error {
	enum ddb_class cls;
	char type[64];		/* "ValidationException", or "" */
	struct buf msg;		/* the server's message, or curl's */
	int noanswer;		/* no answer came: msg is curl's */
};

#define DDB_ERROR_INIT { DDB_DONE, "", BUF_INIT, 0 }

/* Classifies the last attempt of r into e (whose msg is replaced). */
enum ddb_class ddb_classify(const struct http_req *r, struct ddb_error *e);
/* Classifies an error type name alone ("ThrottlingException"). */
enum ddb_class ddb_class_of(const char *type);
/* What an answer says of its signature: DDB_SIG_CLOCK (Invalid-
 * SignatureException "Signature expired" or "not yet current"),
 * DDB_SIG_TOKEN (ExpiredTokenException), or DDB_SIG_OK. */
enum { DDB_SIG_OK, DDB_SIG_CLOCK, DDB_SIG_TOKEN };
int ddb_sig_problem(const struct http_req *r);
/* "Type: message", "Type", or the message: for one-line reports. */
const char *ddb_strerror(const struct ddb_error *e, struct buf *b);
void ddb_error_free(struct ddb_error *e);

/* --- requests (ddb.c) --- */

struct aws_auth;

struct ddb_opts {
	/* signs each attempt, and says where (its endpoint and region);
	 * NULL: requests go unsigned.  Not copied: it must outlive the
	 * ddb.  One aws_auth may serve many ddb in many threads: signing
	 * is done under one lock. */
	struct aws_auth *auth;
	/* the URL; NULL: auth's endpoint, else https://dynamodb.REGION.
	 * amazonaws.com for region (NULL: auth's, else us-east-1) */
	const char *endpoint;
	const char *region;
	/* the epoch seconds requests are signed at; NULL: time(NULL) */
	int64_t (*clock)(void);
	/* ddb_call ends (DDB_STOPPED) once *stop is nonzero; NULL: never */
	const volatile sig_atomic_t *stop;
};

struct ddb;

/* Returns NULL with the reason in err when the endpoint is not a URL. */
struct ddb *ddb_new(struct http *h, const struct ddb_opts *o,
		    struct buf *err);
void ddb_free(struct ddb *d);
/* The endpoint's URL, as requests use it. */
const char *ddb_url(const struct ddb *d);
/* 1 once the options' *stop is nonzero. */
int ddb_stopped(const struct ddb *d);

/*
 * A request of one operation.  http comes first, so the http_req an
 * on_done receives is the ddb_req: (struct ddb_req *)r.
 */
struct ddb_req {
	struct http_req http;
	struct ddb *ddb;
	const char *op;		/* "PutItem": not copied */
	char target[64];	/* "X-Amz-Target: DynamoDB_20120810.PutItem" */
	struct buf body;	/* what each attempt sends */
	struct buf err;		/* why prepare failed */
	http_done_fn done;	/* the caller's on_done (see ddb_req_init) */
};

/*
 * Makes q (zeroed by the caller, or reused) ready to send op on d; the
 * body is the caller's to fill before http_start.  done is called as
 * the attempts end, but for an answer about the signature that another
 * attempt cures, which is sent at once, each attempt once (aws_auth.h):
 * the clock off ("Signature expired": signed again at the server's
 * time), the credentials expired (ExpiredTokenException: fetched again).
 */
void ddb_req_init(struct ddb_req *q, struct ddb *d, const char *op,
		  http_done_fn done, void *ctx);
void ddb_req_free(struct ddb_req *q);

/*
 * Runs op with body to its end, retrying throttling and transient errors
 * as the http options say, and returns its class: DDB_DONE with the
 * response in resp, or an error in e.  When it failed after retries, e's
 * message ends in "(retried 10 times over 21 s)".  DDB_STOPPED (the
 * request cancelled) within 200 ms of the options' *stop becoming
 * nonzero.  For set-up calls, when nothing else is running on the http
 * loop.
 */
enum ddb_class ddb_call(struct ddb *d, const char *op, const char *body,
			size_t n, struct buf *resp, struct ddb_error *e);

/* --- request bodies (ddb_body.c) --- */

/*
 * PutItem, the same for every item but the item and its values:
 *
 *	{"TableName":T,"Item":ITEM,"ConditionExpression":C,
 *	 "ExpressionAttributeNames":{"#n":"attr",...},
 *	 "ExpressionAttributeValues":{":v":VALUE,...}}
 *
 * without the condition when there is none, and without the names or
 * the values when there are none (DynamoDB refuses an empty map).
 */
struct ddb_put {
	struct buf head;	/* up to the item */
	struct buf expr;	/* ,"ConditionExpression":C or nothing */
	struct buf names;	/* "#n":"attr",... */
	struct buf consts;	/* ":v":{"N":"1"},... */
	const char *const *values;
	size_t nvalues;
	int cond;		/* it has a condition */
};

/* cond NULL: no condition (and no names or values).  values[0..nvalues)
 * name the condition's values taken from each item (":tst"); the array
 * is not copied. */
void ddb_put_init(struct ddb_put *p, const char *table, const char *cond,
		  const char *const *values, size_t nvalues);
/* Adds an ExpressionAttributeNames entry: placeholder ("#t") stands for
 * attr ("ttl") in the condition. */
void ddb_put_name(struct ddb_put *p, const char *placeholder,
		  const char *attr);
/* Adds a value the same for every item: name (":newest") and its
 * DynamoDB JSON (value, e.g. {"N":"1480236400"}, not checked here). */
void ddb_put_const(struct ddb_put *p, const char *name, const char *value);
/* Sets b to the body for item[0..n) (an Item map), whose values of
 * p->values lie at vals[0..nvalues) of item. */
void ddb_put_body(const struct ddb_put *p, struct buf *b, const char *item,
		  size_t n, const struct ddb_span *vals);
void ddb_put_free(struct ddb_put *p);

/* BatchWriteItem: begin, one add per Item map (at most DDB_BATCH_MAX),
 * end; b is set anew by begin. */
void ddb_batch_begin(struct buf *b, const char *table);
void ddb_batch_add(struct buf *b, const char *item, size_t n);
void ddb_batch_end(struct buf *b);

/* Appends {"TableName":T, the start of every request's body. */
void ddb_body_open(struct buf *b, const char *table);
/* {"TableName":T}: DescribeTable's body, and DeleteTable's. */
void ddb_body_table(struct buf *b, const char *table);

#endif
