/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_conn_test.c: tests of tools/xs-guest/guest_conn.c, the guest's
 * packet connection. The daemon is fake_daemon.h: ringio (the real
 * server-side ring code) plus a toy store, stepped from the guest's wait
 * callback, so each test is single-threaded and deterministic.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/xsguest/fake_daemon.h"
#include "tools/xs-guest/guest_conn.h"
#include "tools/xs-guest/guest_ring.h"

static struct fake_daemon d;
static struct guest_conn *gc;

static void
setup(void)
{
	fake_init(&d, 7);
}

static void
teardown(void)
{
	guest_conn_free(gc);
	gc = NULL;
	fake_fini(&d);
}

/* Attaches the daemon (reset as at INTRODUCE) and opens the guest. */
static void
start(void)
{
	fake_attach(&d, true);
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	guest_conn_set_timeout(gc, 2000);
}

static struct xenstore_domain_interface *
pg(void)
{
	return d.page;
}

/* Sets all four indexes, as a long-running connection would have them. */
static void
set_indexes(uint32_t v)
{
	pg()->req_cons = pg()->req_prod = v;
	pg()->rsp_cons = pg()->rsp_prod = v;
}

static int
write_node(const char *path, const char *val, size_t vlen)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct guest_msg *m;
	size_t pl = strlen(path) + 1;
	int err;

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vlen);
	err = guest_conn_request(gc, XS_WRITE, 0, buf, pl + vlen, &m);
	if (err == 0) {
		ck_assert_uint_eq(m->hdr.type, XS_WRITE);
		ck_assert_str_eq(m->body, "OK");
		guest_msg_free(m);
	}
	return err;
}

static struct guest_msg *
read_node(const char *path)
{
	struct guest_msg *m;

	ck_assert_int_eq(guest_conn_request(gc, XS_READ, 0, path,
	    strlen(path) + 1, &m), 0);
	return m;
}

START_TEST(guest_conn_request_gets_its_reply)
{
	struct guest_msg *m;

	start();
	ck_assert_int_eq(write_node("data/x", "hello", 5), 0);
	m = read_node("data/x");
	ck_assert_uint_eq(m->hdr.type, XS_READ);
	ck_assert_uint_eq(m->hdr.len, 5);
	ck_assert_mem_eq(m->body, "hello", 5);
	ck_assert_int_eq(m->body[5], '\0');
	guest_msg_free(m);
	m = read_node("data/none");
	ck_assert_str_eq(guest_msg_error(m), "ENOENT");
	guest_msg_free(m);
	ck_assert_int_eq(d.requests, 3);
	/* Notified at least once per request. */
	ck_assert_int_ge(d.guest_notifies, 3);
}
END_TEST

START_TEST(guest_conn_packets_straddle_ring_end)
{
	char val[300];
	struct guest_msg *m;
	int i;

	start();
	set_indexes(1000);
	memset(val, 'v', sizeof(val));
	/* Each round trip crosses the ring end somewhere new. */
	for (i = 0; i < 10; i++) {
		val[0] = (char)('a' + i);
		ck_assert_int_eq(write_node("data/s", val, sizeof(val)), 0);
		m = read_node("data/s");
		ck_assert_uint_eq(m->hdr.len, sizeof(val));
		ck_assert_mem_eq(m->body, val, sizeof(val));
		guest_msg_free(m);
	}
	ck_assert_uint_gt(pg()->req_prod, 1024 * 2);
}
END_TEST

START_TEST(guest_conn_indexes_wrap_at_2_32)
{
	char val[200];
	struct guest_msg *m;
	int i;

	start();
	set_indexes(0xFFFFFC00u);
	memset(val, 'w', sizeof(val));
	for (i = 0; i < 12; i++) {
		ck_assert_int_eq(write_node("data/wrap", val, sizeof(val)),
		    0);
		m = read_node("data/wrap");
		ck_assert_uint_eq(m->hdr.len, sizeof(val));
		ck_assert_mem_eq(m->body, val, sizeof(val));
		guest_msg_free(m);
	}
	/* Both directions went past 2^32. */
	ck_assert_uint_lt(pg()->req_prod, 0x10000);
	ck_assert_uint_lt(pg()->rsp_prod, 0x10000);
	ck_assert_uint_eq(pg()->req_prod, pg()->req_cons);
	ck_assert_uint_eq(pg()->rsp_prod, pg()->rsp_cons);
}
END_TEST

