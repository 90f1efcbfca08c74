/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_hostile.c: guests that break the ring protocol on purpose.
 *
 * Job: write what a hostile or buggy guest writes (bad indexes, an
 * oversized header, random packets, requests never answered for, a ring
 * zeroed under the daemon), then watch the error word and the replies and
 * report (modes and verdicts in guest_hostile.h). Owns no state beyond one
 * run; the random generator is a local xorshift32, seeded by the caller,
 * so a failing run can be replayed.
 *
 * The daemon must survive all of it (docs/ring.md, "The error
 * indicator"): the verdicts check the documented outcome where there is
 * one, and otherwise only that a request works afterwards.
 *
 * Must not: wait without a deadline, or consume replies in no-read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "protocol/wire.h"
#include "tools/xs-guest/guest_clock.h"
#include "tools/xs-guest/guest_hostile.h"
#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_status.h"
#include "tools/xs-guest/guest_step.h"

#define OBSERVE_MS	300	/* how long garbage waits for a reply */
#define SETTLE_MS	200	/* zero-race: let the daemon trip, or not */

static uint32_t
next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static const char *
error_name(uint32_t e)
{
	switch (e) {
	case XENSTORE_ERROR_NONE:
		return "NONE";
	case XENSTORE_ERROR_COMM:
		return "COMM";
	case XENSTORE_ERROR_RINGIDX:
		return "RINGIDX";
	case XENSTORE_ERROR_PROTO:
		return "PROTO";
	default:
		return "unknown";
	}
}

/* Polls a page word until it equals want, or ETIMEDOUT after ms. */
static int
wait_word(struct guest_conn *gc, size_t off, uint32_t want, int ms)
{
	int64_t deadline;
	int err;

	deadline = guest_now_ms() + ms;
	for (;;) {
		if (guest_ring_word(guest_conn_page(gc), off) == want)
			return 0;
		if (guest_now_ms() >= deadline)
			return ETIMEDOUT;
		err = guest_conn_sleep(gc, GUEST_CONN_PERIOD_MS);
		if (err != 0)
			return err;
	}
}

/*
 * After a stopped ring: reconnect if the daemon offers it, then one
 * request must work. Without the feature there is nothing to check.
 */
static int
revive(struct guest_conn *gc)
{
	void *page = guest_conn_page(gc);
	int err;

	if ((guest_ring_word(page, GUEST_RING_FEATURES) &
	    XENSTORE_SERVER_FEATURE_RECONNECTION) == 0) {
		fprintf(stderr, "xs-guest: no RECONNECTION feature: the "
		    "ring stays stopped\n");
		return GUEST_OK;
	}
	err = guest_conn_reconnect(gc, -1);
	if (err == ETIMEDOUT)
		return guest_step_fail("reconnection: the connection word "
		    "was not cleared within %d ms", guest_conn_timeout(gc));
	if (err != 0)
		return guest_step_broken(gc, err, "reconnect");
	if (guest_ring_word(page, GUEST_RING_ERROR) != XENSTORE_ERROR_NONE)
		return guest_step_fail("error word %u after the reconnection",
		    guest_ring_word(page, GUEST_RING_ERROR));
	guest_conn_logf(gc, "reconnected; error word 0");
	return guest_step_barrier(gc);
}

/* The error word must become want; then revive the ring. */
static int
expect_error_word(struct guest_conn *gc, uint32_t want)
{
	uint32_t got;
	int err;

	err = wait_word(gc, GUEST_RING_ERROR, want, guest_conn_timeout(gc));
	got = guest_ring_word(guest_conn_page(gc), GUEST_RING_ERROR);
	if (err == ETIMEDOUT)
		return guest_step_fail("error word is %u (%s) after %d ms, "
		    "want %u (%s)", got, error_name(got),
		    guest_conn_timeout(gc), want, error_name(want));
	if (err != 0)
		return guest_step_broken(gc, err, "waiting");
	fprintf(stderr, "xs-guest: error word %u (%s), as it must be\n", got,
	    error_name(got));
	return revive(gc);
}

static int
needs_error_feature(struct guest_conn *gc)
{
	uint32_t f;

	f = guest_ring_word(guest_conn_page(gc), GUEST_RING_FEATURES);
	if ((f & XENSTORE_SERVER_FEATURE_ERROR) == 0)
		return guest_step_fail("server_features %u lacks ERROR "
		    "(bit 1): the error word means nothing", f);
	return GUEST_OK;
}

static int
hostile_bad_index(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	void *page = guest_conn_page(gc);
	uint32_t cons;
	int st;

	(void)o;
	if ((st = needs_error_feature(gc)) != GUEST_OK)
		return st;
	cons = guest_ring_word(page, GUEST_RING_REQ_CONS);
	guest_conn_logf(gc, "req_prod = req_cons + 2000 = %u, notify",
	    cons + 2000);
	guest_ring_set_word(page, GUEST_RING_REQ_PROD, cons + 2000);
	guest_conn_notify(gc);
	return expect_error_word(gc, XENSTORE_ERROR_RINGIDX);
}

static int
hostile_oversize(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	struct xsd_sockmsg hdr;
	int st, err;

	(void)o;
	if ((st = needs_error_feature(gc)) != GUEST_OK)
		return st;
	hdr.type = XS_READ;
	hdr.req_id = guest_conn_next_id(gc);
	hdr.tx_id = 0;
	hdr.len = 5000;
	guest_conn_logf(gc, "a READ header with len 5000, notify");
	err = guest_conn_write(gc, &hdr, sizeof(hdr));
	if (err != 0)
		return guest_step_broken(gc, err, "writing the header");
	return expect_error_word(gc, XENSTORE_ERROR_PROTO);
}

/*
 * Reports the replies garbage provoked, until the one to req_id (the
 * daemon answers in order) or OBSERVE_MS without any.
 */
static int
observe(struct guest_conn *gc, uint32_t req_id)
{
	struct guest_msg *m;
	bool ours;
	int err;

	for (;;) {
		err = guest_conn_recv_reply(gc, OBSERVE_MS, &m);
		if (err == ETIMEDOUT)
			fprintf(stderr, "xs-guest: no reply within %d ms\n",
			    OBSERVE_MS);
		if (err != 0)
			return err;
		fprintf(stderr, "xs-guest: reply %s id=%u",
		    guest_msg_type_name(m->hdr.type), m->hdr.req_id);
		if (guest_msg_error(m) != NULL)
			fprintf(stderr, " %.16s", m->body);
		fputc('\n', stderr);
		ours = m->hdr.req_id == req_id;
		guest_msg_free(m);
		if (ours)
			return 0;
	}
}

static int
hostile_garbage(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	char pkt[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	void *page = guest_conn_page(gc);
	struct xsd_sockmsg hdr;
	uint32_t rnd, e;
	int rounds, i, err;
	size_t j;

	rnd = o->seed != 0 ? o->seed : 1;
	rounds = o->count > 0 ? o->count : 1;
	fprintf(stderr, "xs-guest: garbage: %d rounds, seed %u\n", rounds,
	    rnd);
	for (i = 0; i < rounds; i++) {
		hdr.type = next_random(&rnd) % 32;
		hdr.req_id = next_random(&rnd);
		hdr.tx_id = next_random(&rnd) % 2 == 0 ? 0 : next_random(&rnd);
		/* Mostly short packets, sometimes up to the maximum. */
		hdr.len = next_random(&rnd) % 2 == 0 ?
		    next_random(&rnd) % 64 :
		    next_random(&rnd) % (XENSTORE_PAYLOAD_MAX + 1);
		memcpy(pkt, &hdr, WIRE_HDR_SIZE);
		for (j = 0; j < hdr.len; j++)
			pkt[WIRE_HDR_SIZE + j] = (char)next_random(&rnd);
		fprintf(stderr, "xs-guest: round %d: type %u id %u tx %u "
		    "len %u\n", i, hdr.type, hdr.req_id, hdr.tx_id, hdr.len);
		err = guest_conn_write(gc, pkt, WIRE_HDR_SIZE + hdr.len);
		if (err == ETIMEDOUT) {
			fprintf(stderr, "xs-guest: the daemon stopped "
			    "consuming\n");
			break;
		}
		if (err == 0)
			err = observe(gc, hdr.req_id);
		if (err != 0 && err != ETIMEDOUT) {
			fprintf(stderr, "xs-guest: ring: %s\n",
			    strerror(err));
			break;
		}
		e = guest_ring_word(page, GUEST_RING_ERROR);
		if (e != XENSTORE_ERROR_NONE) {
			fprintf(stderr, "xs-guest: error word %u (%s)\n", e,
			    error_name(e));
			break;
		}
	}
	guest_conn_drop_events(gc);
	e = guest_ring_word(page, GUEST_RING_ERROR);
	if (e != XENSTORE_ERROR_NONE || i < rounds)
		return revive(gc);
	/* Still running: it must still answer. */
	return guest_step_barrier(gc);
}

/*
 * Builds no-read's request in buf: READ path, or, with o->size > 0, WRITE
 * path and o->size bytes of 'v'. Returns its length, 0 if it does not fit
 * one packet.
 */
static size_t
no_read_packet(struct guest_conn *gc, const struct guest_scenario_opts *o,
    char *buf, size_t bufsize)
{
	const char *path = o->path != NULL ? o->path : GUEST_HOSTILE_PATH;
	size_t plen = strlen(path) + 1, len;
	struct xsd_sockmsg hdr;

	len = plen + o->size;
	if (len > XENSTORE_PAYLOAD_MAX || WIRE_HDR_SIZE + len > bufsize)
		return 0;
	hdr.type = o->size > 0 ? XS_WRITE : XS_READ;
	hdr.req_id = guest_conn_next_id(gc);
	hdr.tx_id = 0;
	hdr.len = (uint32_t)len;
	memcpy(buf, &hdr, WIRE_HDR_SIZE);
	memcpy(buf + WIRE_HDR_SIZE, path, plen);
	memset(buf + WIRE_HDR_SIZE + plen, 'v', o->size);
	return WIRE_HDR_SIZE + len;
}

static int
hostile_no_read(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	char pkt[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	void *page = guest_conn_page(gc);
	size_t off, put, len;
	uint32_t cons0;
	int64_t end;
	unsigned long sent;
	int err;

	len = no_read_packet(gc, o, pkt, sizeof(pkt));
	if (len == 0) {
		fprintf(stderr, "xs-guest: no-read: path and --size do not "
		    "fit one packet\n");
		return GUEST_USAGE;
	}
	end = guest_now_ms() + (o->duration_ms > 0 ? o->duration_ms :
	    GUEST_HOSTILE_DURATION_MS);
	cons0 = guest_ring_word(page, GUEST_RING_REQ_CONS);
	sent = 0;
	off = 0;
	while (guest_now_ms() < end) {
		if (off == len) {
			len = no_read_packet(gc, o, pkt, sizeof(pkt));
			off = 0;
		}
		/* guest_ring_put, not guest_conn_write: that would read. */
		err = guest_ring_put(page, pkt + off, len - off, &put);
		if (err != 0)
			return guest_step_broken(gc, err, "no-read");
		if (put > 0) {
			off += put;
			if (off == len)
				sent++;
			guest_conn_notify(gc);
			continue;
		}
		err = guest_conn_sleep(gc, GUEST_CONN_PERIOD_MS);
		if (err != 0)
			return guest_step_broken(gc, err, "no-read");
	}
	fprintf(stderr, "xs-guest: no-read: %lu requests sent, %u request "
	    "bytes unconsumed, %u reply bytes unread\n", sent,
	    guest_ring_word(page, GUEST_RING_REQ_PROD) -
	    guest_ring_word(page, GUEST_RING_REQ_CONS),
	    guest_ring_word(page, GUEST_RING_RSP_PROD) -
	    guest_ring_word(page, GUEST_RING_RSP_CONS));
	/* Requests are all len bytes long: whole ones the daemon took. */
	printf("consumed %lu\n", (unsigned long)((guest_ring_word(page,
	    GUEST_RING_REQ_CONS) - cons0) / len));
	fflush(stdout);
	return GUEST_OK;
}

static int
hostile_zero_race(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	static const char path[] = "data/zr";
	char pkt[WIRE_HDR_SIZE + sizeof(path)];
	void *page = guest_conn_page(gc);
	struct xsd_sockmsg hdr;
	volatile uint32_t spin;
	uint32_t rnd, e, n;
	int rounds, i, err;
	size_t put;

	rnd = o->seed != 0 ? o->seed : 1;
	rounds = o->count > 0 ? o->count : GUEST_HOSTILE_ROUNDS;
	for (i = 0; i < rounds; i++) {
		hdr.type = XS_READ;
		hdr.req_id = guest_conn_next_id(gc);
		hdr.tx_id = 0;
		hdr.len = sizeof(path);
		memcpy(pkt, &hdr, WIRE_HDR_SIZE);
		memcpy(pkt + WIRE_HDR_SIZE, path, sizeof(path));
		err = guest_ring_put(page, pkt, sizeof(pkt), &put);
		if (err != 0)
			guest_conn_logf(gc, "round %d: indexes already "
			    "corrupt", i);
		guest_conn_notify(gc);
		/* A random moment while the daemon may be reading. */
		n = next_random(&rnd) % 20000;
		for (spin = 0; spin < n; spin++)
			continue;
		guest_ring_zero_unsafely(page);
		err = guest_conn_sleep(gc, (int)(next_random(&rnd) % 3));
		if (err != 0)
			return guest_step_broken(gc, err, "zero-race");
	}
	err = guest_conn_sleep(gc, SETTLE_MS);
	if (err != 0)
		return guest_step_broken(gc, err, "zero-race");
	/* Whatever came back belongs to a ring that no longer exists. */
	guest_conn_forget(gc);
	e = guest_ring_word(page, GUEST_RING_ERROR);
	fprintf(stderr, "xs-guest: zero-race: %d rounds, error word %u (%s), "
	    "req %u/%u rsp %u/%u (cons/prod)\n", rounds, e, error_name(e),
	    guest_ring_word(page, GUEST_RING_REQ_CONS),
	    guest_ring_word(page, GUEST_RING_REQ_PROD),
	    guest_ring_word(page, GUEST_RING_RSP_CONS),
	    guest_ring_word(page, GUEST_RING_RSP_PROD));
	return revive(gc);
}

int
guest_hostile_run(struct guest_conn *gc, const char *mode,
    const struct guest_scenario_opts *o)
{
	static const struct {
		const char *name;
		int (*run)(struct guest_conn *,
		    const struct guest_scenario_opts *);
	} table[] = {
		{ "bad-index", hostile_bad_index },
		{ "oversize", hostile_oversize },
		{ "garbage", hostile_garbage },
		{ "no-read", hostile_no_read },
		{ "zero-race", hostile_zero_race },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].name, mode) == 0) {
			guest_conn_logf(gc, "hostile %s, domain %u", mode,
			    o->domid);
			return table[i].run(gc, o);
		}
	}
	fprintf(stderr, "xs-guest: unknown hostile mode %s\n", mode);
	return GUEST_USAGE;
}
