/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * path_test.c: tests of protocol/path.c (syntax, canonical form, length
 * bound, depth, ancestry).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "protocol/path.h"

#define SPECIAL	PATH_ALLOW_SPECIAL

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

/*
 * Canonicalises in and checks the result: 0 and *want (with strip), or the
 * error err with the out-parameters untouched and nothing allocated.
 */
static int
canon(const char *in, unsigned int domid, unsigned int flags,
    size_t path_max, char **out, size_t *strip)
{
	size_t blocks;
	char *o;
	size_t s;
	int error;

	blocks = talloc_total_blocks(ctx);
	o = (char *)(uintptr_t)1;	/* a poison value we can recognise */
	s = 12345;
	error = path_canonicalize(ctx, in, domid, flags, path_max, &o, &s);
	if (error != 0) {
		ck_assert_ptr_eq(o, (char *)(uintptr_t)1);
		ck_assert_uint_eq(s, 12345);
		ck_assert_uint_eq(talloc_total_blocks(ctx), blocks);
		return error;
	}
	ck_assert_ptr_eq(talloc_parent(o), ctx);
	if (out != NULL)
		*out = o;
	if (strip != NULL)
		*strip = s;
	return 0;
}

static void
assert_canon(const char *in, unsigned int domid, unsigned int flags,
    const char *want, size_t want_strip)
{
	char *out;
	size_t strip;

	ck_assert_int_eq(canon(in, domid, flags, 2048, &out, &strip), 0);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(strip, want_strip);
}

static void
assert_rejected(const char *in, unsigned int flags)
{
	ck_assert_int_eq(canon(in, 5, flags, 2048, NULL, NULL), EINVAL);
}

/*
 * A context under ctx on which every allocation fails, to reach the ENOMEM
 * paths. talloc_set_memlimit() is deprecated but still enforced, and it is
 * the only failure injection talloc offers.
 */
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

/* head followed by n copies of c, under ctx. */
static char *
repeat(const char *head, char c, size_t n)
{
	size_t hl;
	char *s;

	hl = strlen(head);
	s = talloc_array(ctx, char, hl + n + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, head, hl);
	memset(s + hl, c, n);
	s[hl + n] = '\0';
	return s;
}

START_TEST(path_accepts_root)
{
	assert_canon("/", 5, 0, "/", 0);
	assert_canon("/", 5, SPECIAL, "/", 0);
}
END_TEST

START_TEST(path_accepts_absolute)
{
	assert_canon("/a", 5, 0, "/a", 0);
	assert_canon("/tool/xenstored", 5, 0, "/tool/xenstored", 0);
	assert_canon("/A-Z/a_z/0-9", 5, 0, "/A-Z/a_z/0-9", 0);
	assert_canon("/local/domain/5/device/vif/0", 7, 0,
	    "/local/domain/5/device/vif/0", 0);
	assert_canon("/local/domain", 5, 0, "/local/domain", 0);
}
END_TEST

START_TEST(path_rejects_empty)
{
	assert_rejected("", 0);
	assert_rejected("", SPECIAL);
	ck_assert_int_eq(canon(NULL, 0, 0, 0, NULL, NULL), EINVAL);
}
END_TEST

START_TEST(path_accepts_exactly_the_allowed_chars)
{
	char in[5];
	int c;
	bool ok;

	/* Every byte in the middle of a path: only A-Z a-z 0-9 - / _ @
	 * pass. */
	for (c = 1; c < 256; c++) {
		in[0] = '/';
		in[1] = 'a';
		in[2] = (char)c;
		in[3] = 'b';
		in[4] = '\0';
		ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' ||
		    c == '@';
		ck_assert_msg((canon(in, 0, SPECIAL, 0, NULL, NULL) == 0) == ok,
		    "byte 0x%02x: expected %s", c, ok ? "accept" : "reject");
	}
}
END_TEST

START_TEST(path_rejects_bad_chars)
{
	assert_rejected("/a.b", 0);
	assert_rejected("/a b", 0);
	assert_rejected("/a\n", 0);
	assert_rejected("/\xc3\xa4", 0);
	assert_rejected("/a:b", 0);
	assert_rejected("/a\\b", 0);
	assert_rejected("..", 0);
	assert_rejected("a*", 0);
	assert_rejected(" /a", 0);
}
END_TEST

