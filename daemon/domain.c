/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest domains: the table of introduced domains, INTRODUCE / RELEASE /
 * RESUME / SET_TARGET semantics, the special watches, reacting to domain
 * state changes (VIRQ_DOM_EXC), and the slow periodic ring scan.
 *
 * State (in struct daemon): domains[domid] for introduced domains, a list
 * of them for the state scan, and ports[local port] -> domain for event
 * delivery. A domain owns nothing the ring connection needs after a
 * release: the mapping and the event channel belong to the connection
 * (conn_ring.c) and go with it in loop phase 4.
 *
 * Scans: domain_exc() and the periodic tick walk the introduced domains
 * once per event or tick, never per loop turn. The tick exists because
 * notifications are hints: hvmloader and Unikraft do not always notify
 * after consuming, and a reconnection request may come without one.
 * Its period is DOMAIN_TICK_SECONDS, or oxenstored.conf's
 * ring-scan-interval (cfg.ring_scan; negative: no scan, as oxenstored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/hypervisor.h"
#include "store/store.h"

#define DOMAIN_TICK_SECONDS	2
#define DOMAIN_MAX_PORT		(1u << 17)

struct domain {
	unsigned int	 domid;
	unsigned int	 port;		/* local event-channel port */
	struct conn	*conn;		/* the ring connection */
	bool		 shutdown_reported;
	struct domain	*prev, *next;	/* d->domain_list */
};

static int
tables_init(struct daemon *d)
{
	if (d->domains != NULL)
		return 0;
	d->domains = talloc_zero_array(d->ctx, struct domain *,
	    WIRE_DOMID_MAX + 1);
	d->ports = talloc_zero_array(d->ctx, struct domain *,
	    DOMAIN_MAX_PORT);
	if (d->domains == NULL || d->ports == NULL)
		return ENOMEM;
	return 0;
}

static void
tick_ready(struct daemon *d, void *obj, uint32_t events)
{
	struct domain *dom, *next;
	uint64_t expirations;

	(void)obj;
	(void)events;
	if (read(d->tick_src.fd, &expirations, sizeof(expirations)) == -1)
		return;
	for (dom = d->domain_list; dom != NULL; dom = next) {
		next = dom->next;
		conn_kick(d, dom->conn);
	}
}

/* Starts the periodic scan with the first domain. */
static int
tick_start(struct daemon *d)
{
	struct itimerspec its;
	int fd, err;

	if (d->tick_src.ready != NULL || d->cfg.ring_scan < 0)
		return 0;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd == -1)
		return errno;
	memset(&its, 0, sizeof(its));
	/* ring-scan-interval (oxenstored.conf) may set the period. */
	its.it_value.tv_sec = d->cfg.ring_scan > 0 ? d->cfg.ring_scan :
	    DOMAIN_TICK_SECONDS;
	its.it_interval.tv_sec = its.it_value.tv_sec;
	if (timerfd_settime(fd, 0, &its, NULL) == -1 ||
	    (err = loop_add(d, &d->tick_src, fd, EPOLLIN, tick_ready,
	    NULL)) != 0) {
		err = errno;
		close(fd);
		return err != 0 ? err : EIO;
	}
	return 0;
}

bool
domain_introduced(const struct daemon *d, unsigned int domid)
{
	return d->domains != NULL && domid <= WIRE_DOMID_MAX &&
	    d->domains[domid] != NULL;
}

void
domain_again_all(struct daemon *d)
{
	struct domain *dom;

	for (dom = d->domain_list; dom != NULL; dom = dom->next)
		conn_again(d, dom->conn);
}

struct conn *
domain_conn(const struct daemon *d, unsigned int domid)
{
	return domain_introduced(d, domid) ? d->domains[domid]->conn : NULL;
}

/* Fires "@name" and "@name/<domid>". */
static void
fire_both(struct daemon *d, const char *name, unsigned int domid)
{
	char path[48];

	(void)store_fire_special(d->store, name);
	snprintf(path, sizeof(path), "%s/%u", name, domid);
	(void)store_fire_special(d->store, path);
}

/* The SET_FEATURE mask for a domain, or every feature we have. */
static uint32_t
features_for(const struct daemon *d, unsigned int domid)
{
	if (d->features != NULL && (d->features[domid] & DAEMON_FEATURE_SET))
		return d->features[domid] & ~DAEMON_FEATURE_SET;
	return DAEMON_FEATURES;
}

