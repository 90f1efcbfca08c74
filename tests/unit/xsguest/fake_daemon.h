/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_daemon.h: the daemon's side of one ring page for the xs-guest unit
 * tests, built on ringio (the real server-side ring code) and a toy store.
 *
 * The guest library waits through a callback; here that callback runs one
 * step of this daemon (read requests, answer them, drain replies), so a
 * single-threaded test plays both sides and every interleaving is
 * deterministic. The toy store knows just enough of the protocol for the
 * guest scenarios: READ, WRITE, MKDIR, RM, DIRECTORY, WATCH (with its
 * initial event), UNWATCH, RESET_WATCHES, TRANSACTION_START/END (writes go
 * straight to the store; ids are checked), GET_DOMAIN_PATH; anything else
 * gets ENOSYS. Relative paths resolve under /local/domain/<domid>/.
 *
 * Knobs: `stalled` (the daemon does nothing at all), `deaf` (it reads
 * requests but never answers), `ignore_reconnect` (it does nothing while
 * the connection word is set: advertises the feature, never clears it),
 * `introduce_after` (it attaches to the page only after that many steps,
 * then resets it as at INTRODUCE), `features` (given to ringio_conn_new).
 * Header-only so that each test binary links only the libraries it tests.
 */
#ifndef TESTS_UNIT_XSGUEST_FAKE_DAEMON_H
#define TESTS_UNIT_XSGUEST_FAKE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <unistd.h>

#include "ringio/ring.h"
#include "ringio/ringio.h"
#include "tools/xs-guest/guest_conn.h"

#define FAKE_OUT_MAX	64	/* queued replies before back-pressure */
#define FAKE_NODES	64
#define FAKE_WATCHES	16
#define FAKE_PATH	128

struct fake_out {
	size_t		len;
	char		pkt[16 + XENSTORE_PAYLOAD_MAX];
};

struct fake_node {
	bool		used;
	char		path[FAKE_PATH];
	size_t		len;
	char		val[XENSTORE_PAYLOAD_MAX];
};

struct fake_watch {
	bool		used;
	char		path[FAKE_PATH];	/* as registered */
	char		abs[FAKE_PATH];		/* resolved */
	char		token[FAKE_PATH];
};

struct fake_daemon {
	void		*page;
	TALLOC_CTX	*ctx;
	struct ringio_conn *rc;
	unsigned int	 domid;
	uint32_t	 features;

	bool		 stalled;
	bool		 deaf;
	bool		 ignore_reconnect;
	int		 introduce_after;	/* steps before attaching */
	int		 steps;

	int		 guest_notifies;	/* guest -> daemon */
	int		 daemon_notifies;	/* daemon -> guest */
	int		 resets;		/* ECONNRESET seen */
	int		 requests;		/* packets read */
	int		 zero_ids;		/* ... with req_id 0 */
	struct xsd_sockmsg last_hdr;
	size_t		 last_len;
	char		 last_payload[XENSTORE_PAYLOAD_MAX + 1];

	struct fake_out	*out;			/* FAKE_OUT_MAX of them */
	size_t		 out_head, out_count;
	struct fake_node *nodes;		/* FAKE_NODES */
	struct fake_watch watches[FAKE_WATCHES];
	uint32_t	 tx_open;		/* one transaction at most */
	uint32_t	 next_tx;
};

static inline void
fake_on_notify(void *arg)
{
	struct fake_daemon *d = arg;

	d->daemon_notifies++;
}

/* A zeroed page-aligned page and a daemon for it; attach now unless
 * introduce_after is set before the first step. */
static inline void
fake_init(struct fake_daemon *d, unsigned int domid)
{
	memset(d, 0, sizeof(*d));
	d->page = aligned_alloc(4096, 4096);
	d->ctx = talloc_new(NULL);
	d->out = calloc(FAKE_OUT_MAX, sizeof(*d->out));
	d->nodes = calloc(FAKE_NODES, sizeof(*d->nodes));
	if (d->page == NULL || d->ctx == NULL || d->out == NULL ||
	    d->nodes == NULL)
		abort();
	memset(d->page, 0, 4096);
	d->domid = domid;
	d->features = RINGIO_FEATURES_ALL;
	d->next_tx = 1;
}

