/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_ring_test.c: tests of tools/xs-guest/guest_ring.c, the guest's
 * accesses to its ring page. The daemon's side is the real one
 * (ringio/ring.c): what the guest puts, ring_copy_out must take out
 * intact, and what ring_copy_in puts, the guest must get, across the ring
 * end and the 2^32 wrap.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringio/ring.h"
#include "tools/xs-guest/guest_ring.h"

static struct xenstore_domain_interface *page;

static void
setup(void)
{
	page = aligned_alloc(4096, 4096);
	ck_assert_ptr_nonnull(page);
	memset(page, 0, 4096);
}

static void
teardown(void)
{
	free(page);
	page = NULL;
}

static void
fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7);
}

static void
set_req(uint32_t cons, uint32_t prod)
{
	page->req_cons = cons;
	page->req_prod = prod;
}

static void
set_rsp(uint32_t cons, uint32_t prod)
{
	page->rsp_cons = cons;
	page->rsp_prod = prod;
}

START_TEST(guest_ring_put_daemon_reads_same_bytes)
{
	char in[100], out[100];
	size_t put, got;

	fill(in, sizeof(in), 1);
	ck_assert_int_eq(guest_ring_put(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 100);
	ck_assert_uint_eq(page->req_prod, 100);
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, 100);
	ck_assert_mem_eq(in, out, 100);
}
END_TEST

START_TEST(guest_ring_put_straddles_ring_end)
{
	char in[40], out[40];
	size_t put, got;

	set_req(1000, 1000);
	fill(in, sizeof(in), 2);
	ck_assert_int_eq(guest_ring_put(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 40);
	/* 24 bytes at the end, 16 from the start. */
	ck_assert_mem_eq(page->req + 1000, in, 24);
	ck_assert_mem_eq(page->req, in + 24, 16);
	ck_assert_uint_eq(page->req_prod, 1040);
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, 40);
	ck_assert_mem_eq(in, out, 40);
}
END_TEST

