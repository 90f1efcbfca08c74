/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringio_test.c: tests of ringio/ringio.c (framing, partial writes, the
 * error indicator, reconnection and its ordering, hostile guests). The test
 * plays the guest on a plain page; the notify callback records what the
 * guest would see at the moment it is signalled.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "ringio/ringio.h"
#include "tests/unit/ringio/guest.h"

#define PKT_MAX	(16 + XENSTORE_PAYLOAD_MAX)

/* What the guest sees when notified. */
struct notes {
	struct xenstore_domain_interface *page;
	int		count;
	uint32_t	connection;	/* at the last notify */
	uint32_t	error;
	uint32_t	idx_or;		/* all four indexes OR'ed */
	int		scrubbed;	/* both rings "deadbeef" */
};

static struct xenstore_domain_interface *page;
static TALLOC_CTX *ctx;
static struct notes notes;

static void
on_notify(void *arg)
{
	struct notes *n = arg;

	n->count++;
	n->connection = n->page->connection;
	n->error = n->page->error;
	n->idx_or = n->page->req_cons | n->page->req_prod |
	    n->page->rsp_cons | n->page->rsp_prod;
	n->scrubbed = guest_ring_scrubbed(n->page->req) &&
	    guest_ring_scrubbed(n->page->rsp);
}

static void
setup(void)
{
	page = guest_page_new();
	ck_assert_ptr_nonnull(page);
	ctx = talloc_new(NULL);
	ck_assert_ptr_nonnull(ctx);
	memset(&notes, 0, sizeof(notes));
	notes.page = page;
}

static void
teardown(void)
{
	talloc_free(ctx);
	ctx = NULL;
	free(page);
	page = NULL;
}

static struct ringio_conn *
conn_with(uint32_t features)
{
	struct ringio_conn *rc = NULL;

	ck_assert_int_eq(ringio_conn_new(ctx, page, on_notify, &notes,
	    features, &rc), 0);
	ck_assert_ptr_nonnull(rc);
	return rc;
}

static struct ringio_conn *
conn_default(void)
{
	return conn_with(RINGIO_FEATURES_ALL);
}

/* Sends a whole packet (it must fit); returns its length. */
static size_t
send_packet(uint32_t type, uint32_t req_id, const void *payload,
    uint32_t len)
{
	char buf[PKT_MAX];
	size_t n;

	n = guest_packet(buf, type, req_id, 0, payload, len);
	ck_assert_uint_eq(guest_send(page, buf, n), n);
	return n;
}

/* The page after a reconnection, as the guest must find it. */
static void
assert_fresh_page(uint32_t features)
{
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_uint_eq(page->req_prod, 0);
	ck_assert_uint_eq(page->rsp_cons, 0);
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert(guest_ring_scrubbed(page->req));
	ck_assert(guest_ring_scrubbed(page->rsp));
	ck_assert_uint_eq(page->server_features, features);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_NONE);
	ck_assert_uint_eq(page->connection, XENSTORE_CONNECTED);
}

/* ---- creation and features ---- */

START_TEST(ringio_new_advertises_features_before_io)
{
	struct ringio_conn *rc;
	char before[GUEST_PAGE_SIZE];

	send_packet(XS_READ, 1, "x", 2);
	page->rsp_cons = page->rsp_prod = 40;
	page->connection = XENSTORE_RECONNECT;
	memcpy(before, page, sizeof(before));

	rc = conn_default();
	ck_assert_uint_eq(page->server_features, 15);
	ck_assert_uint_eq(ringio_conn_features(rc), 15);
	/* Nothing else on the page moved, nobody was notified. */
	page->server_features = 0;
	ck_assert_mem_eq(before, page, sizeof(before));
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

START_TEST(ringio_new_advertises_given_mask)
{
	struct ringio_conn *rc;

	rc = conn_with(XENSTORE_SERVER_FEATURE_ERROR |
	    XENSTORE_SERVER_FEATURE_WATCHDEPTH |
	    XENSTORE_SERVER_FEATURE_DOMID_ANY);
	ck_assert_uint_eq(page->server_features, 14);
	ck_assert_uint_eq(ringio_conn_features(rc), 14);
}
END_TEST

START_TEST(ringio_new_rejects_bad_arguments)
{
	struct ringio_conn *rc = NULL;

	page->server_features = 1;
	ck_assert_int_eq(ringio_conn_new(ctx, page, on_notify, &notes, 16,
	    &rc), EINVAL);
	ck_assert_int_eq(ringio_conn_new(ctx, page, on_notify, &notes,
	    0x80000001u, &rc), EINVAL);
	ck_assert_int_eq(ringio_conn_new(ctx, NULL, on_notify, &notes, 15,
	    &rc), EINVAL);
	ck_assert_int_eq(ringio_conn_new(ctx, page, NULL, &notes, 15, &rc),
	    EINVAL);
	ck_assert_ptr_null(rc);
	ck_assert_uint_eq(page->server_features, 1);
}
END_TEST

START_TEST(ringio_free_leaves_page_alone)
{
	struct ringio_conn *rc;
	char before[GUEST_PAGE_SIZE];

	rc = conn_default();
	send_packet(XS_READ, 1, "ab", 3);
	memcpy(before, page, sizeof(before));
	talloc_free(rc);
	ck_assert_mem_eq(before, page, sizeof(before));
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

/* ---- reading ---- */

START_TEST(ringio_read_whole_packet)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload = NULL;
	char buf[32];

	rc = conn_default();
	guest_packet(buf, XS_READ, 7, 3, "a/b", 4);
	guest_send(page, buf, 20);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.type, XS_READ);
	ck_assert_uint_eq(h.req_id, 7);
	ck_assert_uint_eq(h.tx_id, 3);
	ck_assert_uint_eq(h.len, 4);
	ck_assert_mem_eq(payload, "a/b", 4);
	ck_assert_int_eq(notes.count, 1);
	ck_assert_uint_eq(page->req_cons, 20);

	/* Nothing more: no bytes, no notify. */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_int_eq(notes.count, 1);
}
END_TEST

