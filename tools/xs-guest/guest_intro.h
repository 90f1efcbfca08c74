/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated toolstack's requests over the dom0 socket (guest_sock.h):
 * the domain's home before introduction, INTRODUCE and RELEASE.
 *
 * Each call takes a connected socket, a deadline in ms for each request
 * and *req_id, a counter it advances (one fresh req_id per request).
 * Errors: the errno named by an ERROR reply (EACCES, ENOENT...; also
 * printed on stderr with the step that got it), or guest_sock_request's.
 */
#ifndef TOOLS_XS_GUEST_GUEST_INTRO_H
#define TOOLS_XS_GUEST_GUEST_INTRO_H

#include <stdint.h>
#include <stdio.h>

#include "tools/xs-guest/guest_msg.h"

/*
 * Writes domain N's home as libxl does, trimmed to what the guest
 * scenarios use:
 *   /local/domain/N           ""   n0 rN   (read-only to the guest)
 *   /local/domain/N/data      ""   nN      (the guest's own)
 *   /local/domain/N/control   ""   n0 rN
 *   /local/domain/N/control/platform-feature-xs_reset_watches  "1"  n0 rN
 * Each step is traced to trace (NULL: quiet). The simulated domain must
 * exist (its DIR/dom<N>/ directory) for the daemon to accept owner N.
 */
int	guest_intro_home(int fd, int ms, uint32_t *req_id,
	    unsigned int domid, FILE *trace);

/*
 * Sends INTRODUCE "N\0mfn\0port\0"; *reply (OK or ERROR) is the
 * caller's. An ERROR reply is not an error here: the caller prints it.
 */
int	guest_intro_introduce(int fd, int ms, uint32_t *req_id,
	    unsigned int domid, unsigned long mfn, unsigned int port,
	    struct guest_msg **reply);

/* Sends RELEASE "N\0"; *reply as for guest_intro_introduce. */
int	guest_intro_release(int fd, int ms, uint32_t *req_id,
	    unsigned int domid, struct guest_msg **reply);

#endif
