/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_script_test.c: tests of tools/xs-guest/guest_script.c: word
 * splitting, and whole scripts run against fake_daemon.h (ringio and a
 * toy store), checking their output and verdicts.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/xsguest/fake_daemon.h"
#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_script.h"
#include "tools/xs-guest/guest_status.h"

static struct fake_daemon d;
static struct guest_conn *gc;
static char *out;

static void
setup(void)
{
	fake_init(&d, 3);
	fake_attach(&d, true);
	ck_assert_int_eq(guest_conn_new(d.page, &fake_ops, &d, &gc), 0);
	guest_conn_set_timeout(gc, 500);
	out = NULL;
}

static void
teardown(void)
{
	guest_conn_free(gc);
	gc = NULL;
	fake_fini(&d);
	free(out);
	out = NULL;
}

/* Runs text as a script; its stdout lands in out. */
static int
run(const char *text)
{
	size_t olen = 0;
	FILE *in, *o;
	int st;

	free(out);
	out = NULL;
	in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(in);
	o = open_memstream(&out, &olen);
	ck_assert_ptr_nonnull(o);
	st = guest_script_run(gc, in, "test", o);
	fclose(in);
	ck_assert_int_eq(fclose(o), 0);
	return st;
}

START_TEST(guest_script_split_words_quotes_and_comments)
{
	char line[] = "  write \"a b\" \"x\\0y\\x41\\\\\\\"\"  plain # c";
	char *argv[8];
	size_t lens[8];
	int argc;

	ck_assert_int_eq(guest_script_split(line, argv, lens, 8, &argc), 0);
	ck_assert_int_eq(argc, 4);
	ck_assert_str_eq(argv[0], "write");
	ck_assert_str_eq(argv[1], "a b");
	ck_assert_uint_eq(lens[2], 6);
	ck_assert_mem_eq(argv[2], "x\0yA\\\"", 6);
	ck_assert_str_eq(argv[3], "plain");
}
END_TEST

START_TEST(guest_script_split_empty_word_and_blank_line)
{
	char l1[] = "write p \"\"\n";
	char l2[] = "   \t\n";
	char l3[] = "# only a comment";
	char *argv[4];
	size_t lens[4];
	int argc;

	ck_assert_int_eq(guest_script_split(l1, argv, lens, 4, &argc), 0);
	ck_assert_int_eq(argc, 3);
	ck_assert_uint_eq(lens[2], 0);
	ck_assert_int_eq(guest_script_split(l2, argv, lens, 4, &argc), 0);
	ck_assert_int_eq(argc, 0);
	ck_assert_int_eq(guest_script_split(l3, argv, lens, 4, &argc), 0);
	ck_assert_int_eq(argc, 0);
}
END_TEST

START_TEST(guest_script_split_rejects_bad_quoting)
{
	char l1[] = "write \"open";
	char l2[] = "write \"a\"b";
	char l3[] = "write \"\\q\"";
	char l4[] = "write \"\\x4\"";
	char l5[] = "a b c d e";
	char *argv[4];
	size_t lens[4];
	int argc;

	ck_assert_int_eq(guest_script_split(l1, argv, lens, 4, &argc),
	    EINVAL);
	ck_assert_int_eq(guest_script_split(l2, argv, lens, 4, &argc),
	    EINVAL);
	ck_assert_int_eq(guest_script_split(l3, argv, lens, 4, &argc),
	    EINVAL);
	ck_assert_int_eq(guest_script_split(l4, argv, lens, 4, &argc),
	    EINVAL);
	ck_assert_int_eq(guest_script_split(l5, argv, lens, 4, &argc), E2BIG);
}
END_TEST

