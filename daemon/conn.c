/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A client connection on the Unix socket: a nonblocking fd, the input
 * framer and the output queue, and the connection's life cycle.
 *
 * State: per connection, the input buffer (received bytes not yet run),
 * the queue of output packets (talloc'ed under the connection), and the
 * daemon's lists of connections (all, dirty, closing). A watch event
 * identical to one still queued is not queued again (conn_dedup.c).
 *
 * Framing: a packet is a 16-byte header then hdr.len payload bytes. Bytes
 * arrive in any split (header and arguments in separate writes, one byte
 * at a time, many requests in one write); every complete packet in the
 * buffer is run in order. The header is checked as soon as its 16 bytes
 * are in: len > 4096 ends this connection only (logged with a sanitised
 * sample), before any payload is waited for.
 *
 * Invariants:
 *  - in_len < CONN_IN_SIZE after each framing pass unless back-pressure
 *    stopped it; the buffer always has room for one maximal packet
 *    (16 + 4096) after the complete ones are consumed.
 *  - Back-pressure: while out_bytes >= CONN_OUT_SOFT we neither run
 *    buffered requests nor read (EPOLLIN off), so a client that does not
 *    read its replies cannot make us queue more than one reply's worth
 *    past the bound. Watch events still queue up to CONN_OUT_HARD.
 *  - A connection is freed only in loop phase 4 (conn_reap_closed), never
 *    inside its own callback; at that point it is on no other list.
 *  - Per turn, one read of at most CONN_IN_SIZE bytes per connection: a
 *    busy client cannot starve the others.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/dispatch.h"
#include "ringio/ringio.h"

#define CONN_IN_SIZE	(2 * (WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX))
#define CONN_IOV_MAX	64	/* packets per sendmsg */

static void	conn_ready(struct daemon *d, void *obj, uint32_t events);

static int
conn_destroy(struct conn *c)
{
	if (c->src.fd != -1)
		close(c->src.fd);
	c->src.fd = -1;
	return 0;
}

int
conn_alloc(struct daemon *d, struct conn **out)
{
	struct conn *c;

	c = talloc_zero(d->ctx, struct conn);
	if (c == NULL)
		return ENOMEM;
	c->src.fd = -1;
	talloc_set_destructor(c, conn_destroy);
	c->watches = talloc_new(c);
	if (c->watches == NULL) {
		talloc_free(c);
		return ENOMEM;
	}
	c->out_hard = CONN_OUT_HARD;
	c->out_tail = &c->out_head;
	c->tx_next_id = 1;
	c->id = ++d->conn_seq;
	c->next = d->conns;
	if (d->conns != NULL)
		d->conns->prev = c;
	d->conns = c;
	d->nconns++;
	*out = c;
	return 0;
}

int
conn_new(struct daemon *d, int fd)
{
	struct conn *c;
	int err;

	if ((err = conn_alloc(d, &c)) != 0) {
		close(fd);
		return err;
	}
	c->src.fd = fd;
	c->in = talloc_size(c, CONN_IN_SIZE);
	if (c->in == NULL) {
		conn_close(d, c, "out of memory");
		return ENOMEM;
	}
	c->who.domid = 0;
	c->who.target = STORE_DOMID_NONE;
	c->who.priv = true;
	err = loop_add(d, &c->src, fd, EPOLLIN, conn_ready, c);
	if (err != 0) {
		conn_close(d, c, strerror(err));
		return err;
	}
	log_debug("conn %lu: new (%u open)", c->id, d->nconns);
	logs_conn(d, c, true);
	return 0;
}

static void
mark_dirty(struct daemon *d, struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = NULL;
	*d->dirty_tail = c;
	d->dirty_tail = &c->dirty_next;
}

int
conn_queue(struct daemon *d, struct conn *c, const struct xsd_sockmsg *hdr,
    const struct iovec *iov, int iovcnt)
{
	struct conn_out *o;
	struct xsd_sockmsg h;
	size_t len = 0, off;
	int i;

	if (c->closing || (c->ring != NULL && ringio_conn_error(c->ring) != 0))
		return 0;
	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (c->out_bytes + WIRE_HDR_SIZE + len > c->out_hard) {
		/*
		 * A guest that does not read loses events (its requests are
		 * no longer read); a socket client is disconnected.
		 */
		if (c->ring != NULL) {
			log_debug("conn %lu: output full, event dropped",
			    c->id);
			return 0;
		}
		conn_close(d, c, "output queue over its hard bound");
		return 0;
	}
	/*
	 * A guest over its memory quota loses watch events (C drops them
	 * too); its replies are bounded by the outstanding quota instead.
	 */
	if (c->charge && hdr->type == XS_WATCH_EVENT &&
	    store_domain_mem_over(d->store, &c->who,
	    sizeof(*o) + WIRE_HDR_SIZE + len)) {
		log_debug("conn %lu: domain %u over its memory quota, event "
		    "dropped", c->id, c->who.domid);
		return 0;
	}
	o = talloc_size(c, sizeof(*o) + WIRE_HDR_SIZE + len);
	if (o == NULL)
		return ENOMEM;
	talloc_set_name_const(o, "struct conn_out");
	h = *hdr;
	h.len = (uint32_t)len;
	memcpy(o->data, &h, WIRE_HDR_SIZE);
	off = WIRE_HDR_SIZE;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(o->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	o->next = NULL;
	o->len = off;
	o->off = 0;
	o->event = hdr->type == XS_WATCH_EVENT;
	o->indexed = false;
	o->dnext = NULL;
	/* An identical event still queued tells the watcher already. */
	if (conn_dedup_applies(o) && !conn_dedup_add(c, o)) {
		talloc_free(o);
		return 0;
	}
	o->queued_ms = c->ring != NULL ? conn_now_ms() : 0;
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->out_bytes += off;
	c->out_count++;
	if (c->charge)
		store_domain_charge(d->store, c->who.domid,
		    (int64_t)(sizeof(*o) + off));
	logs_packet_out(d, c, &h, o->data + WIRE_HDR_SIZE);
	mark_dirty(d, c);
	return 0;
}

void
conn_close(struct daemon *d, struct conn *c, const char *why)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->src.fd != -1)
		loop_remove(d, &c->src);
	c->close_next = d->closing;
	d->closing = c;
	log_debug("conn %lu: closing: %s", c->id, why);
}

