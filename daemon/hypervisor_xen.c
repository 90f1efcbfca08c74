/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen hypervisor backend: libxenevtchn for event channels and
 * VIRQ_DOM_EXC, libxengnttab to map a guest's ring through its reserved
 * grant (GNTTAB_RESERVED_XENSTORE), libxenforeignmemory as the fallback
 * that maps the frame INTRODUCE names, libxenctrl for domain state, and
 * Linux's /proc/xen/xsd_kva and xsd_port for dom0's own kernel ring.
 *
 * State: the four library handles, the VIRQ port, and per domain how its
 * ring was mapped (so that unmapping uses the matching call).
 *
 * Events: the event-channel fd (made non-blocking: it blocks by default)
 * is in the loop; each readiness takes at most XEN_BATCH pending ports,
 * until EAGAIN, unmasks each, and hands it up (domain_exc for the VIRQ,
 * domain_event otherwise).
 *
 * This file and hypervisor.h are the only places that know Xen's control
 * libraries. It is exercised by tests/xen-vm (a real Xen under QEMU); the
 * machines that run the rest of the suite have no hypervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xen/grant_table.h>

#include "daemon/hypervisor.h"

#define XEN_BATCH	256
#define XEN_PAGE	4096
#define XSD_KVA		"/proc/xen/xsd_kva"
#define XSD_PORT	"/proc/xen/xsd_port"

enum map_kind {
	MAP_NONE,
	MAP_GRANT,
	MAP_FOREIGN,
	MAP_KVA,
};

struct xen {
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	xenforeignmemory_handle	*xfm;
	xc_interface		*xch;
	int			 virq_port;
	struct loop_source	 src;
	uint8_t			 kind[WIRE_DOMID_MAX + 1];
};

static void
xen_ready(struct daemon *d, void *obj, uint32_t events)
{
	struct xen *x = obj;
	xenevtchn_port_or_error_t port;
	int i;

	(void)events;
	for (i = 0; i < XEN_BATCH; i++) {
		port = xenevtchn_pending(x->xce);
		if (port < 0)
			return;
		(void)xenevtchn_unmask(x->xce, (evtchn_port_t)port);
		if (port == x->virq_port)
			domain_exc(d);
		else
			domain_event(d, (unsigned int)port);
	}
}

static void
xen_close(struct xen *x)
{
	if (x->xce != NULL)
		xenevtchn_close(x->xce);
	if (x->xgt != NULL)
		xengnttab_close(x->xgt);
	if (x->xfm != NULL)
		xenforeignmemory_close(x->xfm);
	if (x->xch != NULL)
		xc_interface_close(x->xch);
}

static int
xen_init(struct daemon *d)
{
	struct xen *x;
	int err, flags;

	x = talloc_zero(d->ctx, struct xen);
	if (x == NULL)
		return ENOMEM;
	x->virq_port = -1;
	/*
	 * Live update: the old daemon's handle, with every interdomain
	 * binding on it; only VIRQ_DOM_EXC was unbound before the exec.
	 */
	if (d->hv_inherit_fd >= 0)
		x->xce = xenevtchn_fdopen(NULL, d->hv_inherit_fd, 0);
	else
		x->xce = xenevtchn_open(NULL, 0);
	x->xgt = xengnttab_open(NULL, 0);
	x->xfm = xenforeignmemory_open(NULL, 0);
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (x->xce == NULL || x->xgt == NULL || x->xfm == NULL ||
	    x->xch == NULL) {
		err = errno != 0 ? errno : ENODEV;
		log_err("xen: cannot open the Xen interfaces (event channels, "
		    "grant tables, foreign memory, control)");
		goto fail;
	}
	/*
	 * The handle's fd blocks by default; xen_ready() takes pending ports
	 * until there are none, which must end in EAGAIN, not a wait.
	 */
	flags = fcntl(xenevtchn_fd(x->xce), F_GETFL);
	if (flags == -1 || fcntl(xenevtchn_fd(x->xce), F_SETFL,
	    flags | O_NONBLOCK) == -1) {
		err = errno;
		log_err("xen: event channel fd: %s", strerror(err));
		goto fail;
	}
	x->virq_port = xenevtchn_bind_virq(x->xce, VIRQ_DOM_EXC);
	if (x->virq_port < 0) {
		err = errno != 0 ? errno : EIO;
		log_err("xen: cannot bind VIRQ_DOM_EXC: %s", strerror(err));
		goto fail;
	}
	err = loop_add(d, &x->src, xenevtchn_fd(x->xce), EPOLLIN, xen_ready,
	    x);
	if (err != 0)
		goto fail;
	d->hv_state = x;
	log_info("xen: event channels, grant tables and domain control open");
	return 0;
fail:
	xen_close(x);
	talloc_free(x);
	return err;
}

static void
xen_fini(struct daemon *d)
{
	struct xen *x = d->hv_state;

	if (x == NULL)
		return;
	loop_remove(d, &x->src);
	if (x->virq_port >= 0)
		(void)xenevtchn_unbind(x->xce, (evtchn_port_t)x->virq_port);
	xen_close(x);
	talloc_free(x);
	d->hv_state = NULL;
}

