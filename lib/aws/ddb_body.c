/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "ddb.h"
#include "jsonw.h"

void
ddb_body_open(struct buf *b, const char *table)
{
	buf_adds(b, "{\"TableName\":");
	jsonw_str(b, table, strlen(table));
}

void
ddb_put_init(struct ddb_put *p, const char *table, const char *cond,
	     const char *const *values, size_t nvalues)
{
	memset(p, 0, sizeof *p);
	ddb_body_open(&p->head, table);
	buf_adds(&p->head, ",\"Item\":");
	buf_adds(&p->expr, "");
	if (!cond)
		return;
	p->cond = 1;
	buf_adds(&p->expr, ",\"ConditionExpression\":");
	jsonw_str(&p->expr, cond, strlen(cond));
	p->values = values;
	p->nvalues = nvalues;
}

void
ddb_put_name(struct ddb_put *p, const char *placeholder, const char *attr)
{
	if (p->names.len)
		buf_addc(&p->names, ',');
	jsonw_str(&p->names, placeholder, strlen(placeholder));
	buf_addc(&p->names, ':');
	jsonw_str(&p->names, attr, strlen(attr));
}

void
ddb_put_const(struct ddb_put *p, const char *name, const char *value)
{
	buf_addc(&p->consts, ',');
	jsonw_str(&p->consts, name, strlen(name));
	buf_addc(&p->consts, ':');
	buf_adds(&p->consts, value);
}

void
ddb_put_body(const struct ddb_put *p, struct buf *b, const char *item,
	     size_t n, const struct ddb_span *vals)
{
	size_t i;

	buf_reset(b);
	buf_add(b, p->head.p, p->head.len);
	buf_add(b, item, n);
	buf_add(b, p->expr.p, p->expr.len);
	if (p->names.len) {
		buf_adds(b, ",\"ExpressionAttributeNames\":{");
		buf_add(b, p->names.p, p->names.len);
		buf_addc(b, '}');
	}
	if (p->nvalues || p->consts.len) {
		buf_adds(b, ",\"ExpressionAttributeValues\":{");
		for (i = 0; i < p->nvalues; i++) {
			if (i)
				buf_addc(b, ',');
			jsonw_str(b, p->values[i], strlen(p->values[i]));
			buf_addc(b, ':');
			buf_add(b, item + vals[i].off, vals[i].len);
		}
		/* without its first comma when no value came before */
		buf_add(b, p->consts.p + !p->nvalues,
			p->consts.len - (p->consts.len && !p->nvalues));
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
}

void
ddb_put_free(struct ddb_put *p)
{
	buf_free(&p->head);
	buf_free(&p->expr);
	buf_free(&p->names);
	buf_free(&p->consts);
}

void
ddb_batch_begin(struct buf *b, const char *table)
{
	buf_reset(b);
	buf_adds(b, "{\"RequestItems\":{");
	jsonw_str(b, table, strlen(table));
	buf_add(b, ":[", 2);
}

void
ddb_batch_add(struct buf *b, const char *item, size_t n)
{
	if (b->p[b->len - 1] != '[')
		buf_addc(b, ',');
	buf_adds(b, "{\"PutRequest\":{\"Item\":");
	buf_add(b, item, n);
	buf_add(b, "}}", 2);
}

void
ddb_batch_end(struct buf *b)
{
	buf_add(b, "]}}", 3);
}

void
ddb_body_table(struct buf *b, const char *table)
{
	buf_reset(b);
	ddb_body_open(b, table);
	buf_addc(b, '}');
}