int
domain_introduce(struct daemon *d, unsigned int domid, unsigned long gfn,
    unsigned int port)
{
	const struct hypervisor_ops *hv = d->cfg.hv;
	struct domain *dom;
	unsigned int local;
	void *page;
	int err;

	if ((err = tables_init(d)) != 0)
		return err;
	dom = d->domains[domid];
	if (dom != NULL) {
		/*
		 * Soft reset, kexec, resume: the same ring starts afresh. No
		 * event fires. The reset also revives a ring stopped for an
		 * error (the C daemon leaves it dead).
		 */
		conn_ring_restart(d, dom->conn);
		return 0;
	}
	if ((err = hv->map_ring(d, domid, gfn, &page)) != 0)
		return err;
	/* A port the builder wrote into the page overrides the argument. */
	if (conn_ring_page_port(page) != 0)
		port = conn_ring_page_port(page);
	if ((err = hv->bind(d, domid, port, &local)) != 0) {
		hv->unmap_ring(d, domid, page);
		return err;
	}
	if (local >= DOMAIN_MAX_PORT ||
	    (dom = talloc_zero(d->ctx, struct domain)) == NULL) {
		hv->unbind(d, local);
		hv->unmap_ring(d, domid, page);
		return local >= DOMAIN_MAX_PORT ? EINVAL : ENOMEM;
	}
	dom->domid = domid;
	dom->port = local;
	/* From here the connection owns the mapping and the port. */
	err = conn_ring_new(d, domid, page, local, features_for(d, domid),
	    &dom->conn);
	if (err != 0) {
		talloc_free(dom);
		return err;
	}
	err = store_domain_add(d->store, domid);
	if ((err != 0 && err != EEXIST) || tick_start(d) != 0) {
		conn_close(d, dom->conn, "cannot account the domain");
		talloc_free(dom);
		return err != 0 && err != EEXIST ? err : ENOMEM;
	}
	d->domains[domid] = dom;
	d->ports[local] = dom;
	dom->next = d->domain_list;
	if (d->domain_list != NULL)
		d->domain_list->prev = dom;
	d->domain_list = dom;
	d->ndomains++;
	/* Reset the ring, clear a preset connection word, then notify. */
	conn_ring_restart(d, dom->conn);
	if (domid != 0)
		fire_both(d, "@introduceDomain", domid);
	log_info("domain %u introduced (port %u)", domid, local);
	return 0;
}

unsigned int
domain_port(const struct daemon *d, unsigned int domid)
{
	return domain_introduced(d, domid) ? d->domains[domid]->port : 0;
}

int
domain_restore(struct daemon *d, unsigned int domid, unsigned int port,
    unsigned int target, struct conn **out)
{
	const struct hypervisor_ops *hv = d->cfg.hv;
	struct domain *dom;
	void *page;
	int err;

	if ((err = tables_init(d)) != 0)
		return err;
	if (domid > WIRE_DOMID_MAX || d->domains[domid] != NULL ||
	    port >= DOMAIN_MAX_PORT || d->ports[port] != NULL)
		return EINVAL;
	/* No frame number: the reserved grant, or dom0's own page. */
	if ((err = hv->map_ring(d, domid, 0, &page)) != 0)
		return err;
	dom = talloc_zero(d->ctx, struct domain);
	if (dom == NULL) {
		hv->unmap_ring(d, domid, page);
		return ENOMEM;
	}
	dom->domid = domid;
	dom->port = port;
	/* The port stays bound: the bindings outlived the old process. */
	err = conn_ring_adopt(d, domid, page, port, &dom->conn);
	if (err != 0) {
		talloc_free(dom);
		return err;
	}
	err = store_domain_add(d->store, domid);
	if ((err != 0 && err != EEXIST) || tick_start(d) != 0) {
		conn_close(d, dom->conn, "cannot account the domain");
		talloc_free(dom);
		return err != 0 && err != EEXIST ? err : ENOMEM;
	}
	if (target != STORE_DOMID_NONE)
		dom->conn->who.target = target;
	d->domains[domid] = dom;
	d->ports[port] = dom;
	dom->next = d->domain_list;
	if (d->domain_list != NULL)
		d->domain_list->prev = dom;
	d->domain_list = dom;
	d->ndomains++;
	log_info("domain %u restored (port %u)", domid, port);
	*out = dom->conn;
	return 0;
}

/*
 * Forgets an introduced domain: its connection goes (watches quietly, in
 * phase 4 with the mapping and the port), its nodes are deleted and its
 * grants stripped, then @releaseDomain fires.
 */
