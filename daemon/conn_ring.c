/* SPDX-License-Identifier: GPL-2.0-only */
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
 * guest, and, for an unprivileged domain, while its outstanding quota of
 * packets waits (a guest that does not read its replies stops being
 * served, not the daemon); watch events beyond RING_OUT_HARD, or beyond
 * the domain's memory quota, are dropped, never queued without bound.
 * Queued output is charged to the domain's memory (conn.c). Events an
 * unprivileged guest leaves unread longer than the watch-event timeout are
 * dropped when the connection is next serviced (the domain tick services
 * every ring every few seconds). Crossing the soft memory quota is logged
 * once per crossing.
 *
 * Reconnection (the guest sets the connection word) and a protocol error
 * (bad indexes, oversized header) both drop everything the connection
 * holds: queued output, watches (from every index), transactions. After a
 * reconnection the connection serves again from a clean ring; after an
 * error it stays stopped until the guest asks for a reconnection. The
 * domain, its nodes and permissions survive both. A reconnection is traced
 * (obj) and logged at info level, with what it dropped, so an operator
 * sees hvmloader hand the ring over without turning on debug logs; the log
 * line is rate-limited per connection (RECONN_LOG_MS), the trace is not.
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
/*
 * A guest may reconnect thousands of times a second: one info line per
 * connection per RECONN_LOG_MS at most, the rest counted into the next.
 */
#define RECONN_LOG_MS	10000

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

/*
 * One ring connection for a mapped page and its bound port: with adopt,
 * the page is taken over as a live update's old daemon left it; without,
 * the features are advertised before anything else touches the ring. On
 * failure the port is unbound and the page unmapped.
 */
static int
ring_conn_make(struct daemon *d, unsigned int domid, void *page,
    unsigned int port, uint32_t features, bool adopt, struct conn **out)
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
	err = adopt ? ringio_conn_adopt(c, page, ring_notify, r, &c->ring) :
	    ringio_conn_new(c, page, ring_notify, r, features, &c->ring);
	if (err != 0) {
		conn_close(d, c, adopt ? "cannot take the ring over" :
		    "cannot set up the ring");
		return err;
	}
	c->who.domid = domid;
	c->who.target = STORE_DOMID_NONE;
	c->who.priv = domid == d->cfg.priv_domid;
	c->out_hard = RING_OUT_HARD;
	c->charge = true;
	logs_conn(d, c, true);
	*out = c;
	return 0;
}

int
conn_ring_new(struct daemon *d, unsigned int domid, void *page,
    unsigned int port, uint32_t features, struct conn **out)
{
	return ring_conn_make(d, domid, page, port, features, false, out);
}

/* The page stays as the old daemon left it (4.17 does the same). */
int
conn_ring_adopt(struct daemon *d, unsigned int domid, void *page,
    unsigned int port, struct conn **out)
{
	return ring_conn_make(d, domid, page, port, 0, true, out);
}

/*
 * The guest asked for a reconnection and ringio has reset the ring: drop
 * everything of the connection and say what went. The watches dropped are
 * the domain's count before less after: only this connection's go.
 */
static void
ring_reconnected(struct daemon *d, struct conn *c)
{
	unsigned int domid = c->who.domid, packets = c->out_count;
	unsigned int ntx = c->ntx, w0 = 0, w1 = 0;
	size_t bytes = c->out_bytes;
	size_t partial = ringio_conn_dropped_input(c->ring);
	char detail[160];
	uint64_t now;

	(void)store_domain_usage(d->store, domid, STORE_QUOTA_WATCHES, &w0);
	conn_drop_state(d, c);
	(void)store_domain_usage(d->store, domid, STORE_QUOTA_WATCHES, &w1);
	(void)snprintf(detail, sizeof(detail), "dropped %zu partial request "
	    "bytes, %u queued packets (%zu bytes), %u watches, "
	    "%u transactions", partial, packets, bytes,
	    w0 > w1 ? w0 - w1 : 0, ntx);
	trace_conn(d, c, "RECONNECT", detail);
	now = conn_now_ms();
	if (c->reconn_logged_ms != 0 &&
	    now - c->reconn_logged_ms < RECONN_LOG_MS) {
		c->reconn_unlogged++;
		return;
	}
	if (c->reconn_unlogged > 0)
		log_info("domain %u: ring reconnected by the guest: %s "
		    "(and %u times unlogged before)", domid, detail,
		    c->reconn_unlogged);
	else
		log_info("domain %u: ring reconnected by the guest: %s",
		    domid, detail);
	c->reconn_logged_ms = now;
	c->reconn_unlogged = 0;
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
		if (err == ECONNRESET) {
			ring_reconnected(d, c);
			return;
		}
		if (err == EPROTO || err == ENOTCONN) {
			if (err == EPROTO)
				log_warn("domain %u: ring error %u, connection "
				    "stopped", c->who.domid,
				    ringio_conn_error(c->ring));
			conn_drop_state(d, c);
			return;
		}
		/* 0, or EINVAL for a packet the ring refuses: drop it. */
		conn_pop_output(d, c);
	}
}

