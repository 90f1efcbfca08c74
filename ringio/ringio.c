/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringio.c: one guest's xenstore connection over its ring page.
 *
 * Job: turn the byte rings of ring.c into a packet connection the daemon
 * drives step by step: frame requests (header, then payload), write
 * replies and events across as many steps as the guest needs to make room,
 * stop the ring on a protocol violation (error word), and carry out a
 * guest-requested reconnection.
 *
 * State (struct ringio_conn): the page, the notify callback, the features
 * advertised, the error that stopped the ring (0 while running), the input
 * packet being assembled in a private buffer, and the offset into the
 * output packet being written. The daemon's queue, requests, watches and
 * transactions are not here: ECONNRESET tells the daemon to drop them.
 *
 * Invariants:
 *  - The feature word is written before any other word of the page is
 *    touched (ringio_conn_new), so a guest that sees no RECONNECTION bit
 *    has not yet had a byte consumed or produced.
 *  - Every step loads the connection word first, once. Non-zero means the
 *    guest (or its builder) asks for a fresh connection, and nothing else
 *    on the page is read in that step: the guest may be rewriting it.
 *  - While error != 0 no byte moves in either direction; only a
 *    reconnection (or ringio_conn_reset) clears it.
 *  - A header is validated (len <= XENSTORE_PAYLOAD_MAX) once, when its
 *    16th byte arrives, and only from the private copy in in[], which the
 *    guest cannot change afterwards; in_off never exceeds 16 + that len.
 *  - out_len != 0 iff out_off > 0: a packet is "partial" only once some of
 *    it sits in the ring, so the daemon may still replace a packet of which
 *    nothing was written.
 *  - Each step notifies at most once: after moving bytes, or after a
 *    reset, never both (a reset step moves nothing).
 *
 * Bounded work: a read step makes at most two passes (header, payload), a
 * write step one, each copying at most what the indexes read in that pass
 * allow. No loop runs over anything the guest controls.
 *
 * Must not: do I/O, read a page word twice in one decision, call back into
 * the daemon other than through notify, or free anything but on request.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "ringio/ring.h"
#include "ringio/ringio.h"

struct ringio_conn {
	void		*page;
	ringio_notify_fn *notify;
	void		*arg;
	uint32_t	 features;	/* as advertised */
	uint32_t	 error;		/* XENSTORE_ERROR_*, 0 = running */

	size_t		 in_off;	/* input packet bytes held */
	bool		 in_done;	/* in[] was handed out */
	size_t		 out_off;	/* output packet bytes written */
	size_t		 out_len;	/* its length, 0 = none partial */
	size_t		 in_dropped;	/* partial input the last reset lost */

	/* Header, payload, and a NUL after the longest payload. */
	char		 in[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX + 1];
};

int
ringio_conn_new(TALLOC_CTX *ctx, void *page, ringio_notify_fn *notify,
    void *arg, uint32_t features, struct ringio_conn **out)
{
	struct ringio_conn *rc;

	if (page == NULL || notify == NULL ||
	    (features & ~(uint32_t)RINGIO_FEATURES_ALL) != 0)
		return EINVAL;
	rc = talloc_zero(ctx, struct ringio_conn);
	if (rc == NULL)
		return ENOMEM;
	rc->page = page;
	rc->notify = notify;
	rc->arg = arg;
	rc->features = features;

	/* Advertised before anything is consumed or produced (spec). */
	ring_set_features(page, features);
	*out = rc;
	return 0;
}

/*
 * The reconnection proper. The page sequence (and its barriers) is in
 * ring_reset(); the notify comes last because Linux starts xenbus on the
 * first event after its wait without looking at the connection word
 * again, so the ring must already be fresh when the event arrives.
 */
static void
reconnect(struct ringio_conn *rc)
{
	/* A packet already handed out is the daemon's, not a partial one. */
	rc->in_dropped = rc->in_done ? 0 : rc->in_off;
	rc->in_off = 0;
	rc->in_done = false;
	rc->out_off = 0;
	rc->out_len = 0;
	rc->error = XENSTORE_ERROR_NONE;
	ring_reset(rc->page, rc->features);
	rc->notify(rc->arg);
}

/* What every step does first: the connection word, then the error. */
static int
step_begin(struct ringio_conn *rc)
{
	if (ring_connection(rc->page) != XENSTORE_CONNECTED) {
		reconnect(rc);
		return ECONNRESET;
	}
	if (rc->error != XENSTORE_ERROR_NONE)
		return ENOTCONN;
	return 0;
}

/*
 * Stops the ring. The error word is meaningful to the guest only with the
 * ERROR feature, so without it nothing is written (as C xenstored 4.21+).
 */
static int
stop(struct ringio_conn *rc, uint32_t error)
{
	rc->error = error;
	if ((rc->features & XENSTORE_SERVER_FEATURE_ERROR) != 0)
		ring_set_error(rc->page, error);
	return EPROTO;
}

/* Ends a step that moved `moved` bytes: one notify if any moved. */
static int
finish(struct ringio_conn *rc, size_t moved, int ret)
{
	if (moved > 0)
		rc->notify(rc->arg);
	return ret;
}

