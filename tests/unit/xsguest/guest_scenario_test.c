/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_scenario_test.c: tests of tools/xs-guest/guest_scenario.c and
 * guest_hostile.c. Each built-in scenario runs against fake_daemon.h
 * (ringio, the real server-side ring code, plus a toy store): a daemon
 * that does what docs/ring.md says must make every scenario pass, and one
 * that misbehaves in the way a scenario checks must make it fail.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/xsguest/fake_daemon.h"
#include "tools/xs-guest/guest_scenario.h"
#include "tools/xs-guest/guest_status.h"

static struct fake_daemon d;
static struct guest_conn *gc;
static struct guest_scenario_opts opts;

static void
setup(void)
{
	fake_init(&d, 4);
	memset(&opts, 0, sizeof(opts));
	opts.domid = 4;
}

static void
teardown(void)
{
	guest_conn_free(gc);
	gc = NULL;
	fake_fini(&d);
}

static void
open_guest(int timeout_ms)
{
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	guest_conn_set_timeout(gc, timeout_ms);
}

static int
run(const char *name, const char *mode)
{
	return guest_scenario_run(gc, name, mode, &opts);
}

START_TEST(guest_scenario_linux_passes)
{
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("linux", NULL), GUEST_OK);
	ck_assert_int_eq(d.watches[0].used, false);
}
END_TEST

START_TEST(guest_scenario_linux_fails_when_watch_refused)
{
	int i;

	fake_attach(&d, true);
	open_guest(100);
	/* The watch table is full: WATCH answers ENOSPC. */
	for (i = 0; i < FAKE_WATCHES; i++)
		d.watches[i].used = true;
	ck_assert_int_eq(run("linux", NULL), GUEST_FAILED);
}
END_TEST

START_TEST(guest_scenario_hvmloader_passes)
{
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("hvmloader", NULL), GUEST_OK);
	ck_assert_int_eq(d.resets, 1);
	/* hvmloader's four READs carry req_id 0. */
	ck_assert_int_eq(d.zero_ids, 4);
}
END_TEST

START_TEST(guest_scenario_hvmloader_needs_reconnection_feature)
{
	d.features = XENSTORE_SERVER_FEATURE_ERROR;
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("hvmloader", NULL), GUEST_FAILED);
	ck_assert_uint_eq(((struct xenstore_domain_interface *)d.page)->
	    connection, 0);
}
END_TEST

START_TEST(guest_scenario_hvmloader_fails_if_flag_never_cleared)
{
	fake_attach(&d, true);
	open_guest(100);
	/* It serves the READs, then ignores connection = 1. */
	d.ignore_reconnect = true;
	ck_assert_int_eq(run("hvmloader", NULL), GUEST_FAILED);
	ck_assert_int_eq(d.requests, 3);
}
END_TEST

START_TEST(guest_scenario_dom0less_passes)
{
	((struct xenstore_domain_interface *)d.page)->connection = 1;
	d.introduce_after = 10;
	open_guest(1000);
	ck_assert_int_eq(run("dom0less", NULL), GUEST_OK);
}
END_TEST

START_TEST(guest_scenario_dom0less_fails_if_never_introduced)
{
	((struct xenstore_domain_interface *)d.page)->connection = 1;
	d.stalled = true;
	open_guest(60);
	ck_assert_int_eq(run("dom0less", NULL), GUEST_FAILED);
}
END_TEST

START_TEST(guest_scenario_kexec_passes)
{
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("kexec", NULL), GUEST_OK);
}
END_TEST

START_TEST(guest_scenario_hostile_bad_index_sets_ringidx)
{
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("hostile", "bad-index"), GUEST_OK);
	/* Revived by the reconnection. */
	ck_assert_int_eq(d.resets, 1);
	ck_assert_uint_eq(((struct xenstore_domain_interface *)d.page)->error,
	    0);
}
END_TEST

START_TEST(guest_scenario_hostile_bad_index_needs_error_feature)
{
	d.features = XENSTORE_SERVER_FEATURE_RECONNECTION;
	fake_attach(&d, true);
	open_guest(100);
	ck_assert_int_eq(run("hostile", "bad-index"), GUEST_FAILED);
}
END_TEST

START_TEST(guest_scenario_hostile_oversize_sets_proto)
{
	fake_attach(&d, true);
	open_guest(1000);
	ck_assert_int_eq(run("hostile", "oversize"), GUEST_OK);
	ck_assert_int_eq(d.resets, 1);
}
END_TEST