/* The domain's quota q (0: none, also for a privileged domain). */
static unsigned int
quota_of(struct daemon *d, const struct conn *c, enum store_quota q)
{
	unsigned int v;

	if (c->who.priv ||
	    store_domain_quota_get(d->store, c->who.domid, q, &v) != 0)
		return 0;
	return v;
}

/* Logs once each time the domain's memory goes past its soft quota. */
static void
check_soft_memory(struct daemon *d, struct conn *c)
{
	unsigned int soft = quota_of(d, c, STORE_QUOTA_SOFT_MEMORY), used;

	if (soft == 0 || store_domain_usage(d->store, c->who.domid,
	    STORE_QUOTA_MEMORY, &used) != 0)
		return;
	if (used > soft && !c->mem_warned)
		log_warn("domain %u: uses %u bytes, over its soft memory "
		    "quota of %u", c->who.domid, used, soft);
	c->mem_warned = used > soft;
}

/* Drops events the guest has left unread past the watch-event timeout. */
static void
expire_events(struct daemon *d, struct conn *c)
{
	unsigned int n;

	if (c->who.priv || d->cfg.watch_event_timeout == 0 ||
	    c->out_head == NULL)
		return;
	n = conn_expire_events(d, c, conn_now_ms(),
	    (uint64_t)d->cfg.watch_event_timeout * 1000);
	if (n > 0)
		log_info("domain %u: dropped %u watch events unread for %u s",
		    c->who.domid, n, d->cfg.watch_event_timeout);
}

void
conn_ring_service(struct daemon *d, struct conn *c)
{
	struct xsd_sockmsg hdr;
	const char *payload;
	unsigned int outstanding = quota_of(d, c, STORE_QUOTA_OUTSTANDING);
	int i, err;

	if (ringio_conn_check_reconnect(c->ring) == ECONNRESET)
		ring_reconnected(d, c);
	expire_events(d, c);
	ring_write(d, c);
	for (i = 0; i < RING_BATCH && !c->closing; i++) {
		/* Back-pressure: the guest must read before it may ask. */
		if (c->out_bytes >= RING_OUT_SOFT ||
		    (outstanding != 0 && c->out_count >= outstanding))
			break;
		/* A starving toolstack transaction goes first (prio.c). */
		if (prio_holds(d, c))
			break;
		err = ringio_conn_read(c->ring, &hdr, &payload);
		if (err == EAGAIN || err == ENOTCONN)
			break;
		if (err == ECONNRESET) {
			/*
			 * Served again on the guest's next event (or the
			 * tick): a guest that keeps the word set must not
			 * have us reset its ring over and over in one turn.
			 */
			ring_reconnected(d, c);
			break;
		}
		if (err != 0) {
			log_warn("domain %u: ring error %u, connection stopped",
			    c->who.domid, ringio_conn_error(c->ring));
			conn_drop_state(d, c);
			break;
		}
		/* An update waits: the START is read again afterwards. */
		if (hdr.type == XS_TRANSACTION_START &&
		    lu_holds_start(d, c)) {
			ringio_conn_unread(c->ring);
			break;
		}
		dispatch_request(d, c, &hdr, payload);
		ring_write(d, c);
	}
	if (i > 0)
		check_soft_memory(d, c);
	/* The batch is used up: more may wait; come back next turn. */
	if (i == RING_BATCH)
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
