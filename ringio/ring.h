/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore ring page: two 1024-byte byte rings with free-running
 * indexes, plus the feature, connection, error and event-channel words
 * (struct xenstore_domain_interface in <xen/io/xs_wire.h>; docs/ring.md).
 *
 * These are the server's primitive accesses to a page the guest writes
 * concurrently: each call loads the words it needs once, validates them and
 * uses only its local copies. No state, no allocation, no I/O, no
 * notification: ringio/ringio.h builds a connection on top of them.
 *
 * Errors are positive errno values: EPROTO means the guest left an index
 * pair with prod - cons > XENSTORE_RING_SIZE (corruption); such a call
 * copies nothing and moves no index.
 */
#ifndef RINGIO_RING_H
#define RINGIO_RING_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define RING_PAGE_SIZE		4096	/* the page as mapped */
/* Fills both rings at a reset. */
#define RING_SCRUB_PATTERN	"deadbeef"
/* Word after `error`, in xs_wire.h since 2025 but not in Debian's 4.17. */
#define RING_EVTCHN_PORT_OFFSET	2076

/*
 * One direction of the page, for either side (the daemon reads req and
 * writes rsp; a guest, tools/xs-guest, the opposite). ring_consume copies
 * up to len pending bytes of a data area to dst and advances its consumer
 * index; ring_produce copies up to len bytes of src into its free space and
 * advances its producer index. Each loads both indexes once, validates
 * them, and orders data and index with full barriers. *got / *put: bytes
 * moved (0: empty / full). Errors: EPROTO (prod - cons > 1024; nothing
 * moved).
 */
int	ring_consume(const char *area, uint32_t *cons, const uint32_t *prod,
	    void *dst, size_t len, size_t *got);
int	ring_produce(char *area, const uint32_t *cons, uint32_t *prod,
	    const void *src, size_t len, size_t *put);

/*
 * Copies up to len pending request bytes (guest -> server) to dst and
 * advances req_cons past them; *got says how many (0: ring empty).
 * Errors: EPROTO (corrupt req indexes; *got is 0).
 */
int	ring_copy_out(void *page, void *dst, size_t len, size_t *got);

/*
 * Copies up to len bytes of src into the free space of the response ring
 * (server -> guest) and advances rsp_prod past them; *put says how many
 * (0: ring full). Errors: EPROTO (corrupt rsp indexes; *put is 0).
 */
int	ring_copy_in(void *page, const void *src, size_t len, size_t *put);

/*
 * Resets the page for a fresh connection, in this order: barrier; all four
 * indexes 0; both rings filled with RING_SCRUB_PATTERN; server_features =
 * features; barrier; error = 0; barrier; connection = 0; barrier. The
 * caller notifies afterwards. Never fails.
 */
void	ring_reset(void *page, uint32_t features);

/* Stores the server_features word, then a full barrier. */
void	ring_set_features(void *page, uint32_t features);

/* Stores the error word (XENSTORE_ERROR_*), then a full barrier. */
void	ring_set_error(void *page, uint32_t error);

/* One atomic load of the connection word (0 = XENSTORE_CONNECTED). */
uint32_t ring_connection(const void *page);

/* One atomic load of evtchn_port (offset 2076); 0 = not provided. */
uint32_t ring_evtchn_port(const void *page);

/* The feature and error words as the page holds them (live update). */
uint32_t ring_features(const void *page);
uint32_t ring_error(const void *page);

#endif
