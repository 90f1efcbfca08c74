/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Built-in guest scenarios: one guest of a simulated domain behaving like
 * a known client (tools/xs-guest/README.md says what each checks). Each
 * returns an enum guest_status: GUEST_OK only if everything it checks
 * held; otherwise it has printed why on stderr. With a trace stream on
 * the connection (-v) every step is logged.
 *
 *   linux      an ordinary client in its home
 *   hvmloader  relative READs, then the reconnection handshake, then the
 *              page must be fresh (indexes 0, rings "deadbeef")
 *   dom0less   the builder preset the connection word: wait for 0 (and
 *              the notify must come after it), then requests work
 *   kexec      RESET_WATCHES removes watches and transactions
 *   hostile    mode bad-index | oversize | garbage | no-read | zero-race
 *              (guest_hostile.h)
 *
 * The domain's home must exist with the guest as owner of data/
 * (`xs-guest introduce` writes it); paths are relative to it.
 */
#ifndef TOOLS_XS_GUEST_GUEST_SCENARIO_H
#define TOOLS_XS_GUEST_GUEST_SCENARIO_H

#include "tools/xs-guest/guest_conn.h"

struct guest_scenario_opts {
	unsigned int	 domid;
	int		 count;		/* rounds (hostile); 0 = default */
	int		 duration_ms;	/* no-read's run time; 0 = default */
	unsigned int	 seed;		/* garbage's random seed */
	const char	*path;		/* no-read's path; NULL = default */
	unsigned int	 size;		/* no-read: WRITE this many bytes
					   (0 = READ the path instead) */
};

/*
 * Runs scenario name (mode: hostile's sub-mode, else NULL) over gc.
 * Returns an enum guest_status; GUEST_USAGE for an unknown name or mode.
 */
int	guest_scenario_run(struct guest_conn *gc, const char *name,
	    const char *mode, const struct guest_scenario_opts *o);

#endif