START_TEST(ringio_read_payload_is_nul_terminated)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	send_packet(XS_WRITE, 1, "pathvalue", 9);	/* no NUL sent */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.len, 9);
	ck_assert_str_eq(payload, "pathvalue");
}
END_TEST

START_TEST(ringio_read_empty_payload)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	send_packet(XS_GET_DOMAIN_PATH, 2, NULL, 0);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.len, 0);
	ck_assert_int_eq(payload[0], '\0');
	ck_assert_int_eq(notes.count, 1);
}
END_TEST

START_TEST(ringio_read_returns_packets_one_at_a_time)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	send_packet(XS_READ, 1, "one", 4);
	send_packet(XS_READ, 2, "two!", 5);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 1);
	ck_assert_str_eq(payload, "one");
	ck_assert_uint_eq(page->req_cons, 20);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 2);
	ck_assert_str_eq(payload, "two!");
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_int_eq(notes.count, 2);
}
END_TEST

START_TEST(ringio_read_packet_split_one_byte_at_a_time)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n, i;

	rc = conn_default();
	n = guest_packet(buf, XS_WRITE, 9, 0, NULL, 40);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(guest_send(page, buf + i, 1), 1);
		if (i + 1 < n)
			ck_assert_int_eq(ringio_conn_read(rc, &h, &payload),
			    EAGAIN);
		/* One byte consumed per step, one notify per step. */
		ck_assert_int_eq(notes.count, (int)i + (i + 1 < n ? 1 : 0));
	}
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_int_eq(notes.count, (int)n);
	ck_assert_uint_eq(h.req_id, 9);
	ck_assert_uint_eq(h.len, 40);
	ck_assert_mem_eq(payload, buf + 16, 40);
}
END_TEST

START_TEST(ringio_read_header_and_payload_split_unevenly)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n;

	rc = conn_default();
	n = guest_packet(buf, XS_WRITE, 4, 0, NULL, 100);
	guest_send(page, buf, 10);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	guest_send(page, buf + 10, 50);		/* header ends inside */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_uint_eq(page->req_cons, 60);
	guest_send(page, buf + 60, n - 60);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_mem_eq(payload, buf + 16, 100);
	ck_assert_int_eq(notes.count, 3);
}
END_TEST

START_TEST(ringio_read_packet_straddles_ring_end)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];

	/* The header crosses the ring end. */
	page->req_cons = page->req_prod = 1010;
	rc = conn_default();
	guest_packet(buf, XS_WRITE, 5, 0, NULL, 30);
	guest_send(page, buf, 46);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 5);
	ck_assert_mem_eq(payload, buf + 16, 30);

	/* The payload crosses the ring end. */
	page->req_cons = page->req_prod = 2000;
	send_packet(XS_WRITE, 6, NULL, 100);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 6);
	ck_assert_uint_eq(h.len, 100);
	ck_assert_mem_eq(payload, "abcdefghijklmnopqrstuvwxyzabcd", 30);
}
END_TEST

START_TEST(ringio_read_wraps_at_2_32)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	page->req_cons = page->req_prod = UINT32_MAX - 20;
	rc = conn_default();
	send_packet(XS_READ, 1, "first", 6);
	send_packet(XS_READ, 2, "second", 7);
	ck_assert_uint_lt(page->req_prod, 100);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_str_eq(payload, "first");
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_str_eq(payload, "second");
	ck_assert_uint_eq(page->req_cons, page->req_prod);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
}
END_TEST

START_TEST(ringio_read_max_payload_larger_than_ring)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n, sent = 0;
	int i, err = EAGAIN;

	rc = conn_default();
	n = guest_packet(buf, XS_WRITE, 3, 0, NULL, XENSTORE_PAYLOAD_MAX);
	/* The guest refills the ring as the server drains it. */
	for (i = 0; i < 10 && err == EAGAIN; i++) {
		sent += guest_send(page, buf + sent, n - sent);
		err = ringio_conn_read(rc, &h, &payload);
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(sent, n);
	ck_assert_uint_eq(h.len, XENSTORE_PAYLOAD_MAX);
	ck_assert_mem_eq(payload, buf + 16, XENSTORE_PAYLOAD_MAX);
	ck_assert_int_eq(payload[XENSTORE_PAYLOAD_MAX], '\0');
}
END_TEST

