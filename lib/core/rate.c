/* SPDX-License-Identifier: MIT */
#include "rate.h"

#define NS 1000000000.0

void
rate_init(struct rate *r, double max, int win0, int winmax, int64_t now)
{
	r->max = max > 0 ? max : 0;
	r->tokens = r->max > 0 ? 1 : 0;
	r->last = now;
	r->winmax = winmax > 0 ? winmax : 1;
	r->winmin = win0 < 1 ? 1 : win0 > r->winmax ? r->winmax : win0;
	r->win = r->winmin;
	r->slow = 1;
	r->far = 0;
	r->round = 0;
	r->sent = r->answers = r->throttled = r->nlat = r->full = 0;
	r->latsum = 0;
	r->lat = r->floor = r->floor_cur = r->floor_prev = 0;
	r->floor_at = now;
	r->calm_at = now - (int64_t)(RATE_CALM_S * NS) - 1;
	r->rounds = r->cuts = 0;
}

int
rate_room(const struct rate *r, int inflight)
{
	return inflight < rate_window(r);
}

int64_t
rate_delay(struct rate *r, int64_t now)
{
	double burst;

	if (r->max <= 0)
		return 0;
	if (now > r->last) {
		burst = r->max * RATE_BURST_S;
		if (burst < 1)
			burst = 1;
		r->tokens += r->max * (double)(now - r->last) / NS;
		if (r->tokens > burst)
			r->tokens = burst;
		r->last = now;
	}
	if (r->tokens > 0)
		return 0;
	return (int64_t)((-r->tokens + 1e-9) / r->max * NS) + 1;
}

unsigned
rate_take(struct rate *r, double n, int inflight)
{
	if (r->max > 0)
		r->tokens -= n;
	r->sent++;
	if (inflight + 1 >= rate_window(r))
		r->full = 1;
	return r->round;
}

/* The floor: the least round mean of this period and the last. */
static void
floor_add(struct rate *r, double lat, int64_t now)
{
	if (now - r->floor_at >= (int64_t)(RATE_FLOOR_S * NS)) {
		r->floor_prev = r->floor_cur;
		r->floor_cur = 0;
		r->floor_at = now;
	}
	if (!r->floor_cur || lat < r->floor_cur)
		r->floor_cur = lat;
	r->floor = r->floor_cur;
	if (r->floor_prev && r->floor_prev < r->floor)
		r->floor = r->floor_prev;
}

static void
cut(struct rate *r, double to)
{
	if (to < 1)
		to = 1;
	if (to < r->win) {
		r->win = to;
		r->cuts++;
	}
}

/* sqrt, without libm: Newton's method, from above */
static double
root(double x)
{
	double y = x > 1 ? x : 1, z;

	while ((z = (y + x / y) / 2) < y)
		y = z;
	return y;
}

static void
grow(struct rate *r, int64_t now)
{
	if (!r->full)
		return;		/* unused room tells nothing */
	if (r->slow)
		r->win *= 2;
	else if (now - r->calm_at < (int64_t)(RATE_CALM_S * NS))
		r->win += RATE_CALM_INC;
	else
		r->win += root(r->win);
	if (r->win > r->winmax)
		r->win = r->winmax;
}

/* By latency alone: grow near the floor, shrink well above it. */
static void
by_latency(struct rate *r, int64_t now)
{
	double near = r->floor * RATE_NEAR + RATE_SLACK_NS;
	double far = r->floor * RATE_FAR + 2 * RATE_SLACK_NS;
	double to;

	if (r->lat <= near) {
		r->far = 0;
		grow(r, now);
		return;
	}
	r->slow = 0;
	if (r->lat <= far) {
		r->far = 0;
		return;
	}
	/* a round alone may be a stall of ours (the machine busy with
	 * something else): two in a row are a queue */
	if (++r->far < 2)
		return;
	to = r->win * near / r->lat;
	if (to < r->win / 2)
		to = r->win / 2;
	if (to < r->winmin)
		to = r->winmin;
	cut(r, to);
}

static void
endround(struct rate *r, int64_t now)
{
	double f, c;

	r->rounds++;
	if (r->nlat) {
		r->lat = r->latsum / r->nlat;
		floor_add(r, r->lat, now);
	}
	if (r->throttled) {
		f = (double)r->throttled / r->answers;
		c = f / 2 < RATE_CUT_MIN ? RATE_CUT_MIN : f / 2;
		cut(r, r->win * (1 - c));
		r->slow = 0;
		r->calm_at = now;
	} else if (r->nlat) {
		by_latency(r, now);
	}
	r->round++;
	r->sent = r->answers = r->throttled = r->nlat = r->full = 0;
	r->latsum = 0;
}

/* An answer to a request of ticket: the round ends once half of what it
 * sent (at most a window) has been answered. */
static void
answer(struct rate *r, int64_t now)
{
	int need = r->sent < rate_window(r) ? r->sent : rate_window(r);

	r->answers++;
	if (r->answers >= (need + 1) / 2)
		endround(r, now);
}

void
rate_ok(struct rate *r, unsigned ticket, int64_t lat_ns, int64_t now)
{
	if (ticket != r->round)
		return;
	if (lat_ns >= 0) {
		r->latsum += (double)lat_ns;
		r->nlat++;
	}
	answer(r, now);
}

void
rate_throttled(struct rate *r, unsigned ticket, int64_t now)
{
	if (ticket != r->round)
		return;
	r->throttled++;
	answer(r, now);
}

int
rate_window(const struct rate *r)
{
	return (int)r->win;
}
