/*
 * The hypervisor layer: what the daemon needs from Xen, or from a stand-in
 * for it, behind one ops struct. Each backend is one file that fills a
 * struct hypervisor_ops (hypervisor_none.c now; _sim.c and _xen.c later);
 * only backends may include Xen's control headers.
 *
 * Shaped for the ring backends: they will add binding and notifying event
 * channels, the event fd and domain state. The "none" backend serves the
 * Unix socket alone and has no domains.
 */
#ifndef DAEMON_HYPERVISOR_H
#define DAEMON_HYPERVISOR_H

#include "daemon/daemon.h"

struct hypervisor_ops {
	const char	*name;		/* "none", "sim", "xen" */

	/* Sets up the backend (d->hv_state). Errors: errno. */
	int	(*init)(struct daemon *d);
	/* Releases what init() set up. */
	void	(*fini)(struct daemon *d);

	/*
	 * Maps the ring page of a domain being introduced. Returns 0 and
	 * *page, or the errno the C daemon would answer INTRODUCE with when
	 * it cannot map the ring.
	 */
	int	(*map_ring)(struct daemon *d, unsigned int domid, void **page);
	/* Undoes map_ring(). */
	void	(*unmap_ring)(struct daemon *d, unsigned int domid, void *page);
};

/* The socket-only backend (hypervisor_none.c). */
const struct hypervisor_ops *hypervisor_none(void);

#endif
