/* SPDX-License-Identifier: MIT */
/*
 * A bounded queue of pointers from one thread to one other (single
 * producer, single consumer), without locks: the producer only moves the
 * tail and the consumer only the head, each publishing with release and
 * reading the other's with acquire.
 */
#ifndef RING_H
#define RING_H

#include <stdatomic.h>
#include <stddef.h>

struct ring {
	_Atomic size_t head;	/* the consumer's */
	_Atomic size_t tail;	/* the producer's */
	size_t mask;
	void **v;
};

/* cap: rounded up to a power of two */
void ring_init(struct ring *r, size_t cap);
void ring_free(struct ring *r);
/* Producer: 0, or -1 when the ring is full. */
int ring_push(struct ring *r, void *p);
/* Consumer: the oldest pointer, or NULL when the ring is empty. */
void *ring_pop(struct ring *r);
/* Either side: a moment's view of the count. */
size_t ring_len(struct ring *r);

#endif
