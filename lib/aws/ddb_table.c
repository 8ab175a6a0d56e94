/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_table.h"
#include "jsonw.h"

#define POLL_MS 200

/* One line on e, in err, with its context: the endpoint when no answer
 * came, else the table (and the operation, unless DescribeTable). */
static int
fail(struct ddb *d, const char *name, const char *op, struct ddb_error *e,
     struct buf *err)
{
	struct buf m = BUF_INIT;

	ddb_strerror(e, &m);
	if (e->noanswer && e->cls != DDB_STOPPED)
		buf_printf(err, "%s: %s", ddb_url(d), m.p);
	else if (op)
		buf_printf(err, "table %s: %s: %s", name, op, m.p);
	else
		buf_printf(err, "table %s: %s", name, m.p);
	buf_free(&m);
	return -1;
}

/* a failure of ours, not the server's: e says so too */
static int
failx(const char *name, const char *why, struct ddb_error *e,
      enum ddb_class cls, struct buf *err)
{
	e->cls = cls;
	e->type[0] = '\0';
	e->noanswer = 0;
	buf_reset(&e->msg);
	buf_adds(&e->msg, why);
	buf_printf(err, "table %s: %s", name, why);
	return -1;
}

static void
keydef(struct buf *b, const char *name, char type)
{
	buf_adds(b, "{\"AttributeName\":");
	jsonw_str(b, name, strlen(name));
	buf_printf(b, ",\"AttributeType\":\"%c\"}", type);
}

static void
keyschema(struct buf *b, const char *name, const char *keytype)
{
	buf_adds(b, "{\"AttributeName\":");
	jsonw_str(b, name, strlen(name));
	buf_printf(b, ",\"KeyType\":\"%s\"}", keytype);
}

int
ddb_table_describe(struct ddb *d, const char *name, struct ddb_table *t,
		   struct ddb_error *e, struct buf *err)
{
	struct buf b = BUF_INIT, resp = BUF_INIT;
	int rc = 0;

	ddb_body_table(&b, name);
	if (ddb_call(d, "DescribeTable", b.p, b.len, &resp, e) != DDB_DONE)
		rc = fail(d, name, NULL, e, err);
	else if (ddb_table_parse(resp.p, resp.len, t) < 0)
		rc = failx(name, "DescribeTable: an answer not understood", e,
			   DDB_FATAL, err);
	buf_free(&b);
	buf_free(&resp);
	return rc;
}

int
ddb_table_create(struct ddb *d, const char *name,
		 const struct ddb_create *c, struct ddb_error *e,
		 struct buf *err)
{
	struct buf b = BUF_INIT;
	int rc = 1;

	ddb_body_open(&b, name);
	buf_adds(&b, ",\"AttributeDefinitions\":[");
	keydef(&b, c->hash, c->hash_type);
	if (c->range) {
		buf_addc(&b, ',');
		keydef(&b, c->range, c->range_type);
	}
	buf_adds(&b, "],\"KeySchema\":[");
	keyschema(&b, c->hash, "HASH");
	if (c->range) {
		buf_addc(&b, ',');
		keyschema(&b, c->range, "RANGE");
	}
	buf_adds(&b, "],");
	if (c->ondemand)
		buf_adds(&b, "\"BillingMode\":\"PAY_PER_REQUEST\"}");
	else
		buf_printf(&b, "\"ProvisionedThroughput\":"
			   "{\"ReadCapacityUnits\":%ld,"
			   "\"WriteCapacityUnits\":%ld}}", c->rcu, c->wcu);
	if (ddb_call(d, "CreateTable", b.p, b.len, NULL, e) != DDB_DONE) {
		if (e->cls == DDB_REFUSED &&
		    !strcmp(e->type, "ResourceInUseException"))
			rc = 0;
		else
			rc = fail(d, name, "CreateTable", e, err);
	}
	buf_free(&b);
	return rc;
}

static int
writable(const struct ddb_table *t)
{
	return !strcmp(t->status, "ACTIVE") || !strcmp(t->status, "UPDATING");
}

