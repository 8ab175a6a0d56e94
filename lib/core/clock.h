/* SPDX-License-Identifier: MIT */
/*
 * The clocks the programs and engines read, in one place.  The
 * monotonic ones measure waits, timeouts and rates (they never jump);
 * the wall ones stamp what is written for people and other programs.
 * Code that must be tested at a fixed time takes the time as a
 * parameter instead (sigv4, tstamp, rate).
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC, in nanoseconds and in milliseconds. */
int64_t clock_ns(void);
int64_t clock_ms(void);
/* The wall clock: milliseconds since the epoch, and seconds since the
 * epoch with their fraction (for traces lined up with others'). */
int64_t clock_wall_ms(void);
double clock_wall(void);

#endif
