/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "none" hypervisor backend: no hypervisor, no domains. The daemon
 * serves its Unix socket alone; INTRODUCE fails as the C daemon does when
 * it cannot map a ring (EINVAL, the errno gntdev gives for a grant it
 * cannot map). Every domain but dom0, the socket's, is absent.
 *
 * No state.
 */
#include <errno.h>
#include <stddef.h>

#include <unistd.h>

#include "daemon/hypervisor.h"

static int
none_init(struct daemon *d)
{
	d->hv_state = NULL;
	/* Live update from a daemon that had event channels: not ours. */
	if (d->hv_inherit_fd >= 0) {
		(void)close(d->hv_inherit_fd);
		d->hv_inherit_fd = -1;
	}
	log_info("no hypervisor: serving the Unix socket only");
	return 0;
}

static void
none_fini(struct daemon *d)
{
	(void)d;
}

static int
none_map_ring(struct daemon *d, unsigned int domid, unsigned long gfn,
    void **page)
{
	(void)d;
	(void)domid;
	(void)gfn;
	*page = NULL;
	return EINVAL;
}

static void
none_unmap_ring(struct daemon *d, unsigned int domid, void *page)
{
	(void)d;
	(void)domid;
	(void)page;
}

static int
none_bind(struct daemon *d, unsigned int domid, unsigned int remote,
    unsigned int *local)
{
	(void)d;
	(void)domid;
	(void)remote;
	(void)local;
	return ENODEV;
}

static void
none_unbind(struct daemon *d, unsigned int local)
{
	(void)d;
	(void)local;
}

static void
none_notify(struct daemon *d, unsigned int local)
{
	(void)d;
	(void)local;
}

static enum hv_domain_state
none_domain_state(struct daemon *d, unsigned int domid)
{
	(void)d;
	return domid == 0 ? HV_DOMAIN_RUNNING : HV_DOMAIN_GONE;
}

static const struct hypervisor_ops none_ops = {
	.name = "none",
	.init = none_init,
	.fini = none_fini,
	.map_ring = none_map_ring,
	.unmap_ring = none_unmap_ring,
	.bind = none_bind,
	.unbind = none_unbind,
	.notify = none_notify,
	.domain_state = none_domain_state,
};

const struct hypervisor_ops *
hypervisor_none(void)
{
	return &none_ops;
}
