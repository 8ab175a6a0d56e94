/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "ring.h"
#include "xalloc.h"

void
ring_init(struct ring *r, size_t cap)
{
	size_t n = 2;

	while (n < cap)
		n *= 2;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->mask = n - 1;
	r->v = xcalloc(n, sizeof *r->v);
}

void
ring_free(struct ring *r)
{
	free(r->v);
	r->v = NULL;
}

int
ring_push(struct ring *r, void *p)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (t - h > r->mask)
		return -1;
	r->v[t & r->mask] = p;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 0;
}

void *
ring_pop(struct ring *r)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	void *p;

	if (h == t)
		return NULL;
	p = r->v[h & r->mask];
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return p;
}

size_t
ring_len(struct ring *r)
{
	return atomic_load(&r->tail) - atomic_load(&r->head);
}
