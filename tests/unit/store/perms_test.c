/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * perms_test.c: tests of store/perms.c (permission text form and the
 * access decision).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "store/store.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static TALLOC_CTX *ctx;

static void
setup(void)
{
	ctx = talloc_new(NULL);
	ck_assert_ptr_nonnull(ctx);
}

static void
teardown(void)
{
	talloc_free(ctx);
	ctx = NULL;
}

/* A context under ctx on which every allocation fails (ENOMEM paths). */
static TALLOC_CTX *
failing_ctx(void)
{
	TALLOC_CTX *lim;

	lim = talloc_new(ctx);
	ck_assert_ptr_nonnull(lim);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ck_assert_int_eq(talloc_set_memlimit(lim, 1), 0);
#pragma GCC diagnostic pop
	return lim;
}

/* Parses one entry; on failure checks that nothing was allocated. */
static int
parse_one(const char *s, struct store_perm *out)
{
	struct store_perm *p, *poison;
	size_t blocks;
	int error;

	blocks = talloc_total_blocks(ctx);
	poison = (struct store_perm *)(uintptr_t)1;
	p = poison;
	error = store_perms_parse(ctx, &s, 1, &p);
	if (error != 0) {
		ck_assert_ptr_eq(p, poison);
		ck_assert_uint_eq(talloc_total_blocks(ctx), blocks);
		return error;
	}
	ck_assert_ptr_eq(talloc_parent(p), ctx);
	*out = p[0];
	return 0;
}

START_TEST(perms_parse_reads_letters_and_domids)
{
	static const char *const strs[] = { "r5", "b0", "w3", "n1" };
	struct store_perm *p;

	ck_assert_int_eq(store_perms_parse(ctx, strs, 4, &p), 0);
	ck_assert_uint_eq(p[0].domid, 5);
	ck_assert_uint_eq(p[0].bits, STORE_PERM_READ);
	ck_assert_uint_eq(p[1].domid, 0);
	ck_assert_uint_eq(p[1].bits, STORE_PERM_BOTH);
	ck_assert_uint_eq(p[2].domid, 3);
	ck_assert_uint_eq(p[2].bits, STORE_PERM_WRITE);
	ck_assert_uint_eq(p[3].domid, 1);
	ck_assert_uint_eq(p[3].bits, STORE_PERM_NONE);
	ck_assert_uint_eq(talloc_array_length(p), 4);
}
END_TEST

START_TEST(perms_parse_domid_uses_strtol_base_0)
{
	struct store_perm p;

	ck_assert_int_eq(parse_one("n0x10", &p), 0);
	ck_assert_uint_eq(p.domid, 16);
	ck_assert_uint_eq(p.bits, STORE_PERM_NONE);
	ck_assert_int_eq(parse_one("r010", &p), 0);
	ck_assert_uint_eq(p.domid, 8);
	ck_assert_int_eq(parse_one("b0X7ff5", &p), 0);
	ck_assert_uint_eq(p.domid, STORE_DOMID_ANY);
	ck_assert_int_eq(parse_one("w32757", &p), 0);
	ck_assert_uint_eq(p.domid, STORE_DOMID_ANY);
	ck_assert_int_eq(parse_one("r0", &p), 0);
	ck_assert_uint_eq(p.domid, 0);
}
END_TEST

START_TEST(perms_parse_rejects_bad_letter)
{
	struct store_perm p;

	ck_assert_int_eq(parse_one("x5", &p), EINVAL);
	ck_assert_int_eq(parse_one("R5", &p), EINVAL);
	ck_assert_int_eq(parse_one("B0", &p), EINVAL);
	ck_assert_int_eq(parse_one("5", &p), EINVAL);
	ck_assert_int_eq(parse_one("", &p), EINVAL);
	ck_assert_int_eq(parse_one("\xff" "0", &p), EINVAL);
}
END_TEST

START_TEST(perms_parse_rejects_empty_domid)
{
	struct store_perm p;

	ck_assert_int_eq(parse_one("r", &p), EINVAL);
	ck_assert_int_eq(parse_one("n", &p), EINVAL);
}
END_TEST