START_TEST(guest_conn_4096_byte_request_written_in_pieces)
{
	char val[XENSTORE_PAYLOAD_MAX];
	const char path[] = "data/big";
	struct guest_msg *m;
	int notifies;
	size_t i, vlen;

	start();
	set_indexes(0xFFFFFF80u);
	vlen = sizeof(val) - sizeof(path);
	for (i = 0; i < vlen; i++)
		val[i] = (char)('A' + i % 26);
	notifies = d.guest_notifies;
	/* 16 + 4096 bytes through a 1024-byte ring: five pieces at least. */
	ck_assert_int_eq(write_node(path, val, vlen), 0);
	ck_assert_int_ge(d.guest_notifies - notifies, 5);
	ck_assert_uint_eq(d.last_hdr.type, XS_WRITE);
	ck_assert_uint_eq(d.last_len, XENSTORE_PAYLOAD_MAX);
	ck_assert_mem_eq(d.last_payload, path, sizeof(path));
	ck_assert_mem_eq(d.last_payload + sizeof(path), val, vlen);

	/* And the 4065-byte reply comes back in pieces too. */
	m = read_node(path);
	ck_assert_uint_eq(m->hdr.len, vlen);
	ck_assert_mem_eq(m->body, val, vlen);
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_conn_events_queue_while_waiting_for_reply)
{
	static const char watch[] = "data/w\0tok";
	struct guest_msg *m;
	const char *p, *t;

	start();
	ck_assert_int_eq(guest_conn_request(gc, XS_WATCH, 0, watch,
	    sizeof(watch), &m), 0);
	ck_assert_str_eq(m->body, "OK");
	guest_msg_free(m);
	/* The initial event came after the OK: not read yet, or queued. */
	ck_assert_int_eq(write_node("data/w", "1", 1), 0);
	ck_assert_int_eq(write_node("data/other", "2", 1), 0);
	ck_assert_uint_eq(guest_conn_events(gc), 2);

	ck_assert_int_eq(guest_conn_wait_event(gc, NULL, NULL, 100, &m), 0);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), 0);
	ck_assert_str_eq(p, "data/w");
	ck_assert_str_eq(t, "tok");
	guest_msg_free(m);
	ck_assert_int_eq(guest_conn_wait_event(gc, "data/w", "tok", 100, &m),
	    0);
	guest_msg_free(m);
	ck_assert_int_eq(guest_conn_wait_event(gc, NULL, NULL, 50, &m),
	    ETIMEDOUT);
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(guest_conn_wait_event_leaves_others_queued)
{
	static const char w1[] = "data/a\0ta";
	static const char w2[] = "data/b\0tb";
	struct guest_msg *m;
	const char *p, *t;

	start();
	ck_assert_int_eq(guest_conn_request(gc, XS_WATCH, 0, w1, sizeof(w1),
	    &m), 0);
	guest_msg_free(m);
	ck_assert_int_eq(guest_conn_request(gc, XS_WATCH, 0, w2, sizeof(w2),
	    &m), 0);
	guest_msg_free(m);
	/* Take b's initial event first; a's stays, in order. */
	ck_assert_int_eq(guest_conn_wait_event(gc, "data/b", "tb", 500, &m),
	    0);
	guest_msg_free(m);
	ck_assert_uint_eq(guest_conn_events(gc), 1);
	ck_assert_int_eq(guest_conn_wait_event(gc, NULL, NULL, 0, &m), 0);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), 0);
	ck_assert_str_eq(t, "ta");
	guest_msg_free(m);
	ck_assert_uint_eq(guest_conn_drop_events(gc), 0);
}
END_TEST

START_TEST(guest_conn_request_times_out_when_daemon_is_deaf)
{
	struct guest_msg *m;

	start();
	d.deaf = true;
	guest_conn_set_timeout(gc, 60);
	ck_assert_int_eq(guest_conn_request(gc, XS_READ, 0, "x", 2, &m),
	    ETIMEDOUT);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(d.requests, 1);
}
END_TEST

START_TEST(guest_conn_write_times_out_when_daemon_is_stalled)
{
	char big[3000];

	start();
	d.stalled = true;
	guest_conn_set_timeout(gc, 60);
	memset(big, 'z', sizeof(big));
	ck_assert_int_eq(guest_conn_write(gc, big, sizeof(big)), ETIMEDOUT);
	/* What fit is in the ring; nothing was consumed. */
	ck_assert_uint_eq(pg()->req_prod - pg()->req_cons, 1024);
}
END_TEST