START_TEST(ringio_read_full_request_ring_is_not_corrupt)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	int i;

	rc = conn_default();
	/* 1024 bytes pending: 16 packets of 64 bytes. */
	for (i = 0; i < 16; i++)
		send_packet(XS_WRITE, (uint32_t)i, NULL, 48);
	ck_assert_uint_eq(page->req_prod - page->req_cons, XENSTORE_RING_SIZE);
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
		ck_assert_uint_eq(h.req_id, (uint32_t)i);
	}
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	ck_assert_uint_eq(page->error, 0);
}
END_TEST

/* ---- the error indicator ---- */

START_TEST(ringio_read_oversize_header_sets_proto)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[16];
	XENSTORE_RING_IDX cons;

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, "", 0);
	((struct xsd_sockmsg *)(void *)buf)->len = XENSTORE_PAYLOAD_MAX + 1;
	guest_send(page, buf, sizeof(buf));
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_PROTO);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_PROTO);

	/* Stopped: more input is not read, no output is written. */
	send_packet(XS_READ, 2, "a", 2);
	cons = page->req_cons;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ENOTCONN);
	ck_assert_uint_eq(page->req_cons, cons);
	guest_packet(buf, XS_READ, 2, 0, "", 0);
	ck_assert_int_eq(ringio_conn_write(rc, buf, 16), ENOTCONN);
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert_int_eq(notes.count, 0);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_PROTO);
}
END_TEST

START_TEST(ringio_read_huge_header_len_sets_proto)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[16];

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, "", 0);
	((struct xsd_sockmsg *)(void *)buf)->len = UINT32_MAX;
	guest_send(page, buf, sizeof(buf));
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_PROTO);
}
END_TEST

START_TEST(ringio_read_header_len_4096_accepted)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	send_packet(XS_WRITE, 1, NULL, 500);
	((struct xsd_sockmsg *)(void *)page->req)->len = XENSTORE_PAYLOAD_MAX;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	ck_assert_uint_eq(page->error, 0);
}
END_TEST

/* { cons, prod } pairs no correct peer can produce. */
static const XENSTORE_RING_IDX corrupt[][2] = {
	{ 0, XENSTORE_RING_SIZE + 1 },		/* 1025 pending */
	{ 100, 99 },				/* prod behind cons */
	{ 4096, 0 },				/* prod far behind */
	{ UINT32_MAX - 10, XENSTORE_RING_SIZE - 10 },	/* 1025, wrapped */
	{ 0, UINT32_MAX },
};

START_TEST(ringio_read_corrupt_indexes_set_ringidx)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	XENSTORE_RING_IDX cons = corrupt[_i][0], prod = corrupt[_i][1];

	rc = conn_default();
	page->req_cons = cons;
	page->req_prod = prod;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_RINGIDX);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_RINGIDX);
	ck_assert_uint_eq(page->req_cons, cons);
	ck_assert_uint_eq(page->req_prod, prod);

	/* Even once the guest repairs the indexes, the ring stays stopped. */
	page->req_cons = page->req_prod = 0;
	send_packet(XS_READ, 1, "a", 2);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ENOTCONN);
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

START_TEST(ringio_write_corrupt_indexes_set_ringidx)
{
	struct ringio_conn *rc;
	char buf[32];
	size_t n;
	XENSTORE_RING_IDX cons = corrupt[_i][0], prod = corrupt[_i][1];

	rc = conn_default();
	page->rsp_cons = cons;
	page->rsp_prod = prod;
	n = guest_packet(buf, XS_READ, 1, 0, "value", 5);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_RINGIDX);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_RINGIDX);
	ck_assert_uint_eq(page->rsp_cons, cons);
	ck_assert_uint_eq(page->rsp_prod, prod);

	page->rsp_cons = page->rsp_prod = 0;
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), ENOTCONN);
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

START_TEST(ringio_read_corrupt_mid_packet_sets_ringidx)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, NULL, 100);
	guest_send(page, buf, 30);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	page->req_prod = page->req_cons - 1;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_RINGIDX);
}
END_TEST

START_TEST(ringio_error_word_needs_error_feature)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_with(XENSTORE_SERVER_FEATURE_RECONNECTION);
	page->req_prod = XENSTORE_RING_SIZE + 1;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_RINGIDX);
	ck_assert_uint_eq(page->error, 0);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ENOTCONN);
}
END_TEST

