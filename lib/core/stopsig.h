/* SPDX-License-Identifier: MIT */
/*
 * SIGINT and SIGTERM as a request to stop: the programs catch them, and
 * their loops (and the engines, given &stopsig or &stopsig_count as
 * their stop flag) look at these and end in good order.
 */
#ifndef STOPSIG_H
#define STOPSIG_H

#include <signal.h>

extern volatile sig_atomic_t stopsig;		/* the last one, or 0 */
extern volatile sig_atomic_t stopsig_count;	/* how many came */

/* Catches both, with sigaction's flags (SA_RESTART, or 0). */
void stopsig_catch(int flags);
/* The exit status of a program they stopped: EXIT_SIGINT for SIGINT,
 * else EXIT_SIGTERM. */
int stopsig_status(void);

#endif
