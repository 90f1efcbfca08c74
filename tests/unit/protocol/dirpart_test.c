/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirpart_test.c: tests of protocol/dirpart.c (DIRECTORY_PART replies),
 * including a model of the libxenstore client loop (facts 1.8).
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "protocol/dirpart.h"

#define LIT(s)	(s), (sizeof(s) - 1)

static char out[XENSTORE_PAYLOAD_MAX];

/* Builds a reply into the static buffer and checks it ends at 4096. */
static size_t
build(const char *list, size_t listlen, uint64_t gen, size_t offset)
{
	size_t outlen;

	outlen = 0;
	ck_assert_int_eq(dirpart_build(list, listlen, gen, offset, out,
	    sizeof(out), &outlen), 0);
	ck_assert_uint_le(outlen, XENSTORE_PAYLOAD_MAX);
	return outlen;
}

START_TEST(dirpart_small_list_whole_with_extra_nul)
{
	size_t len;

	len = build(LIT("a\0bc\0"), 7, 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(out, "7\0a\0bc\0\0", 8);
}
END_TEST

START_TEST(dirpart_offset_past_end_gives_gen_nul_nul)
{
	size_t len;

	len = build(LIT("a\0bc\0"), 7, 5);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(out, "7\0\0", 3);
	len = build(LIT("a\0bc\0"), 42, 1000000);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(out, "42\0\0", 4);
	len = build(LIT("a\0bc\0"), 1, SIZE_MAX);
	ck_assert_mem_eq(out, "1\0\0", 3);
}
END_TEST

START_TEST(dirpart_empty_list_gives_gen_nul_nul)
{
	size_t len;

	len = build("", 0, 0, 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(out, "0\0\0", 3);
	len = build(NULL, 0, 9, 0);
	ck_assert_mem_eq(out, "9\0\0", 3);
	ck_assert_uint_eq(len, 3);
}
END_TEST

START_TEST(dirpart_offset_inside_name_returns_tail)
{
	size_t len;

	len = build(LIT("a\0bc\0"), 7, 3);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(out, "7\0c\0\0", 5);
	/* At the NUL of a name: an empty name, then the rest. */
	len = build(LIT("ab\0cd\0"), 7, 2);
	ck_assert_uint_eq(len, 7);
	ck_assert_mem_eq(out, "7\0\0cd\0\0", 7);
}
END_TEST

START_TEST(dirpart_gen_is_full_u64_decimal)
{
	size_t len;

	len = build(LIT("x\0"), UINT64_MAX, 0);
	ck_assert_uint_eq(len, 21 + 2 + 1);
	ck_assert_mem_eq(out, "18446744073709551615\0x\0\0", len);
}
END_TEST

START_TEST(dirpart_unterminated_tail_never_sent)
{
	size_t len;

	len = build(LIT("a\0bc"), 3, 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(out, "3\0a\0\0", 5);
}
END_TEST

START_TEST(dirpart_exact_fit_uses_whole_payload)
{
	char *list;
	size_t len, listlen;

	/* gen "7": names may use 4096 - 1 - 2 = 4093 bytes. */
	listlen = 4093;
	list = malloc(listlen);
	ck_assert_ptr_nonnull(list);
	memset(list, 'n', listlen);
	list[2000] = '\0';
	list[listlen - 1] = '\0';
	len = build(list, listlen, 7, 0);
	ck_assert_uint_eq(len, XENSTORE_PAYLOAD_MAX);
	ck_assert_mem_eq(out + 2, list, listlen);
	ck_assert_int_eq(out[len - 1], '\0');

	/* One byte more: the second name moves to the next reply. */
	free(list);
	listlen = 4094;
	list = malloc(listlen);
	ck_assert_ptr_nonnull(list);
	memset(list, 'n', listlen);
	list[2000] = '\0';
	list[listlen - 1] = '\0';
	len = build(list, listlen, 7, 0);
	ck_assert_uint_eq(len, 2 + 2001);
	ck_assert_mem_eq(out + 2, list, 2001);
	len = build(list, listlen, 7, 2001);
	ck_assert_uint_eq(len, 2 + 2093 + 1);
	ck_assert_mem_eq(out + 2, list + 2001, 2093);
	ck_assert_int_eq(out[len - 1], '\0');
	free(list);
}
END_TEST

/*
 * The client side of facts 1.8: ask at offset 0, append each reply's
 * names, ask again at the byte count held, stop once the bytes held end in
 * two NULs (or are a single NUL); restart if the generation changes. Fills
 * got (capacity cap) and returns the list without its final extra NUL,
 * and the number of round trips in *rounds.
 */
static size_t
client_fetch(const char *list, size_t listlen, uint64_t gen, char *got,
    size_t cap, unsigned int *rounds)
{
	char genstr[32];
	size_t held, outlen, glen, body;
	unsigned int n;

	snprintf(genstr, sizeof(genstr), "%" PRIu64, gen);
	held = 0;
	for (n = 1; n < 10000; n++) {
		outlen = build(list, listlen, gen, held);
		glen = strnlen(out, outlen);
		ck_assert_uint_lt(glen, outlen);
		ck_assert_str_eq(out, genstr);
		body = outlen - glen - 1;
		/* Every reply makes progress, else the client loops. */
		ck_assert_uint_gt(body, 0);
		/* The chunk excluding a final extra NUL: whole names only. */
		ck_assert_int_eq(out[outlen - 1], '\0');
		ck_assert_uint_le(held + body, cap);
		memcpy(got + held, out + glen + 1, body);
		held += body;
		if ((held == 1 && got[0] == '\0') ||
		    (held >= 2 && got[held - 1] == '\0' &&
		    got[held - 2] == '\0'))
			break;
	}
	*rounds = n;
	return held - 1;
}

/* A packed list of count names of varying lengths (1 to maxname). */
static char *
make_list(unsigned int count, size_t maxname, size_t *lenp)
{
	char *list;
	size_t len, i, nl;
	unsigned int k;

	list = malloc((size_t)count * (maxname + 1));
	ck_assert_ptr_nonnull(list);
	len = 0;
	for (k = 0; k < count; k++) {
		nl = 1 + (k * 7919u) % maxname;
		for (i = 0; i < nl; i++)
			list[len + i] = (char)('a' + (k + i) % 26);
		list[len + nl] = '\0';
		len += nl + 1;
	}
	*lenp = len;
	return list;
}

static void
check_reassembly(unsigned int count, size_t maxname, uint64_t gen)
{
	char *list, *got;
	size_t listlen, gotlen;
	unsigned int rounds;

	list = make_list(count, maxname, &listlen);
	got = malloc(listlen + 1);
	ck_assert_ptr_nonnull(got);
	gotlen = client_fetch(list, listlen, gen, got, listlen + 1, &rounds);
	ck_assert_uint_eq(gotlen, listlen);
	ck_assert_mem_eq(got, list, listlen);
	if (listlen > XENSTORE_PAYLOAD_MAX)
		ck_assert_uint_gt(rounds, listlen / XENSTORE_PAYLOAD_MAX);
	else
		ck_assert_uint_eq(rounds, 1);
	free(got);
	free(list);
}

START_TEST(dirpart_long_list_chunks_reassemble_exactly)
{
	check_reassembly(2000, 30, 12345);
}
END_TEST

START_TEST(dirpart_long_names_chunks_reassemble_exactly)
{
	check_reassembly(40, 2047, 1);
	check_reassembly(40, 2047, UINT64_MAX);
}
END_TEST

START_TEST(dirpart_short_list_one_round_trip)
{
	check_reassembly(3, 5, 0);
	check_reassembly(1, 1, 99);
}
END_TEST

START_TEST(dirpart_empty_list_client_stops_at_once)
{
	char got[4];
	unsigned int rounds;

	ck_assert_uint_eq(client_fetch("", 0, 5, got, sizeof(got), &rounds),
	    0);
	ck_assert_uint_eq(rounds, 1);
}
END_TEST

START_TEST(dirpart_chunks_hold_whole_names)
{
	char *list;
	size_t listlen, off, len, glen;

	list = make_list(3000, 50, &listlen);
	off = 0;
	while (off < listlen) {
		len = build(list, listlen, 77, off);
		glen = 2;
		ck_assert_uint_gt(len, glen + 1);
		/* The chunk starts at a name boundary and ends in a NUL. */
		ck_assert(off == 0 || list[off - 1] == '\0');
		ck_assert_int_eq(out[len - 1], '\0');
		if (off + (len - glen - 1) > listlen) {
			/* Final chunk: the list's tail plus the extra NUL. */
			ck_assert_uint_eq(off + len - glen - 2, listlen);
			break;
		}
		ck_assert_uint_le(len, XENSTORE_PAYLOAD_MAX);
		off += len - glen - 1;
	}
	free(list);
}
END_TEST

START_TEST(dirpart_rejects_buffer_too_small_for_gen)
{
	char small[4];
	size_t len = 99;

	ck_assert_int_eq(dirpart_build(LIT("a\0"), 12345, 0, small,
	    sizeof(small), &len), E2BIG);
	ck_assert_uint_eq(len, 99);
	ck_assert_int_eq(dirpart_build(LIT("a\0"), 12, 0, small, 3, &len),
	    E2BIG);
	ck_assert_int_eq(dirpart_build(LIT("a\0"), 12, 5, small, 4, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(small, "12\0\0", 4);
}
END_TEST

START_TEST(dirpart_short_buffer_never_overflows)
{
	char *list, *buf;
	size_t listlen, len, sz;

	/* Against the contract, but it must still stay inside out. */
	list = make_list(500, 20, &listlen);
	for (sz = 3; sz < 64; sz++) {
		buf = malloc(sz);
		ck_assert_ptr_nonnull(buf);
		ck_assert_int_eq(dirpart_build(list, listlen, 1, 0, buf, sz,
		    &len), 0);
		ck_assert_uint_le(len, sz);
		free(buf);
	}
	free(list);
}
END_TEST

static Suite *
dirpart_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dirpart");
	tc = tcase_create("core");
	tcase_add_test(tc, dirpart_small_list_whole_with_extra_nul);
	tcase_add_test(tc, dirpart_offset_past_end_gives_gen_nul_nul);
	tcase_add_test(tc, dirpart_empty_list_gives_gen_nul_nul);
	tcase_add_test(tc, dirpart_offset_inside_name_returns_tail);
	tcase_add_test(tc, dirpart_gen_is_full_u64_decimal);
	tcase_add_test(tc, dirpart_unterminated_tail_never_sent);
	tcase_add_test(tc, dirpart_exact_fit_uses_whole_payload);
	tcase_add_test(tc, dirpart_long_list_chunks_reassemble_exactly);
	tcase_add_test(tc, dirpart_long_names_chunks_reassemble_exactly);
	tcase_add_test(tc, dirpart_short_list_one_round_trip);
	tcase_add_test(tc, dirpart_empty_list_client_stops_at_once);
	tcase_add_test(tc, dirpart_chunks_hold_whole_names);
	tcase_add_test(tc, dirpart_rejects_buffer_too_small_for_gen);
	tcase_add_test(tc, dirpart_short_buffer_never_overflows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(dirpart_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