START_TEST(ringio_set_error_comm_stops_the_ring)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[16];

	rc = conn_default();
	ck_assert_int_eq(ringio_conn_set_error(rc, 0), EINVAL);
	ck_assert_int_eq(ringio_conn_set_error(rc, 4), EINVAL);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	ck_assert_uint_eq(page->error, 0);

	ck_assert_int_eq(ringio_conn_set_error(rc, XENSTORE_ERROR_COMM), 0);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_COMM);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_COMM);
	send_packet(XS_READ, 1, "a", 2);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ENOTCONN);
	ck_assert_uint_eq(page->req_cons, 0);
	guest_packet(buf, XS_READ, 1, 0, "", 0);
	ck_assert_int_eq(ringio_conn_write(rc, buf, 16), ENOTCONN);

	/* The first error sticks. */
	ck_assert_int_eq(ringio_conn_set_error(rc, XENSTORE_ERROR_PROTO), 0);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_COMM);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_COMM);
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

/* ---- writing ---- */

START_TEST(ringio_write_whole_packet)
{
	struct ringio_conn *rc;
	char buf[64], got[64];
	size_t n;

	rc = conn_default();
	n = guest_packet(buf, XS_READ, 7, 0, "hello", 6);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert(!ringio_conn_out_partial(rc));
	ck_assert_int_eq(notes.count, 1);
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), n);
	ck_assert_mem_eq(got, buf, n);
}
END_TEST

START_TEST(ringio_write_continues_when_space_freed)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX], got[PKT_MAX], junk[XENSTORE_RING_SIZE];
	size_t n, r;

	rc = conn_default();
	/* The guest has not yet read 974 bytes: 50 free. */
	page->rsp_prod = XENSTORE_RING_SIZE - 50;
	n = guest_packet(buf, XS_WATCH_EVENT, 0, 0, NULL, 184);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	ck_assert(ringio_conn_out_partial(rc));
	ck_assert_uint_eq(page->rsp_prod, XENSTORE_RING_SIZE);
	ck_assert_int_eq(notes.count, 1);

	/* Still full: nothing moves, nobody is woken. */
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	ck_assert_int_eq(notes.count, 1);

	/* The guest drains its backlog and the first 50 bytes. */
	ck_assert_uint_eq(guest_recv(page, junk, XENSTORE_RING_SIZE - 50),
	    XENSTORE_RING_SIZE - 50);
	r = guest_recv(page, got, sizeof(got));
	ck_assert_uint_eq(r, 50);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert(!ringio_conn_out_partial(rc));
	ck_assert_int_eq(notes.count, 2);
	r += guest_recv(page, got + r, sizeof(got) - r);
	ck_assert_uint_eq(r, n);
	ck_assert_mem_eq(got, buf, n);
}
END_TEST

START_TEST(ringio_write_max_reply_over_many_steps)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX], got[PKT_MAX];
	size_t n, r = 0;
	int i, err = EAGAIN;

	rc = conn_default();
	n = guest_packet(buf, XS_READ, 1, 0, NULL, XENSTORE_PAYLOAD_MAX);
	for (i = 0; i < 10 && err == EAGAIN; i++) {
		err = ringio_conn_write(rc, buf, n);
		r += guest_recv(page, got + r, sizeof(got) - r);
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(r, n);
	ck_assert_mem_eq(got, buf, n);
}
END_TEST

START_TEST(ringio_write_wraps_at_2_32)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX], got[PKT_MAX];
	size_t n;

	page->rsp_cons = page->rsp_prod = UINT32_MAX - 7;
	rc = conn_default();
	n = guest_packet(buf, XS_DIRECTORY, 3, 0, NULL, 300);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_uint_eq(page->rsp_prod, (uint32_t)(n - 8));
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), n);
	ck_assert_mem_eq(got, buf, n);
}
END_TEST

START_TEST(ringio_write_full_response_ring_is_not_corrupt)
{
	struct ringio_conn *rc;
	char buf[32];
	size_t n;

	rc = conn_default();
	page->rsp_cons = 3;
	page->rsp_prod = 3 + XENSTORE_RING_SIZE;
	n = guest_packet(buf, XS_READ, 1, 0, "x", 2);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	/* Nothing of it is in the ring: the daemon may still replace it. */
	ck_assert(!ringio_conn_out_partial(rc));
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	ck_assert_uint_eq(page->error, 0);
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

START_TEST(ringio_write_rejects_bad_packets)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX + 16], before[GUEST_PAGE_SIZE];
	size_t n;

	rc = conn_default();
	memcpy(before, page, sizeof(before));
	n = guest_packet(buf, XS_READ, 1, 0, "abc", 4);
	ck_assert_int_eq(ringio_conn_write(rc, NULL, n), EINVAL);
	ck_assert_int_eq(ringio_conn_write(rc, buf, 0), EINVAL);
	ck_assert_int_eq(ringio_conn_write(rc, buf, 15), EINVAL);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n - 1), EINVAL);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n + 1), EINVAL);
	n = guest_packet(buf, XS_READ, 1, 0, NULL, XENSTORE_PAYLOAD_MAX + 1);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EINVAL);
	ck_assert_mem_eq(before, page, sizeof(before));
	ck_assert_int_eq(notes.count, 0);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
}
END_TEST

