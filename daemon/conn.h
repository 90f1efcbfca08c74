/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A client connection: over the Unix socket (conn.c) or over a guest's
 * ring page (conn_ring.c), and its table of open transactions (conn_tx.c).
 *
 * The struct is visible so that handlers can read the caller identity and
 * use the watch context; every other field belongs to the file named
 * beside it and is changed only there.
 */
#ifndef DAEMON_CONN_H
#define DAEMON_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "daemon/daemon.h"
#include "store/store.h"

struct conn_tx;
struct ringio_conn;

/* One queued output packet: header and payload, partly written at off. */
struct conn_out {
	struct conn_out	*next;
	size_t		 len;	/* header + payload */
	size_t		 off;	/* bytes already written (socket) */
	uint64_t	 queued_ms;	/* ring: when it was queued (monotonic) */
	bool		 event;		/* a WATCH_EVENT, not a reply */
	bool		 indexed;	/* in the connection's dedup table */
	struct conn_out	*dnext;		/* dedup chain (conn_dedup.c) */
	uint64_t	 dhash;		/* hash of the payload */
	char		 data[];
};

/* Output queued beyond this stops reading the client (back-pressure). */
#define CONN_OUT_SOFT	(1024 * 1024)
/*
 * Output queued beyond this ends the connection: only watch events can
 * push past the soft bound (requests are no longer read), so this is a
 * client that stopped reading while others keep changing what it watches.
 */
#define CONN_OUT_HARD	(64 * 1024 * 1024)
/* Open transactions per connection; bounds the search for a free id. */
#define CONN_TX_MAX	1024

struct conn {
	/* Read by handlers. */
	struct store_caller who;	/* socket: domid 0, privileged */
	TALLOC_CTX	*watches;	/* parent of the store watches */
	unsigned long	 id;		/* for logs */

	/* conn.c */
	struct loop_source src;		/* socket; fd -1 for a ring */
	size_t		 out_hard;	/* output bound (see conn_queue) */
	bool		 again;		/* on d->again */
	struct conn	*again_next;
	char		*in;		/* received bytes, framed in place */
	size_t		 in_len;
	struct conn_out	*out_head;
	struct conn_out	**out_tail;
	size_t		 out_bytes;	/* queued and not yet written */
	unsigned int	 out_count;	/* packets queued (outstanding) */
	struct conn_out	**dedup;	/* conn_dedup.c: queued events */
	unsigned int	 dedup_bits;	/* 1 << bits buckets */
	size_t		 dedup_count;
	bool		 charge;	/* output is charged to who.domid */
	bool		 write_blocked;	/* waiting for EPOLLOUT */
	bool		 eof;		/* the client shut down its side */
	bool		 closing;	/* condemned; freed in loop phase 4 */
	bool		 dirty;		/* on d->dirty */
	struct conn	*prev, *next;	/* d->conns */
	struct conn	*dirty_next;
	struct conn	*close_next;

	/* conn_ring.c */
	struct ringio_conn *ring;	/* NULL for a socket */
	bool		 mem_warned;	/* over the soft memory quota */
	/* conn_ring.c: reconnections logged and held back (rate limit) */
	uint64_t	 reconn_logged_ms;
	unsigned int	 reconn_unlogged;

	/* prio.c: a TRANSACTION_START waiting for its turn (sockets). */
	bool		 tx_waiting;
	bool		 tx_wait_over;	/* released: its START runs now */
	uint64_t	 tx_wait_since;
	struct conn	*tx_wait_next;

	/* lu_dump.c: the connection's id in the dump. */
	uint32_t	 lu_id;

	/* conn_tx.c */
	uint64_t	 tx_since_ms;	/* oldest open transaction (0: none) */
	struct conn_tx	*txs;
	unsigned int	 ntx;
	uint32_t	 tx_next_id;
	unsigned int	 tx_losses;	/* commits lost in a row */
};

/* ---- conn.c ---- */

/*
 * Takes ownership of a connected, nonblocking socket and registers it with
 * the loop. On failure the fd is closed. Errors: ENOMEM, epoll errors.
 */
int	conn_new(struct daemon *d, int fd);

/*
 * Queues one packet: the header (its len is set here from the iovecs) and
 * the concatenated iovecs as payload. The caller has checked the payload
 * against XENSTORE_PAYLOAD_MAX. A closing connection swallows the packet.
 * May condemn c (hard output bound); never frees it. Errors: ENOMEM.
 */
int	conn_queue(struct daemon *d, struct conn *c,
	    const struct xsd_sockmsg *hdr, const struct iovec *iov, int iovcnt);

/*
 * Marks c closing (idempotent): unregisters it from the loop and queues it
 * for loop phase 4. Never frees c. `why` is logged.
 */
void	conn_close(struct daemon *d, struct conn *c, const char *why);

