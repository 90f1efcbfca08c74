/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's side of a xenstore ring page (struct xenstore_domain_interface
 * in <xen/io/xs_wire.h>; docs/ring.md): produce into the request ring,
 * consume from the response ring, and read or write the control words.
 *
 * The mirror image of ringio/ring.h, written for the guest: each call loads
 * the indexes it needs once, validates them and uses only its local
 * copies. No state, no allocation, no I/O, no notification (the caller
 * signals the daemon after a call that moved bytes).
 *
 * Errors are positive errno values: EPROTO means the index pair of that
 * direction has prod - cons > XENSTORE_RING_SIZE (corruption, by the
 * daemon or by a hostile test); such a call copies nothing and moves no
 * index.
 */
#ifndef TOOLS_XS_GUEST_GUEST_RING_H
#define TOOLS_XS_GUEST_GUEST_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define GUEST_RING_PAGE_SIZE	4096

/* Byte offsets of the control words, for tests that poke them. */
#define GUEST_RING_REQ_CONS	2048
#define GUEST_RING_REQ_PROD	2052
#define GUEST_RING_RSP_CONS	2056
#define GUEST_RING_RSP_PROD	2060
#define GUEST_RING_FEATURES	2064
#define GUEST_RING_CONNECTION	2068
#define GUEST_RING_ERROR	2072
#define GUEST_RING_EVTCHN_PORT	2076

/* What xstored fills both rings with at a reset (docs/ring.md). */
#define GUEST_RING_SCRUB	"deadbeef"

/*
 * Copies up to len bytes of src into the free space of the request ring
 * and advances req_prod past them; *put says how many (0: ring full).
 * Errors: EPROTO (corrupt request indexes; *put is 0).
 */
int	guest_ring_put(void *page, const void *src, size_t len, size_t *put);

/*
 * Copies up to len pending response bytes to dst and advances rsp_cons
 * past them; *got says how many (0: nothing pending).
 * Errors: EPROTO (corrupt response indexes; *got is 0).
 */
int	guest_ring_get(void *page, void *dst, size_t len, size_t *got);

/*
 * Skips every pending response byte (rsp_cons = rsp_prod), as Linux and
 * FreeBSD do at boot so as not to read a previous kernel's leftovers;
 * *skipped says how many. Errors: EPROTO (corrupt response indexes;
 * nothing stored).
 */
int	guest_ring_skip(void *page, size_t *skipped);

/*
 * One atomic load of the 32-bit word at byte offset off (a multiple of 4,
 * at most GUEST_RING_EVTCHN_PORT); the GUEST_RING_* offsets name them.
 */
uint32_t guest_ring_word(const void *page, size_t off);

/* Stores v at word offset off (as guest_ring_word), then a full barrier. */
void	guest_ring_set_word(void *page, size_t off, uint32_t v);

/*
 * True if the connection word reads 0 (XENSTORE_CONNECTED): one load, then
 * a full barrier, so whatever the daemon wrote before clearing the word is
 * seen by the caller's next accesses.
 */
bool	guest_ring_connected(const void *page);

/*
 * Asks for a reconnection: full barrier, connection = 1, full barrier.
 * The caller notifies, then ignores every other word until the connection
 * word reads 0 (xenstore-ring.txt).
 */
void	guest_ring_request_reconnect(void *page);

/*
 * True if the page is as xstored leaves it after a reset: all four indexes
 * 0 and both 1024-byte rings holding GUEST_RING_SCRUB repeated.
 */
bool	guest_ring_is_fresh(const void *page);

/*
 * What hvmloader did before the reconnection feature existed: zero the
 * first 2064 bytes (both rings and all four indexes) with no handshake,
 * whatever the daemon is doing. For hostile tests only.
 */
void	guest_ring_zero_unsafely(void *page);

#endif