START_TEST(perms_parse_rejects_junk)
{
	struct store_perm p;

	ck_assert_int_eq(parse_one("r5x", &p), EINVAL);
	ck_assert_int_eq(parse_one("r5 ", &p), EINVAL);
	ck_assert_int_eq(parse_one("r0x", &p), EINVAL);
	ck_assert_int_eq(parse_one("r08", &p), EINVAL);	/* not octal */
	ck_assert_int_eq(parse_one("rr5", &p), EINVAL);
	ck_assert_int_eq(parse_one("r-", &p), EINVAL);
	ck_assert_int_eq(parse_one("r 5x", &p), EINVAL);
}
END_TEST

START_TEST(perms_parse_rejects_domid_beyond_32_bits)
{
	struct store_perm p;

	ck_assert_int_eq(parse_one("r4294967296", &p), EINVAL);
	ck_assert_int_eq(parse_one("r0x100000000", &p), EINVAL);
	ck_assert_int_eq(parse_one("r-2147483649", &p), EINVAL);
	ck_assert_int_eq(parse_one("r99999999999999999999999", &p), EINVAL);
	ck_assert_int_eq(parse_one("r4294967295", &p), 0);
	ck_assert_uint_eq(p.domid, 4294967295u);
	ck_assert_int_eq(parse_one("r-2147483648", &p), 0);
	ck_assert_uint_eq(p.domid, 0x80000000u);
}
END_TEST

START_TEST(perms_parse_rejects_zero_entries)
{
	static const char *const strs[] = { "r5" };
	struct store_perm *p = NULL;

	ck_assert_int_eq(store_perms_parse(ctx, strs, 0, &p), EINVAL);
	ck_assert_int_eq(store_perms_parse(ctx, NULL, 0, &p), EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(talloc_total_blocks(ctx), 1);
}
END_TEST

START_TEST(perms_parse_bad_later_entry_changes_nothing)
{
	static const char *const strs[] = { "r5", "b0", "q1" };
	struct store_perm *p = NULL;

	ck_assert_int_eq(store_perms_parse(ctx, strs, 3, &p), EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(talloc_total_blocks(ctx), 1);
}
END_TEST

START_TEST(perms_parse_preserves_errno)
{
	struct store_perm p;

	errno = EBADF;
	ck_assert_int_eq(parse_one("r99999999999999999999999", &p), EINVAL);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(perms_parse_enomem_when_allocation_fails)
{
	static const char *const strs[] = { "r5", "b0" };
	struct store_perm *p = NULL;

	ck_assert_int_eq(store_perms_parse(failing_ctx(), strs, 2, &p),
	    ENOMEM);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(perms_format_signed_decimal)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_BOTH }, { 5, STORE_PERM_READ },
		{ 0xFFFFFFFFu, STORE_PERM_NONE }, { 16, STORE_PERM_WRITE },
		{ STORE_DOMID_ANY, STORE_PERM_READ },
		{ 0x80000000u, STORE_PERM_BOTH },
	};
	static const char want[] =
	    "b0\0r5\0n-1\0w16\0r32757\0b-2147483648\0";
	char *out;
	size_t len;

	ck_assert_int_eq(store_perms_format(ctx, perms, NELEM(perms), &out,
	    &len), 0);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert_mem_eq(out, want, len);
	ck_assert_ptr_eq(talloc_parent(out), ctx);
}
END_TEST

START_TEST(perms_format_round_trips_parse)
{
	static const char *const strs[] = { "n0x10", "r010", "b-1", "w7" };
	static const char want[] = "n16\0r8\0b-1\0w7\0";
	struct store_perm *p;
	char *out;
	size_t len;

	ck_assert_int_eq(store_perms_parse(ctx, strs, NELEM(strs), &p), 0);
	ck_assert_int_eq(store_perms_format(ctx, p, NELEM(strs), &out, &len),
	    0);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert_mem_eq(out, want, len);
}
END_TEST

START_TEST(perms_format_empty_list)
{
	char *out;
	size_t len;

	ck_assert_int_eq(store_perms_format(ctx, NULL, 0, &out, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(perms_format_enomem_when_allocation_fails)
{
	static const struct store_perm perms[] = { { 0, STORE_PERM_NONE } };
	char *out = NULL;
	size_t len = 3;

	ck_assert_int_eq(store_perms_format(failing_ctx(), perms, 1, &out,
	    &len), ENOMEM);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(len, 3);
}
END_TEST

/* known() for tests: domids listed in the struct are known. */
struct known_set {
	const unsigned int *ids;
	size_t n;
	unsigned int calls;
};

static bool
known_in_set(unsigned int domid, void *arg)
{
	struct known_set *ks = arg;
	size_t i;

	ks->calls++;
	for (i = 0; i < ks->n; i++) {
		if (ks->ids[i] == domid)
			return true;
	}
	return false;
}

static const struct store_caller dom7 = { 7, STORE_DOMID_NONE, false };

START_TEST(perms_for_privileged_gets_all)
{
	static const struct store_perm perms[] = { { 3, STORE_PERM_NONE } };
	static const struct store_caller priv = { 0, STORE_DOMID_NONE, true };
	static const struct store_caller priv9 = { 9, STORE_DOMID_NONE, true };

	ck_assert_uint_eq(store_perms_for(&priv, perms, 1, NULL, NULL),
	    STORE_PERM_BOTH);
	ck_assert_uint_eq(store_perms_for(&priv9, perms, 1, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

START_TEST(perms_for_owner_gets_all)
{
	static const struct store_perm perms[] = {
		{ 7, STORE_PERM_NONE }, { 7, STORE_PERM_NONE },
	};

	/* A later entry naming the owner does not reduce its rights. */
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

START_TEST(perms_for_target_of_owner_gets_all)
{
	static const struct store_perm perms[] = { { 5, STORE_PERM_NONE } };
	static const struct store_caller stub = { 6, 5, false };
	static const struct store_caller other = { 6, 4, false };

	ck_assert_uint_eq(store_perms_for(&stub, perms, 1, NULL, NULL),
	    STORE_PERM_BOTH);
	ck_assert_uint_eq(store_perms_for(&other, perms, 1, NULL, NULL),
	    STORE_PERM_NONE);
}
END_TEST

START_TEST(perms_for_first_matching_later_entry_wins)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { 3, STORE_PERM_BOTH },
		{ 7, STORE_PERM_READ }, { 7, STORE_PERM_WRITE },
	};

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 4, NULL, NULL),
	    STORE_PERM_READ);
}
END_TEST

START_TEST(perms_for_entry_of_target_applies)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { 5, STORE_PERM_WRITE },
	};
	static const struct store_caller stub = { 6, 5, false };

	ck_assert_uint_eq(store_perms_for(&stub, perms, 2, NULL, NULL),
	    STORE_PERM_WRITE);
}
END_TEST

START_TEST(perms_for_domid_any_entry_applies_to_everyone)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { 9, STORE_PERM_WRITE },
		{ STORE_DOMID_ANY, STORE_PERM_READ }, { 7, STORE_PERM_BOTH },
	};
	static const struct store_caller dom9 = { 9, STORE_DOMID_NONE, false };

	/* First match wins: DOMID_ANY comes before the entry for 7. */
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 4, NULL, NULL),
	    STORE_PERM_READ);
	ck_assert_uint_eq(store_perms_for(&dom9, perms, 4, NULL, NULL),
	    STORE_PERM_WRITE);
}
END_TEST