int
ddb_table_wait(struct ddb *d, const char *name, struct ddb_table *t,
	       long wait_s, struct ddb_error *e, struct buf *err)
{
	struct timespec pause = { 0, POLL_MS * 1000000L };
	struct buf why = BUF_INIT;
	long n;
	int rc = 0;

	for (n = 0;; n++) {
		if ((n || !t->status[0]) &&
		    ddb_table_describe(d, name, t, e, err) < 0)
			return -1;
		if (writable(t))
			break;
		if (strcmp(t->status, "CREATING") ||
		    n * POLL_MS >= wait_s * 1000) {
			buf_printf(&why, "%s%s", t->status,
				   strcmp(t->status, "CREATING") ? "" :
				   " for too long");
			rc = failx(name, why.p, e, DDB_REFUSED, err);
			break;
		}
		nanosleep(&pause, NULL);
		if (ddb_stopped(d)) {
			rc = failx(name, "interrupted", e, DDB_STOPPED, err);
			break;
		}
	}
	buf_free(&why);
	return rc;
}

#define SCAN_PAGES 100

int
ddb_table_empty(struct ddb *d, const char *name, struct ddb_error *e,
		struct buf *err)
{
	struct buf b = BUF_INIT, resp = BUF_INIT, start = BUF_INIT;
	json_t *root = NULL, *count, *last;
	int rc = -1, page;
	char *s;

	for (page = 0; page < SCAN_PAGES; page++) {
		ddb_body_open(&b, name);
		buf_adds(&b, ",\"Limit\":1,\"Select\":\"COUNT\"");
		if (start.len) {
			buf_adds(&b, ",\"ExclusiveStartKey\":");
			buf_add(&b, start.p, start.len);
		}
		buf_addc(&b, '}');
		if (ddb_call(d, "Scan", b.p, b.len, &resp, e) != DDB_DONE) {
			fail(d, name, "Scan", e, err);
			break;
		}
		json_decref(root);
		root = json_loadb(resp.p, resp.len, 0, NULL);
		count = json_object_get(root, "Count");
		last = json_object_get(root, "LastEvaluatedKey");
		if (!json_is_integer(count) || (last && !json_is_object(last))) {
			failx(name, "Scan: an answer not understood", e,
			      DDB_FATAL, err);
			break;
		}
		if (json_integer_value(count) > 0 || !last ||
		    !json_object_size(last)) {
			rc = json_integer_value(count) == 0;
			break;
		}
		/* a page that counted none, and more after it */
		buf_reset(&start);
		s = json_dumps(last, JSON_COMPACT);
		buf_adds(&start, s ? s : "{}");
		free(s);
		buf_reset(&b);
	}
	if (page == SCAN_PAGES)
		failx(name, "Scan: 100 pages counted no item, and there are "
		      "more", e, DDB_FATAL, err);
	json_decref(root);
	buf_free(&b);
	buf_free(&resp);
	buf_free(&start);
	return rc;
}

int
ddb_table_ttl(struct ddb *d, const char *name, const char *attr,
	      struct ddb_error *e, struct buf *err)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	ddb_body_open(&b, name);
	buf_adds(&b, ",\"TimeToLiveSpecification\":{\"AttributeName\":");
	jsonw_str(&b, attr, strlen(attr));
	buf_adds(&b, ",\"Enabled\":true}}");
	if (ddb_call(d, "UpdateTimeToLive", b.p, b.len, NULL, e) != DDB_DONE) {
		buf_printf(err, "table %s: TTL on %s not enabled: %s", name,
			   attr, ddb_strerror(e, &b));
		rc = -1;
	}
	buf_free(&b);
	return rc;
}

int
ddb_table_open(struct ddb *d, const char *name, const struct ddb_open *o,
	       struct ddb_table *t, struct ddb_error *e, struct buf *err)
{
	struct buf m = BUF_INIT;
	int made = 0;

	memset(t, 0, sizeof *t);	/* status "": the wait describes it */
	if (ddb_table_describe(d, name, t, e, &m) < 0) {
		if (e->cls != DDB_NOTFOUND || !o->create)
			goto fail;
		buf_reset(&m);
		if ((made = ddb_table_create(d, name, o->create, e, &m)) < 0)
			goto fail;
		if (made && o->notice) {
			buf_printf(&m, "table %s: created", name);
			o->notice(m.p);
			buf_reset(&m);
		}
	}
	if (ddb_table_wait(d, name, t, o->wait_s, e, &m) < 0)
		goto fail;
	buf_adds(&m, "warning: ");
	if (made && o->ttl && ddb_table_ttl(d, name, o->ttl, e, &m) < 0 &&
	    o->notice)
		o->notice(m.p);
	buf_free(&m);
	return made;
fail:
	buf_adds(err, m.p);
	buf_free(&m);
	return -1;
}

