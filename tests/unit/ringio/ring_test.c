/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring_test.c: tests of ringio/ring.c (index arithmetic, copies, the
 * corruption check, the reset sequence, the page layout). The test plays
 * the guest on a plain page.
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringio/ring.h"
#include "tests/unit/ringio/guest.h"

static struct xenstore_domain_interface *page;

static void
setup(void)
{
	page = guest_page_new();
	ck_assert_ptr_nonnull(page);
}

static void
teardown(void)
{
	free(page);
	page = NULL;
}

/* Fills buf with n bytes of a pattern starting at seed. */
static void
fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7);
}

START_TEST(ring_layout_matches_spec)
{
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, req), 0);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, rsp),
	    1024);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, req_cons),
	    2048);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, req_prod),
	    2052);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, rsp_cons),
	    2056);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, rsp_prod),
	    2060);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface,
	    server_features), 2064);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface,
	    connection), 2068);
	ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, error),
	    2072);
}
END_TEST

START_TEST(ring_copy_out_reads_pending_bytes)
{
	char in[100], out[100];
	size_t got;

	fill(in, sizeof(in), 1);
	ck_assert_uint_eq(guest_send(page, in, sizeof(in)), sizeof(in));
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(in));
	ck_assert_uint_eq(page->req_cons, 100);
	ck_assert_uint_eq(page->req_prod, 100);
}
END_TEST

START_TEST(ring_copy_out_empty_ring_reads_nothing)
{
	char out[16];
	size_t got = 99;

	page->req_cons = page->req_prod = 12345;
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(page->req_cons, 12345);
}
END_TEST

START_TEST(ring_copy_out_limited_by_len)
{
	char in[50], out[50];
	size_t got;

	fill(in, sizeof(in), 3);
	guest_send(page, in, sizeof(in));
	ck_assert_int_eq(ring_copy_out(page, out, 20, &got), 0);
	ck_assert_uint_eq(got, 20);
	ck_assert_uint_eq(page->req_cons, 20);
	ck_assert_int_eq(ring_copy_out(page, out + 20, 30, &got), 0);
	ck_assert_uint_eq(got, 30);
	ck_assert_mem_eq(in, out, sizeof(in));
}
END_TEST

START_TEST(ring_copy_wraps_at_2_32)
{
	char in[40], out[40];
	size_t got, put;

	/* Request side: the stream crosses 2^32 (and the ring end). */
	page->req_cons = page->req_prod = UINT32_MAX - 9;
	fill(in, sizeof(in), 5);
	ck_assert_uint_eq(guest_send(page, in, sizeof(in)), sizeof(in));
	ck_assert_uint_eq(page->req_prod, 30);
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(in));
	ck_assert_uint_eq(page->req_cons, 30);

	/* Response side, the same. */
	page->rsp_cons = page->rsp_prod = UINT32_MAX - 3;
	fill(in, sizeof(in), 9);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, sizeof(in));
	ck_assert_uint_eq(page->rsp_prod, 36);
	memset(out, 0, sizeof(out));
	ck_assert_uint_eq(guest_recv(page, out, sizeof(out)), sizeof(out));
	ck_assert_mem_eq(in, out, sizeof(in));
}
END_TEST

START_TEST(ring_copy_wraps_at_2_32_when_full)
{
	char in[XENSTORE_RING_SIZE], out[XENSTORE_RING_SIZE];
	size_t got, put;

	/* prod has wrapped, cons has not: 1024 pending, valid. */
	page->req_cons = UINT32_MAX - 99;
	page->req_prod = page->req_cons;
	fill(in, sizeof(in), 11);
	ck_assert_uint_eq(guest_send(page, in, sizeof(in)), sizeof(in));
	ck_assert_uint_lt(page->req_prod, page->req_cons);
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, XENSTORE_RING_SIZE);
	ck_assert_mem_eq(in, out, sizeof(in));

	page->rsp_cons = UINT32_MAX - 99;
	page->rsp_prod = page->rsp_cons;
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, XENSTORE_RING_SIZE);
	ck_assert_uint_eq(page->rsp_prod, page->rsp_cons + XENSTORE_RING_SIZE);
	ck_assert_int_eq(ring_copy_in(page, in, 1, &put), 0);
	ck_assert_uint_eq(put, 0);
}
END_TEST

