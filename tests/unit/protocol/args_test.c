/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * args_test.c: tests of protocol/args.c (payload splitting, domid, number
 * and boolean parsing).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/args.h"

/* Payload literals: sizeof - 1 drops only the compiler's own NUL. */
#define PAYLOAD(s)	(s), (sizeof(s) - 1)

START_TEST(args_split_counts_terminated_strings)
{
	const char *argv[4];
	unsigned int argc;

	args_split(PAYLOAD("a\0bc\0"), argv, 4, &argc);
	ck_assert_uint_eq(argc, 2);
	ck_assert_str_eq(argv[0], "a");
	ck_assert_str_eq(argv[1], "bc");
}
END_TEST

START_TEST(args_split_ignores_unterminated_trailing_bytes)
{
	static const char payload[] = "a\0bc\0def";
	const char *argv[4];
	unsigned int argc;

	args_split(PAYLOAD("a\0bc\0def"), argv, 4, &argc);
	ck_assert_uint_eq(argc, 2);
	ck_assert_str_eq(argv[1], "bc");

	args_split(PAYLOAD("abc"), argv, 4, &argc);
	ck_assert_uint_eq(argc, 0);

	/* A WRITE payload: path, then raw value bytes with a NUL inside. */
	args_split(PAYLOAD("/p\0va\0lue"), argv, 4, &argc);
	ck_assert_uint_eq(argc, 2);
	ck_assert_str_eq(argv[0], "/p");
	ck_assert_str_eq(argv[1], "va");

	/* Never reads past len, even where the buffer goes on. */
	args_split(payload, 4, argv, 4, &argc);
	ck_assert_uint_eq(argc, 1);
}
END_TEST

START_TEST(args_split_stays_inside_exact_buffer)
{
	const char *argv[2];
	unsigned int argc;
	char *buf;

	/* Exactly sized heap copies: ASan/valgrind catch any overread. */
	buf = malloc(3);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "abc", 3);
	args_split(buf, 3, argv, 2, &argc);
	ck_assert_uint_eq(argc, 0);
	ck_assert_int_eq(args_single(buf, 3, &argv[0]), EINVAL);
	memcpy(buf, "ab", 3);
	args_split(buf, 3, argv, 2, &argc);
	ck_assert_uint_eq(argc, 1);
	ck_assert_int_eq(args_single(buf, 3, &argv[0]), 0);
	ck_assert_ptr_eq(argv[0], buf);
	free(buf);
}
END_TEST

START_TEST(args_split_counts_empty_strings)
{
	const char *argv[4];
	unsigned int argc;

	args_split(PAYLOAD("\0\0\0"), argv, 4, &argc);
	ck_assert_uint_eq(argc, 3);
	ck_assert_str_eq(argv[0], "");
	ck_assert_str_eq(argv[2], "");
}
END_TEST

START_TEST(args_split_empty_payload_gives_zero)
{
	const char *argv[1];
	unsigned int argc;

	argc = 99;
	args_split("", 0, argv, 1, &argc);
	ck_assert_uint_eq(argc, 0);
	argc = 99;
	args_split(NULL, 0, argv, 1, &argc);
	ck_assert_uint_eq(argc, 0);
}
END_TEST

START_TEST(args_split_stores_at_most_max)
{
	const char *argv[3];
	unsigned int argc;

	argv[2] = "sentinel";
	args_split(PAYLOAD("a\0b\0c\0d\0"), argv, 2, &argc);
	ck_assert_uint_eq(argc, 4);
	ck_assert_str_eq(argv[0], "a");
	ck_assert_str_eq(argv[1], "b");
	ck_assert_str_eq(argv[2], "sentinel");

	args_split(PAYLOAD("a\0b\0"), NULL, 0, &argc);
	ck_assert_uint_eq(argc, 2);
}
END_TEST

START_TEST(args_single_accepts_one_trailing_nul)
{
	const char *arg;

	ck_assert_int_eq(args_single(PAYLOAD("/a/b\0"), &arg), 0);
	ck_assert_str_eq(arg, "/a/b");
	ck_assert_int_eq(args_single(PAYLOAD("\0"), &arg), 0);
	ck_assert_str_eq(arg, "");
}
END_TEST

START_TEST(args_single_rejects_missing_nul)
{
	const char *arg = "untouched";

	ck_assert_int_eq(args_single(PAYLOAD("/a/b"), &arg), EINVAL);
	ck_assert_str_eq(arg, "untouched");
}
END_TEST

START_TEST(args_single_rejects_second_nul)
{
	const char *arg = "untouched";

	ck_assert_int_eq(args_single(PAYLOAD("a\0b\0"), &arg), EINVAL);
	ck_assert_int_eq(args_single(PAYLOAD("a\0\0"), &arg), EINVAL);
	ck_assert_int_eq(args_single(PAYLOAD("\0\0"), &arg), EINVAL);
	ck_assert_str_eq(arg, "untouched");
}
END_TEST

START_TEST(args_single_rejects_nul_not_last)
{
	const char *arg = "untouched";

	ck_assert_int_eq(args_single(PAYLOAD("a\0b"), &arg), EINVAL);
	ck_assert_int_eq(args_single(PAYLOAD("\0x"), &arg), EINVAL);
	ck_assert_str_eq(arg, "untouched");
}
END_TEST

