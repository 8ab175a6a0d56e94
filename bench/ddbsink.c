/* SPDX-License-Identifier: MIT */
/*
 * ddbsink: a DynamoDB-like sink for benchmarks and tests.  One thread,
 * epoll, libc only; it listens on 127.0.0.1 and answers DynamoDB's JSON
 * 1.0 protocol (POST /, X-Amz-Target: DynamoDB_20120810.Op, keep-alive,
 * Content-Length bodies; signatures are not checked) as DynamoDB does for
 * this project's calls: DescribeTable, CreateTable, UpdateTimeToLive,
 * DescribeTimeToLive, PutItem, BatchWriteItem and Scan (a count only, as
 * dynaput --describe asks it).
 *
 *   ddbsink [-PZ] [-b seconds] [-c wcu] [-J ms] [-l ms] [-p port]
 *           [-s seconds] [-t table ...]
 *
 *   -p PORT  listen on 127.0.0.1:PORT; 0 (the default): any free port,
 *            printed on stdout on a line of its own
 *   -t NAME  only the table NAME exists (repeatable; CreateTable makes
 *            others); default: every name exists
 *   -l MS    latency before each DynamoDB answer; -J MS jitter: +- MS,
 *            uniform (a min-heap of deadlines, epoll_wait's timeout)
 *   -c WCU   write capacity a second, each table (default: unlimited);
 *            past it a write answers ProvisionedThroughputExceeded
 *   -b SECS  burst: up to SECS seconds of unused capacity accumulate
 *            and are spent first (default 300, DynamoDB's; at least
 *            one second's); a table starts with all of it, or under -Z
 *            with none (counted from its first write: that one fails)
 *   -P       per partition: ceil(WCU / 1000) partitions by a hash of
 *            eventId, each with its share of the capacity and burst
 *   -s SECS  the per-second series in the stats keep SECS (default 600)
 *
 * Items are kept by key (eventId S HASH, fingerprint S RANGE, the
 * manifest's key schema, whatever a CreateTable asks) with their
 * etlTime and ttl numbers; other attributes count towards the item's
 * size (one WCU per KB, rounded up) and are dropped.  Condition
 * expressions: AND, OR, NOT, parentheses, attribute_exists,
 * attribute_not_exists, = <> < <= > >=, BETWEEN and IN on eventId,
 * fingerprint, etlTime and ttl (#names allowed); numbers compare as
 * doubles (exact for integers up to 2^53).  A condition the sink cannot
 * evaluate (another attribute, a function, a path) holds: the write
 * goes through.  ReturnValues and ReturnConsumedCapacity are ignored.
 *
 * Control, on the same port, answered at once:
 *   GET  /__sink/stats   counters, one JSON object (also printed on
 *                        stdout at SIGTERM or SIGINT, which end it
 *                        with status 143 or 130)
 *   GET  /__sink/items   the items as JSON Lines: eventId, fingerprint,
 *                        etlTime, ttl (?table=NAME: that table's only)
 *   POST /__sink/reset   forgets items, counters and spent capacity
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "fshut.h"
#include "hex.h"
#include "jsonw.h"
#include "xalloc.h"

#define MAXHEAD (64u << 10)	/* request line and headers */
#define MAXBODY (16u << 20)	/* DynamoDB's request limit */
#define READSZ (16u << 10)
#define KEEPBUF (1u << 20)	/* a connection's buffer above this is freed */
#define HEADROOM 256		/* before an answer's body: its header */
#define NEV 256
#define MAXDEPTH 32		/* DynamoDB's nesting limit */
#define MAXITEM (400u << 10)
#define MAXBATCH 25
#define MAXVALS 64		/* expression values and names */
#define PARTWCU 1000.0

#define NS_DDB "com.amazonaws.dynamodb.v20120810#"
#define NS_CORAL "com.amazon.coral.service#"
#define VALIDATION "com.amazon.coral.validate#ValidationException"
#define MSG_PTE "The level of configured provisioned throughput for the " \
	"table was exceeded. Consider increasing your provisioning level " \
	"with the UpdateTable API."

/* --- options and counters --- */

static int port, pflag, zflag;
static double capwcu, burst = 300;
static int64_t lat_ns, jit_ns;
static long nseries = 600;
static int anyname = 1;

enum { OP_DESCRIBE, OP_CREATE, OP_UPDTTL, OP_DESCTTL, OP_PUT, OP_BATCH,
	OP_SCAN, OP_OTHER, NOPS };
static const char *const opname[NOPS] = {
	"DescribeTable", "CreateTable", "UpdateTimeToLive",
	"DescribeTimeToLive", "PutItem", "BatchWriteItem", "Scan", "other",
};

static struct {
	unsigned long long requests, byop[NOPS], written, deleted;
	unsigned long long condfail, threq, thitems, unprocessed, errors;
	unsigned long long conns, peak;
} st;
static unsigned long long nconns;

/* items written and throttled, a second each, the last nseries seconds */
static unsigned long long *ser_w, *ser_t;
static long ser_last;

static int64_t t0, now;
static volatile sig_atomic_t gotsig;
static uint64_t rng = 0x9e3779b97f4a7c15u;

/* --- small things --- */

struct str {
	const char *p;
	size_t n;
};

static int
streq(const struct str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->n == n && !memcmp(s->p, lit, n);
}

static uint64_t
rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3u;
	}
	return h;
}

#define FNV0 0xcbf29ce484222325u

static void
series_to(long sec)
{
	long s;

	if (sec <= ser_last)
		return;
	s = sec - ser_last > nseries ? sec - nseries + 1 : ser_last + 1;
	for (; s <= sec; s++)
		ser_w[s % nseries] = ser_t[s % nseries] = 0;
	ser_last = sec;
}

static void
count_written(unsigned long long n)
{
	series_to((long)((now - t0) / 1000000000));
	ser_w[ser_last % nseries] += n;
	st.written += n;
}

static void
count_throttled(unsigned long long n)
{
	series_to((long)((now - t0) / 1000000000));
	ser_t[ser_last % nseries] += n;
	st.thitems += n;
}

/* --- the items: one hash table a table --- */

struct rec {
	uint64_t h;
	uint32_t idn, fpn, etln, ttln;	/* etln, ttln 0: no such number */
	char s[];			/* eventId fingerprint etlTime ttl */
};

struct store {
	struct rec **slot;
	size_t cap, n;
};

struct bucket {
	double tok;
	int64_t last;
	int started;
};

struct table {
	char *name;
	struct store items;
	int ttlon;
	char *ttlattr;
	double created;
	struct bucket *part;
	int nparts;
};

static struct table **tables;
static size_t ntables;

static uint64_t
keyhash(const struct str *id, const struct str *fp)
{
	uint64_t h = fnv(FNV0, id->p, id->n);

	h = fnv(h ^ 0xff, fp->p, fp->n);
	return h ? h : 1;
}

/* The slot of the key: its record, or the empty slot it would go in. */
static struct rec **
store_slot(struct store *s, uint64_t h, const struct str *id,
	   const struct str *fp)
{
	size_t i = (size_t)h & (s->cap - 1);
	struct rec *r;

	while ((r = s->slot[i])) {
		if (r->h == h && r->idn == id->n && r->fpn == fp->n &&
		    !memcmp(r->s, id->p, id->n) &&
		    !memcmp(r->s + id->n, fp->p, fp->n))
			break;
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slot[i];
}

static void
store_init(struct store *s)
{
	s->cap = 1024;
	s->n = 0;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
}

static void
store_grow(struct store *s)
{
	struct rec **old = s->slot;
	size_t i, cap = s->cap, j;

	s->cap *= 2;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
	for (i = 0; i < cap; i++) {
		if (!old[i])
			continue;
		j = (size_t)old[i]->h & (s->cap - 1);
		while (s->slot[j])
			j = (j + 1) & (s->cap - 1);
		s->slot[j] = old[i];
	}
	free(old);
}

/* Empties slot (linear probing: the run after it moves back). */
static void
store_del(struct store *s, struct rec **slot)
{
	size_t i = (size_t)(slot - s->slot), j = i, k;

	free(s->slot[i]);
	s->slot[i] = NULL;
	s->n--;
	for (;;) {
		j = (j + 1) & (s->cap - 1);
		if (!s->slot[j])
			return;
		k = (size_t)s->slot[j]->h & (s->cap - 1);
		/* k cyclically in (i, j]: the entry may stay */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s->slot[i] = s->slot[j];
		s->slot[j] = NULL;
		i = j;
	}
}

static void
store_clear(struct store *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		free(s->slot[i]);
		s->slot[i] = NULL;
	}
	s->n = 0;
}

static struct table *
table_new(const char *name, size_t n)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->name = xstrndup(name, n);
	store_init(&t->items);
	t->created = (double)clock_wall_ms() / 1e3;
	t->nparts = pflag && capwcu > PARTWCU ? (int)ceil(capwcu / PARTWCU) :
		    1;
	t->part = xcalloc((size_t)t->nparts, sizeof *t->part);
	tables = xreallocarray(tables, ntables + 1, sizeof *tables);
	tables[ntables++] = t;
	return t;
}

/* The table called name; with make, in the any-name mode, it is made. */
static struct table *
table_get(const struct str *name, int make)
{
	size_t i;

	for (i = 0; i < ntables; i++)
		if (streq(name, tables[i]->name) &&
		    !tables[i]->name[name->n])
			return tables[i];
	if (make && anyname)
		return table_new(name->p, name->n);
	return NULL;
}

