/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ddb.h"
#include "jsonw.h"
#include "xalloc.h"

/*
 * jansson checks the JSON and builds the tree, but keeps a number only as
 * a double (and fails on integers past 64 bits unless they are read as
 * doubles too).  So the numbers' texts are taken from the line itself: a
 * scan that skips strings finds them in document order, which is the
 * order a depth-first walk of the tree meets them, since jansson keeps
 * object members in the order they were read and duplicate names are
 * refused.
 */
#define FLAGS (JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES | \
	       JSON_ALLOW_NUL)

struct ddb_conv {
	int typed;
	const char *const *names;
	size_t nnames;
	const char *line;
	size_t *nums;		/* offset, length of each number's text */
	size_t nnums, capnums, inum;
	struct buf why;
};

struct ddb_conv *
ddb_conv_new(int typed, const char *const *names, size_t nnames)
{
	struct ddb_conv *c = xcalloc(1, sizeof *c);

	c->typed = typed;
	c->names = names;
	c->nnames = nnames;
	return c;
}

void
ddb_conv_free(struct ddb_conv *c)
{
	if (!c)
		return;
	free(c->nums);
	buf_free(&c->why);
	free(c);
}

static int
numchar(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' ||
	       ch == '.' || ch == 'e' || ch == 'E';
}

static void
scan(struct ddb_conv *c, const char *s, size_t n)
{
	size_t i = 0, start;

	c->nnums = c->inum = 0;
	while (i < n) {
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			for (start = i; i < n && numchar(s[i]); i++)
				;
			if (c->nnums + 2 > c->capnums) {
				c->capnums = c->capnums ? 2 * c->capnums : 64;
				c->nums = xreallocarray(c->nums, c->capnums,
							sizeof *c->nums);
			}
			c->nums[c->nnums++] = start;
			c->nums[c->nnums++] = i - start;
		} else {
			i++;
		}
	}
}

/* where: the top-level attribute the value is in, for messages */
static int
numerr(struct buf *err, const char *where, const char *s, size_t n,
       const struct buf *why)
{
	buf_reset(err);
	if (where)
		buf_printf(err, "%s: ", where);
	buf_adds(err, "number ");
	buf_add(err, s, n > 64 ? 64 : n);
	if (n > 64)
		buf_adds(err, "...");
	buf_printf(err, ": %s", buf_str(why));
	return -1;
}

static int plain(struct ddb_conv *, struct buf *, json_t *, const char *,
		 struct buf *);

static int
plainnum(struct ddb_conv *c, struct buf *out, const char *where,
	 struct buf *err)
{
	const char *s;
	size_t n;

	if (c->inum + 2 > c->nnums) {
		buf_printf(err, "%s: a number's text was not found", where);
		return -1;
	}
	s = c->line + c->nums[c->inum];
	n = c->nums[c->inum + 1];
	c->inum += 2;
	if (ddb_num_check(s, n, &c->why) < 0)
		return numerr(err, where, s, n, &c->why);
	buf_add(out, "{\"N\":\"", 6);
	buf_add(out, s, n);
	buf_add(out, "\"}", 2);
	return 0;
}

static int
plain(struct ddb_conv *c, struct buf *out, json_t *v, const char *where,
      struct buf *err)
{
	const char *k;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_add(out, "{\"M\":{", 6);
		i = 0;
		json_object_foreach(v, k, x) {
			if (i++)
				buf_addc(out, ',');
			jsonw_str(out, k, strlen(k));
			buf_addc(out, ':');
			if (plain(c, out, x, where, err) < 0)
				return -1;
		}
		buf_add(out, "}}", 2);
		return 0;
	case JSON_ARRAY:
		buf_add(out, "{\"L\":[", 6);
		json_array_foreach(v, i, x) {
			if (i)
				buf_addc(out, ',');
			if (plain(c, out, x, where, err) < 0)
				return -1;
		}
		buf_add(out, "]}", 2);
		return 0;
	case JSON_STRING:
		buf_add(out, "{\"S\":", 5);
		jsonw_str(out, json_string_value(v), json_string_length(v));
		buf_addc(out, '}');
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		return plainnum(c, out, where, err);
	case JSON_TRUE:
		buf_adds(out, "{\"BOOL\":true}");
		return 0;
	case JSON_FALSE:
		buf_adds(out, "{\"BOOL\":false}");
		return 0;
	case JSON_NULL:
		buf_adds(out, "{\"NULL\":true}");
		return 0;
	}
	return -1;
}

static int
typeerr(struct buf *err, const char *where, const char *what)
{
	buf_reset(err);
	buf_printf(err, "%s: %s", where, what);
	return -1;
}