START_TEST(guest_conn_drops_replies_to_other_ids)
{
	struct guest_msg *m;

	start();
	/* A reply nobody waits for, then ours. */
	ck_assert_int_eq(guest_conn_send(gc, XS_READ, 500, 0, "a", 2), 0);
	ck_assert_int_eq(guest_conn_request_id(gc, 501, XS_GET_DOMAIN_PATH, 0,
	    "7", 2, &m), 0);
	ck_assert_uint_eq(m->hdr.req_id, 501);
	ck_assert_str_eq(m->body, "/local/domain/7");
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_conn_recv_reply_takes_any_id)
{
	struct guest_msg *m;

	start();
	ck_assert_int_eq(guest_conn_send(gc, 99, 42, 0, "", 0), 0);
	ck_assert_int_eq(guest_conn_recv_reply(gc, 500, &m), 0);
	ck_assert_uint_eq(m->hdr.type, XS_ERROR);
	ck_assert_uint_eq(m->hdr.req_id, 42);
	ck_assert_str_eq(m->body, "ENOSYS");
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_conn_reconnect_leaves_scrubbed_page_with_zero_indexes)
{
	static const char watch[] = "data/w\0tok";
	struct guest_msg *m;

	start();
	set_indexes(12345);
	ck_assert_int_eq(guest_conn_request(gc, XS_WATCH, 0, watch,
	    sizeof(watch), &m), 0);
	guest_msg_free(m);
	ck_assert_uint_ne(pg()->req_prod, 0);

	/* The daemon's side runs ringio_conn_check_reconnect in its step. */
	ck_assert_int_eq(guest_conn_reconnect(gc, 1000), 0);
	ck_assert_int_eq(d.resets, 1);
	ck_assert(guest_ring_is_fresh(d.page));
	ck_assert_uint_eq(pg()->connection, 0);
	ck_assert_uint_eq(pg()->error, 0);
	ck_assert_uint_eq(guest_conn_events(gc), 0);

	/* The ring works again from index 0, and the watch is gone. */
	ck_assert_int_eq(write_node("data/w", "2", 1), 0);
	ck_assert_uint_eq(guest_conn_events(gc), 0);
	ck_assert_uint_eq(pg()->req_prod, pg()->req_cons);
	ck_assert_uint_lt(pg()->req_prod, 100);
}
END_TEST

START_TEST(guest_conn_reconnect_needs_the_feature)
{
	d.features = XENSTORE_SERVER_FEATURE_ERROR;
	start();
	ck_assert_int_eq(guest_conn_reconnect(gc, 100), ENOTSUP);
	ck_assert_uint_eq(pg()->connection, 0);
	ck_assert_int_eq(d.guest_notifies, 0);
}
END_TEST

START_TEST(guest_conn_reconnect_times_out_if_never_cleared)
{
	start();
	d.stalled = true;
	ck_assert_int_eq(guest_conn_reconnect(gc, 60), ETIMEDOUT);
	ck_assert_uint_eq(pg()->connection, 1);
	/* Notified exactly once, as hvmloader does. */
	ck_assert_int_eq(d.guest_notifies, 1);
}
END_TEST

START_TEST(guest_conn_waits_while_connection_word_is_preset)
{
	struct guest_msg *m;

	/* dom0less: the builder left 1; the daemon attaches later. */
	pg()->connection = XENSTORE_RECONNECT;
	d.introduce_after = 5;
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	ck_assert_int_eq(guest_conn_wait_notify(gc, 1000), 0);
	/* The notify came after the word was cleared, never before. */
	ck_assert_uint_eq(pg()->connection, 0);
	ck_assert_int_eq(guest_conn_wait_connected(gc, 1000), 0);
	ck_assert_int_eq(guest_conn_request(gc, XS_GET_DOMAIN_PATH, 0, "7", 2,
	    &m), 0);
	ck_assert_str_eq(m->body, "/local/domain/7");
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_conn_request_waits_out_a_preset_word)
{
	struct guest_msg *m;

	pg()->connection = XENSTORE_RECONNECT;
	pg()->req_prod = 77;	/* garbage the guest must not trust */
	d.introduce_after = 3;
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	/* No wait of our own: the write itself waits for the word. */
	ck_assert_int_eq(guest_conn_request(gc, XS_GET_DOMAIN_PATH, 0, "7", 2,
	    &m), 0);
	ck_assert_str_eq(m->body, "/local/domain/7");
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_conn_wait_connected_times_out)
{
	pg()->connection = XENSTORE_RECONNECT;
	d.stalled = true;
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	ck_assert_int_eq(guest_conn_wait_connected(gc, 50), ETIMEDOUT);
	ck_assert_int_eq(guest_conn_wait_notify(gc, 50), ETIMEDOUT);
}
END_TEST

START_TEST(guest_conn_corrupt_response_indexes_are_eproto)
{
	struct guest_msg *m;

	start();
	d.stalled = true;
	pg()->rsp_prod = pg()->rsp_cons + 1025;
	ck_assert_int_eq(guest_conn_pump(gc), EPROTO);
	/* Sticky until forgotten. */
	pg()->rsp_prod = pg()->rsp_cons;
	ck_assert_int_eq(guest_conn_recv_reply(gc, 10, &m), EPROTO);
	guest_conn_forget(gc);
	ck_assert_int_eq(guest_conn_recv_reply(gc, 10, &m), ETIMEDOUT);
}
END_TEST

