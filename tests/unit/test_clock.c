/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "clock.h"
#include "unit.h"

int
main(void)
{
	struct timespec nap = { 0, 20 * 1000000 };
	int64_t ns, ms, wall;
	double w;
	time_t t;

	ns = clock_ns();
	ms = clock_ms();
	CHECK(ns > 0 && ms >= ns / 1000000 && ms - ns / 1000000 < 1000,
	      "ns %lld ms %lld", (long long)ns, (long long)ms);
	nanosleep(&nap, NULL);
	CHECK(clock_ns() - ns >= 20 * 1000000, "monotonic: 20 ms passed");
	CHECK(clock_ms() - ms >= 20, "ms: 20 passed");
	t = time(NULL);
	wall = clock_wall_ms();
	w = clock_wall();
	CHECK(wall / 1000 >= t - 1 && wall / 1000 <= t + 1,
	      "wall ms %lld, time %lld", (long long)wall, (long long)t);
	CHECK(w >= (double)wall / 1000 - 1 && w <= (double)wall / 1000 + 1,
	      "wall %f", w);
	return unit_end("clock");
}