START_TEST(ringio_write_rejects_other_packet_while_partial)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX], other[64];
	size_t n, m;

	rc = conn_default();
	page->rsp_prod = XENSTORE_RING_SIZE - 10;
	n = guest_packet(buf, XS_READ, 1, 0, NULL, 100);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	ck_assert(ringio_conn_out_partial(rc));
	m = guest_packet(other, XS_READ, 2, 0, "x", 2);
	ck_assert_int_eq(ringio_conn_write(rc, other, m), EINVAL);
	ck_assert_int_eq(ringio_conn_write(rc, NULL, n), EINVAL);
	ck_assert(ringio_conn_out_partial(rc));
}
END_TEST

START_TEST(ringio_notify_at_most_once_per_step)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n;

	rc = conn_default();
	/* Header and payload in one step: two passes, one notify. */
	page->req_cons = page->req_prod = 1000;
	send_packet(XS_WRITE, 1, NULL, 200);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_int_eq(notes.count, 1);
	/* A write crossing the ring end: two chunks, one notify. */
	page->rsp_cons = page->rsp_prod = 1000;
	n = guest_packet(buf, XS_WRITE, 1, 0, NULL, 200);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_int_eq(notes.count, 2);
	/* Steps that move nothing notify nobody. */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), 0);
	ck_assert_int_eq(notes.count, 2);
}
END_TEST

/* ---- reconnection ---- */

START_TEST(ringio_reconnect_mid_packet_input)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, NULL, 100);
	guest_send(page, buf, 10);		/* half a header */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_int_eq(notes.count, 1);

	page->connection = XENSTORE_RECONNECT;
	guest_send(page, buf + 10, 50);	/* the guest drops these */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	ck_assert_int_eq(notes.count, 2);
	assert_fresh_page(15);

	/* The stale half header is gone: a fresh packet frames cleanly. */
	send_packet(XS_READ, 42, "fresh", 6);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.type, XS_READ);
	ck_assert_uint_eq(h.req_id, 42);
	ck_assert_str_eq(payload, "fresh");
}
END_TEST

START_TEST(ringio_reconnect_mid_payload_input)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, NULL, 200);
	guest_send(page, buf, 100);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	assert_fresh_page(15);
	send_packet(XS_READ, 2, "x", 2);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 2);
	ck_assert_uint_eq(h.len, 2);
}
END_TEST

START_TEST(ringio_reconnect_reports_dropped_partial_input)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];

	rc = conn_default();
	ck_assert_uint_eq(ringio_conn_dropped_input(rc), 0);
	/* A whole packet handed to the daemon is not partial input. */
	send_packet(XS_READ, 1, "a", 2);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	ck_assert_uint_eq(ringio_conn_dropped_input(rc), 0);

	/* 16 header bytes and 84 of 200 payload bytes were consumed. */
	guest_packet(buf, XS_WRITE, 2, 0, NULL, 200);
	guest_send(page, buf, 100);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	ck_assert_uint_eq(ringio_conn_dropped_input(rc), 100);

	/* Each reset reports its own loss, not a running total. */
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	ck_assert_uint_eq(ringio_conn_dropped_input(rc), 0);
}
END_TEST

START_TEST(ringio_reconnect_while_reply_half_written)
{
	struct ringio_conn *rc;
	char buf[PKT_MAX], next[64], got[64];
	size_t n, m;

	rc = conn_default();
	page->rsp_prod = XENSTORE_RING_SIZE - 60;	/* 60 bytes free */
	n = guest_packet(buf, XS_DIRECTORY, 1, 0, NULL, 300);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	ck_assert(ringio_conn_out_partial(rc));

	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), ECONNRESET);
	ck_assert(!ringio_conn_out_partial(rc));
	assert_fresh_page(15);
	ck_assert_int_eq(notes.count, 2);

	/* The daemon dropped its queue; the next packet starts at 0. */
	m = guest_packet(next, XS_READ, 2, 0, "ok", 3);
	ck_assert_int_eq(ringio_conn_write(rc, next, m), 0);
	ck_assert_uint_eq(page->rsp_prod, m);
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), m);
	ck_assert_mem_eq(got, next, m);
}
END_TEST

START_TEST(ringio_reconnect_clears_error_and_revives)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[64], got[64];
	size_t n;

	rc = conn_default();
	page->req_prod = 5000;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_RINGIDX);

	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	assert_fresh_page(15);
	ck_assert_uint_eq(ringio_conn_error(rc), XENSTORE_ERROR_NONE);

	send_packet(XS_READ, 8, "again", 6);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_str_eq(payload, "again");
	n = guest_packet(buf, XS_READ, 8, 0, "v", 2);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), n);
}
END_TEST

START_TEST(ringio_reconnect_revives_comm_error_on_write_step)
{
	struct ringio_conn *rc;
	char buf[32];
	size_t n;

	rc = conn_default();
	ck_assert_int_eq(ringio_conn_set_error(rc, XENSTORE_ERROR_COMM), 0);
	page->connection = XENSTORE_RECONNECT;
	n = guest_packet(buf, XS_READ, 1, 0, "v", 2);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), ECONNRESET);
	assert_fresh_page(15);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	/* Nothing was written in that step. */
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
}
END_TEST