/*
 * Registers the events c wants now: input unless held back or ended,
 * output while blocked.
 */
static void
update_events(struct daemon *d, struct conn *c)
{
	uint32_t ev = 0;
	int err;

	if (c->closing || c->ring != NULL)
		return;
	if (!c->eof && c->out_bytes < CONN_OUT_SOFT && !c->tx_waiting)
		ev |= EPOLLIN;
	if (c->write_blocked)
		ev |= EPOLLOUT;
	err = loop_modify(d, &c->src, ev);
	if (err != 0)
		conn_close(d, c, strerror(err));
}

/*
 * Runs every complete request in the input buffer, in order, until the
 * buffer holds only a partial packet or back-pressure stops us.
 */
static void
process_input(struct daemon *d, struct conn *c)
{
	struct xsd_sockmsg hdr;
	char sample[LOG_SAMPLE_SIZE];
	size_t off = 0;

	while (!c->closing && c->out_bytes < CONN_OUT_SOFT) {
		if (c->in_len - off < WIRE_HDR_SIZE)
			break;
		memcpy(&hdr, c->in + off, WIRE_HDR_SIZE);
		if (wire_check_header(&hdr) != 0) {
			log_warn("conn %lu: packet length %u over %u, "
			    "closing; header %s", c->id, hdr.len,
			    XENSTORE_PAYLOAD_MAX, log_sample(c->in + off,
			    WIRE_HDR_SIZE, sample, sizeof(sample)));
			conn_close(d, c, "oversized packet");
			return;
		}
		if (c->in_len - off < WIRE_HDR_SIZE + (size_t)hdr.len)
			break;
		/* Held back: an update waits, or a starving transaction. */
		if (hdr.type == XS_TRANSACTION_START &&
		    (lu_holds_start(d, c) || prio_start_waits(d, c)))
			break;
		dispatch_request(d, c, &hdr, c->in + off + WIRE_HDR_SIZE);
		off += WIRE_HDR_SIZE + hdr.len;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

/* True if the buffer holds at least one whole packet not yet run. */
static bool
input_pending(const struct conn *c)
{
	struct xsd_sockmsg hdr;

	if (c->in_len < WIRE_HDR_SIZE)
		return false;
	memcpy(&hdr, c->in, WIRE_HDR_SIZE);
	return hdr.len > XENSTORE_PAYLOAD_MAX ||
	    c->in_len >= WIRE_HDR_SIZE + (size_t)hdr.len;
}

/*
 * After reading or writing: a client that shut down its side and has
 * nothing left to run or receive is done; otherwise re-arm.
 */
static void
settle(struct daemon *d, struct conn *c)
{
	if (c->closing)
		return;
	if (c->eof && c->out_head == NULL && !input_pending(c)) {
		conn_close(d, c, "client closed");
		return;
	}
	update_events(d, c);
}

static void
read_input(struct daemon *d, struct conn *c)
{
	ssize_t n;
	size_t space;

	space = CONN_IN_SIZE - c->in_len;
	if (space == 0 || c->eof)
		return;
	n = read(c->src.fd, c->in + c->in_len, space);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_close(d, c, strerror(errno));
		return;
	}
	if (n == 0) {
		c->eof = true;
		if (c->in_len > 0 && !input_pending(c)) {
			conn_close(d, c, "client closed mid-packet");
			return;
		}
	}
	c->in_len += (size_t)n;
	process_input(d, c);
	settle(d, c);
}

/* Frees the packets the last write completed. */
static void
consume_output(struct conn *c, size_t n)
{
	struct conn_out *o;
	size_t left;

	while (n > 0 && (o = c->out_head) != NULL) {
		left = o->len - o->off;
		if (n < left) {
			o->off += n;
			c->out_bytes -= n;
			return;
		}
		n -= left;
		c->out_bytes -= left;
		c->out_count--;
		c->out_head = o->next;
		if (c->out_head == NULL)
			c->out_tail = &c->out_head;
		conn_dedup_del(c, o);
		talloc_free(o);
	}
}

/*
 * Writes as much queued output as the socket takes. Bounded by the queue,
 * itself bounded by CONN_OUT_HARD; stops at the first EAGAIN.
 */
static void
write_output(struct daemon *d, struct conn *c)
{
	struct iovec iov[CONN_IOV_MAX];
	struct msghdr msg;
	struct conn_out *o;
	ssize_t n;
	int cnt;

	while (c->out_head != NULL) {
		cnt = 0;
		for (o = c->out_head; o != NULL && cnt < CONN_IOV_MAX;
		    o = o->next) {
			iov[cnt].iov_base = o->data + o->off;
			iov[cnt].iov_len = o->len - o->off;
			cnt++;
		}
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)cnt;
		n = sendmsg(c->src.fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->write_blocked = true;
				return;
			}
			conn_close(d, c, strerror(errno));
			return;
		}
		consume_output(c, (size_t)n);
	}
	c->write_blocked = false;
}

