/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "keyset.h"
#include "xalloc.h"

struct slot {
	const char *k;		/* NULL: empty */
	size_t n;
	uint64_t h;
	void *v;
};

struct keyset {
	struct slot *t;
	size_t cap;		/* a power of two */
	size_t len;
};

/* FNV-1a, then a final mix so the low bits depend on every byte */
static uint64_t
hash(const char *k, size_t n)
{
	uint64_t h = fnv1a(k, n);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

struct keyset *
keyset_new(void)
{
	struct keyset *s = xcalloc(1, sizeof *s);

	s->cap = 64;
	s->t = xcalloc(s->cap, sizeof *s->t);
	return s;
}

void
keyset_free(struct keyset *s)
{
	if (!s)
		return;
	free(s->t);
	free(s);
}

static size_t
find(const struct keyset *s, const char *k, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->t[i].k && !(s->t[i].h == h && s->t[i].n == n &&
			      !memcmp(s->t[i].k, k, n)))
		i = (i + 1) & (s->cap - 1);
	return i;
}

void *
keyset_get(const struct keyset *s, const char *k, size_t n)
{
	size_t i = find(s, k, n, hash(k, n));

	return s->t[i].k ? s->t[i].v : NULL;
}

static void
grow(struct keyset *s)
{
	struct slot *old = s->t;
	size_t oldcap = s->cap, i, j;

	s->cap *= 2;
	s->t = xcalloc(s->cap, sizeof *s->t);
	for (i = 0; i < oldcap; i++) {
		if (!old[i].k)
			continue;
		j = (size_t)old[i].h & (s->cap - 1);
		while (s->t[j].k)
			j = (j + 1) & (s->cap - 1);
		s->t[j] = old[i];
	}
	free(old);
}

void
keyset_put(struct keyset *s, const char *k, size_t n, void *v)
{
	uint64_t h = hash(k, n);
	size_t i;

	if (2 * (s->len + 1) > s->cap)
		grow(s);
	i = find(s, k, n, h);
	if (!s->t[i].k) {
		s->t[i].k = k;
		s->t[i].n = n;
		s->t[i].h = h;
		s->len++;
	}
	s->t[i].v = v;
}

void
keyset_del(struct keyset *s, const char *k, size_t n)
{
	size_t i = find(s, k, n, hash(k, n)), j, home, mask = s->cap - 1;

	if (!s->t[i].k)
		return;
	s->len--;
	/* shift back each later entry of the run that may move into i */
	for (j = (i + 1) & mask; s->t[j].k; j = (j + 1) & mask) {
		home = (size_t)s->t[j].h & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->t[i] = s->t[j];
			i = j;
		}
	}
	s->t[i].k = NULL;
}

size_t
keyset_len(const struct keyset *s)
{
	return s->len;
}