static inline void
fake_fini(struct fake_daemon *d)
{
	talloc_free(d->ctx);
	free(d->page);
	free(d->out);
	free(d->nodes);
	memset(d, 0, sizeof(*d));
}

/* Creates the ringio connection and resets the page (INTRODUCE). */
static inline void
fake_attach(struct fake_daemon *d, bool reset)
{
	if (ringio_conn_new(d->ctx, d->page, fake_on_notify, d, d->features,
	    &d->rc) != 0)
		abort();
	if (reset)
		ringio_conn_reset(d->rc);
}

static inline void
fake_drop_state(struct fake_daemon *d)
{
	d->out_head = d->out_count = 0;
	memset(d->watches, 0, sizeof(d->watches));
	d->tx_open = 0;
}

static inline void
fake_queue(struct fake_daemon *d, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const void *body, size_t len)
{
	struct fake_out *o;
	struct xsd_sockmsg h;

	if (d->out_count == FAKE_OUT_MAX || len > XENSTORE_PAYLOAD_MAX)
		return;		/* dropped, as an over-quota event would be */
	o = &d->out[(d->out_head + d->out_count++) % FAKE_OUT_MAX];
	h.type = type;
	h.req_id = req_id;
	h.tx_id = tx_id;
	h.len = (uint32_t)len;
	memcpy(o->pkt, &h, sizeof(h));
	memcpy(o->pkt + sizeof(h), body, len);
	o->len = sizeof(h) + len;
}

static inline void
fake_error(struct fake_daemon *d, const struct xsd_sockmsg *h,
    const char *name)
{
	fake_queue(d, XS_ERROR, h->req_id, h->tx_id, name, strlen(name) + 1);
}

static inline void
fake_ok(struct fake_daemon *d, const struct xsd_sockmsg *h)
{
	fake_queue(d, h->type, h->req_id, h->tx_id, "OK", 3);
}

/* Resolves a relative path into abs; false if too long or empty. */
static inline bool
fake_resolve(const struct fake_daemon *d, const char *path, char *abs)
{
	int n;

	if (path[0] == '\0')
		return false;
	if (path[0] == '/' || path[0] == '@')
		n = snprintf(abs, FAKE_PATH, "%s", path);
	else
		n = snprintf(abs, FAKE_PATH, "/local/domain/%u/%s", d->domid,
		    path);
	return n > 0 && n < FAKE_PATH;
}

static inline struct fake_node *
fake_find(struct fake_daemon *d, const char *abs)
{
	int i;

	for (i = 0; i < FAKE_NODES; i++)
		if (d->nodes[i].used && strcmp(d->nodes[i].path, abs) == 0)
			return &d->nodes[i];
	return NULL;
}

/* Fires every watch on abs or an ancestor of it. */
static inline void
fake_fire(struct fake_daemon *d, const char *abs)
{
	char ev[2 * FAKE_PATH + 2], rel[FAKE_PATH];
	const char *p;
	size_t wl, pl, tl;
	int i;

	snprintf(rel, sizeof(rel), "/local/domain/%u/", d->domid);
	for (i = 0; i < FAKE_WATCHES; i++) {
		struct fake_watch *w = &d->watches[i];

		wl = strlen(w->abs);
		if (!w->used || strncmp(abs, w->abs, wl) != 0 ||
		    (abs[wl] != '\0' && abs[wl] != '/'))
			continue;
		p = abs;
		if (w->path[0] != '/' && strncmp(abs, rel, strlen(rel)) == 0)
			p = abs + strlen(rel);
		pl = strlen(p);
		tl = strlen(w->token);
		memcpy(ev, p, pl + 1);
		memcpy(ev + pl + 1, w->token, tl + 1);
		fake_queue(d, XS_WATCH_EVENT, 0, 0, ev, pl + tl + 2);
	}
}