START_TEST(path_rejects_double_slash)
{
	assert_rejected("//", 0);
	assert_rejected("//a", 0);
	assert_rejected("/a//b", 0);
	assert_rejected("a//b", 0);
	assert_rejected("@x//y", SPECIAL);
}
END_TEST

START_TEST(path_rejects_trailing_slash)
{
	assert_rejected("/a/", 0);
	assert_rejected("/a/b/", 0);
	assert_rejected("a/", 0);
	assert_rejected("@releaseDomain/", SPECIAL);
	assert_rejected("@/", SPECIAL);
}
END_TEST

START_TEST(path_rejects_local_domain_trailing_slash)
{
	/* XSA-481: this once left errno 0 in C and crashed the daemon. */
	assert_rejected("/local/domain/", 0);
	assert_rejected("/local/domain/", SPECIAL);
	assert_rejected("/local/domain/5/", 0);
}
END_TEST

START_TEST(path_rejects_special_without_flag)
{
	assert_rejected("@releaseDomain", 0);
	assert_rejected("@introduceDomain", 0);
	assert_rejected("@", 0);
}
END_TEST

START_TEST(path_accepts_special_with_flag)
{
	assert_canon("@releaseDomain", 5, SPECIAL, "@releaseDomain", 0);
	assert_canon("@introduceDomain", 5, SPECIAL, "@introduceDomain", 0);
	assert_canon("@releaseDomain/5", 5, SPECIAL, "@releaseDomain/5", 0);
	assert_canon("@other", 5, SPECIAL, "@other", 0);
}
END_TEST

START_TEST(path_accepts_at_not_first)
{
	/*
	 * The C daemon's valid_chars() takes '@' anywhere; only a leading
	 * one makes a special path (tests/diff found "/t/@a": C ENOENT,
	 * xstored EINVAL).
	 */
	assert_canon("/a@b", 0, 0, "/a@b", 0);
	assert_canon("/@a", 0, SPECIAL, "/@a", 0);
	assert_canon("a@", 5, 0, "/local/domain/5/a@", 16);
	assert_canon("@a@b", 0, SPECIAL, "@a@b", 0);
	assert_canon("@@", 0, SPECIAL, "@@", 0);
	assert_rejected("@a", 0);
}
END_TEST

START_TEST(path_relative_gets_domain_prefix)
{
	assert_canon("a", 5, 0, "/local/domain/5/a", 16);
	assert_canon("device/vif", 0, 0, "/local/domain/0/device/vif", 16);
	assert_canon("a", 65535, 0, "/local/domain/65535/a", 20);
	/* The flag does not change how relative paths are treated. */
	assert_canon("x-y_z", 12, SPECIAL, "/local/domain/12/x-y_z", 17);
}
END_TEST

START_TEST(path_relative_strip_gives_back_input)
{
	static const unsigned int domids[] = { 0, 1, 99, 32752, 65535 };
	char *out;
	size_t strip, i;

	for (i = 0; i < sizeof(domids) / sizeof(domids[0]); i++) {
		ck_assert_int_eq(canon("data/x", domids[i], 0, 2048, &out,
		    &strip), 0);
		ck_assert_str_eq(out + strip, "data/x");
		ck_assert_str_eq(out + strip - 1, "/data/x");
	}
}
END_TEST

START_TEST(path_max_boundary_relative)
{
	char *ok, *bad;

	/* C [HEAD]: the relative part must be shorter than path-max. */
	ok = repeat("", 'a', 2047);
	bad = repeat("", 'a', 2048);
	ck_assert_int_eq(canon(ok, 5, 0, 2048, NULL, NULL), 0);
	ck_assert_int_eq(canon(bad, 5, 0, 2048, NULL, NULL), EINVAL);
	ck_assert_int_eq(canon(ok, 65535, 0, 2048, NULL, NULL), 0);
	ck_assert_int_eq(canon(bad, 65535, 0, 2048, NULL, NULL), EINVAL);
}
END_TEST

START_TEST(path_max_boundary_absolute_under_domain_home)
{
	char *ok, *bad;

	/* Only what follows "/local/domain/<N>/" counts. */
	ok = repeat("/local/domain/5/", 'a', 2047);
	bad = repeat("/local/domain/5/", 'a', 2048);
	ck_assert_int_eq(canon(ok, 9, 0, 2048, NULL, NULL), 0);
	ck_assert_int_eq(canon(bad, 9, 0, 2048, NULL, NULL), EINVAL);
	ok = repeat("/local/domain/65535/", 'a', 2047);
	ck_assert_int_eq(canon(ok, 9, 0, 2048, NULL, NULL), 0);
}
END_TEST

