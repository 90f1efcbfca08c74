/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's xenstore connection over its ring page, driven by the guest:
 * packets written into the request ring (in pieces when they do not fit),
 * packets framed out of the response ring, replies matched to requests,
 * watch events queued, the reconnection handshake, and timeouts on every
 * wait.
 *
 * The connection does no I/O of its own beyond the page: the caller gives
 * two callbacks, notify (signal the daemon's event channel) and wait
 * (sleep until the daemon signals us or a few milliseconds pass). In the
 * simulator they are guest_sim_notify and guest_sim_wait; in unit tests
 * the wait callback runs the daemon's side of the ring (ringio).
 *
 * Waiting: every blocking call polls in passes of at most
 * GUEST_CONN_PERIOD_MS, re-reading the ring on each pass, and gives up
 * with ETIMEDOUT at its deadline (ms < 0: the connection's timeout,
 * GUEST_CONN_TIMEOUT_MS unless set). Notifications are hints: nothing
 * waits for one alone.
 *
 * While the connection word is non-zero (a reconnection in progress, or a
 * dom0less builder's preset) no call touches anything else on the page.
 *
 * Errors shared by the calls (positive errno values):
 *   ETIMEDOUT  the deadline passed.
 *   EPROTO     the daemon broke the ring: response indexes with
 *              prod - cons > 1024, or a packet longer than 4096. Sticky
 *              until guest_conn_reconnect/_wait_connected/_forget.
 *   ENOBUFS    GUEST_CONN_QUEUE_MAX packets are queued unread.
 *   others     from the wait callback, which ended the wait.
 *
 * Memory: a struct guest_conn is malloc'ed; guest_conn_free releases it
 * and its queues but leaves the page and the callbacks' state alone.
 * Messages handed out belong to the caller (guest_msg_free).
 */
#ifndef TOOLS_XS_GUEST_GUEST_CONN_H
#define TOOLS_XS_GUEST_GUEST_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/xs-guest/guest_msg.h"

#define GUEST_CONN_TIMEOUT_MS	5000	/* default deadline of one wait */
#define GUEST_CONN_PERIOD_MS	10	/* longest sleep between ring checks */
#define GUEST_CONN_QUEUE_MAX	1024	/* unread packets held, all kinds */

struct guest_conn;

struct guest_conn_ops {
	/* Signals the daemon. Errors: errno (not fatal: a lost hint). */
	int	(*notify)(void *arg);
	/*
	 * Returns once the daemon signalled us (*woken = true) or ms (> 0)
	 * passed (*woken = false). Errors: errno, which ends the caller's
	 * wait with that error.
	 */
	int	(*wait)(void *arg, int ms, bool *woken);
};

/*
 * Creates a connection on a mapped page. Reads and writes nothing on the
 * page. Errors: EINVAL (NULL page, ops or callback), ENOMEM.
 */
int	guest_conn_new(void *page, const struct guest_conn_ops *ops,
	    void *arg, struct guest_conn **out);

/* Frees gc and every queued packet (NULL is fine). */
void	guest_conn_free(struct guest_conn *gc);

/* The deadline of each wait that passes ms < 0; ms must be > 0. */
void	guest_conn_set_timeout(struct guest_conn *gc, int ms);
int	guest_conn_timeout(const struct guest_conn *gc);

/* Trace packets and steps to f (NULL: quiet, the default). */
void	guest_conn_set_trace(struct guest_conn *gc, FILE *f);

/* Prints one step line to the trace stream, if any. */
void	guest_conn_logf(struct guest_conn *gc, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The page, for tests that write the words themselves. */
void	*guest_conn_page(struct guest_conn *gc);

/* Signals the daemon; a failure is reported once on stderr, not returned. */
void	guest_conn_notify(struct guest_conn *gc);

/*
 * Writes len raw bytes into the request ring, as many passes as the daemon
 * takes to consume them, notifying after each piece; meanwhile it reads
 * the response ring into the queues, so a daemon waiting for room to
 * reply cannot deadlock us. No framing: tests use it for garbage.
 * Errors: as above (ETIMEDOUT with part of buf written).
 */
int	guest_conn_write(struct guest_conn *gc, const void *buf, size_t len);

/*
 * Sends one packet: header (type, req_id, tx_id, len) then len payload
 * bytes, through guest_conn_write. Errors: E2BIG (len > 4096), as above.
 */
int	guest_conn_send(struct guest_conn *gc, uint32_t type,
	    uint32_t req_id, uint32_t tx_id, const void *payload, size_t len);

/* A fresh req_id for a request (counts up from 1, or from the next id). */
uint32_t guest_conn_next_id(struct guest_conn *gc);

/*
 * Sets the next req_id (0 is taken as 1). A guest process that takes over
 * a ring from another starts its ids elsewhere, so that a late reply to
 * the other's request is not taken for the answer to its own.
 */
void	guest_conn_set_next_id(struct guest_conn *gc, uint32_t id);

/*
 * Sends a request with req_id and waits for the reply with that req_id;
 * other replies that arrive first are dropped (traced), events queued.
 * *reply is the caller's. Errors: as above.
 */
int	guest_conn_request_id(struct guest_conn *gc, uint32_t req_id,
	    uint32_t type, uint32_t tx_id, const void *payload, size_t len,
	    struct guest_msg **reply);

/* guest_conn_request_id with guest_conn_next_id(gc). */
int	guest_conn_request(struct guest_conn *gc, uint32_t type,
	    uint32_t tx_id, const void *payload, size_t len,
	    struct guest_msg **reply);

/*
 * Waits up to ms for the next packet that is not a WATCH_EVENT (whatever
 * its req_id), queueing events meanwhile. Errors: as above.
 */
int	guest_conn_recv_reply(struct guest_conn *gc, int ms,
	    struct guest_msg **out);

/*
 * Waits up to ms for a queued or arriving WATCH_EVENT whose path and token
 * equal the given ones (NULL matches anything) and takes it from the
 * queue; the events before it stay queued in order. Errors: as above.
 */
int	guest_conn_wait_event(struct guest_conn *gc, const char *path,
	    const char *token, int ms, struct guest_msg **out);

/* Events queued now (without reading the ring). */
size_t	guest_conn_events(const struct guest_conn *gc);

/* Frees every queued event; returns how many there were. */
size_t	guest_conn_drop_events(struct guest_conn *gc);

/*
 * Reads every complete packet now in the response ring into the queues,
 * without waiting; notifies if it consumed anything. Errors: EPROTO,
 * ENOBUFS.
 */
int	guest_conn_pump(struct guest_conn *gc);

/*
 * The reconnection handshake (xenstore-ring.txt): requires the
 * RECONNECTION feature bit, writes connection = 1, notifies once, and
 * waits up to ms for the daemon to write 0. Then forgets the local state
 * as guest_conn_forget does. Errors: ENOTSUP (bit 0 not advertised;
 * nothing written), ETIMEDOUT (the word stayed non-zero: hvmloader would
 * hang forever), or the wait callback's error.
 */
int	guest_conn_reconnect(struct guest_conn *gc, int ms);

/*
 * Waits up to ms for the connection word to read 0 (a dom0less guest
 * whose builder preset it), then forgets the local state.
 * Errors: ETIMEDOUT, or the wait callback's error.
 */
int	guest_conn_wait_connected(struct guest_conn *gc, int ms);

/*
 * How a new guest process takes over a ring another process (or kernel)
 * may have left mid-stream. With reconnect, the reconnection handshake
 * (as guest_conn_reconnect) gives a clean ring; otherwise, once the
 * connection word reads 0, pending response bytes are skipped as Linux
 * does at boot (a reply half-written by the daemon can still desync us:
 * use reconnect after a guest that stopped mid-packet). Does nothing
 * while the connection word is non-zero (a dom0less preset).
 * Errors: as guest_conn_reconnect; EPROTO (corrupt response indexes).
 */
int	guest_conn_start(struct guest_conn *gc, bool reconnect);

/*
 * Drops the partial input packet, every queued packet and a sticky EPROTO:
 * for after a reset of the ring, or after a test scribbled on it.
 */
void	guest_conn_forget(struct guest_conn *gc);

/*
 * Waits up to ms for the daemon's next notification, reading nothing:
 * what Linux does at late init (it then starts xenbus without looking at
 * the connection word again). Errors: ETIMEDOUT, the wait callback's.
 */
int	guest_conn_wait_notify(struct guest_conn *gc, int ms);

/*
 * Sleeps ms through the wait callback, consuming notifications and
 * nothing else. Errors: the wait callback's.
 */
int	guest_conn_sleep(struct guest_conn *gc, int ms);

#endif
