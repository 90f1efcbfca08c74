/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hostile guests (`scenario hostile MODE`): each breaks the ring protocol
 * one way and reports what the daemon did. Verdicts (enum guest_status):
 *
 *   bad-index  req_prod - req_cons > 1024, notify: the error word must
 *              become 2 (RINGIDX) in time; then, if RECONNECTION is
 *              advertised, a reconnection must revive the ring.
 *   oversize   a header with len 5000: the error word must become 3
 *              (PROTO); then the same revival.
 *   garbage    -n rounds of a random header (len <= 4096) and random
 *              bytes (--seed): the replies and the error word are
 *              reported; the verdict is whether a request works at the
 *              end (after a reconnection if the ring was stopped).
 *   no-read    requests for --duration ms, never consuming a reply: the
 *              rings fill up and the daemon must cope (check other
 *              guests meanwhile); always GUEST_OK unless the ring breaks.
 *              READ of --path (default data/noread), or, with --size N,
 *              WRITE of N bytes to it. Prints "consumed K" on stdout: the
 *              whole requests the daemon took off the ring.
 *   zero-race  -n rounds of: a request in flight, then the first 2064
 *              bytes of the page zeroed with no handshake (old
 *              hvmloader). The error word is reported; then, if
 *              RECONNECTION is advertised, a reconnection must revive the
 *              ring.
 */
#ifndef TOOLS_XS_GUEST_GUEST_HOSTILE_H
#define TOOLS_XS_GUEST_GUEST_HOSTILE_H

#include "tools/xs-guest/guest_conn.h"
#include "tools/xs-guest/guest_scenario.h"

#define GUEST_HOSTILE_ROUNDS		20	/* default -n of zero-race */
#define GUEST_HOSTILE_DURATION_MS	2000	/* default no-read run */
#define GUEST_HOSTILE_PATH		"data/noread"	/* default no-read path */

/* Runs hostile mode over gc. GUEST_USAGE for an unknown mode. */
int	guest_hostile_run(struct guest_conn *gc, const char *mode,
	    const struct guest_scenario_opts *o);

#endif