START_TEST(ringio_reconnect_scrubs_with_deadbeef_and_zeroes_indexes)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	memset(page->req, 0, sizeof(page->req));
	memset(page->rsp, 0xFF, sizeof(page->rsp));
	page->req_cons = page->req_prod = 777;
	page->rsp_cons = page->rsp_prod = UINT32_MAX;
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	ck_assert_mem_eq(page->req, "deadbeefdeadbeef", 16);
	ck_assert_mem_eq(page->rsp + XENSTORE_RING_SIZE - 8, "deadbeef", 8);
	assert_fresh_page(15);
}
END_TEST

START_TEST(ringio_reconnect_clears_flag_before_notify)
{
	struct ringio_conn *rc;

	rc = conn_default();
	page->req_prod = 30;
	page->rsp_prod = 60;
	page->error = XENSTORE_ERROR_PROTO;
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	/* Exactly one notify, and the guest saw a finished reset in it. */
	ck_assert_int_eq(notes.count, 1);
	ck_assert_uint_eq(notes.connection, XENSTORE_CONNECTED);
	ck_assert_uint_eq(notes.error, XENSTORE_ERROR_NONE);
	ck_assert_uint_eq(notes.idx_or, 0);
	ck_assert(notes.scrubbed);
}
END_TEST

START_TEST(ringio_reconnect_any_nonzero_word)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	page->connection = 0xdeadbeef;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	ck_assert_uint_eq(page->connection, 0);
}
END_TEST

START_TEST(ringio_reconnect_rewrites_features)
{
	struct ringio_conn *rc;

	rc = conn_with(XENSTORE_SERVER_FEATURE_RECONNECTION |
	    XENSTORE_SERVER_FEATURE_ERROR);
	page->server_features = 0;		/* old hvmloader zeroed all */
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	ck_assert_uint_eq(page->server_features, 3);
}
END_TEST

START_TEST(ringio_reconnect_preset_word_handled_first)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	/* A dom0less builder: flag pre-set, the rest never initialised. */
	memset(page, 0x5A, GUEST_PAGE_SIZE);
	page->connection = XENSTORE_RECONNECT;
	rc = conn_default();
	ck_assert_uint_eq(page->connection, XENSTORE_RECONNECT);
	ck_assert_int_eq(notes.count, 0);

	/* Garbage indexes are not even looked at: no error is raised. */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ECONNRESET);
	assert_fresh_page(15);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	ck_assert_int_eq(notes.count, 1);
	ck_assert_uint_eq(notes.connection, 0);
}
END_TEST

START_TEST(ringio_check_reconnect_at_introduce)
{
	struct ringio_conn *rc;

	page->connection = XENSTORE_RECONNECT;
	page->req_prod = 99999;
	rc = conn_default();
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	assert_fresh_page(15);
	ck_assert_int_eq(notes.count, 1);
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), 0);
	ck_assert_int_eq(notes.count, 1);
}
END_TEST

START_TEST(ringio_check_reconnect_without_flag_changes_nothing)
{
	struct ringio_conn *rc;
	char before[GUEST_PAGE_SIZE];

	rc = conn_default();
	send_packet(XS_READ, 1, "a", 2);
	page->rsp_prod = 17;
	memcpy(before, page, sizeof(before));
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), 0);
	ck_assert_mem_eq(before, page, sizeof(before));
	ck_assert_int_eq(notes.count, 0);
}
END_TEST

START_TEST(ringio_reset_is_unconditional)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n;

	rc = conn_default();
	guest_packet(buf, XS_WRITE, 1, 0, NULL, 40);
	guest_send(page, buf, 20);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	page->rsp_prod = XENSTORE_RING_SIZE - 5;
	n = guest_packet(buf, XS_READ, 1, 0, NULL, 40);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);
	ck_assert_int_eq(ringio_conn_set_error(rc, XENSTORE_ERROR_COMM), 0);
	notes.count = 0;

	ringio_conn_reset(rc);
	assert_fresh_page(15);
	ck_assert_int_eq(notes.count, 1);
	ck_assert_uint_eq(notes.connection, 0);
	ck_assert(!ringio_conn_out_partial(rc));
	ck_assert_uint_eq(ringio_conn_error(rc), 0);
	send_packet(XS_READ, 5, "z", 2);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	ck_assert_uint_eq(h.req_id, 5);
}
END_TEST

START_TEST(ringio_payload_survives_write_until_next_read)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[64];
	size_t n;

	rc = conn_default();
	send_packet(XS_READ, 1, "keep/me", 8);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	/* Replying (even through a reconnection) leaves it readable. */
	page->connection = XENSTORE_RECONNECT;
	n = guest_packet(buf, XS_READ, 1, 0, "v", 2);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), ECONNRESET);
	ck_assert_str_eq(payload, "keep/me");
}
END_TEST

/* ---- guests that write what is not theirs ---- */

