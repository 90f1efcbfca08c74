/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_framer: the socket connection's packet framer (daemon/conn.c:
 * read_input, process_input, the EOF rules, output and back-pressure)
 * fed an arbitrary byte stream in arbitrary splits.
 *
 * Design: a daemon from world.c with a real epoll set (loop_init), and
 * one connection made by conn_new() on one end of a Unix socketpair, so
 * that conn.c reads and writes a real socket; its identity is then set
 * to the hostile domain 5 (unprivileged) so that CONTROL and the other
 * privileged requests are refused, as for a guest. The harness is the
 * client on the other end and drives the connection the way the loop
 * does: it writes a chunk, calls the connection's ready() callback with
 * EPOLLIN (loop phase 1), then conn_drain_pending() (phase 3) and
 * conn_reap_closed() (phase 4), and reads what came back. At the end it
 * shuts its side down and lets the daemon see the EOF.
 *
 * Input: [chunk] then the stream. chunk 0 writes the stream in one go;
 * n > 0 writes n bytes at a time (1: one byte per read, the worst split).
 *
 * Checked (FUZZ_CHECK), against an independent parse of the stream: the
 * replies answer the complete packets in order (req_id echoed, type or
 * ERROR), none is invented; if the stream is all whole packets with no
 * oversized header, every one is answered; a header with len > 4096 ends
 * the connection, and nothing after it is answered; every packet sent
 * back fits the wire. Then domain 5 is released (world.c's checks).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/world.h"

#define MAX_PACKETS	2048

/* The client's view: the packets it sent and the replies it got. */
struct client {
	int		 fd;
	uint32_t	 req_ids[MAX_PACKETS];
	uint32_t	 types[MAX_PACKETS];
	unsigned int	 sent;		/* whole packets in the stream */
	bool		 oversized;	/* it has a len > 4096 */
	bool		 clean_end;	/* it ends between packets */
	unsigned int	 replied;
	char		 buf[2 * (WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX)];
	size_t		 have;
};

static void
parse_stream(struct client *cl, const uint8_t *p, size_t n)
{
	struct xsd_sockmsg h;
	size_t off = 0;

	while (n - off >= WIRE_HDR_SIZE) {
		memcpy(&h, p + off, WIRE_HDR_SIZE);
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			cl->oversized = true;
			return;
		}
		if (n - off - WIRE_HDR_SIZE < h.len)
			break;
		FUZZ_CHECK(cl->sent < MAX_PACKETS);
		cl->req_ids[cl->sent] = h.req_id;
		cl->types[cl->sent] = h.type;
		cl->sent++;
		off += WIRE_HDR_SIZE + h.len;
	}
	cl->clean_end = off == n;
}

/* Reads and checks whatever the daemon wrote. */
static void
receive(struct client *cl)
{
	struct xsd_sockmsg h;
	size_t off;
	ssize_t r;

	for (;;) {
		r = read(cl->fd, cl->buf + cl->have,
		    sizeof(cl->buf) - cl->have);
		if (r <= 0)
			break;
		cl->have += (size_t)r;
		off = 0;
		while (cl->have - off >= WIRE_HDR_SIZE) {
			memcpy(&h, cl->buf + off, WIRE_HDR_SIZE);
			FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
			if (cl->have - off - WIRE_HDR_SIZE < h.len)
				break;
			if (h.type != XS_WATCH_EVENT) {
				FUZZ_CHECK(cl->replied < cl->sent);
				FUZZ_CHECK(h.req_id ==
				    cl->req_ids[cl->replied]);
				FUZZ_CHECK(h.type == cl->types[cl->replied] ||
				    h.type == XS_ERROR);
				cl->replied++;
			}
			off += WIRE_HDR_SIZE + h.len;
		}
		memmove(cl->buf, cl->buf + off, cl->have - off);
		cl->have -= off;
	}
}

/* Bytes the daemon has not read yet. */
static int
unread(int fd)
{
	int n = 0;

	FUZZ_CHECK(ioctl(fd, FIONREAD, &n) == 0);
	return n;
}

/* One loop turn for c: phases 1, 3 and 4. */
static void
turn(struct daemon *d, struct conn *c, uint32_t events)
{
	c->src.ready(d, c->src.obj, events);
	conn_drain_pending(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct client cl;
	struct store_stats stats;
	uint64_t baseline;
	struct daemon *d;
	struct conn *c;
	size_t chunk, off, n;
	unsigned int guard;
	int sv[2];
	ssize_t w;

	if (size < 1 || size > 65536)
		return 0;
	chunk = data[0];
	data++;
	size--;
	memset(&cl, 0, sizeof(cl));
	parse_stream(&cl, data, size);

	d = world_new();
	store_get_stats(d->store, &stats);
	baseline = stats.nodes;
	FUZZ_CHECK(loop_init(d) == 0);
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv) == 0);
	cl.fd = sv[1];
	FUZZ_CHECK(conn_new(d, sv[0]) == 0);
	c = d->conns;
	FUZZ_CHECK(c != NULL && c->src.fd == sv[0]);
	world_make_hostile(c);

	for (off = 0; off < size && !c->closing; off += n) {
		n = chunk == 0 ? size - off : chunk;
		if (n > size - off)
			n = size - off;
		w = write(cl.fd, data + off, n);
		FUZZ_CHECK(w > 0);
		n = (size_t)w;
		/* As epoll would: ready until the socket is drained. */
		for (guard = 0; unread(sv[0]) > 0 && !c->closing; guard++) {
			FUZZ_CHECK(guard < 64);
			turn(d, c, EPOLLIN);
			receive(&cl);
		}
	}
	if (!c->closing) {
		FUZZ_CHECK(shutdown(cl.fd, SHUT_WR) == 0);
		for (guard = 0; !c->closing; guard++) {
			FUZZ_CHECK(guard < 64);
			turn(d, c, EPOLLIN);
			receive(&cl);
		}
	}
	receive(&cl);
	if (cl.clean_end && !cl.oversized)
		FUZZ_CHECK(cl.replied == cl.sent);

	conn_reap_closed(d);
	FUZZ_CHECK(d->conns == NULL);
	store_get_stats(d->store, &stats);
	FUZZ_CHECK(stats.watches == 0 && stats.transactions == 0);
	world_release_hostile(d, false, baseline);
	close(cl.fd);
	loop_fini(d);
	talloc_free(d);
	return 0;
}
