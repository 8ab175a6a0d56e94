/* SPDX-License-Identifier: MIT */
/*
 * How fast to send: a token bucket for a cap in items a second, and an
 * adaptive window of requests in flight, below a ceiling.
 *
 * The window is the number of requests in flight allowed now.  It starts
 * small and is changed once a round: a round is the answers to the
 * requests sent since the last change, so each one judges the window it
 * was sent under.  From the round's answers:
 *
 *   - throttled answers (a fraction f of the round's): the window shrinks
 *     to (1 - f/2) of itself, at least by RATE_CUT_MIN, as DCTCP answers
 *     marks: in proportion to how far over the server's capacity it was,
 *     so it settles near that capacity instead of halving and climbing
 *     back in a saw-tooth;
 *   - else the round's mean latency against the floor (the least round
 *     mean of the last RATE_FLOOR_S to 2 RATE_FLOOR_S seconds): near
 *     the floor (at most RATE_NEAR times it plus RATE_SLACK_NS), the
 *     window grows, if the round used it all: doubling each round at
 *     first (slow start), then by sqrt(window) a round, or by a
 *     quarter a round within RATE_CALM_S seconds of a throttle (by one,
 *     a small window would throttle every other round); well above the
 *     floor (over RATE_FAR times it plus twice the slack) two rounds in
 *     a row (one may be a stall of our own), it shrinks in proportion
 *     (to window * near / latency, at most by half, not below the
 *     starting window), as TCP Vegas and Netflix's gradient limiter do:
 *     more in flight would only queue somewhere.  In between it stays.
 *     Leaving slow start is for good: on the first throttle or the
 *     first round not near the floor.
 *
 * The ceiling is a ceiling, not the setting: the window only reaches it
 * when latency stays at its floor all the way.  The cap in items a second
 * is a hard one: a token bucket, holding at most RATE_BURST_S seconds'
 * worth; throttling does not change it.
 *
 * Times are nanoseconds from any fixed origin: the caller reads the
 * clock, so tests can feed their own.  Not thread-safe: one a thread.
 */
#ifndef RATE_H
#define RATE_H

#include <stdint.h>

#define RATE_NEAR 1.25		/* latency near the floor: up to this */
#define RATE_FAR 2.0		/* well above it: over this */
#define RATE_SLACK_NS 500000	/* plus this (jitter, our own loop) */
#define RATE_CUT_MIN 0.1	/* a throttled round cuts at least this */
#define RATE_FLOOR_S 10		/* the floor forgets older rounds */
#define RATE_CALM_S 1		/* for this long after a throttle, */
#define RATE_CALM_INC 0.25	/*   add this much a round */
#define RATE_BURST_S 0.05	/* the cap's bucket holds this much */

struct rate {
	/* the cap */
	double max;		/* items/s; 0: none */
	double tokens;
	int64_t last;		/* when tokens were last added */
	/* the window */
	double win;
	int winmin;		/* latency does not cut it below this */
	int winmax;		/* the ceiling */
	int slow;		/* in slow start */
	int far;		/* rounds in a row well above the floor */
	unsigned round;		/* the round under way */
	/* the round's answers so far, to requests sent in it */
	int sent, answers, throttled, nlat, full;
	double latsum;
	/* latency */
	double lat;		/* the last round's mean, ns; 0: none yet */
	double floor;		/* 0: none yet */
	double floor_cur, floor_prev;	/* this and the last period's */
	int64_t floor_at;	/* when this period began */
	int64_t calm_at;	/* the last throttle's round end */
	/* counts, for reports */
	uint64_t rounds, cuts;
};

/*
 * max: items/s, 0 for no cap; win0: the starting window; winmax: the
 * ceiling (win0 is cut to it).  Both at least 1.
 */
void rate_init(struct rate *r, double max, int win0, int winmax,
	       int64_t now);
/* 1 if one more request may be in flight besides inflight. */
int rate_room(const struct rate *r, int inflight);
/* Nanoseconds until a request may start under the cap (0: now). */
int64_t rate_delay(struct rate *r, int64_t now);
/*
 * A request of n items starts now, with inflight others in flight (its
 * retries too).  Returns its ticket: the round it belongs to, for
 * rate_ok or rate_throttled.
 */
unsigned rate_take(struct rate *r, double n, int inflight);
/* The request of ticket went through; lat_ns is how long its answer
 * took, or negative when not known (a new connection's wait). */
void rate_ok(struct rate *r, unsigned ticket, int64_t lat_ns, int64_t now);
/* The request of ticket was throttled. */
void rate_throttled(struct rate *r, unsigned ticket, int64_t now);
/* The window now. */
int rate_window(const struct rate *r);

#endif