int
ringio_conn_read(struct ringio_conn *rc, struct xsd_sockmsg *hdr,
    const char **payload)
{
	struct xsd_sockmsg h;
	size_t got, want, moved = 0;
	int err;

	err = step_begin(rc);
	if (err != 0)
		return err;
	if (rc->in_done) {
		rc->in_done = false;
		rc->in_off = 0;
	}

	/* Pass 1: the rest of the header. */
	if (rc->in_off < WIRE_HDR_SIZE) {
		err = ring_copy_out(rc->page, rc->in + rc->in_off,
		    WIRE_HDR_SIZE - rc->in_off, &got);
		if (err != 0)
			return stop(rc, XENSTORE_ERROR_RINGIDX);
		rc->in_off += got;
		moved += got;
		if (rc->in_off < WIRE_HDR_SIZE)
			return finish(rc, moved, EAGAIN);
		memcpy(&h, rc->in, WIRE_HDR_SIZE);
		if (wire_check_header(&h) != 0)
			return stop(rc, XENSTORE_ERROR_PROTO);
	} else {
		memcpy(&h, rc->in, WIRE_HDR_SIZE);
	}
	assert(h.len <= XENSTORE_PAYLOAD_MAX);

	/* Pass 2: the rest of the payload, from indexes read afresh. */
	want = WIRE_HDR_SIZE + h.len - rc->in_off;
	if (want > 0) {
		err = ring_copy_out(rc->page, rc->in + rc->in_off, want, &got);
		if (err != 0)
			return stop(rc, XENSTORE_ERROR_RINGIDX);
		rc->in_off += got;
		moved += got;
		if (got < want)
			return finish(rc, moved, EAGAIN);
	}

	rc->in[rc->in_off] = '\0';
	rc->in_done = true;
	*hdr = h;
	*payload = rc->in + WIRE_HDR_SIZE;
	return finish(rc, moved, 0);
}

/* True if pkt[0..len) is exactly one packet with a valid header. */
static bool
one_packet(const void *pkt, size_t len)
{
	struct xsd_sockmsg h;

	if (pkt == NULL || len < WIRE_HDR_SIZE)
		return false;
	memcpy(&h, pkt, WIRE_HDR_SIZE);
	return wire_check_header(&h) == 0 && len == WIRE_HDR_SIZE + h.len;
}

int
ringio_conn_write(struct ringio_conn *rc, const void *pkt, size_t len)
{
	size_t put;
	int err;

	if (rc->out_len != 0 ? (pkt == NULL || len != rc->out_len) :
	    !one_packet(pkt, len))
		return EINVAL;
	err = step_begin(rc);
	if (err != 0)
		return err;

	err = ring_copy_in(rc->page, (const char *)pkt + rc->out_off,
	    len - rc->out_off, &put);
	if (err != 0)
		return stop(rc, XENSTORE_ERROR_RINGIDX);
	rc->out_off += put;
	if (rc->out_off == len) {
		rc->out_off = 0;
		rc->out_len = 0;
		return finish(rc, put, 0);
	}
	rc->out_len = rc->out_off != 0 ? len : 0;
	return finish(rc, put, EAGAIN);
}

int
ringio_conn_check_reconnect(struct ringio_conn *rc)
{
	if (ring_connection(rc->page) == XENSTORE_CONNECTED)
		return 0;
	reconnect(rc);
	return ECONNRESET;
}

void
ringio_conn_reset(struct ringio_conn *rc)
{
	reconnect(rc);
}

int
ringio_conn_set_error(struct ringio_conn *rc, uint32_t error)
{
	if (error != XENSTORE_ERROR_COMM && error != XENSTORE_ERROR_RINGIDX &&
	    error != XENSTORE_ERROR_PROTO)
		return EINVAL;
	if (rc->error == XENSTORE_ERROR_NONE)
		(void)stop(rc, error);
	return 0;
}

uint32_t
ringio_conn_error(const struct ringio_conn *rc)
{
	return rc->error;
}

uint32_t
ringio_conn_features(const struct ringio_conn *rc)
{
	return rc->features;
}

bool
ringio_conn_out_partial(const struct ringio_conn *rc)
{
	return rc->out_len != 0;
}

size_t
ringio_conn_dropped_input(const struct ringio_conn *rc)
{
	return rc->in_dropped;
}

int
ringio_conn_adopt(TALLOC_CTX *ctx, void *page, ringio_notify_fn *notify,
    void *arg, struct ringio_conn **out)
{
	struct ringio_conn *rc;

	if (page == NULL || notify == NULL)
		return EINVAL;
	rc = talloc_zero(ctx, struct ringio_conn);
	if (rc == NULL)
		return ENOMEM;
	rc->page = page;
	rc->notify = notify;
	rc->arg = arg;
	rc->features = ring_features(page) & RINGIO_FEATURES_ALL;
	if ((rc->features & XENSTORE_SERVER_FEATURE_ERROR) != 0)
		rc->error = ring_error(page);
	*out = rc;
	return 0;
}

void
ringio_conn_pending_in(const struct ringio_conn *rc, const char **p,
    size_t *len)
{
	*p = rc->in;
	*len = rc->in_done ? 0 : rc->in_off;
}

int
ringio_conn_restore_in(struct ringio_conn *rc, const char *p, size_t len)
{
	struct xsd_sockmsg h;

	if (len > WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX)
		return EINVAL;
	if (len >= WIRE_HDR_SIZE) {
		memcpy(&h, p, WIRE_HDR_SIZE);
		if (wire_check_header(&h) != 0 ||
		    len > WIRE_HDR_SIZE + h.len)
			return EINVAL;
	}
	memcpy(rc->in, p, len);
	rc->in_off = len;
	rc->in_done = false;
	return 0;
}

size_t
ringio_conn_out_done(const struct ringio_conn *rc)
{
	return rc->out_off;
}

int
ringio_conn_restore_out(struct ringio_conn *rc, size_t done, size_t total)
{
	if (done == 0 || done >= total)
		return EINVAL;
	rc->out_off = done;
	rc->out_len = total;
	return 0;
}

void
ringio_conn_unread(struct ringio_conn *rc)
{
	rc->in_done = false;
}
