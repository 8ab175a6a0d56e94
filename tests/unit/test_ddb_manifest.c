/* SPDX-License-Identifier: MIT */
/*
 * lib/aws/ddb_manifest.c, ddb_item.c and ddb_table.c's checks: the
 * manifest's key and items, a key of a table's types, the table as
 * --describe tells it.
 */
#include <string.h>

#include "buf.h"
#include "ddb.h"
#include "ddb_item.h"
#include "ddb_manifest.h"
#include "ddb_table.h"
#include "unit.h"

/* Converts line as dynaput --manifest does, then checks it. */
static int
item(const char *line, struct buf *msg)
{
	struct ddb_conv *c = ddb_conv_new(0, ddb_manifest_attrs, 4);
	struct ddb_item *it = ddb_item_new(4);
	int rc;

	buf_reset(msg);
	rc = ddb_conv_item(c, line, strlen(line), &it->json, it->at, msg);
	if (rc == 0)
		rc = ddb_manifest_item(it->json.p, it->at, msg);
	ddb_item_free(it);
	ddb_conv_free(c);
	return rc;
}

static int
keycheck(const struct ddb_table *t, const char *line, struct buf *msg)
{
	static const char *const names[] = { "id", "n" };
	struct ddb_conv *c = ddb_conv_new(0, names, 2);
	struct ddb_item *it = ddb_item_new(2);
	int rc;

	rc = ddb_conv_item(c, line, strlen(line), &it->json, it->at, msg);
	if (rc == 0)
		rc = ddb_table_keycheck(t, names, it->json.p, it->at, msg);
	ddb_item_free(it);
	ddb_conv_free(c);
	return rc;
}

int
main(void)
{
	struct ddb_table t = { "ACTIVE", "eventId", "fingerprint", 'S', 'S' };
	struct buf msg = BUF_INIT;
	struct ddb_create c;
	struct ddb_item *it;

	/* the table */
	CHECK(ddb_manifest_table(&t, "m", &msg) == 0, "%s", msg.p);
	t.range_type = 'B';
	CHECK(ddb_manifest_table(&t, "m", &msg) < 0 && !strcmp(msg.p,
	      "table m: its key fingerprint is binary (B), --manifest needs "
	      "strings (S), as the Shred step writes them"), "%s", msg.p);
	buf_reset(&msg);
	strcpy(t.range, "");
	CHECK(ddb_manifest_table(&t, "m", &msg) < 0 && !strcmp(msg.p,
	      "table m: its key is (eventId HASH), --manifest needs "
	      "(eventId HASH, fingerprint RANGE)"), "%s", msg.p);
	ddb_manifest_create(&c, 1);
	CHECK(!strcmp(c.hash, "eventId") && !strcmp(c.range, "fingerprint") &&
	      c.hash_type == 'S' && c.range_type == 'S' && c.ondemand,
	      "create");

	/* its items */
	CHECK(item("{\"eventId\":\"e\",\"fingerprint\":\"f\",\"etlTime\":1}",
		   &msg) == 0, "no ttl: %s", msg.p);
	CHECK(item("{\"eventId\":\"e\",\"fingerprint\":\"f\",\"etlTime\":1,"
		   "\"ttl\":2}", &msg) == 0, "ttl: %s", msg.p);
	CHECK(item("{\"eventId\":\"e\",\"fingerprint\":\"f\"}", &msg) < 0 &&
	      !strcmp(msg.p, "--manifest: the item has no etlTime"), "%s",
	      msg.p);
	CHECK(item("{\"eventId\":1,\"fingerprint\":\"f\",\"etlTime\":1}",
		   &msg) < 0 && !strcmp(msg.p, "--manifest: eventId must be "
		   "a string, as the Shred step writes it"), "%s", msg.p);
	CHECK(item("{\"eventId\":\"e\",\"fingerprint\":\"f\",\"etlTime\":1,"
		   "\"ttl\":\"2\"}", &msg) < 0 && !strcmp(msg.p, "--manifest: "
		   "ttl must be a number, as the Shred step writes it"), "%s",
	      msg.p);

	/* a key of the table's types */
	t = (struct ddb_table){ "ACTIVE", "id", "n", 'S', 'N' };
	CHECK(keycheck(&t, "{\"id\":\"a\",\"n\":1}", &msg) == 0, "%s", msg.p);
	CHECK(keycheck(&t, "{\"id\":\"a\"}", &msg) < 0 && !strcmp(msg.p,
	      "the item has no n (of the key)"), "%s", msg.p);
	CHECK(keycheck(&t, "{\"id\":\"a\",\"n\":\"1\"}", &msg) < 0 &&
	      !strcmp(msg.p, "n must be a number (N), as the table's key "
		      "is"), "%s", msg.p);
	CHECK(keycheck(&t, "{\"id\":\"\",\"n\":1}", &msg) < 0 &&
	      !strcmp(msg.p, "id: an empty value, which no key has"), "%s",
	      msg.p);
	CHECK(!strcmp(ddb_type_name('B'), "binary") &&
	      !strcmp(ddb_type_name(0), "of no type given"), "type names");

	/* --describe */
	buf_reset(&msg);
	ddb_table_json(&t, "t\"1", 1, &msg);
	CHECK(!strcmp(msg.p, "{\"table\":\"t\\\"1\",\"status\":\"ACTIVE\","
		      "\"hash\":\"id\",\"hashType\":\"S\",\"range\":\"n\","
		      "\"rangeType\":\"N\",\"empty\":true}\n"), "%s", msg.p);
	buf_reset(&msg);
	t.range[0] = '\0';
	t.hash_type = 0;
	ddb_table_json(&t, "t", 0, &msg);
	CHECK(!strcmp(msg.p, "{\"table\":\"t\",\"status\":\"ACTIVE\","
		      "\"hash\":\"id\",\"hashType\":\"?\",\"empty\":false}\n"),
	      "%s", msg.p);

	/* an item reused */
	it = ddb_item_new(0);
	buf_adds(&it->line, "x");
	it->lineno = 3;
	it->haskey = it->pending = 1;
	ddb_item_reset(it);
	CHECK(it->line.len == 0 && !it->lineno && !it->haskey &&
	      !it->pending && !it->input && it->at, "reset");
	ddb_item_free(it);
	ddb_item_free(NULL);
	buf_free(&msg);
	return unit_end("ddb_manifest");
}
