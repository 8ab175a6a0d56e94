/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_manifest.h"
#include "ddb_table.h"

#define NKEYS 2
#define NNEED 3		/* ttl may be missing */

const char *const ddb_manifest_attrs[4] = {
	"eventId", "fingerprint", "etlTime", "ttl",
};

void
ddb_manifest_create(struct ddb_create *c, int ondemand)
{
	*c = (struct ddb_create){ "eventId", "fingerprint", 'S', 'S',
				  ondemand, 100, 100 };
}

int
ddb_manifest_table(const struct ddb_table *t, const char *name,
		   struct buf *err)
{
	struct buf b = BUF_INIT;
	int hash = t->hash_type != 'S';

	if (strcmp(t->hash, "eventId") || strcmp(t->range, "fingerprint"))
		buf_printf(err, "table %s: its key is %s, --manifest needs "
			   "(eventId HASH, fingerprint RANGE)", name,
			   ddb_table_key(t, &b));
	else if (hash || t->range_type != 'S')
		buf_printf(err, "table %s: its key %s is %s (%c), --manifest "
			   "needs strings (S), as the Shred step writes them",
			   name, hash ? "eventId" : "fingerprint",
			   ddb_type_name(hash ? t->hash_type : t->range_type),
			   hash ? t->hash_type : t->range_type);
	else
		return 0;
	buf_free(&b);
	return -1;
}

int
ddb_manifest_item(const char *json, const struct ddb_span *at,
		  struct buf *msg)
{
	const char *want, *v;
	size_t i;

	for (i = 0; i < 4; i++) {
		want = i < NKEYS ? "S" : "N";
		v = json + at[i].off;
		if (!at[i].len && i >= NNEED)
			continue;
		buf_reset(msg);
		if (!at[i].len)
			buf_printf(msg, "--manifest: the item has no %s",
				   ddb_manifest_attrs[i]);
		else if (at[i].len < 6 || v[2] != want[0] || v[3] != '"')
			buf_printf(msg, "--manifest: %s must be a %s, as the "
				   "Shred step writes it",
				   ddb_manifest_attrs[i],
				   *want == 'S' ? "string" : "number");
		else
			continue;
		return -1;
	}
	return 0;
}