START_TEST(perms_for_falls_back_to_owner_bits)
{
	struct store_perm perms[] = {
		{ 0, STORE_PERM_READ }, { 5, STORE_PERM_WRITE },
	};

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_READ);
	perms[0].bits = STORE_PERM_NONE;
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_NONE);
	perms[0].bits = STORE_PERM_BOTH;
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 1, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

START_TEST(perms_for_unknown_entry_ignored)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { 7, STORE_PERM_BOTH },
		{ STORE_DOMID_ANY, STORE_PERM_READ },
	};
	static const unsigned int only0[] = { 0 };
	static const unsigned int with_any[] = { 0, STORE_DOMID_ANY };
	static const unsigned int with7[] = { 0, 7 };
	struct known_set ks;

	/* Entry for 7 stale, DOMID_ANY not honoured: owner default. */
	ks = (struct known_set){ only0, NELEM(only0), 0 };
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 3, known_in_set, &ks),
	    STORE_PERM_NONE);
	ck_assert_uint_gt(ks.calls, 0);

	/* Entry for 7 stale: the next match, DOMID_ANY, applies. */
	ks = (struct known_set){ with_any, NELEM(with_any), 0 };
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 3, known_in_set, &ks),
	    STORE_PERM_READ);

	ks = (struct known_set){ with7, NELEM(with7), 0 };
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 3, known_in_set, &ks),
	    STORE_PERM_BOTH);

	/* NULL known: every entry honoured. */
	ck_assert_uint_eq(store_perms_for(&dom7, perms, 3, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

START_TEST(perms_for_known_not_asked_for_non_matching_entries)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { 3, STORE_PERM_BOTH },
		{ 4, STORE_PERM_BOTH },
	};
	static const unsigned int all[] = { 0, 3, 4, 7 };
	struct known_set ks = { all, NELEM(all), 0 };

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 3, known_in_set, &ks),
	    STORE_PERM_NONE);
	ck_assert_uint_eq(ks.calls, 0);
}
END_TEST