/* Spends wcu of the partition of eventId id; 0 when it has not enough. */
static int
spend(struct table *t, const struct str *id, unsigned wcu)
{
	struct bucket *b = t->part;
	double rate, max;

	if (!capwcu)
		return 1;
	if (t->nparts > 1)
		b += fnv(FNV0, id->p, id->n) % (uint64_t)t->nparts;
	rate = capwcu / t->nparts;
	max = rate * (burst > 1 ? burst : 1);
	if (!b->started) {
		b->started = 1;
		b->last = now;
		b->tok = zflag ? 0 : max;
	}
	b->tok += rate * (double)(now - b->last) / 1e9;
	if (b->tok > max)
		b->tok = max;
	b->last = now;
	if (b->tok < wcu)
		return 0;
	b->tok -= wcu;
	return 1;
}

/* --- a JSON reader: what DynamoDB's requests need --- */

struct jr {
	const char *p, *end;
	char *out;	/* decoded strings: room for the whole body */
	int bad;
	int depth;
};

/* The first validation error of the request being read. */
static struct buf vmsg = BUF_INIT;

static void
invalid(const char *msg)
{
	if (!vmsg.len)
		buf_adds(&vmsg, msg);
}

static int
jfail(struct jr *j)
{
	j->bad = 1;
	return 0;
}