START_TEST(guest_conn_oversized_reply_is_eproto)
{
	struct xsd_sockmsg h = { XS_READ, 1, 0, 5000 };
	size_t put;

	start();
	d.stalled = true;
	ck_assert_int_eq(ring_copy_in(d.page, &h, sizeof(h), &put), 0);
	ck_assert_int_eq(guest_conn_pump(gc), EPROTO);
}
END_TEST

START_TEST(guest_conn_start_skips_stale_responses)
{
	struct xsd_sockmsg h = { XS_READ, 1, 0, 4 };
	struct guest_msg *m;
	size_t put;

	start();
	ck_assert_int_eq(ring_copy_in(d.page, &h, sizeof(h), &put), 0);
	ck_assert_int_eq(ring_copy_in(d.page, "old!", 4, &put), 0);
	ck_assert_int_eq(guest_conn_start(gc, false), 0);
	ck_assert_uint_eq(pg()->rsp_cons, pg()->rsp_prod);
	ck_assert_int_eq(guest_conn_recv_reply(gc, 20, &m), ETIMEDOUT);

	/* With reconnect: a fresh ring instead. */
	ck_assert_int_eq(guest_conn_start(gc, true), 0);
	ck_assert(guest_ring_is_fresh(d.page));
}
END_TEST

START_TEST(guest_conn_full_queue_is_enobufs)
{
	struct xsd_sockmsg h = { XS_WATCH_EVENT, 0, 0, 4 };
	struct guest_msg *m;
	size_t put;
	int i, err;

	start();
	d.stalled = true;
	/* Feed events by hand, ring-full at a time, until we refuse. */
	err = 0;
	for (i = 0; i < 2 * GUEST_CONN_QUEUE_MAX && err == 0; i++) {
		ck_assert_int_eq(ring_copy_in(d.page, &h, sizeof(h), &put), 0);
		ck_assert_int_eq(ring_copy_in(d.page, "p\0t", 4, &put), 0);
		err = guest_conn_pump(gc);
	}
	ck_assert_int_eq(err, ENOBUFS);
	ck_assert_uint_eq(guest_conn_events(gc), GUEST_CONN_QUEUE_MAX);
	ck_assert_int_eq(guest_conn_request(gc, XS_READ, 0, "x", 2, &m),
	    ENOBUFS);
	ck_assert_uint_eq(guest_conn_drop_events(gc), GUEST_CONN_QUEUE_MAX);
	ck_assert_int_eq(guest_conn_pump(gc), 0);
}
END_TEST

START_TEST(guest_conn_new_rejects_missing_callbacks)
{
	struct guest_conn_ops none = { NULL, NULL };

	ck_assert_int_eq(guest_conn_new(NULL, &fake_ops, &d, &gc), EINVAL);
	ck_assert_int_eq(guest_conn_new(d.page, &none, &d, &gc), EINVAL);
	ck_assert_ptr_null(gc);
}
END_TEST

static Suite *
guest_conn_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_conn");
	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_conn_request_gets_its_reply);
	tcase_add_test(tc, guest_conn_packets_straddle_ring_end);
	tcase_add_test(tc, guest_conn_indexes_wrap_at_2_32);
	tcase_add_test(tc, guest_conn_4096_byte_request_written_in_pieces);
	tcase_add_test(tc, guest_conn_drops_replies_to_other_ids);
	tcase_add_test(tc, guest_conn_recv_reply_takes_any_id);
	tcase_add_test(tc, guest_conn_new_rejects_missing_callbacks);
	suite_add_tcase(s, tc);

	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_conn_events_queue_while_waiting_for_reply);
	tcase_add_test(tc, guest_conn_wait_event_leaves_others_queued);
	tcase_add_test(tc, guest_conn_full_queue_is_enobufs);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeouts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_conn_request_times_out_when_daemon_is_deaf);
	tcase_add_test(tc, guest_conn_write_times_out_when_daemon_is_stalled);
	tcase_add_test(tc, guest_conn_reconnect_times_out_if_never_cleared);
	tcase_add_test(tc, guest_conn_wait_connected_times_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("reconnect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    guest_conn_reconnect_leaves_scrubbed_page_with_zero_indexes);
	tcase_add_test(tc, guest_conn_reconnect_needs_the_feature);
	tcase_add_test(tc, guest_conn_waits_while_connection_word_is_preset);
	tcase_add_test(tc, guest_conn_request_waits_out_a_preset_word);
	tcase_add_test(tc, guest_conn_start_skips_stale_responses);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile daemon");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_conn_corrupt_response_indexes_are_eproto);
	tcase_add_test(tc, guest_conn_oversized_reply_is_eproto);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_conn_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