START_TEST(ring_copy_out_straddles_ring_end)
{
	char in[64], out[64];
	size_t got;

	page->req_cons = page->req_prod = 1000;
	fill(in, sizeof(in), 17);
	guest_send(page, in, sizeof(in));
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(in));
	/* The first 24 bytes went to the end of the ring, the rest to 0. */
	ck_assert_mem_eq(page->req + 1000, in, 24);
	ck_assert_mem_eq(page->req, in + 24, 40);
}
END_TEST

START_TEST(ring_copy_in_straddles_ring_end)
{
	char in[64];
	size_t put;

	page->rsp_cons = page->rsp_prod = 3 * XENSTORE_RING_SIZE - 10;
	fill(in, sizeof(in), 23);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, sizeof(in));
	ck_assert_mem_eq(page->rsp + 1014, in, 10);
	ck_assert_mem_eq(page->rsp, in + 10, 54);
	ck_assert_uint_eq(page->rsp_prod, 3 * XENSTORE_RING_SIZE + 54);
}
END_TEST

START_TEST(ring_copy_in_partial_when_space_short)
{
	char in[100];
	size_t put;

	page->rsp_cons = 0;
	page->rsp_prod = XENSTORE_RING_SIZE - 30;
	fill(in, sizeof(in), 29);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 30);
	ck_assert_uint_eq(page->rsp_prod, XENSTORE_RING_SIZE);
}
END_TEST

START_TEST(ring_copy_out_exactly_full_is_not_corrupt)
{
	char out[XENSTORE_RING_SIZE + 10];
	size_t got;

	page->req_cons = 7;
	page->req_prod = 7 + XENSTORE_RING_SIZE;
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, XENSTORE_RING_SIZE);
	ck_assert_uint_eq(page->req_cons, 7 + XENSTORE_RING_SIZE);
}
END_TEST

START_TEST(ring_copy_in_exactly_full_writes_nothing)
{
	char in[10];
	size_t put = 99;

	page->rsp_cons = 5;
	page->rsp_prod = 5 + XENSTORE_RING_SIZE;
	fill(in, sizeof(in), 0);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 0);
	ck_assert_uint_eq(page->rsp_prod, 5 + XENSTORE_RING_SIZE);
}
END_TEST

/* Each corrupt pair: the call fails, and copies and moves nothing. */
static const XENSTORE_RING_IDX corrupt[][2] = {	/* { cons, prod } */
	{ 0, XENSTORE_RING_SIZE + 1 },		/* 1025 pending */
	{ 100, 99 },				/* prod one behind cons */
	{ 500, 0 },				/* prod far behind */
	{ UINT32_MAX - 10, XENSTORE_RING_SIZE - 10 },	/* 1025, wrapped */
	{ 0, UINT32_MAX },
	{ 0, 0x80000000u },
};

START_TEST(ring_copy_out_rejects_corrupt_indexes)
{
	char out[64];
	size_t got = 99;
	XENSTORE_RING_IDX cons = corrupt[_i][0], prod = corrupt[_i][1];

	memset(out, 'x', sizeof(out));
	memset(page->req, 'r', sizeof(page->req));
	page->req_cons = cons;
	page->req_prod = prod;
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), EPROTO);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(page->req_cons, cons);
	ck_assert_uint_eq(page->req_prod, prod);
	ck_assert_int_eq(out[0], 'x');
}
END_TEST

START_TEST(ring_copy_in_rejects_corrupt_indexes)
{
	char in[64];
	size_t put = 99, i;
	XENSTORE_RING_IDX cons = corrupt[_i][0], prod = corrupt[_i][1];

	memset(in, 'x', sizeof(in));
	memset(page->rsp, 'r', sizeof(page->rsp));
	page->rsp_cons = cons;
	page->rsp_prod = prod;
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), EPROTO);
	ck_assert_uint_eq(put, 0);
	ck_assert_uint_eq(page->rsp_cons, cons);
	ck_assert_uint_eq(page->rsp_prod, prod);
	for (i = 0; i < sizeof(page->rsp); i++)
		ck_assert_int_eq(page->rsp[i], 'r');
}
END_TEST

