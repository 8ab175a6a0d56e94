/* SPDX-License-Identifier: MIT */
/*
 * DynamoDB's error bodies, as a hostile or broken endpoint could send
 * them: ddb_classify on any bytes as the body of an answer with status
 * 400, 403, 429, 500 and 503, then ddb_strerror.  Checks, beyond the
 * sanitizers: a class is always returned, one that a refusal can have
 * (never DDB_DONE nor DDB_STOPPED), and a 5xx is never DDB_REFUSED; a
 * __type the body has is given after its '#', and a known one classed
 * as ddb_class_of says; the message is one non-empty line without
 * control characters, whatever the body's strings hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ddb.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
oneline(const struct buf *b)
{
	size_t i;

	if (!b->len || strlen(b->p) != b->len)
		abort();
	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->p[i] < 0x20 || b->p[i] == 0x7f)
			abort();
}

/* type is t cut to fit, its control characters as spaces */
static int
same(const char *type, const char *t)
{
	size_t i;

	for (i = 0; type[i]; i++)
		if (type[i] != ((unsigned char)t[i] < 0x20 || t[i] == 0x7f ?
				' ' : t[i]))
			return 0;
	return i == sizeof(((struct ddb_error *)0)->type) - 1 || !t[i];
}

/* The __type the body names, as ddb_classify should read it, or NULL. */
static const char *
wanted(const uint8_t *data, size_t size, json_t **root)
{
	const char *t, *h;

	*root = size ? json_loadb((const char *)data, size, 0, NULL) : NULL;
	t = json_string_value(json_object_get(*root, "__type"));
	if (t && (h = strrchr(t, '#')))
		t = h + 1;
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 400, 403, 429, 500, 503 };
	static struct ddb_error e = DDB_ERROR_INIT;
	static struct buf line;
	struct http_req r;
	enum ddb_class cls;
	const char *t;
	json_t *root;
	size_t i;

	t = wanted(data, size, &root);
	for (i = 0; i < sizeof status / sizeof status[0]; i++) {
		memset(&r, 0, sizeof r);
		r.cc = CURLE_OK;
		r.status = status[i];
		r.attempt = 1;
		/* an exact-size copy (and its NUL, as a buf has), so
		 * reading past the body is caught */
		r.resp.p = malloc(size + 1);
		memcpy(r.resp.p, data, size);
		r.resp.p[size] = '\0';
		r.resp.len = size;
		r.resp.cap = size + 1;
		cls = ddb_classify(&r, &e);
		if (cls != e.cls || cls <= DDB_DONE || cls >= DDB_STOPPED ||
		    e.noanswer)
			abort();
		if (r.status >= 500 && cls == DDB_REFUSED)
			abort();
		if (strchr(e.type, '#') || strlen(e.type) >= sizeof e.type)
			abort();
		if (t && !same(e.type, t))
			abort();
		if (e.type[0] && strlen(t) < sizeof e.type &&
		    ddb_class_of(e.type) != DDB_REFUSED &&
		    cls != ddb_class_of(e.type))
			abort();
		ddb_strerror(&e, &line);
		oneline(&line);
		http_req_free(&r);
	}
	json_decref(root);
	return 0;
}