/* The next byte after white space, or -1 at the end. */
static int
jws(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int
jeat(struct jr *j, int c)
{
	if (j->bad || jws(j) != c)
		return 0;
	j->p++;
	return 1;
}

static long
jhex4(struct jr *j, const char *q)
{
	long v = 0;
	int i, d;

	if (j->end - q < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = hex_digit((unsigned char)q[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static char *
utf8(char *o, long cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Reads a string into s: the bytes in the body when it has no escape,
 * else decoded into j->out (never longer than its JSON). */
static int
jstr(struct jr *j, struct str *s)
{
	const char *q;
	char *o;
	long cp, lo;

	if (j->bad || jws(j) != '"')
		return jfail(j);
	q = ++j->p;
	while (q < j->end && *q != '"' && *q != '\\' &&
	       (unsigned char)*q >= 0x20)
		q++;
	if (q < j->end && *q == '"') {
		s->p = j->p;
		s->n = (size_t)(q - j->p);
		j->p = q + 1;
		return 1;
	}
	o = j->out;
	memcpy(o, j->p, (size_t)(q - j->p));
	o += q - j->p;
	for (;;) {
		if (q >= j->end || (unsigned char)*q < 0x20)
			return jfail(j);
		if (*q == '"')
			break;
		if (*q != '\\') {
			*o++ = *q++;
			continue;
		}
		if (++q >= j->end)
			return jfail(j);
		switch (*q++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if ((cp = jhex4(j, q)) < 0)
				return jfail(j);
			q += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - q >= 6 &&
			    q[0] == '\\' && q[1] == 'u' &&
			    (lo = jhex4(j, q + 2)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				q += 6;
			}
			o = utf8(o, cp);
			break;
		default:
			return jfail(j);
		}
	}
	s->p = j->out;
	s->n = (size_t)(o - j->out);
	j->out = o;
	j->p = q + 1;
	return 1;
}

/* Object members: call after the '{'; each call reads "key": and leaves
 * the value to the caller; 0 at the '}' or on an error (j->bad). */
static int
jmember(struct jr *j, int *first, struct str *key)
{
	if (j->bad)
		return 0;
	if (jeat(j, '}'))
		return 0;
	if (!*first && !jeat(j, ','))
		return jfail(j);
	*first = 0;
	if (!jstr(j, key) || !jeat(j, ':'))
		return jfail(j);
	return 1;
}

/* Array elements: call after the '['; 1 when an element follows. */
static int
jelem(struct jr *j, int *first)
{
	if (j->bad)
		return 0;
	if (jeat(j, ']'))
		return 0;
	if (!*first && !jeat(j, ','))
		return jfail(j);
	*first = 0;
	return 1;
}

static int
jlit(struct jr *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return jfail(j);
	j->p += n;
	return 1;
}

/* Reads true or false into *v. */
static int
jbool(struct jr *j, int *v)
{
	int c = jws(j);

	*v = c == 't';
	return jlit(j, c == 't' ? "true" : "false");
}

static int
jnum(struct jr *j)
{
	const char *q = j->p;

	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return jfail(j);
	while (q < j->end && *q >= '0' && *q <= '9')
		q++;
	if (q < j->end && *q == '.') {
		if (++q >= j->end || *q < '0' || *q > '9')
			return jfail(j);
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		if (++q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return jfail(j);
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	j->p = q;
	return 1;
}

static int
jskip(struct jr *j)
{
	struct str k;
	int first = 1;

	switch (jws(j)) {
	case '"':
		return jstr(j, &k);
	case '{':
	case '[':
		if (++j->depth > 2 * MAXDEPTH)
			return jfail(j);
		if (*j->p++ == '{') {
			while (jmember(j, &first, &k))
				jskip(j);
		} else {
			while (jelem(j, &first))
				jskip(j);
		}
		j->depth--;
		return !j->bad;
	case 't':
		return jlit(j, "true");
	case 'f':
		return jlit(j, "false");
	case 'n':
		return jlit(j, "null");
	default:
		return jnum(j);
	}
}

/* The rest of the body is white space. */
static int
jend(struct jr *j)
{
	if (!j->bad && jws(j) != -1)
		jfail(j);
	return !j->bad;
}

/* --- attribute values and items --- */

/* A number as DynamoDB writes it: sign, digits, point, exponent. */
static int
numok(const struct str *s)
{
	const char *p = s->p, *e = s->p + s->n;
	int digits = 0, sig = 0, dots = 0, lead = 1;

	if (p < e && (*p == '-' || *p == '+'))
		p++;
	for (; p < e && ((*p >= '0' && *p <= '9') || *p == '.'); p++) {
		if (*p == '.') {
			dots++;
			continue;
		}
		digits++;
		if (*p != '0')
			lead = 0;
		if (!lead)
			sig++;
	}
	if (!digits || dots > 1)
		return 0;
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e)
			return 0;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p != e)
		return 0;
	if (sig > 38)
		invalid("Attempting to store more than 38 significant digits "
			"in a Number");
	return 1;
}

/* Bytes of a number as DynamoDB counts them: one per two significant
 * digits, one more, and one for a minus sign. */
static size_t
numsize(const struct str *s)
{
	const char *p = s->p, *e = s->p + s->n, *x;
	size_t sig = 0, zeros = 0;
	int lead = 1;

	x = memchr(p, 'e', s->n);
	if (!x)
		x = memchr(p, 'E', s->n);
	if (x)
		e = x;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (*p == '0' && lead)
			continue;
		lead = 0;
		if (*p == '0') {
			zeros++;
		} else {
			sig += zeros + 1;
			zeros = 0;
		}
	}
	if (!sig)
		return 1;
	return 1 + (sig + 1) / 2 + (s->n && s->p[0] == '-');
}

static size_t
b64size(const struct str *s)
{
	size_t n = s->n / 4 * 3;

	if (s->n >= 1 && s->p[s->n - 1] == '=')
		n--;
	if (s->n >= 2 && s->p[s->n - 2] == '=')
		n--;
	return n;
}

struct av {
	char t;		/* 'S', 'N', or 'X' for any other type */
	struct str v;	/* the S or N text */
};

static long avread(struct jr *j, struct av *a);

/* A set: an array of strings; its size. */
static long
setread(struct jr *j, int type)
{
	struct str s;
	int first = 1, n = 0;
	long size = 0;

	if (!jeat(j, '['))
		return jfail(j) - 1;
	while (jelem(j, &first) && jstr(j, &s)) {
		n++;
		if (type == 'N' && !numok(&s))
			invalid("A value provided cannot be converted into a "
				"number");
		size += (long)(type == 'N' ? numsize(&s) : type == 'B' ?
			       b64size(&s) : s.n);
	}
	if (!n && !j->bad)
		invalid("One or more parameter values were invalid: An number "
			"set  may not be empty");
	return size;
}

/* The members of an M or of an item: their size. */
static long
mapread(struct jr *j, int nested)
{
	struct str k;
	struct av a;
	int first = 1;
	long size = 0, v;

	if (!jeat(j, '{'))
		return jfail(j) - 1;
	while (jmember(j, &first, &k)) {
		if ((v = avread(j, &a)) < 0)
			return -1;
		size += (long)k.n + v + nested;
	}
	return j->bad ? -1 : size;
}

/* Reads one AttributeValue, {"T": value}, into a; returns its size in
 * bytes as DynamoDB counts it, or -1 on bad JSON (j->bad).  A value
 * DynamoDB refuses sets vmsg. */
static long
avread(struct jr *j, struct av *a)
{
	struct str t, s;
	struct av sub;
	int first = 1, efirst, n = 0, b;
	long size = 0, v;

	a->t = 'X';
	if (!jeat(j, '{') || ++j->depth > MAXDEPTH + 1) {
		if (j->depth > MAXDEPTH + 1)
			invalid("Nesting Levels have exceeded supported limits");
		return jfail(j) - 1;
	}
	while (jmember(j, &first, &t)) {
		n++;
		if (streq(&t, "S") || streq(&t, "N") || streq(&t, "B")) {
			if (!jstr(j, &s))
				break;
			if (t.p[0] == 'N' && !numok(&s))
				invalid("A value provided cannot be converted "
					"into a number");
			if (t.p[0] != 'B') {
				a->t = t.p[0];
				a->v = s;
			}
			size = (long)(t.p[0] == 'N' ? numsize(&s) :
				      t.p[0] == 'B' ? b64size(&s) : s.n);
		} else if (streq(&t, "BOOL")) {
			jbool(j, &b);
			size = 1;
		} else if (streq(&t, "NULL")) {
			if (jbool(j, &b) && !b)
				invalid("One or more parameter values were "
					"invalid: Null attribute value types "
					"must have the value of true");
			size = 1;
		} else if (streq(&t, "SS") || streq(&t, "NS") ||
			   streq(&t, "BS")) {
			size = setread(j, t.p[0]);
		} else if (streq(&t, "L")) {
			size = 3;
			efirst = 1;
			if (!jeat(j, '['))
				return jfail(j) - 1;
			while (jelem(j, &efirst)) {
				if ((v = avread(j, &sub)) < 0)
					return -1;
				size += 1 + v;
			}
		} else if (streq(&t, "M")) {
			size = 3 + mapread(j, 1);
		} else {
			n--;	/* not a type: DynamoDB ignores it */
			jskip(j);
		}
	}
	j->depth--;
	if (j->bad)
		return -1;
	if (n != 1) {
		invalid(n ? "Supplied AttributeValue has more than one "
			"datatypes set, must contain exactly one of the "
			"supported datatypes" : "Supplied AttributeValue is "
			"empty, must contain exactly one of the supported "
			"datatypes");
		a->t = 'X';
	}
	return size;
}

/* What the sink keeps of an item (or a key). */
struct item {
	struct av id, fp, etl, ttl;	/* t 0: no such attribute */
	int nattrs;
	long size;
};

static int
itemread(struct jr *j, struct item *it)
{
	struct str k;
	struct av a;
	int first = 1;
	long v;

	memset(it, 0, sizeof *it);
	if (!jeat(j, '{'))
		return jfail(j);
	while (jmember(j, &first, &k)) {
		if ((v = avread(j, &a)) < 0)
			return 0;
		it->size += (long)k.n + v;
		it->nattrs++;
		if (streq(&k, "eventId"))
			it->id = a;
		else if (streq(&k, "fingerprint"))
			it->fp = a;
		else if (streq(&k, "etlTime"))
			it->etl = a;
		else if (streq(&k, "ttl"))
			it->ttl = a;
	}
	return !j->bad;
}

static void
keymsg(const char *what, const struct av *a, const char *name, int batch)
{
	struct buf b = BUF_INIT;

	if (batch) {
		invalid("The provided key element does not match the schema");
		return;
	}
	if (!a->t)
		buf_printf(&b, "One or more parameter values were invalid: "
			   "Missing the key %s in the %s", name, what);
	else
		buf_printf(&b, "One or more parameter values were invalid: "
			   "Type mismatch for key %s expected: S actual: %s",
			   name, a->t == 'N' ? "N" : "another type");
	invalid(b.p);
	buf_free(&b);
}

/* Checks the key of an item (what "item") or of a Key ("key"). */
static void
keycheck(const struct item *it, const char *what, int batch)
{
	const struct av *a[2] = { &it->id, &it->fp };
	const char *name[2] = { "eventId", "fingerprint" };
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < 2; i++) {
		if (a[i]->t != 'S') {
			keymsg(what, a[i], name[i], batch);
			return;
		}
		if (!a[i]->v.n) {
			buf_printf(&b, "One or more parameter values are not "
				   "valid. The AttributeValue for a key "
				   "attribute cannot contain an empty string "
				   "value. Key: %s", name[i]);
			invalid(b.p);
			buf_free(&b);
			return;
		}
	}
	if (it->id.v.n > 2048)
		invalid("One or more parameter values were invalid: Size of "
			"hashkey has exceeded the maximum size limit of 2048 "
			"bytes");
	else if (it->fp.v.n > 1024)
		invalid("One or more parameter values were invalid: Aggregated "
			"size of all range keys has exceeded the size limit of "
			"1024 bytes");
	else if (!strcmp(what, "key") && it->nattrs != 2)
		invalid("The provided key element does not match the schema");
	else if (it->size > (long)MAXITEM)
		invalid("Item size has exceeded the maximum allowed size");
}

static unsigned
wcuof(const struct item *it)
{
	return it->size <= 1024 ? 1 : (unsigned)((it->size + 1023) / 1024);
}

/* Stores it (a checked item) in slot, replacing what is there. */
static void
store_put(struct store *s, struct rec **slot, uint64_t h,
	  const struct item *it)
{
	uint32_t etln = it->etl.t == 'N' ? (uint32_t)it->etl.v.n : 0;
	uint32_t ttln = it->ttl.t == 'N' ? (uint32_t)it->ttl.v.n : 0;
	struct rec *r;
	char *p;

	r = xmalloc(sizeof *r + it->id.v.n + it->fp.v.n + etln + ttln);
	r->h = h;
	r->idn = (uint32_t)it->id.v.n;
	r->fpn = (uint32_t)it->fp.v.n;
	r->etln = etln;
	r->ttln = ttln;
	p = r->s;
	memcpy(p, it->id.v.p, r->idn);
	memcpy(p += r->idn, it->fp.v.p, r->fpn);
	p += r->fpn;
	if (etln)
		memcpy(p, it->etl.v.p, etln);
	if (ttln)
		memcpy(p + etln, it->ttl.v.p, ttln);
	if (*slot) {
		free(*slot);
		*slot = r;
		return;
	}
	*slot = r;
	if (++s->n * 10 > s->cap * 7)
		store_grow(s);
}

/* --- condition expressions --- */

struct vals {
	struct str name[MAXVALS];
	struct av v[MAXVALS];
	char used[MAXVALS];
	int n;
	struct str nname[MAXVALS], nattr[MAXVALS];
	char nused[MAXVALS];
	int nn;
	int over;	/* more than MAXVALS: the condition is unknown */
};

enum { T_END, T_LP, T_RP, T_COMMA, T_CMP, T_NAME, T_HASH, T_VAL, T_OTHER };
enum { EQ, NE, LT, LE, GT, GE };

struct cx {
	const char *p, *end;
	int tok, cmp;
	struct str ts;		/* the token's text */
	const struct rec *old;
	struct vals *v;
	int unknown;
	struct str undef;	/* an undefined :value or #name */
};

/* An operand: kind 0 (no such attribute), 'S', 'N', or '?' (unknown). */
struct opnd {
	int kind;
	struct str s;
};

static int
isname(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static void
cnext(struct cx *x)
{
	const char *p = x->p;

	while (p < x->end && (*p == ' ' || *p == '\t' || *p == '\n' ||
			      *p == '\r'))
		p++;
	x->ts.p = p;
	if (p >= x->end) {
		x->tok = T_END;
		x->ts.n = 0;
		x->p = p;
		return;
	}
	x->tok = T_OTHER;
	switch (*p++) {
	case '(': x->tok = T_LP; break;
	case ')': x->tok = T_RP; break;
	case ',': x->tok = T_COMMA; break;
	case '=': x->tok = T_CMP; x->cmp = EQ; break;
	case '<':
		x->tok = T_CMP;
		x->cmp = LT;
		if (p < x->end && (*p == '=' || *p == '>')) {
			x->cmp = *p == '=' ? LE : NE;
			p++;
		}
		break;
	case '>':
		x->tok = T_CMP;
		x->cmp = GT;
		if (p < x->end && *p == '=') {
			x->cmp = GE;
			p++;
		}
		break;
	case '#':
	case ':':
		x->tok = p[-1] == '#' ? T_HASH : T_VAL;
		while (p < x->end && isname((unsigned char)*p))
			p++;
		break;
	default:
		if (!isname((unsigned char)p[-1]))
			break;
		x->tok = T_NAME;
		while (p < x->end && isname((unsigned char)*p))
			p++;
	}
	x->ts.n = (size_t)(p - x->ts.p);
	x->p = p;
}

static int
kw(const struct cx *x, const char *word)
{
	return x->tok == T_NAME && x->ts.n == strlen(word) &&
	       !strncasecmp(x->ts.p, word, x->ts.n);
}

static int
nextis(const struct cx *x, int c)
{
	const char *p = x->p;

	while (p < x->end && *p == ' ')
		p++;
	return p < x->end && *p == c;
}

static void
cskip(struct cx *x, int tok)
{
	if (x->tok == tok)
		cnext(x);
	else
		x->unknown = 1;
}

static void
undefined(struct cx *x, const struct str *s)
{
	if (!x->undef.n)
		x->undef = *s;
}

/* The stored attribute called name, or unknown. */
static void
attr(struct cx *x, const struct str *name, struct opnd *o)
{
	const struct rec *r = x->old;

	o->kind = 0;
	if (!r)
		return;
	if (streq(name, "eventId")) {
		o->kind = 'S';
		o->s.p = r->s;
		o->s.n = r->idn;
	} else if (streq(name, "fingerprint")) {
		o->kind = 'S';
		o->s.p = r->s + r->idn;
		o->s.n = r->fpn;
	} else if (streq(name, "etlTime")) {
		o->kind = r->etln ? 'N' : 0;
		o->s.p = r->s + r->idn + r->fpn;
		o->s.n = r->etln;
	} else if (streq(name, "ttl")) {
		o->kind = r->ttln ? 'N' : 0;
		o->s.p = r->s + r->idn + r->fpn + r->etln;
		o->s.n = r->ttln;
	} else {
		o->kind = '?';
	}
}

static int c_or(struct cx *x);

static void
operand(struct cx *x, struct opnd *o)
{
	struct opnd sub;
	int i;

	o->kind = '?';
	switch (x->tok) {
	case T_VAL:
		for (i = 0; i < x->v->n; i++)
			if (x->v->name[i].n == x->ts.n &&
			    !memcmp(x->v->name[i].p, x->ts.p, x->ts.n))
				break;
		if (i == x->v->n) {
			undefined(x, &x->ts);
		} else {
			x->v->used[i] = 1;
			if (x->v->v[i].t != 'X') {
				o->kind = x->v->v[i].t;
				o->s = x->v->v[i].v;
			}
		}
		cnext(x);
		break;
	case T_HASH:
		for (i = 0; i < x->v->nn; i++)
			if (x->v->nname[i].n == x->ts.n &&
			    !memcmp(x->v->nname[i].p, x->ts.p, x->ts.n))
				break;
		if (i == x->v->nn) {
			undefined(x, &x->ts);
		} else {
			x->v->nused[i] = 1;
			attr(x, &x->v->nattr[i], o);
		}
		cnext(x);
		break;
	case T_NAME:
		if (nextis(x, '(')) {	/* size(path) */
			cnext(x);
			cnext(x);
			operand(x, &sub);
			cskip(x, T_RP);
			x->unknown = 1;
			break;
		}
		attr(x, &x->ts, o);
		cnext(x);
		break;
	default:
		x->unknown = 1;
		if (x->tok != T_END)
			cnext(x);
		return;
	}
	if (x->tok == T_OTHER) {	/* a.b, a[0]: a path */
		x->unknown = 1;
		o->kind = '?';
	}
}

static int
numcmp(const struct str *a, const struct str *b)
{
	char ta[64], tb[64];
	double da, db;

	snprintf(ta, sizeof ta, "%.*s", (int)a->n, a->p);
	snprintf(tb, sizeof tb, "%.*s", (int)b->n, b->p);
	da = strtod(ta, NULL);
	db = strtod(tb, NULL);
	return da < db ? -1 : da > db;
}

static int
strcmp2(const struct str *a, const struct str *b)
{
	int r = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);

	return r ? r : a->n < b->n ? -1 : a->n > b->n;
}

static int
compare(struct cx *x, const struct opnd *a, int op, const struct opnd *b)
{
	int r;

	if (a->kind == '?' || b->kind == '?') {
		x->unknown = 1;
		return 0;
	}
	if (!a->kind || a->kind != b->kind)
		return op == NE;
	r = a->kind == 'N' ? numcmp(&a->s, &b->s) : strcmp2(&a->s, &b->s);
	switch (op) {
	case EQ: return r == 0;
	case NE: return r != 0;
	case LT: return r < 0;
	case LE: return r <= 0;
	case GT: return r > 0;
	default: return r >= 0;
	}
}

static int
c_prim(struct cx *x)
{
	struct opnd a, b, c;
	int v, exists;

	if (x->tok == T_LP) {
		cnext(x);
		v = c_or(x);
		cskip(x, T_RP);
		return v;
	}
	if (x->tok == T_NAME && nextis(x, '(') && !kw(x, "size")) {
		exists = kw(x, "attribute_exists") ? 1 :
			 kw(x, "attribute_not_exists") ? 0 : -1;
		cnext(x);
		cnext(x);
		operand(x, &a);
		while (x->tok == T_COMMA) {
			cnext(x);
			operand(x, &b);
		}
		cskip(x, T_RP);
		if (exists < 0 || a.kind == '?') {
			x->unknown = 1;
			return 0;
		}
		return exists ? a.kind != 0 : a.kind == 0;
	}
	operand(x, &a);
	if (x->tok == T_CMP) {
		v = x->cmp;
		cnext(x);
		operand(x, &b);
		return compare(x, &a, v, &b);
	}
	if (kw(x, "BETWEEN")) {
		cnext(x);
		operand(x, &b);
		if (!kw(x, "AND"))
			x->unknown = 1;
		cnext(x);
		operand(x, &c);
		return compare(x, &a, GE, &b) & compare(x, &a, LE, &c);
	}
	if (kw(x, "IN")) {
		cnext(x);
		cskip(x, T_LP);
		v = 0;
		do {
			if (x->tok == T_COMMA)
				cnext(x);
			operand(x, &b);
			v |= compare(x, &a, EQ, &b);
		} while (x->tok == T_COMMA);
		cskip(x, T_RP);
		return v;
	}
	x->unknown = 1;
	return 0;
}

static int
c_not(struct cx *x)
{
	if (kw(x, "NOT")) {
		cnext(x);
		return !c_not(x);
	}
	return c_prim(x);
}

static int
c_and(struct cx *x)
{
	int v = c_not(x);

	while (!x->unknown && kw(x, "AND")) {
		cnext(x);
		v = c_not(x) & v;
	}
	return v;
}

static int
c_or(struct cx *x)
{
	int v = c_and(x);

	while (!x->unknown && kw(x, "OR")) {
		cnext(x);
		v = c_and(x) | v;
	}
	return v;
}

/* Whether expr holds for old (NULL: no item): 1 (or unknown), 0, or -1
 * with vmsg set when the expression is refused. */
static int
condition(const struct str *expr, const struct rec *old, struct vals *v)
{
	struct cx x;
	struct buf b = BUF_INIT;
	int r, i;

	memset(&x, 0, sizeof x);
	x.p = expr->p;
	x.end = expr->p + expr->n;
	x.old = old;
	x.v = v;
	cnext(&x);
	if (x.tok == T_END) {
		invalid("Invalid ConditionExpression: The expression can not "
			"be empty;");
		return -1;
	}
	r = c_or(&x);
	if (x.tok != T_END)
		x.unknown = 1;
	if (x.undef.n) {
		buf_printf(&b, "Invalid ConditionExpression: An expression "
			   "attribute %s used in %s is not defined; attribute "
			   "%s: %.*s", x.undef.p[0] == ':' ? "value" : "name",
			   x.undef.p[0] == ':' ? "expression" :
			   "the document path", x.undef.p[0] == ':' ? "value" :
			   "name", (int)x.undef.n, x.undef.p);
		invalid(b.p);
		buf_free(&b);
		return -1;
	}
	if (x.unknown || v->over)
		return 1;
	for (i = 0; i < v->n; i++)
		if (!v->used[i]) {
			buf_printf(&b, "Value provided in "
				   "ExpressionAttributeValues unused in "
				   "expressions: keys: {%.*s}",
				   (int)v->name[i].n, v->name[i].p);
			invalid(b.p);
			buf_free(&b);
			return -1;
		}
	for (i = 0; i < v->nn; i++)
		if (!v->nused[i]) {
			buf_printf(&b, "Value provided in "
				   "ExpressionAttributeNames unused in "
				   "expressions: keys: {%.*s}",
				   (int)v->nname[i].n, v->nname[i].p);
			invalid(b.p);
			buf_free(&b);
			return -1;
		}
	return r;
}

static void
valsread(struct jr *j, struct vals *v)
{
	struct str k;
	int first = 1;

	if (!jeat(j, '{')) {
		jfail(j);
		return;
	}
	while (jmember(j, &first, &k)) {
		if (v->n == MAXVALS) {
			v->over = 1;
			jskip(j);
			continue;
		}
		v->name[v->n] = k;
		v->used[v->n] = 0;
		avread(j, &v->v[v->n++]);
	}
}

static void
namesread(struct jr *j, struct vals *v)
{
	struct str k, s;
	int first = 1;

	if (!jeat(j, '{')) {
		jfail(j);
		return;
	}
	while (jmember(j, &first, &k) && jstr(j, &s)) {
		if (v->nn == MAXVALS) {
			v->over = 1;
			continue;
		}
		v->nname[v->nn] = k;
		v->nattr[v->nn] = s;
		v->nused[v->nn++] = 0;
	}
}

/* --- answers --- */

/* The answer being made: the connection's output buffer, whose body
 * starts at obase (HEADROOM bytes for the header are kept before it). */
static struct buf *ob;
static size_t obase;
static int ocode;

static void
fail(int code, const char *type, const char *msg)
{
	ob->len = obase;
	ocode = code;
	buf_adds(ob, "{\"__type\":\"");
	buf_adds(ob, type);
	buf_addc(ob, '"');
	if (msg) {
		buf_adds(ob, ",\"message\":");
		jsonw_str(ob, msg, strlen(msg));
	}
	buf_addc(ob, '}');
	st.errors++;
}

static void
fail_validation(void)
{
	fail(400, VALIDATION, vmsg.p);
}

static void
fail_serialization(void)
{
	fail(400, NS_CORAL "SerializationException", NULL);
}

static void
fail_notfound(const struct str *name, int describe)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "Requested resource not found");
	if (describe)
		buf_printf(&b, ": Table: %.*s not found", (int)name->n,
			   name->p);
	fail(400, NS_DDB "ResourceNotFoundException", b.p);
	buf_free(&b);
}

static void
fail_throttled(void)
{
	fail(400, NS_DDB "ProvisionedThroughputExceededException", MSG_PTE);
	st.errors--;
	st.threq++;
}

static int
tablename_ok(const struct str *name, int given)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ok = 1;

	if (!given) {
		invalid("1 validation error detected: Value null at "
			"'tableName' failed to satisfy constraint: Member must "
			"not be null");
		return 0;
	}
	for (i = 0; i < name->n; i++)
		if (!isname((unsigned char)name->p[i]) && name->p[i] != '.' &&
		    name->p[i] != '-')
			ok = 0;
	if (ok && name->n >= 3 && name->n <= 255)
		return 1;
	buf_printf(&b, "1 validation error detected: Value '%.*s' at "
		   "'tableName' failed to satisfy constraint: %s",
		   (int)name->n, name->p, !ok ? "Member must satisfy regular "
		   "expression pattern: [a-zA-Z0-9_.-]+" : name->n < 3 ?
		   "Member must have length greater than or equal to 3" :
		   "Member must have length less than or equal to 255");
	invalid(b.p);
	buf_free(&b);
	return 0;
}

/* Reads {"TableName": ...} (other members skipped); 1, or 0 when the
 * answer is an error. */
static int
tablearg(struct jr *j, struct str *name, struct jr *ttlspec)
{
	struct str k;
	int first = 1, given = 0;

	if (!jeat(j, '{'))
		jfail(j);
	while (jmember(j, &first, &k)) {
		if (streq(&k, "TableName") && jws(j) == '"') {
			given = jstr(j, name);
		} else if (ttlspec && streq(&k, "TimeToLiveSpecification")) {
			*ttlspec = *j;
			jskip(j);
		} else {
			jskip(j);
		}
	}
	if (!jend(j)) {
		fail_serialization();
		return 0;
	}
	if (!tablename_ok(name, given)) {
		fail_validation();
		return 0;
	}
	return 1;
}

static void
tabledesc(const struct table *t, const char *status)
{
	buf_adds(ob, "{\"AttributeDefinitions\":["
		 "{\"AttributeName\":\"eventId\",\"AttributeType\":\"S\"},"
		 "{\"AttributeName\":\"fingerprint\",\"AttributeType\":\"S\"}"
		 "],");
	if (!capwcu)
		buf_adds(ob, "\"BillingModeSummary\":"
			 "{\"BillingMode\":\"PAY_PER_REQUEST\"},");
	buf_printf(ob, "\"CreationDateTime\":%.3f,\"ItemCount\":%zu,"
		   "\"KeySchema\":["
		   "{\"AttributeName\":\"eventId\",\"KeyType\":\"HASH\"},"
		   "{\"AttributeName\":\"fingerprint\",\"KeyType\":\"RANGE\"}"
		   "],\"ProvisionedThroughput\":{\"NumberOfDecreasesToday\":0,"
		   "\"ReadCapacityUnits\":%.0f,\"WriteCapacityUnits\":%.0f},"
		   "\"TableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:"
		   "table/", t->created, t->items.n, ceil(capwcu),
		   ceil(capwcu));
	buf_adds(ob, t->name);
	buf_adds(ob, "\",\"TableName\":");
	jsonw_str(ob, t->name, strlen(t->name));
	buf_adds(ob, ",\"TableSizeBytes\":0,\"TableStatus\":\"");
	buf_adds(ob, status);
	buf_adds(ob, "\"}");
}

static void
op_describe(struct jr *j)
{
	struct table *t;
	struct str name;

	if (!tablearg(j, &name, NULL))
		return;
	if (!(t = table_get(&name, 1))) {
		fail_notfound(&name, 1);
		return;
	}
	buf_adds(ob, "{\"Table\":");
	tabledesc(t, "ACTIVE");
	buf_addc(ob, '}');
}

/* Scan, as dynaput --describe asks it (Limit 1, Select COUNT): the count
 * of the one page, 1 when the table holds any item; no item is listed
 * and there is no next page. */
static void
op_scan(struct jr *j)
{
	struct table *t;
	struct str name;

	if (!tablearg(j, &name, NULL))
		return;
	if (!(t = table_get(&name, 1))) {
		fail_notfound(&name, 1);
		return;
	}
	buf_printf(ob, "{\"Count\":%d,\"ScannedCount\":%d}",
		   t->items.n > 0, t->items.n > 0);
}

/* Makes the table (the manifest's key whatever the request says); it is
 * ACTIVE at once, though the answer says CREATING as DynamoDB's does. */
static void
op_create(struct jr *j)
{
	struct table *t;
	struct str name;
	struct buf b = BUF_INIT;

	if (!tablearg(j, &name, NULL))
		return;
	if (table_get(&name, 0)) {
		buf_printf(&b, "Table already exists: %.*s", (int)name.n,
			   name.p);
		fail(400, NS_DDB "ResourceInUseException", b.p);
		buf_free(&b);
		return;
	}
	t = table_new(name.p, name.n);
	buf_adds(ob, "{\"TableDescription\":");
	tabledesc(t, "CREATING");
	buf_addc(ob, '}');
}

static void
op_updttl(struct jr *j)
{
	struct table *t;
	struct str name, k, a = { NULL, 0 };
	struct jr spec = { NULL, NULL, NULL, 1, 0 };
	int first = 1, on = -1;

	if (!tablearg(j, &name, &spec))
		return;
	spec.out = j->out;
	if (!spec.bad && jeat(&spec, '{'))
		while (jmember(&spec, &first, &k)) {
			if (streq(&k, "AttributeName") && jws(&spec) == '"')
				jstr(&spec, &a);
			else if (streq(&k, "Enabled") && jws(&spec) != '"')
				jbool(&spec, &on);
			else
				jskip(&spec);
		}
	if (spec.bad || on < 0 || !a.n) {
		invalid("1 validation error detected: Value null at "
			"'timeToLiveSpecification' failed to satisfy "
			"constraint: Member must not be null");
		fail_validation();
		return;
	}
	if (!(t = table_get(&name, 1))) {
		fail_notfound(&name, 0);
		return;
	}
	if (on == t->ttlon) {
		fail(400, VALIDATION, on ? "TimeToLive is already enabled" :
		     "TimeToLive is already disabled");
		return;
	}
	t->ttlon = on;
	free(t->ttlattr);
	t->ttlattr = xstrndup(a.p, a.n);
	buf_adds(ob, "{\"TimeToLiveSpecification\":{\"AttributeName\":");
	jsonw_str(ob, a.p, a.n);
	buf_adds(ob, on ? ",\"Enabled\":true}}" : ",\"Enabled\":false}}");
}

static void
op_descttl(struct jr *j)
{
	struct table *t;
	struct str name;

	if (!tablearg(j, &name, NULL))
		return;
	if (!(t = table_get(&name, 1))) {
		fail_notfound(&name, 0);
		return;
	}
	if (!t->ttlon) {
		buf_adds(ob, "{\"TimeToLiveDescription\":"
			 "{\"TimeToLiveStatus\":\"DISABLED\"}}");
		return;
	}
	buf_adds(ob, "{\"TimeToLiveDescription\":{\"AttributeName\":");
	jsonw_str(ob, t->ttlattr, strlen(t->ttlattr));
	buf_adds(ob, ",\"TimeToLiveStatus\":\"ENABLED\"}}");
}

static void
op_put(struct jr *j)
{
	struct str k, name = { NULL, 0 }, cond = { NULL, 0 };
	struct item it;
	struct vals v;
	struct table *t;
	struct rec **slot;
	uint64_t h;
	int first = 1, tgiven = 0, hasitem = 0, hascond = 0, ok;

	v.n = v.nn = v.over = 0;
	if (!jeat(j, '{'))
		jfail(j);
	while (jmember(j, &first, &k)) {
		if (streq(&k, "TableName") && jws(j) == '"') {
			tgiven = jstr(j, &name);
		} else if (streq(&k, "Item")) {
			hasitem = itemread(j, &it);
		} else if (streq(&k, "ConditionExpression") &&
			   jws(j) == '"') {
			hascond = jstr(j, &cond);
		} else if (streq(&k, "ExpressionAttributeValues")) {
			valsread(j, &v);
		} else if (streq(&k, "ExpressionAttributeNames")) {
			namesread(j, &v);
		} else {
			jskip(j);
		}
	}
	if (!jend(j)) {
		fail_serialization();
		return;
	}
	if (!tablename_ok(&name, tgiven) || vmsg.len) {
		fail_validation();
		return;
	}
	if (!hasitem) {
		invalid("1 validation error detected: Value null at 'item' "
			"failed to satisfy constraint: Member must not be "
			"null");
		fail_validation();
		return;
	}
	if (!hascond && (v.n || v.nn)) {
		invalid(v.n ? "ExpressionAttributeValues can only be specified "
			"when using expressions: ConditionExpression is null" :
			"ExpressionAttributeNames can only be specified when "
			"using expressions: ConditionExpression is null");
		fail_validation();
		return;
	}
	if (!(t = table_get(&name, 1))) {
		fail_notfound(&name, 0);
		return;
	}
	keycheck(&it, "item", 0);
	if (vmsg.len) {
		fail_validation();
		return;
	}
	h = keyhash(&it.id.v, &it.fp.v);
	slot = store_slot(&t->items, h, &it.id.v, &it.fp.v);
	ok = hascond ? condition(&cond, *slot, &v) : 1;
	if (ok < 0) {
		fail_validation();
		return;
	}
	if (!spend(t, &it.id.v, wcuof(&it))) {
		fail_throttled();
		count_throttled(1);
		return;
	}
	if (!ok) {
		fail(400, NS_DDB "ConditionalCheckFailedException",
		     "The conditional request failed");
		st.errors--;
		st.condfail++;
		return;
	}
	store_put(&t->items, slot, h, &it);
	count_written(1);
	buf_adds(ob, "{}");
}

struct wreq {
	struct table *t;
	struct str tname;
	int del;
	struct item it;
	const char *raw;	/* the WriteRequest as sent */
	size_t rawn;
	int done;		/* in the answer's UnprocessedItems */
};

/* Reads one WriteRequest into w. */
static void
wreqread(struct jr *j, struct wreq *w)
{
	struct str k, k2;
	int first = 1, first2, n = 0, got = 0;

	jws(j);
	w->raw = j->p;
	w->done = 0;
	if (!jeat(j, '{')) {
		jfail(j);
		return;
	}
	while (jmember(j, &first, &k)) {
		w->del = streq(&k, "DeleteRequest");
		if (!w->del && !streq(&k, "PutRequest")) {
			jskip(j);
			continue;
		}
		n++;
		first2 = 1;
		if (!jeat(j, '{'))
			jfail(j);
		while (jmember(j, &first2, &k2)) {
			if (streq(&k2, w->del ? "Key" : "Item"))
				got = itemread(j, &w->it);
			else
				jskip(j);
		}
	}
	w->rawn = (size_t)(j->p - w->raw);
	if (n != 1)
		invalid("Supplied AttributeValue has more than one datatypes "
			"set, must contain exactly one of the supported "
			"datatypes");
	else if (!got)
		invalid(w->del ? "1 validation error detected: Value null at "
			"'requestItems.1.member.deleteRequest.key' failed to "
			"satisfy constraint: Member must not be null" :
			"1 validation error detected: Value null at "
			"'requestItems.1.member.putRequest.item' failed to "
			"satisfy constraint: Member must not be null");
}

static void
op_batch(struct jr *j)
{
	static struct wreq w[MAXBATCH];
	struct str k, tname, missing = { NULL, 0 };
	struct table *t;
	struct rec **slot;
	uint64_t h;
	int first = 1, tfirst, efirst, n = 0, i, m, ntab, left = 0, ok;
	int some = 0;

	if (!jeat(j, '{'))
		jfail(j);
	while (jmember(j, &first, &k)) {
		if (!streq(&k, "RequestItems")) {
			jskip(j);
			continue;
		}
		some = 1;
		tfirst = 1;
		ntab = 0;
		if (!jeat(j, '{'))
			jfail(j);
		while (jmember(j, &tfirst, &tname)) {
			ntab++;
			efirst = 1;
			m = 0;
			t = NULL;
			if (tablename_ok(&tname, 1) &&
			    !(t = table_get(&tname, 1)) && !missing.n)
				missing = tname;
			if (!jeat(j, '['))
				jfail(j);
			while (jelem(j, &efirst)) {
				m++;
				if (n == MAXBATCH) {
					jskip(j);
					n++;
					continue;
				}
				if (n > MAXBATCH) {
					jskip(j);
					continue;
				}
				w[n].t = t;
				w[n].tname = tname;
				wreqread(j, &w[n++]);
			}
			if (!m)
				invalid("1 validation error detected: Value at "
					"'requestItems' failed to satisfy "
					"constraint: Map value must satisfy "
					"constraint: [Member must have length "
					"greater than or equal to 1]");
		}
		if (!ntab && !j->bad)
			invalid("1 validation error detected: Value at "
				"'requestItems' failed to satisfy constraint: "
				"Member must have length greater than or "
				"equal to 1");
	}
	if (!jend(j)) {
		fail_serialization();
		return;
	}
	if (!some)
		invalid("1 validation error detected: Value null at "
			"'requestItems' failed to satisfy constraint: Member "
			"must not be null");
	if (n > MAXBATCH)
		invalid("Too many items requested for the BatchWriteItem "
			"call");
	if (vmsg.len) {
		fail_validation();
		return;
	}
	if (missing.n) {
		fail_notfound(&missing, 0);
		return;
	}
	for (i = 0; i < n; i++)
		keycheck(&w[i].it, w[i].del ? "key" : "item", 1);
	for (i = 0; i < n && !vmsg.len; i++)
		for (m = 0; m < i; m++)
			if (w[m].t == w[i].t &&
			    w[m].it.id.v.n == w[i].it.id.v.n &&
			    w[m].it.fp.v.n == w[i].it.fp.v.n &&
			    !memcmp(w[m].it.id.v.p, w[i].it.id.v.p,
				    w[i].it.id.v.n) &&
			    !memcmp(w[m].it.fp.v.p, w[i].it.fp.v.p,
				    w[i].it.fp.v.n))
				invalid("Provided list of item keys contains "
					"duplicates");
	if (vmsg.len) {
		fail_validation();
		return;
	}
	for (i = 0; i < n; i++) {
		t = w[i].t;
		ok = spend(t, &w[i].it.id.v, w[i].del ? 1 : wcuof(&w[i].it));
		if (!ok) {
			w[i].t = NULL;	/* unprocessed */
			left++;
			continue;
		}
		h = keyhash(&w[i].it.id.v, &w[i].it.fp.v);
		slot = store_slot(&t->items, h, &w[i].it.id.v, &w[i].it.fp.v);
		if (!w[i].del) {
			store_put(&t->items, slot, h, &w[i].it);
			count_written(1);
		} else if (*slot) {
			store_del(&t->items, slot);
			st.deleted++;
		}
	}
	if (left)
		count_throttled((unsigned long long)left);
	if (left == n) {
		fail_throttled();
		return;
	}
	st.unprocessed += (unsigned long long)left;
	buf_adds(ob, "{\"UnprocessedItems\":{");
	for (i = 0, first = 1; i < n; i++) {
		if (w[i].t || w[i].done)
			continue;
		if (!first)
			buf_addc(ob, ',');
		first = 0;
		jsonw_str(ob, w[i].tname.p, w[i].tname.n);
		buf_adds(ob, ":[");
		for (m = i, efirst = 1; m < n; m++) {
			if (w[m].t || w[m].done ||
			    w[m].tname.n != w[i].tname.n ||
			    memcmp(w[m].tname.p, w[i].tname.p, w[i].tname.n))
				continue;
			if (!efirst)
				buf_addc(ob, ',');
			efirst = 0;
			buf_add(ob, w[m].raw, w[m].rawn);
			w[m].done = 1;
		}
		buf_addc(ob, ']');
	}
	buf_adds(ob, "}}");
}

/* Answers one DynamoDB request (target: its X-Amz-Target) into ob. */
static void
dynamo(const struct str *target, const char *body, size_t n)
{
	static struct buf scratch = BUF_INIT;
	static const char pfx[] = "DynamoDB_20120810.";
	struct str op = { NULL, 0 };
	struct jr j;
	int i;

	st.requests++;
	buf_reset(&vmsg);
	if (target->n > sizeof pfx - 1 &&
	    !memcmp(target->p, pfx, sizeof pfx - 1)) {
		op.p = target->p + sizeof pfx - 1;
		op.n = target->n - (sizeof pfx - 1);
	}
	for (i = 0; i < OP_OTHER; i++)
		if (streq(&op, opname[i]))
			break;
	st.byop[i]++;
	if (i == OP_OTHER) {
		fail(400, NS_CORAL "UnknownOperationException", NULL);
		return;
	}
	if (!n) {
		fail_serialization();
		return;
	}
	buf_reset(&scratch);
	buf_grow(&scratch, 2 * n);	/* UpdateTimeToLive reads one twice */
	memset(&j, 0, sizeof j);
	j.p = body;
	j.end = body + n;
	j.out = scratch.p;
	switch (i) {
	case OP_DESCRIBE: op_describe(&j); break;
	case OP_CREATE: op_create(&j); break;
	case OP_UPDTTL: op_updttl(&j); break;
	case OP_DESCTTL: op_descttl(&j); break;
	case OP_PUT: op_put(&j); break;
	case OP_BATCH: op_batch(&j); break;
	case OP_SCAN: op_scan(&j); break;
	}
	if (scratch.cap > KEEPBUF)
		buf_free(&scratch);
}

/* --- control --- */

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
stats(struct buf *b)
{
	unsigned long long keys = 0;
	long s, first;
	size_t i;
	int k;

	for (i = 0; i < ntables; i++)
		keys += tables[i]->items.n;
	series_to((long)((now - t0) / 1000000000));
	buf_printf(b, "{\"requests\":%llu,\"by_op\":{", st.requests);
	for (k = 0; k < NOPS; k++)
		buf_printf(b, "%s\"%s\":%llu", k ? "," : "", opname[k],
			   st.byop[k]);
	buf_printf(b, "},\"items_written\":%llu,\"items_deleted\":%llu,"
		   "\"conditional_failures\":%llu,\"throttled_requests\":%llu,"
		   "\"throttled_items\":%llu,\"unprocessed_items\":%llu,"
		   "\"errors\":%llu,\"distinct_keys\":%llu,\"tables\":%zu,"
		   "\"connections\":%llu,\"peak_connections\":%llu,"
		   "\"connections_accepted\":%llu,\"uptime_s\":%.3f,"
		   "\"cpu_s\":%.3f,", st.written, st.deleted, st.condfail,
		   st.threq, st.thitems, st.unprocessed, st.errors, keys,
		   ntables, nconns, st.peak, st.conns,
		   (double)(now - t0) / 1e9, cpu_s());
	first = ser_last - nseries + 1 > 0 ? ser_last - nseries + 1 : 0;
	buf_printf(b, "\"series\":{\"start_s\":%ld,\"items_written\":[",
		   first);
	for (s = first; s <= ser_last; s++)
		buf_printf(b, "%s%llu", s > first ? "," : "",
			   ser_w[s % nseries]);
	buf_adds(b, "],\"throttled_items\":[");
	for (s = first; s <= ser_last; s++)
		buf_printf(b, "%s%llu", s > first ? "," : "",
			   ser_t[s % nseries]);
	buf_adds(b, "]}}");
}

static void
dump(struct buf *b, const struct table *t)
{
	const struct rec *r;
	size_t i;

	for (i = 0; i < t->items.cap; i++) {
		if (!(r = t->items.slot[i]))
			continue;
		buf_adds(b, "{\"eventId\":");
		jsonw_str(b, r->s, r->idn);
		buf_adds(b, ",\"fingerprint\":");
		jsonw_str(b, r->s + r->idn, r->fpn);
		if (r->etln) {
			buf_adds(b, ",\"etlTime\":");
			buf_add(b, r->s + r->idn + r->fpn, r->etln);
		}
		if (r->ttln) {
			buf_adds(b, ",\"ttl\":");
			buf_add(b, r->s + r->idn + r->fpn + r->etln, r->ttln);
		}
		buf_adds(b, "}\n");
	}
}

static void
reset(void)
{
	size_t i;

	for (i = 0; i < ntables; i++) {
		store_clear(&tables[i]->items);
		memset(tables[i]->part, 0,
		       (size_t)tables[i]->nparts * sizeof *tables[i]->part);
	}
	memset(&st, 0, sizeof st);
	st.peak = nconns;
	memset(ser_w, 0, (size_t)nseries * sizeof *ser_w);
	memset(ser_t, 0, (size_t)nseries * sizeof *ser_t);
	t0 = now;
	ser_last = 0;
}

/* --- connections --- */

enum { C_READ, C_WAIT, C_WRITE };

struct conn {
	int fd;
	int state;
	struct buf in, out;
	size_t outoff;
	size_t scan;		/* where to look for the blank line */
	int hdone;		/* the header is read: below is set */
	size_t hlen, clen;
	size_t path, pathn, tgt, tgtn;	/* offsets in in */
	int get, post, close, expect, cont;
	int pollout;
	long hidx;		/* in the heap, or -1 */
	int64_t due;
	struct conn *next;	/* free list */
};

static int ep, lfd, paused;
static struct conn *freeconns;
static struct conn **heap;
static size_t nheap, capheap;

static void
hset(size_t i, struct conn *c)
{
	heap[i] = c;
	c->hidx = (long)i;
}

static void
hup(size_t i)
{
	struct conn *c = heap[i];

	while (i && heap[(i - 1) / 2]->due > c->due) {
		hset(i, heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	hset(i, c);
}

static void
hdown(size_t i)
{
	struct conn *c = heap[i];
	size_t k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= nheap)
			break;
		if (k + 1 < nheap && heap[k + 1]->due < heap[k]->due)
			k++;
		if (heap[k]->due >= c->due)
			break;
		hset(i, heap[k]);
		i = k;
	}
	hset(i, c);
}

static void
heap_add(struct conn *c)
{
	if (nheap == capheap) {
		capheap = capheap ? 2 * capheap : 64;
		heap = xreallocarray(heap, capheap, sizeof *heap);
	}
	heap[nheap] = c;
	c->hidx = (long)nheap++;
	hup(nheap - 1);
}

static void
heap_del(struct conn *c)
{
	size_t i = (size_t)c->hidx;
	struct conn *last = heap[--nheap];

	c->hidx = -1;
	if (i == nheap)
		return;
	hset(i, last);
	hup(i);
	hdown((size_t)last->hidx);
}

static void
setpollout(struct conn *c, int on)
{
	struct epoll_event ev;

	if (c->pollout == on)
		return;
	c->pollout = on;
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		die(EXIT_PARTIAL, "epoll_ctl:");
}

static void
resume_accept(void)
{
	struct epoll_event ev;

	if (!paused)
		return;
	paused = 0;
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die(EXIT_PARTIAL, "epoll_ctl:");
}

static void
conn_close(struct conn *c)
{
	if (c->hidx >= 0)
		heap_del(c);
	close(c->fd);
	c->fd = -1;
	nconns--;
	if (c->in.cap > KEEPBUF)
		buf_free(&c->in);
	if (c->out.cap > KEEPBUF)
		buf_free(&c->out);
	c->next = freeconns;
	freeconns = c;
	resume_accept();
}

/* Sends what c->out holds: 1 when all of it is out, 0 when the socket
 * is full (EPOLLOUT resumes), -1 when c is closed. */
static int
flush(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->out.len) {
		n = send(c->fd, c->out.p + c->outoff, c->out.len - c->outoff,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				setpollout(c, 1);
				return 0;
			}
			conn_close(c);
			return -1;
		}
		c->outoff += (size_t)n;
	}
	buf_reset(&c->out);
	c->outoff = 0;
	if (c->out.cap > KEEPBUF)
		buf_free(&c->out);
	setpollout(c, 0);
	return 1;
}

