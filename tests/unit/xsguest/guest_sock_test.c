/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_sock_test.c: tests of tools/xs-guest/guest_sock.c, one request at
 * a time over a stream socket. The daemon's end is the other half of a
 * socketpair: its replies are written before the request is sent (they
 * wait in the socket buffer), and the request it got is read afterwards.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/xs-guest/guest_sock.h"

static int sv[2] = { -1, -1 };

static void
setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
teardown(void)
{
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	sv[0] = sv[1] = -1;
}

/* The daemon's end queues one packet. */
static void
daemon_send(uint32_t type, uint32_t req_id, const void *body, uint32_t len)
{
	struct xsd_sockmsg h = { type, req_id, 0, len };

	ck_assert_int_eq(write(sv[1], &h, sizeof(h)), (ssize_t)sizeof(h));
	if (len > 0)
		ck_assert_int_eq(write(sv[1], body, len), (ssize_t)len);
}

START_TEST(guest_sock_request_sends_packet_and_takes_its_reply)
{
	struct xsd_sockmsg h;
	struct guest_msg *m;
	char body[16];

	daemon_send(XS_WATCH_EVENT, 0, "p\0t", 4);
	daemon_send(XS_READ, 6, "stale", 5);
	daemon_send(XS_READ, 7, "value", 5);
	ck_assert_int_eq(guest_sock_request(sv[0], 1000, 7, XS_READ, 3, "a/b",
	    4, &m), 0);
	ck_assert_uint_eq(m->hdr.req_id, 7);
	ck_assert_uint_eq(m->hdr.len, 5);
	ck_assert_str_eq(m->body, "value");
	guest_msg_free(m);

	ck_assert_int_eq(read(sv[1], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_uint_eq(h.type, XS_READ);
	ck_assert_uint_eq(h.req_id, 7);
	ck_assert_uint_eq(h.tx_id, 3);
	ck_assert_uint_eq(h.len, 4);
	ck_assert_int_eq(read(sv[1], body, 4), 4);
	ck_assert_mem_eq(body, "a/b", 4);
}
END_TEST

START_TEST(guest_sock_request_times_out)
{
	struct guest_msg *m;

	ck_assert_int_eq(guest_sock_request(sv[0], 50, 1, XS_READ, 0, "x", 2,
	    &m), ETIMEDOUT);
	ck_assert_ptr_null(m);
	/* Half a reply is no reply either. */
	ck_assert_int_eq(write(sv[1], "\x02\0\0\0", 4), 4);
	ck_assert_int_eq(guest_sock_request(sv[0], 50, 1, XS_READ, 0, "x", 2,
	    &m), ETIMEDOUT);
}
END_TEST

START_TEST(guest_sock_request_sees_daemon_close)
{
	struct guest_msg *m;

	daemon_send(XS_READ, 9, "x", 1);
	shutdown(sv[1], SHUT_WR);
	ck_assert_int_eq(guest_sock_request(sv[0], 1000, 1, XS_READ, 0, "x",
	    2, &m), ECONNRESET);
	close(sv[1]);
	sv[1] = -1;
	/* Writing to a closed peer: ECONNRESET, and no SIGPIPE. */
	ck_assert_int_eq(guest_sock_request(sv[0], 1000, 1, XS_READ, 0, "x",
	    2, &m), ECONNRESET);
}
END_TEST

START_TEST(guest_sock_request_refuses_oversized)
{
	static char big[5000];
	struct xsd_sockmsg h = { XS_READ, 1, 0, 4097 };
	struct guest_msg *m;

	ck_assert_int_eq(guest_sock_request(sv[0], 100, 1, XS_WRITE, 0, big,
	    sizeof(big), &m), E2BIG);
	ck_assert_int_eq(write(sv[1], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(guest_sock_request(sv[0], 100, 1, XS_READ, 0, "x", 2,
	    &m), EPROTO);
}
END_TEST

START_TEST(guest_sock_open_connects_or_fails)
{
	char dir[] = "/tmp/xsg-sock-XXXXXX", path[64], longp[200];
	struct sockaddr_un sun;
	int l, fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/socket", dir);
	ck_assert_int_eq(guest_sock_open(path, &fd), ENOENT);
	ck_assert_int_eq(fd, -1);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(guest_sock_open(path, &fd), 0);
	close(fd);
	close(l);
	unlink(path);
	rmdir(dir);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_eq(guest_sock_open(longp, &fd), ENAMETOOLONG);
}
END_TEST

START_TEST(guest_sock_default_path_follows_environment)
{
	char buf[64];

	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
	ck_assert_str_eq(guest_sock_default_path(buf, sizeof(buf)),
	    "/var/run/xenstored/socket");
	setenv("XENSTORED_RUNDIR", "/r", 1);
	ck_assert_str_eq(guest_sock_default_path(buf, sizeof(buf)),
	    "/r/socket");
	setenv("XENSTORED_PATH", "/p/s", 1);
	ck_assert_str_eq(guest_sock_default_path(buf, sizeof(buf)), "/p/s");
	ck_assert_ptr_null(guest_sock_default_path(buf, 3));
	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
}
END_TEST

static Suite *
guest_sock_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_sock");
	tc = tcase_create("sock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    guest_sock_request_sends_packet_and_takes_its_reply);
	tcase_add_test(tc, guest_sock_request_times_out);
	tcase_add_test(tc, guest_sock_request_sees_daemon_close);
	tcase_add_test(tc, guest_sock_request_refuses_oversized);
	tcase_add_test(tc, guest_sock_open_connects_or_fails);
	tcase_add_test(tc, guest_sock_default_path_follows_environment);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_sock_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