static int typed(struct ddb_conv *, struct buf *, json_t *, const char *,
		 struct buf *);

/* The members of an S, N, B set, or of an L, M. */
static int
members(struct ddb_conv *c, struct buf *out, const char *t, json_t *x,
	const char *where, struct buf *err)
{
	const char *k;
	json_t *y;
	size_t i;

	if (*t == 'M') {
		if (!json_is_object(x))
			return typeerr(err, where, "an M value is not an "
				       "object");
		buf_addc(out, '{');
		i = 0;
		json_object_foreach(x, k, y) {
			if (i++)
				buf_addc(out, ',');
			jsonw_str(out, k, strlen(k));
			buf_addc(out, ':');
			if (typed(c, out, y, where, err) < 0)
				return -1;
		}
		buf_addc(out, '}');
		return 0;
	}
	if (!json_is_array(x))
		return typeerr(err, where, *t == 'L' ? "an L value is not an "
			       "array" : "a set is not an array");
	buf_addc(out, '[');
	json_array_foreach(x, i, y) {
		if (i)
			buf_addc(out, ',');
		if (*t == 'L') {
			if (typed(c, out, y, where, err) < 0)
				return -1;
			continue;
		}
		if (!json_is_string(y))
			return typeerr(err, where, "a set member is not a "
				       "string");
		if (*t == 'N' && ddb_num_check(json_string_value(y),
					       json_string_length(y),
					       &c->why) < 0)
			return numerr(err, where, json_string_value(y),
				      json_string_length(y), &c->why);
		jsonw_str(out, json_string_value(y), json_string_length(y));
	}
	buf_addc(out, ']');
	return 0;
}

static int
typed(struct ddb_conv *c, struct buf *out, json_t *v, const char *where,
      struct buf *err)
{
	const char *t;
	json_t *x;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return typeerr(err, where, "not a DynamoDB attribute value "
			       "(an object with one of S, N, B, BOOL, NULL, "
			       "M, L, SS, NS, BS)");
	t = json_object_iter_key(json_object_iter(v));
	x = json_object_iter_value(json_object_iter(v));
	buf_addc(out, '{');
	jsonw_str(out, t, strlen(t));
	buf_addc(out, ':');
	if (!strcmp(t, "S") || !strcmp(t, "B") || !strcmp(t, "N")) {
		if (!json_is_string(x))
			return typeerr(err, where, *t == 'N' ? "an N value "
				       "is not a string" : *t == 'S' ? "an S "
				       "value is not a string" : "a B value is "
				       "not a base64 string");
		if (*t == 'N' && ddb_num_check(json_string_value(x),
					       json_string_length(x),
					       &c->why) < 0)
			return numerr(err, where, json_string_value(x),
				      json_string_length(x), &c->why);
		jsonw_str(out, json_string_value(x), json_string_length(x));
	} else if (!strcmp(t, "BOOL") || !strcmp(t, "NULL")) {
		if (!json_is_boolean(x))
			return typeerr(err, where, *t == 'B' ? "a BOOL value "
				       "is not true or false" : "a NULL value "
				       "is not true");
		buf_adds(out, json_is_true(x) ? "true" : "false");
	} else if (!strcmp(t, "SS") || !strcmp(t, "NS") ||
		   !strcmp(t, "BS") || !strcmp(t, "M") || !strcmp(t, "L")) {
		if (members(c, out, t, x, where, err) < 0)
			return -1;
	} else {
		buf_reset(err);
		buf_printf(err, "%s: unknown DynamoDB type \"%s\"", where, t);
		return -1;
	}
	buf_addc(out, '}');
	return 0;
}

/* The top level: an object of attributes, each located when named. */
static int
attrs(struct ddb_conv *c, int istyped, json_t *item, struct buf *out,
      struct ddb_span *at, struct buf *err)
{
	const char *k;
	json_t *v;
	size_t i = 0, j, off;

	for (j = 0; j < c->nnames; j++)
		at[j].off = at[j].len = 0;
	buf_addc(out, '{');
	json_object_foreach(item, k, v) {
		if (i++)
			buf_addc(out, ',');
		jsonw_str(out, k, strlen(k));
		buf_addc(out, ':');
		off = out->len;
		if ((istyped ? typed(c, out, v, k, err) :
		     plain(c, out, v, k, err)) < 0)
			return -1;
		for (j = 0; j < c->nnames; j++)
			if (!strcmp(k, c->names[j])) {
				at[j].off = off;
				at[j].len = out->len - off;
			}
	}
	buf_addc(out, '}');
	return 0;
}