static void
begin(struct conn *c)
{
	ob = &c->out;
	buf_reset(ob);
	buf_grow(ob, HEADROOM);
	ob->len = obase = HEADROOM;
	ocode = 200;
}

/* Puts the header before the body made since begin. */
static void
finish(struct conn *c, const char *ctype)
{
	static unsigned long long reqid;
	char h[HEADROOM];
	int n;

	n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nx-amzn-RequestId: "
		     "DDBSINK%016llX\r\n%s\r\n", ocode, ocode == 200 ? "OK" :
		     ocode == 400 ? "Bad Request" : ocode == 404 ?
		     "Not Found" : ocode == 413 ? "Payload Too Large" :
		     "Error", ctype, c->out.len - obase, ++reqid,
		     c->close ? "Connection: close\r\n" : "");
	if (n < 0 || n >= HEADROOM)
		diex(EXIT_PARTIAL, "an answer's header too long");
	memcpy(c->out.p + HEADROOM - n, h, (size_t)n);
	c->outoff = HEADROOM - (size_t)n;
}

/* An answer to a request that cannot be read: then the connection ends. */
static void
refuse(struct conn *c, int code, const char *why)
{
	c->close = 1;
	begin(c);
	ocode = code;
	buf_adds(ob, why);
	buf_addc(ob, '\n');
	finish(c, "text/plain");
	c->state = C_WRITE;
}