START_TEST(guest_script_reads_writes_and_prints)
{
	ck_assert_int_eq(run(
	    "# a comment\n"
	    "write data/x \"hello world\"\n"
	    "read data/x\n"
	    "expect-read data/x \"hello world\"\n"
	    "expect-read /local/domain/3/data/x \"hello world\"\n"
	    "write data/y \"\"\n"
	    "dir data\n"
	    "echo done \"a b\"\n"), GUEST_OK);
	ck_assert_str_eq(out, "hello world\nx\ny\ndone a b\n");
}
END_TEST

START_TEST(guest_script_expect_read_mismatch_fails)
{
	ck_assert_int_eq(run(
	    "write data/x 1\n"
	    "expect-read data/x 2\n"
	    "echo not reached\n"), GUEST_FAILED);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(guest_script_error_reply_fails_unless_expected)
{
	ck_assert_int_eq(run("read data/none\n"), GUEST_FAILED);
	ck_assert_int_eq(run(
	    "expect-error ENOENT read data/none\n"
	    "expect-error ENOENT unwatch data/none tok\n"
	    "req READ data/none\n"
	    "req GET_DOMAIN_PATH 3\n"), GUEST_OK);
	ck_assert_str_eq(out, "ERROR ENOENT\n/local/domain/3\n");
	/* The wrong error, or none, is a failure. */
	ck_assert_int_eq(run("expect-error EACCES read data/none\n"),
	    GUEST_FAILED);
	ck_assert_int_eq(run("write data/z 1\nexpect-error ENOENT read "
	    "data/z\n"), GUEST_FAILED);
	ck_assert_int_eq(run("expect-error ENOENT echo x\n"), GUEST_USAGE);
}
END_TEST

START_TEST(guest_script_watch_and_events)
{
	ck_assert_int_eq(run(
	    "watch data/w tok\n"
	    "expect-event data/w tok\n"
	    "write data/w/sub 1\n"
	    "write data/other 1\n"
	    "expect-event data/w/sub tok\n"
	    "expect-no-event data/w tok\n"
	    "write data/w 2\n"
	    "events\n"
	    "unwatch data/w tok\n"
	    "write data/w 3\n"
	    "expect-no-event data/w tok\n"), GUEST_OK);
	ck_assert_str_eq(out, "data/w tok\n");
	ck_assert_int_eq(run(
	    "watch data/v t2\n"
	    "drop-events\n"
	    "expect-no-event data/v t2\n"
	    "timeout 50\n"
	    "expect-event data/v t2\n"), GUEST_FAILED);
}
END_TEST

START_TEST(guest_script_transactions)
{
	ck_assert_int_eq(run(
	    "txstart\n"
	    "write data/t in-tx\n"
	    "expect-read data/t in-tx\n"
	    "txcommit\n"
	    "txstart\n"
	    "txabort\n"
	    "expect-error ENOENT req --tx-less-is-not-a-type\n"), GUEST_USAGE);
	ck_assert_uint_eq(d.tx_open, 0);
	/* After reset-watches the old transaction is gone. */
	ck_assert_int_eq(run(
	    "txstart\n"
	    "reset-watches\n"
	    "write data/t after\n"
	    "expect-read data/t after\n"), GUEST_OK);
	ck_assert_uint_eq(d.last_hdr.tx_id, 0);
}
END_TEST

START_TEST(guest_script_raw_and_recv)
{
	/* GET_DOMAIN_PATH (10), req_id 9, len 2, "3\0". */
	ck_assert_int_eq(run(
	    "raw 0a000000 09000000 00000000 02000000 3300\n"
	    "recv\n"), GUEST_OK);
	ck_assert_str_eq(out, "GET_DOMAIN_PATH 9 0 /local/domain/3\n");
	ck_assert_int_eq(run("raw 0a0\n"), GUEST_USAGE);
	ck_assert_int_eq(run("raw zz\n"), GUEST_USAGE);
}
END_TEST

START_TEST(guest_script_try_txcommit_prints_and_goes_on)
{
	ck_assert_int_eq(run(
	    "txstart\n"
	    "write data/t v\n"
	    "try-txcommit\n"
	    "try-txcommit\n"
	    "txstart\n"
	    "try-txcommit\n"), GUEST_OK);
	/* The second one names no transaction: tx 0, ENOENT, printed. */
	ck_assert_str_eq(out, "OK\nERROR ENOENT\nOK\n");
	ck_assert_uint_eq(d.tx_open, 0);
}
END_TEST

START_TEST(guest_script_poke_stores_a_word)
{
	ck_assert_int_eq(run("poke 2076 0x1234\n"), GUEST_OK);
	ck_assert_uint_eq(guest_ring_word(d.page, 2076), 0x1234);
	ck_assert_int_eq(run("poke 2072 4294967295\n"), GUEST_OK);
	ck_assert_uint_eq(guest_ring_word(d.page, 2072), 0xffffffffu);
	ck_assert_int_eq(run("poke 2070 1\n"), GUEST_USAGE);
	ck_assert_int_eq(run("poke 4096 1\n"), GUEST_USAGE);
	ck_assert_int_eq(run("poke 2076 0x100000000\n"), GUEST_USAGE);
	ck_assert_int_eq(run("poke 2076 -1\n"), GUEST_USAGE);
	ck_assert_int_eq(run("poke 2076 x\n"), GUEST_USAGE);
}
END_TEST

START_TEST(guest_script_reconnect_revives)
{
	ck_assert_int_eq(run(
	    "watch data/w tok\n"
	    "reconnect\n"
	    "write data/w 1\n"
	    "expect-no-event data/w tok\n"
	    "expect-read data/w 1\n"), GUEST_OK);
	ck_assert_int_eq(d.resets, 1);
}
END_TEST

START_TEST(guest_script_syntax_errors_are_usage)
{
	ck_assert_int_eq(run("frobnicate\n"), GUEST_USAGE);
	ck_assert_int_eq(run("write only-a-path\n"), GUEST_USAGE);
	ck_assert_int_eq(run("write \"open\n"), GUEST_USAGE);
	ck_assert_int_eq(run("sleep soon\n"), GUEST_USAGE);
	ck_assert_int_eq(run("timeout 0\n"), GUEST_USAGE);
	ck_assert_int_eq(run("req NOTATYPE\n"), GUEST_USAGE);
}
END_TEST

START_TEST(guest_script_deaf_daemon_is_broken)
{
	d.deaf = true;
	ck_assert_int_eq(run("timeout 30\nread data/x\n"), GUEST_BROKEN);
}
END_TEST

START_TEST(guest_script_sleep_waits)
{
	ck_assert_int_eq(run("sleep 20\necho ok\n"), GUEST_OK);
	ck_assert_str_eq(out, "ok\n");
}
END_TEST

static Suite *
guest_script_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_script");
	tc = tcase_create("split");
	tcase_add_test(tc, guest_script_split_words_quotes_and_comments);
	tcase_add_test(tc, guest_script_split_empty_word_and_blank_line);
	tcase_add_test(tc, guest_script_split_rejects_bad_quoting);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_script_reads_writes_and_prints);
	tcase_add_test(tc, guest_script_expect_read_mismatch_fails);
	tcase_add_test(tc, guest_script_error_reply_fails_unless_expected);
	tcase_add_test(tc, guest_script_watch_and_events);
	tcase_add_test(tc, guest_script_transactions);
	tcase_add_test(tc, guest_script_raw_and_recv);
	tcase_add_test(tc, guest_script_poke_stores_a_word);
	tcase_add_test(tc, guest_script_try_txcommit_prints_and_goes_on);
	tcase_add_test(tc, guest_script_reconnect_revives);
	tcase_add_test(tc, guest_script_syntax_errors_are_usage);
	tcase_add_test(tc, guest_script_deaf_daemon_is_broken);
	tcase_add_test(tc, guest_script_sleep_waits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_script_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