/* jansson failed: say why, in DynamoDB's words when a number is out of
 * range (jansson cannot hold it as a double). */
static int
loaderr(struct ddb_conv *c, const char *line, size_t n,
	const json_error_t *je, struct buf *err)
{
	size_t i;

	buf_reset(err);
	if (json_error_code(je) == json_error_numeric_overflow) {
		scan(c, line, n);
		for (i = 0; i < c->nnums; i += 2)
			if (ddb_num_check(line + c->nums[i], c->nums[i + 1],
					  &c->why) < 0)
				return numerr(err, NULL, line + c->nums[i],
					      c->nums[i + 1], &c->why);
	}
	buf_printf(err, "invalid JSON: %s (column %d)", je->text,
		   je->column);
	return -1;
}

/* A message is one line: the line's bytes it quotes (jansson's text
 * near an error, a name, a number's text) have their control
 * characters, NUL included, as spaces. */
static int
flatten(struct buf *err)
{
	size_t i;

	for (i = 0; i < err->len; i++)
		if ((unsigned char)err->p[i] < 0x20 || err->p[i] == 0x7f)
			err->p[i] = ' ';
	return -1;
}

int
ddb_conv_item(struct ddb_conv *c, const char *line, size_t n,
	      struct buf *out, struct ddb_span *at, struct buf *err)
{
	json_error_t je;
	json_t *root, *inner;
	size_t mark = out->len;
	int rc;

	if (!(root = json_loadb(line, n, FLAGS, &je))) {
		loaderr(c, line, n, &je, err);
		return flatten(err);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		buf_reset(err);
		buf_adds(err, "not a JSON object: an item is one object of "
			 "attributes");
		return -1;
	}
	if (!c->typed) {
		scan(c, line, n);
		c->line = line;
		rc = attrs(c, 0, root, out, at, err);
	} else if (json_object_size(root) == 1 &&
		   json_is_object(inner = json_object_get(root, "Item"))) {
		/* an export line, or an item whose one attribute is Item */
		if ((rc = attrs(c, 1, inner, out, at, err)) < 0) {
			struct buf first = BUF_INIT;

			buf_add(&first, err->p, err->len);
			out->len = mark;
			if ((rc = attrs(c, 1, root, out, at, err)) < 0) {
				buf_reset(err);
				buf_add(err, first.p, first.len);
			}
			buf_free(&first);
		}
	} else {
		rc = attrs(c, 1, root, out, at, err);
	}
	json_decref(root);
	return rc < 0 ? flatten(err) : rc;
}

int
ddb_key(struct buf *key, const char *json, const struct ddb_span *at,
	size_t n)
{
	static const char num[] = "{\"N\":\"";
	size_t mark = key->len, i;
	const char *v;

	for (i = 0; i < n; i++) {
		if (!at[i].len) {
			key->len = mark;
			if (key->p)
				key->p[mark] = '\0';
			return -1;
		}
		if (i)
			buf_addc(key, '\n');
		v = json + at[i].off;
		if (at[i].len > sizeof num + 1 &&
		    !memcmp(v, num, sizeof num - 1)) {
			buf_add(key, "N:", 2);
			ddb_num_canon(key, v + sizeof num - 1,
				      at[i].len - (sizeof num - 1) - 2);
		} else {
			buf_add(key, v, at[i].len);
		}
	}
	return 0;
}

int
ddb_unprocessed(struct ddb_conv *c, size_t nkeys, const char *table,
		const char *resp, size_t n,
		void (*fn)(void *ctx, const char *key, size_t len), void *ctx)
{
	struct buf item = BUF_INIT, key = BUF_INIT, err = BUF_INIT;
	struct ddb_span at[8];
	json_error_t je;
	json_t *root, *list, *x, *it;
	size_t i;
	int count = 0;

	if (nkeys > c->nnames || c->nnames > sizeof at / sizeof at[0] ||
	    !(root = json_loadb(resp, n, FLAGS, &je)))
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	list = json_object_get(json_object_get(root, "UnprocessedItems"),
			       table);
	json_array_foreach(list, i, x) {
		it = json_object_get(json_object_get(x, "PutRequest"), "Item");
		buf_reset(&item);
		buf_reset(&key);
		if (!json_is_object(it) ||
		    attrs(c, 1, it, &item, at, &err) < 0 ||
		    ddb_key(&key, item.p, at, nkeys) < 0) {
			count = -1;
			break;
		}
		fn(ctx, key.p, key.len);
		count++;
	}
	json_decref(root);
	buf_free(&item);
	buf_free(&key);
	buf_free(&err);
	return count;
}