static void
domain_forget(struct daemon *d, struct domain *dom, const char *why)
{
	unsigned int domid = dom->domid;
	int err;

	log_info("domain %u released: %s", domid, why);
	d->domains[domid] = NULL;
	d->ports[dom->port] = NULL;
	if (dom->prev != NULL)
		dom->prev->next = dom->next;
	else
		d->domain_list = dom->next;
	if (dom->next != NULL)
		dom->next->prev = dom->prev;
	d->ndomains--;
	conn_ring_release(d, dom->conn);
	talloc_free(dom);
	/*
	 * A stub domain outliving its target must not control the next
	 * domain given that id.
	 */
	for (dom = d->domain_list; dom != NULL; dom = dom->next) {
		if (dom->conn->who.target == domid)
			dom->conn->who.target = STORE_DOMID_NONE;
	}
	err = store_domain_remove(d->store, domid, d->cfg.keep_orphans);
	if (err != 0 && err != ENOENT)
		log_warn("domain %u: forgetting it: %s", domid,
		    strerror(err));
	fire_both(d, "@releaseDomain", domid);
}

int
domain_release(struct daemon *d, unsigned int domid)
{
	if (!domain_introduced(d, domid))
		return ENOENT;
	domain_forget(d, d->domains[domid], "RELEASE");
	return 0;
}

int
domain_resume(struct daemon *d, unsigned int domid)
{
	if (!domain_introduced(d, domid))
		return ENOENT;
	d->domains[domid]->shutdown_reported = false;
	return 0;
}

int
domain_set_target(struct daemon *d, unsigned int domid, unsigned int target)
{
	if (!domain_introduced(d, domid) || !domain_introduced(d, target))
		return ENOENT;
	d->domains[domid]->conn->who.target = target;
	return 0;
}

void
domain_event(struct daemon *d, unsigned int port)
{
	struct domain *dom;

	if (d->ports == NULL || port >= DOMAIN_MAX_PORT)
		return;
	dom = d->ports[port];
	if (dom != NULL)
		conn_kick(d, dom->conn);
}

/*
 * Domains the store learnt of because a permission list named them, but
 * that nobody introduced, are forgotten once they are gone too: else
 * their grants would pass to the next domain given the same id (XSA-322).
 * No event fires for them (they were never introduced).
 */
static void
forget_unintroduced(struct daemon *d)
{
	enum hv_domain_state state;
	unsigned int id;
	int err;

	for (id = store_domain_next(d->store, 1); id != STORE_DOMID_NONE;
	    id = store_domain_next(d->store, id + 1)) {
		if (domain_introduced(d, id) || id == d->cfg.priv_domid)
			continue;
		state = d->cfg.hv->domain_state(d, id);
		if (state != HV_DOMAIN_DYING && state != HV_DOMAIN_GONE)
			continue;
		err = store_domain_remove(d->store, id, d->cfg.keep_orphans);
		if (err != 0)
			log_warn("domain %u: forgetting it: %s", id,
			    strerror(err));
		else
			log_info("domain %u forgotten: gone before it was "
			    "introduced", id);
	}
}

void
domain_exc(struct daemon *d)
{
	struct domain *dom, *next;
	bool shutdown = false;

	for (dom = d->domain_list; dom != NULL; dom = next) {
		next = dom->next;
		switch (d->cfg.hv->domain_state(d, dom->domid)) {
		case HV_DOMAIN_RUNNING:
			break;
		case HV_DOMAIN_SHUTDOWN:
			if (dom->shutdown_reported)
				break;
			dom->shutdown_reported = true;
			shutdown = true;
			{
				char path[48];

				snprintf(path, sizeof(path),
				    "@releaseDomain/%u", dom->domid);
				(void)store_fire_special(d->store, path);
			}
			break;
		case HV_DOMAIN_DYING:
		case HV_DOMAIN_GONE:
			domain_forget(d, dom, "domain died");
			break;
		}
	}
	/* The bare form once per scan, however many shut down. */
	if (shutdown)
		(void)store_fire_special(d->store, "@releaseDomain");
	forget_unintroduced(d);
}

bool
domain_exists(unsigned int domid, void *arg)
{
	struct daemon *d = arg;

	return d->cfg.hv->domain_state(d, domid) != HV_DOMAIN_GONE;
}

int
domain_start(struct daemon *d)
{
	unsigned int port;
	int err;

	if (d->cfg.hv->dom0_port == NULL ||
	    d->cfg.hv->dom0_port(d, &port) != 0)
		return 0;
	err = domain_introduce(d, 0, 0, port);
	if (err != 0)
		log_err("cannot connect dom0's kernel ring: %s", strerror(err));
	return err;
}

void
domain_fini(struct daemon *d)
{
	if (d->tick_src.ready != NULL) {
		loop_remove(d, &d->tick_src);
		close(d->tick_src.fd);
		d->tick_src.ready = NULL;
	}
}