/* dom0's own page, which its kernel exposes to us. */
static void *
map_kva(void)
{
	void *p;
	int fd;

	fd = open(XSD_KVA, O_RDWR | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	p = mmap(NULL, XEN_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int
xen_map_ring(struct daemon *d, unsigned int domid, unsigned long gfn,
    void **page)
{
	struct xen *x = d->hv_state;
	xen_pfn_t pfn = gfn;
	void *p;

	*page = NULL;
	if (domid == 0 && (p = map_kva()) != NULL) {
		x->kind[domid] = MAP_KVA;
		*page = p;
		return 0;
	}
	p = xengnttab_map_grant_ref(x->xgt, domid, GNTTAB_RESERVED_XENSTORE,
	    PROT_READ | PROT_WRITE);
	if (p != NULL) {
		x->kind[domid] = MAP_GRANT;
		*page = p;
		return 0;
	}
	if (gfn != 0) {
		p = xenforeignmemory_map(x->xfm, domid, PROT_READ | PROT_WRITE,
		    1, &pfn, NULL);
		if (p != NULL) {
			x->kind[domid] = MAP_FOREIGN;
			*page = p;
			return 0;
		}
	}
	/* The C daemon passes the mapping's errno on: EINVAL from gntdev. */
	return errno != 0 ? errno : EINVAL;
}

static void
xen_unmap_ring(struct daemon *d, unsigned int domid, void *page)
{
	struct xen *x = d->hv_state;

	if (page == NULL || x == NULL)
		return;
	switch (x->kind[domid]) {
	case MAP_GRANT:
		(void)xengnttab_unmap(x->xgt, page, 1);
		break;
	case MAP_FOREIGN:
		(void)xenforeignmemory_unmap(x->xfm, page, 1);
		break;
	case MAP_KVA:
		(void)munmap(page, XEN_PAGE);
		break;
	default:
		break;
	}
	x->kind[domid] = MAP_NONE;
}

static int
xen_bind(struct daemon *d, unsigned int domid, unsigned int remote,
    unsigned int *local)
{
	struct xen *x = d->hv_state;
	xenevtchn_port_or_error_t port;

	port = xenevtchn_bind_interdomain(x->xce, domid, remote);
	if (port < 0)
		return errno != 0 ? errno : EINVAL;
	*local = (unsigned int)port;
	return 0;
}

static void
xen_unbind(struct daemon *d, unsigned int local)
{
	struct xen *x = d->hv_state;

	if (x != NULL)
		(void)xenevtchn_unbind(x->xce, local);
}

static void
xen_notify(struct daemon *d, unsigned int local)
{
	struct xen *x = d->hv_state;

	(void)xenevtchn_notify(x->xce, local);
}

static enum hv_domain_state
xen_domain_state(struct daemon *d, unsigned int domid)
{
	struct xen *x = d->hv_state;
	xc_domaininfo_t info;

	if (xc_domain_getinfolist(x->xch, domid, 1, &info) != 1 ||
	    info.domain != domid)
		return HV_DOMAIN_GONE;
	if (info.flags & XEN_DOMINF_dying)
		return HV_DOMAIN_DYING;
	if (info.flags & XEN_DOMINF_shutdown)
		return HV_DOMAIN_SHUTDOWN;
	return HV_DOMAIN_RUNNING;
}

/* dom0's kernel publishes the port of its xenstore connection. */
static int
xen_dom0_port(struct daemon *d, unsigned int *port)
{
	char buf[32];
	ssize_t n;
	int fd;

	(void)d;
	fd = open(XSD_PORT, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ENOENT;
	buf[n] = '\0';
	*port = (unsigned int)strtoul(buf, NULL, 10);
	return *port != 0 ? 0 : ENOENT;
}

/*
 * Live update: the next daemon gets the event-channel fd with its
 * bindings; VIRQ_DOM_EXC is unbound (it binds it again), as 4.17 does.
 */
static int
xen_lu_prepare(struct daemon *d)
{
	struct xen *x = d->hv_state;

	if (x == NULL)
		return -1;
	if (x->virq_port >= 0)
		(void)xenevtchn_unbind(x->xce, (evtchn_port_t)x->virq_port);
	x->virq_port = -1;
	return xenevtchn_fd(x->xce);
}

/* The exec failed: VIRQ_DOM_EXC again (4.17 leaves it unbound). */
static void
xen_lu_cancel(struct daemon *d)
{
	struct xen *x = d->hv_state;

	if (x == NULL)
		return;
	x->virq_port = xenevtchn_bind_virq(x->xce, VIRQ_DOM_EXC);
	if (x->virq_port < 0)
		log_err("xen: cannot bind VIRQ_DOM_EXC again: %s",
		    strerror(errno));
}

static const struct hypervisor_ops xen_ops = {
	.name = "xen",
	.init = xen_init,
	.fini = xen_fini,
	.map_ring = xen_map_ring,
	.unmap_ring = xen_unmap_ring,
	.bind = xen_bind,
	.unbind = xen_unbind,
	.notify = xen_notify,
	.domain_state = xen_domain_state,
	.dom0_port = xen_dom0_port,
	.lu_prepare = xen_lu_prepare,
	.lu_cancel = xen_lu_cancel,
};

const struct hypervisor_ops *
hypervisor_xen(void)
{
	return &xen_ops;
}
