/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <string.h>

#include "err.h"
#include "stopsig.h"

volatile sig_atomic_t stopsig, stopsig_count;

static void
onsig(int sig)
{
	stopsig = sig;
	stopsig_count++;
}

void
stopsig_catch(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
stopsig_status(void)
{
	return stopsig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
}
