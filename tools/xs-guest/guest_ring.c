/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_ring.c: the guest's accesses to its xenstore ring page.
 *
 * Job: move bytes into the request ring and out of the response ring, and
 * read or write the page's control words, with the ordering the ring
 * protocol asks of a guest (docs/misc/xenstore-ring.txt; docs/ring.md).
 * Owns no state: everything lives on the page, which the daemon writes
 * concurrently (from another process, through a MAP_SHARED file in the
 * simulator).
 *
 * Index arithmetic: free-running uint32_t counters; stream byte x lives at
 * x & 1023 and prod - cons (mod 2^32) is the number of pending bytes, so
 * the wrap at 2^32 costs nothing. Example: req_cons = 0xFFFFFFFE and
 * req_prod = 0xFFFFFFFE leave 1024 bytes free; putting 6 bytes writes ring
 * offsets 1022, 1023, 0, 1, 2, 3 and stores req_prod = 4.
 *
 * Ordering: the copies are ringio's ring_produce / ring_consume, the same
 * code the daemon uses for the opposite directions: load both indexes
 * once, validate, full barrier, copy in at most two chunks, full barrier,
 * one atomic store of the index this side owns.
 *
 * Must not: keep state, allocate, notify, or read an index twice per call.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ringio/ring.h"
#include "tools/xs-guest/guest_ring.h"

static_assert(offsetof(struct xenstore_domain_interface, req_cons) ==
    GUEST_RING_REQ_CONS, "ring layout: req_cons");
static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) ==
    GUEST_RING_RSP_PROD, "ring layout: rsp_prod");
static_assert(offsetof(struct xenstore_domain_interface, server_features) ==
    GUEST_RING_FEATURES, "ring layout: server_features");
static_assert(offsetof(struct xenstore_domain_interface, connection) ==
    GUEST_RING_CONNECTION, "ring layout: connection");
static_assert(offsetof(struct xenstore_domain_interface, error) ==
    GUEST_RING_ERROR, "ring layout: error");
static_assert(XENSTORE_RING_SIZE % (sizeof(GUEST_RING_SCRUB) - 1) == 0,
    "the scrub pattern tiles the ring exactly");

/* Both sides see each other's stores in order; xen_mb() in Xen. */
static void
full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint32_t *
word_at(void *page, size_t off)
{
	assert(off % 4 == 0 && off <= GUEST_RING_EVTCHN_PORT);
	return (uint32_t *)((char *)page + off);
}

static const uint32_t *
cword_at(const void *page, size_t off)
{
	assert(off % 4 == 0 && off <= GUEST_RING_EVTCHN_PORT);
	return (const uint32_t *)((const char *)page + off);
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
guest_ring_put(void *page, const void *src, size_t len, size_t *put)
{
	struct xenstore_domain_interface *p = page;

	return ring_produce(p->req, &p->req_cons, &p->req_prod, src, len, put);
}

int
guest_ring_get(void *page, void *dst, size_t len, size_t *got)
{
	struct xenstore_domain_interface *p = page;

	return ring_consume(p->rsp, &p->rsp_cons, &p->rsp_prod, dst, len, got);
}

int
guest_ring_skip(void *page, size_t *skipped)
{
	struct xenstore_domain_interface *p = page;
	XENSTORE_RING_IDX cons, prod;

	*skipped = 0;
	cons = load_word(&p->rsp_cons);
	prod = load_word(&p->rsp_prod);
	if (prod - cons > XENSTORE_RING_SIZE)
		return EPROTO;
	full_barrier();
	store_word(&p->rsp_cons, prod);
	*skipped = prod - cons;
	return 0;
}

uint32_t
guest_ring_word(const void *page, size_t off)
{
	return load_word(cword_at(page, off));
}

void
guest_ring_set_word(void *page, size_t off, uint32_t v)
{
	store_word(word_at(page, off), v);
	full_barrier();
}

bool
guest_ring_connected(const void *page)
{
	uint32_t c;

	c = guest_ring_word(page, GUEST_RING_CONNECTION);
	/* The reset the daemon did before clearing the word is seen next. */
	full_barrier();
	return c == XENSTORE_CONNECTED;
}

void
guest_ring_request_reconnect(void *page)
{
	/* Every earlier access to the page comes before the request. */
	full_barrier();
	guest_ring_set_word(page, GUEST_RING_CONNECTION, XENSTORE_RECONNECT);
}

static bool
scrubbed(const char *ring)
{
	static const char pattern[] = GUEST_RING_SCRUB;
	size_t i;

	for (i = 0; i < XENSTORE_RING_SIZE; i++)
		if (ring[i] != pattern[i % (sizeof(pattern) - 1)])
			return false;
	return true;
}

bool
guest_ring_is_fresh(const void *page)
{
	const struct xenstore_domain_interface *p = page;

	if (load_word(&p->req_cons) != 0 || load_word(&p->req_prod) != 0 ||
	    load_word(&p->rsp_cons) != 0 || load_word(&p->rsp_prod) != 0)
		return false;
	full_barrier();
	return scrubbed(p->req) && scrubbed(p->rsp);
}

void
guest_ring_zero_unsafely(void *page)
{
	memset(page, 0, GUEST_RING_FEATURES);
	full_barrier();
}