static int
hname(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && !strncasecmp(p, name, n);
}

static int
hasword(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (!strncasecmp(p + i, w, k))
			return 1;
	return 0;
}

/* The CR LF CR LF that ends a header in p[0..n), or NULL. */
static char *
blankline(char *p, size_t n)
{
	char *q = p, *e = p + n;

	while (e - q >= 4 && (q = memchr(q, '\r', (size_t)(e - q - 3)))) {
		if (q[1] == '\n' && q[2] == '\r' && q[3] == '\n')
			return q;
		q++;
	}
	return NULL;
}

/* Reads the request line and headers: 1, 0 when more is needed, -1 when
 * the request was refused. */
static int
head(struct conn *c)
{
	char *p = c->in.p, *e, *line, *eol, *sp, *colon, *v, *ve;
	int http10, keep = 0;
	unsigned long long len;

	e = blankline(p + c->scan, c->in.len - c->scan);
	if (!e) {
		c->scan = c->in.len > 3 ? c->in.len - 3 : 0;
		if (c->in.len > MAXHEAD)
			return refuse(c, 400, "headers too long"), -1;
		return 0;
	}
	c->hlen = (size_t)(e + 4 - p);
	c->clen = 0;
	c->tgtn = c->pathn = 0;
	c->close = c->expect = c->cont = 0;
	eol = memchr(p, '\r', c->hlen);
	if (!(sp = memchr(p, ' ', (size_t)(eol - p))))
		return refuse(c, 400, "bad request line"), -1;
	c->get = sp - p == 3 && !memcmp(p, "GET", 3);
	c->post = sp - p == 4 && !memcmp(p, "POST", 4);
	c->path = (size_t)(sp + 1 - p);
	if (!(sp = memchr(sp + 1, ' ', (size_t)(eol - sp - 1))))
		return refuse(c, 400, "bad request line"), -1;
	c->pathn = (size_t)(sp - p) - c->path;
	if (eol - sp - 1 != 8 || memcmp(sp + 1, "HTTP/1.", 7))
		return refuse(c, 400, "not HTTP/1.x"), -1;
	http10 = sp[8] == '0';
	for (line = eol + 2; line < e + 2; line = eol + 2) {
		eol = memchr(line, '\r', (size_t)(e + 2 - line));
		if (!(colon = memchr(line, ':', (size_t)(eol - line))))
			return refuse(c, 400, "bad header"), -1;
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		     ve--)
			;
		if (hname(line, (size_t)(colon - line), "content-length")) {
			errno = 0;
			len = strtoull(v, &sp, 10);
			if (sp != ve || v == ve || errno)
				return refuse(c, 400, "bad Content-Length"),
				       -1;
			if (len > MAXBODY)
				return refuse(c, 413, "body too large"), -1;
			c->clen = (size_t)len;
		} else if (hname(line, (size_t)(colon - line),
				 "x-amz-target")) {
			c->tgt = (size_t)(v - p);
			c->tgtn = (size_t)(ve - v);
		} else if (hname(line, (size_t)(colon - line),
				 "connection")) {
			if (hasword(v, (size_t)(ve - v), "close"))
				c->close = 1;
			if (hasword(v, (size_t)(ve - v), "keep-alive"))
				keep = 1;
		} else if (hname(line, (size_t)(colon - line), "expect")) {
			c->expect = hasword(v, (size_t)(ve - v),
					    "100-continue");
		} else if (hname(line, (size_t)(colon - line),
				 "transfer-encoding")) {
			return refuse(c, 400, "only Content-Length bodies"),
			       -1;
		}
	}
	if (http10 && !keep)
		c->close = 1;
	return 1;
}