const char *
ddb_table_key(const struct ddb_table *t, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "(%s HASH%s%s%s)", t->hash, t->range[0] ? ", " : "",
		   t->range, t->range[0] ? " RANGE" : "");
	return b->p;
}

static void
copy(char *dst, size_t cap, json_t *v)
{
	const char *s = json_string_value(v);

	snprintf(dst, cap, "%s", s ? s : "");
}

int
ddb_table_parse(const char *json, size_t n, struct ddb_table *t)
{
	json_t *root, *tab, *x, *defs;
	size_t i, j;
	int rc = -1;

	memset(t, 0, sizeof *t);
	if (!(root = json_loadb(json, n, 0, NULL)))
		return -1;
	if (!(tab = json_object_get(root, "Table")))
		tab = json_object_get(root, "TableDescription");
	if (!json_is_object(tab))
		goto out;
	copy(t->status, sizeof t->status,
	     json_object_get(tab, "TableStatus"));
	defs = json_object_get(tab, "AttributeDefinitions");
	json_array_foreach(json_object_get(tab, "KeySchema"), i, x) {
		const char *kt = json_string_value(json_object_get(x,
								   "KeyType"));
		const char *name = json_string_value(json_object_get(x,
						"AttributeName"));
		char *dst, *type;
		json_t *d;

		if (!kt || !name)
			goto out;
		if (!strcmp(kt, "HASH")) {
			dst = t->hash;
			type = &t->hash_type;
		} else if (!strcmp(kt, "RANGE")) {
			dst = t->range;
			type = &t->range_type;
		} else {
			continue;
		}
		snprintf(dst, sizeof t->hash, "%s", name);
		json_array_foreach(defs, j, d) {
			const char *an = json_string_value(
				json_object_get(d, "AttributeName"));
			const char *at = json_string_value(
				json_object_get(d, "AttributeType"));

			if (an && at && !strcmp(an, name))
				*type = *at;
		}
	}
	rc = t->status[0] && t->hash[0] ? 0 : -1;
out:
	json_decref(root);
	return rc;
}

const char *
ddb_type_name(char t)
{
	return t == 'S' ? "a string" : t == 'N' ? "a number" :
	       t == 'B' ? "binary" : "of no type given";
}

int
ddb_table_keycheck(const struct ddb_table *t, const char *const *names,
		   const char *json, const struct ddb_span *at,
		   struct buf *msg)
{
	size_t i, n = t->range[0] ? 2 : 1;
	const char *v;
	char want;

	buf_reset(msg);
	for (i = 0; i < n; i++) {
		want = i ? t->range_type : t->hash_type;
		v = json + at[i].off;
		if (!at[i].len)
			buf_printf(msg, "the item has no %s (of the key)",
				   names[i]);
		else if (want && (at[i].len < 6 || v[2] != want ||
				  v[3] != '"'))
			buf_printf(msg, "%s must be %s (%c), as the table's "
				   "key is", names[i], ddb_type_name(want),
				   want);
		else if (at[i].len == 8 && v[2] != 'N')
			buf_printf(msg, "%s: an empty value, which no key "
				   "has", names[i]);
		else
			continue;
		return -1;
	}
	return 0;
}

static void
jsonfield(struct buf *b, const char *name, const char *v)
{
	buf_printf(b, ",\"%s\":", name);
	jsonw_str(b, v, strlen(v));
}

void
ddb_table_json(const struct ddb_table *t, const char *name, int empty,
	       struct buf *b)
{
	buf_adds(b, "{\"table\":");
	jsonw_str(b, name, strlen(name));
	jsonfield(b, "status", t->status);
	jsonfield(b, "hash", t->hash);
	buf_printf(b, ",\"hashType\":\"%c\"", t->hash_type ? t->hash_type :
		   '?');
	if (t->range[0]) {
		jsonfield(b, "range", t->range);
		buf_printf(b, ",\"rangeType\":\"%c\"", t->range_type ?
			   t->range_type : '?');
	}
	buf_printf(b, ",\"empty\":%s}\n", empty ? "true" : "false");
}
