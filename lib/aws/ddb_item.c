/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "buf.h"
#include "ddb_item.h"
#include "xalloc.h"

struct ddb_item *
ddb_item_new(size_t nattrs)
{
	struct ddb_item *it = xcalloc(1, sizeof *it);

	it->at = xcalloc(nattrs ? nattrs : 1, sizeof *it->at);
	return it;
}

void
ddb_item_reset(struct ddb_item *it)
{
	buf_reset(&it->line);
	buf_reset(&it->json);
	buf_reset(&it->key);
	it->input = NULL;
	it->lineno = 0;
	it->haskey = 0;
	it->pending = 0;
	it->next = NULL;
}

void
ddb_item_free(struct ddb_item *it)
{
	if (!it)
		return;
	buf_free(&it->line);
	buf_free(&it->json);
	buf_free(&it->key);
	free(it->at);
	free(it);
}
