/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_conn.c: a guest's packet connection over its ring page.
 *
 * Job: turn guest_ring.c's byte copies into requests and replies: write
 * packets in as many pieces as the daemon's consumption allows, frame the
 * response stream into packets, hold replies and watch events in two FIFO
 * queues, run the reconnection handshake, and bound every wait.
 *
 * State (struct guest_conn): the page and the callbacks, the input packet
 * being assembled (in[], in_have), the reply and event queues, the next
 * req_id, the timeout and trace stream, and a sticky fault (EPROTO once
 * the daemon broke the ring).
 *
 * Invariants:
 *  - in_have <= 16 + the len of the header held in in[], and that len was
 *    checked (<= 4096) when its 16th byte arrived, from our private copy.
 *  - The queues together hold at most GUEST_CONN_QUEUE_MAX packets; at the
 *    limit we stop consuming, so a flood from the daemon costs bounded
 *    memory and shows up as ENOBUFS rather than an unbounded queue.
 *  - Every pass loads the connection word first; while it is non-zero the
 *    pass touches nothing else on the page.
 *  - Every wait is a loop of passes with a deadline computed once, from
 *    CLOCK_MONOTONIC, at the start of the call: nothing waits forever, and
 *    nothing relies on a notification arriving.
 *
 * Bounded work: a pump consumes at most PUMP_BYTES_MAX bytes, so a daemon
 * that keeps producing cannot keep us from checking our deadline.
 *
 * Must not: do I/O other than the page, the callbacks and the trace
 * stream; free the page.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/wire.h"
#include "tools/xs-guest/guest_clock.h"
#include "tools/xs-guest/guest_conn.h"
#include "tools/xs-guest/guest_ring.h"

/* Bytes one pump may consume: four full rings, i.e. the largest packet. */
#define PUMP_BYTES_MAX	(4 * XENSTORE_RING_SIZE + WIRE_HDR_SIZE)

struct queue {
	struct guest_msg *head;
	struct guest_msg **tail;
	size_t		 count;
};

struct guest_conn {
	void		*page;
	const struct guest_conn_ops *ops;
	void		*arg;
	int		 timeout_ms;
	FILE		*trace;
	uint32_t	 next_id;
	int		 fault;		/* EPROTO once broken, else 0 */
	bool		 notify_warned;

	struct queue	 replies;
	struct queue	 events;

	size_t		 in_have;
	struct xsd_sockmsg in_hdr;	/* valid once in_have >= 16 */
	char		 in[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
};

static void
queue_init(struct queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->count = 0;
}

static void
queue_push(struct queue *q, struct guest_msg *m)
{
	m->next = NULL;
	*q->tail = m;
	q->tail = &m->next;
	q->count++;
}

/* Unlinks *link (a pointer to the link that points at the message). */
static struct guest_msg *
queue_take(struct queue *q, struct guest_msg **link)
{
	struct guest_msg *m = *link;

	*link = m->next;
	if (q->tail == &m->next)
		q->tail = link;
	m->next = NULL;
	q->count--;
	return m;
}

static size_t
queue_clear(struct queue *q)
{
	struct guest_msg *m, *next;
	size_t n = q->count;

	for (m = q->head; m != NULL; m = next) {
		next = m->next;
		guest_msg_free(m);
	}
	queue_init(q);
	return n;
}

static int64_t
deadline_of(const struct guest_conn *gc, int ms)
{
	return guest_now_ms() + (ms < 0 ? gc->timeout_ms : ms);
}

/*
 * Sleeps one pass (at most GUEST_CONN_PERIOD_MS), or ETIMEDOUT; *woken
 * (if not NULL) says whether the daemon signalled us.
 */
static int
wait_pass_woken(struct guest_conn *gc, int64_t deadline, bool *woken)
{
	int64_t left;
	bool w = false;
	int err;

	left = deadline - guest_now_ms();
	if (left <= 0)
		return ETIMEDOUT;
	if (left > GUEST_CONN_PERIOD_MS)
		left = GUEST_CONN_PERIOD_MS;
	err = gc->ops->wait(gc->arg, (int)left, &w);
	if (woken != NULL)
		*woken = w;
	return err;
}

static int
wait_pass(struct guest_conn *gc, int64_t deadline)
{
	return wait_pass_woken(gc, deadline, NULL);
}

int
guest_conn_new(void *page, const struct guest_conn_ops *ops, void *arg,
    struct guest_conn **out)
{
	struct guest_conn *gc;

