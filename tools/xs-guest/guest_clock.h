/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one clock xs-guest measures its deadlines with: CLOCK_MONOTONIC in
 * milliseconds, immune to changes of the wall clock.
 */
#ifndef TOOLS_XS_GUEST_GUEST_CLOCK_H
#define TOOLS_XS_GUEST_GUEST_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
guest_now_ms(void)
{
	struct timespec ts;

	/* Cannot fail with a valid clock id and pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
