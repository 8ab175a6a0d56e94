/* SPDX-License-Identifier: MIT */
/*
 * How fast to send: a token bucket for a cap in items per second, and
 * AIMD (additive increase, multiplicative decrease) on that rate and on
 * the window of requests in flight, driven by the server's throttling.
 *
 * A throttled answer halves the window (and the rate, under a cap) once
 * per round: only a request sent after the last decrease can cause the
 * next one, so a burst of throttled answers to one round counts once.
 * Each request that went through adds 1/window to the window, and each
 * item adds to the rate so that it climbs back by a twentieth of the cap
 * a second.
 *
 * Times are nanoseconds from any fixed origin: the caller reads the
 * clock, so tests can feed their own.
 */
#ifndef RATE_H
#define RATE_H

#include <stdint.h>

struct rate {
	double max;		/* the cap, items/s; 0: none */
	double cur;		/* the rate now */
	double tokens;
	int64_t last;		/* when tokens were last added */
	double win;		/* requests in flight allowed now */
	int winmax;
	unsigned epoch;		/* decreases so far */
	uint64_t decreases;
};

/* max: items/s, 0 for no cap; winmax: requests in flight at most */
void rate_init(struct rate *r, double max, int winmax, int64_t now);
/* 1 if one more request may be in flight besides these. */
int rate_room(const struct rate *r, int inflight);
/* Nanoseconds until a request may start under the cap (0: now). */
int64_t rate_delay(struct rate *r, int64_t now);
/* A request of n items starts now; returns the epoch to give
 * rate_throttled if it is throttled. */
unsigned rate_take(struct rate *r, double n);
/* A request of n items went through. */
void rate_ok(struct rate *r, double n);
/* A request sent in epoch was throttled. */
void rate_throttled(struct rate *r, unsigned epoch);
int rate_window(const struct rate *r);

#endif