static inline void
fake_handle(struct fake_daemon *d, const struct xsd_sockmsg *h,
    const char *pl)
{
	char abs[FAKE_PATH], buf[XENSTORE_PAYLOAD_MAX];
	struct fake_node *n;
	size_t plen, off, l;
	int i;

	d->requests++;
	if (h->req_id == 0)
		d->zero_ids++;
	d->last_hdr = *h;
	d->last_len = h->len;
	memcpy(d->last_payload, pl, h->len);
	if (d->deaf)
		return;
	if (h->tx_id != 0 && h->tx_id != d->tx_open &&
	    h->type != XS_WATCH && h->type != XS_UNWATCH) {
		fake_error(d, h, "ENOENT");
		return;
	}
	plen = strnlen(pl, h->len);
	switch (h->type) {
	case XS_READ:
		if (!fake_resolve(d, pl, abs))
			fake_error(d, h, "EINVAL");
		else if ((n = fake_find(d, abs)) == NULL)
			fake_error(d, h, "ENOENT");
		else
			fake_queue(d, XS_READ, h->req_id, h->tx_id, n->val,
			    n->len);
		break;
	case XS_WRITE:
	case XS_MKDIR:
		if (plen == h->len || !fake_resolve(d, pl, abs)) {
			fake_error(d, h, "EINVAL");
			break;
		}
		n = fake_find(d, abs);
		for (i = 0; n == NULL && i < FAKE_NODES; i++)
			if (!d->nodes[i].used) {
				n = &d->nodes[i];
				n->used = true;
				snprintf(n->path, sizeof(n->path), "%s", abs);
				n->len = 0;
			}
		if (n == NULL) {
			fake_error(d, h, "ENOSPC");
			break;
		}
		if (h->type == XS_WRITE) {
			n->len = h->len - plen - 1;
			memcpy(n->val, pl + plen + 1, n->len);
		}
		fake_ok(d, h);
		fake_fire(d, abs);
		break;
	case XS_RM:
		if (!fake_resolve(d, pl, abs)) {
			fake_error(d, h, "EINVAL");
			break;
		}
		if ((n = fake_find(d, abs)) != NULL)
			n->used = false;
		fake_ok(d, h);
		fake_fire(d, abs);
		break;
	case XS_DIRECTORY:
		if (!fake_resolve(d, pl, abs)) {
			fake_error(d, h, "EINVAL");
			break;
		}
		l = strlen(abs);
		off = 0;
		for (i = 0; i < FAKE_NODES; i++) {
			const char *c = d->nodes[i].path + l;

			if (!d->nodes[i].used ||
			    strncmp(d->nodes[i].path, abs, l) != 0 ||
			    c[0] != '/' || strchr(c + 1, '/') != NULL)
				continue;
			memcpy(buf + off, c + 1, strlen(c + 1) + 1);
			off += strlen(c + 1) + 1;
		}
		fake_queue(d, XS_DIRECTORY, h->req_id, h->tx_id, buf, off);
		break;
	case XS_WATCH:
		if (plen == h->len || !fake_resolve(d, pl, abs)) {
			fake_error(d, h, "EINVAL");
			break;
		}
		for (i = 0; i < FAKE_WATCHES && d->watches[i].used; i++)
			;
		if (i == FAKE_WATCHES) {
			fake_error(d, h, "ENOSPC");
			break;
		}
		d->watches[i].used = true;
		snprintf(d->watches[i].path, FAKE_PATH, "%s", pl);
		snprintf(d->watches[i].abs, FAKE_PATH, "%s", abs);
		snprintf(d->watches[i].token, FAKE_PATH, "%s", pl + plen + 1);
		fake_ok(d, h);
		/* The initial event: the path as given. */
		fake_queue(d, XS_WATCH_EVENT, 0, 0, pl, h->len);
		break;
	case XS_UNWATCH:
		for (i = 0; i < FAKE_WATCHES; i++)
			if (d->watches[i].used &&
			    strcmp(d->watches[i].path, pl) == 0 &&
			    plen < h->len &&
			    strcmp(d->watches[i].token, pl + plen + 1) == 0)
				break;
		if (i == FAKE_WATCHES) {
			fake_error(d, h, "ENOENT");
			break;
		}
		d->watches[i].used = false;
		fake_ok(d, h);
		break;
	case XS_RESET_WATCHES:
		memset(d->watches, 0, sizeof(d->watches));
		d->tx_open = 0;
		fake_ok(d, h);
		break;
	case XS_TRANSACTION_START:
		if (d->tx_open != 0) {
			fake_error(d, h, "EBUSY");
			break;
		}
		d->tx_open = d->next_tx++;
		l = (size_t)snprintf(buf, sizeof(buf), "%u", d->tx_open);
		fake_queue(d, h->type, h->req_id, 0, buf, l + 1);
		break;
	case XS_TRANSACTION_END:
		if (h->tx_id == 0 || h->tx_id != d->tx_open) {
			fake_error(d, h, "ENOENT");
			break;
		}
		d->tx_open = 0;
		fake_ok(d, h);
		break;
	case XS_GET_DOMAIN_PATH:
		l = (size_t)snprintf(buf, sizeof(buf), "/local/domain/%s", pl);
		fake_queue(d, h->type, h->req_id, h->tx_id, buf, l + 1);
		break;
	default:
		fake_error(d, h, "ENOSYS");
		break;
	}
}