static void
control(struct conn *c)
{
	struct str path = { c->in.p + c->path, c->pathn };
	struct str tname;
	struct table *t;
	size_t i;

	begin(c);
	if (c->get && streq(&path, "/__sink/stats")) {
		stats(ob);
		buf_addc(ob, '\n');
		finish(c, "application/json");
	} else if (c->get && path.n >= 13 &&
		   !memcmp(path.p, "/__sink/items", 13) &&
		   (path.n == 13 || path.p[13] == '?')) {
		tname.p = NULL;
		if (path.n > 19 && !memcmp(path.p + 13, "?table=", 7)) {
			tname.p = path.p + 20;
			tname.n = path.n - 20;
		}
		for (i = 0; i < ntables; i++) {
			t = tables[i];
			if (!tname.p || (streq(&tname, t->name) &&
					 !t->name[tname.n]))
				dump(ob, t);
		}
		finish(c, "application/x-ndjson");
	} else if (c->post && streq(&path, "/__sink/reset")) {
		reset();
		buf_adds(ob, "{}\n");
		finish(c, "application/json");
	} else if (c->get) {
		buf_adds(ob, "healthy: dynamodb.us-east-1.amazonaws.com ");
		finish(c, "text/plain");
	} else {
		ocode = 404;
		buf_adds(ob, "<UnknownOperationException/>\n");
		finish(c, "text/plain");
	}
	c->state = C_WRITE;
}