/*
 * Writes, then, if that released the back-pressure, runs the requests
 * that were held back in the buffer.
 */
static void
flush(struct daemon *d, struct conn *c)
{
	write_output(d, c);
	if (c->closing)
		return;
	if (c->out_bytes < CONN_OUT_SOFT && input_pending(c))
		process_input(d, c);
	settle(d, c);
}

static void
conn_ready(struct daemon *d, void *obj, uint32_t events)
{
	struct conn *c = obj;

	/* A stale event: c was condemned earlier in this batch. */
	if (c->closing)
		return;
	if (events & EPOLLERR) {
		conn_close(d, c, "socket error");
		return;
	}
	/*
	 * On a hang-up with output pending the write fails and closes c;
	 * with nothing pending, reading finds the end of input.
	 */
	if (events & (EPOLLOUT | EPOLLHUP) && c->out_head != NULL)
		flush(d, c);
	if (c->closing)
		return;
	if (!(events & (EPOLLIN | EPOLLHUP)))
		return;
	if (c->out_bytes < CONN_OUT_SOFT)
		read_input(d, c);
	else
		update_events(d, c);	/* held back: stop EPOLLIN firing */
}

void
conn_kick(struct daemon *d, struct conn *c)
{
	if (!c->closing)
		mark_dirty(d, c);
}

void
conn_again(struct daemon *d, struct conn *c)
{
	if (c->again || c->closing)
		return;
	c->again = true;
	c->again_next = d->again;
	d->again = c;
}

/* Unlinks o (after prev, or the head if prev is NULL) and frees it. */
static void
out_free(struct daemon *d, struct conn *c, struct conn_out *prev,
    struct conn_out *o)
{
	if (prev != NULL)
		prev->next = o->next;
	else
		c->out_head = o->next;
	if (c->out_tail == &o->next)
		c->out_tail = prev != NULL ? &prev->next : &c->out_head;
	c->out_bytes -= o->len - o->off;
	c->out_count--;
	conn_dedup_del(c, o);
	if (c->charge)
		store_domain_charge(d->store, c->who.domid,
		    -(int64_t)(sizeof(*o) + o->len));
	talloc_free(o);
}