/*
 * Allocates a connection with no transport (fd -1), linked into the
 * daemon's list; the caller sets it up (conn_new, conn_ring_new).
 * Errors: ENOMEM.
 */
int	conn_alloc(struct daemon *d, struct conn **out);

/* Asks loop phase 3 to service c (a ring event or the periodic scan). */
void	conn_kick(struct daemon *d, struct conn *c);

/* Asks the next loop turn to service c again without waiting. */
void	conn_again(struct daemon *d, struct conn *c);

/* Frees the packet at the head of the output queue. */
void	conn_pop_output(struct daemon *d, struct conn *c);

/*
 * Ring connections of unprivileged domains: drops the watch events that
 * have waited more than the watch-event timeout (never the head packet,
 * which may be partly in the ring). Returns how many were dropped.
 */
unsigned int conn_expire_events(struct daemon *d, struct conn *c,
	    uint64_t now_ms, uint64_t timeout_ms);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t conn_now_ms(void);

/*
 * Drops everything the connection holds for its client: queued output,
 * watches, transactions (ids restart at 1). Reconnection, ring errors,
 * release. Never frees c.
 */
void	conn_drop_state(struct daemon *d, struct conn *c);

/*
 * Live update: queues len raw bytes of output (a partly sent reply's
 * tail, or whole packets, socket only). Errors: ENOMEM.
 */
int	conn_queue_raw(struct daemon *d, struct conn *c, const void *data,
	    size_t len);
/*
 * Live update: a socket's unprocessed input. Errors: E2BIG (over the
 * input buffer).
 */
int	conn_restore_in(struct conn *c, const void *data, size_t len);

/* Loop phase 3: writes the output of every connection queued this turn. */
void	conn_drain_pending(struct daemon *d);

/* Loop phase 4: frees every connection marked closing. */
void	conn_reap_closed(struct daemon *d);

/* At exit: frees every connection (their watches and transactions too). */
void	conn_free_all(struct daemon *d);

/* ---- conn_dedup.c ---- */

/* True if o is a watch event the duplicate rule covers (not "@..."). */
bool	conn_dedup_applies(const struct conn_out *o);

/*
 * Indexes a watch event about to be queued on c; returns false, changing
 * nothing, if an identical one (same path and token) is queued and not
 * yet wholly delivered: the caller drops o. Never fails (without memory
 * the event is queued unindexed).
 */
bool	conn_dedup_add(struct conn *c, struct conn_out *o);

/* Removes o from the index (delivered or dropped); idempotent. */
void	conn_dedup_del(struct conn *c, struct conn_out *o);

/* ---- conn_ring.c ---- */

/*
 * Makes the ring connection of a domain being introduced. Takes ownership
 * of the mapping and the bound port (released when the connection is
 * freed, also on failure); writes the feature word before anything else.
 * Errors: ENOMEM, EINVAL.
 */
int	conn_ring_new(struct daemon *d, unsigned int domid, void *page,
	    unsigned int port, uint32_t features, struct conn **out);

/*
 * Live update: the ring connection of a domain another daemon served:
 * takes over the mapping and the port without writing to the page.
 * Errors: ENOMEM, EINVAL.
 */
int	conn_ring_adopt(struct daemon *d, unsigned int domid, void *page,
	    unsigned int port, struct conn **out);

/* The event-channel port a builder wrote into the page, or 0. */
unsigned int conn_ring_page_port(const void *page);

/* Loop phase 3 for a ring: reconnection check, write, read (bounded). */
void	conn_ring_service(struct daemon *d, struct conn *c);

/*
 * (Re-)INTRODUCE: drops the connection's state, resets the ring (indexes
 * 0, scrub, error and connection words 0) and notifies.
 */
void	conn_ring_restart(struct daemon *d, struct conn *c);

/* RELEASE or death: drops the state now, frees c in loop phase 4. */
void	conn_ring_release(struct daemon *d, struct conn *c);

/* ---- conn_tx.c ---- */

/*
 * Opens a store transaction for c and gives it a fresh id (from 1, never
 * 0, skipping ids in use). Errors: ENOSPC (CONN_TX_MAX or the store's
 * quota), ENOMEM.
 */
int	conn_tx_start(struct daemon *d, struct conn *c, uint32_t *id);

/* The store transaction with this id, or NULL (id 0 is never open). */
struct store_tx *conn_tx_find(const struct conn *c, uint32_t id);

/*
 * Ends transaction id: commit (then 0, EAGAIN, ENOSPC or ENOMEM from the
 * store) or abort (0). The id is gone afterwards in every case.
 * Errors: ENOENT (no such id) and the commit's errors.
 */
int	conn_tx_end(struct daemon *d, struct conn *c, uint32_t id,
	    bool commit);

/* Aborts every open transaction of c (RESET_WATCHES, XSA-484). */
void	conn_tx_reset(struct conn *c);

#endif