/* Answers the request c has read whole; a DynamoDB one waits for its
 * latency. */
static void
request(struct conn *c)
{
	struct str tgt = { c->in.p + c->tgt, c->tgtn };
	int64_t d;

	if (!c->post || (c->pathn >= 8 &&
			 !memcmp(c->in.p + c->path, "/__sink/", 8))) {
		control(c);
		return;
	}
	begin(c);
	dynamo(&tgt, c->in.p + c->hlen, c->clen);
	finish(c, "application/x-amz-json-1.0");
	d = lat_ns;
	if (jit_ns)
		d += (int64_t)(rand64() % (uint64_t)(2 * jit_ns + 1)) -
		     jit_ns;
	if (d <= 0) {
		c->state = C_WRITE;
		return;
	}
	c->state = C_WAIT;
	c->due = now + d;
	heap_add(c);
}

/* Handles what c has read, as long as it can answer at once. */
static void
serve(struct conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	int r;

	while (c->state == C_READ) {
		if (!c->hdone) {
			if ((r = head(c)) == 0)
				return;
			if (r > 0)
				c->hdone = 1;
		}
		if (c->hdone) {
			if (c->in.len < c->hlen + c->clen) {
				if (c->expect && !c->cont) {
					c->cont = 1;
					if (send(c->fd, cont, sizeof cont - 1,
						 MSG_NOSIGNAL) !=
					    sizeof cont - 1) {
						conn_close(c);
						return;
					}
				}
				return;
			}
			request(c);
		}
		if (c->state == C_WAIT)
			return;
		r = flush(c);
		if (r <= 0)
			return;
		if (c->close) {
			conn_close(c);
			return;
		}
		if (c->hdone)
			buf_consume(&c->in, c->hlen + c->clen);
		c->hdone = 0;
		c->scan = 0;
		c->state = C_READ;
	}
}

