/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_msg_test.c: tests of tools/xs-guest/guest_msg.c: type names,
 * payloads built from words, ERROR and WATCH_EVENT parsing, and the
 * printed form of replies.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/xs-guest/guest_msg.h"

static struct guest_msg *
msg(uint32_t type, const void *body, uint32_t len)
{
	struct xsd_sockmsg h = { type, 1, 0, len };
	struct guest_msg *m;

	ck_assert_int_eq(guest_msg_new(&h, body, &m), 0);
	return m;
}

/* Prints m as a reply to req_type into a string the caller frees. */
static char *
printed(uint32_t req_type, const struct guest_msg *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	guest_msg_print_reply(f, req_type, m);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(guest_msg_type_by_name_any_case_or_number)
{
	uint32_t t;

	ck_assert_int_eq(guest_msg_type_by_name("READ", &t), 0);
	ck_assert_uint_eq(t, XS_READ);
	ck_assert_int_eq(guest_msg_type_by_name("transaction_start", &t), 0);
	ck_assert_uint_eq(t, XS_TRANSACTION_START);
	ck_assert_int_eq(guest_msg_type_by_name("Reset_Watches", &t), 0);
	ck_assert_uint_eq(t, XS_RESET_WATCHES);
	ck_assert_int_eq(guest_msg_type_by_name("24", &t), 0);
	ck_assert_uint_eq(t, 24);
	ck_assert_int_eq(guest_msg_type_by_name("4000000000", &t), 0);
	ck_assert_uint_eq(t, 4000000000u);
	ck_assert_int_eq(guest_msg_type_by_name("REED", &t), EINVAL);
	ck_assert_int_eq(guest_msg_type_by_name("", &t), EINVAL);
	ck_assert_str_eq(guest_msg_type_name(XS_WATCH_EVENT), "WATCH_EVENT");
	ck_assert_str_eq(guest_msg_type_name(20), "UNKNOWN");
}
END_TEST

START_TEST(guest_msg_build_joins_words_with_nuls)
{
	const char *argv[] = { "data/w", "tok" };
	char buf[64];
	size_t len;

	ck_assert_int_eq(guest_msg_build(XS_WATCH, 2, argv, NULL, buf,
	    sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 11);
	ck_assert_mem_eq(buf, "data/w\0tok\0", 11);
}
END_TEST

START_TEST(guest_msg_build_write_value_is_raw)
{
	const char *argv[] = { "a", "v\0w" };
	size_t lens[] = { 1, 3 };
	char buf[64];
	size_t len;

	ck_assert_int_eq(guest_msg_build(XS_WRITE, 2, argv, lens, buf,
	    sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(buf, "a\0v\0w", 5);
	/* An empty value: just the path and its NUL. */
	argv[1] = "";
	ck_assert_int_eq(guest_msg_build(XS_WRITE, 2, argv, NULL, buf,
	    sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(guest_msg_build(XS_WRITE, 0, argv, NULL, buf,
	    sizeof(buf), &len), EINVAL);
}
END_TEST

START_TEST(guest_msg_build_empty_payloads)
{
	char buf[8];
	size_t len;

	ck_assert_int_eq(guest_msg_build(XS_TRANSACTION_START, 0, NULL, NULL,
	    buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(guest_msg_build(XS_RESET_WATCHES, 0, NULL, NULL, buf,
	    sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(guest_msg_build(23, 0, NULL, NULL, buf, sizeof(buf),
	    &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(guest_msg_build_refuses_over_4096)
{
	static char big[5000];
	const char *argv[] = { "p", big };
	char *buf;
	size_t len;

	buf = malloc(8192);
	ck_assert_ptr_nonnull(buf);
	memset(big, 'x', 4094);
	big[4094] = '\0';
	/* "p\0" + 4094 raw bytes = 4096: fits exactly. */
	ck_assert_int_eq(guest_msg_build(XS_WRITE, 2, argv, NULL, buf, 8192,
	    &len), 0);
	ck_assert_uint_eq(len, 4096);
	big[4094] = 'x';
	big[4095] = '\0';
	ck_assert_int_eq(guest_msg_build(XS_WRITE, 2, argv, NULL, buf, 8192,
	    &len), E2BIG);
	ck_assert_int_eq(guest_msg_build(XS_READ, 1, argv, NULL, buf, 1,
	    &len), E2BIG);
	free(buf);
}
END_TEST

START_TEST(guest_msg_new_nul_terminates_and_bounds)
{
	struct xsd_sockmsg h = { XS_READ, 1, 0, 4097 };
	struct guest_msg *m;

	ck_assert_int_eq(guest_msg_new(&h, "", &m), E2BIG);
	ck_assert_ptr_null(m);
	m = msg(XS_READ, "abc", 3);
	ck_assert_int_eq(m->body[3], '\0');
	guest_msg_free(m);
	guest_msg_free(NULL);
}
END_TEST

START_TEST(guest_msg_error_and_errno)
{
	struct guest_msg *m;

	m = msg(XS_ERROR, "ENOENT", 7);
	ck_assert_str_eq(guest_msg_error(m), "ENOENT");
	ck_assert_int_eq(guest_msg_errno(m), ENOENT);
	guest_msg_free(m);
	m = msg(XS_ERROR, "EQUOTA", 7);
	ck_assert_int_eq(guest_msg_errno(m), EIO);
	guest_msg_free(m);
	m = msg(XS_READ, "ENOENT", 6);
	ck_assert_ptr_null(guest_msg_error(m));
	ck_assert_int_eq(guest_msg_errno(m), 0);
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_msg_event_needs_two_strings)
{
	struct guest_msg *m;
	const char *p, *t;

	m = msg(XS_WATCH_EVENT, "a/b\0tok", 8);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), 0);
	ck_assert_str_eq(p, "a/b");
	ck_assert_str_eq(t, "tok");
	guest_msg_free(m);
	/* An unterminated token, a lone path, a non-event. */
	m = msg(XS_WATCH_EVENT, "a/b\0tok", 7);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), EINVAL);
	guest_msg_free(m);
	m = msg(XS_WATCH_EVENT, "a/b", 4);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), EINVAL);
	guest_msg_free(m);
	m = msg(XS_READ, "a\0b", 4);
	ck_assert_int_eq(guest_msg_event(m, &p, &t), EINVAL);
	guest_msg_free(m);
}
END_TEST

START_TEST(guest_msg_print_reply_forms)
{
	struct guest_msg *m;
	char *s;

	m = msg(XS_ERROR, "EACCES", 7);
	s = printed(XS_READ, m);
	ck_assert_str_eq(s, "ERROR EACCES\n");
	free(s);
	guest_msg_free(m);

	m = msg(XS_READ, "a b\\\n\x01", 6);
	s = printed(XS_READ, m);
	ck_assert_str_eq(s, "a b\\\\\\x0a\\x01\n");
	free(s);
	guest_msg_free(m);

	m = msg(XS_DIRECTORY, "x\0yy\0", 5);
	s = printed(XS_DIRECTORY, m);
	ck_assert_str_eq(s, "x\nyy\n");
	free(s);
	guest_msg_free(m);

	m = msg(XS_DIRECTORY, "", 0);
	s = printed(XS_DIRECTORY, m);
	ck_assert_str_eq(s, "");
	free(s);
	guest_msg_free(m);

	m = msg(XS_GET_PERMS, "n0\0r5\0", 6);
	s = printed(XS_GET_PERMS, m);
	ck_assert_str_eq(s, "n0 r5\n");
	free(s);
	guest_msg_free(m);

	m = msg(XS_WATCH_EVENT, "data/w\0tok\0", 11);
	s = printed(XS_WATCH, m);
	ck_assert_str_eq(s, "data/w tok\n");
	free(s);
	guest_msg_free(m);

	m = msg(XS_WRITE, "OK", 3);
	s = printed(XS_WRITE, m);
	ck_assert_str_eq(s, "OK\n");
	free(s);
	guest_msg_free(m);
}
END_TEST

static Suite *
guest_msg_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_msg");
	tc = tcase_create("msg");
	tcase_add_test(tc, guest_msg_type_by_name_any_case_or_number);
	tcase_add_test(tc, guest_msg_build_joins_words_with_nuls);
	tcase_add_test(tc, guest_msg_build_write_value_is_raw);
	tcase_add_test(tc, guest_msg_build_empty_payloads);
	tcase_add_test(tc, guest_msg_build_refuses_over_4096);
	tcase_add_test(tc, guest_msg_new_nul_terminates_and_bounds);
	tcase_add_test(tc, guest_msg_error_and_errno);
	tcase_add_test(tc, guest_msg_event_needs_two_strings);
	tcase_add_test(tc, guest_msg_print_reply_forms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_msg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