START_TEST(ringio_hvmloader_zeroes_all_indexes_with_data_pending)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	size_t n;
	int err;

	rc = conn_with(XENSTORE_SERVER_FEATURE_ERROR);
	/* Half a request read, half a reply written. */
	guest_packet(buf, XS_WRITE, 1, 0, NULL, 100);
	guest_send(page, buf, 50);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	page->rsp_prod = XENSTORE_RING_SIZE - 20;
	n = guest_packet(buf, XS_READ, 1, 0, NULL, 200);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), EAGAIN);

	/* hvmloader without RECONNECTION: 0xFF everywhere, indexes 0. */
	memset(page->req, 0xFF, sizeof(page->req));
	memset(page->rsp, 0xFF, sizeof(page->rsp));
	page->req_cons = page->req_prod = 0;
	page->rsp_cons = page->rsp_prod = 0;

	/* Empty rings are valid: nothing to read, the reply's rest fits. */
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EAGAIN);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_uint_eq(page->rsp_prod, n - 20);
	ck_assert_uint_eq(ringio_conn_error(rc), 0);

	/*
	 * The next OS's first request lands after our stale half packet:
	 * the framing is off (the reason for reconnection), but every
	 * outcome is one of these and nothing is out of bounds.
	 */
	send_packet(XS_READ, 2, "x", 2);
	err = ringio_conn_read(rc, &h, &payload);
	ck_assert(err == 0 || err == EAGAIN || err == EPROTO);
	if (err == 0)
		ck_assert_uint_le(h.len, XENSTORE_PAYLOAD_MAX);
	if (err == EPROTO)
		ck_assert_uint_ne(page->error, 0);
}
END_TEST

START_TEST(ringio_hvmloader_reset_race_stops_ring)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;

	rc = conn_default();
	page->req_cons = page->req_prod = 500;
	/* Caught between zeroing req_prod and req_cons: 2^32 - 500. */
	page->req_prod = 0;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), EPROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_RINGIDX);
	page->req_cons = 0;
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), ENOTCONN);
}
END_TEST

START_TEST(ringio_hvmloader_handshake)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[64], got[64];
	size_t n;

	rc = conn_default();
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), 0);
	/* One synchronous request and its reply. */
	send_packet(XS_READ, 0, "hvmloader/bios", 15);
	ck_assert_int_eq(ringio_conn_read(rc, &h, &payload), 0);
	n = guest_packet(buf, XS_READ, 0, 0, "seabios", 7);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), n);

	/* Shutdown: the feature is there, so ask and wait for 0. */
	ck_assert_uint_ne(page->server_features &
	    XENSTORE_SERVER_FEATURE_RECONNECTION, 0);
	page->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(ringio_conn_check_reconnect(rc), ECONNRESET);
	ck_assert_uint_eq(page->connection, XENSTORE_CONNECTED);
	ck_assert_uint_eq(notes.connection, XENSTORE_CONNECTED);
	assert_fresh_page(15);
}
END_TEST

START_TEST(ringio_linux_zeroes_response_direction)
{
	struct ringio_conn *rc;
	char buf[64], got[64];
	size_t n;

	rc = conn_default();
	page->rsp_cons = 100;
	page->rsp_prod = 120;
	/* Linux found a problem and zeroed its rsp indexes. */
	page->rsp_cons = page->rsp_prod = 0;
	n = guest_packet(buf, XS_WATCH_EVENT, 0, 0, "a\0tok", 6);
	ck_assert_int_eq(ringio_conn_write(rc, buf, n), 0);
	ck_assert_uint_eq(guest_recv(page, got, sizeof(got)), n);
	ck_assert_mem_eq(got, buf, n);
}
END_TEST

/* xorshift32: a fixed sequence, so a failure reproduces. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

START_TEST(ringio_survives_random_hostile_guest)
{
	struct ringio_conn *rc;
	struct xsd_sockmsg h;
	const char *payload;
	char buf[PKT_MAX];
	uint32_t seed = 0x12345678u + (uint32_t)_i, r;
	size_t n;
	int step, err, seen[5] = { 0 };

	rc = conn_default();
	n = guest_packet(buf, XS_READ, 1, 0, NULL, 700);
	for (step = 0; step < 20000; step++) {
		r = next_rand(&seed);
		switch (r % 8) {
		case 0:
			page->req_prod = next_rand(&seed);
			break;
		case 1:
			page->rsp_cons += next_rand(&seed) % 1100;
			break;
		case 2:
			page->req[r % XENSTORE_RING_SIZE] = (char)(r >> 8);
			page->req_prod += r % 300;
			break;
		case 3:
			if (r % 64 == 0)
				page->connection = r >> 24 | 1;
			break;
		case 4:
			guest_send(page, buf, r % 200);
			break;
		default:
			break;
		}
		if (r & 0x100) {
			err = ringio_conn_read(rc, &h, &payload);
			ck_assert(err == 0 || err == EAGAIN ||
			    err == ECONNRESET || err == EPROTO ||
			    err == ENOTCONN);
			if (err == 0)
				ck_assert_uint_le(h.len, XENSTORE_PAYLOAD_MAX);
		} else {
			err = ringio_conn_write(rc, buf, n);
			ck_assert(err == 0 || err == EAGAIN ||
			    err == ECONNRESET || err == EPROTO ||
			    err == ENOTCONN);
		}
		if (err == ECONNRESET) {
			ck_assert_uint_eq(page->connection, 0);
			ck_assert_uint_eq(ringio_conn_error(rc), 0);
		}
		if (err == ENOTCONN || err == EPROTO)
			ck_assert_uint_ne(ringio_conn_error(rc), 0);
		seen[err == 0 ? 0 : err == EAGAIN ? 1 : err == ECONNRESET ? 2 :
		    err == EPROTO ? 3 : 4]++;
		/* A stopped ring gets revived now and then. */
		if (err == ENOTCONN && r % 16 == 0)
			page->connection = 1;
	}
	/* The walk reached every outcome, so each path above was tried. */
	for (step = 0; step < 5; step++)
		ck_assert_int_gt(seen[step], 0);
}
END_TEST