START_TEST(path_max_counts_whole_path_without_domain_prefix)
{
	char *ok, *bad;

	ok = repeat("/", 'a', 2046);
	bad = repeat("/", 'a', 2047);
	ck_assert_int_eq(canon(ok, 5, 0, 2048, NULL, NULL), 0);
	ck_assert_int_eq(canon(bad, 5, 0, 2048, NULL, NULL), EINVAL);

	/* "/local/domain/<N>" without the slash after N is no prefix. */
	ck_assert_int_eq(canon("/local/domain/12", 0, 0, 17, NULL, NULL), 0);
	ck_assert_int_eq(canon("/local/domain/123", 0, 0, 17, NULL, NULL),
	    EINVAL);

	/* More than five digits is no domid: counted whole, as C does. */
	ck_assert_int_eq(canon("/local/domain/12345/abc", 0, 0, 4, NULL,
	    NULL), 0);
	ck_assert_int_eq(canon("/local/domain/123456/abc", 0, 0, 4, NULL,
	    NULL), EINVAL);
	ck_assert_int_eq(canon("/local/domain/x/abc", 0, 0, 4, NULL, NULL),
	    EINVAL);
}
END_TEST

START_TEST(path_max_applies_to_special)
{
	ck_assert_int_eq(canon("@abcdefgh", 0, SPECIAL, 10, NULL, NULL), 0);
	ck_assert_int_eq(canon("@abcdefghi", 0, SPECIAL, 10, NULL, NULL),
	    EINVAL);
}
END_TEST

START_TEST(path_max_zero_disables_check)
{
	char *in, *out;
	size_t strip;

	in = repeat("/", 'a', 3071);
	ck_assert_int_eq(canon(in, 0, 0, 0, &out, &strip), 0);
	ck_assert_str_eq(out, in);
	in = repeat("", 'b', 3072 - 16);
	ck_assert_int_eq(canon(in, 3, 0, 0, &out, &strip), 0);
	ck_assert_uint_eq(strlen(out), 3072);
}
END_TEST

START_TEST(path_abs_max_binds_every_caller)
{
	/*
	 * XENSTORE_ABS_PATH_MAX (3072) holds whatever path_max: C refuses
	 * longer paths from every caller (tests/diff found xstored taking
	 * them from sockets).
	 */
	ck_assert_int_eq(canon(repeat("/", 'a', 3071), 0, 0, 0, NULL, NULL),
	    0);
	ck_assert_int_eq(canon(repeat("/", 'a', 3072), 0, 0, 0, NULL, NULL),
	    EINVAL);
	ck_assert_int_eq(canon(repeat("@", 'a', 3072), 0, SPECIAL, 0, NULL,
	    NULL), EINVAL);
	/* The relative prefix counts: 16 + 3057 = 3073. */
	ck_assert_int_eq(canon(repeat("", 'b', 3056), 3, 0, 0, NULL, NULL),
	    0);
	ck_assert_int_eq(canon(repeat("", 'b', 3057), 3, 0, 0, NULL, NULL),
	    EINVAL);
	ck_assert_int_eq(canon(repeat("", 'b', 3057), 3, 0, 4096, NULL,
	    NULL), EINVAL);
}
END_TEST

START_TEST(path_handles_many_components)
{
	char *in, *out;
	size_t i, strip;

	/* "a/a/a/.../a": 1500 components, relative. */
	in = repeat("", 'a', 2999);
	for (i = 1; i < 2999; i += 2)
		in[i] = '/';
	ck_assert_int_eq(canon(in, 1, 0, 0, &out, &strip), 0);
	ck_assert_uint_eq(path_depth(out), 3 + 1500);
	ck_assert(path_is_prefix("/local/domain/1", out));
}
END_TEST