START_TEST(perms_for_no_target_never_matches_none_entry)
{
	static const struct store_perm perms[] = {
		{ 0, STORE_PERM_NONE }, { STORE_DOMID_NONE, STORE_PERM_BOTH },
	};
	static const struct store_perm owned[] = {
		{ STORE_DOMID_NONE, STORE_PERM_NONE },
	};

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_NONE);
	ck_assert_uint_eq(store_perms_for(&dom7, owned, 1, NULL, NULL),
	    STORE_PERM_NONE);
}
END_TEST

START_TEST(perms_for_domid_any_owner_everyone_owns)
{
	static const struct store_perm perms[] = {
		{ STORE_DOMID_ANY, STORE_PERM_NONE }, { 7, STORE_PERM_NONE },
	};

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

START_TEST(perms_for_ignores_extra_bits)
{
	static const struct store_perm perms[] = {
		{ 0, 0x10 | STORE_PERM_READ }, { 5, 0x20 | STORE_PERM_WRITE },
	};
	static const struct store_caller dom5 = { 5, STORE_DOMID_NONE, false };

	ck_assert_uint_eq(store_perms_for(&dom7, perms, 2, NULL, NULL),
	    STORE_PERM_READ);
	ck_assert_uint_eq(store_perms_for(&dom5, perms, 2, NULL, NULL),
	    STORE_PERM_WRITE);
}
END_TEST

START_TEST(perms_for_empty_list_grants_nothing)
{
	static const struct store_caller priv = { 0, STORE_DOMID_NONE, true };

	ck_assert_uint_eq(store_perms_for(&dom7, NULL, 0, NULL, NULL),
	    STORE_PERM_NONE);
	ck_assert_uint_eq(store_perms_for(&priv, NULL, 0, NULL, NULL),
	    STORE_PERM_BOTH);
}
END_TEST

static Suite *
perms_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("perms");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, perms_parse_reads_letters_and_domids);
	tcase_add_test(tc, perms_parse_domid_uses_strtol_base_0);
	tcase_add_test(tc, perms_parse_rejects_bad_letter);
	tcase_add_test(tc, perms_parse_rejects_empty_domid);
	tcase_add_test(tc, perms_parse_rejects_junk);
	tcase_add_test(tc, perms_parse_rejects_domid_beyond_32_bits);
	tcase_add_test(tc, perms_parse_rejects_zero_entries);
	tcase_add_test(tc, perms_parse_bad_later_entry_changes_nothing);
	tcase_add_test(tc, perms_parse_preserves_errno);
	tcase_add_test(tc, perms_parse_enomem_when_allocation_fails);
	tcase_add_test(tc, perms_format_signed_decimal);
	tcase_add_test(tc, perms_format_round_trips_parse);
	tcase_add_test(tc, perms_format_empty_list);
	tcase_add_test(tc, perms_format_enomem_when_allocation_fails);
	tcase_add_test(tc, perms_for_privileged_gets_all);
	tcase_add_test(tc, perms_for_owner_gets_all);
	tcase_add_test(tc, perms_for_target_of_owner_gets_all);
	tcase_add_test(tc, perms_for_first_matching_later_entry_wins);
	tcase_add_test(tc, perms_for_entry_of_target_applies);
	tcase_add_test(tc, perms_for_domid_any_entry_applies_to_everyone);
	tcase_add_test(tc, perms_for_falls_back_to_owner_bits);
	tcase_add_test(tc, perms_for_unknown_entry_ignored);
	tcase_add_test(tc, perms_for_known_not_asked_for_non_matching_entries);
	tcase_add_test(tc, perms_for_no_target_never_matches_none_entry);
	tcase_add_test(tc, perms_for_domid_any_owner_everyone_owns);
	tcase_add_test(tc, perms_for_ignores_extra_bits);
	tcase_add_test(tc, perms_for_empty_list_grants_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(perms_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