	*out = NULL;
	if (page == NULL || ops == NULL || ops->notify == NULL ||
	    ops->wait == NULL)
		return EINVAL;
	gc = calloc(1, sizeof(*gc));
	if (gc == NULL)
		return ENOMEM;
	gc->page = page;
	gc->ops = ops;
	gc->arg = arg;
	gc->timeout_ms = GUEST_CONN_TIMEOUT_MS;
	gc->next_id = 1;
	queue_init(&gc->replies);
	queue_init(&gc->events);
	*out = gc;
	return 0;
}

void
guest_conn_free(struct guest_conn *gc)
{
	if (gc == NULL)
		return;
	queue_clear(&gc->replies);
	queue_clear(&gc->events);
	free(gc);
}

void
guest_conn_set_timeout(struct guest_conn *gc, int ms)
{
	if (ms > 0)
		gc->timeout_ms = ms;
}

int
guest_conn_timeout(const struct guest_conn *gc)
{
	return gc->timeout_ms;
}

void
guest_conn_set_trace(struct guest_conn *gc, FILE *f)
{
	gc->trace = f;
}

void
guest_conn_logf(struct guest_conn *gc, const char *fmt, ...)
{
	va_list ap;

	if (gc->trace == NULL)
		return;
	fputs("xs-guest: ", gc->trace);
	va_start(ap, fmt);
	vfprintf(gc->trace, fmt, ap);
	va_end(ap);
	fputc('\n', gc->trace);
	fflush(gc->trace);
}

void *
guest_conn_page(struct guest_conn *gc)
{
	return gc->page;
}

void
guest_conn_notify(struct guest_conn *gc)
{
	int err;

	err = gc->ops->notify(gc->arg);
	if (err != 0 && !gc->notify_warned) {
		/* A hint was lost; the daemon's periodic scan still runs. */
		fprintf(stderr, "xs-guest: warning: cannot notify the daemon: "
		    "%s (reported once)\n", strerror(err));
		gc->notify_warned = true;
	}
}

/* One complete packet is in in[]: queue it by kind. */
static int
take_packet(struct guest_conn *gc)
{
	struct guest_msg *m;
	int err;

	err = guest_msg_new(&gc->in_hdr, gc->in + WIRE_HDR_SIZE, &m);
	gc->in_have = 0;
	if (err != 0)
		return err;
	if (gc->trace != NULL)
		guest_msg_trace(gc->trace, "<-", &m->hdr, m->body);
	if (m->hdr.type == XS_WATCH_EVENT)
		queue_push(&gc->events, m);
	else
		queue_push(&gc->replies, m);
	return 0;
}

int
guest_conn_pump(struct guest_conn *gc)
{
	size_t want, got, moved;
	int err;

	if (gc->fault != 0)
		return gc->fault;
	err = 0;
	moved = 0;
	while (moved < PUMP_BYTES_MAX) {
		if (gc->replies.count + gc->events.count >=
		    GUEST_CONN_QUEUE_MAX) {
			err = ENOBUFS;
			break;
		}
		if (!guest_ring_connected(gc->page))
			break;
		if (gc->in_have < WIRE_HDR_SIZE)
			want = WIRE_HDR_SIZE - gc->in_have;
		else
			want = WIRE_HDR_SIZE + gc->in_hdr.len - gc->in_have;
		if (want > 0) {
			err = guest_ring_get(gc->page, gc->in + gc->in_have,
			    want, &got);
			if (err != 0) {
				guest_conn_logf(gc, "response ring indexes "
				    "corrupt (prod - cons > %d)",
				    XENSTORE_RING_SIZE);
				gc->fault = err;
				break;
			}
			if (got == 0)
				break;
			moved += got;
			gc->in_have += got;
			if (gc->in_have < WIRE_HDR_SIZE)
				continue;
			if (gc->in_have == WIRE_HDR_SIZE) {
				memcpy(&gc->in_hdr, gc->in, WIRE_HDR_SIZE);
				if (wire_check_header(&gc->in_hdr) != 0) {
					guest_conn_logf(gc, "daemon sent a "
					    "packet with len %u",
					    gc->in_hdr.len);
					err = gc->fault = EPROTO;
					break;
				}
			}
		}
		if (gc->in_have == WIRE_HDR_SIZE + gc->in_hdr.len) {
			err = take_packet(gc);
			if (err != 0)
				break;
		}
	}
	/* We made room: a daemon with output pending may go on. */
	if (moved > 0)
		guest_conn_notify(gc);
	return err;
}

int
guest_conn_write(struct guest_conn *gc, const void *buf, size_t len)
{
	const char *b = buf;
	int64_t deadline;
	size_t off, put;
	int err;

	deadline = deadline_of(gc, -1);
	off = 0;
	while (off < len) {
		if (guest_ring_connected(gc->page)) {
			err = guest_ring_put(gc->page, b + off, len - off,
			    &put);
			if (err != 0) {
				guest_conn_logf(gc, "request ring indexes "
				    "corrupt (prod - cons > %d)",
				    XENSTORE_RING_SIZE);
				return err;
			}
			if (put > 0) {
				off += put;
				guest_conn_notify(gc);
				if (off == len)
					break;
			}
			/* The daemon may be waiting for room to reply. */
			err = guest_conn_pump(gc);
			if (err != 0)
				return err;
		}
		err = wait_pass(gc, deadline);
		if (err != 0)
			return err;
	}
	return 0;
}

int
guest_conn_send(struct guest_conn *gc, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const void *payload, size_t len)
{
	char pkt[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr;

	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	hdr.type = type;
	hdr.req_id = req_id;
	hdr.tx_id = tx_id;
	hdr.len = (uint32_t)len;
	memcpy(pkt, &hdr, WIRE_HDR_SIZE);
	if (len > 0)
		memcpy(pkt + WIRE_HDR_SIZE, payload, len);
	if (gc->trace != NULL)
		guest_msg_trace(gc->trace, "->", &hdr, payload);
	return guest_conn_write(gc, pkt, WIRE_HDR_SIZE + len);
}

uint32_t
guest_conn_next_id(struct guest_conn *gc)
{
	uint32_t id = gc->next_id++;

	/* 0 is hvmloader's id, used only on purpose (request_id). */
	if (gc->next_id == 0)
		gc->next_id = 1;
	return id;
}

void
guest_conn_set_next_id(struct guest_conn *gc, uint32_t id)
{
	gc->next_id = id != 0 ? id : 1;
}

int
guest_conn_request_id(struct guest_conn *gc, uint32_t req_id,
    uint32_t type, uint32_t tx_id, const void *payload, size_t len,
    struct guest_msg **reply)
{
	struct guest_msg *m;
	int64_t deadline;
	int err;

	*reply = NULL;
	err = guest_conn_send(gc, type, req_id, tx_id, payload, len);
	if (err != 0)
		return err;
	deadline = deadline_of(gc, -1);
	for (;;) {
		while (gc->replies.head != NULL) {
			m = queue_take(&gc->replies, &gc->replies.head);
			if (m->hdr.req_id == req_id) {
				*reply = m;
				return 0;
			}
			guest_conn_logf(gc, "dropping a reply to req_id %u "
			    "while waiting for %u", m->hdr.req_id, req_id);
			guest_msg_free(m);
		}
		err = guest_conn_pump(gc);
		if (err != 0)
			return err;
		if (gc->replies.head != NULL)
			continue;
		err = wait_pass(gc, deadline);
		if (err != 0)
			return err;
	}
}

int
guest_conn_request(struct guest_conn *gc, uint32_t type, uint32_t tx_id,
    const void *payload, size_t len, struct guest_msg **reply)
{
	return guest_conn_request_id(gc, guest_conn_next_id(gc), type, tx_id,
	    payload, len, reply);
}

int
guest_conn_recv_reply(struct guest_conn *gc, int ms, struct guest_msg **out)
{
	int64_t deadline;
	int err;

	*out = NULL;
	deadline = deadline_of(gc, ms);
	for (;;) {
		if (gc->replies.head != NULL) {
			*out = queue_take(&gc->replies, &gc->replies.head);
			return 0;
		}
		err = guest_conn_pump(gc);
		if (err != 0)
			return err;
		if (gc->replies.head != NULL)
			continue;
		err = wait_pass(gc, deadline);
		if (err != 0)
			return err;
	}
}

static bool
event_matches(const struct guest_msg *m, const char *path,
    const char *token)
{
	const char *p, *t;

	if (guest_msg_event(m, &p, &t) != 0)
		return path == NULL && token == NULL;
	return (path == NULL || strcmp(p, path) == 0) &&
	    (token == NULL || strcmp(t, token) == 0);
}

/* Takes the first queued event that matches into *out; false if none. */
static bool
take_event(struct guest_conn *gc, const char *path, const char *token,
    struct guest_msg **out)
{
	struct guest_msg **link;

	for (link = &gc->events.head; *link != NULL; link = &(*link)->next) {
		if (event_matches(*link, path, token)) {
			*out = queue_take(&gc->events, link);
			return true;
		}
	}
	return false;
}

int
guest_conn_wait_event(struct guest_conn *gc, const char *path,
    const char *token, int ms, struct guest_msg **out)
{
	int64_t deadline;
	int err;

	*out = NULL;
	deadline = deadline_of(gc, ms);
	for (;;) {
		if (take_event(gc, path, token, out))
			return 0;
		err = guest_conn_pump(gc);
		/* Even a pump that failed may have queued it first. */
		if (take_event(gc, path, token, out))
			return 0;
		if (err != 0)
			return err;
		err = wait_pass(gc, deadline);
		if (err != 0)
			return err;
	}
}

size_t
guest_conn_events(const struct guest_conn *gc)
{
	return gc->events.count;
}

size_t
guest_conn_drop_events(struct guest_conn *gc)
{
	return queue_clear(&gc->events);
}

void
guest_conn_forget(struct guest_conn *gc)
{
	gc->in_have = 0;
	gc->fault = 0;
	queue_clear(&gc->replies);
	queue_clear(&gc->events);
}

int
guest_conn_wait_connected(struct guest_conn *gc, int ms)
{
	int64_t deadline;
	int err;

	deadline = deadline_of(gc, ms);
	for (;;) {
		if (guest_ring_connected(gc->page)) {
			guest_conn_forget(gc);
			return 0;
		}
		err = wait_pass(gc, deadline);
		if (err != 0)
			return err;
	}
}

int
guest_conn_reconnect(struct guest_conn *gc, int ms)
{
	uint32_t features;

	features = guest_ring_word(gc->page, GUEST_RING_FEATURES);
	if ((features & XENSTORE_SERVER_FEATURE_RECONNECTION) == 0)
		return ENOTSUP;
	guest_conn_logf(gc, "reconnect: connection = 1, notify, wait for 0");
	guest_ring_request_reconnect(gc->page);
	/* Once, as hvmloader does: the daemon must not need a second. */
	guest_conn_notify(gc);
	return guest_conn_wait_connected(gc, ms);
}

int
guest_conn_wait_notify(struct guest_conn *gc, int ms)
{
	int64_t deadline;
	bool woken;
	int err;

	deadline = deadline_of(gc, ms);
	for (;;) {
		err = wait_pass_woken(gc, deadline, &woken);
		if (err != 0)
			return err;
		if (woken)
			return 0;
	}
}

int
guest_conn_start(struct guest_conn *gc, bool reconnect)
{
	size_t skipped;
	int err;

	if (reconnect)
		return guest_conn_reconnect(gc, -1);
	if (!guest_ring_connected(gc->page))
		return 0;
	err = guest_ring_skip(gc->page, &skipped);
	if (err != 0)
		return err;
	if (skipped > 0) {
		guest_conn_logf(gc, "skipped %zu stale response bytes",
		    skipped);
		guest_conn_notify(gc);
	}
	return 0;
}

int
guest_conn_sleep(struct guest_conn *gc, int ms)
{
	int64_t deadline;
	int err;

	deadline = guest_now_ms() + ms;
	for (;;) {
		err = wait_pass(gc, deadline);
		if (err == ETIMEDOUT)
			return 0;
		if (err != 0)
			return err;
	}
}
