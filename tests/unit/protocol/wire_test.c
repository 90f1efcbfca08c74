/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wire_test.c: tests of protocol/wire.c (type names, error names, header
 * check).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "protocol/wire.h"

/* The protocol's type names, by number; NULL where no type exists. */
static const char *const expected_types[] = {
	"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
	"TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE",
	"GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH_EVENT",
	"ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", NULL,
	"RESET_WATCHES", "DIRECTORY_PART", "GET_FEATURE", "SET_FEATURE",
	"GET_QUOTA", "SET_QUOTA",
};

START_TEST(wire_type_name_names_every_type)
{
	uint32_t t;

	ck_assert_uint_eq(sizeof(expected_types) / sizeof(expected_types[0]),
	    WIRE_TYPE_COUNT);
	for (t = 0; t < WIRE_TYPE_COUNT; t++) {
		if (expected_types[t] == NULL)
			ck_assert_ptr_null(wire_type_name(t));
		else
			ck_assert_str_eq(wire_type_name(t), expected_types[t]);
	}
}
END_TEST

START_TEST(wire_type_name_matches_xs_wire_constants)
{
	ck_assert_str_eq(wire_type_name(XS_READ), "READ");
	ck_assert_str_eq(wire_type_name(XS_WATCH_EVENT), "WATCH_EVENT");
	ck_assert_str_eq(wire_type_name(XS_RESET_WATCHES), "RESET_WATCHES");
	ck_assert_str_eq(wire_type_name(XS_DIRECTORY_PART), "DIRECTORY_PART");
	ck_assert_str_eq(wire_type_name(WIRE_SET_QUOTA), "SET_QUOTA");
}
END_TEST

START_TEST(wire_type_name_null_for_removed_restrict)
{
	ck_assert_ptr_null(wire_type_name(20));
}
END_TEST

START_TEST(wire_type_name_null_beyond_last_type)
{
	ck_assert_ptr_null(wire_type_name(WIRE_TYPE_COUNT));
	ck_assert_ptr_null(wire_type_name(28));
	ck_assert_ptr_null(wire_type_name(XS_INVALID));
	ck_assert_ptr_null(wire_type_name(UINT32_MAX));
}
END_TEST

START_TEST(wire_error_name_maps_every_protocol_errno)
{
	static const struct {
		int err;
		const char *name;
	} cases[] = {
		{ EINVAL, "EINVAL" }, { EACCES, "EACCES" },
		{ EEXIST, "EEXIST" }, { EISDIR, "EISDIR" },
		{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ ENOSPC, "ENOSPC" }, { EIO, "EIO" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ENOSYS, "ENOSYS" },
		{ EROFS, "EROFS" }, { EBUSY, "EBUSY" },
		{ EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" },
		{ E2BIG, "E2BIG" }, { EPERM, "EPERM" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(wire_error_name(cases[i].err), cases[i].name);
}
END_TEST

START_TEST(wire_error_name_unknown_errno_is_einval)
{
	ck_assert_str_eq(wire_error_name(ETIMEDOUT), "EINVAL");
	ck_assert_str_eq(wire_error_name(ENOTDIR), "EINVAL");
	ck_assert_str_eq(wire_error_name(EBADF), "EINVAL");
	ck_assert_str_eq(wire_error_name(0), "EINVAL");
	ck_assert_str_eq(wire_error_name(-1), "EINVAL");
	ck_assert_str_eq(wire_error_name(100000), "EINVAL");
}
END_TEST

START_TEST(wire_check_header_accepts_payload_max)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX };

	ck_assert_int_eq(wire_check_header(&h), 0);
	h.len = 0;
	ck_assert_int_eq(wire_check_header(&h), 0);
}
END_TEST

START_TEST(wire_check_header_rejects_over_payload_max)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	ck_assert_int_eq(wire_check_header(&h), E2BIG);
	h.len = UINT32_MAX;
	ck_assert_int_eq(wire_check_header(&h), E2BIG);
}
END_TEST

START_TEST(wire_check_header_accepts_unknown_type)
{
	struct xsd_sockmsg h = { 20, 7, 0, 0 };

	ck_assert_int_eq(wire_check_header(&h), 0);
	h.type = WIRE_TYPE_COUNT;
	ck_assert_int_eq(wire_check_header(&h), 0);
	h.type = XS_INVALID;
	ck_assert_int_eq(wire_check_header(&h), 0);
	h.type = UINT32_MAX;
	ck_assert_int_eq(wire_check_header(&h), 0);
}
END_TEST

START_TEST(wire_hdr_size_matches_struct)
{
	ck_assert_uint_eq(sizeof(struct xsd_sockmsg), WIRE_HDR_SIZE);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("wire");
	tc = tcase_create("core");
	tcase_add_test(tc, wire_type_name_names_every_type);
	tcase_add_test(tc, wire_type_name_matches_xs_wire_constants);
	tcase_add_test(tc, wire_type_name_null_for_removed_restrict);
	tcase_add_test(tc, wire_type_name_null_beyond_last_type);
	tcase_add_test(tc, wire_error_name_maps_every_protocol_errno);
	tcase_add_test(tc, wire_error_name_unknown_errno_is_einval);
	tcase_add_test(tc, wire_check_header_accepts_payload_max);
	tcase_add_test(tc, wire_check_header_rejects_over_payload_max);
	tcase_add_test(tc, wire_check_header_accepts_unknown_type);
	tcase_add_test(tc, wire_hdr_size_matches_struct);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(wire_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
