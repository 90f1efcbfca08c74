/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor layer: what the daemon needs from Xen, or from a stand-in
 * for it, behind one ops struct. Each backend is one file that fills a
 * struct hypervisor_ops: hypervisor_none.c (no domains: the Unix socket
 * alone), hypervisor_sim.c (a directory stands in for Xen, docs/ring.md),
 * and, later, hypervisor_xen.c. Only backends include Xen's control
 * headers; everything above this interface is the same in every mode.
 *
 * Events flow upwards by calls, not by polling: a backend registers its own
 * fds with the loop in init() and, when they fire, calls
 * domain_event(d, port) for an event-channel notification and
 * domain_exc(d) for VIRQ_DOM_EXC (some domain changed state).
 */
#ifndef DAEMON_HYPERVISOR_H
#define DAEMON_HYPERVISOR_H

#include "daemon/daemon.h"

/* What a domain is doing, as the hypervisor sees it. */
enum hv_domain_state {
	HV_DOMAIN_GONE,		/* does not exist (destroyed, never created) */
	HV_DOMAIN_RUNNING,
	HV_DOMAIN_SHUTDOWN,	/* shut down, not yet dying */
	HV_DOMAIN_DYING,
};

struct hypervisor_ops {
	const char	*name;		/* "none", "sim", "xen" */

	/* Sets up the backend (d->hv_state), registers its fds. */
	int	(*init)(struct daemon *d);
	/* Releases what init() set up. */
	void	(*fini)(struct daemon *d);

	/*
	 * Maps the ring page of a domain being introduced (gfn: INTRODUCE's
	 * frame number, for backends that fall back to a foreign mapping).
	 * Returns 0 and *page, or the errno the C daemon would answer
	 * INTRODUCE with when it cannot map the ring.
	 */
	int	(*map_ring)(struct daemon *d, unsigned int domid,
		    unsigned long gfn, void **page);
	/* Undoes map_ring(). */
	void	(*unmap_ring)(struct daemon *d, unsigned int domid, void *page);

	/*
	 * Binds an interdomain event channel to the domain's remote port;
	 * *local receives the port later passed to domain_event() and
	 * notify(). Errors: errno.
	 */
	int	(*bind)(struct daemon *d, unsigned int domid,
		    unsigned int remote, unsigned int *local);
	/* Undoes bind(). */
	void	(*unbind)(struct daemon *d, unsigned int local);
	/* Signals the domain. Best effort: notifications are hints. */
	void	(*notify)(struct daemon *d, unsigned int local);

	/* The domain's state now. */
	enum hv_domain_state (*domain_state)(struct daemon *d,
		    unsigned int domid);

	/*
	 * The event-channel port of dom0's own kernel connection, if the
	 * daemon must serve it over a ring (Xen with a Linux dom0), else
	 * ENOENT. NULL: never.
	 */
	int	(*dom0_port)(struct daemon *d, unsigned int *port);

	/*
	 * Live update, just before the exec: the fd the next daemon must
	 * inherit (event channels; -1: none), made ready for it (Xen:
	 * VIRQ_DOM_EXC unbound). init() adopts d->hv_inherit_fd when it is
	 * not -1. lu_cancel() undoes lu_prepare() when the exec failed.
	 */
	int	(*lu_prepare)(struct daemon *d);
	void	(*lu_cancel)(struct daemon *d);
};

/* The backends. */
const struct hypervisor_ops *hypervisor_none(void);
const struct hypervisor_ops *hypervisor_sim(void);
const struct hypervisor_ops *hypervisor_xen(void);

#endif