static Suite *
ringio_suite(void)
{
	Suite *s;
	TCase *tc;
	int ncorrupt = sizeof(corrupt) / sizeof(corrupt[0]);

	s = suite_create("ringio");

	tc = tcase_create("new");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ringio_new_advertises_features_before_io);
	tcase_add_test(tc, ringio_new_advertises_given_mask);
	tcase_add_test(tc, ringio_new_rejects_bad_arguments);
	tcase_add_test(tc, ringio_free_leaves_page_alone);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ringio_read_whole_packet);
	tcase_add_test(tc, ringio_read_payload_is_nul_terminated);
	tcase_add_test(tc, ringio_read_empty_payload);
	tcase_add_test(tc, ringio_read_returns_packets_one_at_a_time);
	tcase_add_test(tc, ringio_read_packet_split_one_byte_at_a_time);
	tcase_add_test(tc, ringio_read_header_and_payload_split_unevenly);
	tcase_add_test(tc, ringio_read_packet_straddles_ring_end);
	tcase_add_test(tc, ringio_read_wraps_at_2_32);
	tcase_add_test(tc, ringio_read_max_payload_larger_than_ring);
	tcase_add_test(tc, ringio_read_full_request_ring_is_not_corrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("error");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ringio_read_oversize_header_sets_proto);
	tcase_add_test(tc, ringio_read_huge_header_len_sets_proto);
	tcase_add_test(tc, ringio_read_header_len_4096_accepted);
	tcase_add_loop_test(tc, ringio_read_corrupt_indexes_set_ringidx, 0,
	    ncorrupt);
	tcase_add_loop_test(tc, ringio_write_corrupt_indexes_set_ringidx, 0,
	    ncorrupt);
	tcase_add_test(tc, ringio_read_corrupt_mid_packet_sets_ringidx);
	tcase_add_test(tc, ringio_error_word_needs_error_feature);
	tcase_add_test(tc, ringio_set_error_comm_stops_the_ring);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ringio_write_whole_packet);
	tcase_add_test(tc, ringio_write_continues_when_space_freed);
	tcase_add_test(tc, ringio_write_max_reply_over_many_steps);
	tcase_add_test(tc, ringio_write_wraps_at_2_32);
	tcase_add_test(tc, ringio_write_full_response_ring_is_not_corrupt);
	tcase_add_test(tc, ringio_write_rejects_bad_packets);
	tcase_add_test(tc, ringio_write_rejects_other_packet_while_partial);
	tcase_add_test(tc, ringio_notify_at_most_once_per_step);
	suite_add_tcase(s, tc);

	tc = tcase_create("reconnect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ringio_reconnect_mid_packet_input);
	tcase_add_test(tc, ringio_reconnect_mid_payload_input);
	tcase_add_test(tc, ringio_reconnect_reports_dropped_partial_input);
	tcase_add_test(tc, ringio_reconnect_while_reply_half_written);
	tcase_add_test(tc, ringio_reconnect_clears_error_and_revives);
	tcase_add_test(tc, ringio_reconnect_revives_comm_error_on_write_step);
	tcase_add_test(tc,
	    ringio_reconnect_scrubs_with_deadbeef_and_zeroes_indexes);
	tcase_add_test(tc, ringio_reconnect_clears_flag_before_notify);
	tcase_add_test(tc, ringio_reconnect_any_nonzero_word);
	tcase_add_test(tc, ringio_reconnect_rewrites_features);
	tcase_add_test(tc, ringio_reconnect_preset_word_handled_first);
	tcase_add_test(tc, ringio_check_reconnect_at_introduce);
	tcase_add_test(tc, ringio_check_reconnect_without_flag_changes_nothing);
	tcase_add_test(tc, ringio_reset_is_unconditional);
	tcase_add_test(tc, ringio_payload_survives_write_until_next_read);
	suite_add_tcase(s, tc);

	tc = tcase_create("guests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    ringio_hvmloader_zeroes_all_indexes_with_data_pending);
	tcase_add_test(tc, ringio_hvmloader_reset_race_stops_ring);
	tcase_add_test(tc, ringio_hvmloader_handshake);
	tcase_add_test(tc, ringio_linux_zeroes_response_direction);
	tcase_add_loop_test(tc, ringio_survives_random_hostile_guest, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(ringio_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