/* The answer of c is out: on to its next request, or its end. */
static void
sent(struct conn *c)
{
	if (c->close) {
		conn_close(c);
		return;
	}
	buf_consume(&c->in, c->hlen + c->clen);
	c->hdone = 0;
	c->scan = 0;
	c->state = C_READ;
	if (c->in.cap > KEEPBUF && !c->in.len)
		buf_free(&c->in);
	serve(c);
}

static void
readable(struct conn *c)
{
	size_t want = READSZ;
	ssize_t n;

	if (c->hdone && c->hlen + c->clen > c->in.len + want)
		want = c->hlen + c->clen - c->in.len;
	buf_grow(&c->in, want);
	n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->in.len += (size_t)n;
	c->in.p[c->in.len] = '\0';
	if (c->in.len > MAXHEAD + MAXBODY) {
		conn_close(c);
		return;
	}
	if (c->state == C_READ)
		serve(c);
}

static void
acceptall(void)
{
	struct epoll_event ev;
	struct conn *c;
	int fd, one = 1;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* until a connection ends */
				warn("accept:");
				epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
				paused = 1;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				warn("accept:");
			}
			return;
		}
		fcntl(fd, F_SETFL, O_NONBLOCK);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if ((c = freeconns))
			freeconns = c->next;
		else
			c = xcalloc(1, sizeof *c);
		c->fd = fd;
		c->state = C_READ;
		buf_reset(&c->in);
		buf_reset(&c->out);
		c->outoff = c->scan = 0;
		c->hdone = c->close = c->pollout = 0;
		c->hlen = c->clen = 0;
		c->hidx = -1;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			die(EXIT_PARTIAL, "epoll_ctl:");
		st.conns++;
		if (++nconns > st.peak)
			st.peak = nconns;
	}
}

static void
loop(const sigset_t *mask)
{
	struct epoll_event ev[NEV];
	struct conn *c;
	int64_t d;
	int n, i, timeout;

	while (!gotsig) {
		timeout = -1;
		if (nheap) {
			d = heap[0]->due - clock_ns();
			timeout = d <= 0 ? 0 : (int)((d + 999999) / 1000000);
		}
		n = epoll_pwait(ep, ev, NEV, timeout, mask);
		if (n < 0 && errno != EINTR)
			die(EXIT_PARTIAL, "epoll_wait:");
		now = clock_ns();
		for (i = 0; i < n; i++) {
			if (!(c = ev[i].data.ptr)) {
				acceptall();
				continue;
			}
			if (c->fd < 0)
				continue;
			if ((ev[i].events & EPOLLOUT) && c->out.len &&
			    flush(c) > 0 && c->state == C_WRITE) {
				sent(c);
				continue;
			}
			if (c->fd >= 0 &&
			    (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				readable(c);
		}
		while (nheap && heap[0]->due <= now) {
			c = heap[0];
			heap_del(c);
			c->state = C_WRITE;
			if (flush(c) > 0)
				sent(c);
		}
	}
}

/* --- set-up --- */

static void
usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s [-PZ] [-b seconds] [-c wcu] [-J ms] [-l ms] "
		"[-p port] [-s seconds] [-t table ...]\n", err_prog());
	if (!status && fshut(stdout, "stdout"))
		exit(EXIT_PARTIAL);
	exit(status);
}

static double
number(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= min) || !(v <= max))
		diex(EXIT_USAGE, "%s: %s: not a number from %g to %g", opt, s,
		     min, max);
	return v;
}

static long
integer(const char *opt, const char *s, long min, long max)
{
	double v = number(opt, s, (double)min, (double)max);

	if (v != floor(v))
		diex(EXIT_USAGE, "%s: %s: not a whole number", opt, s);
	return (long)v;
}

static void
onsig(int sig)
{
	gotsig = sig;
}

static void
listen_on(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	struct epoll_event ev;
	int one = 1;

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
			  SOCK_CLOEXEC, 0)) < 0)
		die(EXIT_PARTIAL, "socket:");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die(EXIT_USAGE, "127.0.0.1:%d:", port);
	if (listen(lfd, SOMAXCONN) < 0)
		die(EXIT_PARTIAL, "listen:");
	if (!port) {
		if (getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
			die(EXIT_PARTIAL, "getsockname:");
		printf("%d\n", ntohs(sa.sin_port));
		if (fflush(stdout) == EOF)
			die(EXIT_PARTIAL, "stdout:");
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die(EXIT_PARTIAL, "epoll_create1:");
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die(EXIT_PARTIAL, "epoll_ctl:");
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct rlimit rl;
	sigset_t block, old;
	struct buf out = BUF_INIT;
	const char *names[64];
	int c, nnames = 0, i;

	err_setprog(argv[0]);
	while ((c = getopt(argc, argv, "b:c:hJ:l:Pp:s:t:Z")) != -1) {
		switch (c) {
		case 'b': burst = number("-b", optarg, 0, 1e6); break;
		case 'c': capwcu = number("-c", optarg, 0, 1e9); break;
		case 'h': usage(EXIT_OK); break;
		case 'J':
			jit_ns = (int64_t)(number("-J", optarg, 0, 3600e3) *
					   1e6);
			break;
		case 'l':
			lat_ns = (int64_t)(number("-l", optarg, 0, 3600e3) *
					   1e6);
			break;
		case 'P': pflag = 1; break;
		case 'p': port = (int)integer("-p", optarg, 0, 65535); break;
		case 's': nseries = integer("-s", optarg, 1, 1000000); break;
		case 't':
			if (nnames == 64)
				diex(EXIT_USAGE, "-t: more than 64 tables");
			names[nnames++] = optarg;
			break;
		case 'Z': zflag = 1; break;
		default: usage(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage(EXIT_USAGE);
	for (i = 0; i < nnames; i++) {
		struct str s = { names[i], strlen(names[i]) };

		if (!tablename_ok(&s, 1))
			diex(EXIT_USAGE, "-t %s: %s", names[i], vmsg.p);
		if (!table_get(&s, 0))
			table_new(s.p, s.n);
	}
	anyname = !nnames;
	ser_w = xcalloc((size_t)nseries, sizeof *ser_w);
	ser_t = xcalloc((size_t)nseries, sizeof *ser_t);
	t0 = now = clock_ns();
	rng ^= (uint64_t)t0 ^ ((uint64_t)getpid() << 32);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigdelset(&old, SIGINT);
	sigdelset(&old, SIGTERM);

	listen_on();
	loop(&old);

	now = clock_ns();
	stats(&out);
	buf_addc(&out, '\n');
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	if (fshut(stdout, "stdout"))
		return EXIT_PARTIAL;
	return gotsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
}
