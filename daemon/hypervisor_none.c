/*
 * The "none" hypervisor backend: no hypervisor, no rings, no event
 * channels; the daemon serves the dom0 Unix socket only. It keeps no
 * state.
 *
 * INTRODUCE cannot map a ring here. The C daemon, when its grant mapping
 * of a domain's ring fails, answers with the errno of that failure: the
 * Linux gntdev refuses the mapping of a grant it cannot map with EINVAL,
 * so EINVAL is what a toolstack sees, and what we answer.
 */
#include <errno.h>
#include <stddef.h>

#include "daemon/hypervisor.h"

static int
none_init(struct daemon *d)
{
	d->hv_state = NULL;
	log_info("no hypervisor: serving the Unix socket only");
	return 0;
}

static void
none_fini(struct daemon *d)
{
	(void)d;
}

static int
none_map_ring(struct daemon *d, unsigned int domid, void **page)
{
	(void)d;
	(void)domid;
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

static const struct hypervisor_ops none_ops = {
	.name = "none",
	.init = none_init,
	.fini = none_fini,
	.map_ring = none_map_ring,
	.unmap_ring = none_unmap_ring,
};

const struct hypervisor_ops *
hypervisor_none(void)
{
	return &none_ops;
}