void
conn_pop_output(struct daemon *d, struct conn *c)
{
	if (c->out_head != NULL)
		out_free(d, c, NULL, c->out_head);
}

uint64_t
conn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

unsigned int
conn_expire_events(struct daemon *d, struct conn *c, uint64_t now_ms,
    uint64_t timeout_ms)
{
	struct conn_out *prev, *o, *next;
	unsigned int n = 0;

	/* The head is the oldest packet: if it is young, all are. */
	if (c->out_head == NULL || c->out_head->queued_ms + timeout_ms > now_ms)
		return 0;
	prev = c->out_head;
	for (o = prev->next; o != NULL; o = next) {
		next = o->next;
		if (o->event && o->queued_ms + timeout_ms <= now_ms) {
			out_free(d, c, prev, o);
			n++;
		} else {
			prev = o;
		}
	}
	return n;
}

void
conn_drop_state(struct daemon *d, struct conn *c)
{
	while (c->out_head != NULL)
		conn_pop_output(d, c);
	talloc_free_children(c->watches);
	conn_tx_reset(c);
	c->tx_next_id = 1;
	c->tx_losses = 0;
}

int
conn_queue_raw(struct daemon *d, struct conn *c, const void *data,
    size_t len)
{
	struct conn_out *o;

	o = talloc_size(c, sizeof(*o) + len);
	if (o == NULL)
		return ENOMEM;
	talloc_set_name_const(o, "struct conn_out");
	memcpy(o->data, data, len);
	o->next = NULL;
	o->len = len;
	o->off = 0;
	/* Restored bytes: not an event the dedup index knows. */
	o->event = false;
	o->indexed = false;
	o->dnext = NULL;
	o->queued_ms = conn_now_ms();
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->out_bytes += len;
	c->out_count++;
	if (c->charge)
		store_domain_charge(d->store, c->who.domid,
		    (int64_t)(sizeof(*o) + len));
	mark_dirty(d, c);
	return 0;
}

int
conn_restore_in(struct conn *c, const void *data, size_t len)
{
	if (c->in == NULL || len > CONN_IN_SIZE)
		return E2BIG;
	memcpy(c->in, data, len);
	c->in_len = len;
	return 0;
}

void
conn_drain_pending(struct daemon *d)
{
	struct conn *c;

	/* Rings that used up their batch last turn go first. */
	while ((c = d->again) != NULL) {
		d->again = c->again_next;
		c->again = false;
		c->again_next = NULL;
		conn_kick(d, c);
	}

	/* flush() may queue more (held-back requests): the list may grow. */
	while ((c = d->dirty) != NULL) {
		d->dirty = c->dirty_next;
		if (d->dirty == NULL)
			d->dirty_tail = &d->dirty;
		c->dirty = false;
		c->dirty_next = NULL;
		if (c->closing)
			continue;
		if (c->ring != NULL)
			conn_ring_service(d, c);
		else if (c->write_blocked)
			update_events(d, c);	/* EPOLLOUT resumes it */
		else
			flush(d, c);
	}
}

static void
unlink_conn(struct daemon *d, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	d->nconns--;
}

void
conn_reap_closed(struct daemon *d)
{
	struct conn *c;
	bool freed = false;

	while ((c = d->closing) != NULL) {
		d->closing = c->close_next;
		if (c->again) {
			struct conn **pp = &d->again;

			/* Short list: rings that used up a batch. */
			while (*pp != c)
				pp = &(*pp)->again_next;
			*pp = c->again_next;
		}
		unlink_conn(d, c);
		prio_forget(d, c);
		lu_forget(d, c);
		log_debug("conn %lu: freed (%u open)", c->id, d->nconns);
		logs_conn(d, c, false);
		/* Gives its domain the output's charge back. */
		while (c->out_head != NULL)
			conn_pop_output(d, c);
		/* Frees its watches, transactions and output; closes fd. */
		talloc_free(c);
		freed = true;
	}
	if (freed && d->accept_paused)
		listen_resume(d);
}

void
conn_free_all(struct daemon *d)
{
	struct conn *c;

	/* Phase 3 has run: no connection is on the dirty list. */
	d->dirty = NULL;
	d->dirty_tail = &d->dirty;
	d->closing = NULL;
	d->again = NULL;
	while ((c = d->conns) != NULL) {
		unlink_conn(d, c);
		talloc_free(c);
	}
}