START_TEST(args_single_rejects_empty_payload)
{
	const char *arg = "untouched";

	ck_assert_int_eq(args_single("", 0, &arg), EINVAL);
	ck_assert_int_eq(args_single(NULL, 0, &arg), EINVAL);
	ck_assert_str_eq(arg, "untouched");
}
END_TEST

START_TEST(args_parse_domid_empty_is_zero)
{
	unsigned int d = 99;

	ck_assert_int_eq(args_parse_domid("", &d), 0);
	ck_assert_uint_eq(d, 0);
}
END_TEST

START_TEST(args_parse_domid_accepts_full_range)
{
	unsigned int d;

	ck_assert_int_eq(args_parse_domid("0", &d), 0);
	ck_assert_uint_eq(d, 0);
	ck_assert_int_eq(args_parse_domid("7", &d), 0);
	ck_assert_uint_eq(d, 7);
	ck_assert_int_eq(args_parse_domid("32752", &d), 0);
	ck_assert_uint_eq(d, 0x7FF0);
	ck_assert_int_eq(args_parse_domid("65535", &d), 0);
	ck_assert_uint_eq(d, 65535);
	ck_assert_int_eq(args_parse_domid("00042", &d), 0);
	ck_assert_uint_eq(d, 42);
}
END_TEST

START_TEST(args_parse_domid_rejects_out_of_range)
{
	unsigned int d = 99;

	ck_assert_int_eq(args_parse_domid("65536", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("100000", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("4294967296", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid(
	    "99999999999999999999999999999999999999", &d), EINVAL);
	ck_assert_uint_eq(d, 99);
}
END_TEST

START_TEST(args_parse_domid_rejects_junk)
{
	unsigned int d = 99;

	ck_assert_int_eq(args_parse_domid("1x", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("-1", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("+1", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid(" 1", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("1 ", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("0x10", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid("x", &d), EINVAL);
	ck_assert_int_eq(args_parse_domid(NULL, &d), EINVAL);
	ck_assert_uint_eq(d, 99);
}
END_TEST

START_TEST(args_parse_uint_accepts_full_range)
{
	unsigned int v;

	ck_assert_int_eq(args_parse_uint("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(args_parse_uint("123", &v), 0);
	ck_assert_uint_eq(v, 123);
	ck_assert_int_eq(args_parse_uint("4294967295", &v), 0);
	ck_assert_uint_eq(v, 4294967295u);
}
END_TEST

START_TEST(args_parse_uint_rejects_empty_sign_junk_overflow)
{
	unsigned int v = 99;

	ck_assert_int_eq(args_parse_uint("", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint("-1", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint("+1", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint("12a", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint(" 1", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint("4294967296", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint("42949672950", &v), EINVAL);
	ck_assert_int_eq(args_parse_uint(NULL, &v), EINVAL);
	ck_assert_uint_eq(v, 99);
}
END_TEST

START_TEST(args_parse_bool_accepts_t_and_f_only)
{
	bool v;

	v = false;
	ck_assert(args_parse_bool("T", &v));
	ck_assert(v);
	ck_assert(args_parse_bool("F", &v));
	ck_assert(!v);

	v = true;
	ck_assert(!args_parse_bool("", &v));
	ck_assert(!args_parse_bool("t", &v));
	ck_assert(!args_parse_bool("f", &v));
	ck_assert(!args_parse_bool("TT", &v));
	ck_assert(!args_parse_bool("T ", &v));
	ck_assert(!args_parse_bool("1", &v));
	ck_assert(!args_parse_bool(NULL, &v));
	ck_assert(v);
}
END_TEST

static Suite *
args_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("args");
	tc = tcase_create("core");
	tcase_add_test(tc, args_split_counts_terminated_strings);
	tcase_add_test(tc, args_split_ignores_unterminated_trailing_bytes);
	tcase_add_test(tc, args_split_stays_inside_exact_buffer);
	tcase_add_test(tc, args_split_counts_empty_strings);
	tcase_add_test(tc, args_split_empty_payload_gives_zero);
	tcase_add_test(tc, args_split_stores_at_most_max);
	tcase_add_test(tc, args_single_accepts_one_trailing_nul);
	tcase_add_test(tc, args_single_rejects_missing_nul);
	tcase_add_test(tc, args_single_rejects_second_nul);
	tcase_add_test(tc, args_single_rejects_nul_not_last);
	tcase_add_test(tc, args_single_rejects_empty_payload);
	tcase_add_test(tc, args_parse_domid_empty_is_zero);
	tcase_add_test(tc, args_parse_domid_accepts_full_range);
	tcase_add_test(tc, args_parse_domid_rejects_out_of_range);
	tcase_add_test(tc, args_parse_domid_rejects_junk);
	tcase_add_test(tc, args_parse_uint_accepts_full_range);
	tcase_add_test(tc, args_parse_uint_rejects_empty_sign_junk_overflow);
	tcase_add_test(tc, args_parse_bool_accepts_t_and_f_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(args_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
