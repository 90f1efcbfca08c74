/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.c: the server's accesses to a xenstore ring page.
 *
 * Job: move bytes out of the request ring and into the response ring, and
 * read or write the page's control words, with the ordering the ring
 * protocol requires (docs/misc/xenstore-ring.txt; docs/ring.md here).
 * Owns no state: everything lives on the page, which the guest writes
 * concurrently and may fill with anything at any time.
 *
 * Index arithmetic: indexes are free-running uint32_t counters; byte x of
 * the stream lives at x & 1023, and prod - cons (mod 2^32) is the number of
 * pending bytes. Worked example across the wrap: cons = 0xFFFFFFFC and
 * prod = 0x00000004 give prod - cons = 8 pending bytes, found at offsets
 * 1020..1023 and then 0..3, so the copy takes two chunks. A pair with
 * prod - cons > 1024 cannot arise from a correct peer (that includes prod
 * "behind" cons, which wraps to a huge difference); exactly 1024 pending is
 * a full ring, not corruption (the case XSA-38 got wrong).
 *
 * Ordering, for every copy: load both indexes once into locals (atomic
 * loads, so a concurrent store is seen whole), validate the locals, full
 * barrier (no data byte is read or written before the indexes that allow
 * it), copy in at most two chunks, full barrier (the data is in place
 * before the index that publishes it), then one atomic store of the index
 * we own, computed from our local. Nothing read from the page is read
 * twice: a guest that changes an index under us affects only the next call.
 *
 * Invariants: a call that finds corrupt indexes copies nothing and stores
 * nothing. A copy never touches memory outside the page and the caller's
 * buffer, whatever the page holds, since every offset is masked and every
 * length is at most the locals' validated difference.
 *
 * Must not: keep state, allocate, notify, or read an index twice per call.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ringio/ring.h"

static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048,
    "ring layout: req_cons");
static_assert(offsetof(struct xenstore_domain_interface, server_features) ==
    2064, "ring layout: server_features");
static_assert(offsetof(struct xenstore_domain_interface, connection) == 2068,
    "ring layout: connection");
static_assert(offsetof(struct xenstore_domain_interface, error) == 2072,
    "ring layout: error");
static_assert(sizeof(struct xenstore_domain_interface) <=
    RING_EVTCHN_PORT_OFFSET, "ring layout: evtchn_port follows error");
static_assert(XENSTORE_RING_SIZE % (sizeof(RING_SCRUB_PATTERN) - 1) == 0,
    "the scrub pattern tiles the ring exactly");

/* Both directions see each other's stores in order; xen_mb() in Xen. */
static void
full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint32_t
load_word(const uint32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_RELAXED);
}

static void
store_word(uint32_t *w, uint32_t v)
{
	__atomic_store_n(w, v, __ATOMIC_RELAXED);
}

int
ring_consume(const char *area, uint32_t *cons_w, const uint32_t *prod_w,
    void *dst, size_t len, size_t *got)
{
	XENSTORE_RING_IDX cons, prod, pending;
	size_t n, first, off;

	*got = 0;
	cons = load_word(cons_w);
	prod = load_word(prod_w);
	pending = prod - cons;
	if (pending > XENSTORE_RING_SIZE)
		return EPROTO;
	n = pending < len ? pending : len;
	if (n == 0)
		return 0;

	full_barrier();
	off = MASK_XENSTORE_IDX(cons);
	first = XENSTORE_RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(dst, area + off, first);
	if (n > first)
		memcpy((char *)dst + first, area, n - first);
	full_barrier();

	store_word(cons_w, cons + (XENSTORE_RING_IDX)n);
	*got = n;
	return 0;
}

int
ring_produce(char *area, const uint32_t *cons_w, uint32_t *prod_w,
    const void *src, size_t len, size_t *put)
{
	XENSTORE_RING_IDX cons, prod, used;
	size_t n, first, off, space;

	*put = 0;
	cons = load_word(cons_w);
	prod = load_word(prod_w);
	used = prod - cons;
	if (used > XENSTORE_RING_SIZE)
		return EPROTO;
	space = XENSTORE_RING_SIZE - used;
	n = space < len ? space : len;
	if (n == 0)
		return 0;

	full_barrier();
	off = MASK_XENSTORE_IDX(prod);
	first = XENSTORE_RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(area + off, src, first);
	if (n > first)
		memcpy(area, (const char *)src + first, n - first);
	full_barrier();

	store_word(prod_w, prod + (XENSTORE_RING_IDX)n);
	*put = n;
	return 0;
}

int
ring_copy_out(void *page, void *dst, size_t len, size_t *got)
{
	struct xenstore_domain_interface *p = page;

	return ring_consume(p->req, &p->req_cons, &p->req_prod, dst, len, got);
}

int
ring_copy_in(void *page, const void *src, size_t len, size_t *put)
{
	struct xenstore_domain_interface *p = page;

	return ring_produce(p->rsp, &p->rsp_cons, &p->rsp_prod, src, len, put);
}

/*
 * Zero bytes would be a valid stream (16 of them are a CONTROL header with
 * an empty payload), so a scrubbed ring holds text no header can be made
 * of by accident, and that stands out in a dump.
 */
static void
scrub(char *ring)
{
	static const char pattern[] = RING_SCRUB_PATTERN;
	size_t i;

	/* Whole tiles (the static assertion above): one store per tile. */
	for (i = 0; i < XENSTORE_RING_SIZE; i += sizeof(pattern) - 1)
		memcpy(ring + i, pattern, sizeof(pattern) - 1);
}

void
ring_reset(void *page, uint32_t features)
{
	struct xenstore_domain_interface *p = page;

	/* Whatever led here (a connection word read as 1) comes first. */
	full_barrier();
	store_word(&p->req_cons, 0);
	store_word(&p->req_prod, 0);
	store_word(&p->rsp_cons, 0);
	store_word(&p->rsp_prod, 0);
	scrub(p->req);
	scrub(p->rsp);
	/* A guest may have zeroed the whole page (old hvmloader did). */
	store_word(&p->server_features, features);
	full_barrier();
	store_word(&p->error, XENSTORE_ERROR_NONE);
	full_barrier();
	/* Last: the guest ignores every other word until this reads 0. */
#ifndef XSTORED_BROKEN_KEEP_CONNECTION_WORD
	store_word(&p->connection, XENSTORE_CONNECTED);
#else
	/*
	 * The rig's negative control only (make BROKEN_RECONNECT=1,
	 * docs/xen-vm.md): the word is left as the guest set it, so a
	 * guest waiting for the reset waits for ever. Never in a product.
	 */
#endif
	full_barrier();
}

void
ring_set_features(void *page, uint32_t features)
{
	struct xenstore_domain_interface *p = page;

	store_word(&p->server_features, features);
	full_barrier();
}

void
ring_set_error(void *page, uint32_t error)
{
	struct xenstore_domain_interface *p = page;

	store_word(&p->error, error);
	full_barrier();
}

uint32_t
ring_connection(const void *page)
{
	const struct xenstore_domain_interface *p = page;

	return load_word(&p->connection);
}

uint32_t
ring_evtchn_port(const void *page)
{
	const char *base = page;

	return load_word((const uint32_t *)(base + RING_EVTCHN_PORT_OFFSET));
}

uint32_t
ring_features(const void *page)
{
	const struct xenstore_domain_interface *p = page;

	return load_word(&p->server_features);
}

uint32_t
ring_error(const void *page)
{
	const struct xenstore_domain_interface *p = page;

	return load_word(&p->error);
}
