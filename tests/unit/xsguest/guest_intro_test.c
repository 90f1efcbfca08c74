/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_intro_test.c: tests of tools/xs-guest/guest_intro.c, the
 * toolstack's requests around INTRODUCE. The daemon's end is the other
 * half of a socketpair: replies are queued first, and the requests read
 * back and checked byte for byte afterwards.
 */
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/xs-guest/guest_intro.h"

static int sv[2] = { -1, -1 };

static void
setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
teardown(void)
{
	close(sv[0]);
	close(sv[1]);
	sv[0] = sv[1] = -1;
}

static void
daemon_reply(uint32_t type, uint32_t req_id, const char *body, uint32_t len)
{
	struct xsd_sockmsg h = { type, req_id, 0, len };

	ck_assert_int_eq(write(sv[1], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(write(sv[1], body, len), (ssize_t)len);
}

/* Reads the next request; checks its type, req_id and payload. */
static void
expect_request(uint32_t type, uint32_t req_id, const void *payload,
    uint32_t len)
{
	struct xsd_sockmsg h;
	char buf[256];

	ck_assert_int_eq(read(sv[1], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_uint_eq(h.type, type);
	ck_assert_uint_eq(h.req_id, req_id);
	ck_assert_uint_eq(h.tx_id, 0);
	ck_assert_uint_eq(h.len, len);
	ck_assert_int_eq(read(sv[1], buf, len), (ssize_t)len);
	ck_assert_mem_eq(buf, payload, len);
}

#define LIT(s)	(s), (uint32_t)(sizeof(s) - 1)

START_TEST(guest_intro_home_writes_nodes_and_perms)
{
	uint32_t id = 1, i;

	for (i = 1; i <= 8; i++)
		daemon_reply(i % 2 ? XS_WRITE : XS_SET_PERMS, i, "OK", 3);
	ck_assert_int_eq(guest_intro_home(sv[0], 1000, &id, 12, NULL), 0);
	ck_assert_uint_eq(id, 9);
	expect_request(XS_WRITE, 1, LIT("/local/domain/12\0"));
	expect_request(XS_SET_PERMS, 2, LIT("/local/domain/12\0n0\0r12\0"));
	expect_request(XS_WRITE, 3, LIT("/local/domain/12/data\0"));
	expect_request(XS_SET_PERMS, 4, LIT("/local/domain/12/data\0n12\0"));
	expect_request(XS_WRITE, 5, LIT("/local/domain/12/control\0"));
	expect_request(XS_SET_PERMS, 6,
	    LIT("/local/domain/12/control\0n0\0r12\0"));
	expect_request(XS_WRITE, 7, LIT("/local/domain/12/control/"
	    "platform-feature-xs_reset_watches\0" "1"));
	expect_request(XS_SET_PERMS, 8, LIT("/local/domain/12/control/"
	    "platform-feature-xs_reset_watches\0n0\0r12\0"));
}
END_TEST

START_TEST(guest_intro_home_stops_at_error_reply)
{
	uint32_t id = 1;

	daemon_reply(XS_WRITE, 1, "OK", 3);
	daemon_reply(XS_ERROR, 2, "ENOENT", 7);
	ck_assert_int_eq(guest_intro_home(sv[0], 1000, &id, 3, NULL), ENOENT);
	ck_assert_uint_eq(id, 3);
}
END_TEST

START_TEST(guest_intro_introduce_and_release_payloads)
{
	struct guest_msg *m;
	uint32_t id = 5;

	daemon_reply(XS_INTRODUCE, 5, "OK", 3);
	daemon_reply(XS_ERROR, 6, "EACCES", 7);
	ck_assert_int_eq(guest_intro_introduce(sv[0], 1000, &id, 9, 4096, 17,
	    &m), 0);
	ck_assert_str_eq(m->body, "OK");
	guest_msg_free(m);
	ck_assert_int_eq(guest_intro_release(sv[0], 1000, &id, 9, &m), 0);
	ck_assert_str_eq(guest_msg_error(m), "EACCES");
	guest_msg_free(m);
	expect_request(XS_INTRODUCE, 5, LIT("9\0" "4096\0" "17\0"));
	expect_request(XS_RELEASE, 6, LIT("9\0"));
}
END_TEST

static Suite *
guest_intro_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_intro");
	tc = tcase_create("intro");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_intro_home_writes_nodes_and_perms);
	tcase_add_test(tc, guest_intro_home_stops_at_error_reply);
	tcase_add_test(tc, guest_intro_introduce_and_release_payloads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_intro_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
