/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_ring: ringio (ringio/ringio.h on ring.h) against a hostile guest.
 *
 * The page is a 4 KiB buffer the harness plays the guest on. The input
 * is a script of steps; between the daemon's steps the guest may write
 * anything anywhere on the page (data, all four indexes, the feature,
 * connection and error words), as a real guest can at any time:
 *   op % 10 = 0  poke: offset (2 bytes, mod 4096), n (1 byte, <= 32), bytes
 *             1  set index word (1 byte: which of 4) to a 4-byte value
 *             2  well-behaved guest: queue a request of n (1 byte) bytes
 *             3  daemon: ringio_conn_read
 *             4  daemon: ringio_conn_write of the current reply (a new one
 *                of 2 bytes' length when none is partial)
 *             5  daemon: ringio_conn_check_reconnect
 *             6  daemon: ringio_conn_set_error (1 byte: value 0..3)
 *             7  well-behaved guest: consume every pending response byte
 *             8  daemon: ringio_conn_reset
 *             9  guest: set the connection word (1 byte)
 * Checked after each step (FUZZ_CHECK), from ringio.h's contract: return
 * values in the documented set; at most one notify per step; a complete
 * packet has len <= 4096 and a NUL after its payload; after ECONNRESET or
 * a reset the page is fresh (indexes, error, connection 0, features as
 * given); after EPROTO the error sticks (ENOTCONN) until a reconnection;
 * what a write step produced is exactly the next bytes of the packet, and
 * the producer index moved by that much and stayed within the ring. ASan
 * sees any access beyond the exact-size page.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "protocol/wire.h"
#include "ringio/ring.h"
#include "ringio/ringio.h"
#include "tests/fuzz/fuzz.h"

#define PAGE	((struct xenstore_domain_interface *)page)

struct script {
	const uint8_t	*p;
	size_t		 left;
};

static unsigned int notifies;

static void
count_notify(void *arg)
{
	(void)arg;
	notifies++;
}

static unsigned int
take(struct script *s, unsigned int nbytes)
{
	unsigned int v = 0, i;

	for (i = 0; i < nbytes && s->left > 0; i++) {
		v |= (unsigned int)s->p[0] << (8 * i);
		s->p++;
		s->left--;
	}
	return v;
}

static void
check_fresh(void *page, uint32_t features)
{
	struct xenstore_domain_interface *in = PAGE;

	FUZZ_CHECK(in->req_cons == 0 && in->req_prod == 0);
	FUZZ_CHECK(in->rsp_cons == 0 && in->rsp_prod == 0);
	FUZZ_CHECK(in->connection == 0 && in->error == 0);
	FUZZ_CHECK(in->server_features == features);
}

/* Well-behaved guest: copies n bytes into the request ring if they fit. */
static void
guest_send(void *page, const uint8_t *src, size_t n)
{
	struct xenstore_domain_interface *in = PAGE;
	XENSTORE_RING_IDX prod = in->req_prod;
	size_t i;

	if (prod - in->req_cons > XENSTORE_RING_SIZE ||
	    n > XENSTORE_RING_SIZE - (prod - in->req_cons))
		return;
	for (i = 0; i < n; i++)
		in->req[MASK_XENSTORE_IDX(prod + (XENSTORE_RING_IDX)i)] =
		    (char)src[i];
	in->req_prod = prod + (XENSTORE_RING_IDX)n;
}

/* The reply being written, and how much of it the ring has taken. */
struct writer {
	uint8_t	 pkt[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	size_t	 len;
	size_t	 off;
};

/* Fills w with a new reply of a scripted length. */
static void
new_reply(struct writer *w, struct script *s)
{
	struct xsd_sockmsg hdr;
	size_t i;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = XS_READ;
	hdr.len = take(s, 2) % (XENSTORE_PAYLOAD_MAX + 1);
	memcpy(w->pkt, &hdr, WIRE_HDR_SIZE);
	for (i = 0; i < hdr.len; i++)
		w->pkt[WIRE_HDR_SIZE + i] = (uint8_t)(i * 7);
	w->len = WIRE_HDR_SIZE + hdr.len;
	w->off = 0;
}

/*
 * One write step (op 4): what it produced must be exactly the next bytes
 * of the reply, written at the old producer index, within the ring.
 */
static int
daemon_write(struct ringio_conn *rc, void *page, struct writer *w,
    struct script *s, uint32_t err_before)
{
	struct xenstore_domain_interface *in = PAGE;
	XENSTORE_RING_IDX before, cons, i;
	size_t n;
	int err;

	FUZZ_CHECK(ringio_conn_out_partial(rc) == (w->off != 0));
	if (w->off == 0)
		new_reply(w, s);
	before = in->rsp_prod;
	cons = in->rsp_cons;
	err = ringio_conn_write(rc, w->pkt, w->len);
	FUZZ_CHECK(err == 0 || err == EAGAIN || err == ECONNRESET ||
	    err == EPROTO || err == ENOTCONN);
	if (err_before != 0 && err != ECONNRESET)
		FUZZ_CHECK(err == ENOTCONN);
	if (err == EPROTO)
		FUZZ_CHECK(in->rsp_prod == before);
	if (err != 0 && err != EAGAIN)
		return err;
	n = in->rsp_prod - before;
	FUZZ_CHECK(n <= w->len - w->off);
	FUZZ_CHECK(before - cons <= XENSTORE_RING_SIZE);
	FUZZ_CHECK(in->rsp_prod - cons <= XENSTORE_RING_SIZE);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((uint8_t)in->rsp[MASK_XENSTORE_IDX(before + i)] ==
		    w->pkt[w->off + i]);
	w->off += n;
	FUZZ_CHECK(err != 0 || w->off == w->len);
	FUZZ_CHECK(err != EAGAIN || w->off < w->len);
	if (err == 0)
		w->off = 0;
	return err;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenstore_domain_interface *in;
	struct script s = { data, size };
	struct ringio_conn *rc;
	struct xsd_sockmsg hdr;
	const char *payload;
	struct writer wr;
	uint8_t req[256];
	size_t n, i;
	uint32_t features, err_before;
	void *page;
	int err;

	if (size < 1)
		return 0;
	features = take(&s, 1) & RINGIO_FEATURES_ALL;
	page = aligned_alloc(RING_PAGE_SIZE, RING_PAGE_SIZE);
	FUZZ_CHECK(page != NULL);
	memset(page, 0, RING_PAGE_SIZE);
	in = page;
	err = ringio_conn_new(NULL, page, count_notify, NULL, features, &rc);
	FUZZ_CHECK(err == 0);
	FUZZ_CHECK(in->server_features == features);
	memset(&wr, 0, sizeof(wr));

	while (s.left > 0) {
		unsigned int op = take(&s, 1) % 10;

		notifies = 0;
		err_before = ringio_conn_error(rc);
		switch (op) {
		case 0:
			i = take(&s, 2) % RING_PAGE_SIZE;
			n = take(&s, 1) % 33;
			if (n > RING_PAGE_SIZE - i)
				n = RING_PAGE_SIZE - i;
			if (n > s.left)
				n = s.left;
			memcpy((char *)page + i, s.p, n);
			s.p += n;
			s.left -= n;
			break;
		case 1:
			i = take(&s, 1) % 4;
			(&in->req_cons)[i] = take(&s, 4);
			break;
		case 2:
			n = take(&s, 1);
			for (i = 0; i < n && s.left > 0; i++)
				req[i] = (uint8_t)take(&s, 1);
			guest_send(page, req, i);
			break;
		case 3:
			err = ringio_conn_read(rc, &hdr, &payload);
			FUZZ_CHECK(err == 0 || err == EAGAIN ||
			    err == ECONNRESET || err == EPROTO ||
			    err == ENOTCONN);
			if (err == 0) {
				FUZZ_CHECK(hdr.len <= XENSTORE_PAYLOAD_MAX);
				FUZZ_CHECK(payload[hdr.len] == '\0');
			}
			if (err_before != 0 && err != ECONNRESET)
				FUZZ_CHECK(err == ENOTCONN);
			break;
		case 4:
			err = daemon_write(rc, page, &wr, &s, err_before);
			break;
		case 5:
			err = ringio_conn_check_reconnect(rc);
			FUZZ_CHECK(err == 0 || err == ECONNRESET);
			if (err == ECONNRESET)
				wr.off = 0;
			break;
		case 6:
			err = ringio_conn_set_error(rc, take(&s, 1) % 4);
			FUZZ_CHECK(err == 0 || err == EINVAL);
			if (err == 0 && err_before != 0)
				FUZZ_CHECK(ringio_conn_error(rc) == err_before);
			break;
		case 7:
			if (in->rsp_prod - in->rsp_cons <= XENSTORE_RING_SIZE)
				in->rsp_cons = in->rsp_prod;
			break;
		case 8:
			ringio_conn_reset(rc);
			err = ECONNRESET;
			wr.off = 0;
			break;
		case 9:
			in->connection = take(&s, 1);
			break;
		}
		FUZZ_CHECK(notifies <= 1);
		if (op == 3 || op == 4 || op == 5 || op == 8) {
			if (err == ECONNRESET) {
				wr.off = 0;
				check_fresh(page, features);
				FUZZ_CHECK(ringio_conn_error(rc) == 0);
				FUZZ_CHECK(!ringio_conn_out_partial(rc));
				FUZZ_CHECK(notifies == 1);
			} else if (err == EPROTO) {
				FUZZ_CHECK(ringio_conn_error(rc) != 0);
			}
		}
	}
	FUZZ_CHECK(ringio_conn_features(rc) == features);
	talloc_free(rc);
	free(page);
	return 0;
}
