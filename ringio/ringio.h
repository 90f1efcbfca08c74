/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's xenstore connection over its ring page, driven by the daemon:
 * packets framed out of the request ring, packets written into the response
 * ring across as many steps as the guest's reading takes, the feature word,
 * the error indicator and guest-requested reconnection (docs/ring.md).
 *
 * ringio does no I/O of its own: it works on a mapped 4 KiB page and calls
 * the daemon's notify callback where the guest must be signalled. It owns
 * the partial input and output packets, so that a reconnection can drop
 * them; the daemon owns everything above (its output queue, requests,
 * watches, transactions).
 *
 * Step results shared by ringio_conn_read, ringio_conn_write and
 * ringio_conn_check_reconnect (positive errno values, 0 = success):
 *   EAGAIN      nothing complete yet; call again after the next event.
 *   ECONNRESET  the guest asked for a reconnection (connection word != 0)
 *               and the ring has been reset: empty, running, error cleared,
 *               guest notified. No byte was moved. The daemon must now drop
 *               its queued output, in-flight requests (any packet read
 *               before), watches and transactions of this connection.
 *   EPROTO      the guest broke the ring protocol in this step (indexes
 *               with prod - cons > 1024: error XENSTORE_ERROR_RINGIDX; a
 *               header with len > 4096: XENSTORE_ERROR_PROTO). The error
 *               word is set (if the ERROR feature is advertised) and the
 *               ring is stopped. Keep the domain; see ringio_conn_error().
 *   ENOTCONN    the ring is stopped by an earlier error; nothing was done.
 * Every step first checks the connection word, so a reconnection is seen
 * even on a stopped ring, and revives it.
 *
 * Memory: a struct ringio_conn is a talloc object; talloc_free() releases
 * it and nothing else (the page stays mapped: the daemon unmaps it). No
 * function frees its argument. The notify callback must not call into
 * ringio for the same connection nor free it.
 */
#ifndef RINGIO_RINGIO_H
#define RINGIO_RINGIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "protocol/wire.h"

struct ringio_conn;

/* Signals the guest's event channel; arg as given to ringio_conn_new. */
typedef void ringio_notify_fn(void *arg);

/* Every server feature bit ringio knows: 15. */
#define RINGIO_FEATURES_ALL						\
	(XENSTORE_SERVER_FEATURE_RECONNECTION |				\
	 XENSTORE_SERVER_FEATURE_ERROR |				\
	 XENSTORE_SERVER_FEATURE_WATCHDEPTH |				\
	 XENSTORE_SERVER_FEATURE_DOMID_ANY)

/*
 * Creates the connection for a mapped page and writes the feature word
 * (features, a subset of RINGIO_FEATURES_ALL) before anything else; reads
 * and writes no other word, so the indexes are left as found. Does not
 * look at the connection word: call ringio_conn_check_reconnect or
 * ringio_conn_reset next. Errors: EINVAL (NULL page or notify, unknown
 * feature bit), ENOMEM; the page is untouched on failure.
 */
int	ringio_conn_new(TALLOC_CTX *ctx, void *page,
	    ringio_notify_fn *notify, void *arg, uint32_t features,
	    struct ringio_conn **out);

/*
 * Read step: consumes request bytes towards the next packet and returns 0
 * once one is complete, with its header in *hdr and its hdr->len payload
 * bytes at *payload (followed by a NUL not counted in len). *payload
 * belongs to rc and stays valid until the next ringio_conn_read or
 * talloc_free(rc). Notifies at most once, if bytes were consumed.
 * Errors: EAGAIN (packet incomplete), ECONNRESET, EPROTO, ENOTCONN.
 */
int	ringio_conn_read(struct ringio_conn *rc, struct xsd_sockmsg *hdr,
	    const char **payload);

/*
 * Write step for one whole packet (16-byte header, then hdr.len <= 4096
 * payload bytes; len = 16 + hdr.len): copies as much of what remains of it
 * as the response ring takes. Returns 0 once the whole packet is in the
 * ring; EAGAIN if part remains: pass the same packet again after the guest
 * frees space (ringio keeps the offset). Notifies at most once, if bytes
 * were produced. Errors: EINVAL (not one packet, or not the one partly
 * written; nothing done), EAGAIN, ECONNRESET (the partial packet is
 * dropped), EPROTO, ENOTCONN.
 */
int	ringio_conn_write(struct ringio_conn *rc, const void *pkt,
	    size_t len);

/*
 * Performs the reconnection if the connection word is non-zero: for each
 * event when the daemon does not run a step (reading paused), in a slow
 * periodic scan, and at introduction (a dom0less builder pre-sets the
 * word). Returns 0 (word is 0, nothing done) or ECONNRESET.
 */
int	ringio_conn_check_reconnect(struct ringio_conn *rc);

/*
 * Resets the connection unconditionally, as a reconnection does (partial
 * packets dropped, indexes 0, rings scrubbed, features rewritten, error
 * and connection words 0, then one notify). For (re-)INTRODUCE; the daemon
 * drops its own state as after ECONNRESET. Never fails.
 */
void	ringio_conn_reset(struct ringio_conn *rc);

/*
 * Stops the ring for a reason the daemon found (XENSTORE_ERROR_COMM: the
 * event channel is unusable) and writes the error word if the ERROR
 * feature is advertised. Does not notify. The first error sticks until a
 * reconnection; a later call returns 0 and changes nothing.
 * Errors: EINVAL (error not one of XENSTORE_ERROR_COMM/RINGIDX/PROTO).
 */
int	ringio_conn_set_error(struct ringio_conn *rc, uint32_t error);

/* The XENSTORE_ERROR_* value that stopped the ring, 0 while it runs. */
uint32_t ringio_conn_error(const struct ringio_conn *rc);

/* The feature mask given to ringio_conn_new. */
uint32_t ringio_conn_features(const struct ringio_conn *rc);

/*
 * Bytes of an incomplete request (header and payload so far) that the
 * last reset dropped: 0 before any reset. For the daemon's log.
 */
size_t	ringio_conn_dropped_input(const struct ringio_conn *rc);

/* True while a packet is partly written (the daemon must keep it). */
bool	ringio_conn_out_partial(const struct ringio_conn *rc);

/*
 * Live update. ringio_conn_adopt() takes over a ring another daemon
 * served: nothing on the page is written (the features and the error
 * state are read from it, as advertised before). Errors: EINVAL, ENOMEM.
 */
int	ringio_conn_adopt(TALLOC_CTX *ctx, void *page,
	    ringio_notify_fn *notify, void *arg, struct ringio_conn **out);
/* The bytes of a packet read from the ring but not yet handed out. */
void	ringio_conn_pending_in(const struct ringio_conn *rc, const char **p,
	    size_t *len);
/*
 * Puts such bytes back (a partial packet, at most a header and a
 * payload; a complete header must be valid). Errors: EINVAL.
 */
int	ringio_conn_restore_in(struct ringio_conn *rc, const char *p,
	    size_t len);
/* How much of the packet being written is in the ring already (0). */
size_t	ringio_conn_out_done(const struct ringio_conn *rc);
/*
 * The packet being written is `total` bytes, of which `done` are in the
 * ring: the next write of that packet goes on from there. Errors: EINVAL.
 */
int	ringio_conn_restore_out(struct ringio_conn *rc, size_t done,
	    size_t total);
/* The packet ringio_conn_read() just handed out is read again next time. */
void	ringio_conn_unread(struct ringio_conn *rc);

#endif