START_TEST(guest_scenario_hostile_oversize_fails_on_a_lenient_daemon)
{
	fake_attach(&d, true);
	open_guest(60);
	/* A daemon that never reads never sets the error word. */
	d.stalled = true;
	ck_assert_int_eq(run("hostile", "oversize"), GUEST_FAILED);
}
END_TEST

START_TEST(guest_scenario_hostile_garbage_survives)
{
	fake_attach(&d, true);
	open_guest(1000);
	opts.count = 20;
	opts.seed = (unsigned int)_i + 1;
	ck_assert_int_eq(run("hostile", "garbage"), GUEST_OK);
}
END_TEST

START_TEST(guest_scenario_hostile_no_read_fills_and_exits)
{
	struct xenstore_domain_interface *p = d.page;

	fake_attach(&d, true);
	open_guest(1000);
	opts.duration_ms = 150;
	ck_assert_int_eq(run("hostile", "no-read"), GUEST_OK);
	/* The reply ring is full and the daemon stopped reading. */
	ck_assert_uint_eq(p->rsp_prod - p->rsp_cons, 1024);
	ck_assert_uint_gt(d.requests, 10);
}
END_TEST

START_TEST(guest_scenario_hostile_no_read_writes_its_path)
{
	fake_attach(&d, true);
	open_guest(1000);
	opts.duration_ms = 100;
	opts.path = "data/w";
	opts.size = 300;
	ck_assert_int_eq(run("hostile", "no-read"), GUEST_OK);
	ck_assert_int_gt(d.requests, 2);
	ck_assert_uint_eq(d.last_hdr.type, XS_WRITE);
	ck_assert_uint_eq(d.last_len, sizeof("data/w") + 300);
	ck_assert_mem_eq(d.last_payload, "data/w\0vvv", 10);
	ck_assert_int_eq(d.last_payload[d.last_len - 1], 'v');
}
END_TEST

START_TEST(guest_scenario_hostile_no_read_refuses_an_oversized_write)
{
	fake_attach(&d, true);
	open_guest(1000);
	opts.duration_ms = 100;
	opts.size = XENSTORE_PAYLOAD_MAX;
	ck_assert_int_eq(run("hostile", "no-read"), GUEST_USAGE);
	ck_assert_int_eq(d.requests, 0);
}
END_TEST

START_TEST(guest_scenario_hostile_zero_race_revives)
{
	fake_attach(&d, true);
	open_guest(1000);
	opts.count = 10;
	opts.seed = (unsigned int)_i + 7;
	ck_assert_int_eq(run("hostile", "zero-race"), GUEST_OK);
	ck_assert_int_ge(d.resets, 1);
}
END_TEST

START_TEST(guest_scenario_unknown_names_are_usage)
{
	fake_attach(&d, true);
	open_guest(100);
	ck_assert_int_eq(run("windows", NULL), GUEST_USAGE);
	ck_assert_int_eq(run("hostile", NULL), GUEST_USAGE);
	ck_assert_int_eq(run("hostile", "polite"), GUEST_USAGE);
	ck_assert_int_eq(run("linux", "extra"), GUEST_USAGE);
}
END_TEST

static Suite *
guest_scenario_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_scenario");
	tc = tcase_create("guests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_scenario_linux_passes);
	tcase_add_test(tc, guest_scenario_linux_fails_when_watch_refused);
	tcase_add_test(tc, guest_scenario_hvmloader_passes);
	tcase_add_test(tc,
	    guest_scenario_hvmloader_needs_reconnection_feature);
	tcase_add_test(tc,
	    guest_scenario_hvmloader_fails_if_flag_never_cleared);
	tcase_add_test(tc, guest_scenario_dom0less_passes);
	tcase_add_test(tc, guest_scenario_dom0less_fails_if_never_introduced);
	tcase_add_test(tc, guest_scenario_kexec_passes);
	tcase_add_test(tc, guest_scenario_unknown_names_are_usage);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_scenario_hostile_bad_index_sets_ringidx);
	tcase_add_test(tc,
	    guest_scenario_hostile_bad_index_needs_error_feature);
	tcase_add_test(tc, guest_scenario_hostile_oversize_sets_proto);
	tcase_add_test(tc,
	    guest_scenario_hostile_oversize_fails_on_a_lenient_daemon);
	tcase_add_loop_test(tc, guest_scenario_hostile_garbage_survives, 0, 4);
	tcase_add_test(tc, guest_scenario_hostile_no_read_fills_and_exits);
	tcase_add_test(tc, guest_scenario_hostile_no_read_writes_its_path);
	tcase_add_test(tc,
	    guest_scenario_hostile_no_read_refuses_an_oversized_write);
	tcase_add_loop_test(tc, guest_scenario_hostile_zero_race_revives, 0,
	    4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_scenario_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
