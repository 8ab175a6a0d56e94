/* SPDX-License-Identifier: MIT */
#include "rate.h"

#define NS 1000000000.0
#define BURST_S 0.05		/* tokens saved up at most: 50 ms worth */

void
rate_init(struct rate *r, double max, int winmax, int64_t now)
{
	r->max = max > 0 ? max : 0;
	r->cur = r->max;
	r->tokens = r->max > 0 ? 1 : 0;
	r->last = now;
	r->winmax = winmax > 0 ? winmax : 1;
	r->win = r->winmax;
	r->epoch = 0;
	r->decreases = 0;
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
		burst = r->cur * BURST_S;
		if (burst < 1)
			burst = 1;
		r->tokens += r->cur * (double)(now - r->last) / NS;
		if (r->tokens > burst)
			r->tokens = burst;
		r->last = now;
	}
	if (r->tokens > 0)
		return 0;
	return (int64_t)((-r->tokens + 1e-9) / r->cur * NS) + 1;
}

unsigned
rate_take(struct rate *r, double n)
{
	if (r->max > 0)
		r->tokens -= n;
	return r->epoch;
}

void
rate_ok(struct rate *r, double n)
{
	double step;

	if (r->win < r->winmax) {
		r->win += 1 / r->win;
		if (r->win > r->winmax)
			r->win = r->winmax;
	}
	if (r->max > 0 && r->cur < r->max) {
		step = r->max / 20 < 1 ? 1 : r->max / 20;
		r->cur += n * step / r->cur;
		if (r->cur > r->max)
			r->cur = r->max;
	}
}

void
rate_throttled(struct rate *r, unsigned epoch)
{
	if (epoch != r->epoch)
		return;
	r->epoch++;
	r->decreases++;
	r->win /= 2;
	if (r->win < 1)
		r->win = 1;
	if (r->max > 0) {
		r->cur /= 2;
		if (r->cur < 1)
			r->cur = r->max < 1 ? r->max : 1;
	}
}

int
rate_window(const struct rate *r)
{
	return (int)r->win;
}
