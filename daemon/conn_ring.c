/*
 * A guest's connection over its ring page: the same struct conn as a
 * socket client (caller identity, watches, transactions, output queue),
 * with ringio moving the bytes instead of read()/write().
 *
 * State: per connection the struct ringio_conn (partial packets in both
 * directions) and a struct ring_res that owns the mapping and the event
 * channel; both are talloc children of the connection and go with it in
 * loop phase 4, after anything that could still touch the page.
 *
 * Service (loop phase 3, conn_ring_service): check for a reconnection
 * request, write queued output, then read and run at most RING_BATCH
 * requests, writing replies as they come; a ring with more input waits for
 * the next turn (conn_again), so one busy guest cannot hold up the others.
 * Reading stops while more than RING_OUT_SOFT bytes of output wait for the
 * guest (a guest that does not read its replies stops being served, not
 * the daemon); watch events beyond RING_OUT_HARD are dropped, never queued
 * without bound.
 *
 * Reconnection (the guest sets the connection word) and a protocol error
 * (bad indexes, oversized header) both drop everything the connection
 * holds: queued output, watches (from every index), transactions. After a
 * reconnection the connection serves again from a clean ring; after an
 * error it stays stopped until the guest asks for a reconnection. The
 * domain, its nodes and permissions survive both.
 */
#include <errno.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/dispatch.h"
#include "daemon/hypervisor.h"
#include "ringio/ring.h"
#include "ringio/ringio.h"

#define RING_BATCH	32		/* requests run per service */
#define RING_OUT_SOFT	(64 * 1024)	/* stop reading requests */
#define RING_OUT_HARD	(1024 * 1024)	/* drop watch events */

struct ring_res {
	struct daemon	*d;
	unsigned int	 domid;
	unsigned int	 port;
	void		*page;
};

static int
ring_res_destroy(struct ring_res *r)
{
	r->d->cfg.hv->unbind(r->d, r->port);
	r->d->cfg.hv->unmap_ring(r->d, r->domid, r->page);
	return 0;
}

static void
ring_notify(void *arg)
{
	struct ring_res *r = arg;

	r->d->cfg.hv->notify(r->d, r->port);
}

unsigned int
conn_ring_page_port(const void *page)
{
	return ring_evtchn_port(page);
}

int
conn_ring_new(struct daemon *d, unsigned int domid, void *page,
    unsigned int port, uint32_t features, struct conn **out)
{
	struct ring_res *r;
	struct conn *c;
	int err;

	err = conn_alloc(d, &c);
	if (err != 0) {
		d->cfg.hv->unbind(d, port);
		d->cfg.hv->unmap_ring(d, domid, page);
		return err;
	}
	r = talloc_zero(c, struct ring_res);
	if (r == NULL) {
		d->cfg.hv->unbind(d, port);
		d->cfg.hv->unmap_ring(d, domid, page);
		conn_close(d, c, "out of memory");
		return ENOMEM;
	}
	r->d = d;
	r->domid = domid;
	r->port = port;
	r->page = page;
	talloc_set_destructor(r, ring_res_destroy);
	/* Advertises the features before anything else touches the ring. */
	err = ringio_conn_new(c, page, ring_notify, r, features, &c->ring);
	if (err != 0) {
		conn_close(d, c, "cannot set up the ring");
		return err;
	}
	c->who.domid = domid;
	c->who.target = STORE_DOMID_NONE;
	c->who.priv = domid == d->cfg.priv_domid;
	c->out_hard = RING_OUT_HARD;
	logs_conn(d, c, true);
	*out = c;
	return 0;
}

/* Writes queued packets into the ring until it is full. */
static void
ring_write(struct daemon *d, struct conn *c)
{
	struct conn_out *o;
	int err;

	while (!c->closing && (o = c->out_head) != NULL) {
		err = ringio_conn_write(c->ring, o->data, o->len);
		if (err == EAGAIN)
			return;
		if (err == ECONNRESET || err == EPROTO || err == ENOTCONN) {
			if (err == EPROTO)
				log_warn("domain %u: ring error %u, connection "
				    "stopped", c->who.domid,
				    ringio_conn_error(c->ring));
			conn_drop_state(d, c);
			return;
		}
		/* 0, or EINVAL for a packet the ring refuses: drop it. */
		conn_pop_output(c);
	}
}

void
conn_ring_service(struct daemon *d, struct conn *c)
{
	struct xsd_sockmsg hdr;
	const char *payload;
	int i, err;

	if (ringio_conn_check_reconnect(c->ring) == ECONNRESET) {
		log_debug("domain %u: reconnected", c->who.domid);
		conn_drop_state(d, c);
	}
	ring_write(d, c);
	for (i = 0; i < RING_BATCH && !c->closing; i++) {
		if (c->out_bytes >= RING_OUT_SOFT)
			return;
		err = ringio_conn_read(c->ring, &hdr, &payload);
		if (err == EAGAIN || err == ENOTCONN)
			return;
		if (err == ECONNRESET) {
			log_debug("domain %u: reconnected", c->who.domid);
			conn_drop_state(d, c);
			continue;
		}
		if (err != 0) {
			log_warn("domain %u: ring error %u, connection stopped",
			    c->who.domid, ringio_conn_error(c->ring));
			conn_drop_state(d, c);
			return;
		}
		dispatch_request(d, c, &hdr, payload);
		ring_write(d, c);
	}
	/* The batch is used up: more may wait; come back next turn. */
	conn_again(d, c);
}

void
conn_ring_restart(struct daemon *d, struct conn *c)
{
	conn_drop_state(d, c);
	ringio_conn_reset(c->ring);
}

void
conn_ring_release(struct daemon *d, struct conn *c)
{
	/* Quietly: watches and transactions go now, before the domain. */
	conn_drop_state(d, c);
	conn_close(d, c, "domain released");
}