/* One daemon step: read what it may, answer, drain. */
static inline void
fake_step(struct fake_daemon *d)
{
	struct xsd_sockmsg h;
	const char *pl;
	struct fake_out *o;
	int err, n;

	d->steps++;
	if (d->stalled || (d->ignore_reconnect && ring_connection(d->page)))
		return;
	if (d->rc == NULL) {
		if (d->steps <= d->introduce_after)
			return;
		fake_attach(d, true);
	}
	/* Back-pressure: stop reading while the queue is full. */
	for (n = 0; n < 8 && d->out_count < FAKE_OUT_MAX - 8; n++) {
		err = ringio_conn_read(d->rc, &h, &pl);
		if (err == ECONNRESET) {
			d->resets++;
			fake_drop_state(d);
			continue;
		}
		if (err != 0)
			break;
		fake_handle(d, &h, pl);
	}
	while (d->out_count > 0) {
		o = &d->out[d->out_head];
		err = ringio_conn_write(d->rc, o->pkt, o->len);
		if (err == ECONNRESET) {
			d->resets++;
			fake_drop_state(d);
			break;
		}
		if (err != 0)
			break;
		d->out_head = (d->out_head + 1) % FAKE_OUT_MAX;
		d->out_count--;
	}
	if (ringio_conn_check_reconnect(d->rc) == ECONNRESET) {
		d->resets++;
		fake_drop_state(d);
	}
}

static inline int
fake_notify_cb(void *arg)
{
	struct fake_daemon *d = arg;

	d->guest_notifies++;
	return 0;
}

/* The guest's wait: one daemon step; woken if the daemon notified. */
static inline int
fake_wait_cb(void *arg, int ms, bool *woken)
{
	struct fake_daemon *d = arg;
	int before = d->daemon_notifies;

	(void)ms;
	fake_step(d);
	*woken = d->daemon_notifies != before;
	/* Keep a stalled daemon from spinning a core at full speed. */
	if (d->stalled || d->deaf)
		usleep(200);
	return 0;
}

static const struct guest_conn_ops fake_ops = {
	.notify = fake_notify_cb,
	.wait = fake_wait_cb,
};

#endif
