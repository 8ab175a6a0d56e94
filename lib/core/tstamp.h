/* SPDX-License-Identifier: MIT */
/*
 * Timestamps to epoch seconds, UTC, with no locale or TZ dependence.
 *
 * Accepted (and nothing else: month 13, Feb 30 and trailing junk fail):
 *   YYYY-MM-DD                          midnight
 *   YYYY-MM-DD-HH-MM-SS                 a run folder's name
 *   YYYY-MM-DD HH:MM:SS[.F]             enriched events, 1 to 9 digits F
 *   YYYY-MM-DDTHH:MM:SS[.F][Z|+HH:MM|-HH:MM|+HHMM|+HH]    ISO 8601
 * Years run from 0000 to 9999 (proleptic Gregorian).  The fraction is
 * dropped: 08:46:40.999 is 08:46:40.
 */
#ifndef TSTAMP_H
#define TSTAMP_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *secs, or returns -1 if s[0..n) is no timestamp. */
int tstamp_parse(const char *s, size_t n, int64_t *secs);
/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31); no range checks. */
int64_t tstamp_days(int64_t y, int m, int d);
/* Writes secs as "YYYY-MM-DDTHH:MM:SS.mmmZ" (ms 0..999) into out[25];
 * returns the length, or -1 outside years 0000..9999. */
int tstamp_iso(int64_t secs, int ms, char out[25]);

#endif