START_TEST(ring_copy_out_validates_with_zero_len)
{
	size_t got;

	page->req_cons = 0;
	page->req_prod = XENSTORE_RING_SIZE + 1;
	ck_assert_int_eq(ring_copy_out(page, NULL, 0, &got), EPROTO);
	page->req_prod = 3;
	ck_assert_int_eq(ring_copy_out(page, NULL, 0, &got), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(page->req_cons, 0);
}
END_TEST

START_TEST(ring_reset_zeroes_indexes_and_scrubs_both_rings)
{
	memset(page->req, 0, sizeof(page->req));
	memset(page->rsp, 0xFF, sizeof(page->rsp));
	page->req_cons = 1;
	page->req_prod = 2;
	page->rsp_cons = 3;
	page->rsp_prod = 4;
	page->server_features = 0;
	page->connection = XENSTORE_RECONNECT;
	page->error = XENSTORE_ERROR_RINGIDX;

	ring_reset(page, 15);
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_uint_eq(page->req_prod, 0);
	ck_assert_uint_eq(page->rsp_cons, 0);
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert(guest_ring_scrubbed(page->req));
	ck_assert(guest_ring_scrubbed(page->rsp));
	ck_assert_mem_eq(page->req, "deadbeefdeadbeef", 16);
	ck_assert_uint_eq(page->server_features, 15);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_NONE);
	ck_assert_uint_eq(page->connection, XENSTORE_CONNECTED);
}
END_TEST

START_TEST(ring_reset_leaves_evtchn_port)
{
	uint32_t port = 77;

	memcpy((char *)page + RING_EVTCHN_PORT_OFFSET, &port, sizeof(port));
	ring_reset(page, 3);
	ck_assert_uint_eq(ring_evtchn_port(page), 77);
}
END_TEST

START_TEST(ring_set_words_store_exact_values)
{
	ring_set_features(page, 14);
	ck_assert_uint_eq(page->server_features, 14);
	ring_set_error(page, XENSTORE_ERROR_PROTO);
	ck_assert_uint_eq(page->error, XENSTORE_ERROR_PROTO);
	ck_assert_uint_eq(page->connection, 0);
	ck_assert_uint_eq(page->req_cons + page->req_prod + page->rsp_cons +
	    page->rsp_prod, 0);
}
END_TEST

START_TEST(ring_connection_reads_the_word)
{
	ck_assert_uint_eq(ring_connection(page), XENSTORE_CONNECTED);
	page->connection = XENSTORE_RECONNECT;
	ck_assert_uint_eq(ring_connection(page), XENSTORE_RECONNECT);
	page->connection = 0xdeadbeef;
	ck_assert_uint_eq(ring_connection(page), 0xdeadbeef);
}
END_TEST

START_TEST(ring_evtchn_port_reads_offset_2076)
{
	unsigned char *b = (unsigned char *)page;

	ck_assert_uint_eq(ring_evtchn_port(page), 0);
	b[2076] = 0x34;
	b[2077] = 0x12;
	ck_assert_uint_eq(ring_evtchn_port(page), 0x1234);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *s;
	TCase *tc;
	int ncorrupt = sizeof(corrupt) / sizeof(corrupt[0]);

	s = suite_create("ring");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ring_layout_matches_spec);
	tcase_add_test(tc, ring_copy_out_reads_pending_bytes);
	tcase_add_test(tc, ring_copy_out_empty_ring_reads_nothing);
	tcase_add_test(tc, ring_copy_out_limited_by_len);
	tcase_add_test(tc, ring_copy_wraps_at_2_32);
	tcase_add_test(tc, ring_copy_wraps_at_2_32_when_full);
	tcase_add_test(tc, ring_copy_out_straddles_ring_end);
	tcase_add_test(tc, ring_copy_in_straddles_ring_end);
	tcase_add_test(tc, ring_copy_in_partial_when_space_short);
	tcase_add_test(tc, ring_copy_out_exactly_full_is_not_corrupt);
	tcase_add_test(tc, ring_copy_in_exactly_full_writes_nothing);
	tcase_add_loop_test(tc, ring_copy_out_rejects_corrupt_indexes, 0,
	    ncorrupt);
	tcase_add_loop_test(tc, ring_copy_in_rejects_corrupt_indexes, 0,
	    ncorrupt);
	tcase_add_test(tc, ring_copy_out_validates_with_zero_len);
	tcase_add_test(tc, ring_reset_zeroes_indexes_and_scrubs_both_rings);
	tcase_add_test(tc, ring_reset_leaves_evtchn_port);
	tcase_add_test(tc, ring_set_words_store_exact_values);
	tcase_add_test(tc, ring_connection_reads_the_word);
	tcase_add_test(tc, ring_evtchn_port_reads_offset_2076);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
