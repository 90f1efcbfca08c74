/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exit statuses of xs-guest, also returned by the script and scenario
 * runners (which print the reason on stderr before returning one).
 * These are not errno values: library calls return errno values, and
 * the runners turn them into one of these.
 */
#ifndef TOOLS_XS_GUEST_GUEST_STATUS_H
#define TOOLS_XS_GUEST_GUEST_STATUS_H

enum guest_status {
	GUEST_OK = 0,		/* everything checked held */
	GUEST_FAILED = 1,	/* an ERROR reply, or a check did not hold */
	GUEST_USAGE = 2,	/* bad command line or script syntax */
	GUEST_BROKEN = 3	/* timeout, I/O error, daemon broke the ring */
};

#endif