START_TEST(guest_ring_put_wraps_at_2_32)
{
	char in[8], out[8];
	size_t put, got;

	set_req(0xFFFFFFFCu, 0xFFFFFFFCu);
	fill(in, sizeof(in), 3);
	ck_assert_int_eq(guest_ring_put(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 8);
	ck_assert_uint_eq(page->req_prod, 4);
	ck_assert_mem_eq(page->req + 1020, in, 4);
	ck_assert_mem_eq(page->req, in + 4, 4);
	ck_assert_int_eq(ring_copy_out(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, 8);
	ck_assert_mem_eq(in, out, 8);
	ck_assert_uint_eq(page->req_cons, 4);
}
END_TEST

START_TEST(guest_ring_put_stops_at_full_ring)
{
	char in[2000], out[2000];
	size_t put, got;

	set_req(0xFFFFFF00u, 0xFFFFFF00u);
	fill(in, sizeof(in), 4);
	ck_assert_int_eq(guest_ring_put(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, XENSTORE_RING_SIZE);
	/* Full (1024 pending) is valid; nothing more fits. */
	ck_assert_int_eq(guest_ring_put(page, in + put, 10, &put), 0);
	ck_assert_uint_eq(put, 0);
	/* The daemon takes 300; exactly 300 more fit. */
	ck_assert_int_eq(ring_copy_out(page, out, 300, &got), 0);
	ck_assert_uint_eq(got, 300);
	ck_assert_int_eq(guest_ring_put(page, in + 1024, 976, &put), 0);
	ck_assert_uint_eq(put, 300);
	ck_assert_int_eq(ring_copy_out(page, out + 300, 1700, &got), 0);
	ck_assert_uint_eq(got, 1024);
	ck_assert_mem_eq(in, out, 1324);
}
END_TEST

START_TEST(guest_ring_put_corrupt_indexes_copy_nothing)
{
	char before[4096];
	size_t put = 99;

	set_req(100, 100 + 1025);
	memcpy(before, page, sizeof(before));
	ck_assert_int_eq(guest_ring_put(page, "abc", 3, &put), EPROTO);
	ck_assert_uint_eq(put, 0);
	ck_assert_mem_eq(before, page, sizeof(before));
	/* prod behind cons wraps to a huge difference: corrupt too. */
	set_req(100, 99);
	ck_assert_int_eq(guest_ring_put(page, "abc", 3, &put), EPROTO);
}
END_TEST

START_TEST(guest_ring_get_reads_daemon_bytes_straddling_end)
{
	char in[50], out[50];
	size_t put, got;

	set_rsp(1010, 1010);
	fill(in, sizeof(in), 5);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 50);
	/* In two reads, the first ending mid-straddle. */
	ck_assert_int_eq(guest_ring_get(page, out, 20, &got), 0);
	ck_assert_uint_eq(got, 20);
	ck_assert_int_eq(guest_ring_get(page, out + 20, 100, &got), 0);
	ck_assert_uint_eq(got, 30);
	ck_assert_mem_eq(in, out, 50);
	ck_assert_uint_eq(page->rsp_cons, 1060);
	ck_assert_int_eq(guest_ring_get(page, out, 1, &got), 0);
	ck_assert_uint_eq(got, 0);
}
END_TEST

START_TEST(guest_ring_get_wraps_at_2_32)
{
	char in[1024], out[1024];
	size_t put, got;

	set_rsp(0xFFFFFE00u, 0xFFFFFE00u);
	fill(in, sizeof(in), 6);
	ck_assert_int_eq(ring_copy_in(page, in, sizeof(in), &put), 0);
	ck_assert_uint_eq(put, 1024);
	ck_assert_uint_eq(page->rsp_prod, 0x200);
	ck_assert_int_eq(guest_ring_get(page, out, sizeof(out), &got), 0);
	ck_assert_uint_eq(got, 1024);
	ck_assert_mem_eq(in, out, 1024);
	ck_assert_uint_eq(page->rsp_cons, 0x200);
}
END_TEST

START_TEST(guest_ring_get_corrupt_indexes_copy_nothing)
{
	char out[8];
	size_t got = 5;

	set_rsp(0, 2000);
	ck_assert_int_eq(guest_ring_get(page, out, sizeof(out), &got),
	    EPROTO);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(page->rsp_cons, 0);
}
END_TEST

START_TEST(guest_ring_skip_drops_pending_responses)
{
	size_t skipped;

	set_rsp(0xFFFFFFF0u, 0x10);
	ck_assert_int_eq(guest_ring_skip(page, &skipped), 0);
	ck_assert_uint_eq(skipped, 0x20);
	ck_assert_uint_eq(page->rsp_cons, 0x10);
	set_rsp(0, 5000);
	ck_assert_int_eq(guest_ring_skip(page, &skipped), EPROTO);
	ck_assert_uint_eq(page->rsp_cons, 0);
}
END_TEST

START_TEST(guest_ring_is_fresh_after_ring_reset)
{
	set_req(5, 9);
	set_rsp(7, 7);
	ck_assert(!guest_ring_is_fresh(page));
	ring_reset(page, 15);
	ck_assert(guest_ring_is_fresh(page));
	ck_assert_uint_eq(guest_ring_word(page, GUEST_RING_FEATURES), 15);
	/* One byte or one index off is not fresh. */
	page->rsp[1023] = 'x';
	ck_assert(!guest_ring_is_fresh(page));
	ring_reset(page, 15);
	page->rsp_prod = 1;
	ck_assert(!guest_ring_is_fresh(page));
}
END_TEST

START_TEST(guest_ring_reconnect_word_round_trip)
{
	ck_assert(guest_ring_connected(page));
	guest_ring_request_reconnect(page);
	ck_assert_uint_eq(page->connection, XENSTORE_RECONNECT);
	ck_assert(!guest_ring_connected(page));
	ck_assert_uint_eq(ring_connection(page), 1);
	ring_reset(page, 1);
	ck_assert(guest_ring_connected(page));
}
END_TEST

START_TEST(guest_ring_words_at_their_offsets)
{
	const char *base = (const char *)page;
	uint32_t v;

	guest_ring_set_word(page, GUEST_RING_ERROR, 3);
	ck_assert_uint_eq(page->error, 3);
	guest_ring_set_word(page, GUEST_RING_EVTCHN_PORT, 77);
	memcpy(&v, base + 2076, 4);
	ck_assert_uint_eq(v, 77);
	ck_assert_uint_eq(ring_evtchn_port(page), 77);
	page->server_features = 9;
	ck_assert_uint_eq(guest_ring_word(page, GUEST_RING_FEATURES), 9);
}
END_TEST

START_TEST(guest_ring_zero_unsafely_spares_the_control_words)
{
	memset(page, 0x5a, 4096);
	guest_ring_zero_unsafely(page);
	ck_assert_uint_eq(page->req[0] | page->rsp[1023], 0);
	ck_assert_uint_eq(page->req_cons | page->req_prod | page->rsp_cons |
	    page->rsp_prod, 0);
	ck_assert_uint_eq(page->server_features, 0x5a5a5a5au);
	ck_assert_uint_eq(page->connection, 0x5a5a5a5au);
}
END_TEST

static Suite *
guest_ring_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_ring");
	tc = tcase_create("put");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_ring_put_daemon_reads_same_bytes);
	tcase_add_test(tc, guest_ring_put_straddles_ring_end);
	tcase_add_test(tc, guest_ring_put_wraps_at_2_32);
	tcase_add_test(tc, guest_ring_put_stops_at_full_ring);
	tcase_add_test(tc, guest_ring_put_corrupt_indexes_copy_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("get");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_ring_get_reads_daemon_bytes_straddling_end);
	tcase_add_test(tc, guest_ring_get_wraps_at_2_32);
	tcase_add_test(tc, guest_ring_get_corrupt_indexes_copy_nothing);
	tcase_add_test(tc, guest_ring_skip_drops_pending_responses);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_ring_is_fresh_after_ring_reset);
	tcase_add_test(tc, guest_ring_reconnect_word_round_trip);
	tcase_add_test(tc, guest_ring_words_at_their_offsets);
	tcase_add_test(tc, guest_ring_zero_unsafely_spares_the_control_words);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
