/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdint.h>

#include "ring.h"
#include "unit.h"

#define N 1000000

static struct ring r;

static void *
producer(void *arg)
{
	uintptr_t i;

	(void)arg;
	for (i = 1; i <= N; i++)
		while (ring_push(&r, (void *)i) < 0)
			;
	return NULL;
}

int
main(void)
{
	pthread_t t;
	uintptr_t want = 1, got;
	int bad = 0, i;

	ring_init(&r, 5);
	CHECK(r.mask == 7, "rounded to 8: %zu", r.mask + 1);
	for (i = 0; i < 8; i++)
		CHECK(ring_push(&r, &r) == 0, "push %d", i);
	CHECK(ring_push(&r, &r) < 0 && ring_len(&r) == 8, "full");
	for (i = 0; i < 8; i++)
		ring_pop(&r);
	CHECK(!ring_pop(&r) && ring_len(&r) == 0, "empty");
	/* two threads: every pointer once, in order */
	pthread_create(&t, NULL, producer, NULL);
	while (want <= N) {
		if (!(got = (uintptr_t)ring_pop(&r)))
			continue;
		bad += got != want;
		want++;
	}
	pthread_join(t, NULL);
	CHECK(!bad, "%d out of order", bad);
	ring_free(&r);
	return unit_end("ring");
}
