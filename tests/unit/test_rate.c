/* SPDX-License-Identifier: MIT */
#include "rate.h"
#include "unit.h"

#define S 1000000000LL

static void
test_window(void)
{
	struct rate r;
	unsigned e1, e2;
	int i;

	rate_init(&r, 0, 64, 0);
	CHECK(rate_window(&r) == 64 && rate_room(&r, 63) && !rate_room(&r, 64),
	      "window %d", rate_window(&r));
	CHECK(rate_delay(&r, 5 * S) == 0, "no cap, no delay");
	e1 = rate_take(&r, 1);
	e2 = rate_take(&r, 1);
	rate_throttled(&r, e1);
	CHECK(rate_window(&r) == 32, "halved: %d", rate_window(&r));
	/* e2 was sent before the decrease: the same round, no new cut */
	rate_throttled(&r, e2);
	CHECK(rate_window(&r) == 32, "once a round: %d", rate_window(&r));
	e1 = rate_take(&r, 1);
	rate_throttled(&r, e1);
	CHECK(rate_window(&r) == 16, "next round: %d", rate_window(&r));
	for (i = 0; i < 10; i++)
		rate_throttled(&r, rate_take(&r, 1));
	CHECK(rate_window(&r) == 1, "floor 1: %d", rate_window(&r));
	/* additive increase: a window's worth of successes adds one */
	for (i = 0; i < 1 + 2 + 3; i++)
		rate_ok(&r, 1);
	CHECK(rate_window(&r) >= 3 && rate_window(&r) <= 4, "grew to %d",
	      rate_window(&r));
	for (i = 0; i < 100000; i++)
		rate_ok(&r, 1);
	CHECK(rate_window(&r) == 64, "back to the cap: %d", rate_window(&r));
}

static void
test_bucket(void)
{
	struct rate r;
	long long t = 0, sent = 0;
	unsigned e;
	int i;

	rate_init(&r, 1000, 8, 0);
	/* ten seconds of asking as fast as allowed: about 1000/s */
	for (t = 0; t < 10 * S; t += S / 10000)
		if (rate_delay(&r, t) == 0) {
			rate_take(&r, 1);
			sent++;
		}
	CHECK(sent >= 9900 && sent <= 10100, "sent %lld in 10 s", sent);
	/* a batch of 25 may borrow; the next waits it off */
	rate_init(&r, 100, 8, 0);
	CHECK(rate_delay(&r, 0) == 0, "first");
	rate_take(&r, 25);
	CHECK(rate_delay(&r, 0) > S / 5, "wait %lld",
	      (long long)rate_delay(&r, 0));
	/* throttled: the rate halves, then climbs back */
	rate_init(&r, 1000, 8, 0);
	e = rate_take(&r, 1);
	rate_throttled(&r, e);
	CHECK(r.cur == 500, "halved to %g", r.cur);
	for (i = 0; i < 20000; i++)
		rate_ok(&r, 1);
	CHECK(r.cur == 1000, "recovered to %g", r.cur);
}

int
main(void)
{
	test_window();
	test_bucket();
	return unit_end("rate");
}