START_TEST(path_enomem_when_allocation_fails)
{
	TALLOC_CTX *lim;
	char *out = NULL;
	size_t strip = 7;

	lim = failing_ctx();
	ck_assert_int_eq(path_canonicalize(lim, "a/b", 0, 0, 2048, &out,
	    &strip), ENOMEM);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(strip, 7);
	ck_assert_int_eq(path_canonicalize(lim, "/a", 0, 0, 2048, &out,
	    &strip), ENOMEM);
	ck_assert_ptr_null(path_domain_home(lim, 3));
}
END_TEST

START_TEST(path_is_special_only_for_at)
{
	ck_assert(path_is_special("@releaseDomain"));
	ck_assert(path_is_special("@releaseDomain/5"));
	ck_assert(!path_is_special("/"));
	ck_assert(!path_is_special("/a@"));
}
END_TEST

START_TEST(path_domain_home_formats_domid)
{
	char *s;

	s = path_domain_home(ctx, 0);
	ck_assert_str_eq(s, "/local/domain/0");
	ck_assert_ptr_eq(talloc_parent(s), ctx);
	ck_assert_str_eq(path_domain_home(ctx, 65535),
	    "/local/domain/65535");
}
END_TEST

START_TEST(path_depth_counts_components)
{
	ck_assert_uint_eq(path_depth("/"), 0);
	ck_assert_uint_eq(path_depth("/a"), 1);
	ck_assert_uint_eq(path_depth("/a/b"), 2);
	ck_assert_uint_eq(path_depth("/local/domain/5/x"), 4);
	ck_assert_uint_eq(path_depth("@releaseDomain"), 0);
	ck_assert_uint_eq(path_depth("@releaseDomain/5"), 1);
}
END_TEST

START_TEST(path_is_prefix_matches_ancestors_only)
{
	ck_assert(path_is_prefix("/", "/"));
	ck_assert(path_is_prefix("/", "/a"));
	ck_assert(path_is_prefix("/", "/a/b"));
	ck_assert(path_is_prefix("/a", "/a"));
	ck_assert(path_is_prefix("/a", "/a/b"));
	ck_assert(path_is_prefix("/a/b", "/a/b/c/d"));
	ck_assert(path_is_prefix("@releaseDomain", "@releaseDomain"));
	ck_assert(path_is_prefix("@releaseDomain", "@releaseDomain/5"));

	ck_assert(!path_is_prefix("/a", "/ab"));
	ck_assert(!path_is_prefix("/a/b", "/a"));
	ck_assert(!path_is_prefix("/a", "/"));
	ck_assert(!path_is_prefix("/", "@releaseDomain"));
	ck_assert(!path_is_prefix("@releaseDomain", "@releaseDomainX"));
	ck_assert(!path_is_prefix("@releaseDomain/5", "@releaseDomain/55"));
	ck_assert(!path_is_prefix("/a", "@a"));
}
END_TEST

static Suite *
path_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("path");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, path_accepts_root);
	tcase_add_test(tc, path_accepts_absolute);
	tcase_add_test(tc, path_rejects_empty);
	tcase_add_test(tc, path_accepts_exactly_the_allowed_chars);
	tcase_add_test(tc, path_rejects_bad_chars);
	tcase_add_test(tc, path_rejects_double_slash);
	tcase_add_test(tc, path_rejects_trailing_slash);
	tcase_add_test(tc, path_rejects_local_domain_trailing_slash);
	tcase_add_test(tc, path_rejects_special_without_flag);
	tcase_add_test(tc, path_accepts_special_with_flag);
	tcase_add_test(tc, path_accepts_at_not_first);
	tcase_add_test(tc, path_relative_gets_domain_prefix);
	tcase_add_test(tc, path_relative_strip_gives_back_input);
	tcase_add_test(tc, path_max_boundary_relative);
	tcase_add_test(tc, path_max_boundary_absolute_under_domain_home);
	tcase_add_test(tc, path_max_counts_whole_path_without_domain_prefix);
	tcase_add_test(tc, path_max_applies_to_special);
	tcase_add_test(tc, path_max_zero_disables_check);
	tcase_add_test(tc, path_abs_max_binds_every_caller);
	tcase_add_test(tc, path_handles_many_components);
	tcase_add_test(tc, path_enomem_when_allocation_fails);
	tcase_add_test(tc, path_is_special_only_for_at);
	tcase_add_test(tc, path_domain_home_formats_domid);
	tcase_add_test(tc, path_depth_counts_components);
	tcase_add_test(tc, path_is_prefix_matches_ancestors_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(path_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
