/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_request: whole requests, from the header to the queued reply,
 * through the daemon's own dispatch (daemon/dispatch.c and every ops_*.c
 * handler, conn_tx.c, conn_queue()) on the real store, as sent by a
 * hostile unprivileged guest, with privileged requests from dom0 mixed in.
 *
 * Design: world.c builds a daemon without its loop (the tree and quotas
 * are listed there). The two connections come from conn_alloc(): no
 * transport (fd -1), so nothing is written anywhere; after each request
 * the harness takes every queued packet off both output queues
 * (conn_pop_output) and clears the daemon's dirty list, which is what
 * loop phase 3 would have done by writing them. Requests are framed by
 * the harness, not conn.c (fuzz_framer covers that), so that every input
 * byte is a header field or an argument:
 *   [sel] [type] [len lo] [len hi] [len bytes of payload, at most 4096]
 *   sel bit 7: 0 = the hostile domain 5, 1 = dom0 (privileged; only
 *   node, watch, transaction, feature and quota requests: CONTROL and
 *   the domain-management requests touch files and the hypervisor);
 *   sel bits 0..6: tx_id (0: none; ids are handed out from 1).
 *   RELEASE from dom0 is not sent: it stands for domain 5 dying and being
 *   introduced again (world_reintroduce_hostile), its connection dropped
 *   and replaced, while dom0's watches and transactions stay open.
 *
 * Checked (FUZZ_CHECK): each request gets exactly one reply, which echoes
 * its req_id and tx_id and is its type or ERROR; every packet fits the
 * wire (payload <= 4096); watch events carry two strings. While no
 * privileged request ran, domain 5 never holds more nodes, watches or
 * transactions than its quotas and the victim's secret is intact. After
 * the requests the store passes store_check(). At the end the connections are
 * freed (their watches and transactions too) and domain 5 is released as
 * domain.c does: then no watch or transaction is left, the store is
 * consistent and no node owned by 5 survives.
 */
#include <string.h>

#include "daemon/dispatch.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/world.h"

#define REQ_HDR_BYTES	4

/* What dom0 may send here (see the top comment). */
static bool
dom0_type_ok(uint32_t type)
{
	switch (type) {
	case XS_CONTROL:
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_RESUME:
	case XS_SET_TARGET:
		return false;
	default:
		return true;
	}
}

/*
 * Takes c's queued packets off its queue and checks them; returns how
 * many were replies (not watch events) to req.
 */
static unsigned int
drain(struct daemon *d, struct conn *c, const struct xsd_sockmsg *req)
{
	struct xsd_sockmsg h;
	struct conn_out *o;
	unsigned int replies = 0;
	const char *p;
	size_t plen, first;

	while ((o = c->out_head) != NULL) {
		FUZZ_CHECK(o->len >= WIRE_HDR_SIZE);
		memcpy(&h, o->data, WIRE_HDR_SIZE);
		FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
		FUZZ_CHECK(o->len == WIRE_HDR_SIZE + h.len);
		p = o->data + WIRE_HDR_SIZE;
		plen = h.len;
		if (h.type == XS_WATCH_EVENT) {
			FUZZ_CHECK(h.req_id == 0 && h.tx_id == 0);
			FUZZ_CHECK(plen >= 2 && p[plen - 1] == '\0');
			first = strnlen(p, plen);
			FUZZ_CHECK(first < plen - 1);
			FUZZ_CHECK(memchr(p + first + 1, '\0',
			    plen - first - 1) == p + plen - 1);
		} else {
			FUZZ_CHECK(req != NULL);
			FUZZ_CHECK(h.req_id == req->req_id);
			FUZZ_CHECK(h.tx_id == req->tx_id);
			FUZZ_CHECK(h.type == req->type || h.type == XS_ERROR);
			if (h.type == XS_ERROR)
				FUZZ_CHECK(plen >= 2 && p[plen - 1] == '\0' &&
				    strlen(p) == plen - 1);
			replies++;
		}
		conn_pop_output(d, c);
	}
	c->dirty = false;
	c->dirty_next = NULL;
	return replies;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn *hostile, *dom0, *c;
	struct store_stats stats;
	struct xsd_sockmsg hdr;
	bool privileged_ran = false;
	uint64_t baseline;
	struct daemon *d;
	char *payload;
	size_t len;

	d = world_new();
	store_get_stats(d->store, &stats);
	baseline = stats.nodes;
	FUZZ_CHECK(conn_alloc(d, &hostile) == 0);
	world_make_hostile(hostile);
	FUZZ_CHECK(conn_alloc(d, &dom0) == 0);
	dom0->who.domid = 0;
	dom0->who.target = STORE_DOMID_NONE;
	dom0->who.priv = true;

	while (size >= REQ_HDR_BYTES) {
		memset(&hdr, 0, sizeof(hdr));
		c = (data[0] & 0x80) ? dom0 : hostile;
		hdr.tx_id = data[0] & 0x7f;
		hdr.type = data[1];
		len = (size_t)data[2] | (size_t)data[3] << 8;
		data += REQ_HDR_BYTES;
		size -= REQ_HDR_BYTES;
		if (len > XENSTORE_PAYLOAD_MAX)
			len %= XENSTORE_PAYLOAD_MAX + 1;
		if (len > size)
			len = size;
		hdr.len = (uint32_t)len;
		hdr.req_id = (uint32_t)size;	/* distinct per request */
		if (c == dom0 && hdr.type == XS_RELEASE) {
			privileged_ran = true;
			conn_drop_state(d, hostile);
			conn_close(d, hostile, "released");
			conn_reap_closed(d);
			world_reintroduce_hostile(d);
			FUZZ_CHECK(conn_alloc(d, &hostile) == 0);
			world_make_hostile(hostile);
			(void)drain(d, dom0, NULL);
			d->dirty = NULL;
			d->dirty_tail = &d->dirty;
		}
		if (c == dom0 && !dom0_type_ok(hdr.type)) {
			data += len;
			size -= len;
			continue;
		}
		if (c == dom0)
			privileged_ran = true;
		/* An exact copy: ASan sees a read past the payload. */
		payload = talloc_size(NULL, len == 0 ? 1 : len);
		FUZZ_CHECK(payload != NULL);
		memcpy(payload, data, len);
		data += len;
		size -= len;

		dispatch_request(d, c, &hdr, payload);
		talloc_free(payload);
		FUZZ_CHECK(!hostile->closing && !dom0->closing);
		FUZZ_CHECK(drain(d, c, &hdr) == 1);
		FUZZ_CHECK(drain(d, c == dom0 ? hostile : dom0, NULL) == 0);
		d->dirty = NULL;
		d->dirty_tail = &d->dirty;
		if (!privileged_ran)
			world_check_quotas(d);
	}
	/*
	 * Once per input, not per request: store_check() walks a table of
	 * every possible domid, which would dominate the run time.
	 */
	world_check_store(d);
	if (!privileged_ran)
		world_check_victim(d);

	/* The hostile guest goes away: its connection first, as on release. */
	conn_drop_state(d, hostile);
	conn_close(d, hostile, "released");
	conn_reap_closed(d);
	(void)drain(d, dom0, NULL);
	conn_close(d, dom0, "done");
	conn_reap_closed(d);
	store_get_stats(d->store, &stats);
	FUZZ_CHECK(stats.watches == 0 && stats.transactions == 0);
	world_release_hostile(d, privileged_ran, baseline);
	d->dirty = NULL;
	d->dirty_tail = &d->dirty;
	talloc_free(d);
	return 0;
}
