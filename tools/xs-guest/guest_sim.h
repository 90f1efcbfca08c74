/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated hypervisor from a guest's side (docs/ring.md, "Simulator";
 * DESIGN.md, "Hypervisor layer"). The layout is a public interface:
 *
 *   DIR/control          the daemon's Unix datagram socket. A guest sends
 *                        "notify <domid>" to signal its event channel; a
 *                        toolstack sends "dom_exc" after changing a
 *                        domain's state (VIRQ_DOM_EXC).
 *   DIR/dom<N>/page      4096 bytes, the ring page, MAP_SHARED by both.
 *   DIR/dom<N>/guest     the guest's Unix datagram socket, bound by the
 *                        guest process; the daemon sends "notify" to it.
 *   DIR/dom<N>/state     "running", "shutdown" or "dying".
 *
 * Datagrams carry exactly those bytes: no NUL, no newline.
 *
 * A guest process opens its domain (guest_sim_open): maps the page and
 * binds the guest socket. Until some process has bound it the daemon has
 * nobody to notify, which it must tolerate (notifications are hints). One
 * guest process per domain: opening replaces a stale socket file.
 */
#ifndef TOOLS_XS_GUEST_GUEST_SIM_H
#define TOOLS_XS_GUEST_GUEST_SIM_H

#include <stdbool.h>
#include <stddef.h>

struct guest_sim;

/*
 * Maps DIR/dom<domid>/page (read-write, MAP_SHARED) and binds
 * DIR/dom<domid>/guest (replacing a socket file left there).
 * Errors: ENAMETOOLONG (a path too long for sun_path or PATH_MAX),
 * EINVAL (the page file is shorter than 4096 bytes), errno of open, mmap,
 * socket, bind; nothing is left behind on failure.
 */
int	guest_sim_open(const char *dir, unsigned int domid,
	    struct guest_sim **out);

/* Unmaps the page, closes and unlinks the guest socket, frees gs. */
void	guest_sim_close(struct guest_sim *gs);

/* The mapped page (4096 bytes). */
void	*guest_sim_page(struct guest_sim *gs);

/*
 * Sends "notify <domid>" to DIR/control. A full queue is success: the
 * daemon has notifications to read already. Errors: errno of sendto
 * (ENOENT or ECONNREFUSED: no daemon).
 */
int	guest_sim_notify(void *gs);

/*
 * Waits up to ms for a datagram on the guest socket, then drains every
 * queued one: any datagram is a notification (*woken = true). Returns 0
 * on a datagram, a timeout or a signal. Errors: errno of poll or recv.
 */
int	guest_sim_wait(void *gs, int ms, bool *woken);

/*
 * Sends msg (its strlen bytes) to DIR/control from a fresh unbound socket,
 * as a toolstack does for "dom_exc". Errors: ENAMETOOLONG, errno of
 * socket or sendto.
 */
int	guest_sim_control(const char *dir, const char *msg);

#endif
