/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest.h: the guest side of a ring page, for the ringio unit tests.
 *
 * The tests play the guest on a plain page: a well-behaved guest that
 * writes requests and reads responses (guest_send, guest_recv), plus direct
 * access to the words for the misbehaving ones. Single-threaded, so plain
 * loads and stores. Header-only (static inline) so that each test binary
 * still links only the libraries it tests.
 */
#ifndef TESTS_UNIT_RINGIO_GUEST_H
#define TESTS_UNIT_RINGIO_GUEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#define GUEST_PAGE_SIZE	4096

/* A zeroed, page-aligned 4 KiB page (NULL on failure). */
static inline struct xenstore_domain_interface *
guest_page_new(void)
{
	void *p;

	p = aligned_alloc(GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
	if (p != NULL)
		memset(p, 0, GUEST_PAGE_SIZE);
	return p;
}

/* Writes as much of buf as the request ring takes; returns the count. */
static inline size_t
guest_send(struct xenstore_domain_interface *p, const void *buf, size_t n)
{
	const char *b = buf;
	size_t i, space;

	space = XENSTORE_RING_SIZE - (p->req_prod - p->req_cons);
	if (n > space)
		n = space;
	for (i = 0; i < n; i++)
		p->req[MASK_XENSTORE_IDX(p->req_prod + i)] = b[i];
	p->req_prod += (XENSTORE_RING_IDX)n;
	return n;
}

/* Reads up to n pending response bytes into buf; returns the count. */
static inline size_t
guest_recv(struct xenstore_domain_interface *p, void *buf, size_t n)
{
	char *b = buf;
	size_t i, avail;

	avail = p->rsp_prod - p->rsp_cons;
	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		b[i] = p->rsp[MASK_XENSTORE_IDX(p->rsp_cons + i)];
	p->rsp_cons += (XENSTORE_RING_IDX)n;
	return n;
}

/*
 * Builds a packet in buf (room for 16 + len bytes): header, then len
 * payload bytes from payload (or a counting pattern if payload is NULL).
 * Returns the packet's total length.
 */
static inline size_t
guest_packet(char *buf, uint32_t type, uint32_t req_id, uint32_t tx_id,
    const void *payload, uint32_t len)
{
	struct xsd_sockmsg h;
	uint32_t i;

	h.type = type;
	h.req_id = req_id;
	h.tx_id = tx_id;
	h.len = len;
	memcpy(buf, &h, sizeof(h));
	if (payload != NULL)
		memcpy(buf + sizeof(h), payload, len);
	else
		for (i = 0; i < len; i++)
			buf[sizeof(h) + i] = (char)('a' + i % 26);
	return sizeof(h) + len;
}

/* True if all 1024 bytes of ring are "deadbeef" repeated. */
static inline int
guest_ring_scrubbed(const char *ring)
{
	static const char pattern[] = "deadbeef";
	size_t i;

	for (i = 0; i < XENSTORE_RING_SIZE; i++)
		if (ring[i] != pattern[i % 8])
			return 0;
	return 1;
}

#endif
